// Probes, metrics and the API description.
#include "rempart/service/log.h"
#include "service/api_internal.h"

namespace rempart::service {

HttpResponse Service::Impl::Health(Call& /*call*/) {
  return JsonResponse(200, {{"status", "ok"}});
}

HttpResponse Service::Impl::Ready(Call& /*call*/) {
  if (!ready_.load()) {
    return ErrorResponse(503, "not_ready", "loading banks or shutting down");
  }
  return JsonResponse(200, {{"status", "ready"}});
}

HttpResponse Service::Impl::MetricsText(Call& /*call*/) {
  std::vector<GaugeSample> gauges;
  // Read once; walked twice because Render() wants each metric's samples
  // together.
  const std::vector<match::BankSize> banks = deps_.matcher->bank_sizes();
  for (const match::BankSize& bank : banks) {
    gauges.push_back(
        {"rempart_index_entries", "Active signals in memory, by bank and kind.",
         R"(bank=")" + PrometheusLabel(bank.bank) + R"(",kind="pdq")",
         static_cast<double>(bank.pdq)});
    gauges.push_back(
        {"rempart_index_entries", "Active signals in memory, by bank and kind.",
         R"(bank=")" + PrometheusLabel(bank.bank) + R"(",kind="exact")",
         static_cast<double>(bank.exact)});
    // PDQ entries that also hold a patch signature (the second stage).
    gauges.push_back(
        {"rempart_index_entries", "Active signals in memory, by bank and kind.",
         R"(bank=")" + PrometheusLabel(bank.bank) + R"(",kind="patches")",
         static_cast<double>(bank.patch_pictures)});
  }
  for (const match::BankSize& bank : banks) {
    gauges.push_back({"rempart_index_memory_bytes",
                      "Memory held by each bank's index.",
                      "bank=\"" + PrometheusLabel(bank.bank) + "\"",
                      static_cast<double>(bank.memory_bytes)});
  }
  gauges.push_back({"rempart_api_keys", "API keys known to the service.", "",
                    static_cast<double>(keys_.size())});
  if (server_gauges_) {
    for (GaugeSample& gauge : server_gauges_()) gauges.push_back(gauge);
  }
  HttpResponse response;
  response.content_type = "text/plain; version=0.0.4; charset=utf-8";
  response.body = metrics_.Render(gauges);
  return response;
}

HttpResponse Service::Impl::OpenApi(Call& /*call*/) {
  HttpResponse response;
  response.body = OpenApiDocument();
  return response;
}

}  // namespace rempart::service

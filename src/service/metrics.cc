#include "rempart/service/metrics.h"

#include <algorithm>
#include <cstdio>

namespace rempart::service {
namespace {

void AppendNumber(std::string& out, double value) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.9g", value);
  out += buffer;
}

void AppendHeader(std::string& out, std::string_view name,
                  std::string_view type, std::string_view help) {
  out.append("# HELP ").append(name).append(" ").append(help).append("\n");
  out.append("# TYPE ").append(name).append(" ").append(type).append("\n");
}

}  // namespace

std::string PrometheusLabel(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    if (c == '\\' || c == '"') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

Metrics::Metrics(std::vector<std::string> routes) {
  routes.emplace_back("ANY unmatched");
  for (const std::string& label : routes) {
    auto route = std::make_unique<Route>();
    const std::size_t space = label.find(' ');
    route->method = label.substr(0, space);
    route->pattern =
        space == std::string::npos ? std::string() : label.substr(space + 1);
    routes_.push_back(std::move(route));
  }
}

void Metrics::ObserveRequest(std::size_t route, int status, double seconds) {
  Route& r = *routes_[std::min(route, routes_.size() - 1)];
  const int index =
      std::clamp(status, kMinStatus, kMinStatus + kStatusCount - 1) -
      kMinStatus;
  r.by_status[static_cast<std::size_t>(index)].fetch_add(1, kRelaxed);
  const auto bucket = static_cast<std::size_t>(
      std::lower_bound(kBuckets.begin(), kBuckets.end(), seconds) -
      kBuckets.begin());
  r.buckets[bucket].fetch_add(1, kRelaxed);
  r.sum_ns.fetch_add(static_cast<std::uint64_t>(std::max(0.0, seconds) * 1e9),
                     kRelaxed);
}

void Metrics::AddMatches(std::uint64_t queries, std::uint64_t hits) {
  match_queries_.fetch_add(queries, kRelaxed);
  match_hits_.fetch_add(hits, kRelaxed);
}

std::string Metrics::Render(const std::vector<GaugeSample>& gauges) const {
  std::string out;
  out.reserve(8192);
  AppendHeader(out, "rempart_http_requests_total", "counter",
               "HTTP requests answered, by route and status code.");
  for (const auto& route : routes_) {
    const std::string labels = "method=\"" + PrometheusLabel(route->method) +
                               "\",route=\"" + PrometheusLabel(route->pattern) +
                               "\"";
    for (int i = 0; i < kStatusCount; ++i) {
      const std::uint64_t count =
          route->by_status[static_cast<std::size_t>(i)].load(kRelaxed);
      if (count == 0) continue;
      out += "rempart_http_requests_total{" + labels + ",code=\"" +
             std::to_string(i + kMinStatus) + "\"} " + std::to_string(count) +
             "\n";
    }
  }
  AppendHeader(out, "rempart_http_request_duration_seconds", "histogram",
               "Time from a request's arrival in full to its response.");
  for (const auto& route : routes_) {
    const std::string labels = "method=\"" + PrometheusLabel(route->method) +
                               "\",route=\"" + PrometheusLabel(route->pattern) +
                               "\"";
    std::uint64_t cumulative = 0;
    for (std::size_t b = 0; b <= kBuckets.size(); ++b) {
      cumulative += route->buckets[b].load(kRelaxed);
      out +=
          "rempart_http_request_duration_seconds_bucket{" + labels + ",le=\"";
      if (b < kBuckets.size()) {
        AppendNumber(out, kBuckets[b]);
      } else {
        out += "+Inf";
      }
      out += "\"} " + std::to_string(cumulative) + "\n";
    }
    out += "rempart_http_request_duration_seconds_sum{" + labels + "} ";
    AppendNumber(out, static_cast<double>(route->sum_ns.load(kRelaxed)) / 1e9);
    out += "\nrempart_http_request_duration_seconds_count{" + labels + "} " +
           std::to_string(cumulative) + "\n";
  }
  AppendHeader(out, "rempart_match_queries_total", "counter",
               "Signals checked against the banks.");
  out += "rempart_match_queries_total " +
         std::to_string(match_queries_.load(kRelaxed)) + "\n";
  AppendHeader(out, "rempart_match_hits_total", "counter",
               "Bank entries matched by those checks.");
  out += "rempart_match_hits_total " +
         std::to_string(match_hits_.load(kRelaxed)) + "\n";
  AppendHeader(out, "rempart_rate_limited_total", "counter",
               "Requests refused by a rate limit.");
  out += "rempart_rate_limited_total " +
         std::to_string(rate_limited_.load(kRelaxed)) + "\n";
  std::string last_name;
  for (const GaugeSample& gauge : gauges) {
    if (gauge.name != last_name) {
      AppendHeader(out, gauge.name, "gauge", gauge.help);
      last_name = gauge.name;
    }
    out += gauge.name;
    if (!gauge.labels.empty()) out += "{" + gauge.labels + "}";
    out += " ";
    AppendNumber(out, gauge.value);
    out += "\n";
  }
  return out;
}

}  // namespace rempart::service

// Service: the HTTP JSON API of Rempart (`rempart serve`), as a handler
// for HttpServer.
//
// Every request goes through the same steps, in this order: find the route
// (404, or 405 with Allow), identify the caller (an API key in
// "Authorization: Bearer …", or anonymous; 401 for a bad key), take a
// token from the caller's rate limit (429 with Retry-After), check the
// caller's role against the route (403), parse and validate the body
// (400, 413, 415), act, answer in JSON. Each step's refusal is a 4xx with
// {"error":{"code","message"}}; a 5xx means a bug or a failing disk, never
// bad input. Every mutation lands in the audit log with the caller as
// actor. docs/SERVICE.md documents the API; /v1/openapi.json describes it.
//
// Thread-safe: Handle() runs on every I/O thread at once.
#ifndef REMPART_SERVICE_SERVICE_H_
#define REMPART_SERVICE_SERVICE_H_

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "rempart/core/result.h"
#include "rempart/match/matcher.h"
#include "rempart/service/auth.h"
#include "rempart/service/config.h"
#include "rempart/service/http_server.h"
#include "rempart/service/metrics.h"
#include "rempart/service/rate_limiter.h"
#include "rempart/service/sealing.h"
#include "rempart/store/audit.h"
#include "rempart/store/cases.h"
#include "rempart/store/keys.h"
#include "rempart/store/store.h"

namespace rempart::service {

// What the service works on; all must outlive it.
struct ServiceDeps {
  store::Store* store = nullptr;
  store::AuditLog* audit = nullptr;
  store::KeyStore* keys = nullptr;
  store::CaseStore* cases = nullptr;
  match::Matcher* matcher = nullptr;
  const Sealer* sealer = nullptr;
};

// One route of the API, as the OpenAPI test and the metrics see it.
struct RouteInfo {
  std::string method;
  std::string pattern;  // "/v1/banks/{bank}"
};

class Service {
 public:
  Service(ServiceConfig config, ServiceDeps deps);
  ~Service();
  Service(const Service&) = delete;
  Service& operator=(const Service&) = delete;

  // Loads the API keys. Call once before serving.
  Status Start();
  // The handler for HttpServer.
  HttpResponse Handle(const HttpRequest& request);
  // The largest body accepted for a request (uploads vs JSON).
  [[nodiscard]] std::size_t BodyLimit(const RequestHead& head) const;
  // Picks up changes made by other processes: bank entries (the matcher),
  // keys. The serve command calls it every config.refresh_interval.
  Status Refresh();
  // /readyz answers 200 once set (the index is loaded), 503 before and
  // while shutting down.
  void SetReady(bool ready) { ready_.store(ready); }
  // Gauges the server adds to /metrics (connections, in-flight requests).
  void SetServerGauges(std::function<std::vector<GaugeSample>()> gauges);

  [[nodiscard]] static std::vector<RouteInfo> Routes();
  [[nodiscard]] Metrics& metrics() { return *metrics_; }
  [[nodiscard]] const ServiceConfig& config() const { return config_; }

  class Impl;

 private:
  ServiceConfig config_;
  ServiceDeps deps_;
  std::unique_ptr<Metrics> metrics_;
  std::unique_ptr<Impl> impl_;
  std::atomic<bool> ready_{false};
};

// The OpenAPI 3 document served at /v1/openapi.json.
const std::string& OpenApiDocument();

}  // namespace rempart::service

#endif  // REMPART_SERVICE_SERVICE_H_

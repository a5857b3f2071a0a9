// Service metrics in the Prometheus text format (version 0.0.4).
//
// Requests are counted per route pattern ("/v1/banks/{bank}"), never per
// raw path, so that the number of series stays fixed whatever clients
// send. Recording is a few relaxed atomic increments: no lock on the
// request path.
#ifndef REMPART_SERVICE_METRICS_H_
#define REMPART_SERVICE_METRICS_H_

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace rempart::service {

// A value read when /metrics is scraped.
struct GaugeSample {
  std::string name;  // e.g. "rempart_index_entries"
  std::string help;
  std::string labels;  // e.g. bank="demo" (already escaped), or empty
  double value = 0;
};

class Metrics {
 public:
  // Upper bounds of the latency histogram buckets, in seconds.
  static constexpr std::array<double, 14> kBuckets = {
      0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01,
      0.025,  0.05,    0.1,    0.25,  0.5,    1,     2.5};

  // `routes`: "METHOD pattern" labels; route ids are their positions. One
  // more id, routes.size(), counts requests that matched no route.
  explicit Metrics(std::vector<std::string> routes);

  void ObserveRequest(std::size_t route, int status, double seconds);
  // Match queries answered, and entries they matched.
  void AddMatches(std::uint64_t queries, std::uint64_t hits);
  // Requests refused by a rate limit.
  void AddRateLimited() { rate_limited_.fetch_add(1, kRelaxed); }

  [[nodiscard]] std::string Render(
      const std::vector<GaugeSample>& gauges) const;

 private:
  static constexpr auto kRelaxed = std::memory_order_relaxed;
  static constexpr int kMinStatus = 100;
  static constexpr int kStatusCount = 500;  // 100…599.
  struct Route {
    std::string method;
    std::string pattern;
    std::array<std::atomic<std::uint64_t>, kStatusCount> by_status{};
    std::array<std::atomic<std::uint64_t>, kBuckets.size() + 1> buckets{};
    std::atomic<std::uint64_t> sum_ns{0};
  };

  std::vector<std::unique_ptr<Route>> routes_;
  std::atomic<std::uint64_t> match_queries_{0};
  std::atomic<std::uint64_t> match_hits_{0};
  std::atomic<std::uint64_t> rate_limited_{0};
};

// Escapes a label value for the text format (backslash, quote, newline).
std::string PrometheusLabel(std::string_view value);

}  // namespace rempart::service

#endif  // REMPART_SERVICE_METRICS_H_

#include "rempart/service/metrics.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace rempart::service {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

TEST(MetricsTest, CountsByRouteAndStatusWithCumulativeBuckets) {
  Metrics metrics({"GET /healthz", "POST /v1/match"});
  metrics.ObserveRequest(1, 200, 0.0003);
  metrics.ObserveRequest(1, 200, 0.002);
  metrics.ObserveRequest(1, 429, 0.00001);
  metrics.ObserveRequest(2, 404, 0.0001);  // Unmatched.
  metrics.AddMatches(3, 1);
  const std::string text = metrics.Render(
      {{"rempart_index_entries", "Entries.", "bank=\"demo\"", 42}});
  EXPECT_THAT(text, HasSubstr("rempart_http_requests_total{method=\"POST\","
                              "route=\"/v1/match\",code=\"200\"} 2\n"));
  EXPECT_THAT(text, HasSubstr("route=\"/v1/match\",code=\"429\"} 1\n"));
  EXPECT_THAT(text,
              HasSubstr("method=\"ANY\",route=\"unmatched\",code=\"404\"} 1"));
  // le=0.0005 holds the 10 µs and 300 µs requests; +Inf all three.
  EXPECT_THAT(text, HasSubstr("route=\"/v1/match\",le=\"0.0005\"} 2\n"));
  EXPECT_THAT(text, HasSubstr("route=\"/v1/match\",le=\"+Inf\"} 3\n"));
  EXPECT_THAT(text, HasSubstr("rempart_http_request_duration_seconds_count{"
                              "method=\"POST\",route=\"/v1/match\"} 3\n"));
  EXPECT_THAT(text, HasSubstr("rempart_match_queries_total 3\n"));
  EXPECT_THAT(text, HasSubstr("rempart_match_hits_total 1\n"));
  EXPECT_THAT(text, HasSubstr("rempart_index_entries{bank=\"demo\"} 42\n"));
  // A route never called has no status series.
  EXPECT_THAT(text, Not(HasSubstr("route=\"/healthz\",code=")));
}

TEST(MetricsTest, LabelsAreEscaped) {
  EXPECT_EQ(PrometheusLabel("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
}

}  // namespace
}  // namespace rempart::service

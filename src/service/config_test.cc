#include "rempart/service/config.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>

namespace rempart::service {
namespace {

using ::testing::HasSubstr;

TEST(ConfigTest, ReadsEveryTable) {
  ServiceConfig config;
  const Status status = ApplyConfigToml(R"(
data_dir = "/var/lib/rempart"
[server]
listen = "0.0.0.0:9090"
threads = 4
shutdown_grace_ms = 2500
trust_proxy_header = true
[limits]
max_json_bytes = 65536
max_upload_bytes = 1048576
max_upload_video_seconds = 90.5
max_upload_video_decode_ms = 5000
max_header_bytes = 4096
request_timeout_ms = 3000
[rate]
key_per_second = 50
anonymous_per_second = 0.5
[log]
format = "json"
level = "warn"
[metrics]
public = true
[match]
robust = true
min_patches = 5
)",
                                        "test.toml", config);
  ASSERT_TRUE(status.ok()) << status.ToString();
  EXPECT_EQ(config.data_dir, "/var/lib/rempart");
  EXPECT_EQ(config.address, "0.0.0.0");
  EXPECT_EQ(config.port, 9090);
  EXPECT_EQ(config.threads, 4);
  EXPECT_EQ(config.shutdown_grace.count(), 2500);
  EXPECT_TRUE(config.trust_proxy_header);
  EXPECT_EQ(config.max_json_bytes, 65536u);
  EXPECT_EQ(config.max_upload_bytes, 1048576u);
  EXPECT_EQ(config.max_upload_video_seconds, 90.5);
  EXPECT_EQ(config.max_upload_video_decode_ms, 5000);
  EXPECT_EQ(config.limits.max_header_bytes, 4096u);
  EXPECT_EQ(config.limits.request_timeout.count(), 3000);
  EXPECT_EQ(config.key_rate_per_second, 50);
  EXPECT_EQ(config.anonymous_rate_per_second, 0.5);
  EXPECT_EQ(config.log_format, LogFormat::kJson);
  EXPECT_EQ(config.log_level, "warn");
  EXPECT_TRUE(config.metrics_public);
  EXPECT_TRUE(config.robust);
  EXPECT_EQ(config.min_patches, 5);
}

TEST(ConfigTest, MistakesAreNamedNotIgnored) {
  const std::map<std::string, std::string> cases = {
      {"[server]\nlisen = \"x:1\"\n", "unknown setting 'server.lisen'"},
      {"[sever]\n", "unknown setting 'sever'"},
      {"[limits]\nmax_json_bytes = \"big\"\n",
       "'limits.max_json_bytes' must be an integer"},
      {"[limits]\nmax_json_bytes = 1\n",
       "'limits.max_json_bytes' must be between"},
      {"[log]\nformat = \"xml\"\n", "'log.format' must be"},
      {"[match]\nrobust = \"yes\"\n", "'match.robust' must be"},
      {"[match]\nrobus = true\n", "unknown setting 'match.robus'"},
      {"[match]\nmin_patches = 1\n", "'match.min_patches' must be between"},
      {"[match]\nmin_patches = 2.5\n", "'match.min_patches' must be"},
      {"[server]\nlisten = \"nohost\"\n", "HOST:PORT"},
      {"[server]\nlisten = \"h:99999\"\n", "0…65535"},
      {"data_dir = [\n", "test.toml:"},
  };
  for (const auto& [text, expected] : cases) {
    ServiceConfig config;
    const Status status = ApplyConfigToml(text, "test.toml", config);
    EXPECT_EQ(status.code(), StatusCode::kInvalidArgument) << text;
    EXPECT_THAT(status.message(), HasSubstr(expected)) << text;
  }
}

TEST(ConfigTest, EnvironmentOverridesTheFile) {
  ServiceConfig config;
  ASSERT_TRUE(
      ApplyConfigToml("[server]\nlisten = \"127.0.0.1:1\"\n", "f", config)
          .ok());
  std::map<std::string, std::string> env = {{"REMPART_LISTEN", "[::1]:8443"},
                                            {"REMPART_DATA", "/d"},
                                            {"REMPART_LOG_FORMAT", "json"},
                                            {"REMPART_THREADS", "3"}};
  auto getenv = [&](const char* name) -> const char* {
    auto found = env.find(name);
    return found == env.end() ? nullptr : found->second.c_str();
  };
  ASSERT_TRUE(ApplyEnvironment(getenv, config).ok());
  EXPECT_EQ(config.address, "::1");
  EXPECT_EQ(config.port, 8443);
  EXPECT_EQ(config.data_dir, "/d");
  EXPECT_EQ(config.log_format, LogFormat::kJson);
  EXPECT_EQ(config.threads, 3);
  env["REMPART_THREADS"] = "many";
  EXPECT_FALSE(ApplyEnvironment(getenv, config).ok());
}

}  // namespace
}  // namespace rempart::service

namespace rempart::service {
namespace {

// The documented example lists every setting with its default: reading it
// must succeed and change nothing.
TEST(ConfigTest, TheExampleFileIsValidAndStatesTheDefaults) {
  ServiceConfig config;
  const Status status = ApplyConfigFile(
      std::string(REMPART_SOURCE_DIR) + "/docs/deploy/rempart.example.toml",
      config);
  ASSERT_TRUE(status.ok()) << status.ToString();
  const ServiceConfig defaults;
  EXPECT_EQ(config.data_dir, defaults.data_dir);
  EXPECT_EQ(config.address, defaults.address);
  EXPECT_EQ(config.port, defaults.port);
  EXPECT_EQ(config.threads, defaults.threads);
  EXPECT_EQ(config.shutdown_grace, defaults.shutdown_grace);
  EXPECT_EQ(config.refresh_interval, defaults.refresh_interval);
  EXPECT_EQ(config.limits.max_header_bytes, defaults.limits.max_header_bytes);
  EXPECT_EQ(config.max_json_bytes, defaults.max_json_bytes);
  EXPECT_EQ(config.max_json_depth, defaults.max_json_depth);
  EXPECT_EQ(config.max_upload_bytes, defaults.max_upload_bytes);
  EXPECT_EQ(config.max_upload_video_seconds, defaults.max_upload_video_seconds);
  EXPECT_EQ(config.max_upload_video_decode_ms,
            defaults.max_upload_video_decode_ms);
  EXPECT_EQ(config.max_batch, defaults.max_batch);
  EXPECT_EQ(config.max_entries_per_submit, defaults.max_entries_per_submit);
  EXPECT_EQ(config.limits.request_timeout, defaults.limits.request_timeout);
  EXPECT_EQ(config.limits.idle_timeout, defaults.limits.idle_timeout);
  EXPECT_EQ(config.limits.max_connections, defaults.limits.max_connections);
  EXPECT_EQ(config.key_rate_per_second, defaults.key_rate_per_second);
  EXPECT_EQ(config.anonymous_rate_per_second,
            defaults.anonymous_rate_per_second);
  EXPECT_EQ(config.log_format, defaults.log_format);
  EXPECT_EQ(config.log_level, defaults.log_level);
  EXPECT_EQ(config.metrics_public, defaults.metrics_public);
  EXPECT_EQ(config.robust, defaults.robust);
  EXPECT_FALSE(defaults.robust);
  EXPECT_EQ(config.min_patches, defaults.min_patches);
  EXPECT_EQ(defaults.min_patches, 3);
  EXPECT_EQ(config.trust_proxy_header, defaults.trust_proxy_header);
  EXPECT_EQ(config.static_rate_per_second, defaults.static_rate_per_second);
  EXPECT_EQ(config.web_enabled, defaults.web_enabled);
  EXPECT_EQ(config.web_root, defaults.web_root);
  EXPECT_EQ(config.org_name, defaults.org_name);
}

TEST(ConfigTest, WebAndOrgSettings) {
  ServiceConfig config;
  ASSERT_TRUE(ApplyConfigToml("[web]\nenabled = false\nroot = \"/srv/web\"\n"
                              "[org]\nname = \"Hotline FR\"\n",
                              "test", config)
                  .ok());
  EXPECT_FALSE(config.web_enabled);
  EXPECT_EQ(config.web_root, "/srv/web");
  EXPECT_EQ(config.org_name, "Hotline FR");
  EXPECT_FALSE(ApplyConfigToml("[web]\nroots = \"/x\"\n", "test", config).ok());
  EXPECT_FALSE(ApplyConfigToml("[org]\nname = \"\"\n", "test", config).ok());
  EXPECT_FALSE(
      ApplyConfigToml("[web]\nenabled = \"yes\"\n", "test", config).ok());
  std::map<std::string, std::string> env = {{"REMPART_WEB_ROOT", "/env/web"}};
  ASSERT_TRUE(ApplyEnvironment(
                  [&](const char* name) -> const char* {
                    auto found = env.find(name);
                    return found == env.end() ? nullptr : found->second.c_str();
                  },
                  config)
                  .ok());
  EXPECT_EQ(config.web_root, "/env/web");
  EXPECT_FALSE(DefaultWebRoot().empty());
}

}  // namespace
}  // namespace rempart::service

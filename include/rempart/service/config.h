// The service's settings, from three places, later ones winning: a TOML
// file (--config, or $REMPART_CONFIG), environment variables (REMPART_*),
// then command-line flags (the `serve` command applies those).
//
// The file is strict: an unknown table or key, or a value of the wrong
// type or out of range, is an error naming it — a misspelt limit must not
// silently fall back to a default. docs/SERVICE.md lists every setting;
// the example file is docs/deploy/rempart.example.toml.
#ifndef REMPART_SERVICE_CONFIG_H_
#define REMPART_SERVICE_CONFIG_H_

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <string_view>

#include "rempart/core/result.h"
#include "rempart/core/status.h"
#include "rempart/match/patch_index.h"
#include "rempart/service/http_server.h"

namespace rempart::service {

enum class LogFormat { kText, kJson };

// The web root compiled into this build: ${CMAKE_BINARY_DIR}/web, where the
// build copies web/ and the WebAssembly module (cmake/RempartWeb.cmake).
std::filesystem::path DefaultWebRoot();

struct ServiceConfig {
  std::filesystem::path data_dir = "rempart-data";
  // Where to listen. Loopback by default: exposing the service is a
  // decision (behind a TLS proxy, see docs/SERVICE.md).
  std::string address = "127.0.0.1";
  std::uint16_t port = 8080;
  int threads = 0;  // I/O threads; 0: one per core.
  ServerLimits limits;
  std::size_t max_json_bytes = 4 << 20;  // JSON bodies.
  std::size_t max_json_depth = 16;
  std::size_t max_upload_bytes = 32 << 20;  // Images and videos to
                                            // hash-and-match.
  // Videos uploaded to hash-and-match: longest accepted, and the decoding
  // budget (an I/O thread is busy meanwhile).
  double max_upload_video_seconds = 600;
  int max_upload_video_decode_ms = 30'000;
  std::size_t max_batch = 1000;  // Hashes in one match call.
  // The second stage on image uploads (POST /v1/hash-match): finds the
  // banks' pictures cropped, framed, captioned, screenshotted or turned a
  // few degrees, for the entries banked with a patch signature. Off by
  // default: it costs ~130 ms of an I/O thread per upload, on top of PDQ's
  // few (docs/ROBUSTNESS.md). A call may still leave it out (robust=0).
  bool robust = false;
  // Agreeing patches a second-stage match needs ([match] min_patches,
  // 2…16): match::PatchMatchOptions::min_group's 3 by default; 2 finds a
  // few more crops and screenshots, for a few false matches.
  int min_patches = match::PatchMatchOptions{}.min_group;
  std::size_t max_entries_per_submit = 10'000;
  // Requests per second per API key unless the key says otherwise.
  double key_rate_per_second = 2000;
  // Requests per second per address for callers without a key (victims
  // reporting and following their case).
  double anonymous_rate_per_second = 2;
  // Requests per second per address for the web pages' static files, a
  // bucket of its own: loading the victim page fetches about fifteen files
  // at once, which must not eat the anonymous API budget. 0: unlimited.
  double static_rate_per_second = 100;
  // Behind a reverse proxy every connection comes from the proxy: take the
  // caller's address from the X-Real-IP header it sets instead. Only turn
  // this on when the service is reachable through the proxy alone (anyone
  // can send that header).
  bool trust_proxy_header = false;
  // /metrics without an admin key.
  bool metrics_public = false;
  // The victim page and the analyst console (static files read into
  // memory at start). A missing root is logged, not fatal.
  bool web_enabled = true;
  std::filesystem::path web_root = DefaultWebRoot();
  // This organisation's name, the source_org of the entries a verified
  // case publishes.
  std::string org_name = "rempart";
  LogFormat log_format = LogFormat::kText;
  std::string log_level = "info";  // trace, debug, info, warn, error
  // How often changes made by other processes (CLI imports) are picked up.
  std::chrono::milliseconds refresh_interval{1000};
  // How long shutdown waits for requests in flight.
  std::chrono::milliseconds shutdown_grace{10'000};
};

// Applies the settings of a TOML document; `origin` names it in errors.
Status ApplyConfigToml(std::string_view toml, std::string_view origin,
                       ServiceConfig& config);
// Reads and applies a TOML file (at most 1 MiB).
Status ApplyConfigFile(const std::filesystem::path& path,
                       ServiceConfig& config);
// Applies REMPART_DATA, REMPART_LISTEN ("host:port"), REMPART_THREADS,
// REMPART_LOG_FORMAT, REMPART_LOG_LEVEL, REMPART_WEB_ROOT, read through
// `getenv` (tests pass their own).
Status ApplyEnvironment(const std::function<const char*(const char*)>& getenv,
                        ServiceConfig& config);
// Parses "host:port", "[v6]:port" or ":port" into the config.
Status ApplyListen(std::string_view listen, ServiceConfig& config);
Result<LogFormat> ParseLogFormat(std::string_view name);

}  // namespace rempart::service

#endif  // REMPART_SERVICE_CONFIG_H_

// StaticFiles: the web pages `rempart serve` serves (the victim page, the
// analyst console and the WebAssembly hashing module), read into memory
// once, at start.
//
// A request never reaches the file system: its path is looked up in the
// set of files loaded from the root, byte for byte, so "..", "%2e%2e",
// "//etc/passwd" or any other spelling that is not exactly the name of a
// loaded file is simply unknown. Loading skips symbolic links (to files or
// directories) and every name starting with '.', so a link planted in the
// root cannot expose a file outside it, and stops with an error past
// StaticOptions' limits rather than filling memory.
//
// Every answer (200, 304, 308) carries the security headers of
// kStaticSecurityHeaders: a Content-Security-Policy that allows only the
// service's own scripts, styles, images and WebAssembly, no framing, no
// referrer. Files are revalidated on each use (Cache-Control: no-cache)
// with a strong ETag, so a new deployment is picked up at once while an
// unchanged file costs a 304.
//
// Immutable once loaded; Serve() may be called from any thread.
#ifndef REMPART_SERVICE_STATIC_FILES_H_
#define REMPART_SERVICE_STATIC_FILES_H_

#include <array>
#include <cstddef>
#include <filesystem>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>

#include "rempart/core/result.h"
#include "rempart/service/http_server.h"

namespace rempart::service {

struct StaticOptions {
  std::size_t max_files = 4000;
  std::size_t max_total_bytes = std::size_t{128} << 20;
};

// The exact Content-Security-Policy of every static response.
inline constexpr std::string_view kContentSecurityPolicy =
    "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; "
    "worker-src 'self'; connect-src 'self'; img-src 'self'; "
    "style-src 'self'; font-src 'self'; manifest-src 'self'; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

// The headers every static response carries (CSP included).
inline constexpr std::array<std::pair<std::string_view, std::string_view>, 7>
    kStaticSecurityHeaders = {{
        {"Content-Security-Policy", kContentSecurityPolicy},
        {"X-Content-Type-Options", "nosniff"},
        {"Referrer-Policy", "no-referrer"},
        {"X-Frame-Options", "DENY"},
        {"Permissions-Policy",
         "camera=(), microphone=(), geolocation=(), interest-cohort=()"},
        {"Cross-Origin-Opener-Policy", "same-origin"},
        {"Cross-Origin-Resource-Policy", "same-origin"},
    }};

// The Content-Type for a file name, by its extension; unknown extensions
// are application/octet-stream.
std::string_view StaticContentType(std::string_view name);

class StaticFiles {
 public:
  // No files: every Serve() answers nullopt.
  StaticFiles() = default;

  // Reads every regular file under `root`, recursively, skipping symbolic
  // links and names starting with '.'. NotFound when `root` is not a
  // directory; ResourceExhausted past `options`' limits; Unavailable when a
  // file cannot be read.
  static Result<StaticFiles> Load(const std::filesystem::path& root,
                                  StaticOptions options = {});

  // The answer to a GET or HEAD of `path` (percent-decoded, as in
  // RequestHead): the file (200, or 304 when If-None-Match names its ETag),
  // or a 308 to "<path>/" for a directory holding an index.html asked
  // without its slash. "/" and any "<dir>/" serve "<dir>/index.html".
  // nullopt when no loaded file answers to `path` (the caller sends 404).
  [[nodiscard]] std::optional<HttpResponse> Serve(
      const RequestHead& head) const;

  // Adds the security headers to `response` (for the 404s and 405s the
  // caller sends for paths outside the API).
  static void AddSecurityHeaders(HttpResponse& response);

  [[nodiscard]] std::size_t file_count() const { return files_.size(); }
  [[nodiscard]] std::size_t total_bytes() const { return total_bytes_; }

 private:
  struct File {
    std::string body;
    std::string_view content_type;
    std::string etag;  // With its quotes.
  };

  // Keyed by the URL path: "/index.html", "/console/js/app.js".
  std::unordered_map<std::string, File> files_;
  // Directories holding an index.html, as "/console" ("" for the root).
  std::set<std::string> index_dirs_;
  std::size_t total_bytes_ = 0;
};

}  // namespace rempart::service

#endif  // REMPART_SERVICE_STATIC_FILES_H_

// Loading the web root into memory and answering GET/HEAD from it.
//
// Files are opened with O_NOFOLLOW after the directory walk saw them as
// regular files, so a file swapped for a symbolic link between the two
// steps fails to open instead of being followed. The walk itself never
// follows directory links (the iterator's default) and prunes directories
// whose names start with '.'.
#include "rempart/service/static_files.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <memory>
#include <system_error>

#include "rempart/core/file.h"
#include "rempart/core/hex.h"
#include "rempart/hash/digest.h"

namespace rempart::service {
namespace {

namespace fs = std::filesystem;

constexpr std::array<std::pair<std::string_view, std::string_view>, 12>
    kContentTypes = {{
        {".html", "text/html; charset=utf-8"},
        {".js", "text/javascript; charset=utf-8"},
        {".mjs", "text/javascript; charset=utf-8"},
        {".css", "text/css; charset=utf-8"},
        {".wasm", "application/wasm"},
        {".json", "application/json"},
        {".svg", "image/svg+xml"},
        {".png", "image/png"},
        {".ico", "image/x-icon"},
        {".txt", "text/plain; charset=utf-8"},
        {".webmanifest", "application/manifest+json"},
        {".map", "application/json"},
    }};

// Reads the regular file at `path` without following a link, refusing one
// larger than `max_bytes` (core's bounded reader counts the bytes read).
Result<std::string> ReadRegularFile(const fs::path& path,
                                    std::size_t max_bytes) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) {
    return UnavailableError("cannot open " + path.string() + ": " +
                            std::generic_category().message(errno));
  }
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> file(::fdopen(fd, "rb"),
                                                       &std::fclose);
  if (!file) {
    ::close(fd);
    return UnavailableError("cannot open " + path.string());
  }
  struct stat info {};
  if (::fstat(fd, &info) != 0 || !S_ISREG(info.st_mode)) {
    return UnavailableError(path.string() + " is not a regular file");
  }
  auto bytes = ReadStreamBytes(file.get(), max_bytes);
  if (!bytes) {
    if (bytes.error().code() == StatusCode::kResourceExhausted) {
      return ResourceExhaustedError("web root holds more than " +
                                    std::to_string(max_bytes) +
                                    " bytes in all (at " + path.string() + ")");
    }
    return bytes.error().WithContext(path.string());
  }
  return std::string(bytes->begin(), bytes->end());
}

bool NameIsHidden(const fs::path& path) {
  const std::string name = path.filename().string();
  return !name.empty() && name.front() == '.';
}

// True when an If-None-Match header value names `etag` (or is "*"). Weak
// validators compare by their opaque part, as RFC 9110 §13.1.2 asks.
bool NoneMatchHits(std::string_view header, std::string_view etag) {
  while (!header.empty()) {
    const std::size_t comma = header.find(',');
    std::string_view item = header.substr(0, comma);
    header = comma == std::string_view::npos ? std::string_view()
                                             : header.substr(comma + 1);
    while (!item.empty() && (item.front() == ' ' || item.front() == '\t')) {
      item.remove_prefix(1);
    }
    while (!item.empty() && (item.back() == ' ' || item.back() == '\t')) {
      item.remove_suffix(1);
    }
    if (item == "*") return true;
    if (item.starts_with("W/")) item.remove_prefix(2);
    if (item == etag) return true;
  }
  return false;
}

}  // namespace

std::string_view StaticContentType(std::string_view name) {
  const std::size_t slash = name.rfind('/');
  const std::string_view base =
      slash == std::string_view::npos ? name : name.substr(slash + 1);
  const std::size_t dot = base.rfind('.');
  if (dot != std::string_view::npos) {
    std::string extension(base.substr(dot));
    std::transform(extension.begin(), extension.end(), extension.begin(),
                   [](unsigned char c) { return std::tolower(c); });
    for (const auto& [known, type] : kContentTypes) {
      if (extension == known) return type;
    }
  }
  return "application/octet-stream";
}

Result<StaticFiles> StaticFiles::Load(const fs::path& root,
                                      StaticOptions options) {
  std::error_code error;
  if (!fs::is_directory(fs::symlink_status(root, error)) &&
      !fs::is_directory(root, error)) {
    return NotFoundError("web root " + root.string() + " is not a directory");
  }
  StaticFiles files;
  fs::recursive_directory_iterator walk(root, error);
  if (error) {
    return UnavailableError("cannot list " + root.string() + ": " +
                            error.message());
  }
  for (auto it = walk; it != fs::recursive_directory_iterator();
       it.increment(error)) {
    if (error) {
      return UnavailableError("cannot list " + root.string() + ": " +
                              error.message());
    }
    const fs::directory_entry& entry = *it;
    const fs::file_status status = entry.symlink_status(error);
    if (error) continue;
    if (NameIsHidden(entry.path())) {
      if (fs::is_directory(status)) it.disable_recursion_pending();
      continue;
    }
    if (fs::is_symlink(status) || !fs::is_regular_file(status)) continue;
    if (files.files_.size() >= options.max_files) {
      return ResourceExhaustedError(
          "web root " + root.string() + " holds more than " +
          std::to_string(options.max_files) + " files");
    }
    auto bytes = ReadRegularFile(entry.path(),
                                 options.max_total_bytes - files.total_bytes_);
    if (!bytes) return bytes.error();
    const std::string relative =
        entry.path().lexically_relative(root).generic_string();
    const std::string url = "/" + relative;
    File file;
    const hash::Sha256Digest digest = hash::Sha256(
        {reinterpret_cast<const std::uint8_t*>(bytes->data()), bytes->size()});
    file.etag = "\"" + HexEncode({digest.data(), 16}) + "\"";
    file.content_type = StaticContentType(relative);
    files.total_bytes_ += bytes->size();
    file.body = std::move(*bytes);
    if (entry.path().filename() == "index.html") {
      const std::size_t slash = url.rfind('/');
      files.index_dirs_.insert(url.substr(0, slash));
    }
    files.files_.emplace(url, std::move(file));
  }
  return files;
}

void StaticFiles::AddSecurityHeaders(HttpResponse& response) {
  for (const auto& [name, value] : kStaticSecurityHeaders) {
    response.headers.push_back({std::string(name), std::string(value)});
  }
}

std::optional<HttpResponse> StaticFiles::Serve(const RequestHead& head) const {
  const std::string& path = head.path;
  if (path.empty() || path.front() != '/') return std::nullopt;
  std::string key = path;
  if (key.back() == '/') {
    key += "index.html";
  } else if (!files_.contains(key) && index_dirs_.contains(key)) {
    HttpResponse moved;
    moved.status = 308;
    moved.content_type = "text/plain; charset=utf-8";
    std::string location = path + "/";
    if (!head.query.empty()) location += "?" + head.query;
    moved.headers.push_back({"Location", std::move(location)});
    moved.headers.push_back({"Cache-Control", "no-cache"});
    AddSecurityHeaders(moved);
    return moved;
  }
  const auto found = files_.find(key);
  if (found == files_.end()) return std::nullopt;
  const File& file = found->second;
  HttpResponse response;
  response.content_type = std::string(file.content_type);
  response.headers.push_back({"ETag", file.etag});
  response.headers.push_back({"Cache-Control", "no-cache"});
  AddSecurityHeaders(response);
  const std::string_view none_match = head.Header("If-None-Match");
  if (!none_match.empty() && NoneMatchHits(none_match, file.etag)) {
    response.status = 304;
    return response;
  }
  response.body = file.body;
  return response;
}

}  // namespace rempart::service

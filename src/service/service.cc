// The request pipeline (see service.h) and the helpers every route uses.
#include "rempart/service/service.h"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <limits>
#include <span>

#include "rempart/core/hex.h"
#include "rempart/service/json_body.h"
#include "rempart/service/log.h"
#include "service/api_internal.h"

namespace rempart::service {
namespace {

using nlohmann::json;

// A route pattern split at '/', "{…}" segments marking parameters.
struct CompiledRoute {
  const RouteSpec* spec;
  std::vector<std::string> segments;
};

std::vector<std::string> SplitPath(std::string_view path) {
  std::vector<std::string> segments;
  std::size_t start = 1;  // Paths start with '/'.
  while (start <= path.size()) {
    const std::size_t slash = path.find('/', start);
    const std::size_t end =
        slash == std::string_view::npos ? path.size() : slash;
    segments.emplace_back(path.substr(start, end - start));
    start = end + 1;
  }
  return segments;
}

const std::vector<CompiledRoute>& CompiledRoutes() {
  static const std::vector<CompiledRoute> routes = [] {
    std::vector<CompiledRoute> compiled;
    for (const RouteSpec& spec : RouteTable()) {
      compiled.push_back({&spec, SplitPath(spec.pattern)});
    }
    return compiled;
  }();
  return routes;
}

bool IsParameter(const std::string& segment) {
  return segment.size() > 2 && segment.front() == '{' && segment.back() == '}';
}

// The route for (method, path) and its parameters; `allowed` collects the
// methods of routes whose path matches, for a 405.
const CompiledRoute* FindRoute(std::string_view method, std::string_view path,
                               std::vector<std::string>& params,
                               std::string& allowed) {
  if (path.empty() || path.front() != '/') return nullptr;
  const std::vector<std::string> segments = SplitPath(path);
  for (const CompiledRoute& route : CompiledRoutes()) {
    if (route.segments.size() != segments.size()) continue;
    std::vector<std::string> found;
    bool same = true;
    for (std::size_t i = 0; i < segments.size() && same; ++i) {
      if (IsParameter(route.segments[i])) {
        if (segments[i].empty()) same = false;
        found.push_back(segments[i]);
      } else {
        same = route.segments[i] == segments[i];
      }
    }
    if (!same) continue;
    if (route.spec->method != method) {
      if (!allowed.empty()) allowed += ", ";
      allowed += route.spec->method;
      continue;
    }
    params = std::move(found);
    return &route;
  }
  return nullptr;
}

bool Allows(unsigned access, const Principal& principal) {
  if (principal.anonymous()) return (access & kAnonymous) != 0;
  switch (principal.role) {
    case store::Role::kAdmin:
      return (access & kAdmin) != 0;
    case store::Role::kAnalyst:
      return (access & kAnalyst) != 0;
    case store::Role::kPlatform:
      return (access & kPlatform) != 0;
  }
  return false;
}

// The API's own paths: whatever lies under /v1 answers in JSON, never
// with a page.
bool IsApiPath(std::string_view path) {
  return path == "/v1" || path.starts_with("/v1/");
}

bool ContentTypeIs(std::string_view header, std::string_view type) {
  const std::size_t end = header.find(';');
  std::string_view base = header.substr(0, end);
  while (!base.empty() && base.back() == ' ') base.remove_suffix(1);
  return base.size() == type.size() &&
         std::equal(base.begin(), base.end(), type.begin(), [](char a, char b) {
           return std::tolower(static_cast<unsigned char>(a)) == b;
         });
}

}  // namespace

// --- Responses -------------------------------------------------------------

HttpResponse JsonResponse(int status, const json& body) {
  HttpResponse response;
  response.status = status;
  response.body = body.dump(-1, ' ', false, json::error_handler_t::replace);
  return response;
}

HttpResponse StatusResponse(const Status& status) {
  switch (status.code()) {
    case StatusCode::kOk:
      return JsonResponse(200, json::object());
    case StatusCode::kInvalidArgument:
      return ErrorResponse(400, "invalid_argument", status.message());
    case StatusCode::kNotFound:
      return ErrorResponse(404, "not_found", status.message());
    case StatusCode::kAlreadyExists:
      return ErrorResponse(409, "already_exists", status.message());
    case StatusCode::kPermissionDenied:
      return ErrorResponse(403, "permission_denied", status.message());
    case StatusCode::kResourceExhausted:
      return ErrorResponse(413, "too_large", status.message());
    case StatusCode::kDeadlineExceeded:
      return ErrorResponse(422, "too_slow", status.message());
    case StatusCode::kUnimplemented:
      return ErrorResponse(415, "unsupported", status.message());
    case StatusCode::kUnavailable:
      LogEvent(LogLevel::kWarn, "unavailable", {{"error", status.message()}});
      return ErrorResponse(503, "unavailable",
                           "the service cannot do this right now; retry");
    case StatusCode::kInternal:
      break;
  }
  LogEvent(LogLevel::kError, "internal_error", {{"error", status.message()}});
  return ErrorResponse(500, "internal", "internal error (logged)");
}

// --- Reading JSON ----------------------------------------------------------

Result<std::string> TextField(const json& object, std::string_view field,
                              std::size_t max_bytes, bool required) {
  auto found = object.find(field);
  if (found == object.end() || found->is_null()) {
    if (required) {
      return InvalidArgumentError("'" + std::string(field) + "' is required");
    }
    return std::string();
  }
  if (!found->is_string()) {
    return InvalidArgumentError("'" + std::string(field) +
                                "' must be a string");
  }
  const auto& text = found->get_ref<const std::string&>();
  if (text.size() > max_bytes) {
    return InvalidArgumentError("'" + std::string(field) + "' is longer than " +
                                std::to_string(max_bytes) + " bytes");
  }
  if (text.find('\0') != std::string::npos) {
    return InvalidArgumentError("'" + std::string(field) + "' holds a NUL");
  }
  if (required && text.empty()) {
    return InvalidArgumentError("'" + std::string(field) + "' is empty");
  }
  return text;
}

Result<std::optional<std::int64_t>> IntegerField(const json& object,
                                                 std::string_view field,
                                                 std::int64_t min,
                                                 std::int64_t max) {
  auto found = object.find(field);
  if (found == object.end() || found->is_null()) {
    return std::optional<std::int64_t>();
  }
  if (!found->is_number_integer()) {
    return InvalidArgumentError("'" + std::string(field) +
                                "' must be an integer");
  }
  const std::int64_t value =
      found->is_number_unsigned()
          ? static_cast<std::int64_t>(
                std::min<std::uint64_t>(found->get<std::uint64_t>(),
                                        static_cast<std::uint64_t>(max) + 1))
          : found->get<std::int64_t>();
  if (value < min || value > max) {
    return InvalidArgumentError("'" + std::string(field) + "' must be " +
                                std::to_string(min) + "…" +
                                std::to_string(max));
  }
  return std::optional<std::int64_t>(value);
}

Status OnlyFields(const json& object,
                  std::initializer_list<std::string_view> fields,
                  std::string_view where) {
  if (!object.is_object()) {
    return InvalidArgumentError(std::string(where) + " must be a JSON object");
  }
  for (const auto& [key, value] : object.items()) {
    if (std::find(fields.begin(), fields.end(), key) == fields.end()) {
      return InvalidArgumentError(std::string(where) + ": unknown field '" +
                                  key.substr(0, 64) + "'");
    }
  }
  return OkStatus();
}

std::optional<std::string> QueryParam(std::string_view query,
                                      std::string_view name) {
  while (!query.empty()) {
    const std::size_t amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view()
                                          : query.substr(amp + 1);
    const std::size_t eq = pair.find('=');
    if (pair.substr(0, eq) != name) continue;
    const std::string_view raw =
        eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1);
    std::string value;
    for (std::size_t i = 0; i < raw.size(); ++i) {
      if (raw[i] == '+') {
        value += ' ';
      } else if (raw[i] == '%' && i + 2 < raw.size() &&
                 std::isxdigit(static_cast<unsigned char>(raw[i + 1])) &&
                 std::isxdigit(static_cast<unsigned char>(raw[i + 2]))) {
        value += static_cast<char>(
            std::stoi(std::string(raw.substr(i + 1, 2)), nullptr, 16));
        i += 2;
      } else {
        value += raw[i];
      }
    }
    return value;
  }
  return std::nullopt;
}

Result<std::optional<std::int64_t>> QueryInteger(std::string_view query,
                                                 std::string_view name,
                                                 std::int64_t min,
                                                 std::int64_t max) {
  const std::optional<std::string> text = QueryParam(query, name);
  if (!text) return std::optional<std::int64_t>();
  std::int64_t value = 0;
  auto [end, error] =
      std::from_chars(text->data(), text->data() + text->size(), value);
  if (error != std::errc() || end != text->data() + text->size() ||
      value < min || value > max) {
    return InvalidArgumentError(std::string(name) + " must be " +
                                std::to_string(min) + "…" +
                                std::to_string(max));
  }
  return std::optional<std::int64_t>(value);
}

// --- JSON views ------------------------------------------------------------

json EntryJson(const store::Entry& entry) {
  const store::EntryInput& input = entry.input;
  json out = {{"id", entry.id},
              {"bank", entry.bank},
              {"kind", store::SignalKindName(input.signal.kind())},
              {"value", input.signal.hex()},
              {"category", store::CategoryName(input.category)},
              {"source_org", input.source_org},
              {"external_id", input.external_id},
              {"status", store::EntryStatusName(entry.status)},
              {"created_at_ms", entry.created_at_ms},
              {"updated_at_ms", entry.updated_at_ms}};
  if (input.quality) out["quality"] = *input.quality;
  if (!input.frames.empty()) out["frames"] = FramesJson(input.frames);
  if (input.patches) out["patches"] = hash::FormatPatches(*input.patches);
  if (entry.status == store::EntryStatus::kRevoked) {
    out["revoke_reason"] = entry.revoke_reason;
  }
  return out;
}

Result<std::vector<hash::VpdqFrame>> FramesValue(const json& value,
                                                 const std::string& where) {
  if (value.is_string()) {
    auto frames = hash::ParseVpdq(value.get_ref<const std::string&>());
    if (!frames) return frames.error().WithContext(where);
    return frames;
  }
  if (!value.is_array() || value.empty()) {
    return InvalidArgumentError(
        where + " must be the vPDQ text or a non-empty array of frames");
  }
  if (value.size() > hash::kMaxVpdqFrames) {
    return ResourceExhaustedError(where + ": more than " +
                                  std::to_string(hash::kMaxVpdqFrames) +
                                  " frames");
  }
  std::vector<hash::VpdqFrame> frames;
  frames.reserve(value.size());
  for (std::size_t i = 0; i < value.size(); ++i) {
    const json& item = value[i];
    const std::string at = where + "[" + std::to_string(i) + "]";
    REMPART_RETURN_IF_ERROR(
        OnlyFields(item, {"frame", "quality", "pdq", "timestamp"}, at));
    hash::VpdqFrame frame;
    auto number = IntegerField(item, "frame", 0,
                               std::numeric_limits<std::int32_t>::max());
    if (!number) return number.error().WithContext(at);
    auto quality = IntegerField(item, "quality", 0, 100);
    if (!quality) return quality.error().WithContext(at);
    if (!*number || !*quality) {
      return InvalidArgumentError(at + ": 'frame' and 'quality' are required");
    }
    frame.frame_number = **number;
    frame.quality = static_cast<int>(**quality);
    auto pdq = TextField(item, "pdq", 64, true);
    if (!pdq) return pdq.error().WithContext(at);
    auto hash = hash::PdqHash::FromHex(*pdq);
    if (!hash) return hash.error().WithContext(at + ".pdq");
    frame.hash = *hash;
    const auto timestamp = item.find("timestamp");
    if (timestamp == item.end() || !timestamp->is_number()) {
      return InvalidArgumentError(at +
                                  ".timestamp must be a number of seconds ≥ 0");
    }
    frame.timestamp_seconds = timestamp->get<double>();
    frames.push_back(frame);
  }
  // Order, ranges and timestamps: the rules every stored video follows.
  REMPART_RETURN_IF_ERROR(store::ValidateVpdqFrames(frames).WithContext(where));
  return frames;
}

Result<std::vector<hash::VpdqFrame>> VideoItem(const json& item,
                                               const std::string& where) {
  const auto frames = item.find("frames");
  if (frames == item.end()) {
    return InvalidArgumentError(where + ": a vpdq item needs 'frames'");
  }
  auto parsed = FramesValue(*frames, where + ".frames");
  if (!parsed) return parsed.error();
  auto value = TextField(item, "value", 64, false);
  if (!value) return value.error().WithContext(where);
  if (!value->empty()) {
    auto named = store::Signal::FromHex(store::SignalKind::kVpdq, *value);
    if (!named) return named.error().WithContext(where);
    const store::Signal name = store::Signal::Vpdq(*parsed);
    if (!(*named == name)) {
      return InvalidArgumentError(
          where + ": value is not the name of these frames (expected " +
          name.hex() + ")");
    }
  }
  return parsed;
}

json FramesJson(std::span<const hash::VpdqFrame> frames) {
  json out = json::array();
  for (const hash::VpdqFrame& frame : frames) {
    out.push_back({{"frame", frame.frame_number},
                   {"quality", frame.quality},
                   {"pdq", frame.hash.ToHex()},
                   {"timestamp", frame.timestamp_seconds}});
  }
  return out;
}

json HitJson(const match::Hit& hit) {
  const store::EntryInput& input = hit.entry.input;
  json out = {{"bank", hit.bank},
              {"entry_id", hit.entry.id},
              {"kind", store::SignalKindName(input.signal.kind())},
              {"value", input.signal.hex()},
              {"category", store::CategoryName(input.category)},
              {"distance", hit.distance},
              {"source_org", input.source_org},
              {"external_id", input.external_id}};
  if (hit.frame) {
    out["frame"] = {{"frame", hit.frame->frame_number},
                    {"timestamp", hit.frame->timestamp_seconds},
                    {"quality", hit.frame->quality}};
  }
  // The second stage's hits: the agreeing patches (distance is then the
  // largest patch distance among them), or the centred crop that matched,
  // as the whole percentage of each side it keeps (distance is then the
  // crops').
  if (hit.patch_group) out["patches"] = *hit.patch_group;
  if (hit.crop_keep) out["crop"] = std::lround(*hit.crop_keep * 100);
  return out;
}

json VideoHitJson(const match::VideoHit& hit) {
  const store::EntryInput& input = hit.entry.input;
  const hash::VpdqComparison& c = hit.comparison;
  return {{"bank", hit.bank},
          {"entry_id", hit.entry.id},
          {"kind", store::SignalKindName(input.signal.kind())},
          {"value", input.signal.hex()},
          {"category", store::CategoryName(input.category)},
          {"query_percent", c.query_percent},
          {"target_percent", c.target_percent},
          {"query_frames",
           {{"matched", c.query_matched}, {"usable", c.query_usable}}},
          {"target_frames",
           {{"matched", c.target_matched}, {"usable", c.target_usable}}},
          {"distance", hit.best_distance},
          {"source_org", input.source_org},
          {"external_id", input.external_id}};
}

json BankJson(const store::Bank& bank, const store::BankStats* stats) {
  json out = {{"name", bank.name},
              {"description", bank.description},
              {"created_at_ms", bank.created_at_ms}};
  if (stats != nullptr) {
    out["active"] = {{"pdq", stats->active_pdq},
                     {"md5", stats->active_md5},
                     {"sha256", stats->active_sha256},
                     {"vpdq", stats->active_vpdq}};
    out["revoked"] = stats->revoked;
    out["total"] = stats->total;
    out["revision"] = stats->revision;
  }
  return out;
}

// --- The pipeline ----------------------------------------------------------

Service::Impl::Impl(const ServiceConfig& config, const ServiceDeps& deps,
                    Metrics& metrics, const std::atomic<bool>& ready)
    : config_(config),
      deps_(deps),
      metrics_(metrics),
      ready_(ready),
      keys_(*deps.keys) {}

std::size_t Service::Impl::BodyLimit(const RequestHead& head) const {
  std::vector<std::string> params;
  std::string allowed;
  const CompiledRoute* route =
      FindRoute(head.method, head.path, params, allowed);
  if (route == nullptr) return 0;
  switch (route->spec->body) {
    case BodyKind::kNone:
      return 0;
    case BodyKind::kJson:
      return config_.max_json_bytes;
    case BodyKind::kUpload:
      return config_.max_upload_bytes;
  }
  return 0;
}

Status Service::Impl::LoadStaticFiles() {
  if (!config_.web_enabled) return OkStatus();
  auto loaded = StaticFiles::Load(config_.web_root);
  if (!loaded) {
    if (loaded.error().code() == StatusCode::kNotFound) {
      LogEvent(LogLevel::kWarn, "web_root_missing",
               {{"root", config_.web_root.string()},
                {"note", "the web pages are not served"}});
      return OkStatus();
    }
    return loaded.error().WithContext("loading the web pages");
  }
  static_files_ = std::move(*loaded);
  LogEvent(LogLevel::kInfo, "web_loaded",
           {{"root", config_.web_root.string()},
            {"files", static_files_.file_count()},
            {"bytes", static_files_.total_bytes()}});
  return OkStatus();
}

HttpResponse Service::Impl::ServeStatic(const HttpRequest& request) {
  // Static files have a bucket of their own per address, so that a page
  // load (a dozen files at once) leaves the anonymous API budget alone.
  // No key is looked at: the pages are public.
  std::string_view address = request.remote_address;
  if (config_.trust_proxy_header) {
    const std::string_view forwarded = request.head.Header("X-Real-IP");
    if (!forwarded.empty() && forwarded.size() <= 64) address = forwarded;
  }
  RateLimit limit;
  limit.per_second = config_.static_rate_per_second;
  if (const int wait =
          limiter_.Acquire("static:" + std::string(address), limit);
      wait > 0) {
    metrics_.AddRateLimited();
    HttpResponse refused = ErrorResponse(
        429, "rate_limited",
        "too many requests; retry after " + std::to_string(wait) + " s");
    refused.headers.push_back({"Retry-After", std::to_string(wait)});
    StaticFiles::AddSecurityHeaders(refused);
    return refused;
  }
  const std::string& method = request.head.method;
  std::optional<HttpResponse> found = static_files_.Serve(request.head);
  if (found && method != "GET" && method != "HEAD") {
    HttpResponse refused =
        ErrorResponse(405, "method_not_allowed",
                      "this path takes GET, HEAD, not " + method.substr(0, 16));
    refused.headers.push_back({"Allow", "GET, HEAD"});
    StaticFiles::AddSecurityHeaders(refused);
    return refused;
  }
  if (found) return std::move(*found);
  HttpResponse missing = ErrorResponse(404, "not_found", "no such page");
  StaticFiles::AddSecurityHeaders(missing);
  return missing;
}

Status Service::Impl::Refresh() {
  Status keys = keys_.Reload();
  Status banks = deps_.matcher->Refresh();
  Status cases = LoadCaseEntries();
  if (!keys.ok()) return keys;
  return banks.ok() ? cases : banks;
}

HttpResponse Service::Impl::Dispatch(const HttpRequest& request) {
  const auto started = std::chrono::steady_clock::now();
  std::vector<std::string> params;
  std::string allowed;
  const CompiledRoute* route =
      FindRoute(request.head.method, request.head.path, params, allowed);
  const std::size_t route_id =
      route == nullptr
          ? RouteTable().size()
          : static_cast<std::size_t>(route->spec - RouteTable().data());
  std::string key_id;
  // Paths outside the API are the web pages' static files.
  const bool web_path =
      route == nullptr && allowed.empty() && !IsApiPath(request.head.path);
  const std::size_t metrics_id =
      web_path ? RouteTable().size()
               : (route == nullptr ? RouteTable().size() + 1 : route_id);
  HttpResponse response = [&]() -> HttpResponse {
    if (web_path) return ServeStatic(request);
    if (route == nullptr) {
      if (!allowed.empty()) {
        HttpResponse refused = ErrorResponse(
            405, "method_not_allowed",
            "this path takes " + allowed + ", not " + request.head.method);
        refused.headers.push_back({"Allow", allowed});
        return refused;
      }
      return ErrorResponse(404, "not_found", "no such route");
    }
    const RouteSpec& spec = *route->spec;
    // Who is calling.
    Principal principal;
    const std::string_view authorization = request.head.Header("Authorization");
    if (!authorization.empty()) {
      auto authenticated = keys_.Authenticate(authorization);
      if (!authenticated) {
        HttpResponse refused = ErrorResponse(401, "unauthenticated",
                                             authenticated.error().message());
        refused.headers.push_back({"WWW-Authenticate", "Bearer"});
        return refused;
      }
      principal = std::move(*authenticated);
      key_id = principal.key_id;
    }
    // Rate limit before any work.
    std::string_view address = request.remote_address;
    if (config_.trust_proxy_header) {
      const std::string_view forwarded = request.head.Header("X-Real-IP");
      if (!forwarded.empty() && forwarded.size() <= 64) address = forwarded;
    }
    const std::string caller = principal.anonymous()
                                   ? "ip:" + std::string(address)
                                   : "key:" + principal.key_id;
    RateLimit limit;
    limit.per_second =
        principal.anonymous()
            ? config_.anonymous_rate_per_second
            : (principal.rate_per_second > 0 ? principal.rate_per_second
                                             : config_.key_rate_per_second);
    // Probes and scrapes are never throttled: an orchestrator must see a
    // busy service as alive.
    const bool probe = spec.handler == &Service::Impl::Health ||
                       spec.handler == &Service::Impl::Ready ||
                       spec.handler == &Service::Impl::MetricsText;
    if (!probe) {
      if (const int wait = limiter_.Acquire(caller, limit); wait > 0) {
        metrics_.AddRateLimited();
        HttpResponse refused = ErrorResponse(
            429, "rate_limited",
            "too many requests; retry after " + std::to_string(wait) + " s");
        refused.headers.push_back({"Retry-After", std::to_string(wait)});
        return refused;
      }
    }
    bool allowed_here = Allows(spec.access, principal);
    if (!allowed_here && spec.handler == &Service::Impl::MetricsText &&
        config_.metrics_public) {
      allowed_here = true;
    }
    if (!allowed_here) {
      if (principal.anonymous()) {
        HttpResponse refused = ErrorResponse(401, "unauthenticated",
                                             "this route needs an API key");
        refused.headers.push_back({"WWW-Authenticate", "Bearer"});
        return refused;
      }
      return ErrorResponse(403, "permission_denied",
                           "a " + std::string(store::RoleName(principal.role)) +
                               " key may not do this");
    }
    Call call{request, principal, {}, std::move(params), {}};
    call.actor.id = principal.anonymous() ? "anonymous" : "key:" + key_id;
    if (spec.body == BodyKind::kJson) {
      if (!ContentTypeIs(request.head.Header("Content-Type"),
                         "application/json")) {
        return ErrorResponse(415, "unsupported_media_type",
                             "send the body as application/json");
      }
      auto parsed = ParseJsonBody(
          request.body, {config_.max_json_depth, config_.max_json_bytes});
      if (!parsed) return StatusResponse(parsed.error());
      if (!parsed->is_object()) {
        return ErrorResponse(400, "invalid_argument",
                             "the body must be a JSON object");
      }
      call.body = std::move(*parsed);
    }
    try {
      return (this->*spec.handler)(call);
    } catch (const std::exception& error) {
      // A handler bug must not take the server down; say so in the log.
      return StatusResponse(InternalError(std::string("handler for ") +
                                          spec.pattern +
                                          " threw: " + error.what()));
    }
  }();
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started)
          .count();
  metrics_.ObserveRequest(metrics_id, response.status, seconds);
  const LogLevel level = response.status >= 500   ? LogLevel::kError
                         : response.status >= 400 ? LogLevel::kInfo
                                                  : LogLevel::kDebug;
  if (LogEnabled(level)) {
    // The route's pattern, never the raw path: paths hold case codes.
    json fields = {{"method", request.head.method},
                   {"route", web_path           ? "static"
                             : route == nullptr ? "-"
                                                : route->spec->pattern},
                   {"status", response.status},
                   {"ms", seconds * 1000.0}};
    if (!key_id.empty()) fields["key"] = key_id;
    LogEvent(level, "request", fields);
  }
  return response;
}

// --- Service -----------------------------------------------------------------

Service::Service(ServiceConfig config, ServiceDeps deps)
    : config_(std::move(config)), deps_(deps) {
  std::vector<std::string> labels;
  for (const RouteSpec& spec : RouteTable()) {
    labels.push_back(std::string(spec.method) + " " + spec.pattern);
  }
  labels.emplace_back("GET static");  // Every static file, one label.
  metrics_ = std::make_unique<Metrics>(std::move(labels));
  impl_ = std::make_unique<Impl>(config_, deps_, *metrics_, ready_);
}

Service::~Service() = default;

Status Service::Start() {
  REMPART_RETURN_IF_ERROR(InitCrypto());
  REMPART_RETURN_IF_ERROR(impl_->LoadStaticFiles());
  REMPART_RETURN_IF_ERROR(impl_->LoadCaseEntries());
  return impl_->LoadKeys();
}

HttpResponse Service::Handle(const HttpRequest& request) {
  return impl_->Dispatch(request);
}

std::size_t Service::BodyLimit(const RequestHead& head) const {
  return impl_->BodyLimit(head);
}

Status Service::Refresh() { return impl_->Refresh(); }

void Service::SetServerGauges(
    std::function<std::vector<GaugeSample>()> gauges) {
  impl_->SetServerGauges(std::move(gauges));
}

std::vector<RouteInfo> Service::Routes() {
  std::vector<RouteInfo> routes;
  for (const RouteSpec& spec : RouteTable()) {
    routes.push_back({spec.method, spec.pattern});
  }
  return routes;
}

const std::vector<RouteSpec>& RouteTable() {
  using I = Service::Impl;
  static const std::vector<RouteSpec> table = {
      {"GET", "/healthz", kEveryone, BodyKind::kNone, &I::Health},
      {"GET", "/readyz", kEveryone, BodyKind::kNone, &I::Ready},
      {"GET", "/metrics", kAdmin, BodyKind::kNone, &I::MetricsText},
      {"GET", "/v1/openapi.json", kEveryone, BodyKind::kNone, &I::OpenApi},
      {"POST", "/v1/match", kAnyKey, BodyKind::kJson, &I::Match},
      {"POST", "/v1/hash-match", kAnyKey, BodyKind::kUpload, &I::HashMatch},
      {"GET", "/v1/banks", kAnyKey, BodyKind::kNone, &I::ListBanks},
      {"POST", "/v1/banks", kAdmin, BodyKind::kJson, &I::CreateBank},
      {"GET", "/v1/banks/{bank}", kAnyKey, BodyKind::kNone, &I::GetBank},
      {"POST", "/v1/banks/{bank}/entries", kStaff, BodyKind::kJson,
       &I::SubmitEntries},
      {"GET", "/v1/entries/{id}", kAnyKey, BodyKind::kNone, &I::GetEntry},
      {"POST", "/v1/entries/{id}/revoke", kStaff, BodyKind::kJson,
       &I::RevokeEntry},
      {"POST", "/v1/reports", kAnonymous | kStaff, BodyKind::kJson,
       &I::CreateReport},
      {"GET", "/v1/cases", kStaff, BodyKind::kNone, &I::ListCases},
      // A victim reads a case with its secret (X-Case-Secret), staff with
      // a key; the handler checks which.
      {"GET", "/v1/cases/{code}", kAnonymous | kStaff, BodyKind::kNone,
       &I::GetCase},
      {"POST", "/v1/cases/{code}/status", kStaff, BodyKind::kJson,
       &I::SetCaseStatus},
      // The victim answers a request for information with the secret.
      {"POST", "/v1/cases/{code}/reply", kAnonymous, BodyKind::kJson,
       &I::ReplyToCase},
      {"POST", "/v1/cases/{code}/review", kStaff, BodyKind::kJson,
       &I::ReviewCaseRoute},
      {"POST", "/v1/cases/{code}/verify", kStaff, BodyKind::kJson,
       &I::VerifyCaseRoute},
      {"POST", "/v1/cases/{code}/reject", kStaff, BodyKind::kJson,
       &I::RejectCaseRoute},
      {"POST", "/v1/cases/{code}/request-info", kStaff, BodyKind::kJson,
       &I::RequestInfoRoute},
      {"POST", "/v1/cases/bulk", kStaff, BodyKind::kJson, &I::BulkCases},
      {"POST", "/v1/entries/{id}/outcome", kAnyKey, BodyKind::kJson,
       &I::ReportOutcome},
      {"GET", "/v1/whoami", kAnyKey, BodyKind::kNone, &I::WhoAmI},
      {"POST", "/v1/keys", kAdmin, BodyKind::kJson, &I::CreateKey},
      {"GET", "/v1/keys", kAdmin, BodyKind::kNone, &I::ListKeys},
      {"POST", "/v1/keys/{key_id}/revoke", kAdmin, BodyKind::kNone,
       &I::RevokeKey},
  };
  return table;
}

}  // namespace rempart::service

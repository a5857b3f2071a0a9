#include "rempart/service/config.h"

#include <toml++/toml.h>

#include <charconv>
#include <cstdlib>
#include <limits>
#include <optional>
#include <set>

#include "rempart/core/file.h"

namespace rempart::service {
namespace {

// Reads typed values out of one table, remembering which keys were used so
// that the rest can be reported as unknown.
class TableReader {
 public:
  TableReader(const toml::table& table, std::string prefix,
              std::string_view origin)
      : table_(table), prefix_(std::move(prefix)), origin_(origin) {}

  Status Integer(std::string_view key, std::int64_t min, std::int64_t max,
                 const std::function<void(std::int64_t)>& apply) {
    const toml::node* node = Use(key);
    if (node == nullptr) return OkStatus();
    auto value = node->value<std::int64_t>();
    if (!node->is_integer() || !value) return Wrong(key, "an integer");
    if (*value < min || *value > max) {
      return Wrong(key, "between " + std::to_string(min) + " and " +
                            std::to_string(max));
    }
    apply(*value);
    return OkStatus();
  }
  Status Number(std::string_view key, double min, double max,
                const std::function<void(double)>& apply) {
    const toml::node* node = Use(key);
    if (node == nullptr) return OkStatus();
    auto value = node->value<double>();
    if (!(node->is_integer() || node->is_floating_point()) || !value) {
      return Wrong(key, "a number");
    }
    if (!(*value >= min && *value <= max)) {
      return Wrong(key, "between " + std::to_string(min) + " and " +
                            std::to_string(max));
    }
    apply(*value);
    return OkStatus();
  }
  Status Text(std::string_view key,
              const std::function<Status(std::string_view)>& apply) {
    const toml::node* node = Use(key);
    if (node == nullptr) return OkStatus();
    auto value = node->value<std::string_view>();
    if (!node->is_string() || !value) return Wrong(key, "a string");
    Status status = apply(*value);
    if (!status.ok()) return Wrong(key, status.message());
    return OkStatus();
  }
  Status Boolean(std::string_view key, const std::function<void(bool)>& apply) {
    const toml::node* node = Use(key);
    if (node == nullptr) return OkStatus();
    auto value = node->value<bool>();
    if (!node->is_boolean() || !value) return Wrong(key, "true or false");
    apply(*value);
    return OkStatus();
  }
  // Tables are read by the caller; this only marks them known.
  const toml::table* Table(std::string_view key) {
    const toml::node* node = Use(key);
    return node == nullptr ? nullptr : node->as_table();
  }
  // InvalidArgument naming the first key nobody asked for.
  [[nodiscard]] Status RejectUnknown() const {
    for (const auto& [key, node] : table_) {
      if (!used_.contains(std::string(key.str()))) {
        return InvalidArgumentError(std::string(origin_) +
                                    ": unknown setting '" + prefix_ +
                                    std::string(key.str()) + "'");
      }
    }
    return OkStatus();
  }

 private:
  const toml::node* Use(std::string_view key) {
    used_.insert(std::string(key));
    return table_.get(key);
  }
  [[nodiscard]] Status Wrong(std::string_view key,
                             std::string_view expected) const {
    return InvalidArgumentError(std::string(origin_) + ": '" + prefix_ +
                                std::string(key) + "' must be " +
                                std::string(expected));
  }

  const toml::table& table_;
  std::string prefix_;
  std::string_view origin_;
  std::set<std::string> used_;
};

constexpr std::int64_t kMaxInt = std::numeric_limits<std::int32_t>::max();

auto Millis(std::chrono::milliseconds& target) {
  return [&target](std::int64_t v) { target = std::chrono::milliseconds(v); };
}
auto Size(std::size_t& target) {
  return [&target](std::int64_t v) { target = static_cast<std::size_t>(v); };
}

Status ApplyTable(const toml::table& root, std::string_view origin,
                  ServiceConfig& config) {
  TableReader top(root, "", origin);
  REMPART_RETURN_IF_ERROR(top.Text("data_dir", [&](std::string_view v) {
    if (v.empty()) return InvalidArgumentError("a directory");
    config.data_dir = std::string(v);
    return OkStatus();
  }));
  if (const toml::table* server = top.Table("server")) {
    TableReader t(*server, "server.", origin);
    REMPART_RETURN_IF_ERROR(t.Text(
        "listen", [&](std::string_view v) { return ApplyListen(v, config); }));
    REMPART_RETURN_IF_ERROR(t.Integer(
        "threads", 0, 256, [&](std::int64_t v) { config.threads = int(v); }));
    REMPART_RETURN_IF_ERROR(t.Integer("shutdown_grace_ms", 0, 600'000,
                                      Millis(config.shutdown_grace)));
    REMPART_RETURN_IF_ERROR(t.Integer("refresh_interval_ms", 50, 3'600'000,
                                      Millis(config.refresh_interval)));
    REMPART_RETURN_IF_ERROR(t.Boolean(
        "trust_proxy_header", [&](bool v) { config.trust_proxy_header = v; }));
    REMPART_RETURN_IF_ERROR(t.RejectUnknown());
  }
  if (const toml::table* limits = top.Table("limits")) {
    TableReader t(*limits, "limits.", origin);
    ServerLimits& l = config.limits;
    REMPART_RETURN_IF_ERROR(
        t.Integer("max_header_bytes", 1024, 1 << 20, Size(l.max_header_bytes)));
    REMPART_RETURN_IF_ERROR(t.Integer("max_json_bytes", 1024, 256 << 20,
                                      Size(config.max_json_bytes)));
    REMPART_RETURN_IF_ERROR(
        t.Integer("max_json_depth", 2, 64, Size(config.max_json_depth)));
    REMPART_RETURN_IF_ERROR(t.Integer("max_upload_bytes", 1024, 1 << 30,
                                      Size(config.max_upload_bytes)));
    REMPART_RETURN_IF_ERROR(
        t.Number("max_upload_video_seconds", 1, 86'400,
                 [&](double v) { config.max_upload_video_seconds = v; }));
    REMPART_RETURN_IF_ERROR(t.Integer(
        "max_upload_video_decode_ms", 100, 3'600'000, [&](std::int64_t v) {
          config.max_upload_video_decode_ms = static_cast<int>(v);
        }));
    REMPART_RETURN_IF_ERROR(
        t.Integer("max_batch", 1, 100'000, Size(config.max_batch)));
    REMPART_RETURN_IF_ERROR(t.Integer("max_entries_per_submit", 1, 1'000'000,
                                      Size(config.max_entries_per_submit)));
    REMPART_RETURN_IF_ERROR(t.Integer("request_timeout_ms", 100, kMaxInt,
                                      Millis(l.request_timeout)));
    REMPART_RETURN_IF_ERROR(
        t.Integer("idle_timeout_ms", 100, kMaxInt, Millis(l.idle_timeout)));
    REMPART_RETURN_IF_ERROR(
        t.Integer("max_connections", 1, 1'000'000, Size(l.max_connections)));
    REMPART_RETURN_IF_ERROR(t.RejectUnknown());
  }
  if (const toml::table* rate = top.Table("rate")) {
    TableReader t(*rate, "rate.", origin);
    REMPART_RETURN_IF_ERROR(t.Number("key_per_second", 0, 1e9, [&](double v) {
      config.key_rate_per_second = v;
    }));
    REMPART_RETURN_IF_ERROR(
        t.Number("anonymous_per_second", 0, 1e9,
                 [&](double v) { config.anonymous_rate_per_second = v; }));
    REMPART_RETURN_IF_ERROR(
        t.Number("static_per_second", 0, 1e9,
                 [&](double v) { config.static_rate_per_second = v; }));
    REMPART_RETURN_IF_ERROR(t.RejectUnknown());
  }
  if (const toml::table* log = top.Table("log")) {
    TableReader t(*log, "log.", origin);
    REMPART_RETURN_IF_ERROR(t.Text("format", [&](std::string_view v) {
      auto format = ParseLogFormat(v);
      if (!format) return format.error();
      config.log_format = *format;
      return OkStatus();
    }));
    REMPART_RETURN_IF_ERROR(t.Text("level", [&](std::string_view v) {
      static const std::set<std::string_view> kLevels = {
          "trace", "debug", "info", "warn", "error", "off"};
      if (!kLevels.contains(v)) {
        return InvalidArgumentError(
            "one of trace, debug, info, warn, error, off");
      }
      config.log_level = std::string(v);
      return OkStatus();
    }));
    REMPART_RETURN_IF_ERROR(t.RejectUnknown());
  }
  if (const toml::table* metrics = top.Table("metrics")) {
    TableReader t(*metrics, "metrics.", origin);
    REMPART_RETURN_IF_ERROR(
        t.Boolean("public", [&](bool v) { config.metrics_public = v; }));
    REMPART_RETURN_IF_ERROR(t.RejectUnknown());
  }
  if (const toml::table* match = top.Table("match")) {
    TableReader t(*match, "match.", origin);
    REMPART_RETURN_IF_ERROR(
        t.Boolean("robust", [&](bool v) { config.robust = v; }));
    REMPART_RETURN_IF_ERROR(t.Integer(
        "min_patches", 2, 16,
        [&](std::int64_t v) { config.min_patches = static_cast<int>(v); }));
    REMPART_RETURN_IF_ERROR(t.RejectUnknown());
  }
  if (const toml::table* web = top.Table("web")) {
    TableReader t(*web, "web.", origin);
    REMPART_RETURN_IF_ERROR(
        t.Boolean("enabled", [&](bool v) { config.web_enabled = v; }));
    REMPART_RETURN_IF_ERROR(t.Text("root", [&](std::string_view v) {
      if (v.empty()) return InvalidArgumentError("a directory");
      config.web_root = std::string(v);
      return OkStatus();
    }));
    REMPART_RETURN_IF_ERROR(t.RejectUnknown());
  }
  if (const toml::table* org = top.Table("org")) {
    TableReader t(*org, "org.", origin);
    REMPART_RETURN_IF_ERROR(t.Text("name", [&](std::string_view v) {
      if (v.empty() || v.size() > 256 ||
          v.find('\0') != std::string_view::npos) {
        return InvalidArgumentError("1…256 characters");
      }
      config.org_name = std::string(v);
      return OkStatus();
    }));
    REMPART_RETURN_IF_ERROR(t.RejectUnknown());
  }
  return top.RejectUnknown();
}

}  // namespace

std::filesystem::path DefaultWebRoot() {
#ifdef REMPART_DEFAULT_WEB_ROOT
  return REMPART_DEFAULT_WEB_ROOT;
#else
  return "web";
#endif
}

Result<LogFormat> ParseLogFormat(std::string_view name) {
  if (name == "text") return LogFormat::kText;
  if (name == "json") return LogFormat::kJson;
  return InvalidArgumentError("log format must be 'text' or 'json', not '" +
                              std::string(name.substr(0, 32)) + "'");
}

Status ApplyListen(std::string_view listen, ServiceConfig& config) {
  const std::size_t colon = listen.rfind(':');
  if (colon == std::string_view::npos) {
    return InvalidArgumentError("listen address must be HOST:PORT, not '" +
                                std::string(listen.substr(0, 64)) + "'");
  }
  std::string_view host = listen.substr(0, colon);
  const std::string_view port_text = listen.substr(colon + 1);
  unsigned port = 0;
  auto [end, error] = std::from_chars(
      port_text.data(), port_text.data() + port_text.size(), port);
  if (error != std::errc() || end != port_text.data() + port_text.size() ||
      port > 65535) {
    return InvalidArgumentError("listen port must be 0…65535, not '" +
                                std::string(port_text.substr(0, 16)) + "'");
  }
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  config.address = host.empty() ? "0.0.0.0" : std::string(host);
  config.port = static_cast<std::uint16_t>(port);
  return OkStatus();
}

Status ApplyConfigToml(std::string_view toml_text, std::string_view origin,
                       ServiceConfig& config) {
  try {
    toml::table root = toml::parse(toml_text, origin);
    return ApplyTable(root, origin, config);
  } catch (const toml::parse_error& error) {
    const auto& where = error.source().begin;
    return InvalidArgumentError(
        std::string(origin) + ":" + std::to_string(where.line) + ":" +
        std::to_string(where.column) + ": " + std::string(error.description()));
  }
}

Status ApplyConfigFile(const std::filesystem::path& path,
                       ServiceConfig& config) {
  auto text = ReadFileBytes(path.string(), 1 << 20);
  if (!text) return text.error();
  const std::string origin = path.string();
  return ApplyConfigToml(
      std::string_view(reinterpret_cast<const char*>(text->data()),
                       text->size()),
      origin, config);
}

Status ApplyEnvironment(const std::function<const char*(const char*)>& getenv,
                        ServiceConfig& config) {
  auto read = [&](const char* name) -> std::optional<std::string_view> {
    const char* value = getenv(name);
    if (value == nullptr || *value == '\0') return std::nullopt;
    return std::string_view(value);
  };
  auto context = [](const char* name, const Status& status) {
    return status.ok() ? status : status.WithContext(name);
  };
  if (auto v = read("REMPART_DATA")) config.data_dir = std::string(*v);
  if (auto v = read("REMPART_LISTEN")) {
    REMPART_RETURN_IF_ERROR(context("REMPART_LISTEN", ApplyListen(*v, config)));
  }
  if (auto v = read("REMPART_THREADS")) {
    int threads = -1;
    auto [end, error] =
        std::from_chars(v->data(), v->data() + v->size(), threads);
    if (error != std::errc() || end != v->data() + v->size() || threads < 0 ||
        threads > 256) {
      return InvalidArgumentError("REMPART_THREADS must be 0…256");
    }
    config.threads = threads;
  }
  if (auto v = read("REMPART_LOG_FORMAT")) {
    auto format = ParseLogFormat(*v);
    if (!format) return format.error().WithContext("REMPART_LOG_FORMAT");
    config.log_format = *format;
  }
  if (auto v = read("REMPART_LOG_LEVEL")) config.log_level = std::string(*v);
  if (auto v = read("REMPART_WEB_ROOT")) config.web_root = std::string(*v);
  return OkStatus();
}

}  // namespace rempart::service

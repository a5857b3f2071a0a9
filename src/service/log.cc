#include "rempart/service/log.h"

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <memory>

namespace rempart::service {
namespace {

std::atomic<bool> g_json{false};

spdlog::level::level_enum ToSpdlog(LogLevel level) {
  switch (level) {
    case LogLevel::kDebug:
      return spdlog::level::debug;
    case LogLevel::kInfo:
      return spdlog::level::info;
    case LogLevel::kWarn:
      return spdlog::level::warn;
    case LogLevel::kError:
      return spdlog::level::err;
  }
  return spdlog::level::info;
}

std::shared_ptr<spdlog::logger> Logger() {
  static std::shared_ptr<spdlog::logger> logger = [] {
    auto made = spdlog::stderr_logger_mt("rempart");
    made->set_pattern("%Y-%m-%dT%H:%M:%S.%eZ %l %v",
                      spdlog::pattern_time_type::utc);
    made->set_level(spdlog::level::info);
    return made;
  }();
  return logger;
}

}  // namespace

Status ConfigureLogging(LogFormat format, std::string_view level) {
  const auto parsed = spdlog::level::from_str(std::string(level));
  if (parsed == spdlog::level::off && level != "off") {
    return InvalidArgumentError(
        "log level must be trace, debug, info, warn, "
        "error or off");
  }
  auto logger = Logger();
  g_json.store(format == LogFormat::kJson);
  if (format == LogFormat::kJson) {
    // The event text is the rest of the JSON object (see LogEvent).
    logger->set_pattern(R"({"time":"%Y-%m-%dT%H:%M:%S.%eZ","level":"%l",%v})",
                        spdlog::pattern_time_type::utc);
  } else {
    logger->set_pattern("%Y-%m-%dT%H:%M:%S.%eZ %l %v",
                        spdlog::pattern_time_type::utc);
  }
  logger->set_level(parsed);
  logger->flush_on(spdlog::level::warn);
  return OkStatus();
}

bool LogEnabled(LogLevel level) {
  return Logger()->should_log(ToSpdlog(level));
}

void LogEvent(LogLevel level, std::string_view event,
              const nlohmann::json& fields) {
  auto logger = Logger();
  if (!logger->should_log(ToSpdlog(level))) return;
  std::string line;
  constexpr auto kReplace = nlohmann::json::error_handler_t::replace;
  if (g_json.load(std::memory_order_relaxed)) {
    line = "\"event\":" + nlohmann::json(event).dump(-1, ' ', false, kReplace);
    if (fields.is_object()) {
      for (const auto& [key, value] : fields.items()) {
        line += "," + nlohmann::json(key).dump() + ":" +
                value.dump(-1, ' ', false, kReplace);
      }
    }
  } else {
    line = std::string(event);
    if (fields.is_object()) {
      for (const auto& [key, value] : fields.items()) {
        // Bare words stay bare; anything else is quoted and escaped, so a
        // value can never start a forged line or field.
        const bool bare =
            value.is_string() && !value.get_ref<const std::string&>().empty() &&
            std::all_of(value.get_ref<const std::string&>().begin(),
                        value.get_ref<const std::string&>().end(), [](char c) {
                          return c > ' ' && c != '"' && c != '=' && c != 0x7f;
                        });
        line += " " + key + "=" +
                (bare ? value.get<std::string>()
                      : value.dump(-1, ' ', false, kReplace));
      }
    }
  }
  logger->log(ToSpdlog(level), "{}", line);
}

}  // namespace rempart::service

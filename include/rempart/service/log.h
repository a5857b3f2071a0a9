// Structured logs: one event per line, as text ("time level event k=v …")
// or as JSON lines ({"time","level","event",…}), through spdlog on stderr.
//
// What never goes in a log line: image bytes, case secrets, API key
// secrets, contact details, raw request paths or query strings (they can
// hold case codes and hashes; routes are logged by pattern instead).
// Callers pass only fields that are safe, and the request log is built in
// one place (service.cc) to keep it so.
#ifndef REMPART_SERVICE_LOG_H_
#define REMPART_SERVICE_LOG_H_

#include <nlohmann/json.hpp>
#include <string_view>

#include "rempart/core/status.h"
#include "rempart/service/config.h"

namespace rempart::service {

enum class LogLevel { kDebug, kInfo, kWarn, kError };

// Sets the format and the lowest level written ("trace"…"off").
Status ConfigureLogging(LogFormat format, std::string_view level);
// `fields` must be a JSON object of safe values.
void LogEvent(LogLevel level, std::string_view event,
              const nlohmann::json& fields = nlohmann::json::object());
bool LogEnabled(LogLevel level);

}  // namespace rempart::service

#endif  // REMPART_SERVICE_LOG_H_

// Status: the outcome of a fallible operation, as a canonical code plus a
// human-readable message.
//
// Every fallible call in Rempart returns a Status or a Result<T>
// (rempart/core/result.h). Codes are the small canonical set below; one
// table maps them to HTTP statuses (service layer) and one to process exit
// codes (cli layer). A Status is a plain value: copyable, immutable once
// built, and safe to share between threads.
#ifndef REMPART_CORE_STATUS_H_
#define REMPART_CORE_STATUS_H_

#include <string>
#include <string_view>
#include <utility>

namespace rempart {

enum class StatusCode {
  kOk = 0,
  kInvalidArgument,    // The input is malformed or violates the contract.
  kNotFound,           // A named thing (file, bank, entry) does not exist.
  kAlreadyExists,      // Creating something that is already there.
  kPermissionDenied,   // The caller may not do this.
  kResourceExhausted,  // A configured limit was hit (size, pixels, frames).
  kDeadlineExceeded,   // A configured time limit was hit.
  kUnimplemented,      // A well-formed request for something not supported.
  kUnavailable,        // A transient failure; retrying may succeed.
  kInternal,           // A bug or an unexpected library failure.
};

// Returns the canonical name of `code`, e.g. "InvalidArgument".
std::string_view StatusCodeName(StatusCode code);

class Status {
 public:
  // The OK status.
  Status() = default;
  Status(StatusCode code, std::string message)
      : code_(code), message_(std::move(message)) {}

  [[nodiscard]] bool ok() const { return code_ == StatusCode::kOk; }
  [[nodiscard]] StatusCode code() const { return code_; }
  [[nodiscard]] const std::string& message() const { return message_; }

  // "InvalidArgument: <message>", or "OK".
  [[nodiscard]] std::string ToString() const;

  // Returns a copy whose message is "<context>: <message>", keeping the code.
  [[nodiscard]] Status WithContext(std::string_view context) const;

  friend bool operator==(const Status&, const Status&) = default;

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

inline Status OkStatus() { return {}; }
inline Status InvalidArgumentError(std::string message) {
  return {StatusCode::kInvalidArgument, std::move(message)};
}
inline Status NotFoundError(std::string message) {
  return {StatusCode::kNotFound, std::move(message)};
}
inline Status AlreadyExistsError(std::string message) {
  return {StatusCode::kAlreadyExists, std::move(message)};
}
inline Status PermissionDeniedError(std::string message) {
  return {StatusCode::kPermissionDenied, std::move(message)};
}
inline Status ResourceExhaustedError(std::string message) {
  return {StatusCode::kResourceExhausted, std::move(message)};
}
inline Status DeadlineExceededError(std::string message) {
  return {StatusCode::kDeadlineExceeded, std::move(message)};
}
inline Status UnimplementedError(std::string message) {
  return {StatusCode::kUnimplemented, std::move(message)};
}
inline Status UnavailableError(std::string message) {
  return {StatusCode::kUnavailable, std::move(message)};
}
inline Status InternalError(std::string message) {
  return {StatusCode::kInternal, std::move(message)};
}

}  // namespace rempart

#endif  // REMPART_CORE_STATUS_H_

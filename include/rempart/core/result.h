// Result<T>: either a value of type T or a non-OK Status.
//
// Spelled like std::expected (C++23) so that moving to it later is a rename:
// has_value(), value(), error(), operator*, operator->, explicit bool.
// Construct from a T for success or from a non-OK Status for failure;
// constructing from an OK Status is a bug and asserts.
#ifndef REMPART_CORE_RESULT_H_
#define REMPART_CORE_RESULT_H_

#include <cassert>
#include <type_traits>
#include <utility>
#include <variant>

#include "rempart/core/status.h"

namespace rempart {

template <typename T>
class [[nodiscard]] Result {
  static_assert(!std::is_same_v<std::remove_cv_t<T>, Status>,
                "Result<Status> is meaningless; return Status");

 public:
  // NOLINTNEXTLINE(google-explicit-constructor): implicit by design.
  Result(T value) : state_(std::in_place_index<0>, std::move(value)) {}
  // NOLINTNEXTLINE(google-explicit-constructor): implicit by design.
  Result(Status status) : state_(std::in_place_index<1>, std::move(status)) {
    assert(!std::get<1>(state_).ok() && "Result built from an OK Status");
  }

  [[nodiscard]] bool has_value() const { return state_.index() == 0; }
  explicit operator bool() const { return has_value(); }

  [[nodiscard]] T& value() & {
    assert(has_value());
    return std::get<0>(state_);
  }
  [[nodiscard]] const T& value() const& {
    assert(has_value());
    return std::get<0>(state_);
  }
  [[nodiscard]] T&& value() && {
    assert(has_value());
    return std::get<0>(std::move(state_));
  }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  // The failure. Only valid when !has_value().
  [[nodiscard]] const Status& error() const {
    assert(!has_value());
    return std::get<1>(state_);
  }

  // OK when holding a value, the error otherwise.
  [[nodiscard]] Status status() const {
    return has_value() ? OkStatus() : std::get<1>(state_);
  }

 private:
  std::variant<T, Status> state_;
};

}  // namespace rempart

// Evaluates `expr` (a Status); returns it from the enclosing function if not
// OK.
#define REMPART_RETURN_IF_ERROR(expr)           \
  do {                                          \
    ::rempart::Status rempart_status_ = (expr); \
    if (!rempart_status_.ok()) {                \
      return rempart_status_;                   \
    }                                           \
  } while (false)

#endif  // REMPART_CORE_RESULT_H_

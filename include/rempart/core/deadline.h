// Deadline: a point in monotonic time after which work should stop.
//
// Decoders poll Expired() between rows or chunks so that a hostile file
// cannot hold a worker forever. A default-constructed Deadline never
// expires. Copyable value; safe to read from any thread.
#ifndef REMPART_CORE_DEADLINE_H_
#define REMPART_CORE_DEADLINE_H_

#include <chrono>

namespace rempart {

class Deadline {
 public:
  using Clock = std::chrono::steady_clock;

  // Never expires.
  Deadline() = default;

  // Expires `budget` from now; a zero or negative budget means "never".
  static Deadline After(std::chrono::milliseconds budget) {
    Deadline deadline;
    if (budget.count() > 0) deadline.at_ = Clock::now() + budget;
    return deadline;
  }

  [[nodiscard]] bool Expired() const {
    return at_ != Clock::time_point::max() && Clock::now() >= at_;
  }

 private:
  Clock::time_point at_ = Clock::time_point::max();
};

}  // namespace rempart

#endif  // REMPART_CORE_DEADLINE_H_

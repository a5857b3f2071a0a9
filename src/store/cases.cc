#include "rempart/store/cases.h"

#include <array>
#include <string>
#include <vector>

#include "rempart/store/store.h"
#include "store/store_internal.h"

namespace rempart::store {
namespace {

constexpr std::array<std::string_view, 5> kCaseStatusNames = {
    "received", "in_review", "needs_info", "verified", "rejected"};

constexpr std::string_view kCaseCodePrefix = "RMP-";
// Crockford's base32 digits: no I, L, O or U, so that a code read aloud or
// copied by hand cannot mix up 1/I/L or 0/O.
constexpr std::string_view kCrockfordDigits =
    "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

}  // namespace

namespace internal {

Result<std::vector<Signal>> NameCaseVideos(
    std::span<const std::vector<hash::VpdqFrame>> videos) {
  std::vector<Signal> names;
  names.reserve(videos.size());
  for (std::size_t i = 0; i < videos.size(); ++i) {
    Status valid = ValidateVpdqFrames(videos[i]);
    if (!valid.ok()) return valid.WithContext("video " + std::to_string(i));
    names.push_back(Signal::Vpdq(videos[i]));
  }
  return names;
}

Status CheckNoBareVideoNames(std::span<const Signal> signals) {
  for (std::size_t i = 0; i < signals.size(); ++i) {
    if (signals[i].kind() == SignalKind::kVpdq) {
      return InvalidArgumentError(
          "signal " + std::to_string(i) +
          " is a video's name without its frames; give the video's frames "
          "instead");
    }
  }
  return OkStatus();
}

}  // namespace internal

std::string_view OutcomeKindName(OutcomeKind kind) {
  return kind == OutcomeKind::kRemoval ? "removal" : "match";
}

std::string_view CaseStatusName(CaseStatus status) {
  return kCaseStatusNames.at(static_cast<std::size_t>(status));
}

Result<CaseStatus> ParseCaseStatus(std::string_view name) {
  return internal::ParseName<CaseStatus>(kCaseStatusNames, name, "case status");
}

Status ValidateCaseCode(std::string_view code) {
  // "RMP-" + 4 digits + "-" + 4 digits.
  constexpr std::size_t kLength = 13;
  if (code.size() != kLength || !code.starts_with(kCaseCodePrefix) ||
      code[8] != '-') {
    return InvalidArgumentError(
        "a case code looks like RMP-7K3Q-9XWD (RMP-, then two groups of four "
        "Crockford base32 characters)");
  }
  for (std::size_t i = kCaseCodePrefix.size(); i < kLength; ++i) {
    if (i == 8) continue;
    if (kCrockfordDigits.find(code[i]) == std::string_view::npos) {
      return InvalidArgumentError(
          "case code has a character outside Crockford base32 "
          "(0-9, A-Z without I, L, O, U; upper case) at position " +
          std::to_string(i));
    }
  }
  return OkStatus();
}

}  // namespace rempart::store

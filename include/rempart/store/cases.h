// Cases as the store keeps them: one report (a victim's or an analyst's) of
// one or more signals, and what happened to it since.
//
// The store never sees a case secret or contact data in the clear: it keeps
// a salted hash of the secret and the contact sealed by the service
// (rempart/service/auth.h, rempart/service/sealing.h).
//
// Thread safety: a CaseStore may be used from any thread.
#ifndef REMPART_STORE_CASES_H_
#define REMPART_STORE_CASES_H_

#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "rempart/core/result.h"
#include "rempart/core/status.h"
#include "rempart/store/audit.h"
#include "rempart/store/entry.h"

namespace rempart::store {

enum class CaseStatus : std::uint8_t {
  kReceived,   // Submitted, nobody has looked yet.
  kInReview,   // An analyst is on it.
  kNeedsInfo,  // The analyst asked the reporter for more.
  kVerified,   // Verified and published to a bank.
  kRejected,   // Not actionable; see reason.
};

// "received", "in_review", "needs_info", "verified", "rejected".
std::string_view CaseStatusName(CaseStatus status);
Result<CaseStatus> ParseCaseStatus(std::string_view name);

// A case code: "RMP-" then 8 characters of Crockford base32 in two groups
// of four ("RMP-7K3Q-9XWD"): short enough to read over the phone.
Status ValidateCaseCode(std::string_view code);

// At most this many signals in one case.
inline constexpr std::size_t kMaxCaseSignals = 1000;
// At most this many bytes of sealed contact data.
inline constexpr std::size_t kMaxSealedContactBytes = 4096;
// At most this many bytes in a status step's reason.
inline constexpr std::size_t kMaxCaseReasonBytes = 512;
// At most this many cases in one ListCases() page.
inline constexpr std::size_t kMaxCaseListLimit = 1000;

struct NewCase {
  std::string code;
  Category category = Category::kIntimateImage;
  // 1…kMaxCaseSignals signals; duplicates are stored once.
  std::vector<Signal> signals;
  // "victim" or "analyst".
  std::string channel = "victim";
  std::array<std::uint8_t, 16> secret_salt{};
  std::array<std::uint8_t, 32> secret_hash{};
  // Contact details sealed by the service (bytes, not text); empty when
  // none was given.
  std::string sealed_contact;
};

// One step of a case's history.
struct CaseEvent {
  std::int64_t at_ms = 0;
  CaseStatus status = CaseStatus::kReceived;
  std::string reason;  // Empty unless the step gives one.
  std::string actor;
};

struct Case {
  std::int64_t id = 0;
  std::string code;
  Category category = Category::kIntimateImage;
  std::string channel;
  CaseStatus status = CaseStatus::kReceived;
  std::string reason;  // The latest step's reason.
  std::vector<Signal> signals;
  std::array<std::uint8_t, 16> secret_salt{};
  std::array<std::uint8_t, 32> secret_hash{};
  std::string sealed_contact;
  std::vector<CaseEvent> history;  // Oldest first; the first is kReceived.
  std::int64_t created_at_ms = 0;
  std::int64_t updated_at_ms = 0;
};

struct CaseFilter {
  std::optional<CaseStatus> status;
  std::int64_t after_id = 0;  // Paging: ids greater than this.
  std::size_t limit = 100;    // 1…kMaxCaseListLimit.
};

class CaseStore {
 public:
  virtual ~CaseStore() = default;
  // Stores the case with a first kReceived step and its audit record
  // ("case.create", target the code; details the category, channel and
  // signal count, never the contact). AlreadyExists for a taken code;
  // InvalidArgument for a bad code, no signals, too many, an unknown
  // category or channel, or sealed contact over kMaxSealedContactBytes.
  // Signals keep the order of their first occurrence.
  virtual Result<Case> CreateCase(const NewCase& new_case,
                                  const Actor& actor) = 0;
  // NotFound for an unknown code.
  virtual Result<Case> GetCase(std::string_view code) = 0;
  // Cases passing `filter`, oldest (lowest id) first, each with its signals
  // and history. InvalidArgument for a limit of 0 or over
  // kMaxCaseListLimit.
  virtual Result<std::vector<Case>> ListCases(const CaseFilter& filter) = 0;
  // Adds a step to the history and sets the case's status and reason
  // ("case.status", details the old and new status and the reason). Any
  // status may follow any other: the workflow (src/cases) decides which
  // steps make sense. InvalidArgument when kRejected or kNeedsInfo comes
  // without a reason, or for a reason over kMaxCaseReasonBytes or holding
  // NUL; NotFound for an unknown code.
  virtual Result<Case> SetCaseStatus(std::string_view code, CaseStatus status,
                                     std::string_view reason,
                                     const Actor& actor) = 0;
};

}  // namespace rempart::store

#endif  // REMPART_STORE_CASES_H_

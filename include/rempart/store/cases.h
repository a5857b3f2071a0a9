// Cases as the store keeps them: one report (a victim's or an analyst's) of
// one or more signals, and what happened to it since.
//
// The store never sees a case secret or contact data in the clear: it keeps
// a salted hash of the secret and the contact sealed by the service
// (rempart/service/auth.h, rempart/service/sealing.h).
//
// Videos: a reporter gives a video as its vPDQ frames (NewCase::videos,
// CaseUpdate::add_videos). The case keeps the video's name,
// Signal::Vpdq(frames), in Case::signals like any other signal, so that
// searching by signal (CaseFilter::signal of kind kVpdq), the signal limits
// and publication take one path; and it keeps the frames beside the name:
// Case::videos[k] are the frames of the k-th kVpdq signal of Case::signals.
// Callers never give a bare kVpdq signal (a name without frames); a video
// whose name the case already holds is stored once. PublishCase() adds each
// video to the bank as a kVpdq entry with its frames.
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
#include "rempart/hash/vpdq.h"
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

// At most this many signals in one case, videos' names included.
inline constexpr std::size_t kMaxCaseSignals = 1000;
// At most this many videos in one case.
inline constexpr std::size_t kMaxCaseVideos = 20;
// At most this many frames in all the videos of one case together (about
// 28 hours at one frame a second), so that a case read whole stays a few
// megabytes.
inline constexpr std::size_t kMaxCaseVideoFrames = 100'000;
// At most this many bytes of sealed contact data.
inline constexpr std::size_t kMaxSealedContactBytes = 4096;
// At most this many bytes in a status step's reason.
inline constexpr std::size_t kMaxCaseReasonBytes = 512;
// At most this many cases in one ListCases() page.
inline constexpr std::size_t kMaxCaseListLimit = 1000;
// At most this many bytes in a message to the reporter, a staff note, or a
// sealed reply.
inline constexpr std::size_t kMaxCaseMessageBytes = 4096;
inline constexpr std::size_t kMaxCaseNoteBytes = 4096;
inline constexpr std::size_t kMaxSealedReplyBytes = 8192;
// At most this many replies to one case.
inline constexpr std::size_t kMaxCaseReplies = 100;
// Reason codes, actions and languages: 1…32 characters of [a-z0-9_-].
inline constexpr std::size_t kMaxCaseTokenBytes = 32;
// The default radius of a PDQ search over cases (CaseFilter::signal).
inline constexpr int kDefaultCasePdqRadius = 31;

// The patch signature (hash/patches.h) a reporter's device computed for one
// of a case's pictures, with that picture's PDQ hash: it goes with the
// hash's entry when the case is published, so that the second stage finds
// the picture cropped, framed, captioned or screenshotted.
struct CasePatches {
  hash::PdqHash pdq;
  hash::PatchSignature signature;
};

struct NewCase {
  std::string code;
  Category category = Category::kIntimateImage;
  // Signals other than kVpdq; duplicates are stored once. The case needs
  // at least one signal or video, and at most kMaxCaseSignals of both.
  std::vector<Signal> signals;
  // Videos by their frames, 0…kMaxCaseVideos of them, each valid as
  // ValidateVpdqFrames() says, at most kMaxCaseVideoFrames frames in all.
  // Their names follow `signals` in Case::signals, in this order; a
  // repeated video (same name) is stored once.
  std::vector<std::vector<hash::VpdqFrame>> videos;
  // Signatures of some of the PDQ hashes of `signals`, at most one each,
  // each valid as ValidatePatchSignature() says.
  std::vector<CasePatches> patches;
  // "victim" or "analyst".
  std::string channel = "victim";
  std::array<std::uint8_t, 16> secret_salt{};
  std::array<std::uint8_t, 32> secret_hash{};
  // Contact details sealed by the service (bytes, not text); empty when
  // none was given.
  std::string sealed_contact;
  // The reporter's language ("en", "fr"), for messages back.
  std::string language = "en";
};

// One step of a case's history.
struct CaseEvent {
  std::int64_t at_ms = 0;
  CaseStatus status = CaseStatus::kReceived;
  // What made the step: "report", "review", "verify", "reject",
  // "request_info", "reply", or "status" (a status set directly).
  std::string action;
  std::string reason;       // Empty unless the step gives one.
  std::string reason_code;  // A rejection's code; empty otherwise.
  std::string note;         // Staff only, never shown to the reporter.
  std::string actor;
};

// A reply of the reporter to a request for information, sealed by the
// service like the contact.
struct CaseReply {
  std::int64_t at_ms = 0;
  std::string sealed_message;
};

// Where a verified case's signals went.
struct CasePublication {
  std::string bank;
  std::int64_t at_ms = 0;
  // The bank's entries holding the case's signals, in the case's signal
  // order: new ones, or ones already there (from another case).
  std::vector<std::int64_t> entry_ids;
};

enum class OutcomeKind : std::uint8_t {
  kMatch,    // A platform's upload matched a published entry.
  kRemoval,  // A platform reported removing or blocking the content.
};
// "match", "removal".
std::string_view OutcomeKindName(OutcomeKind kind);

// What a platform did with a published entry of the case.
struct CaseOutcome {
  std::int64_t at_ms = 0;
  OutcomeKind kind = OutcomeKind::kMatch;
  std::string platform;  // The platform's API key id.
  std::int64_t entry_id = 0;
};

struct Case {
  std::int64_t id = 0;
  std::string code;
  Category category = Category::kIntimateImage;
  std::string channel;
  std::string language = "en";
  CaseStatus status = CaseStatus::kReceived;
  std::string reason;       // The latest step's reason.
  std::string reason_code;  // The latest step's reason code.
  // The latest step's message to the reporter (a request for information,
  // a rejection note); empty when it gave none.
  std::string message;
  std::vector<Signal> signals;
  // The frames of each kVpdq signal, in the order of those signals.
  std::vector<std::vector<hash::VpdqFrame>> videos;
  // The signatures of PDQ signals that came with one, in signal order.
  std::vector<CasePatches> patches;
  std::array<std::uint8_t, 16> secret_salt{};
  std::array<std::uint8_t, 32> secret_hash{};
  std::string sealed_contact;
  std::vector<CaseEvent> history;  // Oldest first; the first is kReceived.
  std::vector<CaseReply> replies;  // Oldest first.
  std::optional<CasePublication> published;
  std::vector<CaseOutcome> outcomes;  // Oldest first.
  std::int64_t created_at_ms = 0;
  std::int64_t updated_at_ms = 0;
};

struct CaseFilter {
  std::optional<CaseStatus> status;
  std::optional<Category> category;
  // Only the case with this code, when set.
  std::optional<std::string> code;
  // Only cases holding this signal: MD5, SHA-256 and vPDQ (a video's name)
  // exactly (an index lookup); PDQ within pdq_radius of any of a case's
  // PDQ signals (not of its videos' frames). The PDQ
  // search reads every PDQ signal of the cases after after_id, 32 bytes
  // each, until it has `limit` cases: linear in the cases reported, about
  // a millisecond per hundred thousand.
  std::optional<Signal> signal;
  int pdq_radius = kDefaultCasePdqRadius;  // 0…256.
  std::int64_t after_id = 0;               // Paging: ids greater than this.
  std::size_t limit = 100;                 // 1…kMaxCaseListLimit.
};

// One step of the triage workflow (CaseStore::UpdateCase()).
struct CaseUpdate {
  CaseStatus status = CaseStatus::kReceived;
  // The history step's action (see CaseEvent); 1…kMaxCaseTokenBytes of
  // [a-z0-9_-].
  std::string action = "status";
  std::string reason;       // ≤ kMaxCaseReasonBytes.
  std::string reason_code;  // ≤ kMaxCaseTokenBytes of [a-z0-9_-], or empty.
  // Becomes the case's message (empty clears it); ≤ kMaxCaseMessageBytes.
  std::string message;
  std::string note;  // ≤ kMaxCaseNoteBytes.
  // When not empty, the case must be in one of these statuses, else the
  // update fails with AlreadyExists (the case has moved on) and changes
  // nothing.
  std::vector<CaseStatus> only_from;
  // Signals to add to the case (duplicates of its own are ignored), up to
  // kMaxCaseSignals in all; none of kind kVpdq.
  std::vector<Signal> add_signals;
  // Videos to add, by their frames (each valid as ValidateVpdqFrames()
  // says; ones the case holds already are ignored), up to kMaxCaseVideos
  // and kMaxCaseVideoFrames in all. Their names follow add_signals'.
  std::vector<std::vector<hash::VpdqFrame>> add_videos;
  // Signatures of PDQ hashes among add_signals, as NewCase::patches; a
  // signature of a hash the case already held is ignored with it.
  std::vector<CasePatches> add_patches;
  // A reply to keep, sealed; empty for none. ≤ kMaxSealedReplyBytes.
  std::string sealed_reply;
};

class CaseStore {
 public:
  virtual ~CaseStore() = default;
  // Stores the case with a first kReceived step and its audit record
  // ("case.create", target the code; details the category, channel and
  // signal count, with "videos":N when it has videos and "patches":N when
  // signatures came with it; never the contact). AlreadyExists for a taken
  // code; InvalidArgument for a bad code, no signals or videos, too many, a
  // kVpdq signal, an invalid video (naming it: "video 1: frame 3: …"), a
  // patch signature that is invalid, repeated, or of a PDQ hash the case
  // does not report, an unknown category or channel, or sealed contact over
  // kMaxSealedContactBytes. Signals keep the order of their first
  // occurrence.
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

  // Takes one step of the workflow: sets the case's status, reason, reason
  // code and message, adds `update`'s signals and reply, and appends the
  // step to the history, in one transaction audited as "case.<action>"
  // (details: the old and new status, the reason code, how many signals
  // and videos were added; never the message, note or reply, only their
  // lengths). InvalidArgument for a field over its limit or holding NUL, a
  // bad action or reason code, kRejected or kNeedsInfo without a reason, a
  // kVpdq signal or an invalid video; AlreadyExists when the case is not in
  // one of update.only_from; ResourceExhausted past kMaxCaseSignals,
  // kMaxCaseVideos, kMaxCaseVideoFrames or kMaxCaseReplies; NotFound for
  // an unknown code.
  virtual Result<Case> UpdateCase(std::string_view code,
                                  const CaseUpdate& update,
                                  const Actor& actor) = 0;

  // Verifies the case and publishes its signals: adds each to `bank` as an
  // active entry (entries.add, as Store::AddEntries() does; a signal
  // already in the bank keeps its entry; a video becomes a kVpdq entry with
  // its frames), links the case to the entries,
  // and sets the case verified (action "verify", `note` kept for staff),
  // all in one transaction. The new entries take the case's category, the
  // case code as external_id, and `source_org`. AlreadyExists
  // when the case was verified or published before; NotFound for an
  // unknown case or bank; InvalidArgument as AddEntries() and
  // UpdateCase().
  virtual Result<Case> PublishCase(std::string_view code, std::string_view bank,
                                   std::string_view source_org,
                                   std::string_view note,
                                   const Actor& actor) = 0;

  // Records `kind` on every case linked to entry `entry_id` by
  // PublishCase(), for the platform with key id `platform`. A match is
  // recorded at most once per (case, platform, entry): a repeat changes
  // nothing and is not audited; a removal is recorded each time. Audited as
  // "case.outcome" per case changed. Returns how many cases it was
  // recorded on (0 for a repeated match). NotFound when no case is linked
  // to the entry; InvalidArgument for a bad platform id.
  virtual Result<std::size_t> RecordOutcome(std::int64_t entry_id,
                                            OutcomeKind kind,
                                            std::string_view platform,
                                            const Actor& actor) = 0;

  // The ids of every entry linked to a case (for a caller that records
  // outcomes only for those), in increasing order.
  virtual Result<std::vector<std::int64_t>> PublishedEntryIds() = 0;
};

}  // namespace rempart::store

#endif  // REMPART_STORE_CASES_H_

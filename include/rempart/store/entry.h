// The vocabulary of banks: Signal, Category, EntryStatus, Entry.
//
// A bank is a named list of signals that a trusted organisation vouches for
// (a hotline's verified reports, a platform's removals). Each entry holds one
// signal — a PDQ hash (with, optionally, its patch signature), a video's
// frames or an exact digest of the file bytes — with where it
// came from, what it depicts and whether it is still in force. Revocation
// keeps the entry (with its reason) so that every decision stays auditable.
// Plain values: copyable and safe to share between threads.
#ifndef REMPART_STORE_ENTRY_H_
#define REMPART_STORE_ENTRY_H_

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "rempart/core/result.h"
#include "rempart/hash/digest.h"
#include "rempart/hash/patches.h"
#include "rempart/hash/pdq.h"
#include "rempart/hash/pdq_hash.h"
#include "rempart/hash/vpdq.h"

namespace rempart::store {

enum class SignalKind : std::uint8_t {
  kPdq,     // 256-bit perceptual hash; matches within a Hamming radius.
  kMd5,     // 128-bit digest of the file bytes; matches exactly.
  kSha256,  // 256-bit digest of the file bytes; matches exactly.
  kVpdq,    // A video's vPDQ frames (EntryInput::frames); the signal's 32
            // bytes are the SHA-256 of their text form (Signal::Vpdq), which
            // names the video. Matches by frame percentages.
};

// "pdq", "md5", "sha256", "vpdq".
std::string_view SignalKindName(SignalKind kind);
// Parses a name from SignalKindName() (lower case only). InvalidArgument
// otherwise.
Result<SignalKind> ParseSignalKind(std::string_view name);

// One signal value. Equality compares kind and bytes.
class Signal {
 public:
  // The all-zero PDQ hash: a placeholder, so that EntryInput and Entry can
  // be declared and filled in later.
  Signal() : size_(32) {}
  static Signal Pdq(const hash::PdqHash& hash);
  static Signal Md5(const hash::Md5Digest& digest);
  static Signal Sha256(const hash::Sha256Digest& digest);
  // The name of a video's frames: SHA-256 of hash::FormatVpdq(frames).
  static Signal Vpdq(std::span<const hash::VpdqFrame> frames);
  // Parses the canonical hex text of a signal of `kind` (64 digits for PDQ,
  // SHA-256 and vPDQ, 32 for MD5; either case). InvalidArgument with the
  // reason.
  static Result<Signal> FromHex(SignalKind kind, std::string_view hex);
  // The signal of `kind` whose bytes() are `bytes` (as a store keeps it).
  // InvalidArgument when the size is not the kind's.
  static Result<Signal> FromBytes(SignalKind kind,
                                  std::span<const std::uint8_t> bytes);

  [[nodiscard]] SignalKind kind() const { return kind_; }
  // 32 bytes for PDQ, SHA-256 and vPDQ, 16 for MD5. For PDQ the bytes are
  // the hex text's big-endian integer, so HexEncode(bytes()) == hex().
  [[nodiscard]] std::span<const std::uint8_t> bytes() const {
    return {bytes_.data(), size_};
  }
  // Lowercase hex of bytes().
  [[nodiscard]] std::string hex() const;
  // The PDQ hash. Only valid when kind() == SignalKind::kPdq.
  [[nodiscard]] hash::PdqHash pdq() const;

  friend bool operator==(const Signal&, const Signal&) = default;

 private:
  Signal(SignalKind kind, std::span<const std::uint8_t> bytes);

  SignalKind kind_ = SignalKind::kPdq;
  std::uint8_t size_ = 0;
  std::array<std::uint8_t, 32> bytes_{};
};

// What the pictured content is, as the verifying organisation classified it.
enum class Category : std::uint8_t {
  kIntimateImage,  // Non-consensual intimate imagery (leaked, stolen).
  kSextortion,     // Images used to extort the person pictured.
  kSynthetic,      // AI-generated or manipulated ("nudified", deepfake).
  kChildAbuse,     // Child sexual abuse material: also reported onwards.
};

// "intimate_image", "sextortion", "synthetic", "child_abuse".
std::string_view CategoryName(Category category);
Result<Category> ParseCategory(std::string_view name);

enum class EntryStatus : std::uint8_t {
  kActive,   // Matches.
  kRevoked,  // Kept for the record, never matches; see revoke_reason.
};

// "active", "revoked".
std::string_view EntryStatusName(EntryStatus status);
Result<EntryStatus> ParseEntryStatus(std::string_view name);

// What a caller supplies to add an entry (an import line, an API call).
struct EntryInput {
  Signal signal;
  // PDQ quality 0…100 when known.
  std::optional<int> quality;
  // How the PDQ hash was computed, when the source says (spec: cli512 or
  // fullres); unknown for most interchanged lists.
  std::optional<hash::PdqMode> pdq_mode;
  Category category = Category::kIntimateImage;
  // The organisation that verified the content (e.g. a hotline's name).
  std::string source_org;
  // That organisation's own reference for the report; may be empty.
  std::string external_id;
  // kVpdq only: the video's frames, 1…hash::kMaxVpdqFrames of them, with
  // signal == Signal::Vpdq(frames). Empty for every other kind.
  std::vector<hash::VpdqFrame> frames;
  // kPdq only, optional: the picture's patch signature (hash/patches.h,
  // hashed with hash::BankPatchOptions()), which lets the second-stage
  // matcher find the picture cropped, framed, captioned or turned. A store
  // keeps it in its shared form (hash::EncodePatches()): it reads back with
  // the picture's shape for width and height, positions to 1/65535, and no
  // dihedral or turned hashes.
  std::optional<hash::PatchSignature> patches;
};

// A stored entry.
struct Entry {
  std::int64_t id = 0;  // Unique within the store; stable forever.
  std::string bank;
  EntryInput input;
  EntryStatus status = EntryStatus::kActive;
  std::string revoke_reason;  // Set when status == kRevoked.
  // Milliseconds since the Unix epoch (UTC).
  std::int64_t created_at_ms = 0;
  std::int64_t updated_at_ms = 0;
};

}  // namespace rempart::store

#endif  // REMPART_STORE_ENTRY_H_

#include "rempart/store/store.h"

#include <array>
#include <bit>
#include <cstdint>
#include <string>
#include <vector>

#include "store/store_internal.h"

namespace rempart::store {
namespace internal {

Status ValidateText(std::string_view field, std::string_view text,
                    std::size_t max_bytes) {
  if (text.size() > max_bytes) {
    return InvalidArgumentError(
        std::string(field) + " is " + std::to_string(text.size()) +
        " bytes long (at most " + std::to_string(max_bytes) + ")");
  }
  if (text.find('\0') != std::string_view::npos) {
    return InvalidArgumentError(std::string(field) + " holds a NUL byte");
  }
  return OkStatus();
}

std::vector<std::uint8_t> EncodeVpdqFrames(
    std::span<const hash::VpdqFrame> frames) {
  std::vector<std::uint8_t> bytes;
  bytes.reserve(frames.size() * kVpdqFrameBytes);
  const auto put_le64 = [&](std::uint64_t value) {
    for (int i = 0; i < 8; ++i) {
      bytes.push_back(static_cast<std::uint8_t>(value >> (8 * i)));
    }
  };
  for (const hash::VpdqFrame& frame : frames) {
    put_le64(static_cast<std::uint64_t>(frame.frame_number));
    bytes.push_back(static_cast<std::uint8_t>(frame.quality));
    const std::array<std::uint8_t, 32> hash = frame.hash.ToBytes();
    bytes.insert(bytes.end(), hash.begin(), hash.end());
    put_le64(std::bit_cast<std::uint64_t>(frame.timestamp_seconds));
  }
  return bytes;
}

Result<std::vector<hash::VpdqFrame>> DecodeVpdqFrames(
    std::span<const std::uint8_t> bytes) {
  if (bytes.empty() || bytes.size() % kVpdqFrameBytes != 0) {
    return InvalidArgumentError("stored frames are " +
                                std::to_string(bytes.size()) +
                                " bytes long, not a positive multiple of " +
                                std::to_string(kVpdqFrameBytes));
  }
  const auto get_le64 = [](std::span<const std::uint8_t> at) {
    std::uint64_t value = 0;
    for (int i = 7; i >= 0; --i) value = (value << 8) | at[i];
    return value;
  };
  std::vector<hash::VpdqFrame> frames(bytes.size() / kVpdqFrameBytes);
  for (std::size_t i = 0; i < frames.size(); ++i) {
    const std::span<const std::uint8_t> at =
        bytes.subspan(i * kVpdqFrameBytes, kVpdqFrameBytes);
    hash::VpdqFrame& frame = frames[i];
    frame.frame_number = static_cast<std::int64_t>(get_le64(at.first(8)));
    frame.quality = at[8];
    frame.hash = hash::PdqHash::FromBytes(at.subspan<9, 32>());
    frame.timestamp_seconds = std::bit_cast<double>(get_le64(at.subspan(41)));
  }
  REMPART_RETURN_IF_ERROR(ValidateVpdqFrames(frames));
  return frames;
}

}  // namespace internal
namespace {

bool IsLowerAlnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

}  // namespace

Status ValidateBankName(std::string_view name) {
  if (name.empty()) return InvalidArgumentError("bank name is empty");
  if (name.size() > kMaxBankNameBytes) {
    return InvalidArgumentError("bank name is " + std::to_string(name.size()) +
                                " characters long (at most " +
                                std::to_string(kMaxBankNameBytes) + ")");
  }
  if (!IsLowerAlnum(name.front())) {
    return InvalidArgumentError(
        "bank name must start with a lowercase letter or a digit");
  }
  for (std::size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    if (!IsLowerAlnum(c) && c != '.' && c != '_' && c != '-') {
      return InvalidArgumentError(
          "bank name has a character outside [a-z0-9._-] at position " +
          std::to_string(i));
    }
  }
  return OkStatus();
}

Status ValidateVpdqFrames(std::span<const hash::VpdqFrame> frames) {
  if (frames.empty()) return InvalidArgumentError("a video has no frames");
  if (frames.size() > hash::kMaxVpdqFrames) {
    return InvalidArgumentError("a video has " + std::to_string(frames.size()) +
                                " frames (at most " +
                                std::to_string(hash::kMaxVpdqFrames) + ")");
  }
  for (std::size_t i = 0; i < frames.size(); ++i) {
    const hash::VpdqFrame& frame = frames[i];
    const auto bad = [&](const std::string& why) {
      return InvalidArgumentError("frame " + std::to_string(i) + ": " + why);
    };
    if (frame.frame_number < 0) {
      return bad("frame number " + std::to_string(frame.frame_number) +
                 " is negative");
    }
    if (i > 0 && frame.frame_number <= frames[i - 1].frame_number) {
      return bad("frame number " + std::to_string(frame.frame_number) +
                 " does not follow " +
                 std::to_string(frames[i - 1].frame_number));
    }
    if (frame.quality < 0 || frame.quality > 100) {
      return bad("quality " + std::to_string(frame.quality) +
                 " is outside 0…100");
    }
    // Written so that NaN fails too.
    if (!(frame.timestamp_seconds >= 0 &&
          frame.timestamp_seconds <= kMaxVpdqTimestampSeconds)) {
      return bad(
          "timestamp " + std::to_string(frame.timestamp_seconds) +
          " is outside 0…" +
          std::to_string(static_cast<std::int64_t>(kMaxVpdqTimestampSeconds)) +
          " seconds");
    }
  }
  return OkStatus();
}

Status ValidatePatchSignature(const hash::PatchSignature& signature) {
  if (signature.empty()) {
    return InvalidArgumentError(
        "a signature without patches or crops (a picture too small has "
        "none: leave the signature out)");
  }
  if (signature.crops.size() > static_cast<std::size_t>(hash::kMaxCrops)) {
    return InvalidArgumentError(std::to_string(signature.crops.size()) +
                                " centred crops, more than " +
                                std::to_string(hash::kMaxCrops));
  }
  if (signature.patches.size() > static_cast<std::size_t>(hash::kMaxPatches)) {
    return InvalidArgumentError(std::to_string(signature.patches.size()) +
                                " patches, more than " +
                                std::to_string(hash::kMaxPatches));
  }
  if (signature.width <= 0 || signature.height <= 0) {
    return InvalidArgumentError("shape " + std::to_string(signature.width) +
                                "×" + std::to_string(signature.height) +
                                " is not positive");
  }
  // Written as comparisons that not-a-number fails.
  const auto fraction = [](float value) { return value >= 0 && value <= 1; };
  for (std::size_t i = 0; i < signature.patches.size(); ++i) {
    const hash::Patch& patch = signature.patches[i];
    const std::string name = "patch " + std::to_string(i + 1) + ": ";
    if (!fraction(patch.x) || !fraction(patch.y)) {
      return InvalidArgumentError(name + "centre (" + std::to_string(patch.x) +
                                  ", " + std::to_string(patch.y) +
                                  ") is outside 0…1");
    }
    if (!(patch.side > 0 && patch.side <= 1)) {
      return InvalidArgumentError(name + "side " + std::to_string(patch.side) +
                                  " is outside (0, 1]");
    }
    if (patch.quality < 0 || patch.quality > 100) {
      return InvalidArgumentError(name + "quality " +
                                  std::to_string(patch.quality) +
                                  " is outside 0…100");
    }
  }
  for (std::size_t i = 0; i < signature.crops.size(); ++i) {
    const hash::CentredCrop& crop = signature.crops[i];
    const std::string name = "crop " + std::to_string(i + 1) + ": ";
    if (!(crop.keep >= hash::kMinCropKeep && crop.keep <= 1)) {
      return InvalidArgumentError(name + "keep " + std::to_string(crop.keep) +
                                  " is outside " +
                                  std::to_string(hash::kMinCropKeep) + "…1");
    }
    if (crop.quality < 0 || crop.quality > 100) {
      return InvalidArgumentError(name + "quality " +
                                  std::to_string(crop.quality) +
                                  " is outside 0…100");
    }
  }
  return OkStatus();
}

Status ValidateNewEntry(const NewEntry& entry) {
  const EntryInput& input = entry.input;
  const bool pdq = input.signal.kind() == SignalKind::kPdq;
  if (input.signal.kind() == SignalKind::kVpdq) {
    Status frames = ValidateVpdqFrames(input.frames);
    if (!frames.ok()) return frames.WithContext("vpdq frames");
    if (Signal::Vpdq(input.frames) != input.signal) {
      return InvalidArgumentError(
          "vpdq signal " + input.signal.hex() +
          " is not the name of its frames (SHA-256 of their text, " +
          Signal::Vpdq(input.frames).hex() + ")");
    }
  } else if (!input.frames.empty()) {
    return InvalidArgumentError("frames are only meaningful for vpdq signals");
  }
  if (input.quality.has_value()) {
    if (!pdq) {
      return InvalidArgumentError("quality is only meaningful for pdq signals");
    }
    if (*input.quality < 0 || *input.quality > 100) {
      return InvalidArgumentError("quality " + std::to_string(*input.quality) +
                                  " is outside 0…100");
    }
  }
  if (input.pdq_mode.has_value() && !pdq) {
    return InvalidArgumentError("pdq_mode is only meaningful for pdq signals");
  }
  if (input.patches.has_value()) {
    if (!pdq) {
      return InvalidArgumentError(
          "a patch signature is only meaningful for pdq signals");
    }
    Status patches = ValidatePatchSignature(*input.patches);
    if (!patches.ok()) return patches.WithContext("patches");
  }
  REMPART_RETURN_IF_ERROR(internal::ValidateText("source_org", input.source_org,
                                                 kMaxEntryTextBytes));
  REMPART_RETURN_IF_ERROR(internal::ValidateText(
      "external_id", input.external_id, kMaxEntryTextBytes));
  REMPART_RETURN_IF_ERROR(internal::ValidateText(
      "revoke_reason", entry.revoke_reason, kMaxEntryTextBytes));
  if (entry.status == EntryStatus::kRevoked && entry.revoke_reason.empty()) {
    return InvalidArgumentError("a revoked entry needs a revoke_reason");
  }
  if (entry.status == EntryStatus::kActive && !entry.revoke_reason.empty()) {
    return InvalidArgumentError("an active entry cannot have a revoke_reason");
  }
  return OkStatus();
}

}  // namespace rempart::store

#include "match/snapshot.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <limits>
#include <string>

#include "rempart/core/file.h"
#include "rempart/hash/digest.h"

namespace rempart::match {
namespace {

constexpr char kMagic[16] = {'r', 'e', 'm', 'p', 'a', 'r', 't', '-',
                             's', 'n', 'a', 'p', 's', 'h', 'o', 't'};
constexpr std::uint32_t kVersion = 1;
constexpr std::size_t kHeaderBytes = 16 + 4 + 4 + 8 + 8 + 8;
constexpr std::size_t kPdqRecordBytes = 32 + 4;
constexpr std::size_t kDigestRecordBytes = 1 + 32 + 4;
constexpr std::size_t kChecksumBytes = 32;

template <typename T>
void Put(std::vector<std::uint8_t>& out, T value) {
  std::uint8_t bytes[sizeof(T)];
  std::memcpy(bytes, &value, sizeof(T));
  out.insert(out.end(), bytes, bytes + sizeof(T));
}

template <typename T>
T Get(std::span<const std::uint8_t> bytes, std::size_t& at) {
  T value;
  std::memcpy(&value, bytes.data() + at, sizeof(T));
  at += sizeof(T);
  return value;
}

}  // namespace

std::vector<std::uint8_t> SerializeSnapshot(const BankSnapshot& snapshot) {
  std::vector<std::uint8_t> out;
  out.reserve(kHeaderBytes + snapshot.pdq.size() * kPdqRecordBytes +
              snapshot.digests.size() * kDigestRecordBytes + kChecksumBytes);
  out.resize(sizeof(kMagic));
  std::memcpy(out.data(), kMagic, sizeof(kMagic));
  Put<std::uint32_t>(out, kVersion);
  Put<std::uint32_t>(out, 0);
  Put<std::int64_t>(out, snapshot.revision);
  Put<std::uint64_t>(out, snapshot.pdq.size());
  Put<std::uint64_t>(out, snapshot.digests.size());
  for (const index::PdqEntry& entry : snapshot.pdq) {
    const auto bytes = entry.hash.ToBytes();
    out.insert(out.end(), bytes.begin(), bytes.end());
    Put<std::uint32_t>(out, entry.id);
  }
  for (const index::DigestEntry& entry : snapshot.digests) {
    out.push_back(static_cast<std::uint8_t>(entry.digest.kind));
    out.insert(out.end(), entry.digest.bytes.begin(), entry.digest.bytes.end());
    Put<std::uint32_t>(out, entry.id);
  }
  const auto checksum = hash::Sha256(out);
  out.insert(out.end(), checksum.begin(), checksum.end());
  return out;
}

Result<BankSnapshot> ParseSnapshot(std::span<const std::uint8_t> bytes) {
  if (bytes.size() < kHeaderBytes + kChecksumBytes) {
    return InvalidArgumentError("snapshot: truncated (" +
                                std::to_string(bytes.size()) + " bytes)");
  }
  if (std::memcmp(bytes.data(), kMagic, sizeof(kMagic)) != 0) {
    return InvalidArgumentError("snapshot: not a Rempart snapshot");
  }
  std::size_t at = sizeof(kMagic);
  const auto version = Get<std::uint32_t>(bytes, at);
  if (version != kVersion) {
    return InvalidArgumentError("snapshot: unsupported version " +
                                std::to_string(version));
  }
  if (Get<std::uint32_t>(bytes, at) != 0) {
    return InvalidArgumentError("snapshot: reserved header field is not zero");
  }
  BankSnapshot snapshot;
  snapshot.revision = Get<std::int64_t>(bytes, at);
  const auto pdq_count = Get<std::uint64_t>(bytes, at);
  const auto digest_count = Get<std::uint64_t>(bytes, at);
  // Check the sizes against the file before trusting the counts.
  const std::size_t body = bytes.size() - kHeaderBytes - kChecksumBytes;
  if (pdq_count > body / kPdqRecordBytes ||
      digest_count > body / kDigestRecordBytes ||
      pdq_count * kPdqRecordBytes + digest_count * kDigestRecordBytes != body) {
    return InvalidArgumentError("snapshot: size does not match its counts");
  }
  const auto checksum =
      hash::Sha256(bytes.first(bytes.size() - kChecksumBytes));
  if (!std::equal(checksum.begin(), checksum.end(),
                  bytes.end() - static_cast<std::ptrdiff_t>(kChecksumBytes))) {
    return InvalidArgumentError("snapshot: checksum mismatch");
  }
  if (snapshot.revision < 0) {
    return InvalidArgumentError("snapshot: negative revision");
  }
  snapshot.pdq.reserve(pdq_count);
  for (std::uint64_t i = 0; i < pdq_count; ++i) {
    const auto hash = hash::PdqHash::FromBytes(
        std::span<const std::uint8_t, 32>(bytes.data() + at, 32));
    at += 32;
    snapshot.pdq.push_back(
        index::PdqEntry{hash, Get<std::uint32_t>(bytes, at)});
  }
  snapshot.digests.reserve(digest_count);
  for (std::uint64_t i = 0; i < digest_count; ++i) {
    index::DigestEntry entry;
    const std::uint8_t kind = bytes[at++];
    if (kind != static_cast<std::uint8_t>(index::DigestKind::kMd5) &&
        kind != static_cast<std::uint8_t>(index::DigestKind::kSha256)) {
      return InvalidArgumentError("snapshot: unknown digest kind " +
                                  std::to_string(kind));
    }
    entry.digest.kind = static_cast<index::DigestKind>(kind);
    std::memcpy(entry.digest.bytes.data(), bytes.data() + at, 32);
    at += 32;
    entry.id = Get<std::uint32_t>(bytes, at);
    snapshot.digests.push_back(entry);
  }
  return snapshot;
}

Status WriteSnapshotFile(const std::filesystem::path& path,
                         const BankSnapshot& snapshot) {
  const std::vector<std::uint8_t> bytes = SerializeSnapshot(snapshot);
  const std::string temporary = path.string() + ".tmp";
  const int fd =
      ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) {
    return UnavailableError("snapshot: cannot create " + temporary + ": " +
                            std::strerror(errno));
  }
  std::size_t written = 0;
  while (written < bytes.size()) {
    const ssize_t n =
        ::write(fd, bytes.data() + written, bytes.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      std::string message = "snapshot: cannot write " + temporary;
      message.append(": ").append(std::strerror(errno));
      ::close(fd);
      ::unlink(temporary.c_str());
      return UnavailableError(std::move(message));
    }
    written += static_cast<std::size_t>(n);
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0) {
    ::unlink(temporary.c_str());
    return UnavailableError("snapshot: cannot sync " + temporary);
  }
  std::error_code error;
  std::filesystem::rename(temporary, path, error);
  if (error) {
    ::unlink(temporary.c_str());
    return UnavailableError("snapshot: cannot rename to " + path.string() +
                            ": " + error.message());
  }
  return OkStatus();
}

Result<BankSnapshot> ReadSnapshotFile(const std::filesystem::path& path) {
  auto bytes =
      ReadFileBytes(path.string(), std::numeric_limits<std::uint64_t>::max());
  if (!bytes) return bytes.error();
  auto snapshot = ParseSnapshot(*bytes);
  if (!snapshot) return snapshot.error().WithContext(path.string());
  return snapshot;
}

}  // namespace rempart::match

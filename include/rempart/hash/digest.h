// Exact-match signals: MD5 and SHA-256 of a file's bytes.
//
// Platforms exchange these for videos and as a cheap first check for
// photos: any change to the bytes changes them, so they only find identical
// copies. Pure functions over memory (no I/O, no threads); thread-safe.
#ifndef REMPART_HASH_DIGEST_H_
#define REMPART_HASH_DIGEST_H_

#include <array>
#include <cstdint>
#include <memory>
#include <span>
#include <string>

namespace rempart::hash {

using Md5Digest = std::array<std::uint8_t, 16>;
using Sha256Digest = std::array<std::uint8_t, 32>;

Md5Digest Md5(std::span<const std::uint8_t> bytes);
Sha256Digest Sha256(std::span<const std::uint8_t> bytes);

// Both digests of bytes that arrive in pieces (a video file read in
// chunks): Update() as often as needed, then Finish() once.
class StreamDigests {
 public:
  StreamDigests();
  ~StreamDigests();
  StreamDigests(const StreamDigests&) = delete;
  StreamDigests& operator=(const StreamDigests&) = delete;

  void Update(std::span<const std::uint8_t> bytes);
  void Finish(Md5Digest& md5, Sha256Digest& sha256);

 private:
  struct Contexts;
  std::unique_ptr<Contexts> contexts_;
};

}  // namespace rempart::hash

#endif  // REMPART_HASH_DIGEST_H_

#include "rempart/hash/digest.h"

#include <nettle/md5.h>
#include <nettle/sha2.h>

namespace rempart::hash {

Md5Digest Md5(std::span<const std::uint8_t> bytes) {
  md5_ctx context{};
  md5_init(&context);
  md5_update(&context, bytes.size(), bytes.data());
  Md5Digest digest{};
  md5_digest(&context, digest.size(), digest.data());
  return digest;
}

Sha256Digest Sha256(std::span<const std::uint8_t> bytes) {
  sha256_ctx context{};
  sha256_init(&context);
  sha256_update(&context, bytes.size(), bytes.data());
  Sha256Digest digest{};
  sha256_digest(&context, digest.size(), digest.data());
  return digest;
}

}  // namespace rempart::hash

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

struct StreamDigests::Contexts {
  md5_ctx md5{};
  sha256_ctx sha256{};
};

StreamDigests::StreamDigests() : contexts_(std::make_unique<Contexts>()) {
  md5_init(&contexts_->md5);
  sha256_init(&contexts_->sha256);
}

StreamDigests::~StreamDigests() = default;

void StreamDigests::Update(std::span<const std::uint8_t> bytes) {
  md5_update(&contexts_->md5, bytes.size(), bytes.data());
  sha256_update(&contexts_->sha256, bytes.size(), bytes.data());
}

void StreamDigests::Finish(Md5Digest& md5, Sha256Digest& sha256) {
  md5_digest(&contexts_->md5, md5.size(), md5.data());
  sha256_digest(&contexts_->sha256, sha256.size(), sha256.data());
}

}  // namespace rempart::hash

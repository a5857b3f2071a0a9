#include "rempart/service/sealing.h"

#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "rempart/service/auth.h"

namespace rempart::service {
namespace {

Status Errno(std::string_view what, const std::filesystem::path& path) {
  return UnavailableError(std::string(what) + " " + path.string() + ": " +
                          std::strerror(errno));
}

}  // namespace

Result<Sealer> Sealer::OpenOrCreate(const std::filesystem::path& key_file) {
  REMPART_RETURN_IF_ERROR(InitCrypto());
  Sealer sealer;
  const std::filesystem::path folder = key_file.parent_path();
  if (!folder.empty()) {
    std::error_code error;
    std::filesystem::create_directories(folder, error);
    if (error) {
      return UnavailableError("cannot create " + folder.string() + ": " +
                              error.message());
    }
    ::chmod(folder.c_str(), 0700);
  }
  // O_EXCL: two processes starting at once never write two keys.
  int fd =
      ::open(key_file.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd >= 0) {
    randombytes_buf(sealer.key_.data(), sealer.key_.size());
    const bool written = ::write(fd, sealer.key_.data(), sealer.key_.size()) ==
                             static_cast<ssize_t>(sealer.key_.size()) &&
                         ::fsync(fd) == 0;
    ::close(fd);
    if (!written) return Errno("cannot write", key_file);
    return sealer;
  }
  if (errno != EEXIST) return Errno("cannot create", key_file);
  fd = ::open(key_file.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Errno("cannot open", key_file);
  struct stat info {};
  if (::fstat(fd, &info) != 0) {
    ::close(fd);
    return Errno("cannot stat", key_file);
  }
  if ((info.st_mode & 077) != 0) {
    ::close(fd);
    return InvalidArgumentError(key_file.string() +
                                " is readable by other users; chmod 600 it");
  }
  std::array<std::uint8_t, 33> buffer{};
  const ssize_t got = ::read(fd, buffer.data(), buffer.size());
  ::close(fd);
  if (got != 32) {
    return InvalidArgumentError(key_file.string() +
                                " is not a 32-byte key (damaged?)");
  }
  std::memcpy(sealer.key_.data(), buffer.data(), 32);
  return sealer;
}

Sealer Sealer::FromKey(const std::array<std::uint8_t, 32>& key) {
  (void)InitCrypto();
  Sealer sealer;
  sealer.key_ = key;
  return sealer;
}

std::string Sealer::Seal(std::string_view plaintext) const {
  std::string sealed(crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES +
                         plaintext.size(),
                     '\0');
  auto* out = reinterpret_cast<unsigned char*>(sealed.data());
  randombytes_buf(out, crypto_secretbox_NONCEBYTES);
  crypto_secretbox_easy(
      out + crypto_secretbox_NONCEBYTES,
      reinterpret_cast<const unsigned char*>(plaintext.data()),
      plaintext.size(), out, key_.data());
  return sealed;
}

Result<std::string> Sealer::Open(std::string_view sealed) const {
  if (sealed.size() < crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES) {
    return InvalidArgumentError("sealed data too short");
  }
  const auto* in = reinterpret_cast<const unsigned char*>(sealed.data());
  std::string plaintext(
      sealed.size() - crypto_secretbox_NONCEBYTES - crypto_secretbox_MACBYTES,
      '\0');
  if (crypto_secretbox_open_easy(
          reinterpret_cast<unsigned char*>(plaintext.data()),
          in + crypto_secretbox_NONCEBYTES,
          sealed.size() - crypto_secretbox_NONCEBYTES, in, key_.data()) != 0) {
    return InvalidArgumentError(
        "sealed data is damaged or was sealed with another key");
  }
  return plaintext;
}

}  // namespace rempart::service

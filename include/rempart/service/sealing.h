// Sealing: contact details a victim leaves are encrypted before they reach
// the store (libsodium secretbox: XSalsa20-Poly1305, random nonce), so a
// copy of the database alone reveals no one's phone number or address.
//
// The key is 32 random bytes in a file of the data directory
// (secrets/contact.key, mode 0600), created on first start. Losing it
// loses the contacts, nothing else; keep it out of database backups.
#ifndef REMPART_SERVICE_SEALING_H_
#define REMPART_SERVICE_SEALING_H_

#include <array>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

#include "rempart/core/result.h"

namespace rempart::service {

class Sealer {
 public:
  // Reads the key file, creating it (and its folder, mode 0700) when
  // missing. InvalidArgument for a file of the wrong size or readable by
  // others (it is refused, not used).
  static Result<Sealer> OpenOrCreate(const std::filesystem::path& key_file);
  // A key for tests.
  static Sealer FromKey(const std::array<std::uint8_t, 32>& key);

  // nonce ‖ ciphertext, as bytes in a string.
  [[nodiscard]] std::string Seal(std::string_view plaintext) const;
  // InvalidArgument when `sealed` is damaged or sealed with another key.
  [[nodiscard]] Result<std::string> Open(std::string_view sealed) const;

 private:
  std::array<std::uint8_t, 32> key_{};
};

}  // namespace rempart::service

#endif  // REMPART_SERVICE_SEALING_H_

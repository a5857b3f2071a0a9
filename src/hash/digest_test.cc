#include "rempart/hash/digest.h"

#include <gtest/gtest.h>

#include <string_view>
#include <vector>

#include "rempart/core/hex.h"

namespace rempart::hash {
namespace {

std::span<const std::uint8_t> Bytes(std::string_view text) {
  return {reinterpret_cast<const std::uint8_t*>(text.data()), text.size()};
}

// Test vectors from RFC 1321 and FIPS 180-2.
TEST(DigestTest, Md5KnownAnswers) {
  EXPECT_EQ(HexEncode(Md5(Bytes(""))), "d41d8cd98f00b204e9800998ecf8427e");
  EXPECT_EQ(HexEncode(Md5(Bytes("abc"))), "900150983cd24fb0d6963f7d28e17f72");
  EXPECT_EQ(HexEncode(Md5(Bytes("message digest"))),
            "f96b697d7cb7938d525a2f31aaf161d0");
}

TEST(DigestTest, Sha256KnownAnswers) {
  EXPECT_EQ(HexEncode(Sha256(Bytes("abc"))),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(HexEncode(Sha256(Bytes(""))),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST(DigestTest, MillionAs) {
  const std::vector<std::uint8_t> input(1'000'000, 'a');
  EXPECT_EQ(HexEncode(Sha256(input)),
            "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
  EXPECT_EQ(HexEncode(Md5(input)), "7707d6ae4e027c70eea2a935c2296f21");
}

}  // namespace
}  // namespace rempart::hash

#include "rempart/core/status.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "rempart/core/result.h"

namespace rempart {
namespace {

TEST(StatusTest, DefaultIsOk) {
  Status status;
  EXPECT_TRUE(status.ok());
  EXPECT_EQ(status.ToString(), "OK");
}

TEST(StatusTest, CarriesCodeAndMessage) {
  Status status = ResourceExhaustedError("image is 100000x100000");
  EXPECT_FALSE(status.ok());
  EXPECT_EQ(status.code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(status.ToString(), "ResourceExhausted: image is 100000x100000");
}

TEST(StatusTest, WithContextPrefixesMessageAndKeepsCode) {
  Status status = InvalidArgumentError("truncated").WithContext("photo.jpg");
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(status.message(), "photo.jpg: truncated");
  EXPECT_TRUE(OkStatus().WithContext("x").ok());
}

Result<int> Half(int value) {
  if (value % 2 != 0) return InvalidArgumentError("odd");
  return value / 2;
}

Status Chain(int value, int& out) {
  auto half = Half(value);
  REMPART_RETURN_IF_ERROR(half.status());
  out = *half;
  return OkStatus();
}

TEST(ResultTest, HoldsValueOrError) {
  auto good = Half(8);
  ASSERT_TRUE(good.has_value());
  EXPECT_EQ(*good, 4);
  EXPECT_TRUE(good.status().ok());
  auto bad = Half(3);
  ASSERT_FALSE(bad.has_value());
  EXPECT_EQ(bad.error().message(), "odd");
  int out = 0;
  EXPECT_EQ(Chain(3, out).code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(Chain(10, out).ok());
  EXPECT_EQ(out, 5);
}

TEST(ResultTest, MovesOnlyTypes) {
  Result<std::unique_ptr<int>> result(std::make_unique<int>(7));
  ASSERT_TRUE(result.has_value());
  std::unique_ptr<int> taken = *std::move(result);
  EXPECT_EQ(*taken, 7);
}

TEST(StatusCodeTest, EveryCodeHasAName) {
  for (int code = 0; code <= static_cast<int>(StatusCode::kInternal); ++code) {
    EXPECT_NE(StatusCodeName(static_cast<StatusCode>(code)), "Unknown");
  }
}

}  // namespace
}  // namespace rempart

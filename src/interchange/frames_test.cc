#include "interchange/frames.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace rempart::interchange {
namespace {

using ::testing::HasSubstr;

constexpr char kHash1[] =
    "dadb999c25266273529cadac8dcb52c22324ad3bce99726c38668d93c799f06c";
constexpr char kHash2[] =
    "c8feb0fc73910f830fc6307cf039e7030fc61b9cf8717cf00fce00070003fffe";

TEST(FramesTest, ParsesOneFrameInTheReferenceForm) {
  auto frame = ParseFrame("30,68," + std::string(kHash2) + ",1.000");
  ASSERT_TRUE(frame.has_value()) << frame.error().ToString();
  EXPECT_EQ(frame->frame_number, 30);
  EXPECT_EQ(frame->quality, 68);
  EXPECT_EQ(frame->hash.ToHex(), kHash2);
  EXPECT_EQ(frame->timestamp_seconds, 1.0);
  EXPECT_EQ(hash::FormatVpdqFrame(*frame),
            "30,68," + std::string(kHash2) + ",1.000");
}

TEST(FramesTest, RejectsWhatIsNotOneFrame) {
  const std::string hash = kHash1;
  for (const std::string& text :
       {std::string(), "#0,100," + hash + ",0", "0,100," + hash + ",0\n1",
        "0,100," + hash + ",0\r", " 0,100," + hash + ",0", "0,100," + hash,
        "0,101," + hash + ",0", "-1,100," + hash + ",0",
        "0,100," + hash.substr(1) + ",0", "0,100," + hash + ",x"}) {
    auto frame = ParseFrame(text);
    EXPECT_FALSE(frame.has_value()) << text;
    if (!frame) {
      EXPECT_EQ(frame.error().code(), StatusCode::kInvalidArgument);
      EXPECT_THAT(frame.error().message(),
                  ::testing::Not(HasSubstr("vPDQ line")));
    }
  }
  EXPECT_EQ(ParseFrame("0,101," + hash + ",0").error().message(),
            "quality is not an integer 0…100");
}

TEST(FramesTest, CellRoundTrip) {
  const std::string cell =
      "0,100," + std::string(kHash1) + ",0.000;30,68," + kHash2 + ",1.000";
  auto frames = ParseFramesCell(cell);
  ASSERT_TRUE(frames.has_value()) << frames.error().ToString();
  ASSERT_EQ(frames->size(), 2u);
  EXPECT_EQ(FormatFramesCell(*frames), cell);
  // Spaces and tabs around a frame are not data; upper-case hex is read.
  auto spaced = ParseFramesCell(" 0,100," + std::string(kHash1) +
                                ",0.000 ;\t30,68,C8FEB0FC73910F830FC6307CF039"
                                "E7030FC61B9CF8717CF00FCE00070003FFFE,1.000 ");
  ASSERT_TRUE(spaced.has_value()) << spaced.error().ToString();
  EXPECT_EQ(*spaced, *frames);
  EXPECT_EQ(FormatFramesCell({}), "");
}

TEST(FramesTest, CellErrorsNameTheFrame) {
  const std::string one = "0,100," + std::string(kHash1) + ",0.000";
  const std::string two = "30,68," + std::string(kHash2) + ",1.000";
  EXPECT_EQ(ParseFramesCell(one + ";" + two + ";").error().message(),
            "frame 3: empty frame");
  EXPECT_EQ(ParseFramesCell(two + ";" + one).error().message(),
            "frame 2: frame numbers must increase (0 follows 30)");
  EXPECT_EQ(ParseFramesCell(two + ";" + two).error().message(),
            "frame 2: frame numbers must increase (30 follows 30)");
  EXPECT_THAT(ParseFramesCell(one + ";0,100,zz,0").error().message(),
              ::testing::StartsWith("frame 2: hash: "));
}

TEST(FramesTest, AtMostMaxFrames) {
  std::string cell;
  for (std::size_t i = 0; i <= hash::kMaxVpdqFrames; ++i) {
    if (!cell.empty()) cell += ';';
    cell += std::to_string(i) + ",100," + kHash1 + ",0";
  }
  auto too_many = ParseFramesCell(cell);
  ASSERT_FALSE(too_many.has_value());
  EXPECT_EQ(too_many.error().code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(too_many.error().message(),
            "frame " + std::to_string(hash::kMaxVpdqFrames + 1) +
                ": more than " + std::to_string(hash::kMaxVpdqFrames) +
                " frames");
  cell.resize(cell.rfind(';'));
  auto most = ParseFramesCell(cell);
  ASSERT_TRUE(most.has_value()) << most.error().ToString();
  EXPECT_EQ(most->size(), hash::kMaxVpdqFrames);
}

TEST(FramesTest, LooksLikeFrameLine) {
  const std::string hash = kHash1;
  EXPECT_TRUE(LooksLikeFrameLine("0,100," + hash + ",0.000"));
  EXPECT_TRUE(LooksLikeFrameLine("12,7," + hash + ",3"));
  // The shape only: ranges are for the parser to report.
  EXPECT_TRUE(LooksLikeFrameLine("0,999," + hash + ",0.5"));
  EXPECT_FALSE(LooksLikeFrameLine(hash));
  EXPECT_FALSE(LooksLikeFrameLine("0,100," + hash));
  EXPECT_FALSE(LooksLikeFrameLine("0,100," + hash + ",0.000,x"));
  EXPECT_FALSE(LooksLikeFrameLine("0, 100," + hash + ",0"));
  EXPECT_FALSE(LooksLikeFrameLine("0,100," + hash + ",0."));
  EXPECT_FALSE(LooksLikeFrameLine("0,100," + hash + ",.5"));
  EXPECT_FALSE(LooksLikeFrameLine("0,100," + hash.substr(2) + ",0"));
  EXPECT_FALSE(LooksLikeFrameLine("a,100," + hash + ",0"));
  EXPECT_FALSE(LooksLikeFrameLine("kind,value,quality,mode"));
  EXPECT_FALSE(LooksLikeFrameLine(""));
}

}  // namespace
}  // namespace rempart::interchange

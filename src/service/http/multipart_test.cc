#include "rempart/service/multipart.h"

#include <gtest/gtest.h>

#include <chrono>
#include <string>

namespace rempart::service {
namespace {

TEST(MultipartBoundaryTest, ReadsQuotedAndBareBoundaries) {
  EXPECT_EQ(*MultipartBoundary("multipart/form-data; boundary=abc123"),
            "abc123");
  EXPECT_EQ(
      *MultipartBoundary("Multipart/Form-Data;boundary=\"a b'()+_,-./:=?\""),
      "a b'()+_,-./:=?");
  EXPECT_EQ(*MultipartBoundary(
                "multipart/form-data; charset=utf-8; BOUNDARY=x; other=\"y\""),
            "x");
  EXPECT_EQ(MultipartBoundary(std::string("multipart/form-data; boundary=") +
                              std::string(70, 'b'))
                ->size(),
            70U);
}

TEST(MultipartBoundaryTest, RefusesWhatIsNotOne) {
  for (const std::string& content_type : {
           std::string("application/json"),
           std::string("multipart/mixed; boundary=x"),
           std::string("multipart/form-data"),
           std::string("multipart/form-data; boundary="),
           std::string("multipart/form-data; boundary=\"\""),
           std::string("multipart/form-data; boundary=\"x"),
           std::string("multipart/form-data; boundary=\"a\\b\""),
           std::string("multipart/form-data; boundary=\"ends \""),
           std::string("multipart/form-data; boundary=\"a\";boundary=b"),
           std::string("multipart/form-data; boundary=a;;"),
           std::string("multipart/form-data; boundary=\"a\x01\""),
           std::string("multipart/form-data; boundary=") + std::string(71, 'b'),
       }) {
    const auto boundary = MultipartBoundary(content_type);
    EXPECT_FALSE(boundary) << content_type;
    if (!boundary) {
      EXPECT_EQ(boundary.error().code(), StatusCode::kInvalidArgument);
    }
  }
}

constexpr std::string_view kForm =
    "preamble to ignore\r\n"
    "--XyZ\r\n"
    "Content-Disposition: form-data; name=\"image\"; "
    "filename=\"a \\\"quoted\\\" name.jpg\"\r\n"
    "Content-Type: image/jpeg\r\n"
    "\r\n"
    "\xff\xd8\r\n--XyZbutnotquite\xff\xd9\r\n"
    "--XyZ  \t\r\n"
    "content-disposition: FORM-DATA; name=note\r\n"
    "X-Ignored: yes\r\n"
    "\r\n"
    "\r\n"
    "--XyZ--\r\n"
    "epilogue";

TEST(ParseMultipartTest, ReadsPartsAsViews) {
  // "--XyZbutnotquite" in the data is refused: the delimiter with other
  // text after it may not appear inside a part.
  EXPECT_FALSE(ParseMultipart(kForm, "XyZ"));

  std::string form(kForm);
  form.replace(form.find("--XyZbutnotquite"), 16, "--XYZ-butnotquite");
  auto parts = ParseMultipart(form, "XyZ");
  ASSERT_TRUE(parts) << parts.error().ToString();
  ASSERT_EQ(parts->size(), 2U);
  const MultipartPart& image = (*parts)[0];
  EXPECT_EQ(image.name, "image");
  EXPECT_EQ(image.filename, "a \"quoted\" name.jpg");
  EXPECT_EQ(image.content_type, "image/jpeg");
  EXPECT_EQ(image.data, "\xff\xd8\r\n--XYZ-butnotquite\xff\xd9");
  EXPECT_GE(image.data.data(), form.data());
  EXPECT_LE(image.data.data() + image.data.size(), form.data() + form.size());
  const MultipartPart& note = (*parts)[1];
  EXPECT_EQ(note.name, "note");
  EXPECT_EQ(note.filename, "");
  EXPECT_EQ(note.content_type, "");
  EXPECT_EQ(note.data, "");  // The CRLF before "--XyZ--" is the delimiter's.
}

TEST(ParseMultipartTest, BoundaryAtStartAndEmptyData) {
  const std::string body =
      "--b\r\nContent-Disposition: form-data; name=\"\"\r\n\r\n\r\n--b--";
  auto parts = ParseMultipart(body, "b");
  ASSERT_TRUE(parts) << parts.error().ToString();
  ASSERT_EQ(parts->size(), 1U);
  EXPECT_EQ((*parts)[0].data, "");
  EXPECT_EQ((*parts)[0].name, "");
}

std::string Part(std::string_view name, std::string_view data) {
  return "--b\r\nContent-Disposition: form-data; name=\"" + std::string(name) +
         "\"\r\n\r\n" + std::string(data) + "\r\n";
}

TEST(ParseMultipartTest, RefusesHostileAndBrokenBodies) {
  const std::string good = Part("a", "1") + "--b--\r\n";
  ASSERT_TRUE(ParseMultipart(good, "b"));
  const std::string cases[] = {
      "",
      "no delimiter at all",
      "--b--",                      // No parts.
      Part("a", "1"),               // No closing delimiter.
      Part("a", "1") + "--b",       // Truncated delimiter.
      Part("a", "1") + "--b-",      // Truncated close.
      Part("a", "1") + "--b--x",    // Text after the close.
      "--bx\r\n" + good.substr(5),  // First delimiter extended.
      "--b\n" + good.substr(5),     // Bare LF.
      "--b\r\n\r\ndata\r\n--b--",   // No headers.
      "--b\r\nContent-Type: text/plain\r\n\r\nx\r\n--b--",  // No disposition.
      "--b\r\nContent-Disposition: form-data\r\n\r\nx\r\n--b--",  // No name.
      "--b\r\nContent-Disposition: attachment; name=a\r\n\r\nx\r\n--b--",
      "--b\r\nContent-Disposition: form-data; name=a; name=b\r\n\r\nx\r\n--b--",
      "--b\r\nContent-Disposition: form-data; name=\"a\r\n\r\nx\r\n--b--",
      "--b\r\nContent-Disposition: form-data; name=\"a\\\"\r\n\r\nx\r\n--b--",
      "--b\r\nContent-Disposition: form-data; name=a\r\n"
      "Content-Disposition: form-data; name=a\r\n\r\nx\r\n--b--",
      "--b\r\nContent-Disposition: form-data; name=a\r\n "
      "folded\r\n\r\nx\r\n--b--",
      "--b\r\nContent-Disposition: form-data; name=a\r\nBad Name: "
      "x\r\n\r\nx\r\n--b--",
      "--b\r\nContent-Disposition: form-data; name=a\rX: y\r\n\r\nx\r\n--b--",
      "--b\r\nContent-Disposition: form-data; name=a\r\n"
      "Content-Transfer-Encoding: base64\r\n\r\neA==\r\n--b--",
      "--b\r\nContent-Disposition: form-data; name=a\r\nX: " +
          std::string(9000, 'h') + "\r\n\r\nx\r\n--b--",
      "--b\r\nContent-Disposition: form-data; name=a\r\n--b--",  // No blank.
  };
  for (const std::string& body : cases) {
    const auto parts = ParseMultipart(body, "b");
    EXPECT_FALSE(parts) << body.substr(0, 120);
    if (!parts) {
      EXPECT_EQ(parts.error().code(), StatusCode::kInvalidArgument);
    }
  }
}

TEST(ParseMultipartTest, MaxParts) {
  std::string body;
  for (int i = 0; i < 17; ++i) body += Part("p" + std::to_string(i), "x");
  body += "--b--";
  EXPECT_FALSE(ParseMultipart(body, "b"));
  auto parts = ParseMultipart(body, "b", 17);
  ASSERT_TRUE(parts);
  EXPECT_EQ(parts->size(), 17U);
  EXPECT_EQ(parts->back().name, "p16");
}

TEST(ParseMultipartTest, NearMissBoundariesTakeLinearTime) {
  // 8 MiB of "\r\n--" + a boundary minus its last byte: a naive search that
  // restarts would be quadratic; this must stay well under a second.
  const std::string boundary(70, 'q');
  std::string near_miss = "\r\n--" + boundary.substr(0, 69) + "z";
  std::string data;
  while (data.size() < (8 << 20)) data += near_miss;
  const std::string body =
      "--" + boundary + "\r\nContent-Disposition: form-data; name=f\r\n\r\n" +
      data;  // No closing delimiter.
  const auto start = std::chrono::steady_clock::now();
  EXPECT_FALSE(ParseMultipart(body, boundary));
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(2));

  std::string closed = body + "\r\n--" + boundary + "--";
  auto parts = ParseMultipart(closed, boundary);
  ASSERT_TRUE(parts) << parts.error().ToString();
  EXPECT_EQ((*parts)[0].data.size(), data.size());
}

TEST(ParseMultipartTest, RefusesInvalidBoundaryArgument) {
  EXPECT_FALSE(ParseMultipart("--\r\n", ""));
  EXPECT_FALSE(ParseMultipart("x", std::string(71, 'a')));
}

}  // namespace
}  // namespace rempart::service

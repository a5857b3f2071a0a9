// StaticFiles: what is loaded from a web root, and what a path gets.
#include "rempart/service/static_files.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace rempart::service {
namespace {

namespace fs = std::filesystem;

class StaticFilesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("rempart-static-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    root_ = dir_ / "web";
    fs::create_directories(root_ / "console");
    Write("index.html", "<!doctype html><title>Rempart</title>");
    Write("console/index.html", "<!doctype html><title>Console</title>");
    Write("js/app.js", "export const x = 1;");
    Write("wasm/rempart-hash.wasm", std::string("\0asm\1\0\0\0", 8));
    Write("css/site.css", "body{}");
  }
  void TearDown() override { fs::remove_all(dir_); }

  void Write(const std::string& relative, const std::string& bytes,
             const fs::path& base = {}) {
    const fs::path path = (base.empty() ? root_ : base) / relative;
    fs::create_directories(path.parent_path());
    std::ofstream(path, std::ios::binary) << bytes;
  }

  StaticFiles LoadOk() {
    auto files = StaticFiles::Load(root_);
    EXPECT_TRUE(files) << files.error().ToString();
    return files ? std::move(*files) : StaticFiles();
  }

  static RequestHead Head(const std::string& path,
                          const std::string& method = "GET") {
    RequestHead head;
    head.method = method;
    head.path = path;
    return head;
  }

  static std::string Header(const HttpResponse& response,
                            std::string_view name) {
    for (const HttpHeader& header : response.headers) {
      if (header.name == name) return header.value;
    }
    return {};
  }

  fs::path dir_;
  fs::path root_;
};

TEST_F(StaticFilesTest, ServesFilesWithTheirTypesAndSecurityHeaders) {
  const StaticFiles files = LoadOk();
  EXPECT_EQ(files.file_count(), 5u);
  struct Expect {
    const char* path;
    const char* type;
  };
  for (const Expect& expect :
       {Expect{"/index.html", "text/html; charset=utf-8"},
        Expect{"/js/app.js", "text/javascript; charset=utf-8"},
        Expect{"/css/site.css", "text/css; charset=utf-8"},
        Expect{"/wasm/rempart-hash.wasm", "application/wasm"}}) {
    auto response = files.Serve(Head(expect.path));
    ASSERT_TRUE(response.has_value()) << expect.path;
    EXPECT_EQ(response->status, 200);
    EXPECT_EQ(response->content_type, expect.type);
    EXPECT_EQ(Header(*response, "Content-Security-Policy"),
              kContentSecurityPolicy);
    EXPECT_EQ(Header(*response, "Cache-Control"), "no-cache");
    EXPECT_EQ(Header(*response, "X-Frame-Options"), "DENY");
    EXPECT_EQ(Header(*response, "Referrer-Policy"), "no-referrer");
  }
  EXPECT_EQ(files.Serve(Head("/wasm/rempart-hash.wasm"))->body.size(), 8u);
  EXPECT_EQ(StaticContentType("a/b.MJS"), "text/javascript; charset=utf-8");
  EXPECT_EQ(StaticContentType("site.webmanifest"), "application/manifest+json");
  EXPECT_EQ(StaticContentType("x.svg"), "image/svg+xml");
  EXPECT_EQ(StaticContentType("noext"), "application/octet-stream");
}

TEST_F(StaticFilesTest, IndexPagesAndTheSlashRedirect) {
  const StaticFiles files = LoadOk();
  auto root = files.Serve(Head("/"));
  ASSERT_TRUE(root.has_value());
  EXPECT_NE(root->body.find("Rempart"), std::string::npos);
  auto console = files.Serve(Head("/console/"));
  ASSERT_TRUE(console.has_value());
  EXPECT_NE(console->body.find("Console"), std::string::npos);
  RequestHead bare = Head("/console");
  bare.query = "lang=fr";
  auto moved = files.Serve(bare);
  ASSERT_TRUE(moved.has_value());
  EXPECT_EQ(moved->status, 308);
  EXPECT_EQ(Header(*moved, "Location"), "/console/?lang=fr");
  EXPECT_EQ(Header(*moved, "Content-Security-Policy"), kContentSecurityPolicy);
  // A directory without an index is not a page.
  EXPECT_FALSE(files.Serve(Head("/js")).has_value());
  EXPECT_FALSE(files.Serve(Head("/js/")).has_value());
}

TEST_F(StaticFilesTest, ETagsGiveNotModified) {
  const StaticFiles files = LoadOk();
  auto first = files.Serve(Head("/js/app.js"));
  ASSERT_TRUE(first.has_value());
  const std::string etag = Header(*first, "ETag");
  ASSERT_EQ(etag.size(), 34u);  // 32 hex digits in quotes: a strong tag.
  EXPECT_EQ(etag.front(), '"');
  RequestHead again = Head("/js/app.js");
  again.headers.push_back({"If-None-Match", "\"other\", " + etag});
  auto cached = files.Serve(again);
  ASSERT_TRUE(cached.has_value());
  EXPECT_EQ(cached->status, 304);
  EXPECT_TRUE(cached->body.empty());
  EXPECT_EQ(Header(*cached, "ETag"), etag);
  again.headers = {{"If-None-Match", "\"stale\""}};
  EXPECT_EQ(files.Serve(again)->status, 200);
  // Another file's tag differs.
  EXPECT_NE(Header(*files.Serve(Head("/index.html")), "ETag"), etag);
}

TEST_F(StaticFilesTest, OnlyLoadedNamesAnswerSoNothingTraverses) {
  Write("secret.txt", "outside the root", dir_);
  const StaticFiles files = LoadOk();
  for (const char* path :
       {"/../secret.txt", "/js/../../secret.txt", "/js/../index.html",
        "//etc/passwd", "/etc/passwd", "/./index.html", "/js//app.js",
        "/index.html/", "/INDEX.HTML", "/js/app.js\\..", "", "index.html",
        "/%2e%2e/secret.txt"}) {
    auto response = files.Serve(Head(path));
    EXPECT_FALSE(response.has_value() && response->status == 200) << path;
  }
}

TEST_F(StaticFilesTest, SkipsLinksAndDotFiles) {
  Write("secret.txt", "outside the root", dir_);
  fs::create_symlink(dir_ / "secret.txt", root_ / "linked.txt");
  fs::create_directory_symlink(dir_, root_ / "up");
  Write(".env", "KEY=1");
  Write(".git/config", "[core]");
  const StaticFiles files = LoadOk();
  EXPECT_EQ(files.file_count(), 5u);
  for (const char* path :
       {"/linked.txt", "/up/secret.txt", "/.env", "/.git/config"}) {
    EXPECT_FALSE(files.Serve(Head(path)).has_value()) << path;
  }
}

TEST_F(StaticFilesTest, LimitsStopTheLoad) {
  StaticOptions few;
  few.max_files = 4;
  auto too_many = StaticFiles::Load(root_, few);
  ASSERT_FALSE(too_many.has_value());
  EXPECT_EQ(too_many.error().code(), StatusCode::kResourceExhausted);
  StaticOptions small;
  small.max_total_bytes = 64;
  auto too_big = StaticFiles::Load(root_, small);
  ASSERT_FALSE(too_big.has_value());
  EXPECT_EQ(too_big.error().code(), StatusCode::kResourceExhausted);
  auto missing = StaticFiles::Load(dir_ / "nowhere");
  ASSERT_FALSE(missing.has_value());
  EXPECT_EQ(missing.error().code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace rempart::service

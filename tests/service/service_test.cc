// The service as platforms, hotlines and victims meet it: a real server on
// a loopback port, a real SQLite store, driven over HTTP.
#include "rempart/service/service.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <thread>

#include "rempart/core/file.h"
#include "rempart/hash/image_signals.h"
#include "rempart/hash/patches.h"
#include "rempart/hash/pdq.h"
#include "rempart/hash/video_signals.h"
#include "rempart/hash/vpdq.h"
#include "rempart/service/http_server.h"
#include "rempart/store/sqlite_store.h"
#include "tests/support/bmp.h"
#include "tests/support/http_client.h"
#include "tests/support/picture_edits.h"
#include "tests/support/synthetic_hashes.h"
#include "tests/support/textured_picture.h"
#include "tests/support/vectors.h"

namespace rempart::service {
namespace {

using nlohmann::json;
using rempart::testing::ClientResponse;
using rempart::testing::HttpConnection;
using ::testing::HasSubstr;
using Headers = std::vector<std::pair<std::string, std::string>>;

const char* kPhoto = "images/upstream/bridge-mods/aaa-orig.jpg";

class ServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("rempart-service-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    ASSERT_TRUE(InitCrypto().ok());
    auto database = store::OpenSqliteDatabase(dir_ / "rempart.db");
    ASSERT_TRUE(database) << database.error().ToString();
    database_ = std::move(*database);
    admin_ = AddKey(store::Role::kAdmin);
    analyst_ = AddKey(store::Role::kAnalyst);
    platform_ = AddKey(store::Role::kPlatform);
    std::array<std::uint8_t, 32> key{};
    key[3] = 7;
    sealer_ = std::make_unique<Sealer>(Sealer::FromKey(key));
    Start();
  }

  // The key id inside a key token ("rmp_<12 id>_<secret>").
  static std::string KeyId(const std::string& token) {
    return token.substr(4, 12);
  }

  // "action actor" for every audit record, oldest first.
  std::vector<std::string> AuditedActions() {
    std::vector<std::string> seen;
    const Status status =
        database_.audit->ForEachAudit(0, [&](const store::AuditRecord& record) {
          seen.push_back(record.action + " " + record.actor);
          return true;
        });
    EXPECT_TRUE(status.ok()) << status.ToString();
    return seen;
  }

  void Start(ServiceConfig config = {}) {
    server_.reset();
    service_.reset();
    matcher_.reset();
    auto matcher = match::Matcher::Open(*database_.store);
    ASSERT_TRUE(matcher) << matcher.error().ToString();
    matcher_ = std::move(*matcher);
    config.anonymous_rate_per_second = config.anonymous_rate_per_second == 2
                                           ? 1000
                                           : config.anonymous_rate_per_second;
    ServiceDeps deps{database_.store.get(), database_.audit.get(),
                     database_.keys.get(),  database_.cases.get(),
                     matcher_.get(),        sealer_.get()};
    service_ = std::make_unique<Service>(config, deps);
    ASSERT_TRUE(service_->Start().ok());
    ServerOptions options;
    options.threads = 2;
    options.limits = config.limits;
    options.body_limit = [this](const RequestHead& head) {
      return service_->BodyLimit(head);
    };
    auto server = HttpServer::Start(
        options, [this](const HttpRequest& r) { return service_->Handle(r); });
    ASSERT_TRUE(server) << server.error().ToString();
    server_ = std::move(*server);
    service_->SetReady(true);
  }

  void TearDown() override {
    server_.reset();
    service_.reset();
    matcher_.reset();
    database_ = {};
    std::filesystem::remove_all(dir_);
  }

  std::string AddKey(store::Role role, int rate = 0) {
    IssuedKey issued = IssueKey("test", role, rate);
    auto stored = database_.keys->CreateKey(issued.record, store::Actor{});
    EXPECT_TRUE(stored) << stored.error().ToString();
    return issued.token;
  }

  static Headers Auth(const std::string& token) {
    return {{"Authorization", "Bearer " + token}};
  }

  ClientResponse Get(const std::string& target, const Headers& headers = {}) {
    return rempart::testing::HttpRequest(server_->port(), "GET", target, {},
                                         headers);
  }
  ClientResponse Post(const std::string& target, const json& body,
                      const Headers& headers = {}) {
    return rempart::testing::HttpRequest(server_->port(), "POST", target,
                                         body.dump(), headers);
  }

  // Creates bank "hotline" holding `hashes` (PDQ) as an analyst would.
  void Publish(const std::vector<hash::PdqHash>& hashes,
               const std::string& bank = "hotline") {
    ClientResponse created = Post("/v1/banks", {{"name", bank}}, Auth(admin_));
    ASSERT_TRUE(created.status == 201 || created.status == 409) << created.body;
    if (hashes.empty()) return;
    json entries = json::array();
    for (const hash::PdqHash& h : hashes) {
      entries.push_back({{"kind", "pdq"},
                         {"value", h.ToHex()},
                         {"quality", 100},
                         {"category", "intimate_image"},
                         {"source_org", "hotline-fr"}});
    }
    ClientResponse added = Post("/v1/banks/" + bank + "/entries",
                                {{"entries", entries}}, Auth(analyst_));
    ASSERT_EQ(added.status, 201) << added.body;
  }

  json MatchPdq(const hash::PdqHash& query, const std::string& token) {
    ClientResponse response = Post(
        "/v1/match", {{"queries", {{{"pdq", query.ToHex()}}}}}, Auth(token));
    EXPECT_EQ(response.status, 200) << response.body;
    return response.Json();
  }

  std::filesystem::path dir_;
  store::SqliteDatabase database_;
  std::unique_ptr<Sealer> sealer_;
  std::unique_ptr<match::Matcher> matcher_;
  std::unique_ptr<Service> service_;
  std::unique_ptr<HttpServer> server_;
  std::string admin_, analyst_, platform_;
};

void ExpectJsonError(const ClientResponse& response, int status) {
  EXPECT_EQ(response.status, status) << response.body;
  const json body = response.Json();
  ASSERT_TRUE(body.is_object()) << response.body;
  EXPECT_TRUE(body["error"]["code"].is_string()) << response.body;
  EXPECT_TRUE(body["error"]["message"].is_string()) << response.body;
}

// A synthetic video: `count` frames of random content, one per second.
std::vector<hash::VpdqFrame> SyntheticVideo(std::mt19937_64& random,
                                            int count) {
  std::vector<hash::VpdqFrame> frames;
  for (int i = 0; i < count; ++i) {
    frames.push_back({.frame_number = i * 25,
                      .quality = 100,
                      .hash = rempart::testing::BalancedHash(random),
                      .timestamp_seconds = static_cast<double>(i)});
  }
  return frames;
}

json FramesArray(const std::vector<hash::VpdqFrame>& frames) {
  json out = json::array();
  for (const hash::VpdqFrame& frame : frames) {
    out.push_back({{"frame", frame.frame_number},
                   {"quality", frame.quality},
                   {"pdq", frame.hash.ToHex()},
                   {"timestamp", frame.timestamp_seconds}});
  }
  return out;
}

TEST_F(ServiceTest, ProbesAnswerWithoutAKey) {
  EXPECT_EQ(Get("/healthz").status, 200);
  EXPECT_EQ(Get("/readyz").status, 200);
  service_->SetReady(false);
  ExpectJsonError(Get("/readyz"), 503);
}

TEST_F(ServiceTest, TheOpenApiDocumentDescribesEveryRouteAndNoOther) {
  ClientResponse response = Get("/v1/openapi.json");
  ASSERT_EQ(response.status, 200);
  const json doc = response.Json();
  ASSERT_TRUE(doc.is_object());
  EXPECT_EQ(doc["openapi"].get<std::string>().substr(0, 2), "3.");
  std::set<std::string> documented;
  for (const auto& [path, operations] : doc["paths"].items()) {
    for (const auto& [method, operation] : operations.items()) {
      std::string upper = method;
      for (char& c : upper) c = static_cast<char>(std::toupper(c));
      documented.insert(upper + " " + path);
      EXPECT_TRUE(operation.contains("responses")) << method << " " << path;
    }
  }
  std::set<std::string> served;
  for (const RouteInfo& route : Service::Routes()) {
    served.insert(route.method + " " + route.pattern);
  }
  EXPECT_EQ(documented, served);
}

TEST_F(ServiceTest, PublishedHashesMatchWithinTheRadiusOnly) {
  std::mt19937_64 random(1);
  const hash::PdqHash published = rempart::testing::BalancedHash(random);
  Publish({published});
  json near =
      MatchPdq(rempart::testing::FlipBits(published, 31, random), platform_);
  ASSERT_EQ(near["results"].size(), 1u);
  ASSERT_EQ(near["results"][0]["matches"].size(), 1u) << near.dump();
  const json& hit = near["results"][0]["matches"][0];
  EXPECT_EQ(hit["bank"], "hotline");
  EXPECT_EQ(hit["distance"], 31);
  EXPECT_EQ(hit["category"], "intimate_image");
  EXPECT_EQ(hit["value"], published.ToHex());
  EXPECT_TRUE(hit["entry_id"].is_number_integer());
  json far =
      MatchPdq(rempart::testing::FlipBits(published, 32, random), platform_);
  EXPECT_TRUE(far["results"][0]["matches"].empty()) << far.dump();
}

TEST_F(ServiceTest, BatchesDihedralVariantsAndDigests) {
  std::mt19937_64 random(2);
  const hash::PdqHash a = rempart::testing::BalancedHash(random);
  const hash::PdqHash other = rempart::testing::BalancedHash(random);
  Publish({a});
  const std::string md5(32, 'a');
  ClientResponse added =
      Post("/v1/banks/hotline/entries",
           {{"entries",
             {{{"kind", "md5"}, {"value", md5}, {"category", "sextortion"}}}}},
           Auth(analyst_));
  ASSERT_EQ(added.status, 201) << added.body;
  ClientResponse response = Post(
      "/v1/match",
      {{"queries",
        {{{"pdq", {other.ToHex(), a.ToHex()}}},  // Variants of one picture.
         {{"pdq", other.ToHex()}},
         {{"md5", md5}},
         {{"sha256", std::string(64, 'b')}}}},
       {"radius", 10}},
      Auth(platform_));
  ASSERT_EQ(response.status, 200) << response.body;
  const json results = response.Json()["results"];
  ASSERT_EQ(results.size(), 4u);
  EXPECT_EQ(results[0]["matches"].size(), 1u);
  EXPECT_EQ(results[1]["matches"].size(), 0u);
  ASSERT_EQ(results[2]["matches"].size(), 1u);
  EXPECT_EQ(results[2]["matches"][0]["category"], "sextortion");
  EXPECT_EQ(results[3]["matches"].size(), 0u);
}

TEST_F(ServiceTest, HashAndMatchAnUploadedPhoto) {
  auto bytes =
      ReadFileBytes(rempart::testing::ConformancePath(kPhoto), 1 << 24);
  ASSERT_TRUE(bytes);
  hash::ImageHasher hasher;
  auto signals = hasher.Hash(*bytes);
  ASSERT_TRUE(signals);
  Publish({signals->pdq.hash});
  const std::string image(bytes->begin(), bytes->end());

  ClientResponse raw =
      rempart::testing::HttpRequest(server_->port(), "POST", "/v1/hash-match",
                                    image, Auth(platform_), "image/jpeg");
  ASSERT_EQ(raw.status, 200) << raw.body;
  json body = raw.Json();
  EXPECT_EQ(body["signals"]["pdq"], signals->pdq.hash.ToHex());
  ASSERT_EQ(body["matches"].size(), 1u);
  EXPECT_EQ(body["matches"][0]["distance"], 0);

  const std::string boundary = "XyZ0123";
  const std::string form =
      "--" + boundary +
      "\r\nContent-Disposition: form-data; name=\"image\"; "
      "filename=\"a.jpg\"\r\nContent-Type: image/jpeg\r\n\r\n" +
      image + "\r\n--" + boundary + "--\r\n";
  ClientResponse multipart = rempart::testing::HttpRequest(
      server_->port(), "POST", "/v1/hash-match?dihedral=true", form,
      Auth(platform_), "multipart/form-data; boundary=" + boundary);
  ASSERT_EQ(multipart.status, 200) << multipart.body;
  EXPECT_EQ(multipart.Json()["matches"].size(), 1u);

  ExpectJsonError(
      rempart::testing::HttpRequest(server_->port(), "POST", "/v1/hash-match",
                                    "this is not an image at all",
                                    Auth(platform_), "image/jpeg"),
      415);
  ExpectJsonError(
      rempart::testing::HttpRequest(server_->port(), "POST", "/v1/hash-match",
                                    image.substr(0, image.size() / 3),
                                    Auth(platform_), "image/jpeg"),
      415);
}

// Pictures published with their patch signatures, as a hotline would
// after `rempart hash --patches`; returns the entries' ids.
std::vector<std::int64_t> PublishWithPatches(
    const std::function<ClientResponse(const json&)>& post,
    const std::vector<std::uint64_t>& seeds) {
  json entries = json::array();
  for (std::uint64_t seed : seeds) {
    const media::Image picture = rempart::testing::TexturedPicture(seed);
    auto pdq = hash::PdqHasher().Hash(picture.view());
    EXPECT_TRUE(pdq);
    hash::PatchHasher hasher;
    auto signature = hasher.Sign(picture.view(), hash::BankPatchOptions());
    EXPECT_TRUE(signature);
    entries.push_back({{"kind", "pdq"},
                       {"value", pdq->hash.ToHex()},
                       {"patches", hash::FormatPatches(*signature)},
                       {"category", "intimate_image"},
                       {"source_org", "hotline-fr"}});
  }
  const ClientResponse added = post({{"entries", entries}});
  EXPECT_EQ(added.status, 201) << added.body;
  std::vector<std::int64_t> ids;
  const json body = added.Json();
  for (const json& id : body["added_ids"]) {
    ids.push_back(id.get<std::int64_t>());
  }
  return ids;
}

TEST_F(ServiceTest, TheSecondStageFindsAnUploadedCropWhenTurnedOn) {
  Publish({});
  const auto post = [&](const json& body) {
    return Post("/v1/banks/hotline/entries", body, Auth(analyst_));
  };
  const std::vector<std::int64_t> ids = PublishWithPatches(post, {71, 72, 73});
  ASSERT_EQ(ids.size(), 3u);
  EXPECT_THAT(Get("/metrics", Auth(admin_)).body,
              HasSubstr("rempart_index_entries{bank=\"hotline\",kind="
                        "\"patches\"} 3\n"));
  // The entry shows the signature in its shared form.
  const ClientResponse entry =
      Get("/v1/entries/" + std::to_string(ids[1]), Auth(analyst_));
  ASSERT_EQ(entry.status, 200) << entry.body;
  // Version 2: patches and centred crops.
  EXPECT_EQ(entry.Json()["patches"].get<std::string>().substr(0, 10),
            "0210000c00");

  const std::string crop = rempart::testing::Bmp(
      rempart::testing::Middle(rempart::testing::TexturedPicture(72)));
  const auto upload = [&](const std::string& target) {
    return rempart::testing::HttpRequest(server_->port(), "POST", target, crop,
                                         Auth(platform_), "image/bmp");
  };
  // Off by default: PDQ alone misses the crop, and asking is refused.
  ClientResponse plain = upload("/v1/hash-match");
  ASSERT_EQ(plain.status, 200) << plain.body;
  EXPECT_EQ(plain.Json()["robust"], false);
  EXPECT_EQ(plain.Json()["matches"].size(), 0u);
  ClientResponse refused = upload("/v1/hash-match?robust=1");
  ExpectJsonError(refused, 400);
  EXPECT_THAT(refused.body, HasSubstr("serve --robust"));

  ServiceConfig config;
  config.robust = true;
  Start(config);
  ClientResponse robust = upload("/v1/hash-match");
  ASSERT_EQ(robust.status, 200) << robust.body;
  json body = robust.Json();
  EXPECT_EQ(body["robust"], true);
  EXPECT_GT(body["signals"]["patches"].get<int>(), 10);
  ASSERT_EQ(body["matches"].size(), 1u) << robust.body;
  EXPECT_EQ(body["matches"][0]["entry_id"], ids[1]);
  EXPECT_EQ(body["matches"][0]["source_org"], "hotline-fr");
  EXPECT_GE(body["matches"][0]["patches"].get<int>(), config.min_patches);
  EXPECT_LE(body["matches"][0]["distance"].get<int>(), 40);
  EXPECT_FALSE(body["matches"][0].contains("crop"));
  // Asked for more agreeing patches than the crop has ([match]
  // min_patches): it is found by the entry's centred crop of 48 % instead.
  config.min_patches = 16;
  Start(config);
  json strict = upload("/v1/hash-match").Json();
  ASSERT_EQ(strict["matches"].size(), 1u) << strict.dump();
  EXPECT_EQ(strict["matches"][0]["entry_id"], ids[1]);
  EXPECT_LT(strict["matches"][0]["patches"].get<int>(), 16);
  EXPECT_EQ(strict["matches"][0]["crop"], 48);
  EXPECT_LE(strict["matches"][0]["distance"].get<int>(), 31);
  config.min_patches = ServiceConfig{}.min_patches;
  Start(config);
  // A call may leave it out.
  ClientResponse without = upload("/v1/hash-match?robust=0");
  ASSERT_EQ(without.status, 200) << without.body;
  EXPECT_EQ(without.Json()["matches"].size(), 0u);
  EXPECT_EQ(without.Json()["robust"], false);
  // The whole picture is a first-stage match: no "patches" on its hit.
  const std::string whole =
      rempart::testing::Bmp(rempart::testing::TexturedPicture(72));
  ClientResponse first =
      rempart::testing::HttpRequest(server_->port(), "POST", "/v1/hash-match",
                                    whole, Auth(platform_), "image/bmp");
  ASSERT_EQ(first.status, 200) << first.body;
  ASSERT_GE(first.Json()["matches"].size(), 1u);
  EXPECT_EQ(first.Json()["matches"][0]["distance"], 0);
  EXPECT_FALSE(first.Json()["matches"][0].contains("patches"));

  // Revoked: the second stage no longer finds it.
  const ClientResponse revoked =
      Post("/v1/entries/" + std::to_string(ids[1]) + "/revoke",
           {{"reason", "not the person"}}, Auth(analyst_));
  ASSERT_EQ(revoked.status, 200) << revoked.body;
  EXPECT_EQ(upload("/v1/hash-match").Json()["matches"].size(), 0u);
}

TEST_F(ServiceTest, BadPatchSignaturesAreRefusedWith400) {
  Publish({});
  const std::string pdq = std::string(64, 'a');
  // Refused when read (entries[0]), or by the store's rules (entry 0).
  for (const auto& [patches, kind, reason] :
       std::vector<std::tuple<std::string, std::string, std::string>>{
           {"zz", "pdq", "entries[0]: patches: character 1 is not a hex digit"},
           {"0310000c000000", "pdq", "entries[0]: patches: version 3"},
           {"0210000c000000", "pdq",
            "entries[0]: patches: 7 bytes, but 0 patches and a crop count"},
           {"01100010000000", "pdq", "entry 0: patches: a signature without"},
           {std::string(2 * hash::kMaxPatchesBytes + 2, '0'), "pdq",
            "entries[0]"},
       }) {
    const ClientResponse response = Post("/v1/banks/hotline/entries",
                                         {{"entries",
                                           {{{"kind", kind},
                                             {"value", pdq},
                                             {"patches", patches},
                                             {"category", "intimate_image"}}}}},
                                         Auth(analyst_));
    ExpectJsonError(response, 400);
    EXPECT_THAT(response.body, HasSubstr(reason));
  }
  // On a digest: refused by the store's rule.
  hash::PatchSignature signature{10, 10, std::vector<hash::Patch>(1)};
  signature.patches[0].side = 0.5f;
  const ClientResponse digest =
      Post("/v1/banks/hotline/entries",
           {{"entries",
             {{{"kind", "md5"},
               {"value", std::string(32, 'b')},
               {"patches", hash::FormatPatches(signature)},
               {"category", "intimate_image"}}}}},
           Auth(analyst_));
  ExpectJsonError(digest, 400);
  EXPECT_THAT(digest.body, HasSubstr("only meaningful for pdq"));
}

TEST_F(ServiceTest, VideosArePublishedAndMatchedByTheirFrames) {
  std::mt19937_64 random(31);
  const auto video = SyntheticVideo(random, 20);
  Publish({});
  const std::string name = store::Signal::Vpdq(video).hex();
  ClientResponse added = Post("/v1/banks/hotline/entries",
                              {{"entries",
                                {{{"kind", "vpdq"},
                                  {"frames", FramesArray(video)},
                                  {"category", "sextortion"},
                                  {"source_org", "hotline-fr"}}}}},
                              Auth(analyst_));
  ASSERT_EQ(added.status, 201) << added.body;
  // Sent again as the reference text, with its name: the same entry.
  ClientResponse again = Post("/v1/banks/hotline/entries",
                              {{"entries",
                                {{{"kind", "vpdq"},
                                  {"value", name},
                                  {"frames", hash::FormatVpdq(video)},
                                  {"category", "sextortion"}}}}},
                              Auth(analyst_));
  ASSERT_EQ(again.status, 200) << again.body;
  EXPECT_EQ(again.Json()["unchanged"], 1) << again.body;

  // A platform's copy: the middle half, each frame a few bits off.
  std::vector<hash::VpdqFrame> copy(video.begin() + 5, video.begin() + 15);
  for (hash::VpdqFrame& frame : copy) {
    frame.hash = rempart::testing::FlipBits(frame.hash, 10, random);
  }
  ClientResponse matched =
      Post("/v1/match", {{"queries", {{{"vpdq", hash::FormatVpdq(copy)}}}}},
           Auth(platform_));
  ASSERT_EQ(matched.status, 200) << matched.body;
  const json hits = matched.Json()["results"][0]["matches"];
  ASSERT_EQ(hits.size(), 1u) << matched.body;
  EXPECT_EQ(hits[0]["kind"], "vpdq");
  EXPECT_EQ(hits[0]["value"], name);
  EXPECT_EQ(hits[0]["query_percent"], 100.0);
  EXPECT_EQ(hits[0]["target_percent"], 50.0);
  EXPECT_EQ(hits[0]["query_frames"]["usable"], 10);
  EXPECT_EQ(hits[0]["target_frames"]["matched"], 10);
  EXPECT_EQ(hits[0]["distance"], 10);

  // Demanding most of the bank's video: the excerpt no longer matches.
  ClientResponse strict = Post("/v1/match",
                               {{"queries", {{{"vpdq", FramesArray(copy)}}}},
                                {"video", {{"target_percent", 80}}}},
                               Auth(platform_));
  ASSERT_EQ(strict.status, 200) << strict.body;
  EXPECT_TRUE(strict.Json()["results"][0]["matches"].empty());

  // A screenshot of second 12 finds the video and names the frame.
  const json still = MatchPdq(
      rempart::testing::FlipBits(video[12].hash, 4, random), platform_);
  ASSERT_EQ(still["results"][0]["matches"].size(), 1u);
  EXPECT_EQ(still["results"][0]["matches"][0]["frame"]["frame"], 300);
  EXPECT_EQ(still["results"][0]["matches"][0]["distance"], 4);

  // The entry lists its frames.
  const auto entry_id = hits[0]["entry_id"].get<std::int64_t>();
  ClientResponse entry =
      Get("/v1/entries/" + std::to_string(entry_id), Auth(analyst_));
  ASSERT_EQ(entry.status, 200) << entry.body;
  EXPECT_EQ(entry.Json()["frames"].size(), 20u);

  // Bad videos get a 400 naming the problem; too many frames a 413.
  for (const json& bad :
       {json{{"vpdq", "0,100,zz,0.000"}}, json{{"vpdq", json::array()}},
        json{{"vpdq", {{{"frame", 0}, {"quality", 100}}}}},
        json{{"vpdq",
              {{{"frame", 1},
                {"quality", 100},
                {"pdq", video[0].hash.ToHex()},
                {"timestamp", 0}},
               {{"frame", 1},
                {"quality", 100},
                {"pdq", video[1].hash.ToHex()},
                {"timestamp", 1}}}}}}) {
    ExpectJsonError(Post("/v1/match", {{"queries", {bad}}}, Auth(platform_)),
                    400);
  }
  ExpectJsonError(Post("/v1/match",
                       {{"queries", {{{"vpdq", FramesArray(copy)}}}},
                        {"video", {{"query_percent", 101}}}},
                       Auth(platform_)),
                  400);
  ExpectJsonError(Post("/v1/banks/hotline/entries",
                       {{"entries",
                         {{{"kind", "vpdq"},
                           {"value", std::string(64, 'a')},
                           {"frames", FramesArray(video)},
                           {"category", "sextortion"}}}}},
                       Auth(analyst_)),
                  400);
  ExpectJsonError(
      Post("/v1/banks/hotline/entries",
           {{"entries", {{{"kind", "vpdq"}, {"category", "sextortion"}}}}},
           Auth(analyst_)),
      400);
  std::string many;
  for (std::size_t i = 0; i <= hash::kMaxVpdqFrames / 2; ++i) {
    many += std::to_string(i) + ",100," + video[0].hash.ToHex() + ",0.000\n";
  }
  ExpectJsonError(
      Post("/v1/match", {{"queries", {{{"vpdq", many}}, {{"vpdq", many}}}}},
           Auth(platform_)),
      413);
}

TEST_F(ServiceTest, HashAndMatchAnUploadedVideo) {
  const std::string clips = REMPART_VIDEO_CLIPS_DIR;
  auto bytes = ReadFileBytes(clips + "/h264.mp4", 1 << 24);
  ASSERT_TRUE(bytes) << bytes.error().ToString()
                     << " (CTest's video_clips fixture makes the clips)";
  hash::VideoHasher hasher;
  auto signals = hasher.Hash(media::VideoSource::Memory(*bytes));
  ASSERT_TRUE(signals) << signals.error().ToString();
  Publish({});
  ClientResponse added = Post("/v1/banks/hotline/entries",
                              {{"entries",
                                {{{"kind", "vpdq"},
                                  {"frames", hash::FormatVpdq(signals->frames)},
                                  {"category", "intimate_image"}}}}},
                              Auth(analyst_));
  ASSERT_EQ(added.status, 201) << added.body;

  const std::string video(bytes->begin(), bytes->end());
  ClientResponse raw =
      rempart::testing::HttpRequest(server_->port(), "POST", "/v1/hash-match",
                                    video, Auth(platform_), "video/mp4");
  ASSERT_EQ(raw.status, 200) << raw.body;
  const json body = raw.Json();
  EXPECT_EQ(body["signals"]["vpdq"],
            store::Signal::Vpdq(signals->frames).hex());
  EXPECT_EQ(body["signals"]["frames"].size(), signals->frames.size());
  EXPECT_EQ(body["video"]["codec"], "h264");
  EXPECT_EQ(body["video"]["complete"], true);
  ASSERT_EQ(body["matches"].size(), 1u) << raw.body;
  EXPECT_EQ(body["matches"][0]["query_percent"], 100.0);
  EXPECT_EQ(body["matches"][0]["target_percent"], 100.0);

  // A truncated upload (the clip's index comes first) is hashed as far as
  // it decodes, and says so.
  ClientResponse cut = rempart::testing::HttpRequest(
      server_->port(), "POST", "/v1/hash-match",
      video.substr(0, video.size() / 2), Auth(platform_), "video/mp4");
  ASSERT_EQ(cut.status, 200) << cut.body;
  EXPECT_EQ(cut.Json()["video"]["complete"], false) << cut.body;
  EXPECT_FALSE(cut.Json()["video"]["problem"].get<std::string>().empty());
  EXPECT_LT(cut.Json()["signals"]["frames"].size(), signals->frames.size());
  // A container Rempart does not take, and bytes that are no video.
  auto ogg = ReadFileBytes(clips + "/theora.ogv", 1 << 24);
  ASSERT_TRUE(ogg);
  ExpectJsonError(
      rempart::testing::HttpRequest(server_->port(), "POST", "/v1/hash-match",
                                    std::string(ogg->begin(), ogg->end()),
                                    Auth(platform_), "video/ogg"),
      415);
  std::string fake = video.substr(0, 64) + std::string(4096, '\0');
  ExpectJsonError(
      rempart::testing::HttpRequest(server_->port(), "POST", "/v1/hash-match",
                                    fake, Auth(platform_), "video/mp4"),
      415);
}

TEST_F(ServiceTest, RevokedEntriesStopMatchingAtOnce) {
  std::mt19937_64 random(3);
  const hash::PdqHash published = rempart::testing::BalancedHash(random);
  Publish({published});
  json hits = MatchPdq(published, platform_);
  ASSERT_EQ(hits["results"][0]["matches"].size(), 1u);
  const auto id =
      hits["results"][0]["matches"][0]["entry_id"].get<std::int64_t>();
  ExpectJsonError(Post("/v1/entries/" + std::to_string(id) + "/revoke",
                       json::object(), Auth(analyst_)),
                  400);  // A reason is required.
  ClientResponse revoked = Post(
      "/v1/entries/" + std::to_string(id) + "/revoke",
      {{"reason", "public figure, consensual publication"}}, Auth(analyst_));
  ASSERT_EQ(revoked.status, 200) << revoked.body;
  EXPECT_EQ(revoked.Json()["status"], "revoked");
  EXPECT_TRUE(MatchPdq(published, platform_)["results"][0]["matches"].empty());
  ClientResponse entry =
      Get("/v1/entries/" + std::to_string(id), Auth(platform_));
  ASSERT_EQ(entry.status, 200);
  EXPECT_EQ(entry.Json()["revoke_reason"],
            "public figure, consensual publication");
}

TEST_F(ServiceTest, EachRoleDoesOnlyItsJob) {
  Publish({});
  struct Attempt {
    std::string method, target;
    json body;
  };
  const std::vector<Attempt> admin_only = {
      {"POST", "/v1/banks", {{"name", "x"}}},
      {"GET", "/v1/keys", {}},
      {"POST", "/v1/keys", {{"name", "x"}, {"role", "platform"}}},
      {"GET", "/metrics", {}},
  };
  const std::vector<Attempt> staff_only = {
      {"POST",
       "/v1/banks/hotline/entries",
       {{"entries",
         {{{"value", std::string(64, 'a')}, {"category", "synthetic"}}}}}},
      {"GET", "/v1/cases", {}},
      {"GET", "/v1/cases/RMP-0000-0000", {}},
      {"POST", "/v1/cases/RMP-0000-0000/status", {{"status", "in_review"}}},
  };
  auto call = [&](const Attempt& a, const std::string& token) {
    return a.method == "GET" ? Get(a.target, Auth(token))
                             : Post(a.target, a.body, Auth(token));
  };
  for (const Attempt& a : admin_only) {
    ExpectJsonError(call(a, platform_), 403);
    ExpectJsonError(call(a, analyst_), 403);
  }
  for (const Attempt& a : staff_only) ExpectJsonError(call(a, platform_), 403);
  // No key at all, or a bad one.
  ExpectJsonError(Post("/v1/match", {{"queries", json::array()}}), 401);
  std::string wrong = platform_;
  wrong.back() = wrong.back() == 'a' ? 'b' : 'a';
  ClientResponse bad =
      Post("/v1/match", {{"queries", json::array()}}, Auth(wrong));
  ExpectJsonError(bad, 401);
  EXPECT_EQ(bad.headers["www-authenticate"], "Bearer");
  ExpectJsonError(Get("/v1/banks"), 401);
}

TEST_F(ServiceTest, AVictimReportsAndFollowsOnlyTheirOwnCase) {
  std::mt19937_64 random(4);
  const hash::PdqHash photo = rempart::testing::BalancedHash(random);
  ClientResponse report = Post(
      "/v1/reports", {{"category", "sextortion"},
                      {"hashes", {{{"kind", "pdq"}, {"value", photo.ToHex()}}}},
                      {"contact", "alice@example.org"},
                      {"consent", true}});
  ASSERT_EQ(report.status, 201) << report.body;
  const std::string code = report.Json()["case_code"];
  const std::string secret = report.Json()["case_secret"];
  ClientResponse other =
      Post("/v1/reports",
           {{"category", "synthetic"},
            {"hashes", {{{"kind", "md5"}, {"value", std::string(32, 'c')}}}},
            {"consent", true}});
  ASSERT_EQ(other.status, 201);
  const std::string other_secret = other.Json()["case_secret"];

  ClientResponse mine = Get("/v1/cases/" + code, {{"X-Case-Secret", secret}});
  ASSERT_EQ(mine.status, 200) << mine.body;
  EXPECT_EQ(mine.Json()["status"], "received");
  EXPECT_EQ(mine.Json()["has_contact"], true);
  EXPECT_FALSE(mine.Json().contains("contact"));  // Not echoed back.
  EXPECT_EQ(mine.body.find("alice"), std::string::npos);

  ExpectJsonError(Get("/v1/cases/" + code, {{"X-Case-Secret", other_secret}}),
                  404);
  ExpectJsonError(Get("/v1/cases/" + code), 401);
  ExpectJsonError(Get("/v1/cases/RMP-0000-0000", {{"X-Case-Secret", secret}}),
                  404);
  ExpectJsonError(Get("/v1/cases/" + code, Auth(platform_)), 403);

  // The analyst sees the contact, moves the case on; the victim sees it.
  ClientResponse staff = Get("/v1/cases/" + code, Auth(analyst_));
  ASSERT_EQ(staff.status, 200);
  EXPECT_EQ(staff.Json()["contact"], "alice@example.org");
  ExpectJsonError(Post("/v1/cases/" + code + "/status",
                       {{"status", "rejected"}}, Auth(analyst_)),
                  400);  // Rejections need a reason.
  ASSERT_EQ(Post("/v1/cases/" + code + "/status", {{"status", "verified"}},
                 Auth(analyst_))
                .status,
            200);
  json followed = Get("/v1/cases/" + code, {{"X-Case-Secret", secret}}).Json();
  EXPECT_EQ(followed["status"], "verified");
  ASSERT_EQ(followed["history"].size(), 2u);
  EXPECT_FALSE(followed["history"][1].contains("actor"));

  // The contact is sealed in the store, not in the clear.
  std::ifstream file(dir_ / "rempart.db", std::ios::binary);
  const std::string bytes((std::istreambuf_iterator<char>(file)), {});
  EXPECT_EQ(bytes.find("alice@example.org"), std::string::npos);
}

TEST_F(ServiceTest, StaffListCasesByStatusAndPage) {
  std::vector<std::string> codes;
  for (int i = 0; i < 3; ++i) {
    ClientResponse report = Post(
        "/v1/reports",
        {{"category", "intimate_image"},
         {"hashes",
          {{{"kind", "md5"}, {"value", std::string(31, 'a') + char('0' + i)}}}},
         {"contact", "someone@example.org"},
         {"consent", true}});
    ASSERT_EQ(report.status, 201) << report.body;
    codes.push_back(report.Json()["case_code"]);
  }
  ASSERT_EQ(Post("/v1/cases/" + codes[1] + "/status", {{"status", "in_review"}},
                 Auth(analyst_))
                .status,
            200);
  ClientResponse all = Get("/v1/cases", Auth(analyst_));
  ASSERT_EQ(all.status, 200) << all.body;
  ASSERT_EQ(all.Json()["cases"].size(), 3u);
  EXPECT_EQ(all.Json()["cases"][0]["code"], codes[0]);  // Oldest first.
  EXPECT_EQ(all.body.find("someone@"),
            std::string::npos);  // No contacts in lists.
  ClientResponse received = Get("/v1/cases?status=received", Auth(analyst_));
  ASSERT_EQ(received.Json()["cases"].size(), 2u);
  const auto first_id = all.Json()["cases"][0]["id"].get<std::int64_t>();
  ClientResponse page =
      Get("/v1/cases?limit=1&after=" + std::to_string(first_id), Auth(admin_));
  ASSERT_EQ(page.Json()["cases"].size(), 1u);
  EXPECT_EQ(page.Json()["cases"][0]["code"], codes[1]);
  ExpectJsonError(Get("/v1/cases?status=lost", Auth(analyst_)), 400);
  ExpectJsonError(Get("/v1/cases?limit=-1", Auth(analyst_)), 400);
}

TEST_F(ServiceTest, BadInputGetsAFourHundredWithAJsonBody) {
  const std::uint16_t port = server_->port();
  auto raw = [&](const std::string& body,
                 const std::string& type = "application/json") {
    return rempart::testing::HttpRequest(port, "POST", "/v1/match", body,
                                         Auth(platform_), type);
  };
  ExpectJsonError(raw("{not json"), 400);
  ExpectJsonError(raw(std::string(10000, '[') + std::string(10000, ']')), 400);
  ExpectJsonError(raw("[1,2]"), 400);
  ExpectJsonError(raw("{\"queries\":[{\"pdq\":\"zz\"}]}"), 400);
  ExpectJsonError(raw("{\"queries\":[{\"pdq\":\"" + std::string(64, 'a') +
                      "\"}],\"radius\":65}"),
                  400);
  ExpectJsonError(raw("{\"queries\":[{\"pdq\":\"" + std::string(64, 'a') +
                      "\"}],\"extra\":1}"),
                  400);
  ExpectJsonError(raw("{\"queries\":[{\"xyz\":\"00\"}]}"), 400);
  ExpectJsonError(raw("{\"queries\":[]}"), 400);
  ExpectJsonError(
      raw("{\"queries\":[{\"pdq\":\"" + std::string(64, 'a') + "\"}]}",
          "text/plain"),
      415);
  ExpectJsonError(raw("{\"queries\":[{\"pdq\":\"" + std::string(64, 'a') +
                      "\"}],\"banks\":[\"nope\"]}"),
                  404);
  ExpectJsonError(raw("{\"a\":\"\xff\xfe\"}"), 400);
  ExpectJsonError(Get("/v1/nothing-here", Auth(platform_)), 404);
  ClientResponse wrong_method = Get("/v1/match", Auth(platform_));
  ExpectJsonError(wrong_method, 405);
  EXPECT_EQ(wrong_method.headers["allow"], "POST");
  ExpectJsonError(Get("/v1/entries/abc", Auth(platform_)), 404);
  ExpectJsonError(Get("/v1/banks/..", Auth(platform_)), 400);
  // Low-quality PDQ hashes are not published.
  ASSERT_EQ(Post("/v1/banks", {{"name", "b"}}, Auth(admin_)).status, 201);
  ClientResponse low = Post("/v1/banks/b/entries",
                            {{"entries",
                              {{{"value", std::string(64, 'a')},
                                {"quality", 10},
                                {"category", "synthetic"}}}}},
                            Auth(analyst_));
  ExpectJsonError(low, 400);
  EXPECT_THAT(low.body, HasSubstr("entries[0]"));
}

TEST_F(ServiceTest, OversizedBodiesAreRefusedWith413) {
  ServiceConfig config;
  config.max_json_bytes = 4096;
  Start(config);
  json queries = json::array();
  for (int i = 0; i < 100; ++i)
    queries.push_back({{"pdq", std::string(64, 'a')}});
  ExpectJsonError(Post("/v1/match", {{"queries", queries}}, Auth(platform_)),
                  413);
  config.max_json_bytes = 1 << 20;
  config.max_batch = 10;
  Start(config);
  ExpectJsonError(Post("/v1/match", {{"queries", queries}}, Auth(platform_)),
                  413);
}

TEST_F(ServiceTest, KeysAreRateLimited) {
  const std::string slow = AddKey(store::Role::kPlatform, 1);  // Burst of 2.
  Start();
  int limited = 0;
  ClientResponse last;
  for (int i = 0; i < 5; ++i) {
    last = Get("/v1/banks", Auth(slow));
    if (last.status == 429) {
      ++limited;
      EXPECT_GE(std::stoi(last.headers["retry-after"]), 1);
    }
  }
  EXPECT_GE(limited, 2);
  EXPECT_EQ(Get("/v1/banks", Auth(platform_)).status,
            200);  // Others unaffected.
}

TEST_F(ServiceTest, BehindATrustedProxyVictimsAreLimitedByTheirOwnAddress) {
  ServiceConfig config;
  config.anonymous_rate_per_second = 0.01;  // A burst of 1, then wait.
  config.trust_proxy_header = true;
  Start(config);
  auto report = [&](const std::string& address) {
    return Post(
        "/v1/reports",
        {{"category", "synthetic"},
         {"hashes", {{{"kind", "md5"}, {"value", std::string(32, 'e')}}}},
         {"consent", true}},
        {{"X-Real-IP", address}});
  };
  EXPECT_EQ(report("203.0.113.7").status, 201);
  ExpectJsonError(report("203.0.113.7"), 429);
  EXPECT_EQ(report("198.51.100.9").status, 201);  // Someone else: not limited.
  // Without trust, the header is ignored: everyone is the proxy's address.
  config.trust_proxy_header = false;
  Start(config);
  EXPECT_EQ(report("203.0.113.7").status, 201);
  ExpectJsonError(report("198.51.100.9"), 429);
}

TEST_F(ServiceTest, AdminsIssueAndRevokeKeysThatWorkAtOnce) {
  ClientResponse issued = Post(
      "/v1/keys", {{"name", "Platform X"}, {"role", "platform"}}, Auth(admin_));
  ASSERT_EQ(issued.status, 201) << issued.body;
  const std::string token = issued.Json()["key"];
  const std::string id = issued.Json()["key_id"];
  EXPECT_EQ(Get("/v1/banks", Auth(token)).status, 200);
  ClientResponse listed = Get("/v1/keys", Auth(admin_));
  ASSERT_EQ(listed.status, 200);
  EXPECT_EQ(listed.body.find(token.substr(17)),
            std::string::npos);  // No secrets.
  ASSERT_EQ(rempart::testing::HttpRequest(server_->port(), "POST",
                                          "/v1/keys/" + id + "/revoke", "",
                                          Auth(admin_))
                .status,
            200);
  ExpectJsonError(Get("/v1/banks", Auth(token)), 401);
}

TEST_F(ServiceTest, EveryMutationIsAuditedWithItsCaller) {
  std::mt19937_64 random(5);
  Publish({rempart::testing::BalancedHash(random)});
  ASSERT_EQ(
      Post("/v1/reports",
           {{"category", "intimate_image"},
            {"hashes", {{{"kind", "md5"}, {"value", std::string(32, 'd')}}}},
            {"consent", true}})
          .status,
      201);
  const std::vector<std::string> seen = AuditedActions();
  EXPECT_THAT(seen, ::testing::Contains("bank.create key:" + KeyId(admin_)));
  EXPECT_THAT(seen, ::testing::Contains("entries.add key:" + KeyId(analyst_)));
  EXPECT_THAT(seen, ::testing::Contains(
                        ::testing::StartsWith("case.create case:RMP-")));
  auto verified = database_.audit->VerifyAudit();
  ASSERT_TRUE(verified);
  EXPECT_TRUE(verified->ok()) << verified->problem;
}

TEST_F(ServiceTest, MetricsCountRequestsPerRoute) {
  Get("/healthz");
  Get("/v1/banks", Auth(platform_));
  ClientResponse metrics = Get("/metrics", Auth(admin_));
  ASSERT_EQ(metrics.status, 200);
  EXPECT_THAT(metrics.headers["content-type"], HasSubstr("text/plain"));
  EXPECT_THAT(metrics.body,
              HasSubstr("rempart_http_requests_total{method=\"GET\","
                        "route=\"/v1/banks\",code=\"200\"} 1"));
  EXPECT_THAT(metrics.body,
              HasSubstr("rempart_http_request_duration_seconds_bucket"));
  EXPECT_THAT(metrics.body, HasSubstr("rempart_api_keys 3"));
}

TEST_F(ServiceTest, ConcurrentSubmitsAndMatchesAllSucceed) {
  ASSERT_EQ(Post("/v1/banks", {{"name", "hotline"}}, Auth(admin_)).status, 201);
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  constexpr int kWriters = 3, kBatches = 10, kPerBatch = 20;
  for (int w = 0; w < kWriters; ++w) {
    threads.emplace_back([&, w] {
      std::mt19937_64 random(100 + w);
      for (int b = 0; b < kBatches; ++b) {
        json entries = json::array();
        for (int i = 0; i < kPerBatch; ++i) {
          entries.push_back(
              {{"value", rempart::testing::BalancedHash(random).ToHex()},
               {"category", "intimate_image"}});
        }
        if (Post("/v1/banks/hotline/entries", {{"entries", entries}},
                 Auth(analyst_))
                .status != 201) {
          ++failures;
        }
      }
    });
  }
  for (int r = 0; r < 3; ++r) {
    threads.emplace_back([&, r] {
      std::mt19937_64 random(200 + r);
      HttpConnection connection(server_->port());
      for (int i = 0; i < 100; ++i) {
        json body = {
            {"queries",
             {{{"pdq", rempart::testing::BalancedHash(random).ToHex()}}}}};
        if (connection.Send("POST", "/v1/match", body.dump(), Auth(platform_))
                .status != 200) {
          ++failures;
        }
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
  ClientResponse bank = Get("/v1/banks/hotline", Auth(platform_));
  EXPECT_EQ(bank.Json()["active"]["pdq"], kWriters * kBatches * kPerBatch);
}

// --- Web pages ---------------------------------------------------------------

TEST_F(ServiceTest, WebPagesAreServedBesideTheApi) {
  const std::filesystem::path root = dir_ / "web";
  auto write = [](const std::filesystem::path& path, const std::string& text) {
    std::filesystem::create_directories(path.parent_path());
    std::ofstream(path, std::ios::binary) << text;
  };
  write(root / "index.html", "<!doctype html><title>Rempart</title>");
  write(root / "console" / "index.html",
        "<!doctype html><title>Console</title>");
  write(root / "js" / "app.js", "export {};");
  write(root / "wasm" / "rempart-hash.wasm", std::string("\0asm", 4));
  write(dir_ / "secret.txt", "not for the web");
  std::filesystem::create_symlink(dir_ / "secret.txt", root / "secret.txt");
  ServiceConfig config;
  config.web_root = root;
  config.anonymous_rate_per_second = 0.01;  // One anonymous API call, then 429.
  Start(config);

  ClientResponse page = Get("/");
  ASSERT_EQ(page.status, 200) << page.body;
  EXPECT_EQ(page.headers["content-type"], "text/html; charset=utf-8");
  EXPECT_EQ(page.headers["content-security-policy"],
            "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; "
            "worker-src 'self'; connect-src 'self'; img-src 'self'; "
            "style-src 'self'; font-src 'self'; manifest-src 'self'; "
            "base-uri 'none'; form-action 'none'; frame-ancestors 'none'");
  EXPECT_EQ(page.headers["x-content-type-options"], "nosniff");
  EXPECT_EQ(page.headers["referrer-policy"], "no-referrer");
  EXPECT_EQ(page.headers["x-frame-options"], "DENY");
  EXPECT_EQ(page.headers["cross-origin-opener-policy"], "same-origin");
  EXPECT_EQ(page.headers["cross-origin-resource-policy"], "same-origin");
  EXPECT_EQ(page.headers["permissions-policy"],
            "camera=(), microphone=(), geolocation=(), interest-cohort=()");
  EXPECT_EQ(page.headers["cache-control"], "no-cache");
  EXPECT_EQ(Get("/js/app.js").headers["content-type"],
            "text/javascript; charset=utf-8");
  EXPECT_EQ(Get("/wasm/rempart-hash.wasm").headers["content-type"],
            "application/wasm");
  ClientResponse moved = Get("/console");
  EXPECT_EQ(moved.status, 308);
  EXPECT_EQ(moved.headers["location"], "/console/");
  EXPECT_NE(Get("/console/").body.find("Console"), std::string::npos);

  // Revalidation, and HEAD.
  const std::string etag = page.headers["etag"];
  ASSERT_FALSE(etag.empty());
  ClientResponse cached = Get("/", {{"If-None-Match", etag}});
  EXPECT_EQ(cached.status, 304);
  EXPECT_TRUE(cached.body.empty());
  ClientResponse head =
      rempart::testing::HttpRequest(server_->port(), "HEAD", "/index.html");
  EXPECT_EQ(head.status, 200);
  EXPECT_EQ(head.headers["etag"], etag);

  // Nothing outside the root, however the path is spelt.
  for (const char* target :
       {"/../secret.txt", "/%2e%2e/secret.txt", "/js/%2E%2E/%2e%2e/secret.txt",
        "//etc/passwd", "/secret.txt", "/js/../../secret.txt",
        "/%2fetc%2fpasswd"}) {
    ClientResponse refused = Get(target);
    EXPECT_TRUE(refused.status == 404 || refused.status == 400)
        << target << " " << refused.status;
    EXPECT_EQ(refused.body.find("not for the web"), std::string::npos);
  }
  EXPECT_EQ(Get("/index.html%00.txt").status, 400);
  ExpectJsonError(Get("/nothing.html"), 404);
  ClientResponse post =
      rempart::testing::HttpRequest(server_->port(), "POST", "/index.html");
  ExpectJsonError(post, 405);
  EXPECT_EQ(post.headers["allow"], "GET, HEAD");

  // The API keeps its JSON 404s and its own headers.
  ClientResponse api = Get("/v1/nothing-here", Auth(platform_));
  ExpectJsonError(api, 404);
  EXPECT_EQ(api.headers["cache-control"], "no-store");
  EXPECT_EQ(api.headers["x-content-type-options"], "nosniff");
  ClientResponse banks = Get("/v1/banks", Auth(platform_));
  EXPECT_EQ(banks.headers["cache-control"], "no-store");
  EXPECT_EQ(banks.headers.count("content-security-policy"), 0u);

  // A page load of many files leaves the anonymous API budget alone.
  for (int i = 0; i < 20; ++i) ASSERT_EQ(Get("/js/app.js").status, 200) << i;
  EXPECT_EQ(
      Post("/v1/reports",
           {{"category", "synthetic"},
            {"consent", true},
            {"hashes", {{{"kind", "md5"}, {"value", std::string(32, 'f')}}}}})
          .status,
      201);

  ClientResponse metrics = Get("/metrics", Auth(admin_));
  EXPECT_THAT(metrics.body,
              HasSubstr("rempart_http_requests_total{method=\"GET\","
                        "route=\"static\",code=\"200\"}"));
}

TEST_F(ServiceTest, AMissingWebRootIsNotFatal) {
  ServiceConfig config;
  config.web_root = dir_ / "no-such-web";
  Start(config);
  ExpectJsonError(Get("/"), 404);
  EXPECT_EQ(Get("/healthz").status, 200);
}

// --- Triage ------------------------------------------------------------------

class TriageTest : public ServiceTest {
 protected:
  struct Report {
    std::string code;
    std::string secret;
  };
  Report Submit(const json& hashes,
                const std::string& category = "intimate_image",
                const Headers& headers = {}) {
    ClientResponse created = Post("/v1/reports",
                                  {{"category", category},
                                   {"hashes", hashes},
                                   {"consent", true},
                                   {"language", "fr"},
                                   {"contact", "victim@example.org"}},
                                  headers);
    EXPECT_EQ(created.status, 201) << created.body;
    return {created.Json().value("case_code", ""),
            created.Json().value("case_secret", "")};
  }
  json Victim(const Report& report) {
    ClientResponse got =
        Get("/v1/cases/" + report.code, {{"X-Case-Secret", report.secret}});
    EXPECT_EQ(got.status, 200) << got.body;
    return got.Json();
  }
  json Staff(const std::string& code) {
    ClientResponse got = Get("/v1/cases/" + code, Auth(analyst_));
    EXPECT_EQ(got.status, 200) << got.body;
    return got.Json();
  }
  ClientResponse Act(const std::string& code, const std::string& action,
                     const json& body, const std::string& token) {
    return Post("/v1/cases/" + code + "/" + action, body, Auth(token));
  }
  // The victim's view names no one and keeps staff matters out.
  void ExpectNothingForStaffOnly(const ClientResponse& response) {
    for (const std::string& hidden :
         {std::string("actor"), std::string("note"), std::string("\"contact\""),
          std::string("victim@example.org"), std::string("replies"),
          std::string("\"entries\""), std::string("\"items\""),
          std::string("\"channel\""), KeyId(platform_), KeyId(analyst_),
          std::string("staff says")}) {
      EXPECT_EQ(response.body.find(hidden), std::string::npos)
          << hidden << " in " << response.body;
    }
  }
};

TEST_F(TriageTest, AReportedSignatureFindsACropOnceVerified) {
  ServiceConfig config;
  config.robust = true;
  Start(config);
  Publish({});
  // What the victim page sends for one photo: its hashes, and its patch
  // signature beside the PDQ hash.
  const media::Image picture = rempart::testing::TexturedPicture(81);
  auto pdq = hash::PdqHasher().Hash(picture.view());
  ASSERT_TRUE(pdq);
  hash::PatchHasher hasher;
  auto signature = hasher.Sign(picture.view(), hash::BankPatchOptions());
  ASSERT_TRUE(signature);
  const std::string patches = hash::FormatPatches(*signature);
  // A signature on anything but a PDQ hash, or one that does not parse,
  // is refused with the item named.
  ClientResponse wrong =
      Post("/v1/reports", {{"category", "intimate_image"},
                           {"consent", true},
                           {"hashes",
                            {{{"kind", "md5"},
                              {"value", std::string(32, '1')},
                              {"patches", patches}}}}});
  ExpectJsonError(wrong, 400);
  EXPECT_THAT(wrong.body, HasSubstr("hashes[0]: 'patches' is for pdq hashes"));
  ClientResponse broken = Post(
      "/v1/reports",
      {{"category", "intimate_image"},
       {"consent", true},
       {"hashes",
        {{{"kind", "pdq"}, {"value", pdq->hash.ToHex()}, {"patches", "01"}}}}});
  ExpectJsonError(broken, 400);
  EXPECT_THAT(broken.body, HasSubstr("hashes[0]: patches:"));

  const Report report = Submit(
      {{{"kind", "pdq"}, {"value", pdq->hash.ToHex()}, {"patches", patches}}});
  // Staff see that the picture came with a signature; the victim's view
  // stays as it was.
  EXPECT_EQ(Staff(report.code)["hashes"][0]["patches"], patches);
  EXPECT_FALSE(Victim(report)["hashes"][0].contains("patches"));

  const std::string crop = rempart::testing::Bmp(
      rempart::testing::Middle(rempart::testing::TexturedPicture(81)));
  const auto upload = [&] {
    return rempart::testing::HttpRequest(server_->port(), "POST",
                                         "/v1/hash-match", crop,
                                         Auth(platform_), "image/bmp");
  };
  EXPECT_EQ(upload().Json()["matches"].size(), 0u);  // Not verified yet.
  ClientResponse verified =
      Act(report.code, "verify", {{"bank", "hotline"}}, analyst_);
  ASSERT_EQ(verified.status, 200) << verified.body;
  const auto entry_id =
      verified.Json()["published"]["entries"][0].get<std::int64_t>();
  EXPECT_EQ(Get("/v1/entries/" + std::to_string(entry_id), Auth(analyst_))
                .Json()["patches"],
            patches);

  // The platform's upload of the crop finds it, and the victim sees one
  // match.
  const ClientResponse found = upload();
  ASSERT_EQ(found.status, 200) << found.body;
  ASSERT_EQ(found.Json()["matches"].size(), 1u) << found.body;
  EXPECT_EQ(found.Json()["matches"][0]["entry_id"], entry_id);
  EXPECT_GE(found.Json()["matches"][0]["patches"].get<int>(), 2);
  EXPECT_EQ(Victim(report)["outcomes"]["matches"], 1);
}

TEST_F(TriageTest, VerifiedHashesMatchAtOnceAndTheVictimSeesTheMatch) {
  std::mt19937_64 random(11);
  const hash::PdqHash photo = rempart::testing::BalancedHash(random);
  const std::string md5(32, '7');
  Publish({});  // Bank "hotline", empty.
  // Consent is required of a victim.
  ClientResponse refused =
      Post("/v1/reports", {{"category", "sextortion"},
                           {"hashes", {{{"kind", "md5"}, {"value", md5}}}}});
  ExpectJsonError(refused, 400);
  EXPECT_EQ(refused.Json()["error"]["code"], "consent_required");
  ExpectJsonError(
      Post("/v1/reports", {{"category", "sextortion"},
                           {"consent", "yes"},
                           {"hashes", {{{"kind", "md5"}, {"value", md5}}}}}),
      400);

  const Report report = Submit({{{"kind", "pdq"}, {"value", photo.ToHex()}},
                                {{"kind", "md5"}, {"value", md5}}});
  json before = Victim(report);
  EXPECT_EQ(before["status"], "received");
  EXPECT_EQ(before["language"], "fr");
  EXPECT_TRUE(before["published"].is_null());
  EXPECT_EQ(before["outcomes"]["matches"], 0);
  EXPECT_TRUE(before["outcomes"]["last_at_ms"].is_null());
  EXPECT_TRUE(
      MatchPdq(photo, platform_)["results"][0]["matches"].empty());  // Not yet.

  ClientResponse reviewed = Act(report.code, "review",
                                {{"note", "staff says: looks real"}}, analyst_);
  ASSERT_EQ(reviewed.status, 200) << reviewed.body;
  EXPECT_EQ(reviewed.Json()["status"], "in_review");
  ExpectJsonError(Act(report.code, "verify", {{"bank", "nope"}}, analyst_),
                  404);
  ExpectJsonError(Act(report.code, "verify", json::object(), analyst_), 400);
  ClientResponse verified = Act(
      report.code, "verify",
      {{"bank", "hotline"}, {"note", "staff says: checked twice"}}, analyst_);
  ASSERT_EQ(verified.status, 200) << verified.body;
  const json staff_view = verified.Json();
  EXPECT_EQ(staff_view["status"], "verified");
  ASSERT_EQ(staff_view["published"]["entries"].size(), 2u);
  ClientResponse again =
      Act(report.code, "verify", {{"bank", "hotline"}}, analyst_);
  ExpectJsonError(again, 409);
  EXPECT_EQ(again.Json()["error"]["code"], "already_verified");
  ExpectJsonError(
      Act(report.code, "reject", {{"reason_code", "other"}}, analyst_), 409);

  // The entries are in the bank with the case's category and code.
  const auto entry_id =
      staff_view["published"]["entries"][0].get<std::int64_t>();
  json entry =
      Get("/v1/entries/" + std::to_string(entry_id), Auth(platform_)).Json();
  EXPECT_EQ(entry["external_id"], report.code);
  EXPECT_EQ(entry["source_org"], "rempart");
  EXPECT_EQ(entry["category"], "intimate_image");

  // A platform finds them at once; the victim sees one match, however
  // often it is asked.
  json hits =
      MatchPdq(rempart::testing::FlipBits(photo, 10, random), platform_);
  ASSERT_EQ(hits["results"][0]["matches"].size(), 1u) << hits.dump();
  MatchPdq(photo, platform_);
  MatchPdq(photo, analyst_);  // Staff checking is not a platform's match.
  ClientResponse victim_response =
      Get("/v1/cases/" + report.code, {{"X-Case-Secret", report.secret}});
  ASSERT_EQ(victim_response.status, 200);
  const json after = victim_response.Json();
  EXPECT_EQ(after["status"], "verified");
  EXPECT_EQ(after["published"]["bank"], "hotline");
  EXPECT_EQ(after["published"]["platforms"], 1);
  EXPECT_EQ(after["outcomes"]["matches"], 1);
  EXPECT_EQ(after["outcomes"]["removals"], 0);
  EXPECT_TRUE(after["outcomes"]["last_at_ms"].is_number_integer());
  ExpectNothingForStaffOnly(victim_response);
  ASSERT_EQ(after["history"].size(), 3u);
  EXPECT_EQ(after["history"][2]["step"], "verify");

  // The MD5 matches too: a second entry, a second match.
  ClientResponse digest =
      Post("/v1/match", {{"queries", {{{"md5", md5}}}}}, Auth(platform_));
  ASSERT_EQ(digest.Json()["results"][0]["matches"].size(), 1u);
  EXPECT_EQ(Victim(report)["outcomes"]["matches"], 2);

  // Removals are reported per entry, each time.
  const std::string outcome_path =
      "/v1/entries/" + std::to_string(entry_id) + "/outcome";
  ExpectJsonError(Post(outcome_path, {{"outcome", "deleted"}}, Auth(platform_)),
                  400);
  ExpectJsonError(Post(outcome_path, {{"outcome", "removed"}}), 401);
  ClientResponse removed =
      Post(outcome_path, {{"outcome", "removed"}}, Auth(platform_));
  ASSERT_EQ(removed.status, 200) << removed.body;
  EXPECT_EQ(removed.Json()["recorded"], true);
  EXPECT_EQ(Victim(report)["outcomes"]["removals"], 1);
  json staff_after = Staff(report.code);
  ASSERT_EQ(staff_after["outcomes"]["items"].size(), 3u);
  EXPECT_EQ(staff_after["outcomes"]["items"][0]["platform"], KeyId(platform_));
  EXPECT_EQ(staff_after["history"][1]["note"], "staff says: looks real");
  EXPECT_EQ(staff_after["contact"], "victim@example.org");
  // An entry published by hand has no case.
  std::mt19937_64 other(12);
  Publish({rempart::testing::BalancedHash(other)});
  std::mt19937_64 same(12);
  const auto manual = MatchPdq(rempart::testing::BalancedHash(same), platform_);
  ASSERT_EQ(manual["results"][0]["matches"].size(), 1u);
  const auto manual_id =
      manual["results"][0]["matches"][0]["entry_id"].get<std::int64_t>();
  ExpectJsonError(Post("/v1/entries/" + std::to_string(manual_id) + "/outcome",
                       {{"outcome", "blocked"}}, Auth(platform_)),
                  404);

  // Every step is audited with its caller, and the chain holds.
  const std::vector<std::string> seen = AuditedActions();
  EXPECT_THAT(seen, ::testing::Contains("case.review key:" + KeyId(analyst_)));
  EXPECT_THAT(seen, ::testing::Contains("case.verify key:" + KeyId(analyst_)));
  EXPECT_THAT(seen, ::testing::Contains("entries.add key:" + KeyId(analyst_)));
  EXPECT_EQ(std::count(seen.begin(), seen.end(),
                       "case.outcome key:" + KeyId(platform_)),
            3);
  auto chain = database_.audit->VerifyAudit();
  ASSERT_TRUE(chain);
  EXPECT_TRUE(chain->ok()) << chain->problem;
  EXPECT_TRUE(database_.store->CheckIntegrity().ok());
}

TEST_F(TriageTest, OutcomesSurviveARestart) {
  std::mt19937_64 random(13);
  const hash::PdqHash photo = rempart::testing::BalancedHash(random);
  Publish({});
  const Report report = Submit({{{"kind", "pdq"}, {"value", photo.ToHex()}}});
  ASSERT_EQ(Act(report.code, "verify", {{"bank", "hotline"}}, analyst_).status,
            200);
  Start();  // A new service over the same store: the match is still known.
  MatchPdq(photo, platform_);
  MatchPdq(photo, platform_);
  EXPECT_EQ(Victim(report)["outcomes"]["matches"], 1);
}

TEST_F(TriageTest, AReportedVideoIsVerifiedAndThenMatches) {
  std::mt19937_64 random(41);
  const auto video = SyntheticVideo(random, 12);
  Publish({});
  const Report report =
      Submit({{{"kind", "vpdq"}, {"frames", hash::FormatVpdq(video)}},
              {{"kind", "md5"}, {"value", std::string(32, 'c')}}},
             "sextortion");
  // The victim sees the video by its name; staff also see its frames.
  const json mine = Victim(report);
  bool named = false;
  for (const json& item : mine["hashes"]) {
    if (item["kind"] == "vpdq") {
      named = item["value"] == store::Signal::Vpdq(video).hex();
      EXPECT_FALSE(item.contains("frames"));
    }
  }
  EXPECT_TRUE(named) << mine.dump();
  const json staff = Staff(report.code);
  bool framed = false;
  for (const json& item : staff["hashes"]) {
    if (item["kind"] == "vpdq") framed = item["frames"].size() == 12u;
  }
  EXPECT_TRUE(framed) << staff.dump();

  // Not matchable before it is verified, matchable at once after.
  const json query = {{"queries", {{{"vpdq", FramesArray(video)}}}}};
  EXPECT_TRUE(Post("/v1/match", query, Auth(platform_))
                  .Json()["results"][0]["matches"]
                  .empty());
  ClientResponse verified =
      Act(report.code, "verify", {{"bank", "hotline"}}, analyst_);
  ASSERT_EQ(verified.status, 200) << verified.body;
  ClientResponse matched = Post("/v1/match", query, Auth(platform_));
  ASSERT_EQ(matched.status, 200) << matched.body;
  ASSERT_EQ(matched.Json()["results"][0]["matches"].size(), 1u) << matched.body;
  EXPECT_EQ(matched.Json()["results"][0]["matches"][0]["category"],
            "sextortion");
  // The victim sees the match.
  EXPECT_EQ(Victim(report)["outcomes"]["matches"], 1);
  // Staff find the case by the video's name.
  ClientResponse found =
      Get("/v1/cases?q=" + store::Signal::Vpdq(video).hex(), Auth(analyst_));
  ASSERT_EQ(found.status, 200) << found.body;
  ASSERT_EQ(found.Json()["cases"].size(), 1u) << found.body;

  // A video without frames, or frames on a photo's hash, is refused.
  ExpectJsonError(Post("/v1/reports", {{"category", "sextortion"},
                                       {"consent", true},
                                       {"hashes", {{{"kind", "vpdq"}}}}}),
                  400);
  ExpectJsonError(Post("/v1/reports", {{"category", "sextortion"},
                                       {"consent", true},
                                       {"hashes",
                                        {{{"kind", "md5"},
                                          {"value", std::string(32, 'c')},
                                          {"frames", FramesArray(video)}}}}}),
                  400);
}

TEST_F(TriageTest, RejectionsCarryAReasonCodeAndAMessage) {
  const Report report =
      Submit({{{"kind", "md5"}, {"value", std::string(32, '1')}}});
  ExpectJsonError(
      Act(report.code, "reject", {{"reason_code", "boring"}}, analyst_), 400);
  ExpectJsonError(Act(report.code, "reject", json::object(), analyst_), 400);
  ExpectJsonError(Act(report.code, "reject",
                      {{"reason_code", "other"}, {"extra", 1}}, analyst_),
                  400);
  ExpectJsonError(
      Act(report.code, "reject",
          {{"reason_code", "other"}, {"message", std::string(5000, 'm')}},
          analyst_),
      400);
  ClientResponse rejected =
      Act(report.code, "reject",
          {{"reason_code", "public_context"},
           {"message", "This picture was published by you in a magazine."},
           {"note", "staff says: see the 2019 issue"}},
          analyst_);
  ASSERT_EQ(rejected.status, 200) << rejected.body;
  ClientResponse seen =
      Get("/v1/cases/" + report.code, {{"X-Case-Secret", report.secret}});
  const json view = seen.Json();
  EXPECT_EQ(view["status"], "rejected");
  EXPECT_EQ(view["status_reason_code"], "public_context");
  EXPECT_EQ(view["message"],
            "This picture was published by you in a magazine.");
  EXPECT_EQ(view["history"].back()["reason_code"], "public_context");
  ExpectNothingForStaffOnly(seen);
  // A rejected case may be looked at again.
  EXPECT_EQ(Act(report.code, "review", json::object(), analyst_).status, 200);
  EXPECT_FALSE(Victim(report).contains("status_reason_code"));
}

TEST_F(TriageTest, ALongRejectionMessageIsCutBetweenCharacters) {
  const Report report =
      Submit({{{"kind", "md5"}, {"value", std::string(32, '2')}}});
  // 1 + 2 × 300 bytes: byte 512 falls inside an "é".
  std::string message = "x";
  for (int i = 0; i < 300; ++i) message += "\xC3\xA9";
  ASSERT_EQ(Act(report.code, "reject",
                {{"reason_code", "other"}, {"message", message}}, analyst_)
                .status,
            200);
  const json staff = Get("/v1/cases/" + report.code, Auth(analyst_)).Json();
  EXPECT_EQ(staff["message"], message);
  EXPECT_EQ(staff["reason"], message.substr(0, 511));
}

TEST_F(TriageTest, AVictimAnswersARequestForInformation) {
  const Report mine =
      Submit({{{"kind", "md5"}, {"value", std::string(32, '2')}}});
  const Report other =
      Submit({{{"kind", "md5"}, {"value", std::string(32, '3')}}});
  const json reply = {
      {"message", "It was posted on example.net"},
      {"hashes", {{{"kind", "sha256"}, {"value", std::string(64, '4')}}}}};
  auto reply_to = [&](const std::string& code, const std::string& secret,
                      const json& body) {
    return Post("/v1/cases/" + code + "/reply", body,
                {{"X-Case-Secret", secret}});
  };
  // Not asked yet.
  ClientResponse early = reply_to(mine.code, mine.secret, reply);
  ExpectJsonError(early, 409);
  EXPECT_EQ(early.Json()["error"]["code"], "not_awaiting_reply");
  ExpectJsonError(Act(mine.code, "request-info", json::object(), analyst_),
                  400);
  ClientResponse asked =
      Act(mine.code, "request-info",
          {{"message", "Where did you see it?"}, {"note", "staff says: ask"}},
          analyst_);
  ASSERT_EQ(asked.status, 200) << asked.body;
  ASSERT_EQ(Act(other.code, "request-info", {{"message", "And you?"}}, analyst_)
                .status,
            200);
  json waiting = Victim(mine);
  EXPECT_EQ(waiting["status"], "needs_info");
  EXPECT_EQ(waiting["message"], "Where did you see it?");

  // One case's secret opens that case only; keys cannot reply.
  ExpectJsonError(reply_to(other.code, mine.secret, reply), 404);
  ExpectJsonError(reply_to(mine.code, other.secret, reply), 404);
  ExpectJsonError(Post("/v1/cases/" + mine.code + "/reply", reply), 401);
  ExpectJsonError(
      Post("/v1/cases/" + mine.code + "/reply", reply, Auth(analyst_)), 403);
  ExpectJsonError(reply_to(mine.code, mine.secret, {{"message", ""}}), 400);
  ExpectJsonError(reply_to(mine.code, mine.secret,
                           {{"message", "x"}, {"hashes", {{{"kind", "pdq"}}}}}),
                  400);

  ClientResponse answered = reply_to(mine.code, mine.secret, reply);
  ASSERT_EQ(answered.status, 200) << answered.body;
  EXPECT_EQ(answered.Json()["status"], "received");
  EXPECT_EQ(answered.Json()["hashes"].size(), 2u);
  EXPECT_EQ(answered.Json()["history"].back()["step"], "reply");
  EXPECT_FALSE(answered.Json().contains("message"));
  ExpectNothingForStaffOnly(answered);
  EXPECT_EQ(answered.body.find("example.net"), std::string::npos);
  ExpectJsonError(reply_to(mine.code, mine.secret, reply), 409);  // Once.
  json staff = Staff(mine.code);
  ASSERT_EQ(staff["replies"].size(), 1u);
  EXPECT_EQ(staff["replies"][0]["message"], "It was posted on example.net");
  EXPECT_EQ(staff["history"].back()["actor"], "case:" + mine.code);
  EXPECT_EQ(Victim(other)["status"], "needs_info");  // Untouched.
  // The reply is sealed in the store.
  std::ifstream file(dir_ / "rempart.db", std::ios::binary);
  const std::string bytes((std::istreambuf_iterator<char>(file)), {});
  EXPECT_EQ(bytes.find("example.net"), std::string::npos);
}

TEST_F(TriageTest, BulkActionsReportEachCase) {
  Publish({});
  const Report a = Submit({{{"kind", "md5"}, {"value", std::string(32, '5')}}});
  const Report b = Submit({{{"kind", "md5"}, {"value", std::string(32, '6')}}});
  const Report c = Submit({{{"kind", "md5"}, {"value", std::string(32, '7')}}});
  auto bulk = [&](const json& body) {
    return Post("/v1/cases/bulk", body, Auth(analyst_));
  };
  std::string lower = a.code;
  for (char& ch : lower) ch = static_cast<char>(std::tolower(ch));
  ClientResponse reviewed =
      bulk({{"action", "review"},
            {"codes", {lower, "RMP-0000-0000", "not a code", b.code}}});
  ASSERT_EQ(reviewed.status, 200) << reviewed.body;
  const json results = reviewed.Json()["results"];
  ASSERT_EQ(results.size(), 4u);
  EXPECT_EQ(results[0]["ok"], true);
  EXPECT_EQ(results[0]["code"], a.code);
  EXPECT_EQ(results[0]["status"], "in_review");
  EXPECT_EQ(results[1]["ok"], false);
  EXPECT_EQ(results[1]["error"]["code"], "not_found");
  EXPECT_EQ(results[2]["error"]["code"], "not_found");
  EXPECT_EQ(results[3]["ok"], true);

  ExpectJsonError(bulk({{"action", "verify"}, {"codes", {a.code}}}), 400);
  ExpectJsonError(
      bulk({{"action", "verify"}, {"bank", "nope"}, {"codes", {a.code}}}), 404);
  ExpectJsonError(bulk({{"action", "reject"}, {"codes", {a.code}}}), 400);
  ExpectJsonError(bulk({{"action", "delete"}, {"codes", {a.code}}}), 400);
  ExpectJsonError(bulk({{"action", "review"}, {"codes", json::array()}}), 400);
  ExpectJsonError(bulk({{"action", "review"}, {"codes", {1, 2}}}), 400);
  ExpectJsonError(bulk({{"action", "review"},
                        {"codes", std::vector<std::string>(101, a.code)}}),
                  413);
  ExpectJsonError(
      Post("/v1/cases/bulk", {{"action", "review"}, {"codes", {a.code}}},
           Auth(platform_)),
      403);

  ClientResponse verified = bulk(
      {{"action", "verify"}, {"bank", "hotline"}, {"codes", {a.code, b.code}}});
  ASSERT_EQ(verified.status, 200) << verified.body;
  EXPECT_EQ(verified.Json()["results"][0]["status"], "verified");
  EXPECT_EQ(verified.Json()["results"][1]["status"], "verified");
  ClientResponse rejected = bulk({{"action", "reject"},
                                  {"reason_code", "duplicate"},
                                  {"message", "Already reported."},
                                  {"codes", {a.code, c.code}}});
  ASSERT_EQ(rejected.status, 200);
  EXPECT_EQ(rejected.Json()["results"][0]["error"]["code"], "already_verified");
  EXPECT_EQ(rejected.Json()["results"][1]["status"], "rejected");
  EXPECT_EQ(Victim(c)["status_reason_code"], "duplicate");
  EXPECT_EQ(Get("/v1/banks/hotline", Auth(platform_)).Json()["active"]["md5"],
            2);
}

TEST_F(TriageTest, StaffSearchByCodeHashAndNearbyPdq) {
  std::mt19937_64 random(14);
  const hash::PdqHash photo = rempart::testing::BalancedHash(random);
  const Report pdq_case = Submit({{{"kind", "pdq"}, {"value", photo.ToHex()}}});
  const Report md5_case = Submit(
      {{{"kind", "md5"}, {"value", std::string(32, 'a')}}}, "sextortion");
  const Report sha_case = Submit(
      {{{"kind", "sha256"}, {"value", std::string(64, 'b')}}}, "synthetic");
  auto search = [&](const std::string& query) {
    ClientResponse found = Get("/v1/cases?" + query, Auth(analyst_));
    EXPECT_EQ(found.status, 200) << query << " " << found.body;
    std::vector<std::string> codes;
    const json body = found.Json();
    for (const json& item : body["cases"]) codes.push_back(item["code"]);
    return codes;
  };
  using ::testing::ElementsAre;
  std::string typed = md5_case.code.substr(4);
  typed.erase(4, 1);  // "7K3Q9XWD" without RMP- or the dash.
  EXPECT_THAT(search("q=rmp" + typed), ElementsAre(md5_case.code));
  EXPECT_THAT(search("q=" + std::string(32, 'A')), ElementsAre(md5_case.code));
  EXPECT_THAT(search("q=" + std::string(64, 'b')), ElementsAre(sha_case.code));
  EXPECT_THAT(
      search("q=" + rempart::testing::FlipBits(photo, 31, random).ToHex()),
      ElementsAre(pdq_case.code));
  EXPECT_TRUE(
      search("q=" + rempart::testing::FlipBits(photo, 40, random).ToHex())
          .empty());
  EXPECT_TRUE(search("q=" + std::string(32, 'c')).empty());
  EXPECT_THAT(search("category=synthetic"), ElementsAre(sha_case.code));
  EXPECT_THAT(search("q=" + std::string(32, 'a') + "&category=synthetic"),
              ::testing::IsEmpty());
  ExpectJsonError(Get("/v1/cases?q=hello", Auth(analyst_)), 400);
  ExpectJsonError(Get("/v1/cases?category=cats", Auth(analyst_)), 400);
  ExpectJsonError(Get("/v1/cases?q=" + std::string(64, 'z'), Auth(analyst_)),
                  400);

  // Pages: next_after leads to the rest, null at the end.
  ClientResponse first = Get("/v1/cases?limit=2", Auth(analyst_));
  ASSERT_EQ(first.Json()["cases"].size(), 2u);
  ASSERT_TRUE(first.Json()["next_after"].is_number_integer());
  EXPECT_EQ(first.Json()["cases"][0]["hashes"], 1);
  ClientResponse rest =
      Get("/v1/cases?limit=2&after=" +
              std::to_string(first.Json()["next_after"].get<int>()),
          Auth(analyst_));
  ASSERT_EQ(rest.Json()["cases"].size(), 1u);
  EXPECT_EQ(rest.Json()["cases"][0]["code"], sha_case.code);
  EXPECT_TRUE(rest.Json()["next_after"].is_null());
}

TEST_F(TriageTest, EachNewRouteKnowsWhoMayCallIt) {
  const Report report =
      Submit({{{"kind", "md5"}, {"value", std::string(32, '8')}}});
  for (const std::string action :
       {"review", "verify", "reject", "request-info"}) {
    ExpectJsonError(Act(report.code, action, json::object(), platform_), 403);
    ExpectJsonError(
        Post("/v1/cases/" + report.code + "/" + action, json::object()), 401);
    // A case secret is no key.
    ExpectJsonError(Post("/v1/cases/" + report.code + "/" + action,
                         json::object(), {{"X-Case-Secret", report.secret}}),
                    401);
  }
  ExpectJsonError(Get("/v1/cases?q=" + report.code, Auth(platform_)), 403);
  ExpectJsonError(Get("/v1/whoami"), 401);
  for (const auto& [token, role] :
       {std::pair{admin_, "admin"}, std::pair{analyst_, "analyst"},
        std::pair{platform_, "platform"}}) {
    ClientResponse who = Get("/v1/whoami", Auth(token));
    ASSERT_EQ(who.status, 200) << who.body;
    EXPECT_EQ(who.Json()["role"], role);
    EXPECT_EQ(who.Json()["key_id"], KeyId(token));
    EXPECT_EQ(who.Json()["name"], "test");
  }
  // The older status route still works, and its reason reaches the victim.
  ClientResponse moved =
      Act(report.code, "status",
          {{"status", "needs_info"}, {"reason", "A link?"}}, analyst_);
  ASSERT_EQ(moved.status, 200) << moved.body;
  EXPECT_EQ(Victim(report)["message"], "A link?");
  ExpectJsonError(Act("RMP-0000-0000", "review", json::object(), analyst_),
                  404);
  ExpectJsonError(Act("garbage", "review", json::object(), analyst_), 404);
}

}  // namespace
}  // namespace rempart::service

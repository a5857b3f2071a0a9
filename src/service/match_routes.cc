// Matching: hashes a platform computed (POST /v1/match), and images or
// videos it uploads to be hashed here (POST /v1/hash-match). Uploads are
// held in memory for the length of the call only: never written, never
// logged.
#include <array>

#include "rempart/hash/image_signals.h"
#include "rempart/hash/pdq_hash.h"
#include "rempart/hash/video_signals.h"
#include "rempart/service/multipart.h"
#include "service/api_internal.h"

namespace rempart::service {
namespace {

using nlohmann::json;

constexpr int kDefaultRadius = 31;

// One query: a PDQ hash (or up to eight variants of one picture), a
// digest, or a video's frames.
struct Query {
  std::vector<hash::PdqHash> variants;
  std::optional<store::Signal> digest;
  std::vector<hash::VpdqFrame> frames;
};

Result<Query> ParseQuery(const json& item, std::size_t position) {
  const std::string where = "queries[" + std::to_string(position) + "]";
  if (!item.is_object() || item.size() != 1) {
    return InvalidArgumentError(
        where +
        " must be an object with one of 'pdq', 'md5', 'sha256', 'vpdq'");
  }
  const auto first = item.begin();
  const std::string& kind_name = first.key();
  const json& value = first.value();
  Query query;
  if (kind_name == "vpdq") {
    auto frames = FramesValue(value, where + ".vpdq");
    if (!frames) return frames.error();
    query.frames = *std::move(frames);
    return query;
  }
  if (kind_name == "pdq") {
    std::vector<const json*> texts;
    if (value.is_string()) {
      texts.push_back(&value);
    } else if (value.is_array() && !value.empty() &&
               value.size() <= hash::kDihedralCount) {
      for (const json& text : value) texts.push_back(&text);
    } else {
      return InvalidArgumentError(
          where +
          ".pdq must be a hash or an array of 1…8 hashes (the "
          "dihedral variants of one picture)");
    }
    for (const json* text : texts) {
      if (!text->is_string()) {
        return InvalidArgumentError(where + ".pdq: hashes are hex strings");
      }
      auto parsed = hash::PdqHash::FromHex(text->get_ref<const std::string&>());
      if (!parsed) return parsed.error().WithContext(where + ".pdq");
      query.variants.push_back(*parsed);
    }
    return query;
  }
  auto kind = store::ParseSignalKind(kind_name);
  if (!kind || *kind == store::SignalKind::kPdq) {
    return InvalidArgumentError(where + ": unknown signal '" +
                                kind_name.substr(0, 32) +
                                "' (pdq, md5, sha256 or vpdq)");
  }
  if (!value.is_string()) {
    return InvalidArgumentError(where + "." + kind_name + " must be hex");
  }
  auto signal =
      store::Signal::FromHex(*kind, value.get_ref<const std::string&>());
  if (!signal) return signal.error().WithContext(where + "." + kind_name);
  query.digest = *signal;
  return query;
}

// The "video" object of a match call: how video queries are judged.
Result<hash::VpdqMatchOptions> VideoOptions(const json& body, int radius) {
  hash::VpdqMatchOptions options;
  options.distance = radius;
  const auto found = body.find("video");
  if (found == body.end() || found->is_null()) return options;
  REMPART_RETURN_IF_ERROR(OnlyFields(
      *found, {"query_percent", "target_percent", "frame_quality"}, "video"));
  for (const auto& [name, slot] :
       {std::pair<const char*, double*>{"query_percent",
                                        &options.query_percent},
        {"target_percent", &options.target_percent}}) {
    const auto value = found->find(name);
    if (value == found->end()) continue;
    if (!value->is_number() || value->get<double>() < 0 ||
        value->get<double>() > 100) {
      return InvalidArgumentError(std::string("video.") + name +
                                  " must be a number within 0…100");
    }
    *slot = value->get<double>();
  }
  auto quality = IntegerField(*found, "frame_quality", 0, 101);
  if (!quality) return quality.error().WithContext("video");
  if (*quality) options.quality_threshold = static_cast<int>(**quality);
  return options;
}

// A true/false query parameter: present and empty, "true" or "1".
bool QueryFlag(std::string_view query, std::string_view name) {
  const auto text = QueryParam(query, name);
  return text && (*text == "true" || *text == "1" || text->empty());
}

// What an upload that would not decode gets: 415 when it is not something
// Rempart can decode, the status's own answer otherwise (limits, time).
HttpResponse UndecodableUpload(const Status& error, std::string_view what) {
  if (error.code() == StatusCode::kInvalidArgument ||
      error.code() == StatusCode::kUnimplemented) {
    return ErrorResponse(
        415, "unsupported_media_type",
        "not " + std::string(what) + " Rempart can decode: " + error.message());
  }
  return StatusResponse(error);
}

Result<std::vector<std::string>> BankList(const json& body) {
  std::vector<std::string> banks;
  auto found = body.find("banks");
  if (found == body.end() || found->is_null()) return banks;
  if (!found->is_array() || found->size() > 64) {
    return InvalidArgumentError("'banks' must be an array of ≤ 64 bank names");
  }
  for (const json& name : *found) {
    if (!name.is_string()) {
      return InvalidArgumentError("'banks' holds bank names (strings)");
    }
    banks.push_back(name.get<std::string>());
  }
  return banks;
}

}  // namespace

HttpResponse Service::Impl::Match(Call& call) {
  const json& body = call.body;
  if (Status fields =
          OnlyFields(body, {"queries", "radius", "banks", "video"}, "body");
      !fields.ok()) {
    return StatusResponse(fields);
  }
  auto radius = IntegerField(body, "radius", 0, index::kMaxRadius);
  if (!radius) return StatusResponse(radius.error());
  auto banks = BankList(body);
  if (!banks) return StatusResponse(banks.error());
  auto queries = body.find("queries");
  if (queries == body.end() || !queries->is_array() || queries->empty()) {
    return ErrorResponse(400, "invalid_argument",
                         "'queries' must be a non-empty array");
  }
  if (queries->size() > config_.max_batch) {
    return ErrorResponse(
        413, "too_large",
        "at most " + std::to_string(config_.max_batch) + " queries per call");
  }
  std::vector<Query> parsed;
  parsed.reserve(queries->size());
  std::size_t video_frames = 0;
  for (std::size_t i = 0; i < queries->size(); ++i) {
    auto query = ParseQuery((*queries)[i], i);
    if (!query) return StatusResponse(query.error());
    video_frames += query->frames.size();
    if (video_frames > hash::kMaxVpdqFrames) {
      return ErrorResponse(413, "too_large",
                           "at most " + std::to_string(hash::kMaxVpdqFrames) +
                               " video frames per call");
    }
    parsed.push_back(std::move(*query));
  }
  const int r = static_cast<int>(radius->value_or(kDefaultRadius));
  auto video_options = VideoOptions(body, r);
  if (!video_options) return StatusResponse(video_options.error());
  json results = json::array();
  std::uint64_t hits_total = 0;
  std::vector<match::Hit> all_hits;
  for (const Query& query : parsed) {
    if (!query.frames.empty()) {
      auto videos =
          deps_.matcher->MatchVideo(query.frames, *video_options, *banks);
      if (!videos) return StatusResponse(videos.error());
      json matches = json::array();
      for (match::VideoHit& hit : *videos) {
        matches.push_back(VideoHitJson(hit));
        all_hits.push_back({std::move(hit.bank), std::move(hit.entry),
                            hit.best_distance, std::nullopt, std::nullopt});
      }
      hits_total += videos->size();
      results.push_back({{"matches", std::move(matches)}});
      continue;
    }
    auto hits = query.digest
                    ? deps_.matcher->MatchSignal(*query.digest, r, *banks)
                    : deps_.matcher->MatchPdq(query.variants, r, *banks);
    if (!hits) return StatusResponse(hits.error());
    json matches = json::array();
    for (const match::Hit& hit : *hits) matches.push_back(HitJson(hit));
    hits_total += hits->size();
    results.push_back({{"matches", std::move(matches)}});
    if (!hits->empty()) {
      std::move(hits->begin(), hits->end(), std::back_inserter(all_hits));
    }
  }
  metrics_.AddMatches(parsed.size(), hits_total);
  // Without hits, nothing more: no lock, no write.
  if (!all_hits.empty()) RecordMatches(call.principal, all_hits);
  return JsonResponse(200, {{"radius", r}, {"results", std::move(results)}});
}

HttpResponse Service::Impl::HashMatch(Call& call) {
  const HttpRequest& request = call.request;
  const std::string_view query = request.head.query;
  auto radius = QueryInteger(query, "radius", 0, index::kMaxRadius);
  if (!radius) return StatusResponse(radius.error());
  const bool dihedral = QueryFlag(query, "dihedral");
  // The second stage: on when the server runs it, unless the call says
  // robust=0; asking for it where it is off is the caller's mistake.
  bool robust = config_.robust;
  if (const auto asked = QueryParam(query, "robust")) {
    robust = *asked != "0" && *asked != "false";
    if (robust && !config_.robust) {
      return ErrorResponse(400, "invalid_argument",
                           "the second stage is off on this server (rempart "
                           "serve --robust, or [match] robust = true)");
    }
  }
  std::vector<std::string> banks;
  if (auto bank = QueryParam(query, "bank")) banks.push_back(*bank);

  // The image: the raw body, or the first file part of a form.
  std::string_view image = request.body;
  const std::string_view content_type = request.head.Header("Content-Type");
  if (content_type.starts_with("multipart/")) {
    auto boundary = MultipartBoundary(content_type);
    if (!boundary) return StatusResponse(boundary.error());
    auto parts = ParseMultipart(request.body, *boundary);
    if (!parts) return StatusResponse(parts.error());
    const MultipartPart* chosen = nullptr;
    for (const MultipartPart& part : *parts) {
      if (part.name == "image" || (!part.filename.empty() && !chosen)) {
        chosen = &part;
        if (part.name == "image") break;
      }
    }
    if (chosen == nullptr) {
      return ErrorResponse(400, "invalid_argument",
                           "the form has no 'image' part");
    }
    image = chosen->data;
  }
  if (image.empty()) {
    return ErrorResponse(400, "invalid_argument", "no image in the request");
  }
  const std::span<const std::uint8_t> upload(
      reinterpret_cast<const std::uint8_t*>(image.data()), image.size());
  const int r = static_cast<int>(radius->value_or(kDefaultRadius));
  if (hash::IsVideoInput(
          upload.first(std::min<std::size_t>(64, upload.size())))) {
    return HashMatchVideo(call, upload, r, banks);
  }

  // One hasher per I/O thread: it keeps PDQ's scratch buffers.
  thread_local hash::ImageHasher hasher;
  hash::ImageHashOptions options;
  options.pdq.dihedral = dihedral;
  if (robust) {
    options.patches = hash::QueryPatchOptions();
    options.patch_probe = true;
  }
  options.limits.max_file_bytes = config_.max_upload_bytes;
  options.limits.max_pixels = 64'000'000;
  options.limits.max_decode_time = std::chrono::milliseconds(5000);
  auto signals = hasher.Hash(
      {reinterpret_cast<const std::uint8_t*>(image.data()), image.size()},
      options);
  if (!signals) return UndecodableUpload(signals.error(), "an image");
  std::vector<match::Hit> hits;
  const hash::PdqResult& pdq = signals->pdq;
  const bool pdq_usable = pdq.quality >= hash::kPdqMinUsefulQuality;
  auto add = [&](Result<std::vector<match::Hit>> found) -> Status {
    if (!found) return found.error();
    match::MergeHits(hits, std::move(*found));
    return OkStatus();
  };
  if (pdq_usable) {
    std::vector<hash::PdqHash> variants = {pdq.hash};
    if (pdq.dihedral)
      variants.assign(pdq.dihedral->begin(), pdq.dihedral->end());
    if (Status s = add(deps_.matcher->MatchPdq(variants, r, banks)); !s.ok()) {
      return StatusResponse(s);
    }
  }
  // The second stage looks even when PDQ had too little detail: a
  // screenshot's chrome can leave little to the whole.
  if (signals->patches) {
    match::PatchMatchOptions patch_options;
    patch_options.min_group = config_.min_patches;
    if (Status s =
            add(deps_.matcher->MatchPatches(*signals->patches, patch_options,
                                            banks, signals->patch_probe.get()));
        !s.ok()) {
      return StatusResponse(s);
    }
  }
  for (const store::Signal& digest : {store::Signal::Md5(signals->md5),
                                      store::Signal::Sha256(signals->sha256)}) {
    if (Status s = add(deps_.matcher->MatchSignal(digest, r, banks)); !s.ok()) {
      return StatusResponse(s);
    }
  }
  match::SortHits(hits);
  json matches = json::array();
  for (const match::Hit& hit : hits) matches.push_back(HitJson(hit));
  metrics_.AddMatches(1, hits.size());
  if (!hits.empty()) RecordMatches(call.principal, hits);
  json out = {{"signals",
               {{"pdq", pdq.hash.ToHex()},
                {"quality", pdq.quality},
                {"md5", store::Signal::Md5(signals->md5).hex()},
                {"sha256", store::Signal::Sha256(signals->sha256).hex()}}},
              {"width", signals->width},
              {"height", signals->height},
              {"radius", r},
              {"robust", robust},
              {"matches", std::move(matches)}};
  if (signals->patches) {
    out["signals"]["patches"] = signals->patches->patches.size();
  }
  if (!pdq_usable) {
    out["note"] = "PDQ quality " + std::to_string(pdq.quality) + " is below " +
                  std::to_string(hash::kPdqMinUsefulQuality) +
                  " (too little detail): matched on exact digests" +
                  (robust ? " and the second stage" : " only");
  }
  return JsonResponse(200, out);
}

HttpResponse Service::Impl::HashMatchVideo(
    Call& call, std::span<const std::uint8_t> upload, int r,
    const std::vector<std::string>& banks) {
  const bool fast = QueryFlag(call.request.head.query, "fast");

  media::VideoDecodeOptions options;
  options.speed = fast ? media::VideoSpeed::kFast : media::VideoSpeed::kExact;
  options.limits.max_file_bytes = config_.max_upload_bytes;
  options.limits.max_duration_seconds = config_.max_upload_video_seconds;
  options.limits.max_dimension = 4096;
  options.limits.max_pixels = 4096ull * 2304;
  options.limits.max_decode_time =
      std::chrono::milliseconds(config_.max_upload_video_decode_ms);
  // One hasher per I/O thread: it keeps PDQ's scratch buffers.
  thread_local hash::VideoHasher hasher;
  auto signals = hasher.Hash(media::VideoSource::Memory(upload), options);
  if (!signals) return UndecodableUpload(signals.error(), "a video");
  hash::VpdqMatchOptions video_options;
  video_options.distance = r;
  auto videos =
      deps_.matcher->MatchVideo(signals->frames, video_options, banks);
  if (!videos) return StatusResponse(videos.error());
  json matches = json::array();
  std::vector<match::Hit> hits;
  for (match::VideoHit& hit : *videos) {
    matches.push_back(VideoHitJson(hit));
    hits.push_back({std::move(hit.bank), std::move(hit.entry),
                    hit.best_distance, std::nullopt, std::nullopt});
  }
  std::vector<match::Hit> digest_hits;
  for (const store::Signal& digest : {store::Signal::Md5(signals->md5),
                                      store::Signal::Sha256(signals->sha256)}) {
    auto found = deps_.matcher->MatchSignal(digest, 0, banks);
    if (!found) return StatusResponse(found.error());
    match::MergeHits(digest_hits, std::move(*found));
  }
  for (const match::Hit& hit : digest_hits) matches.push_back(HitJson(hit));
  std::move(digest_hits.begin(), digest_hits.end(), std::back_inserter(hits));
  metrics_.AddMatches(1, hits.size());
  if (!hits.empty()) RecordMatches(call.principal, hits);
  const media::VideoReport& report = signals->report;
  json out = {{"signals",
               {{"vpdq", store::Signal::Vpdq(signals->frames).hex()},
                {"frames", FramesJson(signals->frames)},
                {"md5", store::Signal::Md5(signals->md5).hex()},
                {"sha256", store::Signal::Sha256(signals->sha256).hex()}}},
              {"video",
               {{"codec", report.info.codec},
                {"width", report.info.width},
                {"height", report.info.height},
                {"fps", report.info.fps},
                {"duration", report.info.duration_seconds},
                {"fast", signals->fast},
                {"complete", report.problem.empty()},
                {"problem", report.problem}}},
              {"radius", r},
              {"matches", std::move(matches)}};
  return JsonResponse(200, out);
}

}  // namespace rempart::service

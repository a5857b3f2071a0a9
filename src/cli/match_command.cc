// `rempart match`: loads every bank (from snapshots when present), then
// checks each input — a hex signal, or a photo hashed on the fly (PDQ,
// optionally its eight dihedral variants, MD5 and SHA-256) — and prints
// every matching entry with the bank and the organisation behind it.
#include "cli/match_command.h"

#include <array>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>

#include "cli/data_dir.h"
#include "cli/exit_codes.h"
#include "cli/hash_command.h"
#include "cli/inputs.h"
#include "cli/one_line.h"
#include "cli/progress.h"
#include "rempart/core/file.h"
#include "rempart/hash/vpdq.h"
#include "rempart/index/index.h"
#include "rempart/match/matcher.h"

namespace rempart::cli {
namespace {

// One matching entry, whatever matched it.
struct Found {
  std::string bank;
  store::Entry entry;
  int distance = 0;
  std::optional<hash::VpdqFrame> frame;       // A picture hit a video's frame.
  std::optional<hash::VpdqComparison> video;  // A video hit a video.
  std::optional<int> patch_group;  // The second stage's agreeing patches.
  std::optional<float> crop_keep;  // The second stage's centred crop.
};

std::vector<Found> FromHits(std::vector<match::Hit> hits) {
  std::vector<Found> found;
  found.reserve(hits.size());
  for (match::Hit& hit : hits) {
    found.push_back({std::move(hit.bank), std::move(hit.entry), hit.distance,
                     hit.frame, std::nullopt, hit.patch_group, hit.crop_keep});
  }
  return found;
}

// A centred crop's keep as a whole percentage of each side.
int CropPercent(float keep) {
  return static_cast<int>(std::lround(keep * 100));
}

std::string Percent(double value) {
  std::array<char, 16> text{};
  std::snprintf(text.data(), text.size(), "%.1f", value);
  return text.data();
}

class MatchWriter {
 public:
  MatchWriter(std::FILE* out, std::string format)
      : out_(out), format_(std::move(format)) {}

  void Header() {
    if (format_ == "tsv") {
      std::fputs(
          "input\tbank\tentry\tkind\tvalue\tdistance\tcategory\tsource_org\t"
          "external_id\tquery_percent\ttarget_percent\tframe\ttimestamp\t"
          "patches\tcrop\n",
          out_);
    }
  }

  void Write(const std::string& input, const std::vector<Found>& hits) {
    if (format_ == "json") {
      nlohmann::json matches = nlohmann::json::array();
      for (const Found& hit : hits) {
        const store::EntryInput& entry = hit.entry.input;
        nlohmann::json match = {
            {"bank", hit.bank},
            {"entry", hit.entry.id},
            {"kind", store::SignalKindName(entry.signal.kind())},
            {"value", entry.signal.hex()},
            {"distance", hit.distance},
            {"category", store::CategoryName(entry.category)},
            {"source_org", entry.source_org},
            {"external_id", entry.external_id}};
        if (hit.video) {
          match["query_percent"] = hit.video->query_percent;
          match["target_percent"] = hit.video->target_percent;
          match["query_frames"] = {{"matched", hit.video->query_matched},
                                   {"usable", hit.video->query_usable}};
          match["target_frames"] = {{"matched", hit.video->target_matched},
                                    {"usable", hit.video->target_usable}};
        }
        if (hit.frame) {
          match["frame"] = {{"frame", hit.frame->frame_number},
                            {"timestamp", hit.frame->timestamp_seconds},
                            {"quality", hit.frame->quality}};
        }
        if (hit.patch_group) match["patches"] = *hit.patch_group;
        if (hit.crop_keep) match["crop"] = CropPercent(*hit.crop_keep);
        matches.push_back(std::move(match));
      }
      const nlohmann::json record = {{"input", input}, {"matches", matches}};
      std::fprintf(out_, "%s\n", record.dump().c_str());
    } else if (format_ == "tsv") {
      for (const Found& hit : hits) {
        const store::EntryInput& entry = hit.entry.input;
        std::fprintf(
            out_,
            "%s\t%s\t%lld\t%s\t%s\t%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n",
            OneLine(input).c_str(), hit.bank.c_str(),
            static_cast<long long>(hit.entry.id),
            std::string(store::SignalKindName(entry.signal.kind())).c_str(),
            entry.signal.hex().c_str(), hit.distance,
            std::string(store::CategoryName(entry.category)).c_str(),
            OneLine(entry.source_org).c_str(),
            OneLine(entry.external_id).c_str(),
            hit.video ? Percent(hit.video->query_percent).c_str() : "",
            hit.video ? Percent(hit.video->target_percent).c_str() : "",
            hit.frame ? std::to_string(hit.frame->frame_number).c_str() : "",
            hit.frame ? Timestamp(*hit.frame).c_str() : "",
            hit.patch_group ? std::to_string(*hit.patch_group).c_str() : "",
            hit.crop_keep ? std::to_string(CropPercent(*hit.crop_keep)).c_str()
                          : "");
      }
    } else if (hits.empty()) {
      std::fprintf(out_, "%s: no match\n", input.c_str());
    } else {
      for (const Found& hit : hits) {
        const store::EntryInput& entry = hit.entry.input;
        std::string how;
        if (hit.video) {
          how = "query " + Percent(hit.video->query_percent) + "% of " +
                std::to_string(hit.video->query_usable) + " frames, target " +
                Percent(hit.video->target_percent) + "% of " +
                std::to_string(hit.video->target_usable) + ", distance " +
                std::to_string(hit.distance);
        } else if (hit.frame) {
          how = "frame " + std::to_string(hit.frame->frame_number) + " at " +
                Timestamp(*hit.frame) + " s, distance " +
                std::to_string(hit.distance);
        } else if (hit.crop_keep) {
          how = "second stage: its centred crop of " +
                std::to_string(CropPercent(*hit.crop_keep)) +
                " % of each side, within " + std::to_string(hit.distance) +
                " bits";
        } else if (hit.patch_group) {
          how = "second stage: " + std::to_string(*hit.patch_group) +
                " patches agree, within " + std::to_string(hit.distance) +
                " bits";
        } else {
          how = "distance " + std::to_string(hit.distance);
        }
        std::fprintf(
            out_, "%s: MATCH bank %s entry %lld (%s, %s) %s, %s%s%s\n",
            input.c_str(), hit.bank.c_str(),
            static_cast<long long>(hit.entry.id),
            std::string(store::SignalKindName(entry.signal.kind())).c_str(),
            how.c_str(),
            std::string(store::CategoryName(entry.category)).c_str(),
            entry.source_org.empty() ? "unknown source"
                                     : entry.source_org.c_str(),
            entry.external_id.empty() ? "" : ", ref ",
            entry.external_id.c_str());
      }
    }
    std::fflush(out_);
  }

 private:
  static std::string Timestamp(const hash::VpdqFrame& frame) {
    const std::string line = hash::FormatVpdqFrame(frame);
    return line.substr(line.rfind(',') + 1);
  }

  std::FILE* out_;
  std::string format_;
};

// A vPDQ file of four hours at one frame per second is about 1.2 MB.
constexpr std::uint64_t kMaxVpdqFileBytes = 16ull << 20;

// A hex argument of the expected length that names no file.
std::optional<store::Signal> AsSignal(const std::string& input,
                                      store::SignalKind kind) {
  std::error_code error;
  if (std::filesystem::exists(input, error)) return std::nullopt;
  auto signal = store::Signal::FromHex(kind, input);
  if (!signal) return std::nullopt;
  return *signal;
}

}  // namespace

CLI::App* AddMatchCommand(CLI::App& app, MatchCommandOptions& options) {
  CLI::App* command = app.add_subcommand(
      "match",
      "Check photos and videos (hashed here, never uploaded), vPDQ files or "
      "hex hashes against the banks");
  command
      ->add_option("inputs", options.inputs,
                   "Photos, videos, directories (recursive), - for stdin, "
                   "vPDQ files (*.vpdq, as `rempart hash clip.mp4` writes) or "
                   "hex signal values")
      ->required();
  AddDataOption(*command, options.data_dir);
  command->add_option("-b,--bank", options.banks,
                      "Only these banks (repeatable); default all");
  command
      ->add_option("-r,--radius", options.radius,
                   "PDQ match radius in bits (default 31, the field's "
                   "threshold)")
      ->check(CLI::Range(0, index::kMaxRadius));
  command->add_flag("--dihedral", options.dihedral,
                    "Also match rotated and mirrored copies of each photo");
  CLI::Option* robust = command->add_flag(
      "--robust", options.robust,
      "Photos: also the second stage, which finds cropped, framed, "
      "captioned, screenshotted and slightly turned copies of the pictures "
      "banked with patch signatures (`rempart hash --patches`); ~120 ms more "
      "a photo (docs/ROBUSTNESS.md)");
  command
      ->add_option("--min-patches", options.min_patches,
                   "With --robust: agreeing patches a second-stage match "
                   "needs (2 finds a few more crops and screenshots, for a "
                   "few false matches: docs/ROBUSTNESS.md)")
      ->capture_default_str()
      ->check(CLI::Range(2, 16))
      ->needs(robust);
  command->add_flag("--fast", options.fast,
                    "Decode large JPEGs and videos faster (inexact; "
                    "docs/VIDEO.md)");
  AddVideoInputOptions(*command, options.as, options.seconds_per_frame);
  command
      ->add_option("--query-percent", options.query_percent,
                   "Videos: share of the input's usable frames that must "
                   "match (default 80)")
      ->check(CLI::Range(0.0, 100.0));
  command
      ->add_option("--target-percent", options.target_percent,
                   "Videos: share of the bank video's usable frames that must "
                   "match (default 0: a clip of a longer video matches)")
      ->check(CLI::Range(0.0, 100.0));
  command
      ->add_option("--frame-quality", options.frame_quality,
                   "Videos: frames below this PDQ quality are left out "
                   "(default 50)")
      ->check(CLI::Range(0, 101));
  command
      ->add_option("--kind", options.kind,
                   "Kind of hex arguments: pdq (default), md5, sha256")
      ->check(CLI::IsMember({"pdq", "md5", "sha256"}));
  command->add_option("--format", options.format, "text (default), tsv, json")
      ->check(CLI::IsMember({"text", "tsv", "json"}));
  command->add_option("-j,--jobs", options.jobs,
                      "Hashing threads (default: one per core)");
  command->add_flag("-q,--quiet", options.quiet, "No progress bar");
  return command;
}

int RunMatchCommand(const MatchCommandOptions& options, std::FILE* out,
                    std::FILE* err) {
  const std::filesystem::path data = DataDir(options.data_dir);
  std::error_code error;
  if (!std::filesystem::exists(data / "rempart.db", error)) {
    std::fprintf(err,
                 "rempart match: no banks in %s (create one with `rempart "
                 "bank create`, or point --data or $REMPART_DATA at your "
                 "data directory)\n",
                 data.c_str());
    return kExitSomeFailed;
  }
  auto store = OpenDataStore(data);
  if (!store) {
    std::fprintf(err, "rempart match: %s: %s\n", data.c_str(),
                 store.error().ToString().c_str());
    return kExitSomeFailed;
  }
  match::MatcherOptions matcher_options;
  matcher_options.snapshot_dir = SnapshotDir(data);
  auto matcher = match::Matcher::Open(**store, matcher_options);
  if (!matcher) {
    std::fprintf(err, "rempart match: %s\n",
                 matcher.error().ToString().c_str());
    return kExitSomeFailed;
  }
  for (const std::string& bank : options.banks) {
    const auto names = (*matcher)->bank_names();
    if (std::find(names.begin(), names.end(), bank) == names.end()) {
      std::fprintf(err, "rempart match: no bank named '%s'\n", bank.c_str());
      return kExitUsage;
    }
  }
  const store::SignalKind kind = *store::ParseSignalKind(options.kind);
  MatchWriter writer(out, options.format);
  writer.Header();
  std::size_t failed = 0;
  auto report = [&](const std::string& input, const Status& status) {
    ++failed;
    std::fprintf(err, "%s%s: %s\n", IsTerminal(err) ? "\r\x1b[K" : "",
                 input.c_str(), status.ToString().c_str());
  };

  hash::VpdqMatchOptions video_match;
  video_match.distance = options.radius;
  video_match.quality_threshold = options.frame_quality;
  video_match.query_percent = options.query_percent;
  video_match.target_percent = options.target_percent;
  // A video's frames against the banks, then its digests.
  auto match_video =
      [&](const std::vector<hash::VpdqFrame>& frames,
          std::vector<match::Hit> digest_hits) -> Result<std::vector<Found>> {
    auto videos = (*matcher)->MatchVideo(frames, video_match, options.banks);
    if (!videos) return videos.error();
    std::vector<Found> found;
    for (match::VideoHit& hit : *videos) {
      found.push_back({std::move(hit.bank), std::move(hit.entry),
                       hit.best_distance, std::nullopt, hit.comparison,
                       std::nullopt, std::nullopt});
    }
    for (Found& digest : FromHits(std::move(digest_hits))) {
      found.push_back(std::move(digest));
    }
    return found;
  };

  std::vector<std::string> files;
  for (const std::string& input : options.inputs) {
    if (auto signal = AsSignal(input, kind)) {
      auto hits =
          (*matcher)->MatchSignal(*signal, options.radius, options.banks);
      if (!hits) {
        report(input, hits.error());
      } else {
        writer.Write(input, FromHits(std::move(*hits)));
      }
    } else if (input.ends_with(".vpdq")) {
      auto text = ReadFileBytes(input, kMaxVpdqFileBytes);
      if (!text) {
        report(input, text.error());
        continue;
      }
      auto frames = hash::ParseVpdq(
          {reinterpret_cast<const char*>(text->data()), text->size()});
      if (!frames) {
        report(input, frames.error());
        continue;
      }
      auto found = match_video(*frames, {});
      if (!found) {
        report(input, found.error());
      } else {
        writer.Write(input, *found);
      }
    } else {
      files.push_back(input);
    }
  }
  if (files.empty()) return failed > 0 ? kExitSomeFailed : kExitOk;

  HashInputOptions input_options;
  input_options.kind = *ParseInputKind(options.as);
  input_options.video =
      VideoOptions(options.seconds_per_frame, 0, options.fast, 0);
  hash::ImageHashOptions& hash_options = input_options.image;
  hash_options.pdq.dihedral = options.dihedral;
  hash_options.speed = options.fast ? hash::Speed::kFast : hash::Speed::kExact;
  if (options.robust) {
    hash_options.patches = hash::QueryPatchOptions();
    hash_options.patch_probe = true;
  }
  const bool listed = HashInputs(
      files, input_options, options.jobs, "matching", !options.quiet, err,
      [&](HashedInput& row) {
        if (row.skipped) return;
        if (row.video) {
          std::vector<match::Hit> digest_hits;
          for (const store::Signal& digest :
               {store::Signal::Md5(row.video->md5),
                store::Signal::Sha256(row.video->sha256)}) {
            auto found = (*matcher)->MatchSignal(digest, 0, options.banks);
            if (found) match::MergeHits(digest_hits, std::move(*found));
          }
          auto found = match_video(row.video->frames, std::move(digest_hits));
          if (!found) {
            report(row.path, found.error());
          } else {
            writer.Write(row.path, *found);
          }
          return;
        }
        std::vector<match::Hit> hits;
        Status problem;
        if (row.signals) {
          const hash::PdqResult& pdq = row.signals->pdq;
          if (pdq.quality >= hash::kPdqMinUsefulQuality) {
            std::vector<hash::PdqHash> variants = {pdq.hash};
            if (pdq.dihedral) {
              variants.assign(pdq.dihedral->begin(), pdq.dihedral->end());
            }
            auto found =
                (*matcher)->MatchPdq(variants, options.radius, options.banks);
            if (found) {
              match::MergeHits(hits, std::move(*found));
            } else {
              problem = found.error();
            }
          } else if (!options.quiet) {
            std::fprintf(err,
                         "%s: PDQ quality %d is below %d (too little detail "
                         "to match on); matching exact digests only\n",
                         row.path.c_str(), pdq.quality,
                         hash::kPdqMinUsefulQuality);
          }
          // The second stage looks even where PDQ found nothing usable:
          // a screenshot's chrome can leave little detail to the whole.
          if (row.signals->patches && problem.ok()) {
            match::PatchMatchOptions patch_options;
            patch_options.min_group = options.min_patches;
            auto found = (*matcher)->MatchPatches(
                *row.signals->patches, patch_options, options.banks,
                row.signals->patch_probe.get());
            if (found) {
              match::MergeHits(hits, std::move(*found));
            } else {
              problem = found.error();
            }
          }
          row.md5 = row.signals->md5;
          row.sha256 = row.signals->sha256;
        } else {
          problem = row.error;
        }
        // Exact digests match even files that cannot be decoded.
        for (const std::optional<store::Signal>& digest :
             {row.md5 ? std::optional(store::Signal::Md5(*row.md5))
                      : std::nullopt,
              row.sha256 ? std::optional(store::Signal::Sha256(*row.sha256))
                         : std::nullopt}) {
          if (!digest) continue;
          auto found = (*matcher)->MatchSignal(*digest, 0, options.banks);
          if (found) match::MergeHits(hits, std::move(*found));
        }
        if (!problem.ok() && hits.empty()) {
          report(row.path, problem);
          return;
        }
        match::SortHits(hits);
        writer.Write(row.path, FromHits(std::move(hits)));
      });
  return failed > 0 || !listed ? kExitSomeFailed : kExitOk;
}

}  // namespace rempart::cli

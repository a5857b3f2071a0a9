// `rempart hash`: hashes its inputs on N worker threads (image_inputs.h) and
// prints one record per file in input order (a reorder buffer holds results
// that finish early), so output is identical whatever -j is.
#include "cli/hash_command.h"

#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>

#include "cli/exit_codes.h"
#include "cli/inputs.h"
#include "cli/one_line.h"
#include "cli/progress.h"
#include "rempart/core/hex.h"
#include "rempart/hash/image_signals.h"
#include "rempart/hash/vpdq.h"
#include "rempart/interchange/format.h"
#include "rempart/store/entry.h"

namespace rempart::cli {
namespace {

namespace fs = std::filesystem;

class RowWriter {
 public:
  RowWriter(std::FILE* out, std::string format, bool dihedral, bool patches)
      : out_(out),
        format_(std::move(format)),
        dihedral_(dihedral),
        patches_(patches) {}

  void Header() {
    if (format_ != "tsv") return;
    std::string header =
        "path\tpdq\tquality\tmode\tmd5\tsha256\twidth\theight\tformat\tvpdq"
        "\tframes";
    if (dihedral_) {
      for (int v = 0; v < hash::kDihedralCount; ++v) {
        header += "\tpdq_";
        header += hash::DihedralName(static_cast<hash::Dihedral>(v));
      }
    }
    if (patches_) header += "\tpatches";
    header += "\terror\n";
    std::fputs(header.c_str(), out_);
  }

  void Write(const HashedInput& row) {
    if (format_ == "json") {
      WriteJson(row);
    } else if (format_ == "tsv") {
      WriteTsv(row);
    } else if (row.signals) {
      WriteText(row);
    } else if (row.video) {
      WriteVideoText(row);
    }
  }

 private:
  // The reference vPDQ form, after a comment line naming the file: a file
  // of one video's output is a valid vPDQ file.
  void WriteVideoText(const HashedInput& row) {
    const hash::VideoSignals& v = *row.video;
    std::string text = "# " + OneLine(row.path) + " md5=" + HexEncode(v.md5) +
                       " sha256=" + HexEncode(v.sha256) +
                       " frames=" + std::to_string(v.frames.size()) + "\n";
    text += hash::FormatVpdq(v.frames);
    std::fputs(text.c_str(), out_);
  }

  void WriteText(const HashedInput& row) {
    const hash::ImageSignals& s = *row.signals;
    std::string line = s.pdq.hash.ToHex() + " " + std::to_string(s.pdq.quality);
    if (dihedral_) {
      for (const auto& variant : *s.pdq.dihedral) line += " " + variant.ToHex();
    }
    line += " " + row.path + "\n";
    std::fputs(line.c_str(), out_);
  }

  void WriteTsv(const HashedInput& row) {
    std::string line = OneLine(row.path);
    auto add = [&line](const std::string& field) {
      line += '\t';
      line += field;
    };
    if (row.signals) {
      const hash::ImageSignals& s = *row.signals;
      add(s.pdq.hash.ToHex());
      add(std::to_string(s.pdq.quality));
      add(std::string(hash::PdqModeName(s.pdq.mode)) + (s.fast ? "+fast" : ""));
      add(HexEncode(s.md5));
      add(HexEncode(s.sha256));
      add(std::to_string(s.width));
      add(std::to_string(s.height));
      add(std::string(media::ImageFormatName(s.format)));
      add("");
      add("");
      if (dihedral_) {
        for (const auto& variant : *s.pdq.dihedral) add(variant.ToHex());
      }
      if (patches_) add(PatchesText(s));
      add("");
    } else if (row.video) {
      const hash::VideoSignals& v = *row.video;
      for (int i = 0; i < 3; ++i) add("");
      add(HexEncode(v.md5));
      add(HexEncode(v.sha256));
      add(std::to_string(v.report.info.width));
      add(std::to_string(v.report.info.height));
      add(OneLine(v.report.info.codec));
      add(store::Signal::Vpdq(v.frames).hex());
      add(interchange::FormatFramesCell(v.frames));
      if (dihedral_) {
        for (int i = 0; i < hash::kDihedralCount; ++i) add("");
      }
      if (patches_) add("");
      add("");
    } else {
      for (int i = 0; i < 3; ++i) add("");
      add(row.md5 ? HexEncode(*row.md5) : "");
      add(row.sha256 ? HexEncode(*row.sha256) : "");
      for (int i = 0; i < 5; ++i) add("");
      if (dihedral_) {
        for (int v = 0; v < hash::kDihedralCount; ++v) add("");
      }
      if (patches_) add("");
      add(OneLine(row.error.ToString()));
    }
    line += '\n';
    std::fputs(line.c_str(), out_);
  }

  void WriteJson(const HashedInput& row) {
    nlohmann::ordered_json record;
    record["path"] = row.path;
    if (row.signals) {
      const hash::ImageSignals& s = *row.signals;
      record["pdq"] = s.pdq.hash.ToHex();
      record["quality"] = s.pdq.quality;
      record["mode"] = hash::PdqModeName(s.pdq.mode);
      record["fast"] = s.fast;
      record["md5"] = HexEncode(s.md5);
      record["sha256"] = HexEncode(s.sha256);
      record["width"] = s.width;
      record["height"] = s.height;
      record["format"] = media::ImageFormatName(s.format);
      if (dihedral_) {
        nlohmann::ordered_json variants;
        for (int v = 0; v < hash::kDihedralCount; ++v) {
          variants[std::string(hash::DihedralName(
              static_cast<hash::Dihedral>(v)))] = (*s.pdq.dihedral)[v].ToHex();
        }
        record["dihedral"] = std::move(variants);
      }
      if (patches_) {
        const std::string text = PatchesText(s);
        record["patches"] = text.empty() ? nlohmann::ordered_json()
                                         : nlohmann::ordered_json(text);
      }
      record["error"] = nullptr;
    } else if (row.video) {
      const hash::VideoSignals& v = *row.video;
      const media::VideoReport& report = v.report;
      record["kind"] = "video";
      record["vpdq"] = store::Signal::Vpdq(v.frames).hex();
      record["fast"] = v.fast;
      record["md5"] = HexEncode(v.md5);
      record["sha256"] = HexEncode(v.sha256);
      record["width"] = report.info.width;
      record["height"] = report.info.height;
      record["codec"] = report.info.codec;
      record["fps"] = report.info.fps;
      record["duration"] = report.info.duration_seconds;
      record["decoded"] = {{"frames", report.frames_decoded},
                           {"until_seconds", report.decoded_until_seconds},
                           {"errors", report.decode_errors},
                           {"complete", report.problem.empty()},
                           {"problem", report.problem}};
      nlohmann::ordered_json frames = nlohmann::ordered_json::array();
      for (const hash::VpdqFrame& frame : v.frames) {
        frames.push_back({{"frame", frame.frame_number},
                          {"quality", frame.quality},
                          {"pdq", frame.hash.ToHex()},
                          {"timestamp", frame.timestamp_seconds}});
      }
      record["frames"] = std::move(frames);
      record["error"] = nullptr;
    } else {
      if (row.md5) record["md5"] = HexEncode(*row.md5);
      if (row.sha256) record["sha256"] = HexEncode(*row.sha256);
      record["error"] = {{"code", StatusCodeName(row.error.code())},
                         {"message", row.error.message()}};
    }
    // Replace invalid UTF-8 in paths rather than throwing.
    const std::string text =
        record.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    std::fprintf(out_, "%s\n", text.c_str());
  }

  // The shared form of the photo's signature; empty when it has neither
  // patches nor crops (too small to hold any), which a list leaves empty.
  static std::string PatchesText(const hash::ImageSignals& signals) {
    if (!signals.patches || signals.patches->empty()) return "";
    return hash::FormatPatches(*signals.patches);
  }

  std::FILE* out_;
  std::string format_;
  bool dihedral_;
  bool patches_;
};

}  // namespace

CLI::App* AddHashCommand(CLI::App& app, HashCommandOptions& options) {
  CLI::App* command = app.add_subcommand(
      "hash",
      "Compute the PDQ perceptual hash, MD5 and SHA-256 of photos, and the "
      "vPDQ of videos. Only hashes are printed; no image leaves this "
      "machine.");
  command->footer(
      "Examples:\n"
      "  rempart hash photo.jpg\n"
      "  rempart hash --format json -j 4 ~/Pictures\n"
      "  cat photo.heic | rempart hash -\n"
      "  rempart hash clip.mp4 > clip.vpdq     (the reference vPDQ form)\n"
      "  rempart hash --format tsv ~/Videos > list.tsv  (bank import "
      "reads it)\n\n"
      "Exit status: 0 all hashed, 1 some inputs failed (each reported on "
      "stderr), 2 usage error.");
  command
      ->add_option("inputs", options.inputs,
                   "Files or directories (searched recursively; files that are "
                   "neither images nor videos are skipped). '-' reads one file "
                   "from stdin.")
      ->required();
  command
      ->add_option("--format", options.format,
                   "text: 'PDQ QUALITY PATH' lines; tsv: a header and every "
                   "field; json: one JSON object per line")
      ->check(CLI::IsMember({"text", "tsv", "json"}))
      ->capture_default_str();
  command
      ->add_option("--mode", options.mode,
                   "cli512: squash to 512x512 first, as the reference CLI and "
                   "the browser do (default); fullres: hash at full size, as "
                   "HMA-style banks do")
      ->check(CLI::IsMember({"cli512", "fullres"}))
      ->capture_default_str();
  command->add_flag("--dihedral", options.dihedral,
                    "Also print the 8 rotated/mirrored variants (orig, rot90, "
                    "rot180, rot270, flipx, flipy, flipplus1, flipminus1)");
  command->add_flag(
      "--patches", options.patches,
      "Also each photo's patch signature (tsv and json), for banks whose "
      "second stage finds crops, screenshots and overlays (~2.5 KB a photo, "
      "~10 ms; docs/ROBUSTNESS.md)");
  command->add_flag(
      "--fast", options.fast,
      "Decode on a faster, inexact path. JPEGs: fast IDCT, luma only, about "
      "1.4x faster, PDQ within 4 bits of exact, recorded as mode "
      "cli512+fast. Videos: only the frames the sampled ones depend on, "
      "luma only (docs/VIDEO.md)");
  AddVideoInputOptions(*command, options.as, options.seconds_per_frame);
  command
      ->add_option("--downsample", options.downsample,
                   "Videos: scale frames to SxS before hashing, as the "
                   "reference's downsample option (0: native size)")
      ->check(CLI::Range(0, 4096));
  command
      ->add_option("--max-video-seconds", options.max_video_seconds,
                   "Refuse videos longer than this (default 4 hours; videos "
                   "are also refused past 8 GiB, 8192 pixels a side or 15 "
                   "minutes of decoding)")
      ->check(CLI::Range(1.0, 1e6));
  command
      ->add_option("-j,--jobs", options.jobs,
                   "Parallel workers (default: one per core)")
      ->check(CLI::Range(0, 256));
  command->add_flag("-q,--quiet", options.quiet, "No progress bar or summary");
  command->add_option("--max-file-bytes", options.max_file_bytes,
                      "Refuse photos larger than this (default 256 MiB)");
  command->add_option(
      "--max-pixels", options.max_pixels,
      "Refuse photos with more pixels than this (default 256 million)");
  command
      ->add_option("--decode-timeout-ms", options.decode_timeout_ms,
                   "Give up decoding one photo after this long (default 10000)")
      ->check(CLI::Range(0, 3'600'000));
  return command;
}

void AddVideoInputOptions(CLI::App& command, std::string& as,
                          double& seconds_per_frame) {
  command
      .add_option("--as", as,
                  "auto: video containers (MP4/MOV, MKV/WebM, AVI) as videos, "
                  "the rest as photos; image; video (e.g. an animated GIF)")
      ->check(CLI::IsMember({"auto", "image", "video"}))
      ->capture_default_str();
  command
      .add_option("--every", seconds_per_frame,
                  "Videos: hash one frame per this many seconds (vPDQ's "
                  "default 1); 0 hashes every frame")
      ->check(CLI::Range(0.0, 3600.0))
      ->capture_default_str();
}

// The video half of the options shared with `rempart match`.
media::VideoDecodeOptions VideoOptions(double seconds_per_frame, int downsample,
                                       bool fast, double max_seconds) {
  media::VideoDecodeOptions video;
  video.seconds_per_frame = seconds_per_frame;
  video.downsample = downsample;
  video.speed = fast ? media::VideoSpeed::kFast : media::VideoSpeed::kExact;
  if (max_seconds > 0) video.limits.max_duration_seconds = max_seconds;
  return video;
}

int RunHashCommand(const HashCommandOptions& options, std::FILE* out,
                   std::FILE* err) {
  HashInputOptions input_options;
  input_options.kind = *ParseInputKind(options.as);
  input_options.video =
      VideoOptions(options.seconds_per_frame, options.downsample, options.fast,
                   options.max_video_seconds);
  hash::ImageHashOptions& hash_options = input_options.image;
  hash_options.pdq.dihedral = options.dihedral;
  hash_options.pdq.mode = *hash::ParsePdqMode(options.mode);
  hash_options.speed = options.fast ? hash::Speed::kFast : hash::Speed::kExact;
  if (options.max_file_bytes > 0) {
    hash_options.limits.max_file_bytes = options.max_file_bytes;
  }
  if (options.max_pixels > 0)
    hash_options.limits.max_pixels = options.max_pixels;
  if (options.decode_timeout_ms >= 0) {
    hash_options.limits.max_decode_time =
        std::chrono::milliseconds(options.decode_timeout_ms);
  }

  if (options.patches) {
    if (options.format == "text") {
      std::fprintf(err,
                   "rempart hash: --patches needs --format tsv or json (a "
                   "signature is ~5,000 hex digits)\n");
      return kExitUsage;
    }
    hash_options.patches = hash::BankPatchOptions();
  }
  if (std::count(options.inputs.begin(), options.inputs.end(), "-") > 1) {
    std::fprintf(err, "rempart hash: '-' (stdin) may be given only once\n");
    return kExitUsage;
  }
  RowWriter writer(out, options.format, options.dihedral, options.patches);
  writer.Header();
  std::size_t hashed = 0;
  std::size_t failed = 0;
  std::size_t skipped = 0;
  const bool listed = HashInputs(
      options.inputs, input_options, options.jobs, "hashing", !options.quiet,
      err, [&](HashedInput& row) {
        if (row.skipped) {
          ++skipped;
          return;
        }
        if (row.signals || row.video) {
          ++hashed;
          if (row.video && !row.video->report.problem.empty()) {
            std::fprintf(err, "%s%s: hashed what could be decoded: %s\n",
                         IsTerminal(err) ? "\r\x1b[K" : "", row.path.c_str(),
                         row.video->report.problem.c_str());
          }
        } else {
          ++failed;
          std::fprintf(err, "%s%s: %s\n", IsTerminal(err) ? "\r\x1b[K" : "",
                       row.path.c_str(), row.error.ToString().c_str());
        }
        writer.Write(row);
        std::fflush(out);
      });
  if (!options.quiet && IsTerminal(err)) {
    std::fprintf(err,
                 "hashed %zu, failed %zu, skipped %zu (not images or "
                 "videos)\n",
                 hashed, failed, skipped);
  }
  return failed > 0 || !listed ? kExitSomeFailed : kExitOk;
}

}  // namespace rempart::cli

// `rempart hash`: walks its inputs, hashes them on N worker threads, and
// prints one record per file in input order (a reorder buffer holds results
// that finish early), so output is identical whatever -j is.
#include "cli/hash_command.h"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <thread>

#include "cli/exit_codes.h"
#include "cli/progress.h"
#include "rempart/core/file.h"
#include "rempart/core/hex.h"
#include "rempart/hash/image_signals.h"

namespace rempart::cli {
namespace {

namespace fs = std::filesystem;

struct Input {
  std::string path;
  bool from_directory = false;  // Found by walking; non-images are skipped.
  bool is_stdin = false;
};

struct Row {
  std::string path;
  std::optional<hash::ImageSignals> signals;
  std::optional<hash::Md5Digest> md5;  // Of undecodable files, when read.
  std::optional<hash::Sha256Digest> sha256;
  Status error;
  bool skipped = false;
};

// Expands directories (recursively, sorted, without following directory
// links) into files. Missing paths are kept so that they are reported.
std::vector<Input> ExpandInputs(const std::vector<std::string>& paths,
                                std::FILE* err, bool& walk_failed) {
  std::vector<Input> inputs;
  for (const std::string& path : paths) {
    if (path == "-") {
      inputs.push_back({.path = "-", .is_stdin = true});
      continue;
    }
    std::error_code error;
    if (!fs::is_directory(path, error)) {
      inputs.push_back({.path = path});
      continue;
    }
    std::vector<std::string> found;
    fs::recursive_directory_iterator it(
        path, fs::directory_options::skip_permission_denied, error);
    for (; !error && it != fs::recursive_directory_iterator();
         it.increment(error)) {
      std::error_code type_error;
      if (it->is_regular_file(type_error)) found.push_back(it->path().string());
    }
    if (error) {
      std::fprintf(err, "rempart: %s: cannot list directory: %s\n",
                   path.c_str(), error.message().c_str());
      walk_failed = true;
    }
    std::sort(found.begin(), found.end());
    for (std::string& file : found) {
      inputs.push_back({.path = std::move(file), .from_directory = true});
    }
  }
  return inputs;
}

// True when the file's first bytes are those of a supported image.
bool LooksLikeImage(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::array<std::uint8_t, 64> head{};
  in.read(reinterpret_cast<char*>(head.data()), head.size());
  const auto got = static_cast<std::size_t>(in.gcount());
  return media::SniffImageFormat({head.data(), got}) !=
         media::ImageFormat::kUnknown;
}

Row HashOne(const Input& input, const hash::ImageHashOptions& options,
            hash::ImageHasher& hasher) {
  Row row;
  row.path = input.path;
  if (input.from_directory && !LooksLikeImage(input.path)) {
    row.skipped = true;
    return row;
  }
  auto bytes = input.is_stdin
                   ? ReadStreamBytes(stdin, options.limits.max_file_bytes)
                   : ReadFileBytes(input.path, options.limits.max_file_bytes);
  if (!bytes) {
    row.error = bytes.error();
    return row;
  }
  auto signals = hasher.Hash(*bytes, options);
  if (!signals) {
    row.error = signals.error();
    row.md5 = hash::Md5(*bytes);
    row.sha256 = hash::Sha256(*bytes);
    return row;
  }
  row.signals = *std::move(signals);
  return row;
}

class RowWriter {
 public:
  RowWriter(std::FILE* out, std::string format, bool dihedral)
      : out_(out), format_(std::move(format)), dihedral_(dihedral) {}

  void Header() {
    if (format_ != "tsv") return;
    std::string header =
        "path\tpdq\tquality\tmode\tmd5\tsha256\twidth\theight\tformat";
    if (dihedral_) {
      for (int v = 0; v < hash::kDihedralCount; ++v) {
        header += "\tpdq_";
        header += hash::DihedralName(static_cast<hash::Dihedral>(v));
      }
    }
    header += "\terror\n";
    std::fputs(header.c_str(), out_);
  }

  void Write(const Row& row) {
    if (format_ == "json") {
      WriteJson(row);
    } else if (format_ == "tsv") {
      WriteTsv(row);
    } else if (row.signals) {
      WriteText(row);
    }
  }

 private:
  static std::string Clean(std::string text) {
    // Paths and messages may hold tabs or newlines; keep one record a line.
    std::replace_if(
        text.begin(), text.end(),
        [](char c) { return c == '\t' || c == '\n' || c == '\r'; }, ' ');
    return text;
  }

  void WriteText(const Row& row) {
    const hash::ImageSignals& s = *row.signals;
    std::string line = s.pdq.hash.ToHex() + " " + std::to_string(s.pdq.quality);
    if (dihedral_) {
      for (const auto& variant : *s.pdq.dihedral) line += " " + variant.ToHex();
    }
    line += " " + row.path + "\n";
    std::fputs(line.c_str(), out_);
  }

  void WriteTsv(const Row& row) {
    std::string line = Clean(row.path);
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
      if (dihedral_) {
        for (const auto& variant : *s.pdq.dihedral) add(variant.ToHex());
      }
      add("");
    } else {
      for (int i = 0; i < 3; ++i) add("");
      add(row.md5 ? HexEncode(*row.md5) : "");
      add(row.sha256 ? HexEncode(*row.sha256) : "");
      for (int i = 0; i < 3; ++i) add("");
      if (dihedral_) {
        for (int v = 0; v < hash::kDihedralCount; ++v) add("");
      }
      add(Clean(row.error.ToString()));
    }
    line += '\n';
    std::fputs(line.c_str(), out_);
  }

  void WriteJson(const Row& row) {
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

  std::FILE* out_;
  std::string format_;
  bool dihedral_;
};

}  // namespace

CLI::App* AddHashCommand(CLI::App& app, HashCommandOptions& options) {
  CLI::App* command = app.add_subcommand(
      "hash",
      "Compute the PDQ perceptual hash, MD5 and SHA-256 of photos. Only "
      "hashes are printed; no image leaves this machine.");
  command->footer(
      "Examples:\n"
      "  rempart hash photo.jpg\n"
      "  rempart hash --format json -j 4 ~/Pictures\n"
      "  cat photo.heic | rempart hash -\n\n"
      "Exit status: 0 all hashed, 1 some inputs failed (each reported on "
      "stderr), 2 usage error.");
  command
      ->add_option("inputs", options.inputs,
                   "Files or directories (searched recursively; files that are "
                   "not images are skipped). '-' reads one image from stdin.")
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
      "--fast", options.fast,
      "Decode JPEGs on a faster, inexact path (fast IDCT, luma only): "
      "about 1.4x faster, PDQ within 4 bits of exact, not bit-identical; "
      "recorded as mode cli512+fast");
  command
      ->add_option("-j,--jobs", options.jobs,
                   "Parallel workers (default: one per core)")
      ->check(CLI::Range(0, 256));
  command->add_flag("-q,--quiet", options.quiet, "No progress bar or summary");
  command->add_option("--max-file-bytes", options.max_file_bytes,
                      "Refuse files larger than this (default 256 MiB)");
  command->add_option(
      "--max-pixels", options.max_pixels,
      "Refuse images with more pixels than this (default 256 million)");
  command
      ->add_option("--decode-timeout-ms", options.decode_timeout_ms,
                   "Give up decoding one file after this long (default 10000)")
      ->check(CLI::Range(0, 3'600'000));
  return command;
}

int RunHashCommand(const HashCommandOptions& options, std::FILE* out,
                   std::FILE* err) {
  hash::ImageHashOptions hash_options;
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

  if (std::count(options.inputs.begin(), options.inputs.end(), "-") > 1) {
    std::fprintf(err, "rempart hash: '-' (stdin) may be given only once\n");
    return kExitUsage;
  }
  bool walk_failed = false;
  const std::vector<Input> inputs =
      ExpandInputs(options.inputs, err, walk_failed);

  const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
  const std::size_t workers = std::min<std::size_t>(
      options.jobs > 0 ? static_cast<std::size_t>(options.jobs) : cores,
      std::max<std::size_t>(1, inputs.size()));

  std::vector<std::optional<Row>> slots(inputs.size());
  std::mutex mutex;
  std::condition_variable ready;
  std::atomic<std::size_t> next{0};
  auto work = [&] {
    hash::ImageHasher hasher;
    while (true) {
      const std::size_t index = next.fetch_add(1);
      if (index >= inputs.size()) return;
      Row row;
      try {
        row = HashOne(inputs[index], hash_options, hasher);
      } catch (const std::exception& e) {  // Barrier: report, keep going.
        row.path = inputs[index].path;
        row.error = InternalError(e.what());
      }
      {
        std::lock_guard lock(mutex);
        slots[index] = std::move(row);
      }
      ready.notify_one();
    }
  };
  std::vector<std::thread> threads;
  threads.reserve(workers);
  for (std::size_t i = 0; i < workers; ++i) threads.emplace_back(work);

  RowWriter writer(out, options.format, options.dihedral);
  writer.Header();
  ProgressBar progress("hashing", inputs.size(), !options.quiet);
  std::size_t hashed = 0;
  std::size_t failed = 0;
  std::size_t skipped = 0;
  for (std::size_t index = 0; index < inputs.size(); ++index) {
    Row row;
    {
      std::unique_lock lock(mutex);
      ready.wait(lock, [&] { return slots[index].has_value(); });
      row = std::move(*slots[index]);
      slots[index].reset();
    }
    if (row.skipped) {
      ++skipped;
    } else {
      if (row.signals) {
        ++hashed;
      } else {
        ++failed;
        std::fprintf(err, "%s%s: %s\n", IsTerminal(err) ? "\r\x1b[K" : "",
                     row.path.c_str(), row.error.ToString().c_str());
      }
      writer.Write(row);
      std::fflush(out);
    }
    progress.Update(index + 1);
  }
  for (std::thread& thread : threads) thread.join();
  progress.Finish();
  if (!options.quiet && IsTerminal(err)) {
    std::fprintf(err, "hashed %zu, failed %zu, skipped %zu (not images)\n",
                 hashed, failed, skipped);
  }
  return failed > 0 || walk_failed ? kExitSomeFailed : kExitOk;
}

}  // namespace rempart::cli

// `rempart hash`: the signals of photos and videos on disk or on stdin.
#ifndef REMPART_CLI_HASH_COMMAND_H_
#define REMPART_CLI_HASH_COMMAND_H_

#include <CLI/CLI.hpp>
#include <cstdint>
#include <string>
#include <vector>

#include "rempart/media/video.h"

namespace rempart::cli {

struct HashCommandOptions {
  std::vector<std::string> inputs;  // Files, directories, or "-" for stdin.
  std::string format = "text";      // text | tsv | json
  std::string mode = "cli512";      // cli512 | fullres
  bool dihedral = false;
  bool patches = false;  // Also each photo's patch signature (tsv, json).
  bool fast = false;
  int jobs = 0;  // 0: one per core.
  bool quiet = false;
  std::uint64_t max_file_bytes = 0;  // 0: the library default.
  std::uint64_t max_pixels = 0;
  int decode_timeout_ms = -1;      // Negative: the library default.
  std::string as = "auto";         // auto | image | video
  double seconds_per_frame = 1.0;  // Videos: vPDQ sampling.
  int downsample = 0;              // Videos: SxS frames; 0 native.
  double max_video_seconds = 0;    // 0: the library default.
};

// Registers --as and --every, which both `hash` and `match` take.
void AddVideoInputOptions(CLI::App& command, std::string& as,
                          double& seconds_per_frame);

// The video decoding options both `hash` and `match` take.
media::VideoDecodeOptions VideoOptions(double seconds_per_frame, int downsample,
                                       bool fast, double max_seconds);

// Registers the subcommand on `app`; `options` must outlive parsing.
CLI::App* AddHashCommand(CLI::App& app, HashCommandOptions& options);

// Runs it, writing results to `out` and diagnostics to `err`. Returns the
// process exit code (cli/exit_codes.h).
int RunHashCommand(const HashCommandOptions& options, std::FILE* out,
                   std::FILE* err);

}  // namespace rempart::cli

#endif  // REMPART_CLI_HASH_COMMAND_H_

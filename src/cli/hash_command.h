// `rempart hash`: the signals of photos on disk or on stdin.
#ifndef REMPART_CLI_HASH_COMMAND_H_
#define REMPART_CLI_HASH_COMMAND_H_

#include <CLI/CLI.hpp>
#include <cstdint>
#include <string>
#include <vector>

namespace rempart::cli {

struct HashCommandOptions {
  std::vector<std::string> inputs;  // Files, directories, or "-" for stdin.
  std::string format = "text";      // text | tsv | json
  std::string mode = "cli512";      // cli512 | fullres
  bool dihedral = false;
  bool fast = false;
  int jobs = 0;  // 0: one per core.
  bool quiet = false;
  std::uint64_t max_file_bytes = 0;  // 0: the library default.
  std::uint64_t max_pixels = 0;
  int decode_timeout_ms = -1;  // Negative: the library default.
};

// Registers the subcommand on `app`; `options` must outlive parsing.
CLI::App* AddHashCommand(CLI::App& app, HashCommandOptions& options);

// Runs it, writing results to `out` and diagnostics to `err`. Returns the
// process exit code (cli/exit_codes.h).
int RunHashCommand(const HashCommandOptions& options, std::FILE* out,
                   std::FILE* err);

}  // namespace rempart::cli

#endif  // REMPART_CLI_HASH_COMMAND_H_

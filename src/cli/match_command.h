// `rempart match`: checks photos, videos or hashes against the banks.
#ifndef REMPART_CLI_MATCH_COMMAND_H_
#define REMPART_CLI_MATCH_COMMAND_H_

#include <CLI/CLI.hpp>
#include <cstdio>
#include <string>
#include <vector>

#include "rempart/match/patch_index.h"

namespace rempart::cli {

struct MatchCommandOptions {
  std::string data_dir;
  std::vector<std::string> inputs;  // Files, directories, "-", hex values.
  std::vector<std::string> banks;   // Empty: all.
  int radius = 31;
  bool dihedral = false;
  // Photos: also the second stage (patch signatures), which finds crops,
  // screenshots, overlays and small turns of the banks' pictures.
  bool robust = false;
  // Agreeing patches the second stage needs (PatchMatchOptions::min_group).
  int min_patches = match::PatchMatchOptions{}.min_group;
  bool fast = false;
  std::string kind = "pdq";  // Of hex arguments: pdq, md5, sha256.
  std::string as = "auto";   // auto | image | video
  double seconds_per_frame = 1.0;
  double query_percent = 80;
  double target_percent = 0;
  int frame_quality = 50;
  std::string format = "text";
  int jobs = 0;
  bool quiet = false;
};

CLI::App* AddMatchCommand(CLI::App& app, MatchCommandOptions& options);
int RunMatchCommand(const MatchCommandOptions& options, std::FILE* out,
                    std::FILE* err);

}  // namespace rempart::cli

#endif  // REMPART_CLI_MATCH_COMMAND_H_

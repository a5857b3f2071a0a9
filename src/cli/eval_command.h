// `rempart eval CORPUS_DIR`: the robustness evaluation (eval/runner.h).
// Prints the table and writes report.html and report.json.
#ifndef REMPART_CLI_EVAL_COMMAND_H_
#define REMPART_CLI_EVAL_COMMAND_H_

#include <CLI/CLI.hpp>
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "rempart/match/patch_index.h"

namespace rempart::cli {

struct EvalCommandOptions {
  std::string corpus;
  std::string out = "rempart-eval";  // Folder for report.html, report.json.
  std::uint64_t seed = 1;
  int working_side = 1024;
  int jobs = 0;
  int limit = 0;
  std::vector<std::string> transforms;
  int min_patches = match::PatchMatchOptions{}.min_group;
  bool quiet = false;
};

CLI::App* AddEvalCommand(CLI::App& app, EvalCommandOptions& options);
// `command_line` is the command as typed, recorded in the report.
int RunEvalCommand(const EvalCommandOptions& options,
                   const std::string& command_line, std::FILE* out,
                   std::FILE* err);

}  // namespace rempart::cli

#endif  // REMPART_CLI_EVAL_COMMAND_H_

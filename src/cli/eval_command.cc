#include "cli/eval_command.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include "cli/exit_codes.h"
#include "cli/progress.h"
#include "rempart/eval/report.h"
#include "rempart/eval/runner.h"

namespace rempart::cli {
namespace {

Status WriteFile(const std::filesystem::path& path, const std::string& text) {
  const std::filesystem::path temporary = path.string() + ".tmp";
  {
    std::ofstream file(temporary, std::ios::binary | std::ios::trunc);
    file << text;
    file.flush();
    if (!file) {
      return InternalError("cannot write " + temporary.string());
    }
  }
  std::error_code error;
  std::filesystem::rename(temporary, path, error);
  if (error) {
    return InternalError("cannot write " + path.string() + ": " +
                         error.message());
  }
  return OkStatus();
}

}  // namespace

CLI::App* AddEvalCommand(CLI::App& app, EvalCommandOptions& options) {
  CLI::App* command = app.add_subcommand(
      "eval",
      "Measure what matching catches: transform every picture of a corpus "
      "(crops, turns, captions, screenshots…), query each against the "
      "corpus, report recall and false matches per transform and matcher.");
  command
      ->add_option("corpus", options.corpus,
                   "Folder of pictures (scripts/corpus.sh builds one)")
      ->required();
  command
      ->add_option("--out", options.out,
                   "Folder for report.html and report.json")
      ->capture_default_str();
  command->add_option("--seed", options.seed, "Seed of every random choice")
      ->capture_default_str();
  command
      ->add_option("--side", options.working_side,
                   "Originals scaled down to this longer side")
      ->check(CLI::Range(64, 4096))
      ->capture_default_str();
  command->add_option("-j,--jobs", options.jobs, "Threads (0: one per core)")
      ->check(CLI::Range(0, 64));
  command
      ->add_option("--limit", options.limit,
                   "Only the first N pictures, by name (0: all)")
      ->check(CLI::NonNegativeNumber);
  command->add_option("--transform", options.transforms,
                      "Only these transforms (repeatable; default: all)");
  command
      ->add_option("--min-patches", options.min_patches,
                   "Agreeing patches the robust matcher needs")
      ->check(CLI::Range(2, 16))
      ->capture_default_str();
  command->add_flag("-q,--quiet", options.quiet, "No progress bar");
  return command;
}

int RunEvalCommand(const EvalCommandOptions& options,
                   const std::string& command_line, std::FILE* out,
                   std::FILE* err) {
  eval::EvalOptions run;
  run.corpus = options.corpus;
  run.seed = options.seed;
  run.working_side = options.working_side;
  run.threads = options.jobs;
  run.limit = options.limit;
  run.transforms = options.transforms;
  run.min_patches = options.min_patches;
  std::unique_ptr<ProgressBar> bar;
  const bool show = !options.quiet && IsTerminal(err);
  run.progress = [&](std::uint64_t done, std::uint64_t total) {
    if (!bar) bar = std::make_unique<ProgressBar>("eval", total, show);
    bar->Update(done);
  };
  auto report = eval::RunEval(run);
  if (bar) bar->Finish();
  if (!report) {
    std::fprintf(err, "rempart eval: %s\n", report.status().ToString().c_str());
    return report.status().code() == StatusCode::kInvalidArgument
               ? kExitUsage
               : kExitSomeFailed;
  }
  report->command = command_line;
  std::ostringstream table;
  eval::WriteTable(*report, table);
  std::fputs(table.str().c_str(), out);

  std::error_code error;
  std::filesystem::create_directories(options.out, error);
  if (error) {
    std::fprintf(err, "rempart eval: cannot create %s: %s\n",
                 options.out.c_str(), error.message().c_str());
    return kExitSomeFailed;
  }
  std::ostringstream html;
  eval::WriteHtml(*report, html);
  std::ostringstream json;
  eval::WriteJson(*report, json);
  const std::filesystem::path folder(options.out);
  for (const auto& [name, text] :
       {std::pair{"report.html", html.str()}, {"report.json", json.str()}}) {
    const Status written = WriteFile(folder / name, text);
    if (!written.ok()) {
      std::fprintf(err, "rempart eval: %s\n", written.ToString().c_str());
      return kExitSomeFailed;
    }
  }
  std::fprintf(err, "rempart eval: wrote %s and %s\n",
               (folder / "report.html").c_str(),
               (folder / "report.json").c_str());
  return kExitOk;
}

}  // namespace rempart::cli

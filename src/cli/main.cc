// The `rempart` command: a thin shell over the library. Each subcommand
// lives in its own file; this one parses flags and stands as the last
// barrier for anything unexpected.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <exception>

#include "cli/audit_command.h"
#include "cli/bank_command.h"
#include "cli/eval_command.h"
#include "cli/exit_codes.h"
#include "cli/hash_command.h"
#include "cli/match_command.h"
#include "cli/serve_command.h"

namespace {

int Main(int argc, char** argv) {
  using namespace rempart::cli;
  CLI::App app(
      "Rempart: hash intimate images on your own machine so they can be "
      "blocked everywhere, without ever sharing the images.",
      "rempart");
  app.require_subcommand(1);
  app.set_version_flag("--version", "rempart 0.1.0");
  HashCommandOptions hash_options;
  CLI::App* hash_command = AddHashCommand(app, hash_options);
  BankCommandOptions bank_options;
  CLI::App* bank_command = AddBankCommand(app, bank_options);
  MatchCommandOptions match_options;
  CLI::App* match_command = AddMatchCommand(app, match_options);
  AuditCommandOptions audit_options;
  CLI::App* audit_command = AddAuditCommand(app, audit_options);
  EvalCommandOptions eval_options;
  CLI::App* eval_command = AddEvalCommand(app, eval_options);
  ServeCommandOptions serve_options;
  CLI::App* serve_command = AddServeCommand(app, serve_options);
  KeyCommandOptions key_options;
  CLI::App* key_command = AddKeyCommand(app, key_options);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    const int code = app.exit(error);
    return code == 0 ? kExitOk : kExitUsage;
  }
  try {
    if (hash_command->parsed()) {
      return RunHashCommand(hash_options, stdout, stderr);
    }
    if (bank_command->parsed()) {
      return RunBankCommand(*bank_command, bank_options, stdout, stderr);
    }
    if (match_command->parsed()) {
      return RunMatchCommand(match_options, stdout, stderr);
    }
    if (audit_command->parsed()) {
      return RunAuditCommand(*audit_command, audit_options, stdout, stderr);
    }
    if (eval_command->parsed()) {
      std::string command_line = "rempart";
      for (int i = 1; i < argc; ++i) {
        command_line += ' ';
        command_line += argv[i];
      }
      return RunEvalCommand(eval_options, command_line, stdout, stderr);
    }
    if (serve_command->parsed()) {
      return RunServeCommand(serve_options, stdout, stderr);
    }
    if (key_command->parsed()) {
      return RunKeyCommand(*key_command, key_options, stdout, stderr);
    }
  } catch (const std::exception& error) {
    std::fprintf(stderr, "rempart: internal error: %s\n", error.what());
    return kExitInternal;
  }
  return kExitUsage;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return Main(argc, argv);
  } catch (...) {  // The last barrier: nothing escapes as a crash.
    std::fputs("rempart: internal error\n", stderr);
    return rempart::cli::kExitInternal;
  }
}

// `rempart bank`: create, list, inspect, import, export and revoke banks
// in the data directory's store.
#ifndef REMPART_CLI_BANK_COMMAND_H_
#define REMPART_CLI_BANK_COMMAND_H_

#include <CLI/CLI.hpp>
#include <cstdio>
#include <string>
#include <vector>

namespace rempart::cli {

struct BankCommandOptions {
  std::string data_dir;
  std::string bank;
  std::string description;
  std::string format =
      "auto";  // import: auto|lines|tsv|csv; list/stats: text|json
  std::string kind = "pdq";
  std::string category = "intimate_image";
  std::string source_org;
  std::string status = "all";  // export: all|active|revoked
  std::string reason;
  std::vector<std::string> values;  // revoke
  std::string file = "-";           // import / export
  bool strict = false;
  int min_quality = 50;
  bool quiet = false;
};

CLI::App* AddBankCommand(CLI::App& app, BankCommandOptions& options);
// Runs whichever bank subcommand was parsed.
int RunBankCommand(const CLI::App& bank, const BankCommandOptions& options,
                   std::FILE* out, std::FILE* err);

}  // namespace rempart::cli

#endif  // REMPART_CLI_BANK_COMMAND_H_

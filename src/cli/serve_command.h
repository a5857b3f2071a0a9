// `rempart serve`: the HTTP service (docs/SERVICE.md), and `rempart key`:
// its API keys.
#ifndef REMPART_CLI_SERVE_COMMAND_H_
#define REMPART_CLI_SERVE_COMMAND_H_

#include <CLI/CLI.hpp>
#include <cstdio>
#include <string>

namespace rempart::cli {

struct ServeCommandOptions {
  std::string data_dir;
  std::string config_file;  // Else $REMPART_CONFIG, else none.
  std::string listen;       // HOST:PORT
  int threads = -1;         // -1: from the config.
  std::string log_format;
  std::string log_level;
  bool metrics_public = false;
  bool robust = false;   // The second stage on uploads ([match] robust).
  int min_patches = 0;   // Its agreeing patches ([match] min_patches); 0: as
                         // configured.
  std::string web_root;  // Else [web] root, else the build's web/.
};

CLI::App* AddServeCommand(CLI::App& app, ServeCommandOptions& options);
int RunServeCommand(const ServeCommandOptions& options, std::FILE* out,
                    std::FILE* err);

struct KeyCommandOptions {
  std::string data_dir;
  std::string name;
  std::string role;
  int rate_per_second = 0;
  std::string key_id;
  std::string format = "text";
};

CLI::App* AddKeyCommand(CLI::App& app, KeyCommandOptions& options);
int RunKeyCommand(const CLI::App& command, const KeyCommandOptions& options,
                  std::FILE* out, std::FILE* err);

}  // namespace rempart::cli

#endif  // REMPART_CLI_SERVE_COMMAND_H_

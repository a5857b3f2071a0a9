// `rempart audit`: verify the store's audit chain and list its records.
//
//   rempart audit verify [--data DIR] [--format text|json]
//   rempart audit list [--data DIR] [--after SEQ] [--limit N]
//
// verify recomputes the whole chain and prints how many records it holds
// and the head hash: keep that hash somewhere else (a ticket, a printout, a
// second machine) and a later verify shows whether anything up to it was
// changed or the newest records were cut off. Exits kExitOk when the chain
// is whole and kExitDataDamaged, naming the first bad record, when not.
// list prints records as JSON lines, oldest first.
#ifndef REMPART_CLI_AUDIT_COMMAND_H_
#define REMPART_CLI_AUDIT_COMMAND_H_

#include <CLI/CLI.hpp>
#include <cstdint>
#include <cstdio>
#include <string>

#include "rempart/store/audit.h"

namespace rempart::cli {

struct AuditCommandOptions {
  std::string data_dir;
  std::string format = "text";  // verify: text|json
  std::int64_t after = 0;       // list: records with seq > after
  std::int64_t limit = 0;       // list: at most this many; 0 for all
};

CLI::App* AddAuditCommand(CLI::App& app, AuditCommandOptions& options);
// Runs whichever audit subcommand was parsed.
int RunAuditCommand(const CLI::App& audit, const AuditCommandOptions& options,
                    std::FILE* out, std::FILE* err);

// Who the command line acts as in the audit log: "local:<user>", the user
// from $USER, else the numeric uid.
store::Actor LocalActor();

}  // namespace rempart::cli

#endif  // REMPART_CLI_AUDIT_COMMAND_H_

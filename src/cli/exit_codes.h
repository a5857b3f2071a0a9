// Process exit codes of the `rempart` command, one table for every
// subcommand.
#ifndef REMPART_CLI_EXIT_CODES_H_
#define REMPART_CLI_EXIT_CODES_H_

namespace rempart::cli {

inline constexpr int kExitOk = 0;          // Everything asked for was done.
inline constexpr int kExitSomeFailed = 1;  // Some inputs failed; each reported.
inline constexpr int kExitUsage = 2;       // Bad flags or arguments.
inline constexpr int kExitInternal = 3;    // A bug; please report it.
// Stored data failed a check (e.g. `rempart audit verify` found the audit
// chain broken): someone or something changed the store behind Rempart.
inline constexpr int kExitDataDamaged = 4;

}  // namespace rempart::cli

#endif  // REMPART_CLI_EXIT_CODES_H_

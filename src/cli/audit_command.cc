// `rempart audit …`. Both subcommands only read: they open the store the
// way every command does (which upgrades an older schema) but refuse to
// create one, since an empty chain that verifies would say nothing.
#include "cli/audit_command.h"

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "cli/data_dir.h"
#include "cli/exit_codes.h"
#include "rempart/core/hex.h"
#include "rempart/interchange/writer.h"
#include "rempart/store/sqlite_store.h"

namespace rempart::cli {
namespace {

int Fail(std::FILE* err, const std::string& command, const Status& status) {
  std::fprintf(err, "rempart audit %s: %s\n", command.c_str(),
               status.ToString().c_str());
  return status.code() == StatusCode::kInvalidArgument ? kExitUsage
                                                       : kExitSomeFailed;
}

int Verify(store::AuditLog& audit, const AuditCommandOptions& options,
           std::FILE* out, std::FILE* err) {
  auto verification = audit.VerifyAudit();
  if (!verification) return Fail(err, "verify", verification.error());
  const std::string head = HexEncode(verification->head);
  if (options.format == "json") {
    nlohmann::json report = {{"ok", verification->ok()},
                             {"records", verification->records},
                             {"head", head}};
    if (!verification->ok()) {
      report["first_bad_seq"] = verification->first_bad_seq;
      report["problem"] = verification->problem;
    }
    std::fprintf(out, "%s\n", report.dump().c_str());
  } else if (verification->ok()) {
    std::fprintf(out, "records\t%lld\nhead\t%s\nOK\n",
                 static_cast<long long>(verification->records), head.c_str());
  } else {
    std::fprintf(out,
                 "records\t%lld whole before the first bad one\nhead\t%s "
                 "(of record %lld)\nfirst bad\t%lld\nproblem\t%s\nBROKEN\n",
                 static_cast<long long>(verification->records), head.c_str(),
                 static_cast<long long>(verification->records),
                 static_cast<long long>(verification->first_bad_seq),
                 verification->problem.c_str());
  }
  if (!verification->ok()) {
    std::fprintf(err,
                 "rempart audit verify: the audit chain is broken at record "
                 "%lld: %s\n",
                 static_cast<long long>(verification->first_bad_seq),
                 verification->problem.c_str());
    return kExitDataDamaged;
  }
  return kExitOk;
}

nlohmann::json RecordJson(const store::AuditRecord& record) {
  // Details are a JSON object by the schema's CHECK; a file edited behind
  // the store's back may hold anything, shown then as a string.
  nlohmann::json details = nlohmann::json::parse(record.details, nullptr,
                                                 /*allow_exceptions=*/false);
  if (details.is_discarded()) details = record.details;
  return {{"seq", record.seq},
          {"at", interchange::FormatTimestamp(record.at_ms)},
          {"at_ms", record.at_ms},
          {"actor", record.actor},
          {"action", record.action},
          {"target", record.target},
          {"details", details},
          {"prev_hash", HexEncode(record.prev_hash)},
          {"hash", HexEncode(record.hash)}};
}

int List(store::AuditLog& audit, const AuditCommandOptions& options,
         std::FILE* out, std::FILE* err) {
  std::int64_t printed = 0;
  Status status =
      audit.ForEachAudit(options.after, [&](const store::AuditRecord& record) {
        // Text from the file is escaped by the JSON writer (control
        // characters included); invalid UTF-8 is replaced, not thrown on.
        std::fprintf(
            out, "%s\n",
            RecordJson(record)
                .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)
                .c_str());
        ++printed;
        return options.limit == 0 || printed < options.limit;
      });
  if (!status.ok()) return Fail(err, "list", status);
  return kExitOk;
}

}  // namespace

store::Actor LocalActor() {
  std::string user;
  if (const char* env = std::getenv("USER"); env != nullptr && *env) {
    user = env;
  } else {
    user = std::to_string(::getuid());
  }
  const std::string prefix = "local:";
  user.resize(std::min(user.size(), store::kMaxActorBytes - prefix.size()));
  return store::Actor{prefix + user};
}

CLI::App* AddAuditCommand(CLI::App& app, AuditCommandOptions& options) {
  CLI::App* audit = app.add_subcommand(
      "audit", "Check and read the audit log of every change to the store");
  audit->require_subcommand(1);
  audit->fallthrough();  // --data may follow the subcommand's arguments.
  AddDataOption(*audit, options.data_dir);

  CLI::App* verify = audit->add_subcommand(
      "verify",
      "Recompute the audit chain; print its length and head hash (keep it "
      "elsewhere to compare later)");
  verify->add_option("--format", options.format, "text or json")
      ->check(CLI::IsMember({"text", "json"}));

  CLI::App* list =
      audit->add_subcommand("list", "Print audit records as JSON lines");
  list->add_option("--after", options.after,
                   "Only records after this seq (default 0: all)")
      ->check(CLI::NonNegativeNumber);
  list->add_option("--limit", options.limit,
                   "At most this many records (default 0: no limit)")
      ->check(CLI::NonNegativeNumber);
  return audit;
}

int RunAuditCommand(const CLI::App& audit, const AuditCommandOptions& options,
                    std::FILE* out, std::FILE* err) {
  const std::filesystem::path data = DataDir(options.data_dir);
  const std::filesystem::path file = data / "rempart.db";
  std::error_code error;
  if (!std::filesystem::exists(file, error)) {
    std::fprintf(err,
                 "rempart audit: no store in %s (point --data or "
                 "$REMPART_DATA at your data directory)\n",
                 data.c_str());
    return kExitSomeFailed;
  }
  auto database = store::OpenSqliteDatabase(file);
  if (!database) {
    std::fprintf(err, "rempart audit: %s: %s\n", data.c_str(),
                 database.error().ToString().c_str());
    return kExitSomeFailed;
  }
  store::AuditLog& log = *database->audit;
  const std::string name = audit.get_subcommands().front()->get_name();
  if (name == "verify") return Verify(log, options, out, err);
  if (name == "list") return List(log, options, out, err);
  return kExitUsage;
}

}  // namespace rempart::cli

// `rempart bank …`. Imports stream: records are read, validated line by
// line and committed in batches, each acknowledged by the store before the
// next is read, so an interrupted import keeps every committed batch and a
// re-run adds only the rest (entries are unique per signal).
#include "cli/bank_command.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/audit_command.h"
#include "cli/data_dir.h"
#include "cli/exit_codes.h"
#include "cli/progress.h"
#include "rempart/interchange/format.h"
#include "rempart/interchange/reader.h"
#include "rempart/interchange/writer.h"
#include "rempart/match/matcher.h"

namespace rempart::cli {
namespace {

// Entries per transaction: each is one fsync, and what a crash can lose.
constexpr std::size_t kImportBatch = 50000;

int Fail(std::FILE* err, const std::string& command, const Status& status) {
  std::fprintf(err, "rempart bank %s: %s\n", command.c_str(),
               status.ToString().c_str());
  return status.code() == StatusCode::kInvalidArgument ? kExitUsage
                                                       : kExitSomeFailed;
}

nlohmann::json StatsJson(const store::Bank& bank,
                         const store::BankStats& stats) {
  return {{"name", bank.name},
          {"description", bank.description},
          {"created_at", interchange::FormatTimestamp(bank.created_at_ms)},
          {"active",
           {{"pdq", stats.active_pdq},
            {"md5", stats.active_md5},
            {"sha256", stats.active_sha256},
            {"vpdq", stats.active_vpdq}}},
          {"revoked", stats.revoked},
          {"total", stats.total},
          {"revision", stats.revision}};
}

int ListOrStats(store::Store& store, const BankCommandOptions& options,
                bool one, std::FILE* out, std::FILE* err) {
  const std::string command = one ? "stats" : "list";
  std::vector<store::Bank> banks;
  if (one) {
    auto bank = store.GetBank(options.bank);
    if (!bank) return Fail(err, command, bank.error());
    banks.push_back(*bank);
  } else {
    auto all = store.ListBanks();
    if (!all) return Fail(err, command, all.error());
    banks = *all;
  }
  nlohmann::json list = nlohmann::json::array();
  for (const store::Bank& bank : banks) {
    auto stats = store.Stats(bank.name);
    if (!stats) return Fail(err, command, stats.error());
    if (options.format == "json") {
      list.push_back(StatsJson(bank, *stats));
      continue;
    }
    std::fprintf(out,
                 "%s\tpdq %lld\tmd5 %lld\tsha256 %lld\tvpdq %lld\trevoked "
                 "%lld\t%s\n",
                 bank.name.c_str(), static_cast<long long>(stats->active_pdq),
                 static_cast<long long>(stats->active_md5),
                 static_cast<long long>(stats->active_sha256),
                 static_cast<long long>(stats->active_vpdq),
                 static_cast<long long>(stats->revoked),
                 bank.description.c_str());
  }
  if (options.format == "json") {
    const auto& value = one ? list[0] : list;
    std::fprintf(out, "%s\n", value.dump().c_str());
  }
  return kExitOk;
}

int Import(store::Store& store, const BankCommandOptions& options,
           const store::Actor& actor, std::FILE* err) {
  auto bank = store.GetBank(options.bank);
  if (!bank) return Fail(err, "import", bank.error());
  interchange::ReaderOptions reader_options;
  if (options.format != "auto") {
    auto format = interchange::ParseFormat(options.format);
    if (!format) return Fail(err, "import", format.error());
    reader_options.format = *format;
  } else if (options.file != "-") {
    reader_options.format = interchange::FormatFromFileName(options.file);
  }
  auto kind = store::ParseSignalKind(options.kind);
  if (!kind) return Fail(err, "import", kind.error());
  auto category = store::ParseCategory(options.category);
  if (!category) return Fail(err, "import", category.error());
  reader_options.kind = *kind;
  reader_options.category = *category;
  reader_options.source_org = options.source_org;

  std::ifstream file;
  std::istream* in = &std::cin;
  std::uint64_t total_bytes = 0;
  const std::string name = options.file == "-" ? "<stdin>" : options.file;
  if (options.file != "-") {
    file.open(options.file, std::ios::binary);
    if (!file) {
      return Fail(err, "import",
                  NotFoundError(options.file + ": cannot open for reading"));
    }
    std::error_code error;
    total_bytes = std::filesystem::file_size(options.file, error);
    in = &file;
  }
  auto reader = interchange::Reader::Open(*in, reader_options);
  if (!reader) return Fail(err, "import", reader.error().WithContext(name));
  for (std::string column : reader->ignored_columns()) {
    // Header text is untrusted: no control characters reach the terminal.
    for (char& c : column) {
      if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = '?';
    }
    std::fprintf(err, "rempart bank import: %s: ignoring column '%s'\n",
                 name.c_str(), column.c_str());
  }

  ProgressBar progress("importing (bytes)", total_bytes,
                       !options.quiet && total_bytes > 0);
  std::vector<store::NewEntry> batch;
  std::vector<store::NewEntry> staged;  // --strict: all, until validated.
  std::size_t added = 0;
  std::size_t unchanged = 0;
  std::size_t signed_existing = 0;
  std::size_t bad = 0;
  auto bad_line = [&](std::int64_t line, const std::string& message) {
    ++bad;
    std::fprintf(err, "%s%s:%lld: %s\n", IsTerminal(err) ? "\r\x1b[K" : "",
                 name.c_str(), static_cast<long long>(line), message.c_str());
  };
  auto commit = [&](std::vector<store::NewEntry>& entries) -> Status {
    for (std::size_t first = 0; first < entries.size(); first += kImportBatch) {
      const std::size_t count = std::min(kImportBatch, entries.size() - first);
      auto outcome = store.AddEntries(
          options.bank, std::span(entries).subspan(first, count), actor);
      if (!outcome) return outcome.error();
      added += outcome->added;
      unchanged += outcome->unchanged;
      signed_existing += outcome->signed_existing;
    }
    entries.clear();
    return OkStatus();
  };
  while (auto item = reader->Next()) {
    if (const auto* error = std::get_if<interchange::LineError>(&*item)) {
      bad_line(error->line, error->message);
      if (options.strict) break;
      continue;
    }
    auto& record = std::get<interchange::Record>(*item);
    store::NewEntry entry{std::move(record.input), record.status,
                          std::move(record.revoke_reason)};
    if (entry.input.signal.kind() == store::SignalKind::kPdq &&
        entry.input.quality.has_value() &&
        *entry.input.quality < options.min_quality) {
      bad_line(record.line, "PDQ quality " +
                                std::to_string(*entry.input.quality) +
                                " is below --min-quality " +
                                std::to_string(options.min_quality) +
                                ": too little signal to match on");
      if (options.strict) break;
      continue;
    }
    // A video none of whose frames has the detail to match on would sit in
    // the bank matching nothing.
    if (entry.input.signal.kind() == store::SignalKind::kVpdq &&
        std::none_of(entry.input.frames.begin(), entry.input.frames.end(),
                     [&](const hash::VpdqFrame& frame) {
                       return frame.quality >= options.min_quality;
                     })) {
      bad_line(record.line, "no frame of the video reaches --min-quality " +
                                std::to_string(options.min_quality));
      if (options.strict) break;
      continue;
    }
    if (Status valid = store::ValidateNewEntry(entry); !valid.ok()) {
      bad_line(record.line, valid.message());
      if (options.strict) break;
      continue;
    }
    (options.strict ? staged : batch).push_back(std::move(entry));
    if (batch.size() >= kImportBatch) {
      if (Status status = commit(batch); !status.ok()) {
        progress.Finish();
        return Fail(err, "import", status);
      }
    }
    progress.Update(reader->bytes_consumed());
  }
  if (!reader->status().ok()) {
    progress.Finish();
    return Fail(err, "import", reader->status().WithContext(name));
  }
  if (options.strict && bad > 0) {
    progress.Finish();
    std::fprintf(err,
                 "rempart bank import: %s: refused (--strict): nothing "
                 "imported\n",
                 name.c_str());
    return kExitSomeFailed;
  }
  Status status = commit(options.strict ? staged : batch);
  progress.Finish();
  if (!status.ok()) return Fail(err, "import", status);
  // Hashes the bank had, signed by this list (`rempart hash --patches`).
  const std::string signed_text = signed_existing > 0
                                      ? " (" + std::to_string(signed_existing) +
                                            " of them took a patch signature)"
                                      : "";
  std::fprintf(err,
               "rempart bank import: %s: %zu new, %zu already present%s, %zu "
               "bad line%s skipped\n",
               name.c_str(), added, unchanged, signed_text.c_str(), bad,
               bad == 1 ? "" : "s");
  return bad > 0 ? kExitSomeFailed : kExitOk;
}

int Export(store::Store& store, const BankCommandOptions& options,
           std::FILE* err) {
  auto format = interchange::ParseFormat(
      options.format == "auto" ? "csv" : options.format);
  if (!format) return Fail(err, "export", format.error());
  store::EntryFilter filter;
  if (options.status != "all") {
    auto status = store::ParseEntryStatus(options.status);
    if (!status) return Fail(err, "export", status.error());
    filter.status = *status;
  }
  std::ofstream file;
  std::ostream* out = &std::cout;
  if (options.file != "-") {
    file.open(options.file, std::ios::binary | std::ios::trunc);
    if (!file) {
      return Fail(err, "export",
                  UnavailableError(options.file + ": cannot open for writing"));
    }
    out = &file;
  }
  interchange::Writer writer(*out, *format);
  if (Status status = writer.WriteHeader(); !status.ok()) {
    return Fail(err, "export", status);
  }
  std::size_t written = 0;
  std::size_t failed = 0;
  Status status =
      store.ForEachEntry(options.bank, filter, [&](const store::Entry& entry) {
        if (Status write = writer.Write(entry); !write.ok()) {
          ++failed;
          std::fprintf(err, "rempart bank export: entry %lld: %s\n",
                       static_cast<long long>(entry.id),
                       write.message().c_str());
          return write.code() != StatusCode::kUnavailable;
        }
        ++written;
        return true;
      });
  out->flush();
  if (!status.ok()) return Fail(err, "export", status);
  if (!*out) return Fail(err, "export", UnavailableError("write failed"));
  if (!options.quiet) {
    std::fprintf(err, "rempart bank export: %zu %s written\n", written,
                 written == 1 ? "entry" : "entries");
  }
  return failed > 0 ? kExitSomeFailed : kExitOk;
}

int Revoke(store::Store& store, const BankCommandOptions& options,
           const store::Actor& actor, std::FILE* out, std::FILE* err) {
  auto kind = store::ParseSignalKind(options.kind);
  if (!kind) return Fail(err, "revoke", kind.error());
  int code = kExitOk;
  for (const std::string& value : options.values) {
    auto signal = store::Signal::FromHex(*kind, value);
    if (!signal) {
      code = Fail(err, "revoke", signal.error());
      continue;
    }
    auto entry = store.Revoke(options.bank, *signal, options.reason, actor);
    if (!entry) {
      code = std::max(code, Fail(err, "revoke", entry.error()));
      continue;
    }
    std::fprintf(out, "revoked\t%lld\t%s\t%s\n",
                 static_cast<long long>(entry->id),
                 std::string(store::SignalKindName(*kind)).c_str(),
                 signal->hex().c_str());
  }
  return code;
}

int Snapshot(store::Store& store, const BankCommandOptions& options,
             std::FILE* out, std::FILE* err) {
  match::MatcherOptions matcher_options;
  matcher_options.snapshot_dir = SnapshotDir(DataDir(options.data_dir));
  auto matcher = match::Matcher::Open(store, matcher_options);
  if (!matcher) return Fail(err, "snapshot", matcher.error());
  if (Status status = (*matcher)->SaveSnapshots(); !status.ok()) {
    return Fail(err, "snapshot", status);
  }
  for (const match::BankLoad& load : (*matcher)->loads()) {
    std::fprintf(out, "%s\t%zu entries\tsnapshot written\n", load.bank.c_str(),
                 load.entries);
  }
  return kExitOk;
}

}  // namespace

CLI::App* AddBankCommand(CLI::App& app, BankCommandOptions& options) {
  CLI::App* bank = app.add_subcommand(
      "bank", "Manage banks: named lists of verified signals");
  bank->require_subcommand(1);
  bank->fallthrough();  // --data may follow the subcommand's arguments.
  AddDataOption(*bank, options.data_dir);

  CLI::App* create = bank->add_subcommand("create", "Create an empty bank");
  create->add_option("name", options.bank, "Bank name ([a-z0-9._-], ≤ 64)")
      ->required();
  create->add_option("--description", options.description,
                     "What the bank holds and who vouches for it");

  CLI::App* list = bank->add_subcommand("list", "List banks with counts");
  list->add_option("--format", options.format, "text or json")
      ->check(CLI::IsMember({"auto", "text", "json"}));

  CLI::App* stats = bank->add_subcommand("stats", "Counts of one bank");
  stats->add_option("name", options.bank, "Bank name")->required();
  stats->add_option("--format", options.format, "text or json")
      ->check(CLI::IsMember({"auto", "text", "json"}));

  CLI::App* import = bank->add_subcommand(
      "import",
      "Add signals from a hash list (one hex hash per line, optionally "
      "TAB quality TAB external id; or TSV/CSV with a header such as "
      "`rempart hash --format tsv` output or a `bank export`; or one video's "
      "vPDQ file)");
  import->add_option("name", options.bank, "Bank name")->required();
  import->add_option("file", options.file, "List to read; - for stdin")
      ->required();
  import
      ->add_option("--format", options.format,
                   "auto (from the extension or content), lines, tsv, csv, "
                   "vpdq (one video's frames, as `rempart hash clip.mp4` "
                   "writes)")
      ->check(CLI::IsMember({"auto", "lines", "tsv", "csv", "vpdq"}));
  import
      ->add_option("--kind", options.kind,
                   "Signal kind of plain lines: pdq, md5, sha256")
      ->check(CLI::IsMember({"pdq", "md5", "sha256"}));
  import->add_option("--category", options.category,
                     "Category when the list has none: intimate_image, "
                     "sextortion, synthetic, child_abuse");
  import->add_option("--source-org", options.source_org,
                     "Verifying organisation when the list names none");
  import->add_flag("--strict", options.strict,
                   "Refuse the whole list if any line is bad (default: "
                   "report bad lines with their numbers and skip them)");
  import
      ->add_option("--min-quality", options.min_quality,
                   "Refuse PDQ hashes whose stated quality is lower "
                   "(default 50, PDQ's own floor)")
      ->check(CLI::Range(0, 100));
  import->add_flag("-q,--quiet", options.quiet, "No progress bar");

  CLI::App* exporter = bank->add_subcommand(
      "export", "Write a bank as a hash list (csv is lossless)");
  exporter->add_option("name", options.bank, "Bank name")->required();
  exporter->add_option("file", options.file, "Where to write; - for stdout");
  exporter
      ->add_option("--format", options.format,
                   "csv (default), tsv, lines (photos' signals only), vpdq "
                   "(a bank holding exactly one video)")
      ->check(CLI::IsMember({"auto", "lines", "tsv", "csv", "vpdq"}));
  exporter->add_option("--status", options.status, "all, active or revoked")
      ->check(CLI::IsMember({"all", "active", "revoked"}));
  exporter->add_flag("-q,--quiet", options.quiet, "No summary");

  CLI::App* revoke = bank->add_subcommand(
      "revoke",
      "Stop signals from matching; they stay on record with the reason");
  revoke->add_option("name", options.bank, "Bank name")->required();
  revoke->add_option("values", options.values, "Hex signal values")->required();
  revoke
      ->add_option("--reason", options.reason,
                   "Why (kept with the entry, e.g. 'appeal upheld')")
      ->required();
  revoke
      ->add_option("--kind", options.kind,
                   "pdq, md5, sha256 or vpdq (a video, by its name)")
      ->check(CLI::IsMember({"pdq", "md5", "sha256", "vpdq"}));

  bank->add_subcommand("snapshot",
                       "Write every bank's snapshot file, for fast start-up "
                       "of `match` and the service");
  return bank;
}

int RunBankCommand(const CLI::App& bank, const BankCommandOptions& options,
                   std::FILE* out, std::FILE* err) {
  const std::filesystem::path data = DataDir(options.data_dir);
  const bool bulk = bank.got_subcommand("import");
  auto opened = OpenDataStore(data, bulk ? kBulkCacheBytes : 0);
  if (!opened) {
    std::fprintf(err, "rempart bank: %s: %s\n", data.c_str(),
                 opened.error().ToString().c_str());
    return kExitSomeFailed;
  }
  store::Store& store = **opened;
  // Every change is recorded in the store's audit log under this name.
  const store::Actor actor = LocalActor();
  const CLI::App* sub = bank.get_subcommands().front();
  const std::string name = sub->get_name();
  if (name == "create") {
    auto created = store.CreateBank(options.bank, options.description, actor);
    if (!created) return Fail(err, name, created.error());
    std::fprintf(out, "created bank %s\n", created->name.c_str());
    return kExitOk;
  }
  if (name == "list") return ListOrStats(store, options, false, out, err);
  if (name == "stats") return ListOrStats(store, options, true, out, err);
  if (name == "import") return Import(store, options, actor, err);
  if (name == "export") return Export(store, options, err);
  if (name == "revoke") return Revoke(store, options, actor, out, err);
  if (name == "snapshot") return Snapshot(store, options, out, err);
  return kExitUsage;
}

}  // namespace rempart::cli

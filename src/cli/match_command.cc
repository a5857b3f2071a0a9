// `rempart match`: loads every bank (from snapshots when present), then
// checks each input — a hex signal, or a photo hashed on the fly (PDQ,
// optionally its eight dihedral variants, MD5 and SHA-256) — and prints
// every matching entry with the bank and the organisation behind it.
#include "cli/match_command.h"

#include <filesystem>
#include <nlohmann/json.hpp>

#include "cli/data_dir.h"
#include "cli/exit_codes.h"
#include "cli/image_inputs.h"
#include "cli/one_line.h"
#include "cli/progress.h"
#include "rempart/index/index.h"
#include "rempart/match/matcher.h"

namespace rempart::cli {
namespace {

class MatchWriter {
 public:
  MatchWriter(std::FILE* out, std::string format)
      : out_(out), format_(std::move(format)) {}

  void Header() {
    if (format_ == "tsv") {
      std::fputs(
          "input\tbank\tentry\tkind\tvalue\tdistance\tcategory\tsource_org\t"
          "external_id\n",
          out_);
    }
  }

  void Write(const std::string& input, const std::vector<match::Hit>& hits) {
    if (format_ == "json") {
      nlohmann::json matches = nlohmann::json::array();
      for (const match::Hit& hit : hits) {
        const store::EntryInput& entry = hit.entry.input;
        matches.push_back({{"bank", hit.bank},
                           {"entry", hit.entry.id},
                           {"kind", store::SignalKindName(entry.signal.kind())},
                           {"value", entry.signal.hex()},
                           {"distance", hit.distance},
                           {"category", store::CategoryName(entry.category)},
                           {"source_org", entry.source_org},
                           {"external_id", entry.external_id}});
      }
      const nlohmann::json record = {{"input", input}, {"matches", matches}};
      std::fprintf(out_, "%s\n", record.dump().c_str());
    } else if (format_ == "tsv") {
      for (const match::Hit& hit : hits) {
        const store::EntryInput& entry = hit.entry.input;
        std::fprintf(
            out_, "%s\t%s\t%lld\t%s\t%s\t%d\t%s\t%s\t%s\n",
            OneLine(input).c_str(), hit.bank.c_str(),
            static_cast<long long>(hit.entry.id),
            std::string(store::SignalKindName(entry.signal.kind())).c_str(),
            entry.signal.hex().c_str(), hit.distance,
            std::string(store::CategoryName(entry.category)).c_str(),
            OneLine(entry.source_org).c_str(),
            OneLine(entry.external_id).c_str());
      }
    } else if (hits.empty()) {
      std::fprintf(out_, "%s: no match\n", input.c_str());
    } else {
      for (const match::Hit& hit : hits) {
        const store::EntryInput& entry = hit.entry.input;
        std::fprintf(
            out_, "%s: MATCH bank %s entry %lld (%s, distance %d) %s, %s%s%s\n",
            input.c_str(), hit.bank.c_str(),
            static_cast<long long>(hit.entry.id),
            std::string(store::SignalKindName(entry.signal.kind())).c_str(),
            hit.distance,
            std::string(store::CategoryName(entry.category)).c_str(),
            entry.source_org.empty() ? "unknown source"
                                     : entry.source_org.c_str(),
            entry.external_id.empty() ? "" : ", ref ",
            entry.external_id.c_str());
      }
    }
    std::fflush(out_);
  }

 private:
  std::FILE* out_;
  std::string format_;
};

// A hex argument of the expected length that names no file.
std::optional<store::Signal> AsSignal(const std::string& input,
                                      store::SignalKind kind) {
  std::error_code error;
  if (std::filesystem::exists(input, error)) return std::nullopt;
  auto signal = store::Signal::FromHex(kind, input);
  if (!signal) return std::nullopt;
  return *signal;
}

}  // namespace

CLI::App* AddMatchCommand(CLI::App& app, MatchCommandOptions& options) {
  CLI::App* command = app.add_subcommand(
      "match",
      "Check photos (hashed here, never uploaded) or hex hashes against the "
      "banks");
  command
      ->add_option("inputs", options.inputs,
                   "Photos, directories (recursive), - for stdin, or hex "
                   "signal values")
      ->required();
  AddDataOption(*command, options.data_dir);
  command->add_option("-b,--bank", options.banks,
                      "Only these banks (repeatable); default all");
  command
      ->add_option("-r,--radius", options.radius,
                   "PDQ match radius in bits (default 31, the field's "
                   "threshold)")
      ->check(CLI::Range(0, index::kMaxRadius));
  command->add_flag("--dihedral", options.dihedral,
                    "Also match rotated and mirrored copies of each photo");
  command->add_flag("--fast", options.fast,
                    "Decode large JPEGs faster (PDQ within a few bits)");
  command
      ->add_option("--kind", options.kind,
                   "Kind of hex arguments: pdq (default), md5, sha256")
      ->check(CLI::IsMember({"pdq", "md5", "sha256"}));
  command->add_option("--format", options.format, "text (default), tsv, json")
      ->check(CLI::IsMember({"text", "tsv", "json"}));
  command->add_option("-j,--jobs", options.jobs,
                      "Hashing threads (default: one per core)");
  command->add_flag("-q,--quiet", options.quiet, "No progress bar");
  return command;
}

int RunMatchCommand(const MatchCommandOptions& options, std::FILE* out,
                    std::FILE* err) {
  const std::filesystem::path data = DataDir(options.data_dir);
  std::error_code error;
  if (!std::filesystem::exists(data / "rempart.db", error)) {
    std::fprintf(err,
                 "rempart match: no banks in %s (create one with `rempart "
                 "bank create`, or point --data or $REMPART_DATA at your "
                 "data directory)\n",
                 data.c_str());
    return kExitSomeFailed;
  }
  auto store = OpenDataStore(data);
  if (!store) {
    std::fprintf(err, "rempart match: %s: %s\n", data.c_str(),
                 store.error().ToString().c_str());
    return kExitSomeFailed;
  }
  match::MatcherOptions matcher_options;
  matcher_options.snapshot_dir = SnapshotDir(data);
  auto matcher = match::Matcher::Open(**store, matcher_options);
  if (!matcher) {
    std::fprintf(err, "rempart match: %s\n",
                 matcher.error().ToString().c_str());
    return kExitSomeFailed;
  }
  for (const std::string& bank : options.banks) {
    const auto names = (*matcher)->bank_names();
    if (std::find(names.begin(), names.end(), bank) == names.end()) {
      std::fprintf(err, "rempart match: no bank named '%s'\n", bank.c_str());
      return kExitUsage;
    }
  }
  const store::SignalKind kind = *store::ParseSignalKind(options.kind);
  MatchWriter writer(out, options.format);
  writer.Header();
  std::size_t failed = 0;
  auto report = [&](const std::string& input, const Status& status) {
    ++failed;
    std::fprintf(err, "%s%s: %s\n", IsTerminal(err) ? "\r\x1b[K" : "",
                 input.c_str(), status.ToString().c_str());
  };

  std::vector<std::string> files;
  for (const std::string& input : options.inputs) {
    if (auto signal = AsSignal(input, kind)) {
      auto hits =
          (*matcher)->MatchSignal(*signal, options.radius, options.banks);
      if (!hits) {
        report(input, hits.error());
      } else {
        writer.Write(input, *hits);
      }
    } else {
      files.push_back(input);
    }
  }
  if (files.empty()) return failed > 0 ? kExitSomeFailed : kExitOk;

  hash::ImageHashOptions hash_options;
  hash_options.pdq.dihedral = options.dihedral;
  hash_options.speed = options.fast ? hash::Speed::kFast : hash::Speed::kExact;
  const bool listed = HashInputs(
      files, hash_options, options.jobs, "matching", !options.quiet, err,
      [&](HashedInput& row) {
        if (row.skipped) return;
        std::vector<match::Hit> hits;
        Status problem;
        if (row.signals) {
          const hash::PdqResult& pdq = row.signals->pdq;
          if (pdq.quality >= hash::kPdqMinUsefulQuality) {
            std::vector<hash::PdqHash> variants = {pdq.hash};
            if (pdq.dihedral) {
              variants.assign(pdq.dihedral->begin(), pdq.dihedral->end());
            }
            auto found =
                (*matcher)->MatchPdq(variants, options.radius, options.banks);
            if (found) {
              match::MergeHits(hits, std::move(*found));
            } else {
              problem = found.error();
            }
          } else if (!options.quiet) {
            std::fprintf(err,
                         "%s: PDQ quality %d is below %d (too little detail "
                         "to match on); matching exact digests only\n",
                         row.path.c_str(), pdq.quality,
                         hash::kPdqMinUsefulQuality);
          }
          row.md5 = row.signals->md5;
          row.sha256 = row.signals->sha256;
        } else {
          problem = row.error;
        }
        // Exact digests match even files that cannot be decoded.
        for (const std::optional<store::Signal>& digest :
             {row.md5 ? std::optional(store::Signal::Md5(*row.md5))
                      : std::nullopt,
              row.sha256 ? std::optional(store::Signal::Sha256(*row.sha256))
                         : std::nullopt}) {
          if (!digest) continue;
          auto found = (*matcher)->MatchSignal(*digest, 0, options.banks);
          if (found) match::MergeHits(hits, std::move(*found));
        }
        if (!problem.ok() && hits.empty()) {
          report(row.path, problem);
          return;
        }
        std::stable_sort(hits.begin(), hits.end(),
                         [](const match::Hit& a, const match::Hit& b) {
                           return a.distance < b.distance;
                         });
        writer.Write(row.path, hits);
      });
  return failed > 0 || !listed ? kExitSomeFailed : kExitOk;
}

}  // namespace rempart::cli

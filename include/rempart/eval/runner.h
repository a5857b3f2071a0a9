// RunEval: the robustness evaluation behind `rempart eval CORPUS_DIR`.
//
// Every picture of the corpus folder becomes a bank entry. Each is then
// transformed by every transform (eval/transform.h), seeded, and each
// result — and the untouched original — is queried against the whole bank
// by every matcher. A query that matches its own original is found; one
// that matches any other original is a false match. The outcome is an
// EvalReport (eval/report.h): recall per transform and matcher, score
// histograms, false matches over all (query, other original) pairs.
//
// Originals are first scaled down to `working_side` on their longer side:
// a platform sees reposts at social-media sizes, and the run stays short.
#ifndef REMPART_EVAL_RUNNER_H_
#define REMPART_EVAL_RUNNER_H_

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "rempart/core/result.h"
#include "rempart/eval/report.h"
#include "rempart/match/patch_index.h"

namespace rempart::eval {

struct EvalOptions {
  std::filesystem::path corpus;
  std::uint64_t seed = 1;
  int working_side = 1024;
  int threads = 0;  // 0: one per core.
  // Transform names to run (the original is always queried); empty: all.
  std::vector<std::string> transforms;
  int limit = 0;  // Use only the first `limit` pictures (by name); 0: all.
  // Agreeing patches the robust matcher needs (match::PatchMatchOptions::
  // min_group), 2…16.
  int min_patches = match::PatchMatchOptions{}.min_group;
  // Called from the calling thread about ten times a second, and at the
  // end, with (queries done, queries in all).
  std::function<void(std::uint64_t, std::uint64_t)> progress;
};

// The matchers, in report order: "pdq", "pdq-dihedral", "pdq-confirmed",
// "robust" (its patches' rule for `min_patches` agreeing patches).
std::vector<MatcherInfo> EvalMatchers(
    int min_patches = match::PatchMatchOptions{}.min_group);

// Runs the evaluation. InvalidArgument for a missing or empty corpus (fewer
// than two decodable pictures), an unknown transform name or a working side
// outside 64…4096. Pictures that do not decode are skipped and named in the
// report.
Result<EvalReport> RunEval(const EvalOptions& options);

}  // namespace rempart::eval

#endif  // REMPART_EVAL_RUNNER_H_

// EvalReport: what `rempart eval` measured, and its two renderings — a
// terminal table and a self-contained HTML page with SVG charts.
//
// Every matcher gives each (query, bank entry) pair a score: an integer
// from 0 to the matcher's max_score where lower means closer (for PDQ, the
// Hamming distance). A pair matches when its score is at most the matcher's
// threshold. Scores are kept as histograms, so the report can draw recall
// and false matches at every threshold (ROC curves), not just the default.
#ifndef REMPART_EVAL_REPORT_H_
#define REMPART_EVAL_REPORT_H_

#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

namespace rempart::eval {

struct MatcherInfo {
  std::string name;         // "pdq", "pdq-dihedral", "robust", …
  std::string description;  // One sentence, for the report.
  int threshold = 31;       // Its default: score ≤ threshold matches.
  int max_score = 256;      // Scores run 0…max_score.
  std::string score_name;   // What a score is ("Hamming distance", …).
};

// One matcher's outcome on one set of queries (the corpus under one
// transform). Histograms have max_score + 1 bins.
struct Outcome {
  std::int64_t queries = 0;  // Transformed pictures queried.
  std::int64_t found = 0;    // …whose own original matched at threshold.
  // (query, other original) pairs examined, and how many matched at
  // threshold: false matches.
  std::int64_t pairs = 0;
  std::int64_t false_matches = 0;
  // The score of each query against its own original.
  std::vector<std::int64_t> source_scores;
  // The score of each (query, other original) pair.
  std::vector<std::int64_t> other_scores;
  // Matcher time spent on these queries, query side, in seconds (one core).
  double seconds = 0;
};

struct TransformOutcome {
  std::string name;                 // "original", "resize-50", …
  std::string description;          // One sentence.
  std::vector<Outcome> by_matcher;  // Indexed like EvalReport::matchers.
};

// Confirmation by an independent second hash against pictures forged to
// collide with a bank entry's PDQ.
struct ForgeryOutcome {
  int forged = 0;       // Forgeries made (each of a different pair).
  int pdq_matched = 0;  // Forgeries within PDQ's threshold of their target.
  int confirmed = 0;    // …that the second hash also confirmed.
  int mean_pixel_change = 0;  // Mean absolute change per pixel (of 255).
};

// One false match, named so that a person can look at both pictures.
struct FalseMatch {
  std::string matcher;
  std::string transform;
  std::string query;    // The original the query was made from.
  std::string matched;  // The other original it matched.
  int score = 0;
};

// False matches listed by name at most (the counts in Outcome are whole).
inline constexpr std::size_t kMaxFalseMatchExamples = 200;

struct EvalReport {
  std::string corpus;  // The folder evaluated.
  int images = 0;      // Originals in the bank.
  int skipped = 0;     // Files that did not decode (named in skipped_files).
  std::vector<std::string> skipped_files;
  std::uint64_t seed = 0;
  int working_side = 0;  // Originals scaled down to this longest side.
  double seconds = 0;    // Whole run, wall clock.
  int threads = 1;
  std::vector<MatcherInfo> matchers;
  std::vector<TransformOutcome> transforms;  // transforms[0]: "original".
  ForgeryOutcome forgeries;
  // The first kMaxFalseMatchExamples false matches, sorted by matcher,
  // transform and query.
  std::vector<FalseMatch> false_match_examples;
  std::string command;  // The command line that reproduces the run.
};

// Recall of matcher `m` on transform `t`: found / queries (0 when none).
double Recall(const EvalReport& report, int t, int m);

// A fixed-width table: one row per transform, per matcher recall, and the
// false-match totals; ends with the number of distinct pairs.
void WriteTable(const EvalReport& report, std::ostream& out);

// A standalone HTML page (inline CSS and SVG, no script, no external file):
// the run's facts, the table, recall per transform (grouped bars with the
// 95 % target), score histograms per transform and matcher (own original
// against other originals, threshold marked), and ROC curves (recall
// against false-match rate, log scale) per matcher.
void WriteHtml(const EvalReport& report, std::ostream& out);

// Every field, as JSON (for docs/ and for comparing runs).
void WriteJson(const EvalReport& report, std::ostream& out);

}  // namespace rempart::eval

#endif  // REMPART_EVAL_REPORT_H_

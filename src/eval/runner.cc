#include "rempart/eval/runner.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <memory>
#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>
#include <thread>
#include <tuple>
#include <unordered_map>

#include "rempart/core/file.h"
#include "rempart/core/random.h"
#include "rempart/eval/forge.h"
#include "rempart/eval/transform.h"
#include "rempart/hash/confirm.h"
#include "rempart/hash/patches.h"
#include "rempart/hash/pdq.h"
#include "rempart/match/patch_index.h"
#include "rempart/media/decode.h"

namespace rempart::eval {
namespace {

enum MatcherIndex : std::uint8_t {
  kPdq,
  kPdqDihedral,
  kPdqConfirmed,
  kRobust,
  kMatcherCount
};

constexpr int kMaxScore = hash::PdqHash::kBits;
constexpr std::uint64_t kMaxCorpusFileBytes = 64ull << 20;

// What the bank knows of one original.
struct Original {
  std::string name;
  media::Image image;  // RGB, at most working_side on its longer side.
  hash::PdqHash pdq;
  hash::ConfirmHash confirm;
  match::PatchSignature patches;
};

// A robust score from a patch group: `min_group` agreeing patches score 31
// (the default threshold), each further one a point less, each missing one
// a point more.
int PatchScore(int group, int min_group) {
  return group <= 0 ? kMaxScore
                    : std::clamp(31 + min_group - group, 0, kMaxScore);
}

std::uint64_t Mix(std::uint64_t x) { return SplitMix64(x); }

// The picture as RGB, scaled down (area average) to `side` on its longer
// side when larger.
Result<media::Image> Normalise(const media::Image& decoded, int side) {
  media::Image rgb(decoded.width(), decoded.height(),
                   media::PixelFormat::kRgb8);
  if (decoded.format() == media::PixelFormat::kGray8) {
    auto out = rgb.mutable_pixels();
    auto in = decoded.pixels();
    for (std::size_t i = 0; i < in.size(); ++i) {
      out[3 * i] = out[3 * i + 1] = out[3 * i + 2] = in[i];
    }
  } else {
    std::copy(decoded.pixels().begin(), decoded.pixels().end(),
              rgb.mutable_pixels().begin());
  }
  const int longer = std::max(rgb.width(), rgb.height());
  if (longer <= side) return rgb;
  const double scale = static_cast<double>(side) / longer;
  const int width =
      std::max(1, static_cast<int>(std::lround(rgb.width() * scale)));
  const int height =
      std::max(1, static_cast<int>(std::lround(rgb.height() * scale)));
  media::Image out(width, height, media::PixelFormat::kRgb8);
  try {
    const cv::Mat src(rgb.height(), rgb.width(), CV_8UC3,
                      const_cast<std::uint8_t*>(rgb.pixels().data()));
    cv::Mat dst(height, width, CV_8UC3, out.mutable_pixels().data());
    cv::resize(src, dst, dst.size(), 0, 0, cv::INTER_AREA);
  } catch (const cv::Exception& error) {
    return InternalError(std::string("eval: resizing failed: ") + error.what());
  }
  return out;
}

// PDQ and the confirmation hash as one score: at most 31 when PDQ is within
// 31 and the confirmation within its own threshold.
int ConfirmedScore(int pdq_distance, int confirm_distance) {
  const int scaled = (confirm_distance * hash::kPdqMatchDistance +
                      hash::kConfirmMatchDistance - 1) /
                     hash::kConfirmMatchDistance;
  return std::max(pdq_distance, scaled);
}

// One worker's tallies: [transform][matcher].
using Tally = std::vector<std::vector<Outcome>>;

Outcome EmptyOutcome() {
  Outcome outcome;
  outcome.source_scores.assign(kMaxScore + 1, 0);
  outcome.other_scores.assign(kMaxScore + 1, 0);
  return outcome;
}

void Merge(Outcome& into, const Outcome& from) {
  into.queries += from.queries;
  into.found += from.found;
  into.pairs += from.pairs;
  into.false_matches += from.false_matches;
  into.seconds += from.seconds;
  for (std::size_t i = 0; i < into.source_scores.size(); ++i) {
    into.source_scores[i] += from.source_scores[i];
    into.other_scores[i] += from.other_scores[i];
  }
}

// Records the scores of query `self` against every original; false matches
// by name in `examples` while it has room.
void Record(Outcome& outcome, const std::vector<int>& scores, std::size_t self,
            int threshold, const std::vector<Original>& originals,
            const FalseMatch& what, std::vector<FalseMatch>& examples) {
  ++outcome.queries;
  for (std::size_t j = 0; j < scores.size(); ++j) {
    const int score = std::clamp(scores[j], 0, kMaxScore);
    if (j == self) {
      ++outcome.source_scores[score];
      if (score <= threshold) ++outcome.found;
    } else {
      ++outcome.pairs;
      ++outcome.other_scores[score];
      if (score <= threshold) {
        ++outcome.false_matches;
        if (examples.size() < kMaxFalseMatchExamples) {
          FalseMatch example = what;
          example.query = originals[self].name;
          example.matched = originals[j].name;
          example.score = score;
          examples.push_back(std::move(example));
        }
      }
    }
  }
}

class Worker {
 public:
  Worker(const std::vector<Original>& originals, const match::PatchIndex& index,
         std::size_t transforms, int min_patches)
      : originals_(originals),
        index_(index),
        matchers_(EvalMatchers(min_patches)) {
    patch_options_.min_group = min_patches;
    tally_.assign(transforms, std::vector<Outcome>(kMatcherCount));
    for (auto& row : tally_) {
      for (auto& outcome : row) outcome = EmptyOutcome();
    }
  }

  // Queries `query` (a transform of original `self`) as transform `t`,
  // named `transform`.
  Status Query(const media::Image& query, std::size_t self, std::size_t t,
               const std::string& transform) {
    using Clock = std::chrono::steady_clock;
    const auto start = Clock::now();
    hash::PdqOptions pdq_options;
    pdq_options.dihedral = true;
    auto pdq = pdq_.Hash(query.view(), pdq_options);
    if (!pdq) return pdq.status();
    auto confirm = confirmer_.Hash(query.view());
    if (!confirm) return confirm.status();
    const auto hashed = Clock::now();
    std::shared_ptr<const hash::PatchProbe> probe;
    auto signature =
        patcher_.Sign(query.view(), match::QueryPatchOptions(), &probe);
    if (!signature) return signature.status();
    const auto candidates =
        index_.Search(*signature, patch_options_, probe.get());
    const auto done = Clock::now();

    const std::size_t n = originals_.size();
    std::vector<int> plain(n);
    std::vector<int> dihedral(n);
    for (std::size_t j = 0; j < n; ++j) {
      plain[j] = hash::Distance(pdq->hash, originals_[j].pdq);
      int best = kMaxScore;
      for (const hash::PdqHash& variant : *pdq->dihedral) {
        best = std::min(best, hash::Distance(variant, originals_[j].pdq));
      }
      dihedral[j] = best;
    }
    std::vector<int> confirmed(n);
    for (std::size_t j = 0; j < n; ++j) {
      confirmed[j] = ConfirmedScore(
          plain[j], hash::Distance(confirm->hash, originals_[j].confirm));
    }
    std::vector<int> robust = dihedral;
    for (const match::PatchCandidate& candidate : candidates) {
      auto& score = robust[static_cast<std::size_t>(candidate.id)];
      score = std::min(score,
                       PatchScore(candidate.group, patch_options_.min_group));
      // A centred crop scores its distance, as PDQ does.
      if (candidate.crop_distance >= 0) {
        score = std::min(score, candidate.crop_distance);
      }
    }
    auto& row = tally_[t];
    const double pdq_seconds =
        std::chrono::duration<double>(hashed - start).count();
    const auto& matchers = matchers_;
    auto record = [&](MatcherIndex m, const std::vector<int>& scores) {
      Record(row[m], scores, self, matchers[m].threshold, originals_,
             {matchers[m].name, transform, "", "", 0}, examples_);
    };
    record(kPdq, plain);
    record(kPdqDihedral, dihedral);
    record(kPdqConfirmed, confirmed);
    record(kRobust, robust);
    row[kPdq].seconds += pdq_seconds;
    row[kPdqConfirmed].seconds += pdq_seconds;
    row[kPdqDihedral].seconds += pdq_seconds;
    row[kRobust].seconds += std::chrono::duration<double>(done - start).count();
    return OkStatus();
  }

  // Forges original `self` towards the next original's PDQ and checks
  // whether PDQ, then PDQ with confirmation, would match it.
  Status Forge(std::size_t self) {
    const Original& source = originals_[self];
    const Original& target = originals_[(self + 1) % originals_.size()];
    auto forgery = ForgePdqCollision(source.image.view(), target.pdq);
    if (!forgery) return forgery.status();
    auto confirm = confirmer_.Hash(forgery->image.view());
    if (!confirm) return confirm.status();
    ++forgeries_.forged;
    change_ += forgery->mean_absolute_change;
    if (forgery->distance <= hash::kPdqMatchDistance) {
      ++forgeries_.pdq_matched;
      if (hash::Distance(confirm->hash, target.confirm) <=
          hash::kConfirmMatchDistance) {
        ++forgeries_.confirmed;
      }
    }
    return OkStatus();
  }

  [[nodiscard]] const Tally& tally() const { return tally_; }
  [[nodiscard]] const ForgeryOutcome& forgeries() const { return forgeries_; }
  [[nodiscard]] double change() const { return change_; }
  [[nodiscard]] const std::vector<FalseMatch>& examples() const {
    return examples_;
  }

 private:
  const std::vector<Original>& originals_;
  const match::PatchIndex& index_;
  const std::vector<MatcherInfo> matchers_;  // Names and thresholds.
  match::PatchMatchOptions patch_options_;
  hash::PdqHasher pdq_;
  hash::PatchHasher patcher_;
  hash::ConfirmHasher confirmer_;
  Tally tally_;
  ForgeryOutcome forgeries_;
  double change_ = 0;  // Sum of the forgeries' mean pixel changes.
  std::vector<FalseMatch> examples_;
};

}  // namespace

std::vector<MatcherInfo> EvalMatchers(int min_patches) {
  const std::string patches = std::to_string(min_patches);
  return {
      {"pdq", "PDQ of the picture as it is, distance ≤ 31.", 31, kMaxScore,
       "Hamming distance"},
      {"pdq-dihedral",
       "PDQ with its eight turned and mirrored variants (rempart match "
       "--dihedral), distance ≤ 31.",
       31, kMaxScore, "Hamming distance"},
      {"pdq-confirmed",
       "PDQ of the picture as it is (≤ 31) and the independent confirmation "
       "hash (≤ 48) both; score max(PDQ, confirmation × 31/48).",
       31, kMaxScore, "max(PDQ distance, scaled confirmation distance)"},
      {"robust",
       "Second stage: PDQ with variants, a centred crop within 31, or at "
       "least " +
           patches + " patches agreeing on one geometry (score " +
           std::to_string(31 + min_patches) + " − patches).",
       31, kMaxScore,
       "min(PDQ distance, crop distance, " + std::to_string(31 + min_patches) +
           " − agreeing patches)"},
  };
}

Result<EvalReport> RunEval(const EvalOptions& options) {
  if (options.working_side < 64 || options.working_side > 4096) {
    return InvalidArgumentError("eval: the working side must be 64…4096");
  }
  if (options.min_patches < 2 || options.min_patches > 16) {
    return InvalidArgumentError("eval: the agreeing patches must be 2…16");
  }
  std::vector<TransformInfo> transforms;
  if (options.transforms.empty()) {
    const auto all = Transforms();
    transforms.assign(all.begin(), all.end());
  } else {
    for (const std::string& name : options.transforms) {
      const auto all = Transforms();
      const auto it = std::find_if(all.begin(), all.end(), [&](const auto& t) {
        return t.name == name;
      });
      if (it == all.end()) {
        return InvalidArgumentError("eval: unknown transform '" + name + "'");
      }
      transforms.push_back(*it);
    }
  }

  std::error_code error;
  if (!std::filesystem::is_directory(options.corpus, error)) {
    return InvalidArgumentError("eval: " + options.corpus.string() +
                                " is not a folder");
  }
  std::vector<std::filesystem::path> files;
  for (const auto& item :
       std::filesystem::directory_iterator(options.corpus, error)) {
    if (item.is_regular_file(error)) files.push_back(item.path());
  }
  if (error) {
    return InvalidArgumentError("eval: cannot list " + options.corpus.string() +
                                ": " + error.message());
  }
  std::sort(files.begin(), files.end());

  const auto started = std::chrono::steady_clock::now();
  EvalReport report;
  report.corpus = options.corpus.string();
  report.seed = options.seed;
  report.working_side = options.working_side;
  report.matchers = EvalMatchers(options.min_patches);
  std::vector<Original> originals;
  hash::PdqHasher pdq;
  hash::PatchHasher patcher;
  const hash::ConfirmHasher confirmer;
  for (const auto& path : files) {
    if (options.limit > 0 &&
        static_cast<int>(originals.size()) >= options.limit) {
      break;
    }
    auto bytes = ReadFileBytes(path.string(), kMaxCorpusFileBytes);
    if (!bytes) continue;
    if (media::SniffImageFormat(*bytes) == media::ImageFormat::kUnknown) {
      continue;  // MANIFEST.tsv, notes: not pictures.
    }
    auto decoded = media::DecodeImage(*bytes);
    if (!decoded) {
      ++report.skipped;
      report.skipped_files.push_back(path.filename().string() + ": " +
                                     decoded.status().message());
      continue;
    }
    auto image = Normalise(decoded->image, options.working_side);
    if (!image) return image.status();
    Original original;
    original.name = path.filename().string();
    auto hashed = pdq.Hash(image->view());
    if (!hashed) return hashed.status();
    original.pdq = hashed->hash;
    auto confirmed = confirmer.Hash(image->view());
    if (!confirmed) return confirmed.status();
    original.confirm = confirmed->hash;
    auto patches = patcher.Sign(image->view(), match::BankPatchOptions());
    if (!patches) return patches.status();
    original.patches = std::move(*patches);
    original.image = std::move(*image);
    originals.push_back(std::move(original));
  }
  if (originals.size() < 2) {
    return InvalidArgumentError("eval: " + options.corpus.string() +
                                " holds fewer than two decodable pictures");
  }
  report.images = static_cast<int>(originals.size());
  match::PatchIndex index;
  for (std::size_t i = 0; i < originals.size(); ++i) {
    index.Add(static_cast<std::int64_t>(i), originals[i].patches);
  }

  // Work items: (original, column): column 0 queries the original, 1…T its
  // transforms, T + 1 forges a PDQ collision from it.
  const std::size_t columns = transforms.size() + 1;
  const std::size_t items_per_original = columns + 1;
  const std::uint64_t total = originals.size() * items_per_original;
  int threads = options.threads > 0
                    ? options.threads
                    : static_cast<int>(std::thread::hardware_concurrency());
  threads = std::clamp(threads, 1, 64);
  report.threads = threads;
  std::atomic<std::uint64_t> next{0};
  std::atomic<std::uint64_t> finished{0};
  std::vector<std::unique_ptr<Worker>> workers;
  std::vector<Status> failures(threads);
  workers.reserve(threads);
  for (int w = 0; w < threads; ++w) {
    workers.push_back(std::make_unique<Worker>(originals, index, columns,
                                               options.min_patches));
  }
  auto work = [&](int w) {
    for (;;) {
      const std::uint64_t item = next.fetch_add(1);
      if (item >= total) return;
      const std::size_t self = item / items_per_original;
      const std::size_t t = item % items_per_original;
      const Original& original = originals[self];
      Status status;
      if (t == columns) {
        status = workers[w]->Forge(self);
      } else if (t == 0) {
        status = workers[w]->Query(original.image, self, 0, "original");
      } else {
        auto transformed =
            ApplyTransform(transforms[t - 1].name, original.image.view(),
                           Mix(options.seed ^ Mix(self)));
        status = transformed
                     ? workers[w]->Query(*transformed, self, t,
                                         std::string(transforms[t - 1].name))
                     : transformed.status();
      }
      if (!status.ok() && failures[w].ok()) {
        failures[w] =
            Status(status.code(), original.name + ": " + status.message());
      }
      finished.fetch_add(1);
    }
  };
  std::vector<std::thread> pool;
  pool.reserve(threads);
  for (int w = 0; w < threads; ++w) pool.emplace_back(work, w);
  while (finished.load() < total) {
    if (options.progress) options.progress(finished.load(), total);
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  for (auto& thread : pool) thread.join();
  if (options.progress) options.progress(total, total);
  for (const Status& failure : failures) {
    if (!failure.ok()) return failure;
  }

  report.transforms.resize(columns);
  report.transforms[0].name = "original";
  report.transforms[0].description = "The picture as the bank holds it.";
  for (std::size_t t = 1; t < columns; ++t) {
    report.transforms[t].name = std::string(transforms[t - 1].name);
    report.transforms[t].description =
        std::string(transforms[t - 1].description);
  }
  for (std::size_t t = 0; t < columns; ++t) {
    auto& by_matcher = report.transforms[t].by_matcher;
    by_matcher.assign(kMatcherCount, EmptyOutcome());
    for (const auto& worker : workers) {
      for (int m = 0; m < kMatcherCount; ++m) {
        Merge(by_matcher[m], worker->tally()[t][m]);
      }
    }
  }
  double change = 0;
  for (const auto& worker : workers) {
    report.forgeries.forged += worker->forgeries().forged;
    report.forgeries.pdq_matched += worker->forgeries().pdq_matched;
    report.forgeries.confirmed += worker->forgeries().confirmed;
    change += worker->change();
  }
  for (const auto& worker : workers) {
    report.false_match_examples.insert(report.false_match_examples.end(),
                                       worker->examples().begin(),
                                       worker->examples().end());
  }
  std::sort(report.false_match_examples.begin(),
            report.false_match_examples.end(),
            [](const FalseMatch& a, const FalseMatch& b) {
              return std::tie(a.matcher, a.transform, a.query, a.matched) <
                     std::tie(b.matcher, b.transform, b.query, b.matched);
            });
  if (report.false_match_examples.size() > kMaxFalseMatchExamples) {
    report.false_match_examples.resize(kMaxFalseMatchExamples);
  }
  if (report.forgeries.forged > 0) {
    report.forgeries.mean_pixel_change =
        static_cast<int>(std::lround(change / report.forgeries.forged));
  }
  report.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started)
          .count();
  return report;
}

}  // namespace rempart::eval

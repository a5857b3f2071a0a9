#include "rempart/eval/report.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstdlib>
#include <limits>
#include <locale>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

namespace rempart::eval {
namespace {

Outcome MakeOutcome(std::int64_t queries, std::int64_t found,
                    std::int64_t pairs, std::int64_t false_matches,
                    std::vector<std::int64_t> source,
                    std::vector<std::int64_t> other, double seconds) {
  Outcome outcome;
  outcome.queries = queries;
  outcome.found = found;
  outcome.pairs = pairs;
  outcome.false_matches = false_matches;
  outcome.source_scores = std::move(source);
  outcome.other_scores = std::move(other);
  outcome.seconds = seconds;
  return outcome;
}

// Four originals, two matchers with small score ranges so every histogram
// can be summed by hand. Each outcome's found and false_matches agree with
// its histograms at the matcher's threshold.
EvalReport MakeReport() {
  EvalReport report;
  report.corpus = "/srv/corpus <dev> & \"friends\"";
  report.images = 4;
  report.skipped = 1;
  report.skipped_files = {"broken<1>.jpg"};
  report.seed = 7;
  report.working_side = 512;
  report.seconds = 83.5;
  report.threads = 2;
  report.command = "rempart eval --seed 7 /srv/corpus";
  report.matchers = {
      {"pdq", "PDQ against the bank's hashes.", 3, 8, "Hamming distance"},
      {"robust", "A second stage for <crops> & screenshots.", 2, 4,
       "robust distance"}};
  // pdq: threshold 3, scores 0…8. robust: threshold 2, scores 0…4.
  report.transforms = {
      {"original",
       "The picture itself.",
       {MakeOutcome(4, 4, 12, 0, {4, 0, 0, 0, 0, 0, 0, 0, 0},
                    {0, 0, 0, 0, 1, 2, 4, 3, 2}, 0.004),
        MakeOutcome(4, 4, 12, 1, {4, 0, 0, 0, 0}, {0, 0, 1, 3, 8}, 0.008)}},
      {"resize-50",
       "Half the width and height.",
       {MakeOutcome(40, 39, 120, 1, {30, 6, 2, 1, 1, 0, 0, 0, 0},
                    {0, 0, 1, 0, 10, 30, 40, 29, 10}, 0.04),
        MakeOutcome(40, 40, 120, 0, {38, 2, 0, 0, 0}, {0, 0, 0, 20, 100},
                    0.08)}},
      {"crop-25",
       "Keeps the central 75 %.",
       {MakeOutcome(40, 30, 120, 2, {5, 10, 10, 5, 4, 3, 2, 1, 0},
                    {1, 0, 1, 0, 8, 30, 40, 30, 10}, 0.04),
        MakeOutcome(40, 37, 120, 3, {20, 10, 7, 2, 1}, {0, 1, 2, 17, 100},
                    0.08)}},
      {"caption",
       "Words across the picture.",
       {MakeOutcome(200, 190, 600, 0, {150, 30, 5, 5, 5, 3, 2, 0, 0},
                    {0, 0, 0, 0, 50, 150, 200, 150, 50}, 0.2),
        MakeOutcome(200, 189, 600, 0, {100, 60, 29, 6, 5}, {0, 0, 0, 100, 500},
                    0.4)}}};
  report.forgeries = {20, 18, 0, 3};
  return report;
}

std::string Table(const EvalReport& report) {
  std::ostringstream out;
  WriteTable(report, out);
  return out.str();
}

std::string Html(const EvalReport& report) {
  std::ostringstream out;
  WriteHtml(report, out);
  return out.str();
}

std::string Json(const EvalReport& report) {
  std::ostringstream out;
  WriteJson(report, out);
  return out.str();
}

int Occurrences(std::string_view text, std::string_view needle) {
  int count = 0;
  for (std::size_t at = text.find(needle); at != std::string_view::npos;
       at = text.find(needle, at + needle.size())) {
    ++count;
  }
  return count;
}

// The line of `text` that starts with `start` followed by a space.
std::string LineStartingWith(const std::string& text, std::string_view start) {
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    if (line.starts_with(std::string(start) + " ")) return line;
  }
  return "";
}

// A table row's recall cells, each figure with its mark if any: after the
// transform's name and query count, a "*" belongs to the figure before it.
std::vector<std::string> RecallCells(const std::string& table,
                                     std::string_view transform) {
  std::istringstream words(LineStartingWith(table, transform));
  std::vector<std::string> cells;
  std::string word;
  words >> word >> word;  // The name, the query count.
  while (words >> word) {
    if (word == "*" && !cells.empty()) {
      cells.back() += " *";
    } else {
      cells.push_back(word);
    }
  }
  return cells;
}

// The value of attribute `name` in the start tag that holds the first
// `marker`, or that precedes it when `marker` is the next tag.
std::string Attribute(const std::string& html, std::string_view marker,
                      std::string_view name) {
  const std::size_t found = html.find(marker);
  if (found == std::string::npos || found == 0) return "";
  const std::size_t start = html.rfind('<', found - 1);
  const std::size_t end = html.find('>', start);
  const std::string key = " " + std::string(name) + "=\"";
  const std::size_t at = html.find(key, start);
  if (at == std::string::npos || at > end) return "";
  const std::size_t value = at + key.size();
  return html.substr(value, html.find('"', value) - value);
}

double Number(const std::string& text) {
  EXPECT_FALSE(text.empty());
  return std::strtod(text.c_str(), nullptr);
}

TEST(ReportTest, RecallIsFoundOverQueries) {
  const EvalReport report = MakeReport();
  EXPECT_DOUBLE_EQ(Recall(report, 0, 0), 1.0);
  EXPECT_DOUBLE_EQ(Recall(report, 1, 0), 39.0 / 40);
  EXPECT_DOUBLE_EQ(Recall(report, 2, 0), 30.0 / 40);
  EXPECT_DOUBLE_EQ(Recall(report, 2, 1), 37.0 / 40);
  EXPECT_DOUBLE_EQ(Recall(report, 3, 1), 189.0 / 200);
}

TEST(ReportTest, RecallIsZeroWithoutQueriesOrOutOfRange) {
  EvalReport report = MakeReport();
  report.transforms[1].by_matcher[0].queries = 0;
  report.transforms[2].by_matcher.resize(1);
  EXPECT_EQ(Recall(report, 1, 0), 0);
  EXPECT_EQ(Recall(report, 2, 1), 0);
  EXPECT_EQ(Recall(report, -1, 0), 0);
  EXPECT_EQ(Recall(report, 0, -1), 0);
  EXPECT_EQ(Recall(report, 4, 0), 0);
  EXPECT_EQ(Recall(report, 0, 2), 0);
  EXPECT_EQ(Recall(EvalReport{}, 0, 0), 0);
}

TEST(ReportTest, TableShowsRecallAndMarksOnlyCellsBelowTarget) {
  const std::string table = Table(MakeReport());
  EXPECT_EQ(RecallCells(table, "original"),
            (std::vector<std::string>{"100.0", "100.0"}))
      << table;
  EXPECT_EQ(RecallCells(table, "resize-50"),
            (std::vector<std::string>{"97.5", "100.0"}))
      << table;
  EXPECT_EQ(RecallCells(table, "crop-25"),
            (std::vector<std::string>{"75.0 *", "92.5 *"}))
      << table;
  // 95.0 exactly meets the target; 94.5 does not.
  EXPECT_EQ(RecallCells(table, "caption"),
            (std::vector<std::string>{"95.0", "94.5 *"}))
      << table;
  // The first row after the header is the original.
  const std::size_t header = table.find("transform ");
  ASSERT_NE(header, std::string::npos);
  EXPECT_LT(header, table.find("\noriginal "));
  EXPECT_LT(table.find("\noriginal "), table.find("\nresize-50 "));
}

TEST(ReportTest, TableColumnsLineUp) {
  const std::string table = Table(MakeReport());
  const std::string resize = LineStartingWith(table, "resize-50");
  const std::string crop = LineStartingWith(table, "crop-25");
  // The figures end in the same column whether or not a mark follows.
  EXPECT_EQ(resize.find("97.5") + 4, crop.find("75.0") + 4) << table;
  EXPECT_EQ(resize.find("100.0") + 5, crop.find("92.5") + 4) << table;
}

TEST(ReportTest, TableTotalsFalseMatchesTimeAndCorpus) {
  const std::string table = Table(MakeReport());
  const std::string pdq = LineStartingWith(table, "pdq");
  EXPECT_NE(pdq.find("3 of 852 pairs"), std::string::npos) << table;
  EXPECT_NE(pdq.find("0 of 12 pairs"), std::string::npos) << table;
  // 0.284 s over 284 queries.
  EXPECT_TRUE(pdq.ends_with(" 1.00")) << table;
  const std::string robust = LineStartingWith(table, "robust");
  EXPECT_NE(robust.find("4 of 852 pairs"), std::string::npos) << table;
  EXPECT_NE(robust.find("1 of 12 pairs"), std::string::npos) << table;
  EXPECT_TRUE(robust.ends_with(" 2.00")) << table;
  EXPECT_NE(table.find("Forged PDQ collisions: 20 made, 18 matched by PDQ, "
                       "0 confirmed by the second hash; mean pixel change 3 "
                       "of 255."),
            std::string::npos)
      << table;
  EXPECT_NE(table.find("4 images (12 distinct ordered pairs), 1 skipped; "
                       "seed 7, 2 threads, wall time 1 min 24 s."),
            std::string::npos)
      << table;
}

TEST(ReportTest, TableGroupsDigitsAndOmitsForgeriesWhenNoneWereMade) {
  EvalReport report = MakeReport();
  report.images = 10'000;
  report.forgeries = {};
  const std::string table = Table(report);
  EXPECT_NE(table.find("(99,990,000 distinct ordered pairs)"),
            std::string::npos)
      << table;
  EXPECT_EQ(table.find("Forged"), std::string::npos) << table;
}

TEST(ReportTest, TableShowsDashForTransformWithoutQueries) {
  EvalReport report = MakeReport();
  report.transforms[2].by_matcher[1].queries = 0;
  EXPECT_EQ(RecallCells(Table(report), "crop-25"),
            (std::vector<std::string>{"75.0 *", "-"}));
}

// A locale that writes 1.234,5 must change nothing: numbers never go
// through the stream.
struct GermanPunctuation : std::numpunct<char> {
  char do_decimal_point() const override { return ','; }
  char do_thousands_sep() const override { return '.'; }
  std::string do_grouping() const override { return "\3"; }
};

TEST(ReportTest, OutputIgnoresTheStreamLocale) {
  EvalReport report = MakeReport();
  report.images = 12'345;
  report.seed = 1'234'567;
  const auto render = [&](bool german) {
    std::ostringstream table;
    std::ostringstream html;
    std::ostringstream json;
    if (german) {
      const std::locale locale(std::locale::classic(), new GermanPunctuation);
      table.imbue(locale);
      html.imbue(locale);
      json.imbue(locale);
    }
    WriteTable(report, table);
    WriteHtml(report, html);
    WriteJson(report, json);
    return table.str() + html.str() + json.str();
  };
  EXPECT_EQ(render(true), render(false));
}

TEST(ReportTest, HtmlIsOneStandalonePage) {
  const std::string html = Html(MakeReport());
  EXPECT_TRUE(html.starts_with("<!DOCTYPE html>\n")) << html.substr(0, 40);
  EXPECT_TRUE(html.ends_with("</html>\n"));
  EXPECT_EQ(Occurrences(html, "<html"), 1);
  EXPECT_EQ(Occurrences(html, "</html>"), 1);
  EXPECT_EQ(Occurrences(html, "<title>Rempart robustness evaluation</title>"),
            1);
  // No script, and nothing fetched.
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_EQ(html.find("<link"), std::string::npos);
  EXPECT_EQ(html.find("src="), std::string::npos);
  EXPECT_EQ(html.find("url("), std::string::npos);
  EXPECT_EQ(html.find("@import"), std::string::npos);
  for (const std::string_view section :
       {"id=\"run\"", "id=\"recall\"", "id=\"recall-chart\"",
        "id=\"false-matches\"", "id=\"scores\"", "id=\"roc\""}) {
    EXPECT_EQ(Occurrences(html, section), 1) << section;
  }
  // The sections come in order.
  EXPECT_LT(html.find("id=\"run\""), html.find("id=\"recall\""));
  EXPECT_LT(html.find("id=\"recall\""), html.find("id=\"recall-chart\""));
  EXPECT_LT(html.find("id=\"recall-chart\""),
            html.find("id=\"false-matches\""));
  EXPECT_LT(html.find("id=\"false-matches\""), html.find("id=\"scores\""));
  EXPECT_LT(html.find("id=\"scores\""), html.find("id=\"roc\""));
}

TEST(ReportTest, HtmlDrawsEveryChart) {
  const std::string html = Html(MakeReport());
  // The bar chart, 4 × 2 histograms and two ROC charts.
  EXPECT_EQ(Occurrences(html, "<svg"), 11);
  EXPECT_EQ(Occurrences(html, "</svg>"), 11);
  EXPECT_EQ(Occurrences(html, "<svg class=\"panel\""), 8);
  EXPECT_EQ(Occurrences(html, "<svg class=\"roc\""), 2);
  EXPECT_EQ(Occurrences(html, "<rect class=\"bar\""), 8);
  EXPECT_EQ(Occurrences(html, "<line class=\"target\""), 1);
  EXPECT_NE(html.find("target 95 %"), std::string::npos);
  EXPECT_EQ(Occurrences(html, "<circle class=\"threshold\""), 2);
  EXPECT_NE(html.find("Forged collisions"), std::string::npos);
}

TEST(ReportTest, HtmlBarLengthIsRecall) {
  const std::string html = Html(MakeReport());
  // The chart runs from x = 200 (0 %) to x = 1000 (100 %); pdq on crop-25
  // found 75 %.
  const std::string marker = "<title>crop-25 · pdq: 75.0 % (30 of 40)";
  ASSERT_NE(html.find(marker), std::string::npos);
  EXPECT_EQ(Attribute(html, marker, "width"), "600.0");
  EXPECT_EQ(Attribute(html, marker, "x"), "200.0");
}

TEST(ReportTest, HtmlHistogramBarsAndThreshold) {
  const std::string html = Html(MakeReport());
  const std::size_t start =
      html.find("aria-label=\"crop-25, pdq: score histograms\"");
  ASSERT_NE(start, std::string::npos);
  const std::string panel =
      html.substr(start, html.find("</svg>", start) - start);
  // Scores 0…8, one bin each; eight of them hold own originals.
  EXPECT_EQ(Occurrences(panel, "<rect "), 8);
  // Scores ≤ 3 match: the line sits after the fourth of nine bins, on a
  // plot from x = 8 to x = 212.
  const std::string threshold = "stroke-dasharray=\"3 2\"";
  EXPECT_EQ(Attribute(panel, threshold, "x1"), "98.7");
  EXPECT_NE(panel.find("recall 75.0 %"), std::string::npos);
  EXPECT_NE(panel.find("false 2 of 120"), std::string::npos);
}

TEST(ReportTest, HtmlTableMarksMissesAndBestPerRow) {
  const std::string html = Html(MakeReport());
  const std::size_t table = html.find("id=\"recall\"");
  const std::string recall =
      html.substr(table, html.find("</section>", table) - table);
  // pdq and robust on crop-25, robust on caption.
  EXPECT_EQ(Occurrences(recall, "class=\"num miss"), 3);
  EXPECT_EQ(Occurrences(recall, "✗</span></td>"), 3);
  // robust on resize-50 and crop-25, pdq on caption; the original is a tie.
  EXPECT_EQ(Occurrences(recall, "best\""), 3);
  EXPECT_EQ(Occurrences(recall, "\"num miss best\" title=\"37 of 40\""), 1);
  EXPECT_EQ(Occurrences(recall, "\"num best\" title=\"190 of 200\""), 1);
}

TEST(ReportTest, HtmlEscapesText) {
  EvalReport report = MakeReport();
  report.transforms[1].name = "resize<50>";
  const std::string html = Html(report);
  EXPECT_NE(html.find("/srv/corpus &lt;dev&gt; &amp; &quot;friends&quot;"),
            std::string::npos);
  EXPECT_EQ(html.find("<dev>"), std::string::npos);
  EXPECT_EQ(html.find("\"friends\""), std::string::npos);
  EXPECT_NE(html.find("broken&lt;1&gt;.jpg"), std::string::npos);
  EXPECT_EQ(html.find("broken<1>"), std::string::npos);
  EXPECT_NE(html.find("&lt;crops&gt; &amp; screenshots"), std::string::npos);
  EXPECT_EQ(html.find("<crops>"), std::string::npos);
  EXPECT_EQ(html.find("<50>"), std::string::npos);
  EXPECT_NE(html.find("resize&lt;50&gt;"), std::string::npos);
}

TEST(ReportTest, HtmlReplacesInvalidUtf8AndControlCharacters) {
  EvalReport report = MakeReport();
  report.corpus = "/photos/\xFF\xC0\xAF\x1B[31mred/\xE2\x82";
  report.skipped_files = {"caf\xC3\xA9.jpg"};
  const std::string html = Html(report);
  EXPECT_EQ(html.find('\xFF'), std::string::npos);
  EXPECT_EQ(html.find('\x1B'), std::string::npos);
  EXPECT_EQ(html.find("\xC0\xAF"), std::string::npos);
  // Each bad byte and the escape become U+FFFD, as do both bytes of a
  // cut-off "€".
  EXPECT_NE(html.find("/photos/\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF"
                      "\xBD[31mred/\xEF\xBF\xBD\xEF\xBF\xBD</code>"),
            std::string::npos);
  // Valid UTF-8 passes through.
  EXPECT_NE(html.find("caf\xC3\xA9.jpg"), std::string::npos);
}

TEST(ReportTest, RocPointAtDefaultThresholdSumsHistogramsExceptOriginal) {
  const std::string html = Html(MakeReport());
  // pdq at ≤ 3 over resize-50, crop-25 and caption: own originals
  // (30+6+2+1) + (5+10+10+5) + (150+30+5+5) = 259 of 280 queries; other
  // originals 1 + 2 + 0 = 3 of 840 pairs.
  const std::string pdq = "class=\"threshold\"";
  EXPECT_EQ(Attribute(html, pdq, "data-threshold"), "3");
  EXPECT_DOUBLE_EQ(Number(Attribute(html, pdq, "data-recall")), 259.0 / 280);
  EXPECT_DOUBLE_EQ(Number(Attribute(html, pdq, "data-fmr")), 3.0 / 840);
  // robust at ≤ 2: (38+2) + (20+10+7) + (100+60+29) = 266 of 280; the
  // original's false match is not counted: 0 + 3 + 0 of 840.
  const std::string robust = "data-threshold=\"2\"";
  EXPECT_DOUBLE_EQ(Number(Attribute(html, robust, "data-recall")), 266.0 / 280);
  EXPECT_DOUBLE_EQ(Number(Attribute(html, robust, "data-fmr")), 3.0 / 840);
}

TEST(ReportTest, RocIgnoresBinsBeyondMaxScore) {
  EvalReport report = MakeReport();
  report.matchers[0].threshold = 100;
  report.transforms[1].by_matcher[0].source_scores.resize(50, 1000);
  report.transforms[1].by_matcher[0].other_scores.resize(50, 1000);
  const std::string html = Html(report);
  // A threshold past max_score counts every bin up to max_score: 280 of
  // 280, 840 of 840.
  const std::string pdq = "data-threshold=\"100\"";
  EXPECT_DOUBLE_EQ(Number(Attribute(html, pdq, "data-recall")), 1.0);
  EXPECT_DOUBLE_EQ(Number(Attribute(html, pdq, "data-fmr")), 1.0);
}

TEST(ReportTest, RocWithoutFalseMatchesSitsAtLeftEdge) {
  EvalReport report = MakeReport();
  // robust at ≤ 0: no other original scores 0 outside "original".
  report.matchers[1].threshold = 0;
  const std::string html = Html(report);
  const std::string robust = "data-threshold=\"0\"";
  EXPECT_DOUBLE_EQ(Number(Attribute(html, robust, "data-recall")),
                   (38.0 + 20 + 100) / 280);
  EXPECT_DOUBLE_EQ(Number(Attribute(html, robust, "data-fmr")), 0);
  // The ROC plot's left edge is x = 52.
  EXPECT_EQ(Attribute(html, robust, "cx"), "52.0");
  EXPECT_NE(html.find("(rate 0) is drawn at the left edge"), std::string::npos);
}

TEST(ReportTest, JsonRoundTripsEveryField) {
  EvalReport report = MakeReport();
  report.seed = std::numeric_limits<std::uint64_t>::max();
  report.seconds = 0.1;
  const std::string text = Json(report);
  EXPECT_NE(text.find("\n  \"corpus\": "), std::string::npos) << "2 spaces";
  const nlohmann::json json = nlohmann::json::parse(text);
  EXPECT_EQ(json["corpus"], report.corpus);
  EXPECT_EQ(json["images"], 4);
  EXPECT_EQ(json["skipped"], 1);
  EXPECT_EQ(json["skipped_files"],
            nlohmann::json(std::vector<std::string>{"broken<1>.jpg"}));
  EXPECT_EQ(json["seed"].get<std::uint64_t>(), report.seed);
  EXPECT_EQ(json["working_side"], 512);
  EXPECT_EQ(json["seconds"].get<double>(), 0.1);
  EXPECT_EQ(json["threads"], 2);
  EXPECT_EQ(json["command"], report.command);
  EXPECT_EQ(json["forgeries"], (nlohmann::json{{"forged", 20},
                                               {"pdq_matched", 18},
                                               {"confirmed", 0},
                                               {"mean_pixel_change", 3}}));
  ASSERT_EQ(json["matchers"].size(), 2u);
  for (std::size_t m = 0; m < 2; ++m) {
    const MatcherInfo& matcher = report.matchers[m];
    const nlohmann::json& read = json["matchers"][m];
    EXPECT_EQ(read["name"], matcher.name);
    EXPECT_EQ(read["description"], matcher.description);
    EXPECT_EQ(read["threshold"], matcher.threshold);
    EXPECT_EQ(read["max_score"], matcher.max_score);
    EXPECT_EQ(read["score_name"], matcher.score_name);
  }
  ASSERT_EQ(json["transforms"].size(), 4u);
  for (std::size_t t = 0; t < 4; ++t) {
    const TransformOutcome& transform = report.transforms[t];
    const nlohmann::json& read = json["transforms"][t];
    EXPECT_EQ(read["name"], transform.name);
    EXPECT_EQ(read["description"], transform.description);
    ASSERT_EQ(read["by_matcher"].size(), 2u);
    for (std::size_t m = 0; m < 2; ++m) {
      const Outcome& outcome = transform.by_matcher[m];
      const nlohmann::json& written = read["by_matcher"][m];
      EXPECT_EQ(written["queries"], outcome.queries);
      EXPECT_EQ(written["found"], outcome.found);
      EXPECT_EQ(written["pairs"], outcome.pairs);
      EXPECT_EQ(written["false_matches"], outcome.false_matches);
      EXPECT_EQ(written["seconds"].get<double>(), outcome.seconds);
      EXPECT_EQ(written["source_scores"].get<std::vector<std::int64_t>>(),
                outcome.source_scores);
      EXPECT_EQ(written["other_scores"].get<std::vector<std::int64_t>>(),
                outcome.other_scores);
    }
  }
}

TEST(ReportTest, JsonReplacesInvalidUtf8) {
  EvalReport report;
  report.corpus = "/photos/\xFF";
  const nlohmann::json json = nlohmann::json::parse(Json(report));
  EXPECT_EQ(json["corpus"], "/photos/\xEF\xBF\xBD");
}

TEST(ReportTest, HtmlListsSkippedFiles) {
  EvalReport report = MakeReport();
  EXPECT_NE(Html(report).find("1 file did not decode"), std::string::npos);
  report.skipped = 2;
  report.skipped_files.emplace_back("b.heic");
  const std::string html = Html(report);
  EXPECT_NE(html.find("2 files did not decode"), std::string::npos);
  EXPECT_NE(html.find("<li><code>b.heic</code></li>"), std::string::npos);
}

TEST(ReportTest, EmptyReportRenders) {
  const EvalReport report;
  const std::string table = Table(report);
  EXPECT_NE(table.find("No transform was evaluated."), std::string::npos);
  EXPECT_NE(table.find("0 images (0 distinct ordered pairs)"),
            std::string::npos);
  const std::string html = Html(report);
  EXPECT_TRUE(html.starts_with("<!DOCTYPE html>"));
  EXPECT_TRUE(html.ends_with("</html>\n"));
  EXPECT_EQ(Occurrences(html, "<svg"), Occurrences(html, "</svg>"));
  EXPECT_EQ(Occurrences(html, "<rect class=\"bar\""), 0);
  const nlohmann::json json = nlohmann::json::parse(Json(report));
  EXPECT_TRUE(json["transforms"].empty());
  EXPECT_TRUE(json["matchers"].empty());
}

TEST(ReportTest, TransformsWithoutMatchersRender) {
  EvalReport report = MakeReport();
  report.matchers.clear();
  const std::string table = Table(report);
  EXPECT_NE(LineStartingWith(table, "crop-25"), "");
  const std::string html = Html(report);
  EXPECT_EQ(Occurrences(html, "<svg"), 0);
  EXPECT_TRUE(html.ends_with("</html>\n"));
}

TEST(ReportTest, MismatchedHistogramsDoNotCrash) {
  EvalReport report = MakeReport();
  report.transforms[1].by_matcher[0].source_scores.clear();
  report.transforms[1].by_matcher[0].other_scores = {0, 5};
  report.transforms[2].by_matcher[1].source_scores = {1};
  report.transforms[2].by_matcher[1].other_scores.assign(1000, 7);
  report.transforms[3].by_matcher.resize(1);
  report.transforms[0].by_matcher.clear();
  report.matchers[1].max_score = -5;
  report.matchers[1].threshold = -3;
  report.matchers[0].threshold = std::numeric_limits<int>::max();
  const std::string table = Table(report);
  EXPECT_NE(LineStartingWith(table, "caption"), "");
  const std::string html = Html(report);
  EXPECT_TRUE(html.ends_with("</html>\n"));
  EXPECT_EQ(Occurrences(html, "<svg"), Occurrences(html, "</svg>"));
  // Outcomes with queries get a bar, missing ones do not.
  EXPECT_EQ(Occurrences(html, "<rect class=\"bar\""), 5);
  EXPECT_NO_THROW(nlohmann::json::parse(Json(report)));
}

TEST(ReportTest, HistogramsAllZeroDrawNoPanel) {
  EvalReport report = MakeReport();
  for (TransformOutcome& transform : report.transforms) {
    transform.by_matcher[1].source_scores.assign(5, 0);
    transform.by_matcher[1].other_scores.clear();
  }
  const std::string html = Html(report);
  // Only pdq keeps a column of histograms.
  EXPECT_EQ(Occurrences(html, "<svg class=\"panel\""), 4);
  EXPECT_EQ(Occurrences(html, "<svg class=\"roc\""), 1);
}

}  // namespace
}  // namespace rempart::eval

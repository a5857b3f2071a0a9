// Renders an EvalReport three ways: a fixed-width table for the terminal,
// one standalone HTML page, and JSON.
//
// The page is a single file that can be mailed, attached to a ticket or
// opened from disk years later: the CSS sits in one <style> element, every
// chart is inline SVG written here (rects, paths, lines and text), and
// nothing is fetched — no script, font or image. Colours come from the
// Okabe–Ito palette, which stays distinguishable under the common
// colour-vision deficiencies, and colour is never the only cue: bars and
// curves are named by legends and <title> tooltips, and cells below target
// carry a mark as well as a tint.
//
// The same report gives the same bytes on every machine: numbers are
// formatted with std::to_chars and std::to_string, never through the
// stream, whose imbued locale could change the decimal point or group
// digits.
//
// Recall is shown with one decimal, and the 95 % target is judged on that
// shown figure (tenths of a percent, rounded half away from zero), so a cell
// reading "95.0" is never marked and one reading "94.9" always is.
//
// A report may come from another build or an old JSON file, so nothing in
// it is trusted to be consistent: by_matcher may be shorter than matchers,
// a histogram may have fewer or more bins than max_score + 1 (missing bins
// count as zero, extra ones are ignored), and text such as a corpus path or
// a skipped file's name may hold any bytes. HTML gets invalid UTF-8 and
// control characters as U+FFFD; the terminal gets control characters as
// '?'.
//
// The ROC curves sum each matcher's histograms over every transform except
// "original" (an untouched copy matches trivially and would flatter every
// matcher). At threshold k, recall(k) = Σ source_scores[0..k] / Σ queries and
// the false-match rate FMR(k) = Σ other_scores[0..k] / Σ pairs. FMR is drawn
// on a log scale from 10⁻⁷ (or, for corpora with more than 10⁷ pairs, the
// decade at or below 1 / pairs) up to 1; a rate of exactly 0 has no place on
// a log axis and is drawn at its left edge.
#include "rempart/eval/report.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

namespace rempart::eval {
namespace {

// Recall below this, in tenths of a percent as shown, misses the target.
constexpr std::int64_t kTargetTenths = 950;
constexpr double kTarget = 0.95;

// Okabe & Ito, "Color Universal Design" (2008), ordered so that neighbouring
// matchers differ most; yellow last, as it is faint on white.
constexpr std::array<std::string_view, 8> kPalette = {
    "#0072B2", "#E69F00", "#009E73", "#CC79A7",
    "#56B4E9", "#D55E00", "#000000", "#F0E442"};
// The histograms: a query against its own original, and against the others.
constexpr std::string_view kOwnColour = "#0072B2";
constexpr std::string_view kOtherColour = "#D55E00";

std::string_view Colour(std::size_t matcher) {
  return kPalette[matcher % kPalette.size()];
}

// ---------------------------------------------------------------------------
// Reading the report defensively.

const Outcome& OutcomeAt(const EvalReport& report, std::size_t t,
                         std::size_t m) {
  static const Outcome empty;
  if (t >= report.transforms.size()) return empty;
  const std::vector<Outcome>& by_matcher = report.transforms[t].by_matcher;
  return m < by_matcher.size() ? by_matcher[m] : empty;
}

double RecallOf(const Outcome& outcome) {
  if (outcome.queries <= 0) return 0;
  return static_cast<double>(outcome.found) /
         static_cast<double>(outcome.queries);
}

bool IsOriginal(const TransformOutcome& transform) {
  return transform.name == "original";
}

// The number of score values a matcher can give: max_score + 1, at least 1.
std::int64_t ScoreCount(const MatcherInfo& matcher) {
  return static_cast<std::int64_t>(std::max(matcher.max_score, 0)) + 1;
}

// The largest query count of a transform's outcomes: its row's "queries".
std::int64_t QueriesOf(const EvalReport& report, std::size_t t) {
  std::int64_t queries = 0;
  for (std::size_t m = 0; m < report.matchers.size(); ++m) {
    queries = std::max(queries, OutcomeAt(report, t, m).queries);
  }
  return queries;
}

struct Totals {
  std::int64_t queries = 0;
  std::int64_t pairs = 0;
  std::int64_t false_matches = 0;
  double seconds = 0;
};

// Matcher m's outcomes summed over every transform, or over "original"
// alone.
Totals SumOutcomes(const EvalReport& report, std::size_t m,
                   bool originals_only) {
  Totals totals;
  for (std::size_t t = 0; t < report.transforms.size(); ++t) {
    if (originals_only && !IsOriginal(report.transforms[t])) continue;
    const Outcome& outcome = OutcomeAt(report, t, m);
    totals.queries += outcome.queries;
    totals.pairs += outcome.pairs;
    totals.false_matches += outcome.false_matches;
    totals.seconds += outcome.seconds;
  }
  return totals;
}

// The originals' totals, or nullopt when the report has no "original" row.
std::optional<Totals> SumOriginals(const EvalReport& report, std::size_t m) {
  if (std::none_of(report.transforms.begin(), report.transforms.end(),
                   IsOriginal)) {
    return std::nullopt;
  }
  return SumOutcomes(report, m, true);
}

// One matcher's histograms summed over every transform but "original", as
// cumulative counts: own[k] queries and other[k] pairs scored at most k.
struct Cumulative {
  std::vector<std::int64_t> own;
  std::vector<std::int64_t> other;
  std::int64_t queries = 0;
  std::int64_t pairs = 0;
};

void AddHistogram(const std::vector<std::int64_t>& histogram,
                  std::int64_t scores, std::vector<std::int64_t>& sums) {
  const std::size_t bins = static_cast<std::size_t>(
      std::min(static_cast<std::int64_t>(histogram.size()), scores));
  if (sums.size() < bins) sums.resize(bins, 0);
  for (std::size_t i = 0; i < bins; ++i) {
    sums[i] += std::max<std::int64_t>(histogram[i], 0);
  }
}

Cumulative Cumulate(const EvalReport& report, std::size_t m) {
  Cumulative sums;
  const std::int64_t scores = ScoreCount(report.matchers[m]);
  for (std::size_t t = 0; t < report.transforms.size(); ++t) {
    if (IsOriginal(report.transforms[t])) continue;
    const Outcome& outcome = OutcomeAt(report, t, m);
    sums.queries += outcome.queries;
    sums.pairs += outcome.pairs;
    AddHistogram(outcome.source_scores, scores, sums.own);
    AddHistogram(outcome.other_scores, scores, sums.other);
  }
  const std::size_t bins = std::max(sums.own.size(), sums.other.size());
  sums.own.resize(bins, 0);
  sums.other.resize(bins, 0);
  for (std::size_t i = 1; i < bins; ++i) {
    sums.own[i] += sums.own[i - 1];
    sums.other[i] += sums.other[i - 1];
  }
  return sums;
}

struct RocPoint {
  double fmr = 0;
  double recall = 0;
};

// The point of threshold k: scores at most k match.
RocPoint PointAt(const Cumulative& sums, std::int64_t k) {
  RocPoint point;
  if (k < 0 || sums.own.empty()) return point;
  const auto i = static_cast<std::size_t>(
      std::min(k, static_cast<std::int64_t>(sums.own.size()) - 1));
  if (sums.queries > 0) {
    point.recall =
        static_cast<double>(sums.own[i]) / static_cast<double>(sums.queries);
  }
  if (sums.pairs > 0) {
    point.fmr =
        static_cast<double>(sums.other[i]) / static_cast<double>(sums.pairs);
  }
  return point;
}

// ---------------------------------------------------------------------------
// Numbers, locale-free.

// Shortest text that reads back as the same double.
std::string Shortest(double value) {
  std::array<char, 64> text{};
  const auto [end, error] =
      std::to_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc()) return "0";
  return {text.data(), end};
}

std::string Fixed(double value, int decimals) {
  std::array<char, 128> text{};
  // Adding +0.0 turns -0.0 into +0.0, so no "-0.0" is ever printed.
  const auto [end, error] =
      std::to_chars(text.data(), text.data() + text.size(), value + 0.0,
                    std::chars_format::fixed, decimals);
  if (error != std::errc()) return Shortest(value);
  return {text.data(), end};
}

// Three significant digits without an exponent: 1234, 12.3, 0.0213.
std::string Significant(double value) {
  if (value == 0 || !std::isfinite(value)) return Fixed(value, 0);
  int magnitude = static_cast<int>(std::floor(std::log10(std::fabs(value))));
  // 0.99996 rounds to 1.00, not 1.000.
  if (std::round(std::fabs(value) / std::pow(10.0, magnitude - 2)) >= 1000) {
    ++magnitude;
  }
  return Fixed(value, std::clamp(2 - magnitude, 0, 9));
}

// 1234567 → "1,234,567".
std::string Count(std::int64_t value) {
  const std::string digits = std::to_string(value);
  const std::size_t sign = value < 0 ? 1 : 0;
  std::string text = digits.substr(0, sign);
  for (std::size_t i = sign; i < digits.size(); ++i) {
    if (i > sign && (digits.size() - i) % 3 == 0) text += ',';
    text += digits[i];
  }
  return text;
}

// A ratio in tenths of a percent, as shown: 0.9745 → 975 (rounded half away
// from zero).
std::int64_t Tenths(double ratio) {
  if (!std::isfinite(ratio)) return 0;
  return std::llround(std::clamp(ratio, -1e9, 1e9) * 1000);
}

std::string TenthsText(std::int64_t tenths) {
  std::string text = tenths < 0 ? "-" : "";
  const std::int64_t magnitude = tenths < 0 ? -tenths : tenths;
  text += std::to_string(magnitude / 10);
  text += '.';
  text += std::to_string(magnitude % 10);
  return text;
}

std::string Duration(double seconds) {
  if (!std::isfinite(seconds) || seconds < 59.95) {
    return Fixed(seconds, 1) + " s";
  }
  const std::int64_t whole = std::llround(std::min(seconds, 1e15));
  const auto two_digits = [](std::int64_t value) {
    return (value < 10 ? "0" : "") + std::to_string(value);
  };
  if (whole < 3600) {
    return std::to_string(whole / 60) + " min " + two_digits(whole % 60) + " s";
  }
  return std::to_string(whole / 3600) + " h " + two_digits(whole / 60 % 60) +
         " min";
}

// −7 → "⁻⁷".
std::string Superscript(int exponent) {
  constexpr std::array<std::string_view, 10> kDigits = {
      "⁰", "¹", "²", "³", "⁴", "⁵", "⁶", "⁷", "⁸", "⁹"};
  std::string text = exponent < 0 ? "⁻" : "";
  for (const char digit : std::to_string(std::abs(exponent))) {
    text += kDigits[static_cast<std::size_t>(digit - '0')];
  }
  return text;
}

// A rate in scientific notation with two significant digits: "3.6×10⁻³";
// 0 stays "0".
std::string Rate(double rate) {
  if (rate <= 0 || !std::isfinite(rate)) return Fixed(rate, 0);
  int exponent = static_cast<int>(std::floor(std::log10(rate)));
  double mantissa = std::round(rate / std::pow(10.0, exponent) * 10) / 10;
  if (mantissa >= 10) {
    mantissa /= 10;
    ++exponent;
  }
  if (exponent == 0) return Fixed(mantissa, 1);
  return Fixed(mantissa, 1) + "×10" + Superscript(exponent);
}

// ---------------------------------------------------------------------------
// Text.

// Length in code points, which is the width of the ASCII and Latin text a
// report holds.
std::size_t Width(std::string_view text) {
  return static_cast<std::size_t>(std::count_if(
      text.begin(), text.end(),
      [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

// For the terminal: control characters (an escape sequence in a path could
// rewrite the screen) become '?'.
std::string Printable(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte == 0x7F) c = '?';
  }
  return out;
}

// The length of the valid UTF-8 sequence (RFC 3629 §4) at the start of a
// non-ASCII `text`, or 0.
std::size_t Utf8Length(std::string_view text) {
  const auto at = [&](std::size_t i) {
    return static_cast<unsigned char>(text[i]);
  };
  const unsigned char lead = at(0);
  std::size_t length = 0;
  unsigned char low = 0x80;
  unsigned char high = 0xBF;
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3;
    if (lead == 0xE0) low = 0xA0;   // No overlong forms.
    if (lead == 0xED) high = 0x9F;  // No surrogates.
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
    if (lead == 0xF0) low = 0x90;   // No overlong forms.
    if (lead == 0xF4) high = 0x8F;  // Nothing above U+10FFFF.
  } else {
    return 0;
  }
  if (text.size() < length) return 0;
  if (at(1) < low || at(1) > high) return 0;
  for (std::size_t i = 2; i < length; ++i) {
    if (at(i) < 0x80 || at(i) > 0xBF) return 0;
  }
  return length;
}

// Text for HTML content and quoted attribute values.
std::string Html(std::string_view text) {
  constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size();) {
    const auto byte = static_cast<unsigned char>(text[i]);
    if (byte >= 0x80) {
      const std::size_t length = Utf8Length(text.substr(i));
      if (length == 0) {
        out += kReplacement;
        ++i;
      } else {
        out += text.substr(i, length);
        i += length;
      }
      continue;
    }
    switch (byte) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      case '\t':
      case '\n':
        out += static_cast<char>(byte);
        break;
      default:
        if (byte < 0x20 || byte == 0x7F) {
          out += kReplacement;
        } else {
          out += static_cast<char>(byte);
        }
    }
    ++i;
  }
  return out;
}

// SVG coordinates: one decimal is finer than any screen needs.
std::string At(double coordinate) { return Fixed(coordinate, 1); }

// ---------------------------------------------------------------------------
// The terminal table.

enum class Align { kLeft, kRight };

// Rows of cells in columns two spaces apart, each as wide as its widest
// cell; no line ends in spaces.
void WriteColumns(const std::vector<std::vector<std::string>>& rows,
                  const std::vector<Align>& align, std::ostream& out) {
  std::vector<std::size_t> widths(align.size(), 0);
  for (const std::vector<std::string>& row : rows) {
    for (std::size_t c = 0; c < row.size() && c < widths.size(); ++c) {
      widths[c] = std::max(widths[c], Width(row[c]));
    }
  }
  for (const std::vector<std::string>& row : rows) {
    std::string line;
    for (std::size_t c = 0; c < row.size() && c < widths.size(); ++c) {
      if (c > 0) line += "  ";
      const std::string padding(widths[c] - Width(row[c]), ' ');
      if (align[c] == Align::kRight) line += padding;
      line += row[c];
      if (align[c] == Align::kLeft) line += padding;
    }
    line.erase(line.find_last_not_of(' ') + 1);
    out << line << '\n';
  }
}

// "97.5  ", "75.0 *", or "-  " with no queries: the mark always takes two
// columns, so right-aligned figures line up.
std::string RecallCell(const Outcome& outcome) {
  if (outcome.queries <= 0) return "-  ";
  const std::int64_t tenths = Tenths(RecallOf(outcome));
  return TenthsText(tenths) + (tenths < kTargetTenths ? " *" : "  ");
}

std::string PairsText(const Totals& totals) {
  return Count(totals.false_matches) + " of " + Count(totals.pairs) + " pairs";
}

std::string MillisecondsPerQuery(const Totals& totals) {
  if (totals.queries <= 0) return "-";
  return Significant(totals.seconds * 1000 /
                     static_cast<double>(totals.queries));
}

// images · (images − 1): every ordered pair of distinct originals.
std::int64_t DistinctPairs(const EvalReport& report) {
  const std::int64_t images = std::max(report.images, 0);
  return images * std::max<std::int64_t>(images - 1, 0);
}

// ---------------------------------------------------------------------------
// The page.

constexpr std::string_view kStyle = R"(
:root { color-scheme: light; }
* { box-sizing: border-box; }
body { margin: 0; background: #f3f4f6; color: #1f2328;
  font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto,
    "Helvetica Neue", Arial, sans-serif; }
main { max-width: 1180px; margin: 0 auto; padding: 28px 24px 40px; }
h1 { font-size: 28px; line-height: 1.2; margin: 0 0 4px; }
h2 { font-size: 19px; margin: 0 0 6px; }
h3 { font-size: 15px; margin: 18px 0 6px; }
.subtitle { color: #57606a; margin: 0 0 18px; overflow-wrap: anywhere; }
section { background: #fff; border: 1px solid #d8dee4; border-radius: 8px;
  padding: 18px 22px 20px; margin: 0 0 18px; }
.note { color: #57606a; font-size: 13px; margin: 0 0 12px; }
.note.after { margin: 10px 0 0; }
code, pre { font: 13px/1.45 ui-monospace, SFMono-Regular, Menlo, Consolas,
  "Liberation Mono", monospace; }
code { background: #f0f2f4; border-radius: 4px; padding: 1px 5px;
  overflow-wrap: anywhere; }
pre { background: #f6f8fa; border: 1px solid #e5e8eb; border-radius: 6px;
  margin: 0; padding: 6px 10px; white-space: pre-wrap;
  overflow-wrap: anywhere; }
dl.facts { display: grid; grid-template-columns: max-content 1fr;
  gap: 5px 22px; margin: 0; }
dl.facts dt { color: #57606a; }
dl.facts dd { margin: 0; min-width: 0; }
details summary { cursor: pointer; color: #0a58a8; }
details ul { margin: 4px 0 0; padding-left: 20px; }
.scroll { overflow-x: auto; }
table { border-collapse: collapse; font-variant-numeric: tabular-nums; }
th, td { padding: 5px 12px; border-bottom: 1px solid #e5e8eb;
  text-align: left; vertical-align: top; }
thead th { background: #f6f8fa; font-weight: 600;
  border-bottom: 1px solid #d0d7de; vertical-align: bottom; }
th.num, td.num { text-align: right; white-space: nowrap; }
th.group { text-align: center; border-bottom: 1px solid #d0d7de; }
td.miss { background: #fbe3dc; color: #8f2a0b; }
td.best { font-weight: 700; }
td.name, th.name { white-space: nowrap; }
.mark { display: inline-block; width: 1.1em; text-align: right; }
.desc { display: block; color: #6e7781; font-size: 12.5px; line-height: 1.35; }
.swatch { display: inline-block; width: 11px; height: 11px; border-radius: 2px;
  margin-right: 6px; vertical-align: -1px; }
.line-swatch { display: inline-block; width: 16px; height: 0;
  border-top: 2px solid; margin-right: 6px; vertical-align: 3px; }
.dash-swatch { display: inline-block; width: 16px; height: 0;
  border-top: 2px dashed #1f2328; margin-right: 6px; vertical-align: 3px; }
.legend { display: flex; flex-wrap: wrap; gap: 4px 20px; font-size: 13px;
  margin: 0 0 10px; }
svg { display: block; max-width: 100%; height: auto; }
svg text { font-family: system-ui, -apple-system, "Segoe UI", Roboto,
  "Helvetica Neue", Arial, sans-serif; font-size: 11px; fill: #3d444d; }
svg text.small { font-size: 10px; }
svg text.title { font-size: 13px; font-weight: 600; }
svg text.label { font-weight: 600; paint-order: stroke; stroke: #fff;
  stroke-width: 3px; stroke-linejoin: round; }
.matrix { display: grid; gap: 8px 10px; align-items: center;
  overflow-x: auto; }
.matrix .head { font-weight: 600; font-size: 13px; white-space: nowrap; }
.matrix .row { font-size: 13px; font-weight: 600; overflow-wrap: anywhere; }
.matrix .empty { color: #8c959f; font-size: 12px; }
.panel { border: 1px solid #eaeef2; border-radius: 4px; }
.rocs { display: flex; flex-wrap: wrap; gap: 14px; }
.rocs figure { margin: 0; border: 1px solid #eaeef2; border-radius: 6px; }
footer { color: #6e7781; font-size: 12.5px; text-align: center; }
)";

// One element, written attribute by attribute: values are escaped and
// numbers written as coordinates. What Wrap() encloses is markup already.
class Tag {
 public:
  explicit Tag(std::string_view name) : name_(name) {
    text_ += '<';
    text_ += name;
  }

  Tag& Set(std::string_view attribute, std::string_view value) {
    text_ += ' ';
    text_ += attribute;
    text_ += R"(=")";
    text_ += Html(value);
    text_ += '"';
    return *this;
  }
  Tag& Set(std::string_view attribute, double value) {
    return Set(attribute, At(value));
  }

  // The start tag alone.
  [[nodiscard]] std::string Open() const { return text_ + ">"; }
  // An element without content, on a line of its own: "<line …/>".
  [[nodiscard]] std::string Empty() const { return text_ + "/>\n"; }
  // The whole element around `html`.
  [[nodiscard]] std::string Wrap(std::string_view html) const {
    std::string element = text_;
    element += '>';
    element += html;
    element += "</";
    element += name_;
    element += '>';
    return element;
  }

 private:
  std::string name_;
  std::string text_;
};

Tag Svg(std::string_view css_class, double width, double height,
        std::string_view label) {
  Tag svg("svg");
  svg.Set("class", css_class)
      .Set("viewBox", "0 0 " + At(width) + " " + At(height))
      .Set("width", width)
      .Set("height", height)
      .Set("role", "img")
      .Set("aria-label", label);
  return svg;
}

Tag Line(double x1, double y1, double x2, double y2, std::string_view stroke) {
  Tag line("line");
  line.Set("x1", x1).Set("y1", y1).Set("x2", x2).Set("y2", y2).Set("stroke",
                                                                   stroke);
  return line;
}

// SVG text at (x, y), anchored "start", "middle" or "end".
Tag Text(double x, double y, std::string_view anchor) {
  Tag text("text");
  text.Set("x", x).Set("y", y);
  if (anchor != "start") text.Set("text-anchor", anchor);
  return text;
}

// A table cell of class `css_class` (none if empty) holding `html`.
std::string Cell(std::string_view css_class, std::string_view html,
                 std::string_view element = "td") {
  Tag cell(element);
  if (!css_class.empty()) cell.Set("class", css_class);
  return cell.Wrap(html);
}

std::string Swatch(std::string_view colour) {
  return Tag("span")
      .Set("class", "swatch")
      .Set("style", "background:" + std::string(colour))
      .Wrap("");
}

std::string Note(std::string_view html) {
  return Tag("p").Set("class", "note").Wrap(html) + "\n";
}

std::string MatcherLegend(const EvalReport& report) {
  std::string legend = Tag("div").Set("class", "legend").Open();
  for (std::size_t m = 0; m < report.matchers.size(); ++m) {
    legend += "<span>";
    legend += Swatch(Colour(m));
    legend += Html(report.matchers[m].name);
    legend += "</span>";
  }
  legend += "</div>\n";
  return legend;
}

void AppendFact(std::string_view term, std::string_view html,
                std::string& page) {
  page += "<dt>";
  page += term;
  page += "</dt><dd>";
  page += html;
  page += "</dd>\n";
}

void AppendRun(const EvalReport& report, std::string& page) {
  page += "<section id=\"run\">\n<h2>The run</h2>\n<dl class=\"facts\">\n";
  AppendFact("Corpus", "<code>" + Html(report.corpus) + "</code>", page);
  AppendFact("Images",
             Count(report.images) + " originals in the bank, " +
                 Count(DistinctPairs(report)) +
                 " ordered pairs of distinct originals",
             page);
  std::string skipped = report.skipped == 0 && report.skipped_files.empty()
                            ? std::string("none")
                            : Count(report.skipped) +
                                  (report.skipped == 1 ? " file" : " files") +
                                  " did not decode";
  if (!report.skipped_files.empty()) {
    skipped += "<details><summary>their names</summary><ul>";
    for (const std::string& file : report.skipped_files) {
      skipped += "<li><code>";
      skipped += Html(file);
      skipped += "</code></li>";
    }
    skipped += "</ul></details>";
  }
  AppendFact("Skipped", skipped, page);
  AppendFact("Seed", std::to_string(report.seed), page);
  AppendFact("Working side",
             report.working_side > 0
                 ? Count(report.working_side) +
                       " px, the longest side originals were scaled down to"
                 : std::string("originals at their own size"),
             page);
  AppendFact("Threads", Count(report.threads), page);
  AppendFact("Duration", Duration(report.seconds) + " wall clock", page);
  if (!report.command.empty()) {
    AppendFact("Command", "<pre>" + Html(report.command) + "</pre>", page);
  }
  page += "</dl>\n<h3>Matchers</h3>\n";
  if (report.matchers.empty()) {
    page += Note("No matcher was evaluated.");
    page += "</section>\n";
    return;
  }
  page +=
      "<div class=\"scroll\"><table>\n<thead><tr><th>matcher</th>"
      "<th>what it does</th><th>score</th><th class=\"num\">match at</th>"
      "<th class=\"num\">time per query</th></tr></thead>\n<tbody>\n";
  for (std::size_t m = 0; m < report.matchers.size(); ++m) {
    const MatcherInfo& matcher = report.matchers[m];
    const std::string time =
        MillisecondsPerQuery(SumOutcomes(report, m, false));
    page += "<tr>";
    page += Cell("name", Swatch(Colour(m)) + "<strong>" + Html(matcher.name) +
                             "</strong>");
    page += Cell("", Html(matcher.description));
    page += Cell("", Html(matcher.score_name) + R"( <span class="desc">0 to )" +
                         Count(matcher.max_score) + ", lower is closer</span>");
    page += Cell("num", "≤ " + Count(matcher.threshold));
    page += Cell("num", time == "-" ? time : time + " ms");
    page += "</tr>\n";
  }
  page += "</tbody></table></div>\n";
  page += Tag("p")
              .Set("class", "note after")
              .Wrap(
                  "Time per query is the matcher's own work on the query side, "
                  "on one "
                  "core, averaged over every transform.");
  page += "\n</section>\n";
}

void AppendRecallTable(const EvalReport& report, std::string& page) {
  const std::size_t matchers = report.matchers.size();
  page += "<section id=\"recall\">\n<h2>Recall</h2>\n";
  if (report.transforms.empty()) {
    page += Note("No transform was evaluated.");
    page += "</section>\n";
    return;
  }
  page += Note(
      "The share of transformed pictures whose own original matched, at "
      "each matcher's threshold. <span class=\"mark\">✗</span> below the "
      "95 % target; <strong>bold</strong>: best in its row.");
  page +=
      "<div class=\"scroll\"><table>\n<thead><tr><th>transform</th>"
      "<th class=\"num\">queries</th>";
  for (std::size_t m = 0; m < matchers; ++m) {
    page += Cell("num",
                 Swatch(Colour(m)) + Html(report.matchers[m].name) +
                     R"(<span class="mark"></span>)",
                 "th");
  }
  page += "</tr></thead>\n<tbody>\n";
  for (std::size_t t = 0; t < report.transforms.size(); ++t) {
    const TransformOutcome& transform = report.transforms[t];
    // The best figure as shown; bold only where it singles matchers out.
    std::int64_t best = 0;
    std::size_t with_queries = 0;
    std::size_t at_best = 0;
    for (std::size_t m = 0; m < matchers; ++m) {
      const Outcome& outcome = OutcomeAt(report, t, m);
      if (outcome.queries <= 0) continue;
      const std::int64_t tenths = Tenths(RecallOf(outcome));
      if (with_queries == 0 || tenths > best) {
        best = tenths;
        at_best = 0;
      }
      if (tenths == best) ++at_best;
      ++with_queries;
    }
    std::string name = Html(transform.name);
    if (!transform.description.empty()) {
      name += R"(<span class="desc">)";
      name += Html(transform.description);
      name += "</span>";
    }
    page += "<tr>";
    page += Cell("", name);
    page += Cell("num", Count(QueriesOf(report, t)));
    for (std::size_t m = 0; m < matchers; ++m) {
      const Outcome& outcome = OutcomeAt(report, t, m);
      if (outcome.queries <= 0) {
        page += Cell("num", R"(–<span class="mark"></span>)");
        continue;
      }
      const std::int64_t tenths = Tenths(RecallOf(outcome));
      const bool miss = tenths < kTargetTenths;
      std::string classes = "num";
      if (miss) classes += " miss";
      if (tenths == best && at_best < with_queries) classes += " best";
      page += Tag("td")
                  .Set("class", classes)
                  .Set("title",
                       Count(outcome.found) + " of " + Count(outcome.queries))
                  .Wrap(TenthsText(tenths) + R"(<span class="mark">)" +
                        (miss ? "✗" : "") + "</span>");
    }
    page += "</tr>\n";
  }
  page += "</tbody></table></div>\n</section>\n";
}

void AppendRecallChart(const EvalReport& report, std::string& page) {
  const std::size_t transforms = report.transforms.size();
  const std::size_t matchers = report.matchers.size();
  page += "<section id=\"recall-chart\">\n<h2>Recall per transform</h2>\n";
  if (transforms == 0 || matchers == 0) {
    page += Note("Nothing to draw.");
    page += "</section>\n";
    return;
  }
  page += MatcherLegend(report);
  constexpr double kWidth = 1040;
  constexpr double kLeft = 200;    // Transform names sit left of this.
  constexpr double kRight = 1000;  // 100 %.
  constexpr double kTop = 30;
  constexpr double kBar = 9;
  constexpr double kBarGap = 2;
  constexpr double kGroupGap = 12;
  const double group =
      static_cast<double>(matchers) * (kBar + kBarGap) - kBarGap;
  const double bottom =
      kTop + static_cast<double>(transforms) * (group + kGroupGap);
  const auto x = [&](double ratio) {
    return kLeft + std::clamp(ratio, 0.0, 1.0) * (kRight - kLeft);
  };
  page += Svg("chart", kWidth, bottom + 40, "Recall per transform and matcher")
              .Open();
  page += '\n';
  // Alternate transforms on a faint band.
  for (std::size_t t = 1; t < transforms; t += 2) {
    page += Tag("rect")
                .Set("x", 0)
                .Set("y", kTop + static_cast<double>(t) * (group + kGroupGap))
                .Set("width", kRight)
                .Set("height", group + kGroupGap)
                .Set("fill", "#f6f8fa")
                .Empty();
  }
  for (int tick = 0; tick <= 10; ++tick) {
    const double tick_x = x(tick / 10.0);
    page += Line(tick_x, kTop, tick_x, bottom,
                 tick == 0       ? "#8c959f"
                 : tick % 2 == 0 ? "#d0d7de"
                                 : "#eaeef2")
                .Empty();
    if (tick % 2 == 0) {
      page += Text(tick_x, bottom + 16, "middle")
                  .Wrap(std::to_string(tick * 10) + (tick == 10 ? " %" : ""));
      page += '\n';
    }
  }
  for (std::size_t t = 0; t < transforms; ++t) {
    const TransformOutcome& transform = report.transforms[t];
    const double top =
        kTop + kGroupGap / 2 + static_cast<double>(t) * (group + kGroupGap);
    page += Text(kLeft - 10, top + group / 2, "end")
                .Set("dy", "0.35em")
                .Wrap(Html(transform.name));
    page += '\n';
    for (std::size_t m = 0; m < matchers; ++m) {
      const Outcome& outcome = OutcomeAt(report, t, m);
      if (outcome.queries <= 0) continue;
      const double recall = RecallOf(outcome);
      page += Tag("rect")
                  .Set("class", "bar")
                  .Set("x", kLeft)
                  .Set("y", top + static_cast<double>(m) * (kBar + kBarGap))
                  .Set("width", x(recall) - kLeft)
                  .Set("height", kBar)
                  .Set("fill", Colour(m))
                  .Wrap(Tag("title").Wrap(Html(transform.name) + " · " +
                                          Html(report.matchers[m].name) + ": " +
                                          TenthsText(Tenths(recall)) + " % (" +
                                          Count(outcome.found) + " of " +
                                          Count(outcome.queries) + ")"));
      page += '\n';
    }
  }
  const double target = x(kTarget);
  page += Tag("line")
              .Set("class", "target")
              .Set("x1", target)
              .Set("y1", kTop - 8)
              .Set("x2", target)
              .Set("y2", bottom)
              .Set("stroke", "#1f2328")
              .Set("stroke-width", 1.5)
              .Set("stroke-dasharray", "6 4")
              .Empty();
  page += Text(target, kTop - 13, "middle").Wrap("target 95 %");
  page += '\n';
  page += Text((kLeft + kRight) / 2, bottom + 34, "middle")
              .Wrap("recall: share of queries matched to their own original");
  page += "\n</svg>\n</section>\n";
}

void AppendFalseMatches(const EvalReport& report, std::string& page) {
  page += "<section id=\"false-matches\">\n<h2>False matches</h2>\n";
  if (report.matchers.empty()) {
    page += Note("No matcher was evaluated.");
  } else {
    page += Note(
        "Every query is also compared with every other original; a pair "
        "within the matcher's threshold is a false match. The originals "
        "alone give the classic figure over all ordered pairs of distinct "
        "pictures in the corpus.");
    page +=
        "<div class=\"scroll\"><table>\n<thead><tr><th rowspan=\"2\">"
        "matcher</th><th class=\"num\" rowspan=\"2\">threshold</th>"
        "<th class=\"group\" colspan=\"3\">all transforms</th>"
        "<th class=\"group\" colspan=\"3\">originals alone</th></tr>\n<tr>"
        "<th class=\"num\">false matches</th><th class=\"num\">pairs</th>"
        "<th class=\"num\">rate</th><th class=\"num\">false matches</th>"
        "<th class=\"num\">pairs</th><th class=\"num\">rate</th></tr>"
        "</thead>\n<tbody>\n";
    const auto cells = [](const std::optional<Totals>& totals) {
      if (!totals)
        return Cell("num", "–") + Cell("num", "–") + Cell("num", "–");
      const double rate = totals->pairs > 0
                              ? static_cast<double>(totals->false_matches) /
                                    static_cast<double>(totals->pairs)
                              : 0;
      return Cell("num", Count(totals->false_matches)) +
             Cell("num", Count(totals->pairs)) + Cell("num", Rate(rate));
    };
    for (std::size_t m = 0; m < report.matchers.size(); ++m) {
      page += "<tr>";
      page += Cell("name", Swatch(Colour(m)) + Html(report.matchers[m].name));
      page += Cell("num", "≤ " + Count(report.matchers[m].threshold));
      page += cells(SumOutcomes(report, m, false));
      page += cells(SumOriginals(report, m));
      page += "</tr>\n";
    }
    page += "</tbody></table></div>\n";
  }
  const ForgeryOutcome& forgeries = report.forgeries;
  if (forgeries.forged > 0) {
    page += "<h3>Forged collisions</h3>\n<p>" + Count(forgeries.forged) +
            " pictures were forged to collide with a bank entry's PDQ "
            "(changing each pixel by " +
            Count(forgeries.mean_pixel_change) +
            " of 255 on average): <strong>" + Count(forgeries.pdq_matched) +
            "</strong> came within PDQ's threshold of their target, and "
            "<strong>" +
            Count(forgeries.confirmed) +
            "</strong> of those were also confirmed by the second hash.</p>\n";
  }
  if (!report.false_match_examples.empty()) {
    page +=
        "<h3>False matches by name</h3>\n<div class=\"scroll\"><table>"
        "<thead><tr><th>matcher</th><th>transform</th><th>query made "
        "from</th><th>matched</th><th>score</th></tr></thead><tbody>\n";
    for (const FalseMatch& example : report.false_match_examples) {
      page += "<tr>" + Cell("name", Html(example.matcher)) +
              Cell("name", Html(example.transform)) +
              Cell("name", Html(example.query)) +
              Cell("name", Html(example.matched)) +
              Cell("num", Count(example.score)) + "</tr>\n";
    }
    page += "</tbody></table></div>\n";
  }
  page += "</section>\n";
}

// One small histogram: a transform's queries against their own originals
// (bars) and against the other originals (outline), each scaled to its own
// peak, on the matcher's whole score range.
void AppendHistogram(const TransformOutcome& transform,
                     const MatcherInfo& matcher, const Outcome& outcome,
                     std::string& page) {
  constexpr double kWidth = 220;
  constexpr double kHeight = 110;
  constexpr double kLeft = 8;
  constexpr double kRight = 212;
  constexpr double kTop = 22;
  constexpr double kBottom = 90;
  constexpr std::int64_t kMaxBins = 52;
  const std::int64_t scores = ScoreCount(matcher);
  const std::int64_t span = (scores + kMaxBins - 1) / kMaxBins;
  const auto bins = static_cast<std::size_t>((scores + span - 1) / span);
  const auto rebin = [&](const std::vector<std::int64_t>& histogram) {
    std::vector<std::int64_t> counts(bins, 0);
    const auto used = static_cast<std::size_t>(
        std::min(static_cast<std::int64_t>(histogram.size()), scores));
    for (std::size_t i = 0; i < used; ++i) {
      counts[i / static_cast<std::size_t>(span)] +=
          std::max<std::int64_t>(histogram[i], 0);
    }
    return counts;
  };
  const std::vector<std::int64_t> own = rebin(outcome.source_scores);
  const std::vector<std::int64_t> other = rebin(outcome.other_scores);
  const auto x = [&](std::int64_t score) {
    return kLeft +
           static_cast<double>(std::clamp<std::int64_t>(score, 0, scores)) *
               (kRight - kLeft) / static_cast<double>(scores);
  };
  const auto bin_start = [&](std::size_t bin) {
    return x(static_cast<std::int64_t>(bin) * span);
  };
  const auto bin_end = [&](std::size_t bin) {
    return x(static_cast<std::int64_t>(bin + 1) * span);
  };
  const auto y = [&](std::int64_t count, std::int64_t peak) {
    if (peak <= 0) return kBottom;
    return kBottom - static_cast<double>(count) / static_cast<double>(peak) *
                         (kBottom - kTop);
  };
  const std::int64_t own_peak = *std::max_element(own.begin(), own.end());
  const std::int64_t other_peak = *std::max_element(other.begin(), other.end());

  const std::string name = Html(transform.name) + " · " + Html(matcher.name);
  page += Svg("panel", kWidth, kHeight,
              transform.name + ", " + matcher.name + ": score histograms")
              .Open();
  page += Tag("title").Wrap(name + ": " + Html(matcher.score_name) +
                            " to the own original (bars) and to other "
                            "originals (outline)");
  page += '\n';
  if (outcome.queries > 0) {
    page += Text(kLeft, 13, "start")
                .Set("class", "small")
                .Wrap("recall " + TenthsText(Tenths(RecallOf(outcome))) + " %");
    page += '\n';
  }
  page += Text(kRight, 13, "end")
              .Set("class", "small")
              .Wrap("false " + Count(outcome.false_matches) + " of " +
                    Count(outcome.pairs));
  page += '\n';
  // The other originals: a light area under a step outline drawn last.
  std::string outline;
  if (other_peak > 0) {
    for (std::size_t bin = 0; bin < bins; ++bin) {
      const std::string level = At(y(other[bin], other_peak));
      outline += bin == 0 ? "M" : " L";
      outline += At(bin_start(bin));
      outline += ' ';
      outline += level;
      outline += " L";
      outline += At(bin_end(bin));
      outline += ' ';
      outline += level;
    }
    page += Tag("path")
                .Set("d", outline + " L" + At(kRight) + " " + At(kBottom) +
                              " L" + At(kLeft) + " " + At(kBottom) + " Z")
                .Set("fill", kOtherColour)
                .Set("fill-opacity", 0.14)
                .Empty();
  }
  // The own originals: bars.
  for (std::size_t bin = 0; bin < bins; ++bin) {
    if (own[bin] <= 0) continue;
    const double top = y(own[bin], own_peak);
    const double width = bin_end(bin) - bin_start(bin);
    page += Tag("rect")
                .Set("x", bin_start(bin))
                .Set("y", top)
                .Set("width", width > 2 ? width - 0.6 : width)
                .Set("height", kBottom - top)
                .Set("fill", kOwnColour)
                .Set("fill-opacity", 0.85)
                .Empty();
  }
  if (!outline.empty()) {
    page += Tag("path")
                .Set("d", outline)
                .Set("fill", "none")
                .Set("stroke", kOtherColour)
                .Set("stroke-width", 1.2)
                .Empty();
  }
  page += Line(kLeft, kBottom, kRight, kBottom, "#8c959f").Empty();
  // Scores at most the threshold match: the line sits after its bin.
  const double threshold = x(static_cast<std::int64_t>(matcher.threshold) + 1);
  page += Line(threshold, kTop - 4, threshold, kBottom + 3, "#1f2328")
              .Set("stroke-dasharray", "3 2")
              .Empty();
  constexpr double kTickY = kBottom + 13;
  page += Text(threshold, kTickY, "middle")
              .Set("class", "small")
              .Wrap(Count(matcher.threshold));
  page += '\n';
  if (threshold - kLeft > 16) {
    page += Text(kLeft, kTickY, "start").Set("class", "small").Wrap("0");
    page += '\n';
  }
  if (kRight - threshold > 22) {
    page += Text(kRight, kTickY, "end")
                .Set("class", "small")
                .Wrap(Count(matcher.max_score));
    page += '\n';
  }
  page += "</svg>\n";
}

bool HasScores(const Outcome& outcome) {
  const auto positive = [](std::int64_t count) { return count > 0; };
  return std::any_of(outcome.source_scores.begin(), outcome.source_scores.end(),
                     positive) ||
         std::any_of(outcome.other_scores.begin(), outcome.other_scores.end(),
                     positive);
}

void AppendDistributions(const EvalReport& report, std::string& page) {
  page += "<section id=\"scores\">\n<h2>Score distributions</h2>\n";
  // Matchers with at least one non-empty histogram get a column.
  std::vector<std::size_t> columns;
  for (std::size_t m = 0; m < report.matchers.size(); ++m) {
    for (std::size_t t = 0; t < report.transforms.size(); ++t) {
      if (HasScores(OutcomeAt(report, t, m))) {
        columns.push_back(m);
        break;
      }
    }
  }
  if (columns.empty()) {
    page += Note("No scores were recorded.");
    page += "</section>\n";
    return;
  }
  page += Note(
      "Each query's score against its own original (bars) and against "
      "every other original (outline), each scaled to its own peak, from 0 "
      "to the matcher's largest score; the dashed line is the matcher's "
      "threshold: pairs on its left match.");
  page += R"(<div class="legend"><span>)" + Swatch(kOwnColour) +
          "own original</span><span>" +
          Tag("span")
              .Set("class", "line-swatch")
              .Set("style", "border-color:" + std::string(kOtherColour))
              .Wrap("") +
          R"(other originals</span><span><span class="dash-swatch"></span>)"
          "threshold</span></div>\n";
  page +=
      Tag("div")
          .Set("class", "matrix")
          .Set("style",
               "grid-template-columns: minmax(84px, 130px) "
               "repeat(" +
                   std::to_string(columns.size()) + ", minmax(170px, 222px))")
          .Open();
  page += "\n<div></div>";
  for (const std::size_t m : columns) {
    page +=
        Cell("head", Swatch(Colour(m)) + Html(report.matchers[m].name), "div");
  }
  page += '\n';
  for (std::size_t t = 0; t < report.transforms.size(); ++t) {
    const bool any = std::any_of(
        columns.begin(), columns.end(),
        [&](std::size_t m) { return HasScores(OutcomeAt(report, t, m)); });
    if (!any) continue;
    page += Cell("row", Html(report.transforms[t].name), "div");
    page += '\n';
    for (const std::size_t m : columns) {
      const Outcome& outcome = OutcomeAt(report, t, m);
      if (HasScores(outcome)) {
        AppendHistogram(report.transforms[t], report.matchers[m], outcome,
                        page);
      } else {
        page += Cell("empty", "no scores", "div");
        page += '\n';
      }
    }
  }
  page += "</div>\n</section>\n";
}

// The left end of the ROC charts' log axis, as a power of ten: 10⁻⁷, or
// lower when some matcher compared more than 10⁷ pairs, so that one false
// match is still on the chart.
int LowestDecade(const std::vector<Cumulative>& sums) {
  std::int64_t pairs = 0;
  for (const Cumulative& matcher : sums) pairs = std::max(pairs, matcher.pairs);
  int decade = 7;
  double power = 1e7;
  while (power < static_cast<double>(pairs) && decade < 12) {
    power *= 10;
    ++decade;
  }
  return -decade;
}

void AppendRoc(const EvalReport& report, std::string& page) {
  page += "<section id=\"roc\">\n<h2>ROC</h2>\n";
  const std::size_t matchers = report.matchers.size();
  std::vector<Cumulative> sums;
  sums.reserve(matchers);
  for (std::size_t m = 0; m < matchers; ++m) {
    sums.push_back(Cumulate(report, m));
  }
  const auto drawable = [](const Cumulative& matcher) {
    return matcher.queries > 0 && !matcher.own.empty() &&
           (matcher.own.back() > 0 || matcher.other.back() > 0);
  };
  if (std::none_of(sums.begin(), sums.end(), drawable)) {
    page += Note("No transformed queries with scores: nothing to draw.");
    page += "</section>\n";
    return;
  }
  const int lowest = LowestDecade(sums);
  page += Note(
      "Recall against the false-match rate as the threshold moves, from the "
      "histograms of every transform except <em>original</em>, one point "
      "per threshold; the dot is the default threshold, the dashed line the "
      "95 % recall target. The other matchers are drawn in grey for "
      "comparison. A threshold with no false match at all (rate 0) is drawn "
      "at the left edge, 10" +
      Superscript(lowest) + ".");
  page += "<div class=\"rocs\">\n";

  constexpr double kWidth = 490;
  constexpr double kHeight = 310;
  constexpr double kLeft = 52;
  constexpr double kRight = 474;
  constexpr double kTop = 34;
  constexpr double kBottom = 256;
  const auto x = [&](double fmr) {
    const double decades = -static_cast<double>(lowest);
    const double position =
        fmr > 0 ? (std::log10(std::min(fmr, 1.0)) + decades) / decades : 0;
    return kLeft + std::clamp(position, 0.0, 1.0) * (kRight - kLeft);
  };
  const auto y = [&](double recall) {
    return kBottom - std::clamp(recall, 0.0, 1.0) * (kBottom - kTop);
  };
  const auto curve = [&](const Cumulative& matcher) {
    std::string points;
    std::string last;
    for (std::size_t k = 0; k < matcher.own.size(); ++k) {
      const RocPoint point = PointAt(matcher, static_cast<std::int64_t>(k));
      std::string here = At(x(point.fmr));
      here += ',';
      here += At(y(point.recall));
      if (here == last) continue;
      if (!points.empty()) points += ' ';
      points += here;
      last = std::move(here);
    }
    return points;
  };

  for (std::size_t m = 0; m < matchers; ++m) {
    if (!drawable(sums[m])) continue;
    const MatcherInfo& matcher = report.matchers[m];
    page += "<figure>";
    page += Svg("roc", kWidth, kHeight, "ROC of " + matcher.name).Open();
    page += '\n';
    page += Text(kLeft, 18, "start")
                .Set("class", "title")
                .Set("style", "fill:" + std::string(Colour(m)))
                .Wrap(Html(matcher.name));
    page += Text(kRight, 18, "end")
                .Set("class", "small")
                .Wrap(Count(sums[m].queries) + " queries, " +
                      Count(sums[m].pairs) + " pairs");
    page += '\n';
    for (int decade = lowest; decade <= 0; ++decade) {
      const double tick = x(std::pow(10.0, decade));
      page += Line(tick, kTop, tick, kBottom,
                   decade == lowest ? "#8c959f" : "#eaeef2")
                  .Empty();
      page += Text(tick, kBottom + 16, "middle")
                  .Wrap(decade == 0 ? std::string("1")
                                    : "10" + Superscript(decade));
      page += '\n';
    }
    for (int percent = 0; percent <= 100; percent += 20) {
      const double tick = y(percent / 100.0);
      page +=
          Line(kLeft, tick, kRight, tick, percent == 0 ? "#8c959f" : "#eaeef2")
              .Empty();
      page += Text(kLeft - 6, tick, "end")
                  .Set("dy", "0.35em")
                  .Wrap(std::to_string(percent) + (percent == 100 ? " %" : ""));
      page += '\n';
    }
    page += Line(kLeft, y(kTarget), kRight, y(kTarget), "#8c959f")
                .Set("stroke-dasharray", "4 3")
                .Empty();
    page += Text((kLeft + kRight) / 2, kBottom + 36, "middle")
                .Wrap("false-match rate, FMR (log scale)");
    page += Tag("text")
                .Set("transform", "translate(14 " + At((kTop + kBottom) / 2) +
                                      ") rotate(-90)")
                .Set("text-anchor", "middle")
                .Wrap("recall");
    page += '\n';
    for (std::size_t other = 0; other < matchers; ++other) {
      if (other == m || !drawable(sums[other])) continue;
      page += Tag("polyline")
                  .Set("points", curve(sums[other]))
                  .Set("fill", "none")
                  .Set("stroke", "#c4c9cf")
                  .Set("stroke-width", 1.2)
                  .Wrap(Tag("title").Wrap(Html(report.matchers[other].name)));
      page += '\n';
    }
    page += Tag("polyline")
                .Set("class", "curve")
                .Set("points", curve(sums[m]))
                .Set("fill", "none")
                .Set("stroke", Colour(m))
                .Set("stroke-width", 2)
                .Set("stroke-linejoin", "round")
                .Empty();

    const RocPoint point = PointAt(sums[m], matcher.threshold);
    const double dot_x = x(point.fmr);
    const double dot_y = y(point.recall);
    const std::string figures = "recall " + TenthsText(Tenths(point.recall)) +
                                " %, FMR " + Rate(point.fmr);
    page +=
        Tag("circle")
            .Set("class", "threshold")
            .Set("cx", dot_x)
            .Set("cy", dot_y)
            .Set("r", 4.5)
            .Set("fill", Colour(m))
            .Set("stroke", "#fff")
            .Set("stroke-width", 1.5)
            .Set("data-threshold", std::to_string(matcher.threshold))
            .Set("data-recall", Shortest(point.recall))
            .Set("data-fmr", Shortest(point.fmr))
            .Wrap(Tag("title").Wrap("default threshold ≤ " +
                                    Count(matcher.threshold) + ": " + figures));
    page += '\n';
    // Under a rising curve the space below-right of a point, and above-left
    // of it, is empty: the threshold's label goes there. The figures go in
    // the plot's bottom-right corner, which a ROC curve never reaches.
    const bool right = dot_x < kRight - 40;
    page +=
        Text(right ? dot_x + 7 : dot_x - 7,
             std::clamp(right ? dot_y + 15 : dot_y - 8, kTop + 10, kBottom - 4),
             right ? "start" : "end")
            .Set("class", "label")
            .Wrap("≤ " + Count(matcher.threshold));
    page += '\n';
    page += Tag("circle")
                .Set("cx", kRight - 186)
                .Set("cy", kBottom - 40)
                .Set("r", 4.5)
                .Set("fill", Colour(m))
                .Empty();
    page += Text(kRight - 176, kBottom - 40, "start")
                .Set("class", "label")
                .Set("dy", "0.35em")
                .Wrap("default threshold ≤ " + Count(matcher.threshold));
    page += Text(kRight - 176, kBottom - 22, "start")
                .Set("class", "label")
                .Set("dy", "0.35em")
                .Wrap(figures);
    page += "\n</svg></figure>\n";
  }
  page += "</div>\n</section>\n";
}

nlohmann::json ToJson(const Outcome& outcome) {
  return {{"queries", outcome.queries},
          {"found", outcome.found},
          {"pairs", outcome.pairs},
          {"false_matches", outcome.false_matches},
          {"seconds", outcome.seconds},
          {"source_scores", outcome.source_scores},
          {"other_scores", outcome.other_scores}};
}

}  // namespace

double Recall(const EvalReport& report, int t, int m) {
  if (t < 0 || m < 0) return 0;
  return RecallOf(OutcomeAt(report, static_cast<std::size_t>(t),
                            static_cast<std::size_t>(m)));
}

void WriteTable(const EvalReport& report, std::ostream& out) {
  out << "Rempart robustness evaluation: " << Printable(report.corpus)
      << "\n\n";
  const std::size_t matchers = report.matchers.size();
  if (report.transforms.empty()) {
    out << "No transform was evaluated.\n";
  } else {
    std::vector<std::vector<std::string>> rows;
    std::vector<std::string> header = {"transform", "queries"};
    for (const MatcherInfo& matcher : report.matchers) {
      header.push_back(Printable(matcher.name) + "  ");
    }
    rows.push_back(std::move(header));
    for (std::size_t t = 0; t < report.transforms.size(); ++t) {
      std::vector<std::string> row = {Printable(report.transforms[t].name),
                                      Count(QueriesOf(report, t))};
      for (std::size_t m = 0; m < matchers; ++m) {
        row.push_back(RecallCell(OutcomeAt(report, t, m)));
      }
      rows.push_back(std::move(row));
    }
    std::vector<Align> align(2 + matchers, Align::kRight);
    align[0] = Align::kLeft;
    WriteColumns(rows, align, out);
    out << "\nRecall in % of queries whose own original matched at the "
           "matcher's threshold;\n* below the 95 % target, - no queries.\n";
  }

  if (matchers > 0) {
    out << "\nFalse matches (a query against every other original) and "
           "time per query:\n";
    std::vector<std::vector<std::string>> rows = {
        {"matcher", "threshold", "all transforms", "originals alone",
         "ms/query"}};
    for (std::size_t m = 0; m < matchers; ++m) {
      const Totals all = SumOutcomes(report, m, false);
      const std::optional<Totals> originals = SumOriginals(report, m);
      rows.push_back({Printable(report.matchers[m].name),
                      Count(report.matchers[m].threshold), PairsText(all),
                      originals ? PairsText(*originals) : "-",
                      MillisecondsPerQuery(all)});
    }
    WriteColumns(rows,
                 {Align::kLeft, Align::kRight, Align::kLeft, Align::kLeft,
                  Align::kRight},
                 out);
  }

  out << '\n';
  const ForgeryOutcome& forgeries = report.forgeries;
  if (forgeries.forged > 0) {
    out << "Forged PDQ collisions: " << Count(forgeries.forged) << " made, "
        << Count(forgeries.pdq_matched) << " matched by PDQ, "
        << Count(forgeries.confirmed)
        << " confirmed by the second hash; mean pixel change "
        << Count(forgeries.mean_pixel_change) << " of 255.\n";
  }
  out << "Corpus: " << Count(report.images) << " images ("
      << Count(DistinctPairs(report)) << " distinct ordered pairs), "
      << Count(report.skipped) << " skipped; seed "
      << std::to_string(report.seed) << ", " << Count(report.threads)
      << (report.threads == 1 ? " thread" : " threads") << ", wall time "
      << Duration(report.seconds) << ".\n";
}

void WriteHtml(const EvalReport& report, std::ostream& out) {
  std::string page =
      "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
      "<meta name=\"viewport\" content=\"width=device-width, "
      "initial-scale=1\">\n<title>Rempart robustness evaluation</title>\n"
      "<style>";
  page += kStyle;
  page +=
      "</style>\n</head>\n<body>\n<main>\n<h1>Rempart robustness "
      "evaluation</h1>\n<p class=\"subtitle\">" +
      Count(report.images) + " originals from <code>" + Html(report.corpus) +
      "</code> under " +
      Count(static_cast<std::int64_t>(report.transforms.size())) +
      " transforms, " +
      Count(static_cast<std::int64_t>(report.matchers.size())) +
      " matchers</p>\n";
  AppendRun(report, page);
  AppendRecallTable(report, page);
  AppendRecallChart(report, page);
  AppendFalseMatches(report, page);
  AppendDistributions(report, page);
  AppendRoc(report, page);
  page +=
      "<footer>Written by <code>rempart eval</code>. Scores: lower is "
      "closer; a pair matches when its score is at most the matcher's "
      "threshold.</footer>\n</main>\n</body>\n</html>\n";
  out << page;
}

void WriteJson(const EvalReport& report, std::ostream& out) {
  nlohmann::json matchers = nlohmann::json::array();
  for (const MatcherInfo& matcher : report.matchers) {
    matchers.push_back({{"name", matcher.name},
                        {"description", matcher.description},
                        {"threshold", matcher.threshold},
                        {"max_score", matcher.max_score},
                        {"score_name", matcher.score_name}});
  }
  nlohmann::json transforms = nlohmann::json::array();
  for (const TransformOutcome& transform : report.transforms) {
    nlohmann::json by_matcher = nlohmann::json::array();
    for (const Outcome& outcome : transform.by_matcher) {
      by_matcher.push_back(ToJson(outcome));
    }
    transforms.push_back({{"name", transform.name},
                          {"description", transform.description},
                          {"by_matcher", std::move(by_matcher)}});
  }
  nlohmann::json false_matches = nlohmann::json::array();
  for (const FalseMatch& example : report.false_match_examples) {
    false_matches.push_back({{"matcher", example.matcher},
                             {"transform", example.transform},
                             {"query", example.query},
                             {"matched", example.matched},
                             {"score", example.score}});
  }
  const ForgeryOutcome& forgeries = report.forgeries;
  const nlohmann::json json = {
      {"corpus", report.corpus},
      {"images", report.images},
      {"skipped", report.skipped},
      {"skipped_files", report.skipped_files},
      {"seed", report.seed},
      {"working_side", report.working_side},
      {"seconds", report.seconds},
      {"threads", report.threads},
      {"matchers", std::move(matchers)},
      {"transforms", std::move(transforms)},
      {"forgeries",
       {{"forged", forgeries.forged},
        {"pdq_matched", forgeries.pdq_matched},
        {"confirmed", forgeries.confirmed},
        {"mean_pixel_change", forgeries.mean_pixel_change}}},
      {"false_match_examples", std::move(false_matches)},
      {"command", report.command}};
  out << json.dump(2, ' ', false, nlohmann::json::error_handler_t::replace)
      << '\n';
}

}  // namespace rempart::eval

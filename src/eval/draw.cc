// The drawings of the caption, sticker and screenshot transforms, and the
// random source behind every transform's choices.
//
// Everything is drawn with OpenCV's primitives (lines, circles, ellipses,
// polygons and the Hershey stroke fonts), never from image assets, so the
// evaluation needs no files besides its corpus. OpenCV rasterises in integer
// arithmetic once coordinates are fixed, and the coordinates here come from
// the random choices through plain IEEE arithmetic, so a seed gives the same
// pixels wherever the same OpenCV runs. Shapes whose size follows the
// picture's are placed with 4 fractional bits (OpenCV's `shift`), so a
// small sticker stays round.
//
// The screenshot imitates a phone (720×1560, the logical size of many
// Android screens at 2× density) showing one post of a photo-sharing app:
// a status bar, an app bar naming the poster, the picture across the full
// width (or at most 60% of the screen tall, centred), the action icons,
// likes, a caption, a timestamp, the top of the next post when there is
// room, and the navigation bar. What matters to the evaluation is the
// picture's scale and position amid plausible clutter, not fidelity to any
// one app.
#include "eval/draw.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <numbers>
#include <opencv2/imgproc.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace rempart::eval::internal {
namespace {

// Sub-pixel drawing: OpenCV reads coordinates with kShift fractional bits.
constexpr int kShift = 4;
constexpr double kFixedOne = 1 << kShift;

int Round(double value) { return static_cast<int>(std::lround(value)); }

cv::Point Fixed(double x, double y) {
  return {Round(x * kFixedOne), Round(y * kFixedOne)};
}
int FixedLength(double length) {
  return Round(std::max(0.0, length) * kFixedOne);
}
cv::Size FixedAxes(double half_width, double half_height) {
  return {FixedLength(half_width), FixedLength(half_height)};
}

std::string Join(const std::string& text, std::string_view word) {
  if (text.empty()) return std::string(word);
  std::string joined = text;
  joined += ' ';
  joined += word;
  return joined;
}

template <typename List>
std::string_view Pick(const List& list, Random& random) {
  return list[random.Below(static_cast<int>(list.size()))];
}

// ---------------------------------------------------------------- caption

constexpr std::array<std::string_view, 36> kCaptionWords = {
    "WHEN",   "YOU",   "SEE",    "IT",   "ME",   "AFTER",   "ONE",   "MORE",
    "NOBODY", "EVERY", "MONDAY", "MOOD", "THIS", "IS",      "FINE",  "BEST",
    "DAY",    "EVER",  "WAIT",   "FOR",  "TOO",  "REAL",    "SO",    "TRUE",
    "GUESS",  "WHO",   "BACK",   "NEW",  "LOOK", "WEEKEND", "VIBES", "FRIDAY",
    "NIGHT",  "OK",    "AGAIN",  "LOL",
};
constexpr int kCaptionFont = cv::FONT_HERSHEY_DUPLEX;
constexpr int kMaxCaptionWords = 8;

double TextWidth(const std::string& text, int font, double scale,
                 int thickness) {
  int baseline = 0;
  return cv::getTextSize(text, font, scale, thickness, &baseline).width;
}

// ----------------------------------------------------------- screenshot

constexpr int kStatusBarHeight = 48;
constexpr int kAppBarHeight = 110;
constexpr int kNavigationBarHeight = 120;
// The picture is at most 60% of the screen tall.
constexpr int kMaxPictureHeight = kScreenshotHeight * 6 / 10;
constexpr int kMargin = 24;
constexpr int kFont = cv::FONT_HERSHEY_SIMPLEX;

constexpr std::array<std::string_view, 12> kUserNames = {
    "lena.moreau", "sam_taylor",   "alex.rivera", "jordan.kim",
    "maya.patel",  "chris_okafor", "nina.volk",   "theo.baker",
    "ines.garcia", "omar.haddad",  "yuki.tanaka", "zoe.martin",
};
constexpr std::array<std::string_view, 36> kPostWords = {
    "summer",   "nights",   "with",   "the",     "best",     "people",
    "finally",  "back",     "home",   "sunday",  "mood",     "coffee",
    "first",    "loving",   "this",   "view",    "good",     "times",
    "weekend",  "friends",  "city",   "lights",  "new",      "chapter",
    "always",   "grateful", "little", "moments", "#tbt",     "#nofilter",
    "#weekend", "#mood",    "so",     "happy",   "together", "again",
};

struct Theme {
  cv::Scalar background;
  cv::Scalar text;
  cv::Scalar secondary;
  cv::Scalar separator;
};

Theme MakeTheme(bool dark) {
  if (dark) {
    return {cv::Scalar(0, 0, 0), cv::Scalar(245, 245, 245),
            cv::Scalar(168, 168, 168), cv::Scalar(38, 38, 38)};
  }
  return {cv::Scalar(255, 255, 255), cv::Scalar(18, 18, 18),
          cv::Scalar(115, 115, 115), cv::Scalar(219, 219, 219)};
}

cv::Scalar RandomColour(Random& random, int low, int high) {
  const double red = low + random.Below(high - low);
  const double green = low + random.Below(high - low);
  const double blue = low + random.Below(high - low);
  return {red, green, blue};
}

cv::Scalar Lighter(const cv::Scalar& colour) {
  return {(colour[0] + 255) / 2, (colour[1] + 255) / 2, (colour[2] + 255) / 2};
}

// "1,234,567".
std::string WithThousands(int number) {
  const std::string digits = std::to_string(number);
  std::string grouped;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) grouped += ',';
    grouped += digits[i];
  }
  return grouped;
}

void Text(cv::Mat& screen, const std::string& text, int x, int baseline,
          double scale, const cv::Scalar& colour, int thickness = 1) {
  cv::putText(screen, text, {x, baseline}, kFont, scale, colour, thickness,
              cv::LINE_AA);
}

void Polygon(cv::Mat& screen, const std::vector<cv::Point>& points,
             const cv::Scalar& colour, int thickness) {
  cv::polylines(screen, points, /*isClosed=*/true, colour, thickness,
                cv::LINE_AA);
}

void Avatar(cv::Mat& screen, cv::Point centre, int radius,
            const cv::Scalar& colour) {
  cv::circle(screen, centre, radius, colour, cv::FILLED, cv::LINE_AA);
  // A head and shoulders in a lighter shade.
  const cv::Scalar light = Lighter(colour);
  const double unit = radius / 26.0;
  cv::circle(screen, centre + cv::Point(0, Round(-6 * unit)), Round(9 * unit),
             light, cv::FILLED, cv::LINE_AA);
  cv::ellipse(screen, centre + cv::Point(0, Round(18 * unit)),
              {Round(16 * unit), Round(12 * unit)}, 0, 180, 360, light,
              cv::FILLED, cv::LINE_AA);
}

void MenuDots(cv::Mat& screen, cv::Point centre, const cv::Scalar& colour) {
  for (int dot = -1; dot <= 1; ++dot) {
    cv::circle(screen, centre + cv::Point(0, 10 * dot), 3, colour, cv::FILLED,
               cv::LINE_AA);
  }
}

void StatusBar(cv::Mat& screen, const Theme& theme, Random& random) {
  const int hour = 1 + random.Below(12);
  const int minute = random.Below(60);
  const std::string time = std::to_string(hour) + (minute < 10 ? ":0" : ":") +
                           std::to_string(minute);
  Text(screen, time, 34, 33, 0.72, theme.text, 2);

  // Signal strength: four bars rising to the right, some lit.
  const int lit = 2 + random.Below(3);
  for (int bar = 0; bar < 4; ++bar) {
    const int left = 556 + 9 * bar;
    cv::rectangle(screen, {left, 28 - 4 * bar}, {left + 5, 34},
                  bar < lit ? theme.text : theme.secondary, cv::FILLED);
  }
  // Wi-Fi: a dot under three arcs (OpenCV's angles turn clockwise, so
  // 225°…315° is the upper quarter).
  const cv::Point wifi(611, 33);
  cv::circle(screen, wifi, 2, theme.text, cv::FILLED, cv::LINE_AA);
  for (int arc = 1; arc <= 3; ++arc) {
    cv::ellipse(screen, wifi, {5 * arc + 1, 5 * arc + 1}, 0, 225, 315,
                theme.text, 2, cv::LINE_AA);
  }
  // Battery: a case, its terminal and the charge.
  const double charge = random.Uniform(0.2, 1.0);
  cv::rectangle(screen, {640, 17}, {680, 35}, theme.text, 2, cv::LINE_AA);
  cv::rectangle(screen, {682, 22}, {685, 30}, theme.text, cv::FILLED);
  cv::rectangle(screen, {643, 20}, {643 + Round(34 * charge), 32}, theme.text,
                cv::FILLED);
}

void AppBar(cv::Mat& screen, const Theme& theme, std::string_view user,
            const cv::Scalar& avatar) {
  const int middle = kStatusBarHeight + kAppBarHeight / 2;
  // Back arrow.
  cv::line(screen, {24, middle}, {52, middle}, theme.text, 3, cv::LINE_AA);
  cv::line(screen, {24, middle}, {37, middle - 13}, theme.text, 3, cv::LINE_AA);
  cv::line(screen, {24, middle}, {37, middle + 13}, theme.text, 3, cv::LINE_AA);
  Avatar(screen, {98, middle}, 26, avatar);
  Text(screen, std::string(user), 138, middle + 9, 0.72, theme.text, 2);
  MenuDots(screen, {692, middle}, theme.text);
  const int bottom = kStatusBarHeight + kAppBarHeight - 1;
  cv::line(screen, {0, bottom}, {kScreenshotWidth - 1, bottom}, theme.separator,
           1);
}

// A heart from two round lobes over a point.
void FillHeart(cv::Mat& screen, cv::Point2d centre, double size,
               const cv::Scalar& colour) {
  const double lobe = size / 4;
  const double lobe_y = centre.y - lobe / 2;
  for (const double side : {-1.0, 1.0}) {
    cv::circle(screen, Fixed(centre.x + side * lobe, lobe_y),
               FixedLength(lobe * 1.02), colour, cv::FILLED, cv::LINE_AA,
               kShift);
  }
  const cv::Point point[] = {
      Fixed(centre.x - 1.93 * lobe, lobe_y + 0.45 * lobe),
      Fixed(centre.x + 1.93 * lobe, lobe_y + 0.45 * lobe),
      Fixed(centre.x, centre.y + 1.75 * lobe)};
  cv::fillConvexPoly(screen, point, 3, colour, cv::LINE_AA, kShift);
}

void ActionRow(cv::Mat& screen, const Theme& theme, int middle, bool liked) {
  // Like: a red heart, or an outline drawn as a heart minus a smaller one.
  if (liked) {
    FillHeart(screen, {40, middle + 1.0}, 32, cv::Scalar(237, 73, 86));
  } else {
    FillHeart(screen, {40, middle + 1.0}, 32, theme.text);
    FillHeart(screen, {40, middle + 0.5}, 25, theme.background);
  }
  // Comment: a round bubble with a tail.
  const int comment = 94;
  cv::circle(screen, {comment, middle}, 14, theme.text, 3, cv::LINE_AA);
  const cv::Point tail[] = {{comment - 13, middle + 5},
                            {comment - 5, middle + 12},
                            {comment - 16, middle + 16}};
  cv::fillConvexPoly(screen, tail, 3, theme.text, cv::LINE_AA);
  // Share: a paper plane.
  const int share = 148;
  Polygon(screen,
          {{share - 16, middle - 12},
           {share + 15, middle - 14},
           {share + 1, middle + 15}},
          theme.text, 3);
  cv::line(screen, {share + 15, middle - 14}, {share - 4, middle + 1},
           theme.text, 3, cv::LINE_AA);
  // Save: a bookmark at the right.
  const int save = 688;
  Polygon(screen,
          {{save - 11, middle - 15},
           {save + 11, middle - 15},
           {save + 11, middle + 15},
           {save, middle + 5},
           {save - 11, middle + 15}},
          theme.text, 3);
}

void NavigationBar(cv::Mat& screen, const Theme& theme,
                   const cv::Scalar& avatar) {
  const int top = kScreenshotHeight - kNavigationBarHeight;
  cv::rectangle(screen, {0, top}, {kScreenshotWidth - 1, kScreenshotHeight - 1},
                theme.background, cv::FILLED);
  cv::line(screen, {0, top}, {kScreenshotWidth - 1, top}, theme.separator, 1);
  const int y = top + 44;
  const cv::Scalar& ink = theme.text;
  constexpr int kSlot = kScreenshotWidth / 5;
  // Home: a house with a door.
  int x = kSlot / 2;
  Polygon(screen,
          {{x - 16, y - 1},
           {x, y - 16},
           {x + 16, y - 1},
           {x + 16, y + 16},
           {x - 16, y + 16}},
          ink, 3);
  cv::rectangle(screen, {x - 4, y + 5}, {x + 4, y + 16}, ink, cv::FILLED);
  // Search: a magnifying glass.
  x += kSlot;
  cv::circle(screen, {x - 3, y - 3}, 12, ink, 3, cv::LINE_AA);
  cv::line(screen, {x + 6, y + 6}, {x + 15, y + 15}, ink, 3, cv::LINE_AA);
  // New post: a plus in a square.
  x += kSlot;
  cv::rectangle(screen, {x - 16, y - 16}, {x + 16, y + 16}, ink, 3,
                cv::LINE_AA);
  cv::line(screen, {x - 8, y}, {x + 8, y}, ink, 3, cv::LINE_AA);
  cv::line(screen, {x, y - 8}, {x, y + 8}, ink, 3, cv::LINE_AA);
  // Videos: a frame with a play triangle.
  x += kSlot;
  cv::rectangle(screen, {x - 16, y - 16}, {x + 16, y + 16}, ink, 3,
                cv::LINE_AA);
  const cv::Point play[] = {{x - 5, y - 8}, {x - 5, y + 8}, {x + 8, y}};
  cv::fillConvexPoly(screen, play, 3, ink, cv::LINE_AA);
  // Profile: the viewer's avatar in a ring.
  x += kSlot;
  Avatar(screen, {x, y}, 15, avatar);
  cv::circle(screen, {x, y}, 18, ink, 2, cv::LINE_AA);
  // The home indicator pill (thick lines have round ends).
  const int pill = kScreenshotHeight - 16;
  cv::line(screen, {kScreenshotWidth / 2 - 120, pill},
           {kScreenshotWidth / 2 + 120, pill}, ink, 9, cv::LINE_AA);
}

// Caption lines: the poster's name, then random words wrapped to the
// screen's width; the last line ends part-way.
std::vector<std::string> PostCaption(std::string_view user, Random& random) {
  constexpr double kScale = 0.62;
  constexpr int kMaxWords = 20;
  const double width = kScreenshotWidth - 2 * kMargin;
  const double name_width =
      TextWidth(std::string(user) + " ", kFont, kScale, 2);
  const int line_count = 2 + random.Below(2);
  std::vector<std::string> lines;
  for (int index = 0; index < line_count; ++index) {
    const double limit =
        index + 1 == line_count ? width * random.Uniform(0.35, 0.9) : width;
    const double used = index == 0 ? name_width : 0;
    std::string line;
    for (int words = 0; words < kMaxWords; ++words) {
      std::string longer = Join(line, Pick(kPostWords, random));
      if (!line.empty() && used + TextWidth(longer, kFont, kScale, 1) > limit) {
        break;
      }
      line = std::move(longer);
    }
    lines.push_back(std::move(line));
  }
  return lines;
}

std::string Timestamp(Random& random) {
  switch (random.Below(3)) {
    case 0:
      return std::to_string(2 + random.Below(58)) + " MINUTES AGO";
    case 1: {
      const int hours = 1 + random.Below(23);
      return std::to_string(hours) + (hours == 1 ? " HOUR AGO" : " HOURS AGO");
    }
    default:
      return std::to_string(2 + random.Below(5)) + " DAYS AGO";
  }
}

}  // namespace

// ------------------------------------------------------------------ Random

Random::Random(std::uint64_t seed) : generator_(Xoshiro256::FromSeed(seed)) {}

std::uint64_t Random::Next() { return generator_.Next(); }

double Random::Uniform() {
  return static_cast<double>(Next() >> 11) * 0x1.0p-53;
}

double Random::Uniform(double low, double high) {
  return low + (high - low) * Uniform();
}

double Random::UniformEither(double low, double high, double low2,
                             double high2) {
  return Coin() ? Uniform(low, high) : Uniform(low2, high2);
}

int Random::Below(int count) {
  const int value = static_cast<int>(Uniform() * count);
  return std::min(value, count - 1);
}

bool Random::Coin() { return (Next() >> 63) != 0; }

double Random::Normal() {
  if (has_spare_normal_) {
    has_spare_normal_ = false;
    return spare_normal_;
  }
  const double radius_uniform = 1.0 - Uniform();  // In (0, 1]: log is finite.
  const double angle = 2 * std::numbers::pi * Uniform();
  const double radius = std::sqrt(-2 * std::log(radius_uniform));
  spare_normal_ = radius * std::sin(angle);
  has_spare_normal_ = true;
  return radius * std::cos(angle);
}

// ----------------------------------------------------------------- drawing

void DrawCaption(cv::Mat& picture, Random& random) {
  const double width = picture.cols;
  const double height = picture.rows;
  const int line_count = 1 + random.Below(2);
  const bool at_top = random.Coin();
  int baseline = 0;
  // Hershey glyphs scale linearly: measure at scale 1, then scale.
  const double unit_height =
      cv::getTextSize("A", kCaptionFont, 1.0, 1, &baseline).height;
  const double natural_scale =
      height * random.Uniform(0.08, 0.10) / unit_height;

  struct Line {
    std::string text;
    double scale = 0;
  };
  std::vector<Line> lines;
  for (int index = 0; index < line_count; ++index) {
    // Words until the line spans 60% of the width, short of 90%.
    std::string text(Pick(kCaptionWords, random));
    for (int words = 1;
         words < kMaxCaptionWords &&
         TextWidth(text, kCaptionFont, 1.0, 1) * natural_scale < 0.6 * width;
         ++words) {
      std::string longer = Join(text, Pick(kCaptionWords, random));
      if (TextWidth(longer, kCaptionFont, 1.0, 1) * natural_scale >
          0.9 * width) {
        break;
      }
      text = std::move(longer);
    }
    // Then scaled, if need be, into 60–90% of the width, but never over a
    // fifth of the height (which only a picture over about 5:1 could ask
    // for, with eight words not reaching 60% of its width).
    const double unit_width = TextWidth(text, kCaptionFont, 1.0, 1);
    const double line_width =
        std::clamp(unit_width * natural_scale, 0.6 * width, 0.9 * width);
    lines.push_back({std::move(text), std::min(line_width / unit_width,
                                               0.2 * height / unit_height)});
  }

  double tallest = 0;
  double total = 0;
  for (const Line& line : lines) {
    tallest = std::max(tallest, unit_height * line.scale);
    total += unit_height * line.scale;
  }
  const double gap = 0.35 * tallest;
  total += gap * (line_count - 1);
  const double margin = 0.04 * height + tallest / 10;
  double top = at_top ? margin : height - margin - total;

  struct Placed {
    cv::Point origin;
    int fill = 1;
    int outline = 1;
  };
  std::vector<Placed> placed;
  for (const Line& line : lines) {
    const double line_height = unit_height * line.scale;
    const double line_width = TextWidth(line.text, kCaptionFont, line.scale, 1);
    top += line_height;
    const int fill = std::max(1, Round(line_height / 9));
    placed.push_back({cv::Point(Round((width - line_width) / 2), Round(top)),
                      fill, fill + 2 * std::max(1, Round(line_height / 16))});
    top += gap;
  }
  // All the black outlines first, so no line's outline covers another's
  // white letters.
  for (std::size_t i = 0; i < lines.size(); ++i) {
    cv::putText(picture, lines[i].text, placed[i].origin, kCaptionFont,
                lines[i].scale, cv::Scalar(0, 0, 0), placed[i].outline,
                cv::LINE_AA);
  }
  for (std::size_t i = 0; i < lines.size(); ++i) {
    cv::putText(picture, lines[i].text, placed[i].origin, kCaptionFont,
                lines[i].scale, cv::Scalar(255, 255, 255), placed[i].fill,
                cv::LINE_AA);
  }
}

void DrawSticker(cv::Mat& picture, Random& random) {
  const double width = picture.cols;
  const double height = picture.rows;
  const double radius =
      std::min(width, height) * random.Uniform(0.22, 0.32) / 2;
  const int outline = std::max(1, Round(radius / 12));
  // How far the drawing reaches from the centre: the outline's outer half
  // and a pixel of anti-aliasing.
  const double reach = radius + outline / 2.0 + 1;
  const double x = width - 1 >= 2 * reach
                       ? random.Uniform(reach, width - 1 - reach)
                       : (width - 1) / 2;
  const double y = height - 1 >= 2 * reach
                       ? random.Uniform(reach, height - 1 - reach)
                       : (height - 1) / 2;

  const cv::Scalar yellow(255, 204, 51);
  const cv::Scalar dark(84, 52, 16);
  const cv::Point centre = Fixed(x, y);
  cv::circle(picture, centre, FixedLength(radius), yellow, cv::FILLED,
             cv::LINE_AA, kShift);
  cv::circle(picture, centre, FixedLength(radius), dark, outline, cv::LINE_AA,
             kShift);
  for (const double side : {-1.0, 1.0}) {
    cv::ellipse(picture, Fixed(x + side * 0.34 * radius, y - 0.25 * radius),
                FixedAxes(0.10 * radius, 0.17 * radius), 0, 0, 360, dark,
                cv::FILLED, cv::LINE_AA, kShift);
  }
  // The smile: the lower arc of an ellipse (OpenCV's angles turn clockwise
  // from the right, so 20°…160° passes through straight down).
  cv::ellipse(picture, Fixed(x, y + 0.02 * radius),
              FixedAxes(0.55 * radius, 0.48 * radius), 0, 20, 160, dark,
              std::max(1, Round(radius / 9)), cv::LINE_AA, kShift);
}

cv::Mat DrawScreenshot(const cv::Mat& picture, Random& random) {
  const Theme theme = MakeTheme(random.Coin());
  cv::Mat screen(kScreenshotHeight, kScreenshotWidth, CV_8UC3,
                 theme.background);
  const std::string_view user = Pick(kUserNames, random);
  const cv::Scalar avatar = RandomColour(random, 40, 220);
  const cv::Scalar viewer = RandomColour(random, 40, 220);

  StatusBar(screen, theme, random);
  AppBar(screen, theme, user, avatar);

  // The picture across the full width, or at most kMaxPictureHeight tall
  // and centred.
  const double aspect = static_cast<double>(picture.rows) / picture.cols;
  int picture_width = kScreenshotWidth;
  int picture_height = std::max(1, Round(kScreenshotWidth * aspect));
  if (picture_height > kMaxPictureHeight) {
    picture_height = kMaxPictureHeight;
    picture_width =
        std::clamp(Round(kMaxPictureHeight / aspect), 1, kScreenshotWidth);
  }
  const int picture_top = kStatusBarHeight + kAppBarHeight;
  cv::Mat scaled;
  cv::resize(picture, scaled, {picture_width, picture_height}, 0, 0,
             cv::INTER_AREA);
  scaled.copyTo(screen(cv::Rect((kScreenshotWidth - picture_width) / 2,
                                picture_top, picture_width, picture_height)));

  int y = picture_top + picture_height;
  ActionRow(screen, theme, y + 34, random.Coin());
  y += 64;

  const std::string liker(Pick(kUserNames, random));
  const std::string likes = WithThousands(12 + random.Below(99'988));
  Text(screen, "Liked by " + liker + " and " + likes + " others", kMargin,
       y + 22, 0.6, theme.text, 2);
  y += 36;

  const std::vector<std::string> caption = PostCaption(user, random);
  for (std::size_t index = 0; index < caption.size(); ++index) {
    int x = kMargin;
    if (index == 0) {
      const std::string name = std::string(user) + " ";
      Text(screen, name, x, y + 22, 0.62, theme.text, 2);
      x += static_cast<int>(TextWidth(name, kFont, 0.62, 2));
    }
    Text(screen, caption[index], x, y + 22, 0.62, theme.text);
    y += 32;
  }
  Text(screen,
       "View all " + std::to_string(2 + random.Below(400)) + " comments",
       kMargin, y + 24, 0.6, theme.secondary);
  y += 34;
  Text(screen, Timestamp(random), kMargin, y + 20, 0.45, theme.secondary);
  y += 34;

  // The top of the next post, when there is room for it.
  const int navigation_top = kScreenshotHeight - kNavigationBarHeight;
  if (navigation_top - y > 150) {
    const int middle = y + 20 + 30;
    Avatar(screen, {52, middle}, 22, RandomColour(random, 40, 220));
    Text(screen, std::string(Pick(kUserNames, random)), 88, middle + 8, 0.62,
         theme.text, 2);
    MenuDots(screen, {692, middle}, theme.text);
    // The next picture's top: a soft vertical blend of two colours.
    const cv::Scalar upper = RandomColour(random, 30, 200);
    const cv::Scalar lower = RandomColour(random, 30, 200);
    const int first = middle + 40;
    for (int row = first; row < navigation_top; ++row) {
      const double along =
          static_cast<double>(row - first) / (navigation_top - first);
      cv::line(screen, {0, row}, {kScreenshotWidth - 1, row},
               upper * (1 - along) + lower * along, 1);
    }
  }
  NavigationBar(screen, theme, viewer);
  return screen;
}

}  // namespace rempart::eval::internal

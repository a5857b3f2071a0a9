// The browser's hashing module: a C ABI over hash::ImageHasher, compiled to
// WebAssembly by scripts/wasm.sh (docs/BROWSER.md) and called from a Web
// Worker through emscripten's Module (ccall/cwrap, _malloc and HEAPU8).
//
// Exports (the interface between the module and web/js/hash-worker.js):
//
//   int rempart_hash(const uint8_t* bytes, size_t size, int thumb_max)
//     Hashes one file's bytes exactly as `rempart hash` does (exact speed,
//     cli512 mode, the media layer's default limits) and keeps the result
//     until the next call. Returns 0 on success, 1 when the bytes could not
//     be hashed (the result JSON says why). Never throws or aborts: hostile
//     bytes, limits and out-of-memory are ordinary errors.
//   const char* rempart_result_json(void)
//     The last result as JSON text (UTF-8, NUL-terminated):
//       {"ok":true,"format":"jpeg","width":W,"height":H,"pdq":"<64 hex>",
//        "quality":Q,"mode":"cli512","md5":"<32 hex>","sha256":"<64 hex>",
//        "patches":"<hex>"|null}
//     "patches" is the picture's patch signature for the second stage
//     (hash::BankPatchOptions(), as `rempart hash --patches` computes it),
//     null for a picture too small or too flat to have patches.
//       {"ok":false,"error":"<message>","code":"<StatusCode>",
//        "md5":"<32 hex>","sha256":"<64 hex>"}
//     Digests are of the bytes, so undecodable files have them too.
//   const uint8_t* rempart_thumbnail_rgba(void)
//   int rempart_thumbnail_width(void), int rempart_thumbnail_height(void)
//     An RGBA thumbnail of the decoded image (box-filtered, longest side at
//     most thumb_max, each side at least 1, alpha 255), drawn by the page on
//     a <canvas> so it never leaves the device; width 0 when there is none
//     (an error, or thumb_max <= 0).
//   const char* rempart_version(void)
//     "rempart <version>".
//
// Pointers returned stay valid until the next rempart_hash() call. The
// module is single-threaded, like the Worker that owns it. The code is plain
// C++ (no emscripten header), so it also compiles natively for the tools.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <new>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "rempart/core/hex.h"
#include "rempart/core/status.h"
#include "rempart/hash/digest.h"
#include "rempart/hash/image_signals.h"
#include "rempart/media/decode.h"
#include "rempart/media/image.h"

#ifndef REMPART_VERSION
#define REMPART_VERSION "unknown"
#endif

namespace rempart::browser {
namespace {

// What the last rempart_hash() call produced.
struct LastResult {
  std::string json = R"({"ok":false,"error":"nothing hashed yet"})";
  std::vector<std::uint8_t> thumbnail;  // RGBA, thumbnail_width * height.
  int thumbnail_width = 0;
  int thumbnail_height = 0;
  // Set when even the error JSON could not be built (no memory left).
  bool out_of_memory = false;
};

LastResult& Last() {
  static LastResult last;
  return last;
}

hash::ImageHasher& Hasher() {
  static hash::ImageHasher hasher;
  return hasher;
}

// A JSON string literal. Control characters and every byte >= 0x80 are
// escaped (\u00XX), so any message, valid UTF-8 or not, gives valid JSON.
std::string JsonString(std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string quoted = "\"";
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      quoted += '\\';
      quoted += c;
    } else if (byte < 0x20 || byte >= 0x80) {
      quoted += "\\u00";
      quoted += kHex[byte >> 4];
      quoted += kHex[byte & 0xF];
    } else {
      quoted += c;
    }
  }
  quoted += '"';
  return quoted;
}

std::string DigestFields(std::span<const std::uint8_t> bytes) {
  return R"("md5":")" + HexEncode(hash::Md5(bytes)) + R"(","sha256":")" +
         HexEncode(hash::Sha256(bytes)) + "\"";
}

std::string SuccessJson(const hash::ImageSignals& signals) {
  return R"({"ok":true,"format":)" +
         JsonString(media::ImageFormatName(signals.format)) + R"(,"width":)" +
         std::to_string(signals.width) + R"(,"height":)" +
         std::to_string(signals.height) + R"(,"pdq":")" +
         signals.pdq.hash.ToHex() + R"(","quality":)" +
         std::to_string(signals.pdq.quality) + R"(,"mode":)" +
         JsonString(hash::PdqModeName(signals.pdq.mode)) + R"(,"md5":")" +
         HexEncode(signals.md5) + R"(","sha256":")" +
         HexEncode(signals.sha256) + R"(","patches":)" +
         (signals.patches && !signals.patches->empty()
              ? "\"" + hash::FormatPatches(*signals.patches) + "\""
              : std::string("null")) +
         "}";
}

std::string ErrorJson(std::string_view code, std::string_view message,
                      std::span<const std::uint8_t> bytes) {
  return R"({"ok":false,"error":)" + JsonString(message) + R"(,"code":)" +
         JsonString(code) + "," + DigestFields(bytes) + "}";
}

// Box filter: each thumbnail pixel is the rounded mean of the source pixels
// its rectangle covers. One pass over the source, rows accumulated into
// per-column sums.
void MakeThumbnail(const media::Image& image, int thumb_max, LastResult& last) {
  const int width = image.width();
  const int height = image.height();
  if (thumb_max <= 0 || width <= 0 || height <= 0) return;
  const std::int64_t longest = width > height ? width : height;
  auto scaled = [&](int side) {
    if (longest <= thumb_max) return side;
    const std::int64_t size = (side * std::int64_t{thumb_max}) / longest;
    return size < 1 ? 1 : static_cast<int>(size);
  };
  const int out_width = scaled(width);
  const int out_height = scaled(height);
  const int channels = image.channels();

  // Source column -> thumbnail column, and each thumbnail column's width.
  std::vector<int> column_of(width);
  std::vector<std::uint64_t> column_count(out_width, 0);
  for (int x = 0; x < width; ++x) {
    column_of[x] = static_cast<int>(std::int64_t{x} * out_width / width);
    ++column_count[column_of[x]];
  }
  std::vector<std::uint8_t> rgba(
      static_cast<std::size_t>(out_width) * out_height * 4, 255);
  std::vector<std::uint64_t> sums(static_cast<std::size_t>(out_width) * 3);
  int y = 0;
  for (int out_y = 0; out_y < out_height; ++out_y) {
    const int y_end =
        static_cast<int>(std::int64_t{out_y + 1} * height / out_height);
    const std::uint64_t rows = y_end - y;
    std::fill(sums.begin(), sums.end(), 0);
    for (; y < y_end; ++y) {
      const std::uint8_t* row = image.row(y);
      for (int x = 0; x < width; ++x) {
        std::uint64_t* sum = &sums[static_cast<std::size_t>(column_of[x]) * 3];
        const std::uint8_t* pixel =
            row + static_cast<std::size_t>(x) * channels;
        sum[0] += pixel[0];
        sum[1] += pixel[channels == 3 ? 1 : 0];
        sum[2] += pixel[channels == 3 ? 2 : 0];
      }
    }
    std::uint8_t* out =
        rgba.data() + static_cast<std::size_t>(out_y) * out_width * 4;
    for (int out_x = 0; out_x < out_width; ++out_x) {
      const std::uint64_t count = rows * column_count[out_x];
      for (int c = 0; c < 3; ++c) {
        const std::uint64_t sum = sums[static_cast<std::size_t>(out_x) * 3 + c];
        out[out_x * 4 + c] =
            static_cast<std::uint8_t>((sum + count / 2) / count);
      }
    }
  }
  last.thumbnail = std::move(rgba);
  last.thumbnail_width = out_width;
  last.thumbnail_height = out_height;
}

int Hash(const std::uint8_t* data, std::size_t size, int thumb_max) {
  LastResult& last = Last();
  last = LastResult{};
  if (data == nullptr && size != 0) {
    last.json = ErrorJson("InvalidArgument", "no bytes given", {});
    return 1;
  }
  const std::span<const std::uint8_t> bytes(data, size);
  // `rempart hash --patches`'s: exact speed, cli512, default limits, the
  // bank's patch signature.
  hash::ImageHashOptions options;
  options.patches = hash::BankPatchOptions();
  auto hashed = Hasher().HashKeepingImage(bytes, options);
  if (!hashed) {
    last.json = ErrorJson(StatusCodeName(hashed.error().code()),
                          hashed.error().message(), bytes);
    return 1;
  }
  MakeThumbnail(hashed->image, thumb_max, last);
  last.json = SuccessJson(hashed->signals);
  return 0;
}

// Records an error result; if even that fails for lack of memory, the
// result falls back to a constant text.
void SetError(std::string_view code, std::string_view message,
              std::span<const std::uint8_t> bytes) noexcept {
  LastResult& last = Last();
  try {
    last = LastResult{};
    last.json = ErrorJson(code, message, bytes);
  } catch (...) {
    last.out_of_memory = true;
  }
}

// The catch-all barrier of the C ABI: an exception escaping into
// JavaScript would abort the module and kill the Worker.
int HashOrError(const std::uint8_t* data, std::size_t size,
                int thumb_max) noexcept {
  const std::span<const std::uint8_t> bytes(data, data == nullptr ? 0 : size);
  try {
    return Hash(data, size, thumb_max);
  } catch (const std::bad_alloc&) {
    SetError("ResourceExhausted", "out of memory", bytes);
  } catch (const std::exception& error) {
    SetError("Internal", error.what(), bytes);
  } catch (...) {
    SetError("Internal", "unexpected exception", bytes);
  }
  return 1;
}

const char* ResultJson() noexcept {
  const LastResult& last = Last();
  if (last.out_of_memory) {
    return R"({"ok":false,"error":"out of memory","code":"ResourceExhausted"})";
  }
  return last.json.c_str();
}

}  // namespace
}  // namespace rempart::browser

// The exports keep C names: they are the module's ABI.
// NOLINTBEGIN(readability-identifier-naming)
extern "C" {

int rempart_hash(const std::uint8_t* bytes, std::size_t size, int thumb_max) {
  return rempart::browser::HashOrError(bytes, size, thumb_max);
}

const char* rempart_result_json() { return rempart::browser::ResultJson(); }

const std::uint8_t* rempart_thumbnail_rgba() {
  const auto& last = rempart::browser::Last();
  return last.thumbnail.empty() ? nullptr : last.thumbnail.data();
}

int rempart_thumbnail_width() {
  return rempart::browser::Last().thumbnail_width;
}

int rempart_thumbnail_height() {
  return rempart::browser::Last().thumbnail_height;
}

const char* rempart_version() { return "rempart " REMPART_VERSION; }

}  // extern "C"
// NOLINTEND(readability-identifier-naming)

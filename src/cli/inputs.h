// Hashing many photos and videos on worker threads, delivered in input
// order.
//
// Shared by `rempart hash` and `rempart match`: inputs are files,
// directories (walked recursively, sorted, skipping files that are neither
// images nor videos) and "-" for stdin. What a file is comes from its first
// bytes, never its name: video containers (MP4/MOV, Matroska/WebM, AVI) are
// hashed as videos (vPDQ), everything else as a photo, unless the caller
// says otherwise (InputKind). Each worker keeps its own hashers; a reorder
// buffer hands results to the caller in input order, so output is
// identical whatever the number of workers.
#ifndef REMPART_CLI_INPUTS_H_
#define REMPART_CLI_INPUTS_H_

#include <cstdio>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "rempart/core/status.h"
#include "rempart/hash/digest.h"
#include "rempart/hash/image_signals.h"
#include "rempart/hash/video_signals.h"

namespace rempart::cli {

// How inputs are read.
enum class InputKind : std::uint8_t {
  kAuto,   // Video containers as videos, the rest as photos.
  kImage,  // Everything as a photo (a video file then fails to decode).
  kVideo,  // Everything as a video: animated GIFs too.
};

// "auto", "image", "video".
Result<InputKind> ParseInputKind(std::string_view name);

struct HashInputOptions {
  hash::ImageHashOptions image;
  media::VideoDecodeOptions video;
  InputKind kind = InputKind::kAuto;
};

struct HashedInput {
  std::string path;
  std::optional<hash::ImageSignals> signals;  // A photo, hashed.
  std::optional<hash::VideoSignals> video;    // A video, hashed.
  std::optional<hash::Md5Digest> md5;  // Of undecodable photos, when read.
  std::optional<hash::Sha256Digest> sha256;
  Status error;
  bool skipped = false;   // Found in a directory; neither image nor video.
  bool is_video = false;  // Read as a video (hashed or not).
};

// Hashes every input on `jobs` threads (0: one per core) and calls
// `on_input` for each, in input order, on the calling thread; a progress bar
// labelled `label` goes to `err` when `progress` is set and `err` is a
// terminal (counting files; with a single video, its seconds). Returns false
// when a directory could not be listed (reported on `err`). At most one "-".
bool HashInputs(const std::vector<std::string>& paths,
                const HashInputOptions& options, int jobs, const char* label,
                bool progress, std::FILE* err,
                const std::function<void(HashedInput&)>& on_input);

}  // namespace rempart::cli

#endif  // REMPART_CLI_INPUTS_H_

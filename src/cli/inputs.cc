#include "cli/inputs.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <cmath>
#include <condition_variable>
#include <exception>
#include <filesystem>
#include <fstream>
#include <memory>
#include <mutex>
#include <thread>

#include "cli/progress.h"
#include "rempart/core/file.h"
#include "rempart/media/decode.h"
#include "rempart/media/video.h"

namespace rempart::cli {
namespace {

namespace fs = std::filesystem;

struct Input {
  std::string path;
  bool from_directory = false;  // Found by walking; non-images are skipped.
  bool is_stdin = false;
};

// Expands directories (recursively, sorted, without following directory
// links) into files. Missing paths are kept so that they are reported.
std::vector<Input> ExpandInputs(const std::vector<std::string>& paths,
                                std::FILE* err, bool& walk_failed) {
  std::vector<Input> inputs;
  for (const std::string& path : paths) {
    if (path == "-") {
      inputs.push_back({.path = "-", .is_stdin = true});
      continue;
    }
    std::error_code error;
    if (!fs::is_directory(path, error)) {
      inputs.push_back({.path = path});
      continue;
    }
    std::vector<std::string> found;
    fs::recursive_directory_iterator it(
        path, fs::directory_options::skip_permission_denied, error);
    for (; !error && it != fs::recursive_directory_iterator();
         it.increment(error)) {
      std::error_code type_error;
      if (it->is_regular_file(type_error)) found.push_back(it->path().string());
    }
    if (error) {
      std::fprintf(err, "rempart: %s: cannot list directory: %s\n",
                   path.c_str(), error.message().c_str());
      walk_failed = true;
    }
    std::sort(found.begin(), found.end());
    for (std::string& file : found) {
      inputs.push_back({.path = std::move(file), .from_directory = true});
    }
  }
  return inputs;
}

// The first bytes of a file (fewer if it is shorter or unreadable).
std::vector<std::uint8_t> ReadHead(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::vector<std::uint8_t> head(64);
  in.read(reinterpret_cast<char*>(head.data()),
          static_cast<std::streamsize>(head.size()));
  head.resize(
      static_cast<std::size_t>(std::max<std::streamsize>(0, in.gcount())));
  return head;
}

bool ReadAsVideo(InputKind kind, std::span<const std::uint8_t> head) {
  switch (kind) {
    case InputKind::kVideo:
      return true;
    case InputKind::kImage:
      return false;
    case InputKind::kAuto:
      return hash::IsVideoInput(head);
  }
  return false;
}

struct Hashers {
  hash::ImageHasher image;
  hash::VideoHasher video;
};

HashedInput HashOne(const Input& input, const HashInputOptions& options,
                    Hashers& hashers,
                    const media::VideoProgressCallback& progress) {
  HashedInput row;
  row.path = input.path;
  std::vector<std::uint8_t> bytes;
  std::vector<std::uint8_t> head;
  if (input.is_stdin) {
    auto read = ReadStreamBytes(stdin, options.image.limits.max_file_bytes);
    if (!read) {
      row.error = read.error();
      return row;
    }
    bytes = *std::move(read);
    head.assign(bytes.begin(),
                bytes.begin() + static_cast<std::ptrdiff_t>(
                                    std::min<std::size_t>(64, bytes.size())));
  } else {
    head = ReadHead(input.path);
  }
  row.is_video = ReadAsVideo(options.kind, head);
  if (input.from_directory && !row.is_video &&
      media::SniffImageFormat(head) == media::ImageFormat::kUnknown) {
    row.skipped = true;
    return row;
  }

  if (row.is_video) {
    const media::VideoSource source =
        input.is_stdin ? media::VideoSource::Memory(bytes)
                       : media::VideoSource::File(input.path);
    auto video = hashers.video.Hash(source, options.video, progress);
    if (!video) {
      row.error = video.error();
      return row;
    }
    row.video = *std::move(video);
    return row;
  }

  if (!input.is_stdin) {
    auto read = ReadFileBytes(input.path, options.image.limits.max_file_bytes);
    if (!read) {
      row.error = read.error();
      return row;
    }
    bytes = *std::move(read);
  }
  auto signals = hashers.image.Hash(bytes, options.image);
  if (!signals) {
    row.error = signals.error();
    row.md5 = hash::Md5(bytes);
    row.sha256 = hash::Sha256(bytes);
    return row;
  }
  row.signals = *std::move(signals);
  return row;
}

}  // namespace

Result<InputKind> ParseInputKind(std::string_view name) {
  if (name == "auto") return InputKind::kAuto;
  if (name == "image") return InputKind::kImage;
  if (name == "video") return InputKind::kVideo;
  return InvalidArgumentError("input kind must be auto, image or video, not '" +
                              std::string(name) + "'");
}

bool HashInputs(const std::vector<std::string>& paths,
                const HashInputOptions& options, int jobs, const char* label,
                bool progress_bar, std::FILE* err,
                const std::function<void(HashedInput&)>& on_input) {
  bool walk_failed = false;
  const std::vector<Input> inputs = ExpandInputs(paths, err, walk_failed);

  const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
  const std::size_t workers =
      std::min<std::size_t>(jobs > 0 ? static_cast<std::size_t>(jobs) : cores,
                            std::max<std::size_t>(1, inputs.size()));

  std::vector<std::optional<HashedInput>> slots(inputs.size());
  std::mutex mutex;
  std::condition_variable ready;
  std::atomic<std::size_t> next{0};
  // A single video can take minutes: its bar counts seconds of video
  // (the rate is then the multiple of real time), drawn by the worker.
  std::unique_ptr<ProgressBar> video_bar;
  media::VideoProgressCallback video_progress;
  if (progress_bar && inputs.size() == 1) {
    video_progress = [&](double done, double total) {
      if (total <= 0) return;
      if (!video_bar) {
        video_bar = std::make_unique<ProgressBar>(
            std::string(label) + " (seconds of video)",
            static_cast<std::uint64_t>(std::ceil(total)), true);
      }
      video_bar->Update(static_cast<std::uint64_t>(std::min(done, total)));
    };
  }
  auto work = [&] {
    Hashers hashers;
    while (true) {
      const std::size_t index = next.fetch_add(1);
      if (index >= inputs.size()) return;
      HashedInput row;
      try {
        row = HashOne(inputs[index], options, hashers, video_progress);
      } catch (const std::exception& e) {  // Barrier: report, keep going.
        row.path = inputs[index].path;
        row.error = InternalError(e.what());
      }
      {
        std::lock_guard lock(mutex);
        slots[index] = std::move(row);
      }
      ready.notify_one();
    }
  };
  std::vector<std::thread> threads;
  threads.reserve(workers);
  for (std::size_t i = 0; i < workers; ++i) threads.emplace_back(work);

  ProgressBar progress(label, inputs.size(), progress_bar && inputs.size() > 1);
  for (std::size_t index = 0; index < inputs.size(); ++index) {
    HashedInput row;
    {
      std::unique_lock lock(mutex);
      ready.wait(lock, [&] { return slots[index].has_value(); });
      row = std::move(*slots[index]);
      slots[index].reset();
    }
    on_input(row);
    progress.Update(index + 1);
  }
  for (std::thread& thread : threads) thread.join();
  if (video_bar) video_bar->Finish();
  progress.Finish();
  return !walk_failed;
}

}  // namespace rempart::cli

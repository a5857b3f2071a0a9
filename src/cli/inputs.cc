#include "cli/image_inputs.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <condition_variable>
#include <exception>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <thread>

#include "cli/progress.h"
#include "rempart/core/file.h"
#include "rempart/media/decode.h"

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

// True when the file's first bytes are those of a supported image.
bool LooksLikeImage(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::array<std::uint8_t, 64> head{};
  in.read(reinterpret_cast<char*>(head.data()), head.size());
  const auto got = static_cast<std::size_t>(in.gcount());
  return media::SniffImageFormat({head.data(), got}) !=
         media::ImageFormat::kUnknown;
}

HashedInput HashOne(const Input& input, const hash::ImageHashOptions& options,
                    hash::ImageHasher& hasher) {
  HashedInput row;
  row.path = input.path;
  if (input.from_directory && !LooksLikeImage(input.path)) {
    row.skipped = true;
    return row;
  }
  auto bytes = input.is_stdin
                   ? ReadStreamBytes(stdin, options.limits.max_file_bytes)
                   : ReadFileBytes(input.path, options.limits.max_file_bytes);
  if (!bytes) {
    row.error = bytes.error();
    return row;
  }
  auto signals = hasher.Hash(*bytes, options);
  if (!signals) {
    row.error = signals.error();
    row.md5 = hash::Md5(*bytes);
    row.sha256 = hash::Sha256(*bytes);
    return row;
  }
  row.signals = *std::move(signals);
  return row;
}

}  // namespace

bool HashInputs(const std::vector<std::string>& paths,
                const hash::ImageHashOptions& options, int jobs,
                const char* label, bool progress_bar, std::FILE* err,
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
  auto work = [&] {
    hash::ImageHasher hasher;
    while (true) {
      const std::size_t index = next.fetch_add(1);
      if (index >= inputs.size()) return;
      HashedInput row;
      try {
        row = HashOne(inputs[index], options, hasher);
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

  ProgressBar progress(label, inputs.size(), progress_bar);
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
  progress.Finish();
  return !walk_failed;
}

}  // namespace rempart::cli

// Hashing many photos on worker threads, delivered in input order.
//
// Shared by `rempart hash` and `rempart match`: inputs are files,
// directories (walked recursively, sorted, skipping files that are not
// images) and "-" for stdin. Each worker keeps its own ImageHasher; a
// reorder buffer hands results to the caller in input order, so output is
// identical whatever the number of workers.
#ifndef REMPART_CLI_IMAGE_INPUTS_H_
#define REMPART_CLI_IMAGE_INPUTS_H_

#include <cstdio>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "rempart/core/status.h"
#include "rempart/hash/digest.h"
#include "rempart/hash/image_signals.h"

namespace rempart::cli {

struct HashedInput {
  std::string path;
  std::optional<hash::ImageSignals> signals;
  std::optional<hash::Md5Digest> md5;  // Of undecodable files, when read.
  std::optional<hash::Sha256Digest> sha256;
  Status error;
  bool skipped = false;  // Found in a directory and not an image.
};

// Hashes every input on `jobs` threads (0: one per core) and calls
// `on_input` for each, in input order, on the calling thread; a progress bar
// labelled `label` goes to `err` when `progress` is set and `err` is a
// terminal. Returns false when a directory could not be listed (reported on
// `err`). At most one "-".
bool HashInputs(const std::vector<std::string>& paths,
                const hash::ImageHashOptions& options, int jobs,
                const char* label, bool progress, std::FILE* err,
                const std::function<void(HashedInput&)>& on_input);

}  // namespace rempart::cli

#endif  // REMPART_CLI_IMAGE_INPUTS_H_

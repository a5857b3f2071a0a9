// What the interchange tests share: reading a whole list into its records
// and messages, and writing entries into a list's text.
#ifndef REMPART_INTERCHANGE_LIST_TEST_UTIL_H_
#define REMPART_INTERCHANGE_LIST_TEST_UTIL_H_

#include <gtest/gtest.h>

#include <cstdint>
#include <sstream>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "rempart/interchange/reader.h"
#include "rempart/interchange/writer.h"

namespace rempart::interchange {

struct Outcome {
  std::vector<Record> records;
  std::vector<std::string> messages;  // The line errors, in order.
  Status status;                      // The reader's, once it ends.
  Format format = Format::kLines;
  std::uint64_t bytes_consumed = 0;
};

// Reads all of `text`; the open must succeed.
inline Outcome ReadAll(const std::string& text, ReaderOptions options = {}) {
  std::istringstream in(text);
  auto reader = Reader::Open(in, std::move(options));
  EXPECT_TRUE(reader.has_value()) << reader.error().ToString();
  Outcome outcome;
  if (!reader) return outcome;
  outcome.format = reader->format();
  while (auto item = reader->Next()) {
    if (auto* record = std::get_if<Record>(&*item)) {
      outcome.records.push_back(*record);
    } else {
      outcome.messages.push_back(std::get<LineError>(*item).message);
    }
  }
  outcome.status = reader->status();
  outcome.bytes_consumed = reader->bytes_consumed();
  return outcome;
}

// `entries` written in `format`, header included; every write must succeed.
inline std::string Written(Format format,
                           const std::vector<store::Entry>& entries) {
  std::ostringstream out;
  Writer writer(out, format);
  EXPECT_TRUE(writer.WriteHeader().ok());
  for (const store::Entry& entry : entries) {
    const Status status = writer.Write(entry);
    EXPECT_TRUE(status.ok()) << status.ToString();
  }
  return out.str();
}

}  // namespace rempart::interchange

#endif  // REMPART_INTERCHANGE_LIST_TEST_UTIL_H_

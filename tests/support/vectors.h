// Helpers shared by tests that read the conformance data in shared/.
#ifndef REMPART_TESTS_SUPPORT_VECTORS_H_
#define REMPART_TESTS_SUPPORT_VECTORS_H_

#include <bit>
#include <cstdint>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

namespace rempart::testing {

inline std::string SharedPath(const std::string& relative) {
  return std::string(REMPART_SHARED_DIR) + "/" + relative;
}
inline std::string ConformancePath(const std::string& relative) {
  return SharedPath("conformance/pdq/" + relative);
}
inline std::string SourcePath(const std::string& relative) {
  return std::string(REMPART_SOURCE_DIR) + "/" + relative;
}

inline float FloatFromHex(const std::string& word) {
  return std::bit_cast<float>(
      static_cast<std::uint32_t>(std::stoul(word, nullptr, 16)));
}
inline std::uint32_t BitsOf(float value) {
  return std::bit_cast<std::uint32_t>(value);
}

// One row of a tab-separated file with a header, as column -> value.
using TsvRow = std::map<std::string, std::string>;

inline std::vector<TsvRow> ReadTsv(const std::string& path) {
  std::ifstream in(path);
  std::vector<TsvRow> rows;
  std::string line;
  std::vector<std::string> header;
  auto split = [](const std::string& text) {
    std::vector<std::string> fields;
    std::stringstream stream(text);
    std::string field;
    while (std::getline(stream, field, '\t')) fields.push_back(field);
    return fields;
  };
  if (!std::getline(in, line)) return rows;
  header = split(line);
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    const auto fields = split(line);
    TsvRow row;
    for (std::size_t i = 0; i < header.size() && i < fields.size(); ++i) {
      row[header[i]] = fields[i];
    }
    rows.push_back(std::move(row));
  }
  return rows;
}

}  // namespace rempart::testing

#endif  // REMPART_TESTS_SUPPORT_VECTORS_H_

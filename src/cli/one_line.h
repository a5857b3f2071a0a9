// Text for one cell of a tab-separated record: paths, messages and
// free-text fields may hold tabs or line breaks, which would split a record.
#ifndef REMPART_CLI_ONE_LINE_H_
#define REMPART_CLI_ONE_LINE_H_

#include <algorithm>
#include <string>

namespace rempart::cli {

// `text` with every tab, line feed and carriage return turned into a space.
inline std::string OneLine(std::string text) {
  std::replace_if(
      text.begin(), text.end(),
      [](char c) { return c == '\t' || c == '\n' || c == '\r'; }, ' ');
  return text;
}

}  // namespace rempart::cli

#endif  // REMPART_CLI_ONE_LINE_H_

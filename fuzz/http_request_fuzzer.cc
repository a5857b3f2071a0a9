// libFuzzer target for the server's request parsing (RequestParser, the
// code a Session feeds from its socket), without sockets.
//
// The first byte picks the limits (a small or the default header limit, a
// small or the default body limit, a route-dependent one) and how the
// bytes arrive (all at once, or in pieces of 1 to 64 bytes, as reads
// would); the rest is a stream of pipelined requests, parsed one after
// another as the server does, at most 8.
//
// Checks, besides the sanitizers: Feed() never claims more than it was
// given; a refusal is 400, 413 or 431 with a message; a complete request
// has a path that is "*" or starts with '/' and holds no NUL, and a body
// within its limit; and when both reach an end, a request parsed from all
// the bytes at once is parsed the same from pieces, and one refused is
// refused. (Not always with the same status, nor always both: Beast checks
// a request line as soon as it sees one, but once it has asked for more it
// waits for the whole header block, so a bad line in a header over the
// limit is a 400 in one case and a 431 in the other, and a bad line in a
// header that never ends is refused at once in one case and only by the
// server's timeout in the other.)
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "rempart/service/http_server.h"
#include "service/http/request_parser.h"

namespace {

using rempart::service::RequestHead;
using rempart::service::RequestParser;
using rempart::service::ServerLimits;

void Check(bool condition) {
  if (!condition) std::abort();
}

struct Outcome {
  bool done = false;
  int status = 0;  // When refused.
  std::string method;
  std::string path;
  std::string body;
  std::size_t used = 0;

  bool operator==(const Outcome&) const = default;
};

// Parses one request from the front of `input`, fed `piece` bytes at a
// time (0: all at once), keeping unused bytes as the session's buffer does.
Outcome ParseOne(std::string_view input, std::size_t piece,
                 const ServerLimits& limits,
                 const RequestParser::BodyLimit& body_limit) {
  RequestParser parser(limits, body_limit);
  Outcome outcome;
  std::string pending;
  std::size_t offered = 0;
  while (!parser.failed() && !parser.is_done() && offered < input.size()) {
    const std::size_t take = piece == 0
                                 ? input.size() - offered
                                 : std::min(piece, input.size() - offered);
    pending.append(input.substr(offered, take));
    offered += take;
    const std::size_t used = parser.Feed(pending);
    Check(used <= pending.size());
    pending.erase(0, used);
    outcome.used += used;
  }
  if (parser.failed()) {
    const int status = parser.error().status;
    Check(status == 400 || status == 413 || status == 431);
    Check(!parser.error().message.empty());
    outcome.status = status;
    outcome.used = 0;  // Where a refused parse stops is not a contract.
    return outcome;
  }
  if (parser.is_done()) {
    const auto& request = parser.request();
    Check(!request.head.path.empty());
    Check(request.head.path == "*" || request.head.path.front() == '/');
    Check(request.head.path.find('\0') == std::string::npos);
    Check(request.body.size() <= parser.body_limit_bytes());
    outcome.done = true;
    outcome.method = request.head.method;
    outcome.path = request.head.path;
    outcome.body = request.body;
  } else {
    outcome.used = 0;  // Incomplete: how much was buffered may differ.
  }
  return outcome;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data,
                                      std::size_t size) {
  if (size == 0) return 0;
  const std::uint8_t selector = data[0];
  std::string_view input(reinterpret_cast<const char*>(data) + 1, size - 1);
  ServerLimits limits;
  if ((selector & 1) != 0) limits.max_header_bytes = 64 + selector * 4;
  if ((selector & 2) != 0) limits.max_body_bytes = selector / 4;
  RequestParser::BodyLimit body_limit;
  if ((selector & 4) != 0) {
    body_limit = [](const RequestHead& head) -> std::size_t {
      return head.path.size() * 3;
    };
  }
  const std::size_t piece = (selector >> 3) == 0 ? 1 : (selector >> 3) * 2;
  for (int request = 0; request < 8 && !input.empty(); ++request) {
    const Outcome whole = ParseOne(input, 0, limits, body_limit);
    const Outcome pieces = ParseOne(input, piece, limits, body_limit);
    const bool whole_ended = whole.done || whole.status != 0;
    const bool pieces_ended = pieces.done || pieces.status != 0;
    if (whole_ended && pieces_ended) {
      Check(whole.done == pieces.done);
      if (whole.done) Check(whole == pieces);
    }
    if (!whole.done || whole.used == 0) break;
    input.remove_prefix(whole.used);
  }
  return 0;
}

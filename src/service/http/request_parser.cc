#include "service/http/request_parser.h"

#include <algorithm>
#include <boost/beast/http/error.hpp>
#include <limits>
#include <utility>

namespace rempart::service {

namespace beast = boost::beast;
namespace beast_http = boost::beast::http;

namespace {

// Bodies are reserved up front only this far: a Content-Length is a claim,
// and 2,048 idle connections each claiming a megabyte must not cost 2 GiB.
constexpr std::size_t kMaxBodyReserve = std::size_t{64} * 1024;

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool StartsWithNoCase(std::string_view text, std::string_view prefix) {
  return text.size() >= prefix.size() &&
         std::equal(prefix.begin(), prefix.end(), text.begin(),
                    [](char a, char b) {
                      return a == (b >= 'A' && b <= 'Z' ? b - 'A' + 'a' : b);
                    });
}

bool EqualsNoCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && StartsWithNoCase(b, a);
}

std::string_view TrimSpaces(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) {
    text.remove_prefix(1);
  }
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) {
    text.remove_suffix(1);
  }
  return text;
}

}  // namespace

Result<std::string> PercentDecodePath(std::string_view raw) {
  std::string decoded;
  decoded.reserve(raw.size());
  for (std::size_t i = 0; i < raw.size(); ++i) {
    char c = raw[i];
    if (c == '%') {
      const int high = i + 2 < raw.size() ? HexValue(raw[i + 1]) : -1;
      const int low = high >= 0 ? HexValue(raw[i + 2]) : -1;
      if (low < 0) {
        return InvalidArgumentError("invalid percent-escape at byte " +
                                    std::to_string(i) + " of the path");
      }
      c = static_cast<char>(high * 16 + low);
      i += 2;
    }
    if (c == '\0') {
      return InvalidArgumentError("NUL in the path");
    }
    decoded.push_back(c);
  }
  return decoded;
}

RequestParser::RequestParser(const ServerLimits& limits,
                             const BodyLimit& body_limit_function)
    : limits_(limits), body_limit_function_(body_limit_function) {
  header_limit(static_cast<std::uint32_t>(std::min<std::size_t>(
      limits.max_header_bytes, std::numeric_limits<std::uint32_t>::max())));
  // Beast's own body limit is off: ours depends on the head, so it is
  // applied in on_header_impl() and the body callbacks.
  body_limit(std::numeric_limits<std::uint64_t>::max());
  // Keep going past the header in one Feed(): nothing needs to happen
  // between the header and the body that on_header_impl() cannot do.
  eager(true);
}

std::size_t RequestParser::Feed(std::string_view input) {
  std::size_t used = 0;
  while (!error_ && !is_done() && used < input.size()) {
    // Beast applies header_limit to the request line and to the fields
    // separately, and only to what it is given, so the header block is
    // offered no further than the limit: one that has not ended by then is
    // too large, however the bytes arrived.
    std::size_t offer = input.size() - used;
    bool capped = false;
    if (!is_header_done()) {
      const std::size_t room = limits_.max_header_bytes - header_bytes_;
      capped = offer >= room;
      offer = std::min(offer, room);
    }
    beast::error_code ec;
    std::size_t n = 0;
    if (offer > 0) {
      n = put(boost::asio::const_buffer(input.data() + used, offer), ec);
    } else {
      ec = beast_http::error::need_more;
    }
    used += n;
    if (!is_header_done()) header_bytes_ += n;
    if (ec == beast_http::error::need_more) {
      if (capped && !is_header_done()) ec = beast_http::error::header_limit;
    }
    if (ec == beast_http::error::need_more) break;
    if (ec) {
      if (!error_) {
        if (ec == beast_http::error::header_limit) {
          Fail(431, "ResourceExhausted",
               "request header larger than " +
                   std::to_string(limits_.max_header_bytes) + " bytes");
        } else if (ec == beast_http::error::body_limit) {
          Fail(413, "ResourceExhausted", "request body too large");
        } else {
          Fail(400, "InvalidArgument", "malformed request: " + ec.message());
        }
      }
      break;
    }
    if (n == 0) break;
  }
  return used;
}

bool RequestParser::expects_continue() const {
  return expect_continue_ && version_ >= 11 && is_header_done() && !is_done();
}

bool RequestParser::has_unsupported_expectation() const {
  return has_expect_ && !expect_continue_;
}

void RequestParser::Fail(int status, std::string_view code,
                         std::string message) {
  if (!error_) error_ = RequestError{status, code, std::move(message)};
}

void RequestParser::on_request_impl(beast_http::verb /*method*/,
                                    beast::string_view method_text,
                                    beast::string_view target, int version,
                                    beast::error_code& ec) {
  RequestHead& head = request_.head;
  head.method.assign(method_text.data(), method_text.size());
  version_ = version;
  std::string_view rest(target.data(), target.size());
  // RFC 7230 §5.3: origin-form is what clients send to a server; proxies
  // forward absolute-form, which must be accepted too; "*" is OPTIONS'.
  if (rest == "*" && head.method == "OPTIONS") {
    head.path = "*";
    return;
  }
  if (StartsWithNoCase(rest, "http://") || StartsWithNoCase(rest, "https://")) {
    rest.remove_prefix(rest.find("//") + 2);
    const std::size_t path_start = rest.find_first_of("/?");
    rest = path_start == std::string_view::npos ? std::string_view("/")
                                                : rest.substr(path_start);
    if (rest.front() == '?') {
      // "http://host?q": the path is "/".
      head.query.assign(rest.substr(1));
      head.path = "/";
      return;
    }
  }
  if (rest.empty() || rest.front() != '/') {
    Fail(400, "InvalidArgument", "the request target must be a path");
    ec = beast_http::error::bad_target;
    return;
  }
  if (rest.find('#') != std::string_view::npos) {
    Fail(400, "InvalidArgument", "a fragment in the request target");
    ec = beast_http::error::bad_target;
    return;
  }
  const std::size_t question = rest.find('?');
  if (question != std::string_view::npos) {
    head.query.assign(rest.substr(question + 1));
    rest = rest.substr(0, question);
  }
  Result<std::string> path = PercentDecodePath(rest);
  if (!path) {
    Fail(400, "InvalidArgument", path.error().message());
    ec = beast_http::error::bad_target;
    return;
  }
  head.path = std::move(*path);
}

void RequestParser::on_response_impl(int /*status*/,
                                     beast::string_view /*reason*/,
                                     int /*version*/, beast::error_code& ec) {
  ec = beast_http::error::bad_method;  // A request parser; never called.
}

void RequestParser::on_field_impl(beast_http::field name,
                                  beast::string_view name_text,
                                  beast::string_view value,
                                  beast::error_code& /*ec*/) {
  // Trailers of a chunked body arrive here after the header: dropped, so
  // a handler never mistakes them for headers.
  if (is_header_done()) return;
  if (name == beast_http::field::transfer_encoding) {
    has_transfer_encoding_ = true;
  } else if (name == beast_http::field::expect) {
    has_expect_ = true;
    expect_continue_ =
        EqualsNoCase(TrimSpaces({value.data(), value.size()}), "100-continue");
  }
  request_.head.headers.push_back(
      {std::string(name_text.data(), name_text.size()),
       std::string(value.data(), value.size())});
}

void RequestParser::on_header_impl(beast::error_code& ec) {
  if (has_transfer_encoding_ && (!chunked() || version_ < 11)) {
    Fail(400, "InvalidArgument",
         "unsupported Transfer-Encoding (only chunked is accepted)");
    ec = beast_http::error::bad_transfer_encoding;
    return;
  }
  body_limit_ = body_limit_function_ ? body_limit_function_(request_.head)
                                     : limits_.max_body_bytes;
  const boost::optional<std::uint64_t> length = content_length();
  if (length && *length > body_limit_) {
    Fail(413, "ResourceExhausted",
         "request body of " + std::to_string(*length) +
             " bytes is over the limit of " + std::to_string(body_limit_) +
             " bytes");
    ec = beast_http::error::body_limit;
  }
}

void RequestParser::on_body_init_impl(
    const boost::optional<std::uint64_t>& content_length,
    beast::error_code& /*ec*/) {
  if (content_length) {
    request_.body.reserve(static_cast<std::size_t>(
        std::min<std::uint64_t>(*content_length, kMaxBodyReserve)));
  }
}

std::size_t RequestParser::on_body_impl(beast::string_view body,
                                        beast::error_code& ec) {
  return AppendBody(body, ec);
}

void RequestParser::on_chunk_header_impl(std::uint64_t size,
                                         beast::string_view /*extensions*/,
                                         beast::error_code& ec) {
  // Refused as soon as the chunk is announced, before its bytes arrive.
  if (size > body_limit_ - request_.body.size()) {
    Fail(413, "ResourceExhausted",
         "chunked request body over the limit of " +
             std::to_string(body_limit_) + " bytes");
    ec = beast_http::error::body_limit;
  }
}

std::size_t RequestParser::on_chunk_body_impl(std::uint64_t /*remain*/,
                                              beast::string_view body,
                                              beast::error_code& ec) {
  return AppendBody(body, ec);
}

void RequestParser::on_finish_impl(beast::error_code& /*ec*/) {}

std::size_t RequestParser::AppendBody(beast::string_view piece,
                                      beast::error_code& ec) {
  if (piece.size() > body_limit_ - request_.body.size()) {
    Fail(413, "ResourceExhausted",
         "request body over the limit of " + std::to_string(body_limit_) +
             " bytes");
    ec = beast_http::error::body_limit;
    return 0;
  }
  request_.body.append(piece.data(), piece.size());
  return piece.size();
}

}  // namespace rempart::service

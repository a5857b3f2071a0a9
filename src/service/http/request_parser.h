// RequestParser: one HTTP/1.1 request read from bytes under ServerLimits,
// with no socket in sight, so the server and the fuzz target
// (fuzz/http_request_fuzzer.cc) run the same code.
//
// Beast's basic_parser does the syntax (RFC 7230 §3); the callbacks below
// fill an HttpRequest directly and apply Rempart's rules:
// - the target must be origin-form ("/path?query"), absolute-form (the
//   scheme and authority are dropped) or "*"; the path is percent-decoded,
//   and a bad %-escape or a NUL in the result is refused;
// - Transfer-Encoding other than a final "chunked" is refused (§3.3.3: the
//   length could not be known, and guessing is how requests get smuggled);
// - the body limit is asked of ServerOptions::body_limit once the header
//   is complete; a Content-Length over it is refused before any body byte
//   is read, and a chunked body as soon as a chunk header would pass it;
// - trailer fields of a chunked body are read and dropped.
// Internal to rempart_http; not thread-safe (one per request).
#ifndef REMPART_SERVICE_HTTP_REQUEST_PARSER_H_
#define REMPART_SERVICE_HTTP_REQUEST_PARSER_H_

#include <boost/beast/http/basic_parser.hpp>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "rempart/core/result.h"
#include "rempart/service/http_server.h"

namespace rempart::service {

// Why a request was refused: the HTTP status, the canonical code name for
// the JSON error body and a message that is safe to show the client.
struct RequestError {
  int status = 400;
  std::string_view code = "InvalidArgument";
  std::string message;
};

// `raw` with its %XX escapes decoded. InvalidArgument for a '%' not
// followed by two hex digits, or for a decoded NUL.
Result<std::string> PercentDecodePath(std::string_view raw);

class RequestParser final : public boost::beast::http::basic_parser<true> {
 public:
  using BodyLimit = std::function<std::size_t(const RequestHead& head)>;

  // Both are referenced, not copied, and must outlive the parser.
  RequestParser(const ServerLimits& limits,
                const BodyLimit& body_limit_function);

  // Parses as much of `input` as it can and returns the number of bytes
  // used. Bytes past a complete request are left for the next parser
  // (pipelining). Once failed() or is_done(), uses nothing more.
  std::size_t Feed(std::string_view input);

  [[nodiscard]] bool failed() const { return error_.has_value(); }
  // Only when failed().
  [[nodiscard]] const RequestError& error() const { return *error_; }
  // 10 or 11, once the request line is parsed.
  [[nodiscard]] int http_version() const { return version_; }
  // The body limit in force (known once is_header_done()).
  [[nodiscard]] std::size_t body_limit_bytes() const { return body_limit_; }
  // True for an HTTP/1.1 request with "Expect: 100-continue" and a body.
  [[nodiscard]] bool expects_continue() const;
  // A request header "Expect" with anything but 100-continue.
  [[nodiscard]] bool has_unsupported_expectation() const;
  // The request so far; complete once is_done().
  HttpRequest& request() { return request_; }

 private:
  void Fail(int status, std::string_view code, std::string message);

  void on_request_impl(boost::beast::http::verb method,
                       boost::beast::string_view method_text,
                       boost::beast::string_view target, int version,
                       boost::beast::error_code& ec) override;
  void on_response_impl(int status, boost::beast::string_view reason,
                        int version, boost::beast::error_code& ec) override;
  void on_field_impl(boost::beast::http::field name,
                     boost::beast::string_view name_text,
                     boost::beast::string_view value,
                     boost::beast::error_code& ec) override;
  void on_header_impl(boost::beast::error_code& ec) override;
  void on_body_init_impl(const boost::optional<std::uint64_t>& content_length,
                         boost::beast::error_code& ec) override;
  std::size_t on_body_impl(boost::beast::string_view body,
                           boost::beast::error_code& ec) override;
  void on_chunk_header_impl(std::uint64_t size,
                            boost::beast::string_view extensions,
                            boost::beast::error_code& ec) override;
  std::size_t on_chunk_body_impl(std::uint64_t remain,
                                 boost::beast::string_view body,
                                 boost::beast::error_code& ec) override;
  void on_finish_impl(boost::beast::error_code& ec) override;

  // Appends a piece of body, or fails with 413 past the limit.
  std::size_t AppendBody(boost::beast::string_view piece,
                         boost::beast::error_code& ec);

  const ServerLimits& limits_;
  const BodyLimit& body_limit_function_;
  HttpRequest request_;
  std::optional<RequestError> error_;
  std::size_t body_limit_ = 0;
  std::size_t header_bytes_ = 0;  // Header bytes Beast has consumed so far.
  int version_ = 11;
  bool has_transfer_encoding_ = false;
  bool has_expect_ = false;
  bool expect_continue_ = false;
};

}  // namespace rempart::service

#endif  // REMPART_SERVICE_HTTP_REQUEST_PARSER_H_

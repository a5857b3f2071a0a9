// HttpServer: HTTP/1.1 with keep-alive over TCP, hardened for hostile
// clients, calling one Handler per request.
//
// Boost.Beast does the parsing; it is included by http_server.cc only.
// Limits (ServerLimits) are enforced while reading, before anything is
// buffered past them: an oversized header block gets 431, an oversized body
// 413 (the limit may depend on the route, see ServerOptions::body_limit), a
// malformed request 400, a client too slow to send its request 408; each
// with a JSON error body {"error":{"code":…,"message":…}} and the
// connection closed. A connection idle between requests past idle_timeout
// is closed (the first request of a connection must start within
// min(idle_timeout, request_timeout)). Beyond max_connections, new
// connections are accepted and closed at once with 503. "Expect:
// 100-continue" gets "100 Continue" once the head passes these checks;
// any other expectation gets 417.
//
// Handlers run on the server's I/O threads and must not throw; one that
// does gets a 500 with a JSON body, reported to ServerOptions::on_error,
// and the server goes on. Responses get Server, Date, Content-Length,
// "X-Content-Type-Options: nosniff" and "Cache-Control: no-store"; a
// handler header of the same name replaces a default (not Content-Length
// or Connection, which are the server's; "Connection: close" from a
// handler closes the connection after the response).
//
// Shutdown(): stops accepting, lets every request already received finish
// and its response be written (up to `grace`), then closes all
// connections and returns. Safe to call from a signal-watching thread,
// never from a handler.
#ifndef REMPART_SERVICE_HTTP_SERVER_H_
#define REMPART_SERVICE_HTTP_SERVER_H_

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "rempart/core/result.h"
#include "rempart/core/status.h"

namespace rempart::service {

struct HttpHeader {
  std::string name;  // As received; compare case-insensitively.
  std::string value;
};

// The request line and headers, before the body is read.
struct RequestHead {
  std::string method;  // "GET", "POST"…
  std::string path;    // Percent-decoded path, without the query.
  std::string query;   // Raw text after '?', empty if none.
  std::vector<HttpHeader> headers;
  // The first header of that name (case-insensitive), or empty.
  [[nodiscard]] std::string_view Header(std::string_view name) const;
};

struct HttpRequest {
  RequestHead head;
  std::string body;
  std::string remote_address;  // "127.0.0.1", "::1"…
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<HttpHeader> headers;  // Extra headers (Retry-After…).
};

using HttpHandler = std::function<HttpResponse(const HttpRequest& request)>;

struct ServerLimits {
  std::size_t max_header_bytes = 16 << 10;            // Request line + headers.
  std::size_t max_body_bytes = 1 << 20;               // Unless body_limit says.
  std::chrono::milliseconds request_timeout{15'000};  // First byte → body.
  std::chrono::milliseconds idle_timeout{60'000};     // Between requests.
  std::size_t max_connections = 2048;
  std::size_t max_requests_per_connection = 100'000;
};

struct ServerOptions {
  std::string address = "127.0.0.1";
  std::uint16_t port = 0;  // 0: any free port (see HttpServer::port()).
  int threads = 0;         // I/O threads; 0: one per core.
  ServerLimits limits;
  // The largest body accepted for a request with this head; when empty,
  // limits.max_body_bytes for all. Returning 0 refuses any body.
  std::function<std::size_t(const RequestHead& head)> body_limit;
  // Told, on an I/O thread, of a handler that threw or returned a response
  // that cannot be sent (bad status, CR/LF in a header); may be empty.
  std::function<void(const std::string& message)> on_error;
};

class HttpServer {
 public:
  // Binds and listens, starts the I/O threads and returns once
  // connections are accepted. Unavailable when the address cannot be
  // bound (in use, not local…), InvalidArgument for a bad address.
  static Result<std::unique_ptr<HttpServer>> Start(ServerOptions options,
                                                   HttpHandler handler);
  virtual ~HttpServer() = default;
  // The bound port (the chosen one when options.port was 0).
  [[nodiscard]] virtual std::uint16_t port() const = 0;
  // Requests being handled right now.
  [[nodiscard]] virtual std::size_t in_flight() const = 0;
  // Open connections.
  [[nodiscard]] virtual std::size_t connections() const = 0;
  // See the file comment. Idempotent; the destructor calls it with no
  // grace.
  virtual void Shutdown(std::chrono::milliseconds grace) = 0;
};

// A JSON error body: {"error":{"code":"<code>","message":"<message>"}}.
std::string JsonErrorBody(std::string_view code, std::string_view message);
// A response of `status` with that body.
HttpResponse ErrorResponse(int status, std::string_view code,
                           std::string_view message);

}  // namespace rempart::service

#endif  // REMPART_SERVICE_HTTP_SERVER_H_

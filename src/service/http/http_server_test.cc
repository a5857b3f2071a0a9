#include "rempart/service/http_server.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "service/http/request_parser.h"

namespace rempart::service {
namespace {

using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

struct TestResponse {
  int status = 0;
  std::vector<HttpHeader> headers;
  std::string body;

  [[nodiscard]] std::string Header(std::string_view name) const {
    RequestHead head;
    head.headers = headers;
    return std::string(head.Header(name));
  }
  [[nodiscard]] nlohmann::json Json() const {
    return nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  }
};

// A blocking HTTP/1.1 client over a raw socket, reading responses the
// server frames with Content-Length. Every read gives up after 5 s, so a
// broken server fails the test instead of hanging it.
class TestClient {
 public:
  explicit TestClient(std::uint16_t port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&address),
                           sizeof(address)) == 0;
    const int one = 1;
    ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  }
  ~TestClient() { ::close(fd_); }
  TestClient(const TestClient&) = delete;
  TestClient& operator=(const TestClient&) = delete;

  [[nodiscard]] bool connected() const { return connected_; }

  bool Send(std::string_view bytes) {
    while (!bytes.empty()) {
      const ssize_t sent =
          ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
      if (sent <= 0) return false;
      bytes.remove_prefix(static_cast<std::size_t>(sent));
    }
    return true;
  }

  // One response, or nullopt when the connection ends (or 5 s pass)
  // before it is complete. A response to HEAD has no body whatever its
  // Content-Length says.
  std::optional<TestResponse> ReadResponse(bool to_head = false) {
    std::size_t head_end;
    while ((head_end = buffer_.find("\r\n\r\n")) == std::string::npos) {
      if (!Fill()) return std::nullopt;
    }
    TestResponse response;
    const std::string head = buffer_.substr(0, head_end + 2);
    buffer_.erase(0, head_end + 4);
    std::size_t line_end = head.find("\r\n");
    const std::string status_line = head.substr(0, line_end);
    if (status_line.rfind("HTTP/1.1 ", 0) != 0) return std::nullopt;
    response.status = std::stoi(status_line.substr(9, 3));
    std::size_t position = line_end + 2;
    while (position < head.size()) {
      line_end = head.find("\r\n", position);
      const std::string line = head.substr(position, line_end - position);
      const std::size_t colon = line.find(':');
      std::string value = line.substr(colon + 1);
      while (!value.empty() && value.front() == ' ') value.erase(0, 1);
      response.headers.push_back({line.substr(0, colon), value});
      position = line_end + 2;
    }
    const std::string length = response.Header("Content-Length");
    const std::size_t body_size =
        length.empty() || to_head ? 0 : std::stoul(length);
    while (buffer_.size() < body_size) {
      if (!Fill()) return std::nullopt;
    }
    response.body = buffer_.substr(0, body_size);
    buffer_.erase(0, body_size);
    return response;
  }

  // True when the server ends the connection (EOF or reset) within
  // `timeout`; data arriving meanwhile is discarded.
  bool WaitClosed(milliseconds timeout) {
    const auto deadline = Clock::now() + timeout;
    while (Clock::now() < deadline) {
      pollfd poll_fd{fd_, POLLIN, 0};
      const auto left =
          std::chrono::duration_cast<milliseconds>(deadline - Clock::now());
      if (::poll(&poll_fd, 1, static_cast<int>(left.count()) + 1) <= 0) {
        continue;
      }
      char scratch[4096];
      const ssize_t got = ::recv(fd_, scratch, sizeof(scratch), 0);
      if (got <= 0) return true;
    }
    return false;
  }

  // A request with the given method, target, extra header lines and body.
  static std::string Request(std::string_view method, std::string_view target,
                             std::string_view body = {},
                             std::string_view extra_headers = {}) {
    std::string request = std::string(method) + " " + std::string(target) +
                          " HTTP/1.1\r\nHost: test\r\n" +
                          std::string(extra_headers);
    if (!body.empty() || method == "POST") {
      request += "Content-Length: " + std::to_string(body.size()) + "\r\n";
    }
    return request + "\r\n" + std::string(body);
  }

 private:
  bool Fill() {
    pollfd poll_fd{fd_, POLLIN, 0};
    if (::poll(&poll_fd, 1, 5000) <= 0) return false;
    char chunk[16384];
    const ssize_t got = ::recv(fd_, chunk, sizeof(chunk), 0);
    if (got <= 0) return false;
    buffer_.append(chunk, static_cast<std::size_t>(got));
    return true;
  }

  int fd_ = -1;
  bool connected_ = false;
  std::string buffer_;
};

// Echoes the request as JSON.
HttpResponse Echo(const HttpRequest& request) {
  HttpResponse response;
  response.body = nlohmann::json{{"method", request.head.method},
                                 {"path", request.head.path},
                                 {"query", request.head.query},
                                 {"body", request.body},
                                 {"test", request.head.Header("x-test")},
                                 {"remote", request.remote_address}}
                      .dump();
  return response;
}

std::unique_ptr<HttpServer> StartServer(
    const HttpHandler& handler = Echo,
    const std::function<void(ServerOptions&)>& configure = {}) {
  ServerOptions options;
  options.threads = 2;
  if (configure) configure(options);
  auto server = HttpServer::Start(std::move(options), handler);
  if (!server) {
    ADD_FAILURE() << server.error().ToString();
    return nullptr;
  }
  return std::move(*server);
}

TEST(HttpServerTest, GetAndPostReachTheHandler) {
  auto server = StartServer();
  ASSERT_TRUE(server);
  TestClient client(server->port());
  ASSERT_TRUE(client.connected());
  ASSERT_TRUE(client.Send(
      TestClient::Request("GET", "/hello?x=1&y=%20", {}, "X-Test: yes\r\n")));
  auto response = client.ReadResponse();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 200);
  nlohmann::json json = response->Json();
  EXPECT_EQ(json["method"], "GET");
  EXPECT_EQ(json["path"], "/hello");
  EXPECT_EQ(json["query"], "x=1&y=%20");
  EXPECT_EQ(json["test"], "yes");
  EXPECT_EQ(json["remote"], "127.0.0.1");
  EXPECT_EQ(response->Header("Content-Type"), "application/json");
  EXPECT_EQ(response->Header("Server"), "rempart");
  EXPECT_EQ(response->Header("X-Content-Type-Options"), "nosniff");
  EXPECT_EQ(response->Header("Cache-Control"), "no-store");
  EXPECT_FALSE(response->Header("Date").empty());
  EXPECT_EQ(response->Header("Connection"), "");

  const std::string body(100'000, 'b');
  ASSERT_TRUE(client.Send(TestClient::Request("POST", "/echo", body)));
  response = client.ReadResponse();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->Json()["body"], body);
  EXPECT_EQ(server->connections(), 1U);
}

TEST(HttpServerTest, KeepAliveServesManyRequestsOnOneConnection) {
  auto server = StartServer();
  ASSERT_TRUE(server);
  TestClient client(server->port());
  for (int i = 0; i < 500; ++i) {
    ASSERT_TRUE(
        client.Send(TestClient::Request("POST", "/n", std::to_string(i))));
    auto response = client.ReadResponse();
    ASSERT_TRUE(response) << i;
    EXPECT_EQ(response->Json()["body"], std::to_string(i));
  }
  EXPECT_EQ(server->connections(), 1U);
}

TEST(HttpServerTest, PipelinedRequestsAreAnsweredInOrder) {
  auto server = StartServer();
  ASSERT_TRUE(server);
  TestClient client(server->port());
  std::string requests;
  for (int i = 0; i < 20; ++i) {
    requests += TestClient::Request("POST", "/p" + std::to_string(i), "x");
  }
  ASSERT_TRUE(client.Send(requests));
  for (int i = 0; i < 20; ++i) {
    auto response = client.ReadResponse();
    ASSERT_TRUE(response) << i;
    EXPECT_EQ(response->Json()["path"], "/p" + std::to_string(i));
  }
}

TEST(HttpServerTest, DefaultHeadersCanBeReplacedAndFramingCannot) {
  auto server = StartServer([](const HttpRequest&) {
    HttpResponse response;
    response.content_type = "text/plain";
    response.body = "hi";
    response.headers = {{"Cache-Control", "max-age=60"},
                        {"Content-Length", "999"},
                        {"Retry-After", "3"}};
    return response;
  });
  ASSERT_TRUE(server);
  TestClient client(server->port());
  ASSERT_TRUE(client.Send(TestClient::Request("GET", "/")));
  auto response = client.ReadResponse();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->body, "hi");
  EXPECT_EQ(response->Header("Content-Length"), "2");
  EXPECT_EQ(response->Header("Cache-Control"), "max-age=60");
  EXPECT_EQ(response->Header("Retry-After"), "3");
  EXPECT_EQ(response->Header("Content-Type"), "text/plain");
  EXPECT_EQ(response->Header("X-Content-Type-Options"), "nosniff");
}

TEST(HttpServerTest, HeadGetsHeadersWithoutBody) {
  auto server = StartServer([](const HttpRequest&) {
    HttpResponse response;
    response.body = "0123456789";
    return response;
  });
  ASSERT_TRUE(server);
  TestClient client(server->port());
  ASSERT_TRUE(client.Send(TestClient::Request("HEAD", "/x")));
  ASSERT_TRUE(client.Send(TestClient::Request("GET", "/x")));
  auto head = client.ReadResponse(/*to_head=*/true);
  ASSERT_TRUE(head);
  EXPECT_EQ(head->Header("Content-Length"), "10");
  // No body bytes in between: the next response follows the head.
  auto get = client.ReadResponse();
  ASSERT_TRUE(get);
  EXPECT_EQ(get->body, "0123456789");
}

// An error response: the status, a JSON error body with `code`, and the
// connection closed after it.
void ExpectErrorAndClose(TestClient& client, int status,
                         std::string_view code) {
  auto response = client.ReadResponse();
  ASSERT_TRUE(response) << "no response, expected " << status;
  EXPECT_EQ(response->status, status);
  EXPECT_EQ(response->Header("Connection"), "close");
  EXPECT_EQ(response->Header("Content-Type"), "application/json");
  const nlohmann::json json = response->Json();
  ASSERT_TRUE(json.is_object()) << response->body;
  EXPECT_EQ(json["error"]["code"], code) << response->body;
  EXPECT_TRUE(json["error"]["message"].is_string());
  EXPECT_TRUE(client.WaitClosed(milliseconds(2000)));
}

TEST(HttpServerTest, HeaderTooLargeIs431) {
  auto server = StartServer(Echo, [](ServerOptions& options) {
    options.limits.max_header_bytes = 1024;
  });
  ASSERT_TRUE(server);
  TestClient client(server->port());
  ASSERT_TRUE(client.Send("GET / HTTP/1.1\r\nHost: test\r\nX-Big: " +
                          std::string(2000, 'a') + "\r\n\r\n"));
  ExpectErrorAndClose(client, 431, "ResourceExhausted");
}

TEST(HttpServerTest, EndlessHeaderIs431WithoutBuffering) {
  auto server = StartServer(Echo, [](ServerOptions& options) {
    options.limits.max_header_bytes = 1024;
  });
  ASSERT_TRUE(server);
  TestClient client(server->port());
  ASSERT_TRUE(client.Send("GET / HTTP/1.1\r\nX-Big: "));
  // Keeps sending header bytes; the server answers once past the limit.
  for (int i = 0; i < 10 && client.Send(std::string(512, 'a')); ++i) {
  }
  ExpectErrorAndClose(client, 431, "ResourceExhausted");
}

TEST(HttpServerTest, ContentLengthOverLimitIs413BeforeTheBody) {
  std::atomic<int> calls{0};
  auto server = StartServer(
      [&](const HttpRequest& request) {
        ++calls;
        return Echo(request);
      },
      [](ServerOptions& options) { options.limits.max_body_bytes = 1000; });
  ASSERT_TRUE(server);
  TestClient client(server->port());
  // Only the head: the 413 must come without waiting for the body.
  ASSERT_TRUE(client.Send(
      "POST / HTTP/1.1\r\nHost: test\r\nContent-Length: 1001\r\n\r\n"));
  ExpectErrorAndClose(client, 413, "ResourceExhausted");
  EXPECT_EQ(calls.load(), 0);

  TestClient at_limit(server->port());
  ASSERT_TRUE(
      at_limit.Send(TestClient::Request("POST", "/", std::string(1000, 'x'))));
  auto response = at_limit.ReadResponse();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 200);
}

TEST(HttpServerTest, ChunkedBodiesAreReadAndLimited) {
  auto server = StartServer(Echo, [](ServerOptions& options) {
    options.limits.max_body_bytes = 100;
  });
  ASSERT_TRUE(server);
  TestClient client(server->port());
  ASSERT_TRUE(client.Send(
      "POST /c HTTP/1.1\r\nHost: test\r\nTransfer-Encoding: chunked\r\n\r\n"
      "5\r\nhello\r\n6;ext=1\r\n world\r\n0\r\nX-Trailer: t\r\n\r\n"));
  auto response = client.ReadResponse();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->Json()["body"], "hello world");

  TestClient over(server->port());
  ASSERT_TRUE(over.Send(
      "POST /c HTTP/1.1\r\nHost: test\r\nTransfer-Encoding: chunked\r\n\r\n"
      "50\r\n" +
      std::string(80, 'a') + "\r\n30\r\n"));
  ExpectErrorAndClose(over, 413, "ResourceExhausted");

  // Many small chunks add up too.
  TestClient drip(server->port());
  std::string chunks =
      "POST /c HTTP/1.1\r\nHost: test\r\nTransfer-Encoding: chunked\r\n\r\n";
  for (int i = 0; i < 101; ++i) chunks += "1\r\nz\r\n";
  ASSERT_TRUE(drip.Send(chunks));
  ExpectErrorAndClose(drip, 413, "ResourceExhausted");
}

TEST(HttpServerTest, BodyLimitCanDependOnTheRoute) {
  auto server = StartServer(Echo, [](ServerOptions& options) {
    options.limits.max_body_bytes = 10;
    options.body_limit = [](const RequestHead& head) -> std::size_t {
      if (head.path == "/upload") return 1000;
      if (head.path == "/nobody") return 0;
      return 10;
    };
  });
  ASSERT_TRUE(server);
  TestClient upload(server->port());
  ASSERT_TRUE(upload.Send(
      TestClient::Request("POST", "/upload", std::string(500, 'u'))));
  auto response = upload.ReadResponse();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 200);

  TestClient other(server->port());
  ASSERT_TRUE(
      other.Send(TestClient::Request("POST", "/other", std::string(500, 'o'))));
  ExpectErrorAndClose(other, 413, "ResourceExhausted");

  TestClient nobody(server->port());
  ASSERT_TRUE(nobody.Send(TestClient::Request("POST", "/nobody", "x")));
  ExpectErrorAndClose(nobody, 413, "ResourceExhausted");
}

TEST(HttpServerTest, MalformedRequestsAre400) {
  auto server = StartServer();
  ASSERT_TRUE(server);
  for (const std::string& request :
       {std::string("\x01\x02garbage\r\n\r\n"), std::string("GET\r\n\r\n"),
        std::string("GET / HTTP/2.0\r\n\r\n"),
        std::string("GET / HTTP/1.1\r\nNo colon here\r\n\r\n"),
        std::string("GET relative HTTP/1.1\r\n\r\n"),
        std::string("CONNECT example.com:443 HTTP/1.1\r\n\r\n"),
        std::string("POST / HTTP/1.1\r\nContent-Length: 1\r\n"
                    "Content-Length: 2\r\n\r\nab"),
        std::string("POST / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\nab"),
        std::string("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n"
                    "Content-Length: 2\r\n\r\n0\r\n\r\n"),
        std::string("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
                    "zz\r\n")}) {
    TestClient client(server->port());
    ASSERT_TRUE(client.Send(request));
    SCOPED_TRACE(request);
    ExpectErrorAndClose(client, 400, "InvalidArgument");
  }
}

TEST(HttpServerTest, PathsArePercentDecoded) {
  auto server = StartServer();
  ASSERT_TRUE(server);
  TestClient client(server->port());
  ASSERT_TRUE(
      client.Send(TestClient::Request("GET", "/a%20b%2Fc%C3%A9?q=%41")));
  auto response = client.ReadResponse();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->Json()["path"], "/a b/c\xC3\xA9");
  EXPECT_EQ(response->Json()["query"], "q=%41");

  ASSERT_TRUE(client.Send(
      TestClient::Request("GET", "http://example.com:8080/abs%21?x")));
  response = client.ReadResponse();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->Json()["path"], "/abs!");
  EXPECT_EQ(response->Json()["query"], "x");

  for (const char* target : {"/bad%zz", "/nul%00x", "/short%4", "/end%"}) {
    TestClient bad(server->port());
    ASSERT_TRUE(bad.Send(TestClient::Request("GET", target)));
    SCOPED_TRACE(target);
    ExpectErrorAndClose(bad, 400, "InvalidArgument");
  }
}

TEST(HttpServerTest, SlowRequestGets408AfterRequestTimeout) {
  auto server = StartServer(Echo, [](ServerOptions& options) {
    options.limits.request_timeout = milliseconds(200);
    options.limits.idle_timeout = milliseconds(10'000);
  });
  ASSERT_TRUE(server);
  // Half a header, then nothing.
  TestClient client(server->port());
  const auto start = Clock::now();
  ASSERT_TRUE(client.Send("GET / HTTP/1.1\r\nHost: te"));
  ExpectErrorAndClose(client, 408, "DeadlineExceeded");
  const auto elapsed = Clock::now() - start;
  EXPECT_GE(elapsed, milliseconds(180));
  EXPECT_LT(elapsed, milliseconds(3000));

  // A complete head, half the body, then nothing.
  TestClient body(server->port());
  ASSERT_TRUE(body.Send(
      "POST / HTTP/1.1\r\nHost: test\r\nContent-Length: 10\r\n\r\n12345"));
  ExpectErrorAndClose(body, 408, "DeadlineExceeded");

  // Dripping one byte at a time does not reset the clock.
  TestClient drip(server->port());
  const std::string request = TestClient::Request("GET", "/drip");
  std::optional<TestResponse> response;
  for (char c : request.substr(0, request.size() - 1)) {
    if (!drip.Send(std::string(1, c))) break;
    std::this_thread::sleep_for(milliseconds(20));
  }
  response = drip.ReadResponse();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 408);
}

TEST(HttpServerTest, IdleConnectionIsClosedAfterIdleTimeout) {
  auto server = StartServer(Echo, [](ServerOptions& options) {
    options.limits.idle_timeout = milliseconds(200);
  });
  ASSERT_TRUE(server);
  TestClient client(server->port());
  ASSERT_TRUE(client.Send(TestClient::Request("GET", "/")));
  ASSERT_TRUE(client.ReadResponse());
  const auto start = Clock::now();
  EXPECT_TRUE(client.WaitClosed(milliseconds(3000)));
  EXPECT_GE(Clock::now() - start, milliseconds(150));
  // A connection that never says anything goes the same way.
  TestClient silent(server->port());
  EXPECT_TRUE(silent.WaitClosed(milliseconds(3000)));
}

TEST(HttpServerTest, ConnectionsBeyondTheLimitGet503) {
  auto server = StartServer(
      Echo, [](ServerOptions& options) { options.limits.max_connections = 2; });
  ASSERT_TRUE(server);
  TestClient first(server->port());
  TestClient second(server->port());
  for (TestClient* client : {&first, &second}) {
    ASSERT_TRUE(client->Send(TestClient::Request("GET", "/")));
    ASSERT_TRUE(client->ReadResponse());
  }
  EXPECT_EQ(server->connections(), 2U);
  {
    TestClient third(server->port());
    ASSERT_TRUE(third.Send(TestClient::Request("GET", "/")));
    ExpectErrorAndClose(third, 503, "Unavailable");
  }
  // The first two still work, and a slot freed is a slot reused.
  ASSERT_TRUE(first.Send(TestClient::Request("GET", "/")));
  ASSERT_TRUE(first.ReadResponse());
  ASSERT_TRUE(second.Send(
      TestClient::Request("GET", "/", {}, "Connection: close\r\n")));
  ASSERT_TRUE(second.ReadResponse());
  EXPECT_TRUE(second.WaitClosed(milliseconds(2000)));
  const auto deadline = Clock::now() + milliseconds(2000);
  while (server->connections() > 1 && Clock::now() < deadline) {
    std::this_thread::sleep_for(milliseconds(5));
  }
  TestClient fourth(server->port());
  ASSERT_TRUE(fourth.Send(TestClient::Request("GET", "/")));
  auto response = fourth.ReadResponse();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 200);
}

TEST(HttpServerTest, ThrowingHandlerGets500AndServerGoesOn) {
  std::vector<std::string> errors;
  std::mutex errors_mutex;
  auto server = StartServer(
      [](const HttpRequest& request) -> HttpResponse {
        if (request.head.path == "/throw") throw std::runtime_error("boom");
        if (request.head.path == "/throw-int") throw 42;
        if (request.head.path == "/split") {
          HttpResponse response;
          response.headers = {{"X-Evil", "a\r\nSet-Cookie: x=1"}};
          return response;
        }
        if (request.head.path == "/status") {
          HttpResponse response;
          response.status = 1000;
          return response;
        }
        return Echo(request);
      },
      [&](ServerOptions& options) {
        options.on_error = [&](const std::string& message) {
          const std::lock_guard lock(errors_mutex);
          errors.push_back(message);
        };
      });
  ASSERT_TRUE(server);
  TestClient client(server->port());
  for (const char* path : {"/throw", "/throw-int", "/split", "/status"}) {
    ASSERT_TRUE(client.Send(TestClient::Request("GET", path)));
    auto response = client.ReadResponse();
    ASSERT_TRUE(response) << path;
    EXPECT_EQ(response->status, 500) << path;
    EXPECT_EQ(response->Json()["error"]["code"], "Internal");
    EXPECT_EQ(response->Header("Set-Cookie"), "");
    // The connection stays usable.
    ASSERT_TRUE(client.Send(TestClient::Request("GET", "/fine")));
    response = client.ReadResponse();
    ASSERT_TRUE(response);
    EXPECT_EQ(response->status, 200);
  }
  const std::lock_guard lock(errors_mutex);
  ASSERT_EQ(errors.size(), 4U);
  EXPECT_NE(errors[0].find("boom"), std::string::npos) << errors[0];
}

TEST(HttpServerTest, HttpOneZeroClosesUnlessKeepAlive) {
  auto server = StartServer();
  ASSERT_TRUE(server);
  TestClient plain(server->port());
  ASSERT_TRUE(plain.Send("GET /old HTTP/1.0\r\n\r\n"));
  auto response = plain.ReadResponse();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->Header("Connection"), "close");
  EXPECT_TRUE(plain.WaitClosed(milliseconds(2000)));

  TestClient keep(server->port());
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(
        keep.Send("GET /old HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"));
    response = keep.ReadResponse();
    ASSERT_TRUE(response);
    EXPECT_EQ(response->Header("Connection"), "keep-alive");
  }
}

TEST(HttpServerTest, ConnectionCloseIsHonoured) {
  auto server = StartServer();
  ASSERT_TRUE(server);
  TestClient client(server->port());
  ASSERT_TRUE(client.Send(
      TestClient::Request("GET", "/", {}, "Connection: close\r\n")));
  auto response = client.ReadResponse();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->Header("Connection"), "close");
  EXPECT_TRUE(client.WaitClosed(milliseconds(2000)));
}

TEST(HttpServerTest, MaxRequestsPerConnectionThenClose) {
  auto server = StartServer(Echo, [](ServerOptions& options) {
    options.limits.max_requests_per_connection = 3;
  });
  ASSERT_TRUE(server);
  TestClient client(server->port());
  for (int i = 1; i <= 3; ++i) {
    ASSERT_TRUE(client.Send(TestClient::Request("GET", "/")));
    auto response = client.ReadResponse();
    ASSERT_TRUE(response);
    EXPECT_EQ(response->Header("Connection"), i == 3 ? "close" : "");
  }
  EXPECT_TRUE(client.WaitClosed(milliseconds(2000)));
}

TEST(HttpServerTest, ExpectContinue) {
  auto server = StartServer(Echo, [](ServerOptions& options) {
    options.limits.max_body_bytes = 100;
  });
  ASSERT_TRUE(server);
  TestClient client(server->port());
  ASSERT_TRUE(
      client.Send("POST /e HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\n"
                  "Content-Length: 5\r\n\r\n"));
  auto interim = client.ReadResponse();
  ASSERT_TRUE(interim);
  EXPECT_EQ(interim->status, 100);
  ASSERT_TRUE(client.Send("hello"));
  auto response = client.ReadResponse();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->Json()["body"], "hello");

  TestClient too_big(server->port());
  ASSERT_TRUE(
      too_big.Send("POST /e HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\n"
                   "Content-Length: 500\r\n\r\n"));
  ExpectErrorAndClose(too_big, 413, "ResourceExhausted");

  TestClient odd(server->port());
  ASSERT_TRUE(
      odd.Send("POST /e HTTP/1.1\r\nHost: t\r\nExpect: teapot\r\n"
               "Content-Length: 5\r\n\r\n"));
  ExpectErrorAndClose(odd, 417, "InvalidArgument");
}

TEST(HttpServerTest, ShutdownLetsARunningHandlerAnswer) {
  std::atomic<bool> entered{false};
  auto server = StartServer([&](const HttpRequest& request) {
    entered = true;
    std::this_thread::sleep_for(milliseconds(300));
    return Echo(request);
  });
  ASSERT_TRUE(server);
  const std::uint16_t port = server->port();
  TestClient client(port);
  TestClient idle(port);
  ASSERT_TRUE(client.Send(TestClient::Request("POST", "/slow", "payload")));
  while (!entered) std::this_thread::sleep_for(milliseconds(1));
  EXPECT_EQ(server->in_flight(), 1U);
  const auto start = Clock::now();
  server->Shutdown(milliseconds(5000));
  EXPECT_LT(Clock::now() - start, milliseconds(2000));
  auto response = client.ReadResponse();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->Json()["body"], "payload");
  EXPECT_EQ(response->Header("Connection"), "close");
  EXPECT_TRUE(client.WaitClosed(milliseconds(1000)));
  EXPECT_TRUE(idle.WaitClosed(milliseconds(1000)));
  EXPECT_EQ(server->in_flight(), 0U);
  EXPECT_EQ(server->connections(), 0U);
  TestClient late(port);
  EXPECT_FALSE(late.connected());
  server->Shutdown(milliseconds(5000));  // Idempotent.
}

TEST(HttpServerTest, ShutdownWithIdleConnectionsIsPrompt) {
  auto server = StartServer(Echo, [](ServerOptions& options) {
    options.limits.idle_timeout = milliseconds(60'000);
    options.limits.request_timeout = milliseconds(60'000);
  });
  ASSERT_TRUE(server);
  std::vector<std::unique_ptr<TestClient>> clients;
  for (int i = 0; i < 20; ++i) {
    clients.push_back(std::make_unique<TestClient>(server->port()));
    if (i % 2 == 0) {  // Half have been served once, half said nothing.
      ASSERT_TRUE(clients.back()->Send(TestClient::Request("GET", "/")));
      ASSERT_TRUE(clients.back()->ReadResponse());
    }
  }
  const auto start = Clock::now();
  server->Shutdown(milliseconds(10'000));
  EXPECT_LT(Clock::now() - start, milliseconds(1000));
  for (auto& client : clients)
    EXPECT_TRUE(client->WaitClosed(milliseconds(1000)));
}

TEST(HttpServerTest, ShutdownIsBoundedByGraceWhenAClientStalls) {
  auto server = StartServer(Echo, [](ServerOptions& options) {
    options.limits.idle_timeout = milliseconds(60'000);
    options.limits.request_timeout = milliseconds(60'000);
  });
  ASSERT_TRUE(server);
  TestClient stalled(server->port());
  ASSERT_TRUE(stalled.Send(
      "POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 100\r\n\r\nabc"));
  std::this_thread::sleep_for(milliseconds(50));
  const auto start = Clock::now();
  server->Shutdown(milliseconds(300));
  const auto elapsed = Clock::now() - start;
  EXPECT_GE(elapsed, milliseconds(250));
  EXPECT_LT(elapsed, milliseconds(2000));
  EXPECT_TRUE(stalled.WaitClosed(milliseconds(1000)));
}

TEST(HttpServerTest, DestructorShutsDown) {
  std::uint16_t port = 0;
  {
    auto server = StartServer();
    ASSERT_TRUE(server);
    port = server->port();
    TestClient client(port);
    ASSERT_TRUE(client.Send(TestClient::Request("GET", "/")));
    ASSERT_TRUE(client.ReadResponse());
  }
  TestClient late(port);
  EXPECT_FALSE(late.connected());
}

TEST(HttpServerTest, ConcurrentClientsAreAllAnswered) {
  auto server = StartServer();
  ASSERT_TRUE(server);
  constexpr int kThreads = 8;
  constexpr int kRequests = 200;
  std::atomic<int> correct{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      // Half the threads reconnect for every request.
      std::unique_ptr<TestClient> client;
      for (int i = 0; i < kRequests; ++i) {
        if (!client || t % 2 == 1) {
          client = std::make_unique<TestClient>(server->port());
        }
        const std::string body = std::to_string(t) + ":" + std::to_string(i);
        if (!client->Send(TestClient::Request("POST", "/c", body))) continue;
        auto response = client->ReadResponse();
        if (response && response->status == 200 &&
            response->Json()["body"] == body) {
          ++correct;
        }
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(correct.load(), kThreads * kRequests);
}

TEST(HttpServerTest, StartRefusesBadAddressesAndBusyPorts) {
  ServerOptions options;
  options.address = "not-an-address";
  auto bad = HttpServer::Start(options, Echo);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code(), StatusCode::kInvalidArgument);

  auto first = StartServer();
  ASSERT_TRUE(first);
  ServerOptions same;
  same.port = first->port();
  auto busy = HttpServer::Start(same, Echo);
  ASSERT_FALSE(busy);
  EXPECT_EQ(busy.error().code(), StatusCode::kUnavailable);
}

TEST(HttpServerTest, JsonErrorBodyEscapes) {
  const nlohmann::json json = nlohmann::json::parse(
      JsonErrorBody("InvalidArgument", "bad \"quote\"\n\xff"));
  EXPECT_EQ(json["error"]["code"], "InvalidArgument");
  EXPECT_EQ(json["error"]["message"], "bad \"quote\"\n\xEF\xBF\xBD");
}

// The parser alone, as the fuzz target drives it.

TEST(RequestParserTest, PercentDecodePath) {
  EXPECT_EQ(*PercentDecodePath("/a%2fb%2F%41"), "/a/b/A");
  EXPECT_EQ(*PercentDecodePath("/plain"), "/plain");
  EXPECT_FALSE(PercentDecodePath("/%"));
  EXPECT_FALSE(PercentDecodePath("/%4"));
  EXPECT_FALSE(PercentDecodePath("/%g0"));
  EXPECT_FALSE(PercentDecodePath("/%00"));
  EXPECT_FALSE(PercentDecodePath(std::string_view("/\0", 2)));
}

TEST(RequestParserTest, FedByteByByte) {
  const ServerLimits limits;
  const RequestParser::BodyLimit no_function;
  RequestParser parser(limits, no_function);
  const std::string request =
      "POST /p%20q?r HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n"
      "\r\n3\r\nabc\r\n0\r\nTrailer: x\r\n\r\nNEXT";
  std::size_t used = 0;
  std::string pending;
  for (char c : request) {
    pending.push_back(c);
    const std::size_t n = parser.Feed(pending);
    pending.erase(0, n);
    used += n;
    if (parser.is_done() || parser.failed()) break;
  }
  ASSERT_FALSE(parser.failed()) << parser.error().message;
  ASSERT_TRUE(parser.is_done());
  EXPECT_EQ(used, request.size() - 4);
  EXPECT_EQ(parser.request().head.path, "/p q");
  EXPECT_EQ(parser.request().head.query, "r");
  EXPECT_EQ(parser.request().body, "abc");
  EXPECT_EQ(parser.request().head.Header("trailer"), "");
  EXPECT_EQ(parser.request().head.Header("HOST"), "h");
}

// Feeds `request` at once (piece 0) or in pieces; the refusal, if any.
std::optional<RequestError> ParseInPieces(const std::string& request,
                                          const ServerLimits& limits,
                                          std::size_t piece) {
  const RequestParser::BodyLimit no_function;
  RequestParser parser(limits, no_function);
  std::string pending;
  for (std::size_t offered = 0;
       offered < request.size() && !parser.is_done() && !parser.failed();) {
    const std::size_t take = piece == 0 ? request.size() : piece;
    pending += request.substr(offered, take);
    offered += take;
    pending.erase(0, parser.Feed(pending));
  }
  if (parser.failed()) return parser.error();
  EXPECT_TRUE(parser.is_done());
  return std::nullopt;
}

TEST(RequestParserTest, HeaderLimitIsExactHoweverBytesArrive) {
  ServerLimits limits;
  limits.max_header_bytes = 200;
  const std::string start = "GET /" + std::string(120, 'p') + " HTTP/1.1\r\n";
  const std::string end = "\r\n\r\n";
  const std::string fits =
      start + "X: " + std::string(200 - start.size() - 3 - end.size(), 'v') +
      end;
  ASSERT_EQ(fits.size(), 200U);
  const std::string over = start + "X: v" + fits.substr(start.size() + 3);
  ASSERT_EQ(over.size(), 201U);
  for (std::size_t piece : {0, 1, 7, 64}) {
    SCOPED_TRACE(piece);
    EXPECT_FALSE(ParseInPieces(fits, limits, piece));
    const auto error = ParseInPieces(over, limits, piece);
    ASSERT_TRUE(error);
    EXPECT_EQ(error->status, 431);
  }
}

}  // namespace
}  // namespace rempart::service

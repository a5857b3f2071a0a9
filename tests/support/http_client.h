// A small blocking HTTP/1.1 client for tests: one request per connection
// (or several on one kept-alive connection), raw sockets, no library, so
// that tests see exactly what the server sends.
#ifndef REMPART_TESTS_SUPPORT_HTTP_CLIENT_H_
#define REMPART_TESTS_SUPPORT_HTTP_CLIENT_H_

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cctype>
#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace rempart::testing {

struct ClientResponse {
  int status = 0;  // 0: no answer (connection closed or timed out).
  std::map<std::string, std::string> headers;  // Names lower-cased.
  std::string body;
  [[nodiscard]] nlohmann::json Json() const {
    return nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  }
};

class HttpConnection {
 public:
  explicit HttpConnection(std::uint16_t port, int timeout_ms = 10'000) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    timeval tv{timeout_ms / 1000, (timeout_ms % 1000) * 1000};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) !=
        0) {
      ::close(fd_);
      fd_ = -1;
    }
  }
  ~HttpConnection() {
    if (fd_ >= 0) ::close(fd_);
  }
  HttpConnection(const HttpConnection&) = delete;
  HttpConnection& operator=(const HttpConnection&) = delete;

  [[nodiscard]] bool connected() const { return fd_ >= 0; }

  bool SendRaw(std::string_view bytes) {
    while (!bytes.empty()) {
      const ssize_t sent =
          ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
      if (sent <= 0) return false;
      bytes.remove_prefix(static_cast<std::size_t>(sent));
    }
    return true;
  }

  ClientResponse Send(
      const std::string& method, const std::string& target,
      const std::string& body = {},
      const std::vector<std::pair<std::string, std::string>>& headers = {},
      const std::string& content_type = "application/json") {
    std::string request = method + " " + target + " HTTP/1.1\r\nHost: test\r\n";
    for (const auto& [name, value] : headers) {
      request += name + ": " + value + "\r\n";
    }
    if (!body.empty() || method == "POST") {
      request += "Content-Type: " + content_type + "\r\n";
      request += "Content-Length: " + std::to_string(body.size()) + "\r\n";
    }
    request += "\r\n" + body;
    if (!SendRaw(request)) return {};
    return Read(/*with_body=*/method != "HEAD");
  }

  // Reads one response; the answer to HEAD has a Content-Length but no
  // body (`with_body` false).
  ClientResponse Read(bool with_body = true) {
    ClientResponse response;
    std::size_t header_end;
    while ((header_end = buffer_.find("\r\n\r\n")) == std::string::npos) {
      if (!Fill()) return response;
    }
    const std::string head = buffer_.substr(0, header_end);
    buffer_.erase(0, header_end + 4);
    std::size_t line_end = head.find("\r\n");
    const std::string status_line = head.substr(0, line_end);
    if (status_line.size() < 12) return response;
    response.status = std::stoi(status_line.substr(9, 3));
    while (line_end != std::string::npos) {
      const std::size_t next = head.find("\r\n", line_end + 2);
      const std::string line = head.substr(
          line_end + 2,
          next == std::string::npos ? std::string::npos : next - line_end - 2);
      const std::size_t colon = line.find(':');
      if (colon != std::string::npos) {
        std::string name = line.substr(0, colon);
        for (char& c : name) c = static_cast<char>(std::tolower(c));
        std::string value = line.substr(colon + 1);
        while (!value.empty() && value.front() == ' ') value.erase(0, 1);
        response.headers[name] = value;
      }
      line_end = next;
    }
    const auto length = response.headers.find("content-length");
    const std::size_t size = length == response.headers.end() || !with_body
                                 ? 0
                                 : std::stoul(length->second);
    while (buffer_.size() < size) {
      if (!Fill()) {
        response.status = 0;
        return response;
      }
    }
    response.body = buffer_.substr(0, size);
    buffer_.erase(0, size);
    return response;
  }

  // True when the server closed the connection (EOF) within the timeout.
  bool Closed() {
    char byte;
    const ssize_t got = ::recv(fd_, &byte, 1, 0);
    if (got > 0) buffer_ += byte;
    return got == 0;
  }

 private:
  bool Fill() {
    char chunk[65536];
    const ssize_t got = ::recv(fd_, chunk, sizeof chunk, 0);
    if (got <= 0) return false;
    buffer_.append(chunk, static_cast<std::size_t>(got));
    return true;
  }

  int fd_ = -1;
  std::string buffer_;
};

// One request on a fresh connection.
inline ClientResponse HttpRequest(
    std::uint16_t port, const std::string& method, const std::string& target,
    const std::string& body = {},
    const std::vector<std::pair<std::string, std::string>>& headers = {},
    const std::string& content_type = "application/json") {
  HttpConnection connection(port);
  if (!connection.connected()) return {};
  return connection.Send(method, target, body, headers, content_type);
}

}  // namespace rempart::testing

#endif  // REMPART_TESTS_SUPPORT_HTTP_CLIENT_H_

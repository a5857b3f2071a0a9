// The HTTP server: Asio's io_context run by a few threads, one Session per
// connection, each Session a small state machine on its own strand.
//
//   idle ──first byte──▶ reading ──request complete──▶ writing ──┐
//     ▲                     │ refused (4xx)                      │
//     └────── keep-alive ───┼────────────────────────────────────┘
//                           ▼
//                        closing (lingering) ──▶ closed
//
// Timeouts. Waiting idle for a request is bounded by idle_timeout (the
// first request of a connection by the smaller of idle_timeout and
// request_timeout, so that connecting and saying nothing holds a slot no
// longer than a slow request may); expiry closes the connection silently.
// That wait is a plain tcp_stream read with expires_after(). From the first
// byte of a request to the end of its body, request_timeout applies. It is
// a separate timer, not tcp_stream's: tcp_stream closes the socket when its
// timer fires, and a client that is merely slow deserves a 408 it can read.
// Our timer cancels the pending read instead, the session writes the 408
// (under a write deadline, so best effort) and closes. The timer is armed
// only when a request does not arrive in one read, which is the rare case:
// a small request costs no timer operation at all.
//
// Reading. Bytes go into one flat_buffer per session (reused, capped at the
// header limit plus one read) and are fed to a RequestParser
// (request_parser.h), which fills the HttpRequest as it goes and applies
// the header, body and syntax rules. The body limit comes from
// ServerOptions::body_limit once the head is known; an over-long
// Content-Length is refused before any body byte is read.
//
// Expect: 100-continue (RFC 7231 §5.1.1) is honoured: once the head has
// passed every check, "100 Continue" is written unless body bytes have
// already arrived. Any other expectation gets 417.
//
// Responses are serialized by hand into a reused string, and written with
// the body as a second buffer (no copy). Errors, and the last response of
// a connection, end with a lingering close: shut down our side, then read
// and discard for up to half a second, because closing a socket with
// unread input makes the kernel send a reset that can destroy the response
// before the client reads it.
//
// Shutdown. The acceptor closes; every session is told on its strand: an
// idle one closes now, one reading or writing finishes its request and
// closes after the response. Shutdown() waits for the sessions to end, up
// to `grace`, then closes whatever is left, waits up to a second for those
// handlers to run, stops the io_context if anything still lingers, and
// joins the threads. Handlers run on the I/O threads, so one that never
// returns cannot be interrupted; nothing else can make Shutdown() hang.
#include "rempart/service/http_server.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/status.hpp>
#include <cassert>
#include <charconv>
#include <condition_variable>
#include <ctime>
#include <exception>
#include <list>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <thread>

#include "service/http/request_parser.h"

namespace rempart::service {

namespace asio = boost::asio;
namespace beast = boost::beast;
using Tcp = asio::ip::tcp;

namespace {

// One read asks for this much; also the slack over the header limit the
// session buffer may hold.
constexpr std::size_t kReadChunk = std::size_t{16} * 1024;
// After the header, only a chunk header or the trailer can sit unparsed in
// the buffer; either longer than this is refused rather than rescanned.
constexpr std::size_t kMaxPendingChunkHeader = std::size_t{4} * 1024;
// The lingering close: how long and how much to read and discard.
constexpr std::chrono::milliseconds kLingerTime{500};
constexpr std::size_t kMaxLingerBytes = std::size_t{256} * 1024;
// accept() failing (out of descriptors) is retried after this pause.
constexpr std::chrono::milliseconds kAcceptRetryDelay{50};
// After the grace period, how long closed sessions get to unwind.
constexpr std::chrono::seconds kForceCloseWait{1};

bool EqualsNoCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    const auto lower = [](char c) {
      return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
    };
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

// RFC 7230 §3.2.6 tchar.
bool IsTokenChar(char c) {
  if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
      (c >= 'A' && c <= 'Z')) {
    return true;
  }
  return std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

bool IsToken(std::string_view text) {
  return !text.empty() && std::all_of(text.begin(), text.end(), IsTokenChar);
}

// A header value may hold any byte but the controls (tab excepted): a CR
// or LF from a handler would split the response.
bool IsFieldValue(std::string_view text) {
  return std::none_of(text.begin(), text.end(), [](char c) {
    const auto byte = static_cast<unsigned char>(c);
    return (byte < 0x20 && c != '\t') || byte == 0x7f;
  });
}

// Why `response` cannot be sent, or empty when it can.
std::string CheckResponse(const HttpResponse& response) {
  if (response.status < 200 || response.status > 599) {
    return "status " + std::to_string(response.status);
  }
  if (!IsFieldValue(response.content_type)) return "content type";
  for (const HttpHeader& header : response.headers) {
    if (!IsToken(header.name) || !IsFieldValue(header.value)) {
      return "header " + header.name;
    }
  }
  return {};
}

// `text` with control characters replaced, for messages about requests.
std::string Printable(std::string_view text) {
  std::string printable(text.substr(0, 200));
  for (char& c : printable) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte == 0x7f) c = '?';
  }
  return printable;
}

// The Date header's value (RFC 7231 §7.1.1.1), formatted once a second
// per thread.
std::string_view HttpDate() {
  static constexpr std::array<const char*, 7> kDays = {
      "Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static constexpr std::array<const char*, 12> kMonths = {
      "Jan", "Feb", "Mar", "Apr", "May", "Jun",
      "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  thread_local std::time_t cached_second = -1;
  thread_local std::array<char, 40> text{};
  thread_local int length = 0;
  const std::time_t now = std::time(nullptr);
  if (now != cached_second) {
    std::tm utc{};
    gmtime_r(&now, &utc);
    length = std::snprintf(
        text.data(), text.size(), "%s, %02d %s %04d %02d:%02d:%02d GMT",
        kDays.at(utc.tm_wday % 7), utc.tm_mday, kMonths.at(utc.tm_mon % 12),
        utc.tm_year + 1900, utc.tm_hour, utc.tm_min, utc.tm_sec);
    cached_second = now;
  }
  return {text.data(), static_cast<std::size_t>(std::max(length, 0))};
}

void AppendNumber(std::string& out, std::size_t number) {
  std::array<char, 24> digits{};
  const auto end =
      std::to_chars(digits.data(), digits.data() + digits.size(), number).ptr;
  out.append(digits.data(), end);
}

// Writes the status line and header block of `response` into `out`.
// Framing (Content-Length, Connection) is the server's: handler headers of
// those names are dropped. Server, Date, Content-Type,
// X-Content-Type-Options and Cache-Control are defaults a handler header
// of the same name replaces.
void AppendResponseHead(const HttpResponse& response, bool keep_alive,
                        int request_version, std::string& out) {
  bool has_server = false;
  bool has_date = false;
  bool has_content_type = false;
  bool has_nosniff = false;
  bool has_cache_control = false;
  for (const HttpHeader& header : response.headers) {
    has_server = has_server || EqualsNoCase(header.name, "Server");
    has_date = has_date || EqualsNoCase(header.name, "Date");
    has_content_type =
        has_content_type || EqualsNoCase(header.name, "Content-Type");
    has_nosniff =
        has_nosniff || EqualsNoCase(header.name, "X-Content-Type-Options");
    has_cache_control =
        has_cache_control || EqualsNoCase(header.name, "Cache-Control");
  }
  // RFC 7230 §3.3.2: 204 and 304 responses carry no body and, here, no
  // Content-Length.
  const bool bodiless = response.status == 204 || response.status == 304;

  out.append("HTTP/1.1 ");
  AppendNumber(out, static_cast<std::size_t>(response.status));
  out.push_back(' ');
  const beast::string_view reason = beast::http::obsolete_reason(
      static_cast<beast::http::status>(response.status));
  out.append(reason.data(), reason.size());
  out.append("\r\n");
  if (!has_server) out.append("Server: rempart\r\n");
  if (!has_date) {
    out.append("Date: ");
    out.append(HttpDate());
    out.append("\r\n");
  }
  if (!has_content_type && !response.content_type.empty() && !bodiless) {
    out.append("Content-Type: ");
    out.append(response.content_type);
    out.append("\r\n");
  }
  if (!bodiless) {
    out.append("Content-Length: ");
    AppendNumber(out, response.body.size());
    out.append("\r\n");
  }
  if (!has_nosniff) out.append("X-Content-Type-Options: nosniff\r\n");
  if (!has_cache_control) out.append("Cache-Control: no-store\r\n");
  for (const HttpHeader& header : response.headers) {
    if (EqualsNoCase(header.name, "Content-Length") ||
        EqualsNoCase(header.name, "Transfer-Encoding") ||
        EqualsNoCase(header.name, "Connection")) {
      continue;
    }
    out.append(header.name);
    out.append(": ");
    out.append(header.value);
    out.append("\r\n");
  }
  if (!keep_alive) {
    out.append("Connection: close\r\n");
  } else if (request_version < 11) {
    out.append("Connection: keep-alive\r\n");
  }
  out.append("\r\n");
}

// True when a handler asked for the connection to close after responding.
bool AsksToClose(const HttpResponse& response) {
  return std::any_of(response.headers.begin(), response.headers.end(),
                     [](const HttpHeader& header) {
                       return EqualsNoCase(header.name, "Connection") &&
                              EqualsNoCase(header.value, "close");
                     });
}

int ThreadCount(const ServerOptions& options) {
  if (options.threads > 0) return options.threads;
  return static_cast<int>(std::max(1U, std::thread::hardware_concurrency()));
}

class Session;

class ServerImpl final : public HttpServer {
 public:
  ServerImpl(ServerOptions options, HttpHandler handler);
  ~ServerImpl() override;
  ServerImpl(const ServerImpl&) = delete;
  ServerImpl& operator=(const ServerImpl&) = delete;

  Status Listen(const Tcp::endpoint& endpoint);
  void Run();

  [[nodiscard]] std::uint16_t port() const override { return port_; }
  [[nodiscard]] std::size_t in_flight() const override {
    return in_flight_.load(std::memory_order_relaxed);
  }
  [[nodiscard]] std::size_t connections() const override {
    return connections_.load(std::memory_order_relaxed);
  }
  void Shutdown(std::chrono::milliseconds grace) override;

  // For sessions.
  [[nodiscard]] const ServerLimits& limits() const { return options_.limits; }
  [[nodiscard]] const RequestParser::BodyLimit& body_limit() const {
    return options_.body_limit;
  }
  [[nodiscard]] bool stopping() const {
    return stopping_.load(std::memory_order_acquire);
  }
  // The handler's response to `request`, or a 500 when it throws or
  // answers with something that cannot be sent.
  HttpResponse Call(const HttpRequest& request);
  void AddInFlight(int delta) {
    in_flight_.fetch_add(static_cast<std::size_t>(delta),
                         std::memory_order_relaxed);
  }
  using Registration = std::list<std::weak_ptr<Session>>::iterator;
  // Sessions add themselves once shared, and leave when destroyed; a
  // counted one occupies one of max_connections.
  Registration Register(const std::shared_ptr<Session>& session, bool counted);
  void Unregister(Registration position, bool counted);

 private:
  void Accept();
  void OnAccept(beast::error_code ec, Tcp::socket socket);
  // Calls `function` with every live session, outside the registry lock.
  template <typename Function>
  void ForEachSession(const Function& function);
  void Report(const std::string& message);

  ServerOptions options_;
  HttpHandler handler_;
  std::atomic<bool> stopping_{false};
  std::atomic<std::size_t> in_flight_{0};
  std::atomic<std::size_t> connections_{0};
  std::uint16_t port_ = 0;

  std::mutex sessions_mutex_;
  std::condition_variable sessions_changed_;
  std::list<std::weak_ptr<Session>> sessions_;

  std::mutex shutdown_mutex_;  // Serialises Shutdown() calls.
  bool shut_down_ = false;

  // Destroyed before the registry above: handlers still queued on a
  // stopped io_context hold sessions, which unregister when destroyed.
  asio::io_context io_context_;
  Tcp::acceptor acceptor_;
  asio::steady_timer accept_retry_;
  std::vector<std::thread> threads_;
};

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(ServerImpl& server, Tcp::socket socket, bool counted);
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  [[nodiscard]] const asio::any_io_executor& executor() const {
    return executor_;
  }
  void set_registration(ServerImpl::Registration registration) {
    registration_ = registration;
  }

  // Each of these runs on executor().
  // Serves the connection; a rejected one (over max_connections) gets 503.
  void Start(bool rejected);
  // The server is shutting down: an idle connection closes now, a busy one
  // after its response.
  void BeginShutdown();
  void ForceClose() { Close(); }

 private:
  enum class Phase { kIdle, kReading, kWriting, kClosing, kClosed };

  void WaitForRequest();
  void OnIdleRead(beast::error_code ec, std::size_t bytes);
  void BeginRequest();
  void ParseBuffered();
  void ReadMore();
  void OnRequestRead(beast::error_code ec, std::size_t bytes);
  void WriteContinue();
  void Respond();
  void WriteError(int status, std::string_view code, std::string_view message);
  void WriteTimeout();
  void Write();
  void OnWrite(beast::error_code ec);
  void LingeringClose();
  void Drain();
  void Close();

  void ArmRequestTimer();
  void OnRequestTimer(beast::error_code ec, std::uint64_t generation);
  void DisarmRequestTimer();
  void SetInFlight(bool in_flight);

  ServerImpl& server_;
  beast::tcp_stream stream_;
  const asio::any_io_executor executor_;  // The connection's strand.
  asio::steady_timer request_timer_;
  beast::flat_buffer buffer_;
  std::optional<RequestParser> parser_;
  HttpResponse response_;
  std::string response_head_;
  std::string remote_address_;
  ServerImpl::Registration registration_;
  std::chrono::steady_clock::time_point request_start_;
  std::uint64_t request_generation_ = 0;  // Stale timer wake-ups are ignored.
  std::size_t requests_ = 0;
  std::size_t lingered_bytes_ = 0;
  Phase phase_ = Phase::kIdle;
  bool counted_;
  bool timer_armed_ = false;
  bool timed_out_ = false;
  bool continue_checked_ = false;
  bool close_after_write_ = false;
  bool in_flight_ = false;
};

// ---------------------------------------------------------------------------
// Session

Session::Session(ServerImpl& server, Tcp::socket socket, bool counted)
    : server_(server),
      stream_(std::move(socket)),
      executor_(stream_.get_executor()),
      request_timer_(executor_),
      buffer_(server.limits().max_header_bytes + kReadChunk),
      counted_(counted) {
  beast::error_code ec;
  const Tcp::endpoint remote = stream_.socket().remote_endpoint(ec);
  if (!ec) remote_address_ = remote.address().to_string();
}

Session::~Session() {
  SetInFlight(false);
  server_.Unregister(registration_, counted_);
}

void Session::Start(bool rejected) {
  if (rejected) {
    WriteError(503, "Unavailable", "too many connections");
    return;
  }
  WaitForRequest();
}

void Session::BeginShutdown() {
  if (phase_ == Phase::kIdle) Close();
}

void Session::WaitForRequest() {
  phase_ = Phase::kIdle;
  if (server_.stopping()) {
    Close();
    return;
  }
  if (buffer_.size() > 0) {  // Pipelined: the next request is here.
    BeginRequest();
    ParseBuffered();
    return;
  }
  const ServerLimits& limits = server_.limits();
  stream_.expires_after(
      requests_ == 0 ? std::min(limits.idle_timeout, limits.request_timeout)
                     : limits.idle_timeout);
  stream_.async_read_some(
      buffer_.prepare(kReadChunk),
      [self = shared_from_this()](beast::error_code ec, std::size_t bytes) {
        self->OnIdleRead(ec, bytes);
      });
}

void Session::OnIdleRead(beast::error_code ec, std::size_t bytes) {
  // An error here is the idle timeout, the client leaving or shutdown:
  // nothing was asked, so nothing is answered.
  if (ec || phase_ != Phase::kIdle) {
    Close();
    return;
  }
  buffer_.commit(bytes);
  BeginRequest();
  ParseBuffered();
}

void Session::BeginRequest() {
  request_start_ = std::chrono::steady_clock::now();
  parser_.emplace(server_.limits(), server_.body_limit());
  phase_ = Phase::kReading;
  timed_out_ = false;
  continue_checked_ = false;
}

void Session::ParseBuffered() {
  const auto data = buffer_.data();
  buffer_.consume(parser_->Feed(
      std::string_view(static_cast<const char*>(data.data()), data.size())));
  if (parser_->failed()) {
    const RequestError& error = parser_->error();
    WriteError(error.status, error.code, error.message);
    return;
  }
  if (parser_->is_done()) {
    Respond();
    return;
  }
  if (parser_->is_header_done() && !continue_checked_) {
    continue_checked_ = true;
    if (parser_->has_unsupported_expectation()) {
      WriteError(417, "InvalidArgument", "unsupported Expect header");
      return;
    }
    if (parser_->expects_continue() && buffer_.size() == 0) {
      WriteContinue();
      return;
    }
  }
  ReadMore();
}

void Session::ReadMore() {
  if (parser_->is_header_done() && buffer_.size() > kMaxPendingChunkHeader) {
    WriteError(400, "InvalidArgument", "chunk header or trailer too long");
    return;
  }
  const std::size_t room = buffer_.max_size() - buffer_.size();
  if (room == 0) {  // The parser reports header_limit before this.
    WriteError(431, "ResourceExhausted", "request header too large");
    return;
  }
  ArmRequestTimer();
  stream_.expires_never();
  stream_.async_read_some(
      buffer_.prepare(std::min(kReadChunk, room)),
      [self = shared_from_this()](beast::error_code ec, std::size_t bytes) {
        self->OnRequestRead(ec, bytes);
      });
}

void Session::OnRequestRead(beast::error_code ec, std::size_t bytes) {
  if (phase_ != Phase::kReading) {
    Close();
    return;
  }
  if (timed_out_) {
    WriteTimeout();
    return;
  }
  if (ec) {  // The client left mid-request, or shutdown forced the close.
    Close();
    return;
  }
  buffer_.commit(bytes);
  ParseBuffered();
}

void Session::WriteContinue() {
  static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
  ArmRequestTimer();
  stream_.expires_never();
  asio::async_write(
      stream_, asio::const_buffer(kContinue.data(), kContinue.size()),
      [self = shared_from_this()](beast::error_code ec, std::size_t) {
        if (self->phase_ == Phase::kReading && self->timed_out_) {
          self->WriteTimeout();
        } else if (self->phase_ != Phase::kReading || ec) {
          self->Close();
        } else {
          self->ReadMore();
        }
      });
}

void Session::Respond() {
  DisarmRequestTimer();
  phase_ = Phase::kWriting;
  ++requests_;
  HttpRequest& request = parser_->request();
  request.remote_address = remote_address_;
  SetInFlight(true);
  response_ = server_.Call(request);
  const bool keep_alive =
      parser_->keep_alive() && !AsksToClose(response_) &&
      requests_ < server_.limits().max_requests_per_connection &&
      !server_.stopping();
  close_after_write_ = !keep_alive;
  response_head_.clear();
  AppendResponseHead(response_, keep_alive, parser_->http_version(),
                     response_head_);
  // HEAD: the head of what GET would send, without its body (RFC 7231
  // §4.3.2).
  if (request.head.method == "HEAD" || response_.status == 204 ||
      response_.status == 304) {
    response_.body.clear();
  }
  Write();
}

void Session::WriteError(int status, std::string_view code,
                         std::string_view message) {
  DisarmRequestTimer();
  phase_ = Phase::kWriting;
  response_ = ErrorResponse(status, code, message);
  close_after_write_ = true;
  response_head_.clear();
  AppendResponseHead(response_, /*keep_alive=*/false, 11, response_head_);
  Write();
}

void Session::WriteTimeout() {
  WriteError(408, "DeadlineExceeded",
             "request not received within " +
                 std::to_string(server_.limits().request_timeout.count()) +
                 " ms");
}

void Session::Write() {
  stream_.expires_after(server_.limits().request_timeout);
  const std::array<asio::const_buffer, 2> buffers = {
      asio::buffer(response_head_), asio::buffer(response_.body)};
  asio::async_write(
      stream_, buffers,
      [self = shared_from_this()](beast::error_code ec, std::size_t) {
        self->OnWrite(ec);
      });
}

void Session::OnWrite(beast::error_code ec) {
  SetInFlight(false);
  if (ec || phase_ != Phase::kWriting) {
    Close();
    return;
  }
  if (close_after_write_ || server_.stopping()) {
    LingeringClose();
    return;
  }
  parser_.reset();
  // Keep the memory of a large response from lingering on an idle
  // connection; small ones keep theirs for the next request.
  if (response_.body.capacity() > kReadChunk) response_.body = std::string();
  WaitForRequest();
}

void Session::LingeringClose() {
  phase_ = Phase::kClosing;
  beast::error_code ignored;
  stream_.socket().shutdown(Tcp::socket::shutdown_send, ignored);
  buffer_.clear();
  lingered_bytes_ = 0;
  stream_.expires_after(kLingerTime);
  Drain();
}

void Session::Drain() {
  stream_.async_read_some(
      buffer_.prepare(kReadChunk),
      [self = shared_from_this()](beast::error_code ec, std::size_t bytes) {
        self->lingered_bytes_ += bytes;
        if (ec || self->phase_ != Phase::kClosing ||
            self->lingered_bytes_ > kMaxLingerBytes) {
          self->Close();
        } else {
          self->Drain();
        }
      });
}

void Session::Close() {
  if (phase_ == Phase::kClosed) return;
  phase_ = Phase::kClosed;
  DisarmRequestTimer();
  SetInFlight(false);
  stream_.close();
}

void Session::ArmRequestTimer() {
  if (timer_armed_) return;
  timer_armed_ = true;
  request_timer_.expires_at(request_start_ + server_.limits().request_timeout);
  request_timer_.async_wait(
      [self = shared_from_this(), generation = request_generation_](
          beast::error_code ec) { self->OnRequestTimer(ec, generation); });
}

void Session::OnRequestTimer(beast::error_code ec, std::uint64_t generation) {
  if (ec || generation != request_generation_ || phase_ != Phase::kReading) {
    return;
  }
  // The pending read (or 100 Continue write) completes with
  // operation_aborted and its handler answers 408.
  timed_out_ = true;
  beast::error_code ignored;
  stream_.socket().cancel(ignored);
}

void Session::DisarmRequestTimer() {
  ++request_generation_;
  if (timer_armed_) {
    timer_armed_ = false;
    request_timer_.cancel();
  }
}

void Session::SetInFlight(bool in_flight) {
  if (in_flight == in_flight_) return;
  in_flight_ = in_flight;
  server_.AddInFlight(in_flight ? 1 : -1);
}

// ---------------------------------------------------------------------------
// ServerImpl

ServerImpl::ServerImpl(ServerOptions options, HttpHandler handler)
    : options_(std::move(options)),
      handler_(std::move(handler)),
      io_context_(ThreadCount(options_)),
      acceptor_(asio::make_strand(io_context_)),
      accept_retry_(acceptor_.get_executor()) {}

ServerImpl::~ServerImpl() { Shutdown(std::chrono::milliseconds(0)); }

Status ServerImpl::Listen(const Tcp::endpoint& endpoint) {
  beast::error_code ec;
  acceptor_.open(endpoint.protocol(), ec);
  if (!ec) acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor_.bind(endpoint, ec);
  if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
  if (!ec) port_ = acceptor_.local_endpoint(ec).port();
  if (ec) {
    return UnavailableError("cannot listen on " + options_.address + " port " +
                            std::to_string(endpoint.port()) + ": " +
                            ec.message());
  }
  return OkStatus();
}

void ServerImpl::Run() {
  // The first accept is queued before any thread runs, so that run() has
  // work and does not return at once.
  Accept();
  const int count = ThreadCount(options_);
  threads_.reserve(static_cast<std::size_t>(count));
  for (int i = 0; i < count; ++i) {
    threads_.emplace_back([this] {
      for (;;) {
        try {
          io_context_.run();
          return;
        } catch (const std::exception& e) {
          Report(std::string("I/O thread: ") + e.what());
        } catch (...) {
          Report("I/O thread: unknown exception");
        }
      }
    });
  }
}

void ServerImpl::Accept() {
  acceptor_.async_accept(asio::make_strand(io_context_),
                         [this](beast::error_code ec, Tcp::socket socket) {
                           OnAccept(ec, std::move(socket));
                         });
}

void ServerImpl::OnAccept(beast::error_code ec, Tcp::socket socket) {
  if (ec == asio::error::operation_aborted || stopping()) return;
  if (ec) {
    // Out of descriptors or memory: retrying at once would spin.
    accept_retry_.expires_after(kAcceptRetryDelay);
    accept_retry_.async_wait([this](beast::error_code wait_error) {
      if (!wait_error && !stopping()) Accept();
    });
    return;
  }
  beast::error_code ignored;
  socket.set_option(Tcp::no_delay(true), ignored);
  // Only this strand adds connections, so the count cannot pass the limit
  // between the check and the increment.
  const bool rejected = connections_.load(std::memory_order_relaxed) >=
                        options_.limits.max_connections;
  auto session = std::make_shared<Session>(*this, std::move(socket), !rejected);
  session->set_registration(Register(session, !rejected));
  asio::dispatch(session->executor(),
                 [session, rejected] { session->Start(rejected); });
  Accept();
}

ServerImpl::Registration ServerImpl::Register(
    const std::shared_ptr<Session>& session, bool counted) {
  if (counted) connections_.fetch_add(1, std::memory_order_relaxed);
  const std::lock_guard lock(sessions_mutex_);
  return sessions_.insert(sessions_.end(), session);
}

void ServerImpl::Unregister(Registration position, bool counted) {
  if (counted) connections_.fetch_sub(1, std::memory_order_relaxed);
  const std::lock_guard lock(sessions_mutex_);
  sessions_.erase(position);
  if (sessions_.empty()) sessions_changed_.notify_all();
}

template <typename Function>
void ServerImpl::ForEachSession(const Function& function) {
  std::vector<std::shared_ptr<Session>> live;
  {
    const std::lock_guard lock(sessions_mutex_);
    live.reserve(sessions_.size());
    for (const std::weak_ptr<Session>& weak : sessions_) {
      if (auto session = weak.lock()) live.push_back(std::move(session));
    }
  }
  for (const auto& session : live) function(session);
}

HttpResponse ServerImpl::Call(const HttpRequest& request) {
  const auto describe = [&request] {
    return "handler for " + request.head.method + " " +
           Printable(request.head.path);
  };
  try {
    HttpResponse response = handler_(request);
    std::string problem = CheckResponse(response);
    if (problem.empty()) return response;
    Report(describe() + " returned an invalid response (" + Printable(problem) +
           ")");
  } catch (const std::exception& e) {
    Report(describe() + " threw: " + e.what());
  } catch (...) {
    Report(describe() + " threw an unknown exception");
  }
  return ErrorResponse(500, "Internal", "internal error");
}

void ServerImpl::Report(const std::string& message) {
  if (!options_.on_error) return;
  try {
    options_.on_error(message);
  } catch (...) {  // NOLINT(bugprone-empty-catch): nowhere left to report.
  }
}

void ServerImpl::Shutdown(std::chrono::milliseconds grace) {
  const std::lock_guard shutdown_lock(shutdown_mutex_);
  if (shut_down_) return;
  shut_down_ = true;
  assert(std::none_of(threads_.begin(), threads_.end(),
                      [](const std::thread& thread) {
                        return thread.get_id() == std::this_thread::get_id();
                      }) &&
         "Shutdown() called from a handler");
  stopping_.store(true, std::memory_order_release);
  asio::post(acceptor_.get_executor(), [this] {
    beast::error_code ignored;
    acceptor_.close(ignored);
    accept_retry_.cancel();
  });
  ForEachSession([](const std::shared_ptr<Session>& session) {
    asio::post(session->executor(), [session] { session->BeginShutdown(); });
  });
  {
    std::unique_lock lock(sessions_mutex_);
    const auto drained = [this] { return sessions_.empty(); };
    if (!sessions_changed_.wait_for(lock, grace, drained)) {
      lock.unlock();
      ForEachSession([](const std::shared_ptr<Session>& session) {
        asio::post(session->executor(), [session] { session->ForceClose(); });
      });
      lock.lock();
      if (!sessions_changed_.wait_for(lock, kForceCloseWait, drained)) {
        io_context_.stop();
      }
    }
  }
  for (std::thread& thread : threads_) thread.join();
  threads_.clear();
}

}  // namespace

std::string_view RequestHead::Header(std::string_view name) const {
  for (const HttpHeader& header : headers) {
    if (EqualsNoCase(header.name, name)) return header.value;
  }
  return {};
}

HttpResponse ErrorResponse(int status, std::string_view code,
                           std::string_view message) {
  HttpResponse response;
  response.status = status;
  response.body = JsonErrorBody(code, message);
  return response;
}

std::string JsonErrorBody(std::string_view code, std::string_view message) {
  const nlohmann::json body = {
      {"error",
       {{"code", std::string(code)}, {"message", std::string(message)}}}};
  // Messages may quote client bytes; invalid UTF-8 becomes U+FFFD rather
  // than an exception.
  return body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

Result<std::unique_ptr<HttpServer>> HttpServer::Start(ServerOptions options,
                                                      HttpHandler handler) {
  assert(handler);
  beast::error_code ec;
  const asio::ip::address address = asio::ip::make_address(options.address, ec);
  if (ec) {
    return InvalidArgumentError("not an IP address: \"" +
                                Printable(options.address) + "\"");
  }
  const Tcp::endpoint endpoint(address, options.port);
  auto server =
      std::make_unique<ServerImpl>(std::move(options), std::move(handler));
  REMPART_RETURN_IF_ERROR(server->Listen(endpoint));
  server->Run();
  return std::unique_ptr<HttpServer>(std::move(server));
}

}  // namespace rempart::service

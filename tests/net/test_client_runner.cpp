// net::socket::run_client over real loopback TCP against tiny scripted servers (plain POSIX
// sockets on a thread): byte-by-byte replies, early close, timeout, refused port, a
// client-speaks-first engine, and the SMTP client through its adapter.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <doctest/doctest.h>

#include <chrono>
#include <functional>
#include <string>
#include <thread>
#include <utility>
#include <variant>
#include <vector>

#include "net/smtp/client.hpp"
#include "net/socket/client_runner.hpp"

namespace {

// Accepts one connection on 127.0.0.1:<ephemeral> and runs `script` with its fd.
class ScriptedServer {
 public:
  explicit ScriptedServer(std::function<void(int)> script) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
    REQUIRE(::listen(fd_, 4) == 0);
    socklen_t len = sizeof a;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
    thread_ = std::thread([this, script = std::move(script)] {
      const int c = ::accept(fd_, nullptr, nullptr);
      if (c < 0) return;
      script(c);
      ::close(c);
    });
  }
  ~ScriptedServer() {
    ::shutdown(fd_, SHUT_RDWR);  // wakes a pending accept()
    thread_.join();
    ::close(fd_);
  }
  std::uint16_t port() const { return port_; }

 private:
  int fd_ = -1;
  std::uint16_t port_ = 0;
  std::thread thread_;
};

void send_all(int fd, const std::string& s) {
  ::send(fd, s.data(), s.size(), MSG_NOSIGNAL);
}

// Reads until `want` has been seen (or EOF); returns everything read.
std::string read_until(int fd, const std::string& want) {
  std::string got;
  char buf[512];
  while (got.find(want) == std::string::npos) {
    const auto n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) break;
    got.append(buf, static_cast<std::size_t>(n));
  }
  return got;
}

// A toy protocol: the server says "HELLO", the engine answers "BYE", the server says "OK",
// and the engine is done. With speak_first the engine sends "HI" before any input.
class ToyEngine final : public net::socket::ClientEngine {
 public:
  explicit ToyEngine(bool speak_first = false) {
    if (speak_first) emit("HI");
  }
  void feed(std::string_view bytes) override {
    in_ += bytes;
    for (auto eol = in_.find("\r\n"); eol != std::string::npos; eol = in_.find("\r\n")) {
      const std::string line = in_.substr(0, eol);
      in_.erase(0, eol + 2);
      net::LineEvent e;
      e.sent = false;
      e.text = line;
      events_.push_back(e);
      if (line == "HELLO") emit("BYE");
      if (line == "OK") done_ = true;
    }
  }
  std::string take_output() override { return std::exchange(out_, {}); }
  net::EngineEvents take_events() override { return std::exchange(events_, {}); }
  bool done() const override { return done_; }
  void on_disconnect() override { ++disconnects; }
  int disconnects = 0;

 private:
  void emit(const std::string& line) {
    out_ += line + "\r\n";
    net::LineEvent e;
    e.text = line;
    events_.push_back(e);
  }
  std::string in_, out_;
  net::EngineEvents events_;
  bool done_ = false;
};

struct Seen {
  std::vector<std::string> lines;  // "C: ..." / "S: ..."
  std::string local, peer;
};

net::socket::ClientRunOptions options(std::uint16_t port, Seen& seen, int timeout_s = 10) {
  net::socket::ClientRunOptions o;
  o.host = "127.0.0.1";
  o.port = port;
  o.timeout_s = timeout_s;
  o.on_event = [&seen](const net::EngineEvent& ev) {
    if (const auto* l = std::get_if<net::LineEvent>(&ev))
      seen.lines.push_back((l->sent ? "C: " : "S: ") + l->text);
  };
  o.on_connected = [&seen](const std::string& local, const std::string& peer) {
    seen.local = local;
    seen.peer = peer;
  };
  return o;
}

}  // namespace

TEST_CASE("run_client: replies that arrive one byte at a time") {
  std::string client_sent;
  ToyEngine engine;
  Seen seen;
  net::socket::ClientRunResult r;
  std::uint16_t port = 0;
  {
    ScriptedServer srv([&](int fd) {
      for (char c : std::string("HELLO\r\n")) {
        send_all(fd, std::string(1, c));
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
      }
      client_sent = read_until(fd, "BYE\r\n");
      send_all(fd, "OK\r\n");
      read_until(fd, "never");  // until the client closes
    });
    port = srv.port();
    r = net::socket::run_client(engine, options(port, seen));
  }  // joins the server thread
  CHECK(r.error == "");
  CHECK(r.connected);
  CHECK(r.completed);
  CHECK_FALSE(r.timed_out);
  CHECK(r.peer == "127.0.0.1:" + std::to_string(port));
  CHECK(seen.peer == r.peer);
  CHECK(seen.local.rfind("127.0.0.1:", 0) == 0);
  CHECK(seen.lines == std::vector<std::string>{"S: HELLO", "C: BYE", "S: OK"});
  CHECK(r.bytes_received == 11);
  CHECK(r.bytes_sent == 5);
  CHECK(engine.disconnects == 0);
  CHECK(client_sent == "BYE\r\n");
}

TEST_CASE("run_client: the server closes before the engine is done") {
  ScriptedServer srv([](int fd) { send_all(fd, "HELLO\r\n"); });
  ToyEngine engine;
  Seen seen;
  const auto r = net::socket::run_client(engine, options(srv.port(), seen));
  CHECK(r.connected);
  CHECK_FALSE(r.completed);
  CHECK((r.error == "the server closed the connection" ||
         r.error == "the server reset the connection"));
  CHECK(engine.disconnects == 1);
}

TEST_CASE("run_client: a silent server times out within the limit") {
  ScriptedServer srv([](int fd) { read_until(fd, "never"); });
  ToyEngine engine;
  Seen seen;
  const auto t0 = std::chrono::steady_clock::now();
  const auto r = net::socket::run_client(engine, options(srv.port(), seen, 1));
  const auto took = std::chrono::steady_clock::now() - t0;
  CHECK(r.timed_out);
  CHECK(r.error == "timed out after 1 s");
  CHECK(engine.disconnects == 1);
  CHECK(took >= std::chrono::milliseconds(900));
  CHECK(took < std::chrono::seconds(5));
}

TEST_CASE("run_client: a closed port is 'connection refused'") {
  std::uint16_t port = 0;
  {
    ScriptedServer srv([](int) {});
    port = srv.port();
  }  // nothing listens there any more
  ToyEngine engine;
  Seen seen;
  const auto r = net::socket::run_client(engine, options(port, seen));
  CHECK_FALSE(r.connected);
  CHECK(r.error == "connection refused by 127.0.0.1:" + std::to_string(port));
  CHECK(engine.disconnects == 1);
}

TEST_CASE("run_client: an engine that speaks first is flushed at connect") {
  std::string got;
  ScriptedServer srv([&](int fd) {
    got = read_until(fd, "HI\r\n");
    send_all(fd, "HELLO\r\n");
    read_until(fd, "BYE\r\n");
    send_all(fd, "OK\r\n");
  });
  ToyEngine engine(true);
  Seen seen;
  const auto r = net::socket::run_client(engine, options(srv.port(), seen));
  CHECK(r.completed);
  CHECK(seen.lines.front() == "C: HI");
}

TEST_CASE("run_client: the SMTP client engine through its adapter (RFC 5321 session)") {
  std::string data;
  net::smtp::ClientJob job;
  job.helo_name = "client.test";
  job.mail_from = "a@test";
  job.rcpt_to = {"b@test"};
  job.message = "Subject: x\r\n\r\n.dot\r\n";
  net::smtp::Client client(job);
  net::socket::SmtpClientEngine engine(client);
  Seen seen;
  net::socket::ClientRunResult r;
  {
    ScriptedServer srv([&](int fd) {
      send_all(fd, "220 mx.test ESMTP\r\n");
      read_until(fd, "\r\n");  // EHLO
      send_all(fd, "250-mx.test\r\n250 8BITMIME\r\n");
      read_until(fd, "\r\n");  // MAIL (no PIPELINING: one command at a time)
      send_all(fd, "250 2.1.0 Ok\r\n");
      read_until(fd, "\r\n");  // RCPT
      send_all(fd, "250 2.1.5 Ok\r\n");
      read_until(fd, "\r\n");  // DATA
      send_all(fd, "354 go ahead\r\n");
      data = read_until(fd, "\r\n.\r\n");
      send_all(fd, "250 2.0.0 queued\r\n");
      read_until(fd, "QUIT\r\n");
      send_all(fd, "221 2.0.0 bye\r\n");
    });
    r = net::socket::run_client(engine, options(srv.port(), seen));
  }  // joins the server thread
  CHECK(r.error == "");
  CHECK(r.completed);
  CHECK(client.outcome().delivered);
  CHECK(data == "Subject: x\r\n\r\n..dot\r\n.\r\n");  // RFC 5321 §4.5.2 dot-stuffing
  CHECK(seen.lines.back() == "S: 221 2.0.0 bye");
}

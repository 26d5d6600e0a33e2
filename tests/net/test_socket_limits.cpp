// The listener's per-address limit (serve --max-per-ip): sessions from one client address are
// counted over every listener of the EventLoop; one more gets the protocol's refusal from the
// listener itself and is closed, and a closed session frees its slot. Real loopback TCP, the
// loop on a thread, plain POSIX sockets as clients (each read bounded by SO_RCVTIMEO).
#include <doctest/doctest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>

#include "loopback_client.hpp"
#include "net/smtp/recipient_policy.hpp"
#include "net/socket/engines.hpp"
#include "net/socket/listener.hpp"
#include "net/store/mailstore.hpp"

namespace {

struct LimitedServer {
  explicit LimitedServer(std::size_t per_ip) {
    store.add_domain("recipient.example");
    store.add_account({"bruno@recipient.example", "bruno", "pw-bruno"});
    net::socket::ListenerOptions lo;
    lo.max_per_ip = per_ip;
    net::smtp::ServerConfig scfg;
    scfg.hostname = "mx.recipient.example";
    smtp =
        std::make_unique<net::socket::Listener>(loop, lo, net::socket::smtp_protocol(scfg, policy));
    smtp->on_connection([this](const net::socket::ConnectionInfo& c, bool opened) {
      if (opened && c.refused) ++refused;
    });
    net::imap::ServerConfig icfg;
    icfg.hostname = "mx.recipient.example";
    imap =
        std::make_unique<net::socket::Listener>(loop, lo, net::socket::imap_protocol(icfg, store));
    thread = std::thread([this] { loop.run(); });
  }
  ~LimitedServer() {
    loop.stop();
    thread.join();
  }

  net::store::Mailstore store;
  net::smtp::RecipientPolicy policy{store, "mx.recipient.example", [] { return 1800000000; }};
  net::socket::EventLoop loop;
  std::unique_ptr<net::socket::Listener> smtp, imap;
  std::atomic<int> refused{0};
  std::thread thread;
};

// A connected client socket; reads give up after 10 s instead of hanging the test.
struct Client {
  explicit Client(std::uint16_t port) : fd(nettest::connect_loopback(port)), connected(fd >= 0) {}
  ~Client() { close(); }
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  // The first line the server sends, without CRLF ("" if none came).
  std::string line() {
    std::string s;
    char c = 0;
    while (s.size() < 1000 && ::recv(fd, &c, 1, 0) == 1) {
      if (c == '\n') break;
      if (c != '\r') s += c;
    }
    return s;
  }
  // True when the server closed the connection (EOF) before sending anything more.
  bool at_eof() {
    char c = 0;
    return ::recv(fd, &c, 1, 0) == 0;
  }
  void close() {
    if (fd >= 0) ::close(fd);
    fd = -1;
  }

  int fd;
  bool connected;
};

bool starts(const std::string& s, const std::string& prefix) {
  return s.rfind(prefix, 0) == 0;
}

}  // namespace

TEST_CASE("socket limits: --max-per-ip refuses one address's extra sessions on every port") {
  LimitedServer s(2);
  Client a(s.smtp->port()), b(s.imap->port());
  REQUIRE(a.connected);
  REQUIRE(b.connected);
  CHECK(starts(a.line(), "220 mx.recipient.example"));
  CHECK(starts(b.line(), "* OK"));

  // Two sessions from 127.0.0.1 are open (one per port): a third is refused on either port.
  Client c(s.smtp->port());
  CHECK(c.line() == "421 4.7.0 Too many connections from your address");
  CHECK(c.at_eof());
  Client d(s.imap->port());
  CHECK(d.line() == "* BYE Too many connections from your address");
  CHECK(d.at_eof());
  CHECK(s.refused.load() == 1);  // the SMTP listener's own count

  // Closing a session frees its slot (the server notices the EOF; retries are bounded).
  a.close();
  std::string greeting;
  for (int i = 0; i < 200 && !starts(greeting, "220"); ++i) {
    Client e(s.smtp->port());
    greeting = e.line();
    if (!starts(greeting, "220")) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  CHECK(starts(greeting, "220 mx.recipient.example"));
}

TEST_CASE("socket limits: max_per_ip 0 means no per-address limit") {
  LimitedServer s(0);
  Client a(s.smtp->port()), b(s.smtp->port()), c(s.smtp->port());
  CHECK(starts(a.line(), "220"));
  CHECK(starts(b.line(), "220"));
  CHECK(starts(c.line(), "220"));
  CHECK(s.refused.load() == 0);
}

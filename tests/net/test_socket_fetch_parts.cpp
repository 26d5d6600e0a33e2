// The listener's side of an IMAP FETCH answered in parts (imap::ServerConfig::fetch_chunk,
// as `mailsim serve` sets it): over real loopback TCP the client gets exactly the bytes the
// engine writes when it answers at once, commands pipelined behind the FETCH are answered
// after its tagged OK, and the session ends normally. The loop runs on a thread; the client
// is a plain POSIX socket (reads bounded by SO_RCVTIMEO).
#include <doctest/doctest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <thread>

#include "loopback_client.hpp"
#include "net/imap/server.hpp"
#include "net/socket/engines.hpp"
#include "net/socket/listener.hpp"
#include "net/store/mailstore.hpp"

namespace {

constexpr const char* kUser = "bruno@recipient.example";

// 300 messages of about 3 KiB, some lines starting with a dot, one without a final newline.
void fill(net::store::Mailstore& store) {
  store.add_domain("recipient.example");
  store.add_account({kUser, "bruno", "pw-bruno"});
  for (int i = 1; i <= 300; ++i) {
    std::string m = "Subject: message " + std::to_string(i) + "\r\n\r\n";
    for (int l = 0; l < 40; ++l)
      m += (l % 7 == 0 ? "." : "") + std::string(70, static_cast<char>('a' + l % 26)) + "\r\n";
    if (i == 150) m += "no final newline";
    store.deliver(kUser, m, 1800000000 + i);
  }
}

struct PartsServer {
  explicit PartsServer(std::size_t chunk) {
    fill(store);
    net::imap::ServerConfig cfg;
    cfg.hostname = "mx.recipient.example";
    cfg.fetch_chunk = chunk;
    imap = std::make_unique<net::socket::Listener>(loop, net::socket::ListenerOptions{},
                                                   net::socket::imap_protocol(cfg, store));
    thread = std::thread([this] { loop.run(); });
  }
  ~PartsServer() {
    loop.stop();
    thread.join();
  }

  net::store::Mailstore store;
  net::socket::EventLoop loop;
  std::unique_ptr<net::socket::Listener> imap;
  std::thread thread;
};

// Connects, sends `input` (one byte per send() when bytewise; then shuts its sending side
// when half_close), returns everything the server sent until it closed.
std::string converse(std::uint16_t port, std::string_view input, bool bytewise, bool half_close) {
  const int fd = nettest::connect_loopback(port);
  std::string got;
  if (fd >= 0) {
    if (bytewise) {
      for (char c : input) (void)::send(fd, &c, 1, MSG_NOSIGNAL);
    } else {
      (void)::send(fd, input.data(), input.size(), MSG_NOSIGNAL);
    }
    if (half_close) ::shutdown(fd, SHUT_WR);
    char buf[65536];
    for (;;) {
      const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
      if (n <= 0) break;
      got.append(buf, static_cast<std::size_t>(n));
    }
    ::close(fd);
  }
  return got;
}

// What the engine alone writes for `input`, the whole answer at once (fetch_chunk 0).
std::string expected(std::string_view input) {
  net::store::Mailstore store;
  fill(store);
  net::imap::ServerConfig cfg;
  cfg.hostname = "mx.recipient.example";
  net::imap::Server s(cfg, store, [] { return std::int64_t{1800000000}; });
  s.on_connect("127.0.0.1", "127.0.0.1");
  s.feed(input);
  return s.take_output();
}

}  // namespace

TEST_CASE("socket: FETCH in parts reaches the client as the same bytes, in order") {
  const std::string input =
      "a LOGIN bruno pw-bruno\r\nb SELECT INBOX\r\nf FETCH 1:* (UID BODY.PEEK[])\r\n"
      "n NOOP\r\ng FETCH 2,150 (BODY.PEEK[TEXT])\r\nz LOGOUT\r\n";
  const std::string want = expected(input);
  REQUIRE(want.find("z OK LOGOUT completed\r\n") != std::string::npos);
  REQUIRE(want.size() > 800000);  // far more than a part and than a socket buffer
  for (std::size_t chunk : {std::size_t{4096}, std::size_t{256 * 1024}}) {
    for (bool bytewise : {false, true}) {
      CAPTURE(chunk);
      CAPTURE(bytewise);
      PartsServer s(chunk);
      const std::string got = converse(s.imap->port(), input, bytewise, false);
      CHECK(got.size() == want.size());
      CHECK(got == want);
    }
  }
}

TEST_CASE("socket: a client that half-closes behind a FETCH in parts still gets all of it") {
  // No LOGOUT: the client sends its commands, shuts its side, and reads what is owed.
  const std::string input =
      "a LOGIN bruno pw-bruno\r\nb SELECT INBOX\r\nf FETCH 1:* (UID BODY.PEEK[])\r\n"
      "n NOOP\r\n";
  const std::string want = expected(input);
  REQUIRE(want.find("n OK NOOP completed\r\n") != std::string::npos);
  PartsServer s(4096);
  const std::string got = converse(s.imap->port(), input, false, true);
  CHECK(got.size() == want.size());
  CHECK(got == want);
}

#include "net/socket/engines.hpp"

#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <type_traits>
#include <utility>

#include "net/socket/input_watch.hpp"
#include "net/store/mailstore.hpp"
#include "net/tls/session.hpp"

namespace net::socket {

namespace {

// Any engine with the common sans-I/O interface; optional parts are used when it has them.
// With a TlsConfig the session runs TLS between the socket and the engine (see TlsConfig).
template <class E>
class EngineSession final : public Session {
 public:
  EngineSession(std::unique_ptr<E> e, TlsConfig tls) : e_(std::move(e)), cfg_(std::move(tls)) {}
  void on_connect(const std::string& peer_ip) override {
    if (cfg_.ctx && cfg_.implicit) begin_tls();
    e_->on_connect(peer_ip, peer_ip);
  }
  void feed(std::string_view bytes) override {
    if (!tls_) {
      watch_.fed(bytes);
      e_->feed(bytes);
      return;
    }
    if (tls_->failed()) return;
    tls_->feed(bytes);
    collect();
    if (tls_->failed()) {
      // The client refused our certificate or spoke no TLS: the alert goes out, then close.
      e_->on_disconnect();
      (void)e_->take_output();
      return;
    }
    if (tls_->established() && !up_) {
      up_ = true;
      const auto info = tls_->info();
      notes_.push_back({true, "established " + info.version + " " + info.cipher, 0});
      if constexpr (kStartTls) {
        if (!cfg_.implicit) e_->on_tls_established();
      }
    }
    std::string plain = tls_->take_plain();
    watch_.fed(plain);
    if (!plain.empty()) e_->feed(plain);
    if (tls_->peer_closed() && !peer_closed_) {  // close_notify: the client is gone
      peer_closed_ = true;
      if (!e_->wants_close()) {
        e_->on_disconnect();
        (void)e_->take_output();
      }
    }
  }
  std::string take_output() override {
    std::string out = e_->take_output();
    if (!tls_) {
      // The engine's last plaintext line ("220 Ready to start TLS") is written; anything
      // the client sends next is the handshake (RFC 3207 §4, RFC 2595 §4).
      if constexpr (kStartTls) {
        if (cfg_.ctx && e_->wants_tls()) begin_tls();
      }
      return out;
    }
    if (tls_->failed()) return tls_->take_wire();  // the alert
    if (!out.empty()) tls_->write(out);
    if (e_->wants_close() && !closed_ && tls_->established()) {
      closed_ = true;
      tls_->close();  // close_notify before the FIN (RFC 8446 §6.1)
    }
    std::string wire = tls_->take_wire();
    collect();
    return wire;
  }
  EngineEvents take_events() override { return e_->take_events(); }
  bool wants_close() const override {
    return e_->wants_close() || (tls_ && tls_->failed()) || peer_closed_;
  }
  void on_disconnect() override { e_->on_disconnect(); }
  void on_timeout() override { e_->on_timeout(); }
  Awaiting awaiting() const override {
    if (tls_ && !tls_->established() && !tls_->failed()) return Awaiting::Line;
    if constexpr (requires(const E& e) { e.state() == smtp::ServerState::Data; }) {
      if (e_->state() == smtp::ServerState::Data) return Awaiting::Bulk;
    }
    if (watch_.in_literal()) return Awaiting::Bulk;
    return watch_.mid_line() ? Awaiting::Line : Awaiting::Command;
  }
  void shutdown() override {
    if constexpr (requires(E & e) { e.shutdown(); }) e_->shutdown();
  }
  int penalty_ms() const override {
    if constexpr (requires(const E& e) { e.penalty_ms(); }) {
      return e_->penalty_ms();
    } else {
      return 0;
    }
  }
  void end_penalty() override {
    if constexpr (requires(E & e) { e.end_penalty(); }) e_->end_penalty();
  }
  bool has_output() const override {
    if constexpr (requires(const E& e) { e.has_output(); }) {
      return e_->has_output();
    } else {
      return false;
    }
  }
  bool paused() const override {
    if constexpr (requires(const E& e) { e.fetch_paused(); }) {
      return e_->fetch_paused();
    } else {
      return false;
    }
  }
  void resume() override {
    if constexpr (requires(E & e) { e.resume_fetch(); }) e_->resume_fetch();
  }
  std::vector<TlsNote> take_tls() override {
    std::vector<TlsNote> n;
    n.swap(notes_);
    return n;
  }
  std::string wrap(std::string plain) override {
    if (!tls_) return plain;
    if (!tls_->established() || tls_->failed()) return {};  // no way to say it mid-handshake
    tls_->write(plain);
    if (!closed_) {
      closed_ = true;
      tls_->close();
    }
    std::string wire = tls_->take_wire();
    collect();
    return wire;
  }

 private:
  static constexpr bool kStartTls = requires(E & e) {
    e.wants_tls();
    e.on_tls_established();
  };

  void begin_tls() { tls_ = std::make_unique<tls::Session>(cfg_.ctx, tls::Role::Server); }
  InputWatch watch_{std::is_same_v<E, imap::Server>};
  void collect() {
    for (auto& h : tls_->take_events()) notes_.push_back({h.sent, std::move(h.what), h.bytes});
    if (tls_->failed() && !failure_noted_) {
      failure_noted_ = true;
      notes_.push_back({true, "failed: " + tls_->error(), 0});
    }
  }

  std::unique_ptr<E> e_;
  TlsConfig cfg_;
  std::unique_ptr<tls::Session> tls_;
  std::vector<TlsNote> notes_;
  bool up_ = false, closed_ = false, failure_noted_ = false, peer_closed_ = false;
};

template <class E, class... Args>
std::unique_ptr<Session> session(const TlsConfig& tls, Args&&... args) {
  return std::make_unique<EngineSession<E>>(std::make_unique<E>(std::forward<Args>(args)...), tls);
}

std::int64_t unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

constexpr const char* kBusy = "The server is busy with too many connections; try later.";
constexpr const char* kBusyIp =
    "This client address already has as many connections as the server allows one address "
    "(--max-per-ip); try later.";
constexpr const char* kGoingDown = "The server is shutting down and closes the connection.";

class SmtpProtocol final : public Protocol {
 public:
  SmtpProtocol(smtp::ServerConfig cfg, smtp::ServerPolicy& policy, TlsConfig tls)
      : cfg_(std::move(cfg)), policy_(policy), tls_(std::move(tls)) {
    // RFC 5321 §3.1, §4.2.3: 421 means "service not available, closing".
    refusal = {"421 4.7.0 Too many connections", kBusy, "RFC 5321 §4.2.3"};
    ip_refusal = {"421 4.7.0 Too many connections from your address", kBusyIp, "RFC 5321 §4.2.3"};
    // RFC 5321 §3.8: a server that shuts down answers 421 to open sessions, then closes.
    shutdown_reply = {"421 4.3.2 " + cfg_.hostname + " Service shutting down", kGoingDown,
                      "RFC 5321 §3.8"};
  }
  std::unique_ptr<Session> open(const ConnectionInfo&) override {
    auto e = std::make_unique<smtp::Server>(cfg_, policy_);
    e->on_wake(wake_);  // a reply to DATA given later (serve --maildir group commit)
    return std::make_unique<EngineSession<smtp::Server>>(std::move(e), tls_);
  }
  void attach(std::function<void()> wake) override { wake_ = std::move(wake); }

 private:
  smtp::ServerConfig cfg_;
  smtp::ServerPolicy& policy_;
  TlsConfig tls_;
  std::function<void()> wake_;
};

class Pop3Protocol final : public Protocol {
 public:
  Pop3Protocol(pop3::ServerConfig cfg, store::Mailstore& store, TlsConfig tls)
      : cfg_(std::move(cfg)), store_(store), tls_(std::move(tls)) {
    // RFC 2449 §8.1.2: [SYS/TEMP] a temporary problem; try again later. Sessions closed on
    // shutdown skip UPDATE (nothing deleted) and release their locks.
    refusal = {"-ERR [SYS/TEMP] Too many connections", kBusy, "RFC 2449 §8.1.2"};
    ip_refusal = {"-ERR [SYS/TEMP] Too many connections from your address", kBusyIp,
                  "RFC 2449 §8.1.2"};
    shutdown_reply = {"-ERR [SYS/TEMP] " + cfg_.hostname + " shutting down", kGoingDown,
                      "RFC 2449 §8.1.2"};
  }
  std::unique_ptr<Session> open(const ConnectionInfo& conn) override {
    pop3::ServerConfig cfg = cfg_;
    // Per-connection values the engine cannot make up itself (it has no clock).
    cfg.lock_owner = (std::uint64_t{1} << 62) | conn.id;
    cfg.apop_process = static_cast<std::uint64_t>(::getpid());
    cfg.apop_clock =
        static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::microseconds>(
                                       std::chrono::system_clock::now().time_since_epoch())
                                       .count()) +
        conn.id;
    return session<pop3::Server>(tls_, std::move(cfg), store_);
  }

 private:
  pop3::ServerConfig cfg_;
  store::Mailstore& store_;
  TlsConfig tls_;
};

class ImapProtocol final : public Protocol {
 public:
  ImapProtocol(imap::ServerConfig cfg, store::Mailstore& store, TlsConfig tls)
      : cfg_(std::move(cfg)), store_(store), tls_(std::move(tls)) {
    // RFC 3501 §7.1.5: BYE instead of a greeting. On shutdown the engine says BYE itself
    // (imap::Server::shutdown), so shutdown_reply stays empty.
    refusal = {"* BYE Too many connections, try again later", kBusy, "RFC 3501 §7.1.5"};
    ip_refusal = {"* BYE Too many connections from your address", kBusyIp, "RFC 3501 §7.1.5"};
  }
  ~ImapProtocol() override {
    if (subscription_) store_.unsubscribe(subscription_);
  }
  std::unique_ptr<Session> open(const ConnectionInfo&) override {
    auto e = std::make_unique<imap::Server>(cfg_, store_, unix_now);
    e->on_wake(wake_);  // APPEND's reply given later (serve --maildir group commit)
    return std::make_unique<EngineSession<imap::Server>>(std::move(e), tls_);
  }
  // A store change may give idling sessions untagged responses to send now (RFC 2177).
  void attach(std::function<void()> wake) override {
    wake_ = wake;
    subscription_ = store_.subscribe([wake = std::move(wake)](const store::Change&) { wake(); });
  }

 private:
  imap::ServerConfig cfg_;
  store::Mailstore& store_;
  TlsConfig tls_;
  store::Mailstore::ListenerId subscription_ = 0;
  std::function<void()> wake_;
};

}  // namespace

std::unique_ptr<Protocol> smtp_protocol(smtp::ServerConfig cfg, smtp::ServerPolicy& policy,
                                        TlsConfig tls) {
  return std::make_unique<SmtpProtocol>(std::move(cfg), policy, std::move(tls));
}

std::unique_ptr<Protocol> pop3_protocol(pop3::ServerConfig cfg, store::Mailstore& store,
                                        TlsConfig tls) {
  return std::make_unique<Pop3Protocol>(std::move(cfg), store, std::move(tls));
}

std::unique_ptr<Protocol> imap_protocol(imap::ServerConfig cfg, store::Mailstore& store,
                                        TlsConfig tls) {
  return std::make_unique<ImapProtocol>(std::move(cfg), store, std::move(tls));
}

}  // namespace net::socket

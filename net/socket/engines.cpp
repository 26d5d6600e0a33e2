#include "net/socket/engines.hpp"

#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <utility>

#include "net/store/mailstore.hpp"

namespace net::socket {

namespace {

// Any engine with the common sans-I/O interface; optional parts are used when it has them.
template <class E>
class EngineSession final : public Session {
 public:
  explicit EngineSession(std::unique_ptr<E> e) : e_(std::move(e)) {}
  void on_connect(const std::string& peer_ip) override { e_->on_connect(peer_ip, peer_ip); }
  void feed(std::string_view bytes) override { e_->feed(bytes); }
  std::string take_output() override { return e_->take_output(); }
  EngineEvents take_events() override { return e_->take_events(); }
  bool wants_close() const override { return e_->wants_close(); }
  void on_disconnect() override { e_->on_disconnect(); }
  void on_timeout() override { e_->on_timeout(); }
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

 private:
  std::unique_ptr<E> e_;
};

template <class E, class... Args>
std::unique_ptr<Session> session(Args&&... args) {
  return std::make_unique<EngineSession<E>>(std::make_unique<E>(std::forward<Args>(args)...));
}

std::int64_t unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

constexpr const char* kBusy = "The server is busy with too many connections; try later.";
constexpr const char* kGoingDown = "The server is shutting down and closes the connection.";

class SmtpProtocol final : public Protocol {
 public:
  SmtpProtocol(smtp::ServerConfig cfg, smtp::ServerPolicy& policy)
      : cfg_(std::move(cfg)), policy_(policy) {
    // RFC 5321 §3.1, §4.2.3: 421 means "service not available, closing".
    refusal = {"421 4.7.0 Too many connections", kBusy, "RFC 5321 §4.2.3"};
    // RFC 5321 §3.8: a server that shuts down answers 421 to open sessions, then closes.
    shutdown_reply = {"421 4.3.2 " + cfg_.hostname + " Service shutting down", kGoingDown,
                      "RFC 5321 §3.8"};
  }
  std::unique_ptr<Session> open(const ConnectionInfo&) override {
    return session<smtp::Server>(cfg_, policy_);
  }

 private:
  smtp::ServerConfig cfg_;
  smtp::ServerPolicy& policy_;
};

class Pop3Protocol final : public Protocol {
 public:
  Pop3Protocol(pop3::ServerConfig cfg, store::Mailstore& store)
      : cfg_(std::move(cfg)), store_(store) {
    // RFC 2449 §8.1.2: [SYS/TEMP] a temporary problem; try again later. Sessions closed on
    // shutdown skip UPDATE (nothing deleted) and release their locks.
    refusal = {"-ERR [SYS/TEMP] Too many connections", kBusy, "RFC 2449 §8.1.2"};
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
    return session<pop3::Server>(std::move(cfg), store_);
  }

 private:
  pop3::ServerConfig cfg_;
  store::Mailstore& store_;
};

class ImapProtocol final : public Protocol {
 public:
  ImapProtocol(imap::ServerConfig cfg, store::Mailstore& store)
      : cfg_(std::move(cfg)), store_(store) {
    // RFC 3501 §7.1.5: BYE instead of a greeting. On shutdown the engine says BYE itself
    // (imap::Server::shutdown), so shutdown_reply stays empty.
    refusal = {"* BYE Too many connections, try again later", kBusy, "RFC 3501 §7.1.5"};
  }
  ~ImapProtocol() override {
    if (subscription_) store_.unsubscribe(subscription_);
  }
  std::unique_ptr<Session> open(const ConnectionInfo&) override {
    return session<imap::Server>(cfg_, store_, unix_now);
  }
  // A store change may give idling sessions untagged responses to send now (RFC 2177).
  void attach(std::function<void()> wake) override {
    subscription_ = store_.subscribe([wake = std::move(wake)](const store::Change&) { wake(); });
  }

 private:
  imap::ServerConfig cfg_;
  store::Mailstore& store_;
  store::Mailstore::ListenerId subscription_ = 0;
};

}  // namespace

std::unique_ptr<Protocol> smtp_protocol(smtp::ServerConfig cfg, smtp::ServerPolicy& policy) {
  return std::make_unique<SmtpProtocol>(std::move(cfg), policy);
}

std::unique_ptr<Protocol> pop3_protocol(pop3::ServerConfig cfg, store::Mailstore& store) {
  return std::make_unique<Pop3Protocol>(std::move(cfg), store);
}

std::unique_ptr<Protocol> imap_protocol(imap::ServerConfig cfg, store::Mailstore& store) {
  return std::make_unique<ImapProtocol>(std::move(cfg), store);
}

}  // namespace net::socket

// The shared "sim driver" of a sans-I/O protocol engine: attaches it to a simulated TCP
// connection, writes its output, records its events in the trace and closes when it asks.
// sim/smtp_session.hpp and sim/pop3_session.hpp are thin instantiations; a new protocol's
// driver derives from EngineServerSession / EngineClientSession and supplies the outcomes.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

#include "net/tls/session.hpp"
#include "sim/engine_trace.hpp"
#include "sim/event_queue.hpp"
#include "sim/tcp.hpp"

namespace sim {

inline EngineContext context_of(const TcpConn& c, Proto proto) {
  EngineContext ctx;
  ctx.conn = c.id();
  ctx.proto = proto;
  ctx.host = c.local_host();
  ctx.peer = c.peer_host();
  ctx.client = c.is_client();
  return ctx;
}

// TLS under an engine: implicit (from the first byte: 465, 993, 995) or started when the
// engine asks (STARTTLS / STLS). Clients send `server_name` as SNI and verify it.
struct TlsSetup {
  std::shared_ptr<net::tls::Context> ctx;
  bool implicit = false;
  std::string server_name;
  std::string resume_key;  // clients: resume sessions kept under it (net::tls::Session)
};

// The state and plumbing common to both ends: the engine, its trace context, the TLS layer
// and the "closing" flag. `Engine` offers feed(), take_output(), take_events() and
// on_disconnect(); engines that speak STARTTLS also offer wants_tls() and
// on_tls_established() (clients: on_tls_failed(why)).
//
// With TLS the engine still sees plaintext; the wire (SegmentEv) carries the ciphertext
// and the trace gets the handshake messages as TlsEv.
template <class Engine>
class EngineSessionBase : public TcpApp {
 public:
  void set_tls(TlsSetup setup) { tls_setup_ = std::move(setup); }

 protected:
  template <class... Args>
  EngineSessionBase(Trace& trace, EventQueue& q, Proto proto, Args&&... engine_args)
      : trace_(trace), q_(q), proto_(proto), engine_(std::forward<Args>(engine_args)...) {
    engine_.report_received(false);  // record() keeps only the lines engines send
  }

  static constexpr bool kStartTls = requires(Engine & e) {
    e.wants_tls();
    e.on_tls_established();
  };

  void record() {
    engine_.drain_events([this](net::EngineEvents& events) {
      record_engine_events(trace_, q_.now(), ctx_, events);
    });
  }
  void flush(TcpConn& c) {
    std::string out = engine_.take_output();
    if (tls_) {
      if (!out.empty()) tls_->write(out);
      out = tls_->take_wire();
      record_tls();
    }
    if (!out.empty()) c.send(out);
  }
  // Bytes from the wire: through TLS when it is on, then to the engine.
  void deliver(std::string_view bytes) {
    if (!tls_) {
      engine_.feed(bytes);
      return;
    }
    tls_->feed(bytes);
    record_tls();
    if (tls_->failed()) return;
    if (tls_->established() && !tls_up_) {
      tls_up_ = true;
      auto info = tls_->info();
      trace_.append(q_.now(), TlsEv{ctx_.conn, ctx_.host, ctx_.peer,
                                    "established " + info.version + " " + info.cipher, 0});
      if (ctx_.client) record_tls_peer(trace_, q_.now(), ctx_, info);
      if constexpr (kStartTls) engine_.on_tls_established();
    }
    std::string plain = tls_->take_plain();
    if (!plain.empty()) engine_.feed(plain);
  }
  void begin_tls() {
    if (!tls_setup_.ctx || tls_) return;
    tls_ = std::make_unique<net::tls::Session>(
        tls_setup_.ctx, ctx_.client ? net::tls::Role::Client : net::tls::Role::Server,
        tls_setup_.server_name, tls_setup_.resume_key);
    if (ctx_.client) tls_->start();
  }
  // After the engine spoke: if it just asked for TLS, the handshake starts (the engine's
  // last plaintext, e.g. "220 Ready to start TLS", has already been written).
  void maybe_start_tls(TcpConn& c) {
    if constexpr (kStartTls) {
      if (!tls_ && engine_.wants_tls()) {
        begin_tls();
        flush(c);
      }
    }
  }
  bool tls_failed() const { return tls_ && tls_->failed(); }
  std::string tls_error() const { return tls_ ? tls_->error() : std::string(); }
  // Records the engine's events and writes its output, then closes the connection the first
  // time (engine_.*wants)() holds. Returns whether this call started the close.
  bool pump_and_close_if(TcpConn& c, bool (Engine::*wants)() const) {
    record();
    flush(c);
    maybe_start_tls(c);
    if (!(engine_.*wants)() || closing_) return false;
    closing_ = true;
    if (tls_ && tls_->established() && !tls_->failed()) {
      tls_->close();  // close_notify before the FIN (RFC 8446 §6.1)
      flush(c);
    }
    c.close();
    return true;
  }

  TlsSetup tls_setup_;
  std::unique_ptr<net::tls::Session> tls_;
  bool tls_up_ = false;
  bool tls_failure_reported_ = false;

 private:
  void record_tls() {
    for (auto& e : tls_->take_events())
      if (e.sent) trace_.append(q_.now(), TlsEv{ctx_.conn, ctx_.host, ctx_.peer, e.what, e.bytes});
    if (tls_->failed() && !tls_failure_reported_) {
      tls_failure_reported_ = true;
      trace_.append(q_.now(),
                    TlsEv{ctx_.conn, ctx_.host, ctx_.peer, "failed: " + tls_->error(), 0});
    }
  }

 protected:
  Trace& trace_;
  EventQueue& q_;
  Proto proto_;
  Engine engine_;
  EngineContext ctx_;
  bool closing_ = false;
};

// Server end: greets on open, closes once the engine wants_close(). Hooks let a protocol
// add work after each pump (e.g. a penalty timer) and before the disconnect is reported.
template <class Engine>
class EngineServerSession : public EngineSessionBase<Engine>,
                            public std::enable_shared_from_this<EngineServerSession<Engine>> {
 public:
  void on_open(TcpConn& c) override {
    this->ctx_ = context_of(c, this->proto_);
    if (this->tls_setup_.implicit) this->begin_tls();
    this->engine_.on_connect(c.peer_ip(), c.peer_host());
    pump(c);
  }
  void on_data(TcpConn& c, std::string_view bytes) override {
    if (this->closing_) return;
    this->deliver(bytes);
    if (this->tls_failed()) {  // the client refused the handshake: nothing more to say
      this->flush(c);
      this->closing_ = true;
      this->engine_.on_disconnect();
      this->record();
      c.close();
      return;
    }
    pump(c);
  }
  void on_close(TcpConn&, bool) override {
    if (this->closing_) return;
    this->closing_ = true;
    if (penalty_) this->q_.cancel(penalty_);
    penalty_ = 0;
    before_disconnect();
    this->engine_.on_disconnect();
    this->record();
  }

 protected:
  using EngineSessionBase<Engine>::EngineSessionBase;
  virtual void after_pump(TcpConn&) {}  // not called on the pump that starts the close
  virtual void before_disconnect() {}

  void pump(TcpConn& c) {
    if (this->pump_and_close_if(c, &Engine::wants_close)) return;
    hold_for_penalty(c);
    after_pump(c);
  }

 private:
  // Engines that slow down password guessing (RFC 1939 §13 for POP3; the IMAP engine does
  // the same) hold the reply to a login past the free failures: penalty_ms() says how long.
  // The engine has no clock, so the driver waits in simulated time and releases it.
  void hold_for_penalty(TcpConn& c) {
    if constexpr (requires(Engine & e) {
                    e.penalty_ms();
                    e.end_penalty();
                  }) {
      if (this->engine_.penalty_ms() <= 0 || penalty_) return;
      TcpConn* conn = &c;  // valid while open; the timer is cancelled on close
      std::weak_ptr<EngineServerSession> weak = this->weak_from_this();
      penalty_ = this->q_.after(this->engine_.penalty_ms() * kMillisecond, [this, weak, conn] {
        auto alive = weak.lock();
        if (!alive || this->closing_) return;
        penalty_ = 0;
        this->engine_.end_penalty();
        pump(*conn);
      });
    }
  }
  EventId penalty_ = 0;

 protected:
};

// Client end: runs one job; `done` is called exactly once with the outcome (also when the
// connection is refused, lost, or the server stops answering for `timeout`). A protocol
// supplies the outcome of a refused connection and of a timeout.
template <class Engine>
class EngineClientSession : public EngineSessionBase<Engine>,
                            public std::enable_shared_from_this<EngineClientSession<Engine>> {
 public:
  using Outcome = std::decay_t<decltype(std::declval<const Engine&>().outcome())>;
  using Done = std::function<void(const Outcome&)>;

  void on_open(TcpConn& c) override {
    this->ctx_ = context_of(c, this->proto_);
    if (this->tls_setup_.implicit) this->begin_tls();
    arm_timer(c);
    pump(c);
  }
  void on_data(TcpConn& c, std::string_view bytes) override {
    if (this->closing_) return;
    this->deliver(bytes);
    if (this->tls_failed()) {
      // e.g. the certificate did not verify: the alert goes out, the session gives up.
      if constexpr (requires(Engine & e) { e.on_tls_failed(std::string()); })
        this->engine_.on_tls_failed(this->tls_error());
      else
        this->engine_.on_disconnect();
    }
    arm_timer(c);
    pump(c);
  }
  void on_close(TcpConn&, bool) override {
    if (!finished_) {
      this->engine_.on_disconnect();
      this->record();
      finish(this->engine_.outcome());
    }
  }
  void on_refused(const std::string& why) override { finish(refused_outcome(why)); }

 protected:
  template <class Job>
  EngineClientSession(Trace& trace, EventQueue& q, Proto proto, Job job, Done done, Time timeout)
      : EngineSessionBase<Engine>(trace, q, proto, std::move(job)),
        done_(std::move(done)),
        timeout_(timeout) {}

  // Outcomes with the common shape (finished, ok, error, errors: POP3 and IMAP) get these
  // defaults; other protocols override them.
  static constexpr bool kListOutcome = requires(Outcome o) {
    o.finished = true;
    o.ok = false;
    o.error = std::string();
    o.errors.push_back(std::string());
  };
  virtual Outcome refused_outcome(const std::string& why) const {
    Outcome o{};
    if constexpr (kListOutcome) {
      o.finished = true;
      o.error = why;
      o.errors.push_back(why);
    }
    return o;
  }
  // `o` is the engine's outcome so far.
  virtual Outcome timed_out_outcome(Outcome o) const {
    if constexpr (kListOutcome) {
      o.finished = true;
      o.ok = false;
      o.errors.push_back("the server stopped answering (timed out)");
      if (o.error.empty()) o.error = o.errors.back();
    }
    return o;
  }

  // Writes what the engine has to say (e.g. after a timer made it act) and closes when done.
  void pump(TcpConn& c) {
    if (this->pump_and_close_if(c, &Engine::done)) finish(this->engine_.outcome());
  }

 private:
  void finish(const Outcome& o) {
    if (finished_) return;
    finished_ = true;
    if (timer_) this->q_.cancel(timer_);
    timer_ = 0;
    if (done_) done_(o);
  }
  void arm_timer(TcpConn& c) {
    if (timer_) this->q_.cancel(timer_);
    // The connection handle stays valid while it is open; the timer is cancelled on close.
    TcpConn* conn = &c;
    std::weak_ptr<EngineClientSession> self = this->weak_from_this();
    timer_ = this->q_.after(timeout_, [self, conn] {
      auto s = self.lock();
      if (!s || s->finished_) return;
      s->timer_ = 0;
      Outcome o = s->timed_out_outcome(s->engine_.outcome());
      s->closing_ = true;
      s->finish(o);
      conn->abort();
    });
  }

  Done done_;
  Time timeout_;
  EventId timer_ = 0;
  bool finished_ = false;
};

}  // namespace sim

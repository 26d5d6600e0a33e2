#include "net/socket/listener.hpp"

#include <algorithm>
#include <array>
#include <asio.hpp>
#include <chrono>
#include <csignal>
#include <map>
#include <utility>
#include <vector>

namespace net::socket {

namespace {

using asio::ip::tcp;
using std::chrono::seconds;

// A client that sends without reading our replies stops being read past this much
// unsent output, so a pipelining flood cannot grow memory without bound.
constexpr std::size_t kMaxPendingOutput = 256 * 1024;
// After the last reply (221, +OK after QUIT, BYE, 421, …): how long to wait for the client
// to close before closing anyway, and how long a stalled write may delay the close after a
// timeout.
constexpr seconds kLingerTime{2};
constexpr seconds kTimeoutGrace{10};
// Connections taken from the backlog at once after an accept completes.
constexpr int kAcceptBatch = 64;

std::string endpoint_text(const asio::ip::address& a, std::uint16_t port) {
  return a.is_v6() ? "[" + a.to_string() + "]:" + std::to_string(port)
                   : a.to_string() + ":" + std::to_string(port);
}

LineEvent reply_event(const ListenerReply& r) {
  LineEvent ev;
  ev.sent = true;
  ev.kind = LineKind::Reply;
  ev.label = r.text.substr(0, r.text.find(' '));
  ev.text = r.text;
  ev.meaning = r.meaning;
  ev.rfc = r.rfc;
  return ev;
}

struct Conn {
  explicit Conn(asio::io_context& io) : sock(io), timer(io), penalty(io) {}

  tcp::socket sock;
  asio::steady_timer timer;         // idle timeout, then grace / linger deadline
  std::uint64_t timer_gen = 0;      // ignores a wait that completed just before re-arming
  std::unique_ptr<Session> engine;  // null for a refused (over the limit) connection
  asio::steady_timer penalty;       // Session::penalty_ms (POP3 failed logins)
  bool in_penalty = false;
  ConnectionInfo info;
  std::array<char, 8192> rbuf{};
  std::string out;      // queued for the next write
  std::string writing;  // owned by the write in flight
  bool reading = false;
  bool closing = false;  // last reply queued: flush, then close
  bool lingering = false;
  bool timed_out = false;
  Awaiting awaiting = Awaiting::Command;            // what the client is in the middle of sending
  std::chrono::steady_clock::time_point phase_end;  // its deadline (not for Command)
  bool disconnected = false;                        // engine told on_disconnect()
  bool counted = false;  // holds one of max_connections and one of its address's max_per_ip
  bool closed = false;
};
using ConnPtr = std::shared_ptr<Conn>;

}  // namespace

struct EventLoop::Impl {
  asio::io_context io;
  asio::signal_set signals{io};
  std::vector<Listener::Impl*> listeners;
  std::map<std::string, std::size_t> per_ip;  // open sessions per client address, all listeners
  bool stopping = false;

  void wait_signal();
  void shutdown_all();
  void stop_signals_when_done();
  bool all_closed() const;
};

struct Listener::Impl {
  Impl(EventLoop::Impl& l, ListenerOptions o, std::unique_ptr<Protocol> p)
      : loop(l), opt(std::move(o)), protocol(std::move(p)) {}

  EventLoop::Impl& loop;
  ListenerOptions opt;
  std::unique_ptr<Protocol> protocol;  // outlives the sessions in conns
  asio::io_context& io = loop.io;
  tcp::acceptor acceptor{io};
  asio::steady_timer accept_retry{io};
  std::map<std::uint32_t, ConnPtr> conns;
  std::size_t engine_conns = 0;
  std::uint32_t next_id = 1;
  bool stopping = false;
  bool wake_posted = false;  // a push() is queued on io
  EventHandler event_cb;
  ConnectionHandler conn_cb;
  ErrorHandler error_cb;
  TlsHandler tls_cb;
  WireHandler wire_cb;

  void listen() {
    const std::string where = opt.bind + ":" + std::to_string(opt.port);
    std::error_code ec;
    auto addr = asio::ip::make_address(opt.bind, ec);
    if (ec) throw ListenError("cannot listen on " + where + ": not an IP address");
    const tcp::endpoint ep(addr, opt.port);
    const std::string shown = endpoint_text(addr, opt.port);
    auto check = [&](const std::error_code& e) {
      if (e) throw ListenError("cannot listen on " + shown + ": " + e.message());
    };
    acceptor.open(ep.protocol(), ec);
    check(ec);
    acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
    check(ec);
    acceptor.bind(ep, ec);
    check(ec);
    acceptor.listen(asio::socket_base::max_listen_connections, ec);
    check(ec);
  }

  void emit(Conn& c, const EngineEvent& ev) {
    if (event_cb) event_cb(c.info, ev);
  }

  // Moves what the engine produced (events, bytes) out of it.
  void drain(Conn& c) {
    emit_tls(c);  // a handshake that just finished comes before the engine's next lines
    for (const auto& ev : c.engine->take_events()) emit(c, ev);
    // Taken over whole when nothing is queued: a FETCH 1:* BODY[] answer is megabytes.
    if (c.out.empty()) {
      c.out = c.engine->take_output();
    } else {
      c.out += c.engine->take_output();
    }
    emit_tls(c);
    if (c.engine->wants_close()) c.closing = true;
  }

  void tap(const Conn& c, bool sent, std::string_view bytes) {
    if (wire_cb) wire_cb(c.info, sent, bytes);
  }

  void emit_tls(Conn& c) {
    for (const auto& n : c.engine->take_tls())
      if (tls_cb) tls_cb(c.info, n);
  }

  // Runs `f` (engine work) and turns an exception into a closed connection.
  template <class F>
  void guarded(const ConnPtr& c, F&& f) {
    try {
      f();
    } catch (const std::exception& e) {
      if (error_cb) error_cb(c->info, e.what());
      close(c);
    }
  }

  // Sessions may have been given output outside feed() (IMAP IDLE hears of a store change,
  // RFC 2177): write it out. Scheduled by the Protocol's wake function.
  void wake() {
    if (wake_posted) return;
    wake_posted = true;
    asio::post(io, [this] { push(); });
  }

  void push() {
    wake_posted = false;
    auto open = conns;
    for (auto& entry : open) {
      ConnPtr& c = entry.second;  // a plain reference: lambdas below capture it
      if (c->closed || !c->engine || !c->engine->has_output()) continue;
      guarded(c, [&] { drain(*c); });
      if (!c->closed) flush(c);
    }
  }

  // The engine holds a reply (POP3 failed login, RFC 1939 §13): wait, then release it.
  void arm_penalty(const ConnPtr& c) {
    if (!c->engine || c->in_penalty || c->closed || c->engine->penalty_ms() <= 0) return;
    c->in_penalty = true;
    c->penalty.expires_after(std::chrono::milliseconds(c->engine->penalty_ms()));
    c->penalty.async_wait([this, c](std::error_code ec) {
      c->in_penalty = false;
      if (ec || c->closed) return;
      guarded(c, [&] {
        c->engine->end_penalty();
        drain(*c);
      });
      if (c->closed) return;
      arm_penalty(c);
      flush(c);
      read(c);
    });
  }

  void accept() {
    auto c = std::make_shared<Conn>(io);
    acceptor.async_accept(c->sock, [this, c](std::error_code ec) {
      if (ec == asio::error::operation_aborted || stopping) return;
      if (!ec) {
        start(c);
        accept_backlog();
        accept();
        return;
      }
      // Failures such as EMFILE must not stop the listener, nor spin: retry shortly.
      accept_retry.expires_after(std::chrono::milliseconds(100));
      accept_retry.async_wait([this](std::error_code e) {
        if (!e && !stopping) accept();
      });
    });
  }

  // One async_accept completes once per turn of the loop, and a turn under load may include
  // fsyncs (serve --maildir): take what else is already queued in the backlog now, so a burst
  // of connections is greeted in one turn instead of one per turn.
  void accept_backlog() {
    std::error_code ec;
    acceptor.non_blocking(true, ec);
    for (int i = 0; i < kAcceptBatch && !ec && !stopping; ++i) {
      auto c = std::make_shared<Conn>(io);
      acceptor.accept(c->sock, ec);
      if (!ec) start(c);
    }
  }

  void start(const ConnPtr& c) {
    std::error_code ec;
    auto remote = c->sock.remote_endpoint(ec);
    auto local = c->sock.local_endpoint(ec);
    c->info.id = next_id++;
    c->info.peer_ip = remote.address().to_string();
    c->info.peer_port = remote.port();
    c->info.local_ip = local.address().to_string();
    c->info.local_port = local.port();
    c->sock.set_option(tcp::no_delay(true), ec);
    conns[c->info.id] = c;

    // A refused connection gets no engine: one line, then close (memory stays bounded
    // however many arrive).
    const auto from_ip = loop.per_ip.find(c->info.peer_ip);
    const bool over_ip =
        opt.max_per_ip > 0 && from_ip != loop.per_ip.end() && from_ip->second >= opt.max_per_ip;
    if (engine_conns >= opt.max_connections || over_ip) {
      c->info.refused = true;
      if (conn_cb) conn_cb(c->info, true);
      const ListenerReply& refusal = over_ip ? protocol->ip_refusal : protocol->refusal;
      emit(*c, reply_event(refusal));
      c->out = refusal.text + "\r\n";
      c->closing = true;
      flush(c);
      return;
    }
    ++engine_conns;
    ++loop.per_ip[c->info.peer_ip];
    c->counted = true;
    if (conn_cb) conn_cb(c->info, true);
    guarded(c, [&] {
      c->engine = protocol->open(c->info);
      c->engine->on_connect(c->info.peer_ip);
      drain(*c);
    });
    if (c->closed) return;
    arm_idle(c);
    flush(c);
    read(c);
  }

  void read(const ConnPtr& c) {
    if (c->reading || c->closed || c->closing) return;
    if (c->in_penalty) return;  // input waits until the held reply is written
    // The engine would not look at input before its answer in parts is complete: leave it
    // in the socket (bounded memory); the write that completes the answer reads again.
    if (c->engine && c->engine->paused()) return;
    if (c->out.size() + c->writing.size() > kMaxPendingOutput) return;  // resumed by flush
    c->reading = true;
    c->sock.async_read_some(asio::buffer(c->rbuf), [this, c](std::error_code ec, std::size_t n) {
      c->reading = false;
      if (c->closed) return;
      if (ec == asio::error::eof) tap(*c, false, {});
      if (ec) {
        if (ec == asio::error::eof &&
            (!c->out.empty() || !c->writing.empty() || (c->engine && c->engine->paused()))) {
          // Half-close: the client has sent everything; still deliver the replies owed.
          // An answer given in parts is owed whole, and so are the replies to what was
          // pipelined behind it: make them all now, as if it had not been split.
          guarded(c, [&] {
            while (c->engine && c->engine->paused()) {
              c->engine->resume();
              drain(*c);
            }
          });
          if (c->closed) return;
          engine_disconnect(c);
          c->closing = true;
          flush(c);
          return;
        }
        close(c);  // EOF, reset, or cancelled
        return;
      }
      const std::string_view got(c->rbuf.data(), n);
      if (c->lingering) {
        tap(*c, false, got);
        discard_input(c);
        return;
      }
      if (c->closing) {  // input after the last reply is ignored
        tap(*c, false, got);
        return;
      }
      guarded(c, [&] {
        c->engine->feed(got);
        drain(*c);
        tap(*c, false, got);  // after the engine: its credentials are marked by now
      });
      if (c->closed) return;
      track_input(c);
      arm_penalty(c);
      flush(c);
      read(c);
    });
  }

  // After input: the first bytes of a command line (or TLS handshake), DATA transfer or
  // literal start a deadline of its own, which further partial bytes leave alone, so a client
  // sending a byte a second cannot hold a session; the idle timer restarts, capped by it.
  void track_input(const ConnPtr& c) {
    if (c->timed_out || c->lingering || c->closing || !c->engine) return;
    const Awaiting a = c->engine->awaiting();
    if (a != c->awaiting) {
      c->awaiting = a;
      c->phase_end = std::chrono::steady_clock::now() +
                     seconds(a == Awaiting::Line ? opt.line_timeout_s : opt.data_timeout_s);
    }
    arm_idle(c);
  }

  void flush(const ConnPtr& c) {
    if (c->closed || !c->writing.empty()) return;
    if (c->out.empty()) {
      if (c->closing) linger(c);
      return;
    }
    c->writing.swap(c->out);
    tap(*c, true, c->writing);
    asio::async_write(c->sock, asio::buffer(c->writing),
                      [this, c](std::error_code ec, std::size_t) {
                        c->writing.clear();
                        if (c->closed) return;
                        if (ec) {
                          close(c);
                          return;
                        }
                        // The next part of an answer given in parts, now that the last
                        // one is on its way (the socket buffer holds it).
                        if (c->engine && c->out.empty() && c->engine->paused()) {
                          guarded(c, [&] {
                            c->engine->resume();
                            drain(*c);
                          });
                          if (c->closed) return;
                        }
                        flush(c);
                        read(c);
                      });
  }

  // Everything is written and the session is over: send FIN, then wait briefly for the
  // client's FIN so that unread input does not turn our close into a reset that could
  // destroy the last reply before the client reads it.
  void linger(const ConnPtr& c) {
    if (c->lingering) return;
    c->lingering = true;
    release_slot(*c);  // the session is over; only the TCP close is left
    std::error_code ec;
    c->sock.shutdown(tcp::socket::shutdown_send, ec);
    tap(*c, true, {});
    arm_timer(c, kLingerTime);
    if (!c->reading) discard_input(c);  // else the read in flight continues it
  }

  void discard_input(const ConnPtr& c) {
    c->sock.async_read_some(asio::buffer(c->rbuf), [this, c](std::error_code ec, std::size_t n) {
      if (c->closed) return;
      if (ec == asio::error::eof) tap(*c, false, {});
      if (ec) {
        close(c);
        return;
      }
      tap(*c, false, std::string_view(c->rbuf.data(), n));
      discard_input(c);
    });
  }

  void release_slot(Conn& c) {
    if (!c.counted) return;
    c.counted = false;
    --engine_conns;
    auto it = loop.per_ip.find(c.info.peer_ip);
    if (it != loop.per_ip.end() && --it->second == 0) loop.per_ip.erase(it);
  }

  void arm_idle(const ConnPtr& c) {
    if (c->timed_out || c->lingering) return;
    std::chrono::steady_clock::duration after = seconds(opt.idle_timeout_s);
    if (c->awaiting != Awaiting::Command)
      after = std::min(after, c->phase_end - std::chrono::steady_clock::now());
    arm_timer(c, after);
  }

  void arm_timer(const ConnPtr& c, std::chrono::steady_clock::duration after) {
    const std::uint64_t gen = ++c->timer_gen;
    c->timer.expires_after(after);
    c->timer.async_wait([this, c, gen](std::error_code ec) {
      if (ec || c->closed || gen != c->timer_gen) return;
      if (c->lingering || c->timed_out || c->closing || !c->engine) {
        close(c);
        return;
      }
      // The server may close an idle session, or one whose command, DATA or literal takes
      // too long (RFC 5321 §4.5.3.2, RFC 1939 §3, RFC 3501 §5.4); the engine says why.
      c->timed_out = true;
      guarded(c, [&] {
        c->engine->on_timeout();
        drain(*c);
      });
      if (c->closed) return;
      c->closing = true;
      arm_timer(c, kTimeoutGrace);  // if the client never reads, close anyway
      flush(c);
    });
  }

  // The session ended without the engine deciding so (EOF, error, timeout grace, shutdown):
  // the engine drops any half-received message, releases locks, deletes nothing. Nothing
  // more can be sent, so its output is discarded.
  void engine_disconnect(const ConnPtr& c) {
    if (!c->engine || c->disconnected || c->engine->wants_close()) return;
    c->disconnected = true;
    try {
      c->engine->on_disconnect();
      for (const auto& ev : c->engine->take_events()) emit(*c, ev);
      (void)c->engine->take_output();
    } catch (const std::exception& e) {
      if (error_cb) error_cb(c->info, e.what());
    }
  }

  void close(const ConnPtr& c) {
    if (c->closed) return;
    c->closed = true;
    engine_disconnect(c);
    std::error_code ec;
    c->timer.cancel();
    c->penalty.cancel();
    try {
      c->engine.reset();  // releases what the session holds (a POP3 lock, store listeners)
    } catch (...) {
    }
    c->sock.shutdown(tcp::socket::shutdown_both, ec);
    c->sock.close(ec);
    release_slot(*c);
    conns.erase(c->info.id);
    if (conn_cb) conn_cb(c->info, false);
    loop.stop_signals_when_done();
  }

  void close_all() {
    auto open = conns;  // close() erases from conns
    for (auto& [id, c] : open) close(c);
  }

  // A server that shuts down gives open sessions a last reply (RFC 5321 §3.8, RFC 2449
  // §8.1.2, RFC 3501 §7.1.5), then closes them.
  void shutdown_all() {
    if (stopping) return;
    stopping = true;
    std::error_code ec;
    acceptor.close(ec);
    accept_retry.cancel();
    const auto& last = protocol->shutdown_reply;
    auto open = conns;  // close() erases from conns
    for (auto& entry : open) {
      ConnPtr& c = entry.second;  // a plain reference: the lambda below captures it
      if (c->closed || c->closing) continue;
      if (!c->engine) {
        close(c);
        continue;
      }
      if (last) {
        emit(*c, reply_event(*last));
        engine_disconnect(c);  // drops a half-received message
        c->out += c->engine->wrap(last->text + "\r\n");
        emit_tls(*c);
      } else {
        guarded(c, [&] {
          c->engine->shutdown();
          drain(*c);
        });
        if (c->closed) continue;
      }
      c->closing = true;
      c->timed_out = true;
      arm_timer(c, kLingerTime);
      flush(c);
    }
  }
};

bool EventLoop::Impl::all_closed() const {
  for (const auto* l : listeners) {
    if (!l->conns.empty()) return false;
  }
  return true;
}

// A second SIGINT/SIGTERM while sessions are still saying goodbye closes them at once.
void EventLoop::Impl::wait_signal() {
  signals.async_wait([this](std::error_code ec, int) {
    if (ec) return;
    if (stopping) {
      for (auto* l : listeners) l->close_all();
    } else {
      shutdown_all();
    }
    if (!(stopping && all_closed())) wait_signal();
  });
}

void EventLoop::Impl::shutdown_all() {
  if (stopping) return;
  stopping = true;
  for (auto* l : listeners) l->shutdown_all();
  stop_signals_when_done();
}

// While stopping, the signal wait is the last thing keeping run() busy.
void EventLoop::Impl::stop_signals_when_done() {
  if (!stopping || !all_closed()) return;
  std::error_code ec;
  signals.cancel(ec);
}

EventLoop::EventLoop() : impl_(std::make_unique<Impl>()) {}
EventLoop::~EventLoop() = default;

void EventLoop::run() {
  Impl& m = *impl_;
  if (!m.stopping) {
    m.signals.add(SIGINT);
    m.signals.add(SIGTERM);
    m.wait_signal();
    for (auto* l : m.listeners) l->accept();
  }
  m.io.run();
  m.io.restart();
}

void EventLoop::stop() {
  Impl* m = impl_.get();
  asio::post(m->io, [m] { m->shutdown_all(); });
}

void EventLoop::post(std::function<void()> fn) {
  asio::post(impl_->io, std::move(fn));
}

Listener::Listener(EventLoop& loop, ListenerOptions options, std::unique_ptr<Protocol> protocol)
    : impl_(std::make_unique<Impl>(*loop.impl_, std::move(options), std::move(protocol))) {
  impl_->listen();
  Impl* m = impl_.get();
  m->protocol->attach([m] { m->wake(); });
  loop.impl_->listeners.push_back(m);
}

Listener::~Listener() {
  auto& ls = impl_->loop.listeners;
  std::erase(ls, impl_.get());
  impl_->conns.clear();  // sessions go before the protocol that made them
}

std::uint16_t Listener::port() const {
  std::error_code ec;
  auto ep = impl_->acceptor.local_endpoint(ec);
  return ec ? 0 : ep.port();
}

std::string Listener::local_address() const {
  std::error_code ec;
  auto ep = impl_->acceptor.local_endpoint(ec);
  return ec ? std::string() : endpoint_text(ep.address(), ep.port());
}

void Listener::on_event(EventHandler cb) {
  impl_->event_cb = std::move(cb);
}
void Listener::on_connection(ConnectionHandler cb) {
  impl_->conn_cb = std::move(cb);
}
void Listener::on_error(ErrorHandler cb) {
  impl_->error_cb = std::move(cb);
}
void Listener::on_tls(TlsHandler cb) {
  impl_->tls_cb = std::move(cb);
}
void Listener::on_wire(WireHandler cb) {
  impl_->wire_cb = std::move(cb);
}

std::size_t Listener::open_connections() const {
  return impl_->engine_conns;
}

}  // namespace net::socket

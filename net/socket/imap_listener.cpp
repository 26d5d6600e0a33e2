#include "net/socket/imap_listener.hpp"

#include <array>
#include <asio.hpp>
#include <atomic>
#include <chrono>
#include <csignal>
#include <map>
#include <mutex>
#include <string_view>
#include <utility>

#include "net/store/mailstore.hpp"

namespace net::socket {

namespace {

using asio::ip::tcp;
using std::chrono::seconds;

// A client that sends without reading our replies stops being read past this much
// unsent output, so a pipelining flood cannot grow memory without bound.
constexpr std::size_t kMaxPendingOutput = 256 * 1024;
// After the last response (BYE): how long to wait for the client to close before
// closing anyway, and how long a stalled write may delay the close after a timeout.
constexpr seconds kLingerTime{2};
constexpr seconds kTimeoutGrace{10};

std::string endpoint_text(const asio::ip::address& a, std::uint16_t port) {
  return a.is_v6() ? "[" + a.to_string() + "]:" + std::to_string(port)
                   : a.to_string() + ":" + std::to_string(port);
}

LineEvent reply_event(std::string text, std::string meaning, std::string rfc) {
  LineEvent ev;
  ev.sent = true;
  ev.kind = LineKind::Reply;
  ev.label = text.substr(0, text.find(' '));
  ev.text = std::move(text);
  ev.meaning = std::move(meaning);
  ev.rfc = std::move(rfc);
  return ev;
}

struct Conn {
  explicit Conn(asio::io_context& io) : sock(io), timer(io) {}

  tcp::socket sock;
  asio::steady_timer timer;              // idle timeout, then grace / linger deadline
  std::uint64_t timer_gen = 0;           // ignores a wait that completed just before re-arming
  std::unique_ptr<imap::Server> engine;  // null for a refused (over the limit) connection
  ConnectionInfo info;
  std::array<char, 8192> rbuf{};
  std::string out;      // queued for the next write
  std::string writing;  // owned by the write in flight
  bool reading = false;
  bool closing = false;  // last reply queued: flush, then close
  bool lingering = false;
  bool timed_out = false;
  bool disconnected = false;  // engine told on_disconnect()
  bool counted = false;       // holds one of max_connections
  bool closed = false;
};
using ConnPtr = std::shared_ptr<Conn>;

}  // namespace

struct ImapListener::Impl {
  Impl(ImapListenerOptions o, store::Mailstore& s) : opt(std::move(o)), store(s) {}

  ImapListenerOptions opt;
  store::Mailstore& store;
  asio::io_context io;
  tcp::acceptor acceptor{io};
  asio::signal_set signals{io};
  asio::steady_timer accept_retry{io};
  std::map<std::uint32_t, ConnPtr> conns;
  std::size_t engine_conns = 0;
  std::uint32_t next_id = 1;
  bool stopping = false;
  store::Mailstore::ListenerId store_listener = 0;
  std::atomic<bool> push_posted{false};  // a push() is queued on io
  EventHandler event_cb;
  ConnectionHandler conn_cb;
  ErrorHandler error_cb;

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

  // Moves what the engine produced (events, bytes) out of it. Another thread's store change
  // can add output to an idling engine, so this too runs under the store mutex.
  void drain(Conn& c) {
    EngineEvents evs;
    locked([&] {
      evs = c.engine->take_events();
      c.out += c.engine->take_output();
      if (c.engine->wants_close()) c.closing = true;
    });
    for (const auto& ev : evs) emit(c, ev);
  }

  // A store change (maybe on another listener's thread) may have given idling sessions
  // untagged responses to send now (RFC 2177): write them out.
  void push() {
    push_posted = false;
    auto open = conns;
    for (auto& [id, c] : open) {
      if (c->closed || !c->engine) continue;
      bool has = false;
      locked([&] { has = c->engine->has_output(); });
      if (!has) continue;
      guarded(c, [&] { drain(*c); });
      if (!c->closed) flush(c);
    }
  }

  // Engine calls that may touch the shared store run under opt.store_mutex.
  template <class F>
  void locked(F&& f) {
    if (opt.store_mutex) {
      std::lock_guard<std::mutex> g(*opt.store_mutex);
      f();
    } else {
      f();
    }
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

  void accept() {
    auto c = std::make_shared<Conn>(io);
    acceptor.async_accept(c->sock, [this, c](std::error_code ec) {
      if (ec == asio::error::operation_aborted || stopping) return;
      if (!ec) {
        start(c);
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

    if (engine_conns >= opt.max_connections) {
      c->info.refused = true;
      if (conn_cb) conn_cb(c->info, true);
      // RFC 3501 §7.1.5: BYE instead of a greeting.
      const std::string line = "* BYE Too many connections, try again later";
      emit(*c, reply_event(line, "The server is busy with too many connections; try later.",
                           "RFC 3501 §7.1.5"));
      c->out = line + "\r\n";
      c->closing = true;
      flush(c);
      return;
    }
    ++engine_conns;
    c->counted = true;
    if (conn_cb) conn_cb(c->info, true);
    guarded(c, [&] {
      locked([&] {
        c->engine = std::make_unique<imap::Server>(opt.server, store, [] {
          return static_cast<std::int64_t>(std::chrono::duration_cast<std::chrono::seconds>(
                                               std::chrono::system_clock::now().time_since_epoch())
                                               .count());
        });
        c->engine->on_connect(c->info.peer_ip, c->info.peer_ip);
      });
      drain(*c);
    });
    if (c->closed) return;
    arm_idle(c);
    flush(c);
    read(c);
  }

  void read(const ConnPtr& c) {
    if (c->reading || c->closed || c->closing) return;
    if (c->out.size() + c->writing.size() > kMaxPendingOutput) return;  // resumed by flush
    c->reading = true;
    c->sock.async_read_some(asio::buffer(c->rbuf), [this, c](std::error_code ec, std::size_t n) {
      c->reading = false;
      if (c->closed) return;
      if (ec) {
        if (ec == asio::error::eof && (!c->out.empty() || !c->writing.empty())) {
          // Half-close: the client has sent everything; still deliver the replies owed.
          engine_disconnect(c);
          c->closing = true;
          flush(c);
          return;
        }
        close(c);  // EOF, reset, or cancelled
        return;
      }
      if (c->lingering) {
        discard_input(c);
        return;
      }
      if (c->closing) return;  // input after the last reply is ignored
      arm_idle(c);
      guarded(c, [&] {
        locked([&] { c->engine->feed(std::string_view(c->rbuf.data(), n)); });
        drain(*c);
      });
      if (c->closed) return;
      flush(c);
      read(c);
    });
  }

  void flush(const ConnPtr& c) {
    if (c->closed || !c->writing.empty()) return;
    if (c->out.empty()) {
      if (c->closing) linger(c);
      return;
    }
    c->writing.swap(c->out);
    asio::async_write(c->sock, asio::buffer(c->writing),
                      [this, c](std::error_code ec, std::size_t) {
                        c->writing.clear();
                        if (c->closed) return;
                        if (ec) {
                          close(c);
                          return;
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
    arm_timer(c, kLingerTime);
    if (!c->reading) discard_input(c);  // else the read in flight continues it
  }

  void discard_input(const ConnPtr& c) {
    c->sock.async_read_some(asio::buffer(c->rbuf), [this, c](std::error_code ec, std::size_t) {
      if (c->closed) return;
      if (ec) {
        close(c);
        return;
      }
      discard_input(c);
    });
  }

  void release_slot(Conn& c) {
    if (c.counted) --engine_conns;
    c.counted = false;
  }

  void arm_idle(const ConnPtr& c) {
    if (!c->timed_out && !c->lingering) arm_timer(c, seconds(opt.idle_timeout_s));
  }

  void arm_timer(const ConnPtr& c, seconds after) {
    const std::uint64_t gen = ++c->timer_gen;
    c->timer.expires_after(after);
    c->timer.async_wait([this, c, gen](std::error_code ec) {
      if (ec || c->closed || gen != c->timer_gen) return;
      if (c->lingering || c->timed_out || c->closing || !c->engine) {
        close(c);
        return;
      }
      // RFC 3501 §5.4: the autologout timer; the engine says BYE.
      c->timed_out = true;
      guarded(c, [&] {
        locked([&] { c->engine->on_timeout(); });
        drain(*c);
      });
      if (c->closed) return;
      c->closing = true;
      arm_timer(c, kTimeoutGrace);  // if the client never reads, close anyway
      flush(c);
    });
  }

  // The session ended without the engine deciding so (EOF, error, timeout grace, shutdown):
  // the engine drops any half-received message. Nothing more can be sent, so its output is
  // discarded.
  void engine_disconnect(const ConnPtr& c) {
    if (!c->engine || c->disconnected || c->engine->wants_close()) return;
    c->disconnected = true;
    try {
      locked([&] { c->engine->on_disconnect(); });
      EngineEvents evs;
      locked([&] {
        evs = c->engine->take_events();
        (void)c->engine->take_output();
      });
      for (const auto& ev : evs) emit(*c, ev);
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
    try {
      locked([&] { c->engine.reset(); });  // its destructor leaves the store's listeners
    } catch (...) {
    }
    c->sock.shutdown(tcp::socket::shutdown_both, ec);
    c->sock.close(ec);
    release_slot(*c);
    conns.erase(c->info.id);
    if (conn_cb) conn_cb(c->info, false);
    stop_signals_when_done();
  }

  // A second SIGINT/SIGTERM while sessions are still saying goodbye closes them at once.
  void wait_signal() {
    signals.async_wait([this](std::error_code ec, int) {
      if (ec) return;
      if (stopping) {
        auto open = conns;
        for (auto& [id, c] : open) close(c);
      } else {
        shutdown_all();
      }
      if (!(stopping && conns.empty())) wait_signal();
    });
  }

  // While stopping, the signal wait is the last thing keeping run() busy.
  void stop_signals_when_done() {
    if (!stopping || !conns.empty()) return;
    std::error_code ec;
    signals.cancel(ec);
  }

  // A server that shuts down says BYE to open sessions (RFC 3501 §7.1.5) and closes them.
  void shutdown_all() {
    if (stopping) return;
    stopping = true;
    std::error_code ec;
    acceptor.close(ec);
    accept_retry.cancel();
    auto open = conns;  // close() erases from conns
    for (auto& [id, c] : open) {
      if (c->closed || c->closing) continue;
      if (!c->engine) {
        close(c);
        continue;
      }
      guarded(c, [&] {
        locked([&] { c->engine->shutdown(); });
        drain(*c);
      });
      if (c->closed) continue;
      c->closing = true;
      c->timed_out = true;
      arm_timer(c, kLingerTime);
      flush(c);
    }
    stop_signals_when_done();
  }
};

ImapListener::ImapListener(ImapListenerOptions options, store::Mailstore& store)
    : impl_(std::make_unique<Impl>(std::move(options), store)) {
  impl_->listen();
  Impl* m = impl_.get();
  m->locked([m] {
    m->store_listener = m->store.subscribe([m](const store::Change&) {
      // Called with the store mutex held, maybe on another thread: only schedule.
      if (m->push_posted.exchange(true)) return;
      asio::post(m->io, [m] { m->push(); });
    });
  });
}

ImapListener::~ImapListener() {
  Impl* m = impl_.get();
  m->locked([m] {
    m->store.unsubscribe(m->store_listener);
    for (auto& [id, c] : m->conns) c->engine.reset();
  });
}

std::uint16_t ImapListener::port() const {
  std::error_code ec;
  auto ep = impl_->acceptor.local_endpoint(ec);
  return ec ? 0 : ep.port();
}

std::string ImapListener::local_address() const {
  std::error_code ec;
  auto ep = impl_->acceptor.local_endpoint(ec);
  return ec ? std::string() : endpoint_text(ep.address(), ep.port());
}

void ImapListener::on_event(EventHandler cb) {
  impl_->event_cb = std::move(cb);
}
void ImapListener::on_connection(ConnectionHandler cb) {
  impl_->conn_cb = std::move(cb);
}
void ImapListener::on_error(ErrorHandler cb) {
  impl_->error_cb = std::move(cb);
}

void ImapListener::run() {
  Impl& m = *impl_;
  if (!m.stopping) {
    m.signals.add(SIGINT);
    m.signals.add(SIGTERM);
    m.wait_signal();
    m.accept();
  }
  m.io.run();
  m.io.restart();
}

void ImapListener::stop() {
  Impl* m = impl_.get();
  asio::post(m->io, [m] { m->shutdown_all(); });
}

std::size_t ImapListener::open_connections() const {
  return impl_->engine_conns;
}

}  // namespace net::socket

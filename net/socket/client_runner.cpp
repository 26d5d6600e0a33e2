#include "net/socket/client_runner.hpp"

#include <array>
#include <asio.hpp>
#include <chrono>
#include <csignal>
#include <utility>

#include "net/smtp/client.hpp"
#include "net/tls/context.hpp"

namespace net::socket {

void SmtpClientEngine::feed(std::string_view bytes) {
  client_.feed(bytes);
}
std::string SmtpClientEngine::take_output() {
  return client_.take_output();
}
EngineEvents SmtpClientEngine::take_events() {
  return client_.take_events();
}
bool SmtpClientEngine::done() const {
  return client_.done();
}
void SmtpClientEngine::on_disconnect() {
  client_.on_disconnect();
}
bool SmtpClientEngine::wants_tls() const {
  return client_.wants_tls();
}
void SmtpClientEngine::on_tls_established() {
  client_.on_tls_established();
}
void SmtpClientEngine::on_tls_failed(const std::string& why) {
  client_.on_tls_failed(why);
}

namespace {

using asio::ip::tcp;

std::string endpoint_text(const tcp::endpoint& ep) {
  const auto a = ep.address();
  return a.is_v6() ? "[" + a.to_string() + "]:" + std::to_string(ep.port())
                   : a.to_string() + ":" + std::to_string(ep.port());
}

std::string where_text(const std::string& host, std::uint16_t port) {
  return (host.find(':') != std::string::npos ? "[" + host + "]" : host) + ":" +
         std::to_string(port);
}

// One run: the socket, the deadline and the bytes in flight.
class Session {
 public:
  Session(ClientEngine& engine, const ClientRunOptions& opt)
      : engine_(engine),
        opt_(opt),
        resolver_(io_),
        sock_(io_),
        deadline_(io_),
        tick_(io_),
        grace_(io_),
        signals_(io_) {}

  ClientRunResult run() {
    if (opt_.handle_signals) {
      signals_.add(SIGINT);
      signals_.add(SIGTERM);
      wait_signal();
    }
    const int limit = opt_.timeout_s > 0 ? opt_.timeout_s : 1;
    deadline_.expires_after(std::chrono::seconds(limit));
    deadline_.async_wait([this, limit](std::error_code ec) {
      if (ec || finished_) return;
      res_.timed_out = true;
      end("timed out after " + std::to_string(limit) + " s" +
          (res_.connected ? "" : " (connecting to " + where_text(opt_.host, opt_.port) + ")"));
    });
    // An IP address needs no lookup (AI_NUMERICHOST never blocks). A name goes to the system
    // resolver, which asio cannot interrupt: a hanging DNS lookup can delay the return past
    // the timeout until the resolver itself gives up.
    std::error_code not_ip;
    (void)asio::ip::make_address(opt_.host, not_ip);
    const auto flags = not_ip ? tcp::resolver::flags()
                              : tcp::resolver::numeric_host | tcp::resolver::numeric_service;
    resolver_.async_resolve(opt_.host, std::to_string(opt_.port), flags,
                            [this](std::error_code ec, const tcp::resolver::results_type& results) {
                              if (finished_) return;
                              if (ec) {
                                end("cannot resolve " + opt_.host + ": " + ec.message());
                                return;
                              }
                              connect(results);
                            });
    try {
      io_.run();
    } catch (...) {
      close_socket();
      throw;
    }
    close_socket();
    return res_;
  }

 private:
  void connect(const tcp::resolver::results_type& results) {
    asio::async_connect(sock_, results, [this](std::error_code ec, const tcp::endpoint& ep) {
      if (finished_) return;
      const std::string where = where_text(opt_.host, opt_.port);
      if (ec == asio::error::connection_refused) {
        end("connection refused by " + where);
        return;
      }
      if (ec) {
        end("cannot connect to " + where + ": " + ec.message());
        return;
      }
      res_.connected = true;
      res_.peer = endpoint_text(ep);
      std::error_code ignored;
      sock_.set_option(tcp::no_delay(true), ignored);
      if (opt_.on_connected)
        opt_.on_connected(endpoint_text(sock_.local_endpoint(ignored)), res_.peer);
      if (opt_.tls && opt_.tls_implicit) begin_tls();
      pump();  // a client-speaks-first engine may already have output
      if (!finished_) read();
    });
  }

  // Moves the engine's events and bytes out; closes when the engine is done.
  void pump() {
    for (const auto& ev : engine_.take_events())
      if (opt_.on_event) opt_.on_event(ev);
    std::string out = engine_.take_output();
    if (tls_) {
      if (!out.empty() && !tls_->failed()) tls_->write(out);
      out = tls_->take_wire();
      tls_events();
    } else if (opt_.tls && engine_.wants_tls()) {
      // The server said yes to STARTTLS/STLS: our ClientHello follows the last command.
      out_ += out;
      begin_tls();
      out = tls_->take_wire();
      tls_events();
    }
    out_ += out;
    arm_tick();
    write();
  }

  void begin_tls() {
    tls_ = std::make_unique<tls::Session>(opt_.tls, tls::Role::Client,
                                          opt_.server_name.empty() ? opt_.host : opt_.server_name);
    tls_->start();
  }

  void tls_events() {
    for (const auto& e : tls_->take_events())
      if (opt_.on_tls_event) opt_.on_tls_event(e);
  }

  // Bytes from the socket: through TLS when it is on, then to the engine.
  void deliver(std::string_view bytes) {
    if (!tls_) {
      engine_.feed(bytes);
      return;
    }
    if (tls_->failed()) return;
    tls_->feed(bytes);
    tls_events();
    if (tls_->failed()) {
      res_.tls_error = tls_->error();
      engine_.on_tls_failed(tls_->error());
      return;
    }
    if (tls_->established() && !tls_up_) {
      tls_up_ = true;
      if (opt_.on_tls_established) opt_.on_tls_established(tls_->info());
      if (!opt_.tls_implicit) engine_.on_tls_established();
    }
    std::string plain = tls_->take_plain();
    if (!plain.empty()) engine_.feed(plain);
  }

  void arm_tick() {
    const int ms = engine_.timer_ms();
    if (ms < 0 || finished_) return;
    tick_.expires_after(std::chrono::milliseconds(ms));
    tick_.async_wait([this](std::error_code ec) {
      if (ec || finished_) return;
      engine_.on_timer();
      pump();
    });
  }

  // Ctrl-C: the engine says goodbye; a second signal (or a silent server) ends the run.
  void wait_signal() {
    signals_.async_wait([this](std::error_code ec, int) {
      if (ec || finished_) return;
      res_.interrupted = true;
      if (interrupting_ || !res_.connected) {
        end("interrupted");
        return;
      }
      interrupting_ = true;
      engine_.interrupt();
      pump();
      grace_.expires_after(std::chrono::seconds(5));
      grace_.async_wait([this](std::error_code e) {
        if (!e && !finished_) end("interrupted");
      });
      wait_signal();
    });
  }

  void write() {
    if (finished_ || writing_) return;
    if (out_.empty()) {
      if (engine_.done()) {
        if (tls_ && tls_->established() && !tls_->failed() && !tls_closed_) {
          tls_closed_ = true;
          tls_->close();  // close_notify before the FIN (RFC 8446 §6.1)
          out_ = tls_->take_wire();
          tls_events();
          if (!out_.empty()) return write();
        }
        res_.completed = true;
        end({});
      }
      return;
    }
    writing_ = true;
    in_flight_.swap(out_);
    if (opt_.on_wire) opt_.on_wire(true, in_flight_);
    asio::async_write(sock_, asio::buffer(in_flight_), [this](std::error_code ec, std::size_t n) {
      writing_ = false;
      in_flight_.clear();
      res_.bytes_sent += n;
      if (finished_) return;
      if (ec) {
        lost("cannot send to the server: " + ec.message());
        return;
      }
      write();
    });
  }

  void read() {
    sock_.async_read_some(asio::buffer(buf_), [this](std::error_code ec, std::size_t n) {
      if (finished_) return;
      if (ec == asio::error::eof && opt_.on_wire) opt_.on_wire(false, {});
      if (ec) {
        lost(ec == asio::error::eof ? "the server closed the connection"
             : ec == asio::error::connection_reset
                 ? "the server reset the connection"
                 : "cannot read from the server: " + ec.message());
        return;
      }
      res_.bytes_received += n;
      if (opt_.on_wire) opt_.on_wire(false, std::string_view(buf_.data(), n));
      deliver(std::string_view(buf_.data(), n));
      pump();
      if (!finished_ && !engine_.done()) read();
    });
  }

  // The connection ended before the engine was done.
  void lost(std::string why) {
    if (engine_.done()) {  // e.g. the server closed right after the engine's last reply
      res_.completed = true;
      end({});
      return;
    }
    end(std::move(why));
  }

  void end(std::string error) {
    if (finished_) return;
    finished_ = true;
    res_.error = std::move(error);
    if (!res_.completed) {  // also when no connection was made: a temporary failure
      engine_.on_disconnect();
      for (const auto& ev : engine_.take_events())
        if (opt_.on_event) opt_.on_event(ev);
      (void)engine_.take_output();  // nothing more can be sent
    }
    deadline_.cancel();
    tick_.cancel();
    grace_.cancel();
    std::error_code ignored;
    signals_.cancel(ignored);
    resolver_.cancel();
    close_socket();
    io_.stop();  // nothing left to do: do not wait for handlers still queued
  }

  void close_socket() {
    std::error_code ec;
    if (!sock_.is_open()) return;
    sock_.shutdown(tcp::socket::shutdown_both, ec);
    sock_.close(ec);
  }

  ClientEngine& engine_;
  const ClientRunOptions& opt_;
  asio::io_context io_;
  tcp::resolver resolver_;
  tcp::socket sock_;
  asio::steady_timer deadline_;
  asio::steady_timer tick_, grace_;
  asio::signal_set signals_;
  std::unique_ptr<tls::Session> tls_;
  bool tls_up_ = false, tls_closed_ = false, interrupting_ = false;
  std::array<char, 8192> buf_{};
  std::string out_, in_flight_;
  bool writing_ = false;
  bool finished_ = false;
  ClientRunResult res_;
};

}  // namespace

ClientRunResult run_client(ClientEngine& engine, const ClientRunOptions& options) {
  Session s(engine, options);
  return s.run();
}

}  // namespace net::socket

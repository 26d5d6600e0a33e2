#include "net/socket/client_runner.hpp"

#include <array>
#include <asio.hpp>
#include <chrono>
#include <utility>

#include "net/smtp/client.hpp"

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
      : engine_(engine), opt_(opt), resolver_(io_), sock_(io_), deadline_(io_) {}

  ClientRunResult run() {
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
      pump();  // a client-speaks-first engine may already have output
      if (!finished_) read();
    });
  }

  // Moves the engine's events and bytes out; closes when the engine is done.
  void pump() {
    for (const auto& ev : engine_.take_events())
      if (opt_.on_event) opt_.on_event(ev);
    out_ += engine_.take_output();
    write();
  }

  void write() {
    if (finished_ || writing_) return;
    if (out_.empty()) {
      if (engine_.done()) {
        res_.completed = true;
        end({});
      }
      return;
    }
    writing_ = true;
    in_flight_.swap(out_);
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
      if (ec) {
        lost(ec == asio::error::eof ? "the server closed the connection"
             : ec == asio::error::connection_reset
                 ? "the server reset the connection"
                 : "cannot read from the server: " + ec.message());
        return;
      }
      res_.bytes_received += n;
      engine_.feed(std::string_view(buf_.data(), n));
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

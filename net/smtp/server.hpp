// SMTP server engine (RFC 5321) with ESMTP extensions PIPELINING (RFC 2920), SIZE
// (RFC 1870), 8BITMIME (RFC 6152), ENHANCEDSTATUSCODES (RFC 2034/3463), AUTH PLAIN /
// LOGIN (RFC 4954, RFC 4616) and STARTTLS (RFC 3207). Sans-I/O: the driver feeds bytes and
// writes take_output().
//
// TLS is the driver's job: after the engine answered STARTTLS with 220, wants_tls() tells
// the driver to run the handshake on the connection; once it succeeded the driver calls
// on_tls_established() and from then on feeds decrypted bytes. Anything the client sent
// after STARTTLS in the same burst is discarded, never executed under TLS (RFC 3207 §4.2;
// the command-injection flaw CVE-2011-0411).
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "net/engine_event.hpp"
#include "net/engine_io.hpp"
#include "net/smtp/reply.hpp"

namespace net {
class LineBuffer;
struct Line;
}  // namespace net

namespace net::smtp {

enum class ServerState {
  Connected,  // greeting sent, waiting for EHLO/HELO
  Greeted,    // after EHLO/HELO, no transaction
  Mail,       // after MAIL
  Rcpt,       // at least one RCPT accepted
  Data,       // receiving message content
  AuthWait,   // in the middle of an AUTH exchange
  Tls,        // 220 sent to STARTTLS: the TLS handshake runs
  Quit,       // closing
};
const char* to_string(ServerState s);

struct Envelope {
  std::string helo;
  bool esmtp = false;
  std::string peer_ip, peer_host;
  std::string auth_user;  // empty if not authenticated
  std::string mail_from;  // "" for the null sender <>
  std::vector<std::string> rcpt_to;
  std::optional<size_t> declared_size;
  bool body_8bit = false;
  bool tls = false;  // the session is encrypted (Received: "with ESMTPS", RFC 3848)
};

struct ServerConfig {
  std::string hostname = "mx.recipient.example";
  bool submission = false;  // 587 role: AUTH required before MAIL (530 5.7.0)
  bool offer_auth = false;  // advertise AUTH even on port 25
  size_t max_message_size = 10 * 1024 * 1024;
  size_t max_line = 1000;  // octets incl. CRLF (RFC 5321 §4.5.3.1.4, §4.5.3.1.6)
  size_t max_recipients = 100;
  int max_bad_commands = 10;  // then 421 4.7.0 and close
  // Mechanisms advertised and accepted when AUTH is offered (subset of PLAIN LOGIN).
  std::vector<std::string> auth_mechanisms = {"PLAIN", "LOGIN"};
  bool starttls = false;  // offer STARTTLS (the driver holds a certificate)
  bool tls = false;       // the connection is encrypted from the start (465, RFC 8314)
  // AUTH neither offered nor accepted before TLS (538 5.7.11, RFC 4954 §6); on a submission
  // port MAIL then needs TLS too. Off only when a lesson shows plaintext on purpose.
  bool auth_needs_tls = false;
};

class ServerPolicy {
 public:
  virtual ~ServerPolicy() = default;
  // The canonical user name, or nullopt when the credentials are wrong.
  virtual std::optional<std::string> authenticate(const std::string& login,
                                                  const std::string& password) = 0;
  virtual Reply check_sender(const Envelope&, const std::string& /*addr*/) {
    return {250, "2.1.0", {"Sender OK"}};
  }
  // 250 / 550 5.1.1 / 554 5.7.1 relay denied / ...
  virtual Reply check_recipient(const Envelope&, const std::string& addr) = 0;
  // message: dot-unstuffed, CRLF. 250 2.0.0 Ok: queued as ID, or 452/554.
  virtual Reply accept_message(const Envelope&, std::string message) = 0;
  // The same, answered through `done`, at once or later on the same thread (serve --maildir
  // answers once the message is durable). The engine executes nothing the client sent after
  // the final "." until then (its reply comes first, RFC 2920 §3.1).
  using Done = std::function<void(Reply)>;
  virtual void accept_message_later(const Envelope& env, std::string message, Done done) {
    done(accept_message(env, std::move(message)));
  }
};

struct CommandInfo {
  const char* verb;
  const char* syntax;
  const char* help;  // one plain-language sentence (also the meaning shown to students)
  const char* rfc;
  std::vector<ServerState> allowed;
};

class Server : public net::EngineIo {
 public:
  Server(ServerConfig cfg, ServerPolicy& policy);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  void on_connect(std::string peer_ip, std::string peer_host);  // queues the 220 greeting
  void feed(std::string_view bytes);
  bool wants_close() const { return close_; }  // close after flushing output
  void on_disconnect();  // peer vanished: a partial message is dropped, never delivered
  void on_timeout();     // idle timer fired: 421 4.4.2 and close (RFC 5321 §4.5.3.2)
  ServerState state() const { return state_; }
  const Envelope& envelope() const { return env_; }
  bool wants_tls() const { return state_ == ServerState::Tls; }  // run the handshake now
  void on_tls_established();  // the session starts over, encrypted (RFC 3207 §4.2)

  // Called when output was queued outside feed() (a held reply to DATA is ready): the driver
  // then writes take_output() (EngineIo::has_output).
  void on_wake(std::function<void()> cb) { wake_ = std::move(cb); }
  bool waiting() const { return waiting_; }  // the reply to DATA is not known yet

  // The one command table (the GUI draws the state diagram from it).
  static const std::vector<CommandInfo>& commands();

 private:
  struct Entry;
  enum class AuthStep { None, Plain, LoginUser, LoginPass };

  void enter_state(ServerState s);
  void send(const Reply& r, std::string_view meaning = {}, std::string_view rfc = {});
  void report_data_line(const std::string& text, bool empty, bool stuffed, bool too_long);
  // A line read, as a LineEvent (sent=false); with report_received off (EngineIo) only one
  // that carries a secret. Views: most callers describe with literals, and skipped lines copy
  // nothing.
  void parsed(LineKind kind, std::string_view text, std::string_view label,
              std::string_view meaning, std::string_view rfc, std::string_view secret = {});
  void bad(const Reply& r, std::string_view meaning = {});
  void reset_transaction();

  void on_line(const Line& line);
  void on_command(const Line& line);
  void on_data_line(const Line& line);
  void on_auth_line(const Line& line);
  void finish_data();
  void answer_data(const Reply& r, std::string_view meaning);
  void run_lines();
  void finish_auth(const std::string& login, const std::string& password);
  void fail_auth(const Reply& r, std::string_view meaning);

  // Command handlers (server_commands.cpp).
  void cmd_ehlo(std::string_view args);
  void cmd_helo(std::string_view args);
  void cmd_mail(std::string_view args);
  void cmd_rcpt(std::string_view args);
  void cmd_data(std::string_view args);
  void cmd_rset(std::string_view args);
  void cmd_noop(std::string_view args);
  void cmd_quit(std::string_view args);
  void cmd_vrfy(std::string_view args);
  void cmd_help(std::string_view args);
  void cmd_auth(std::string_view args);
  void cmd_starttls(std::string_view args);
  static const Entry* find(std::string_view verb);
  static Reply sequence_error(std::string_view verb, ServerState s);

  ServerConfig cfg_;
  ServerPolicy& policy_;
  std::unique_ptr<LineBuffer> lines_;
  ServerState state_ = ServerState::Connected;
  Envelope env_;
  bool close_ = false;
  int bad_commands_ = 0;

  // DATA
  std::string data_;
  size_t data_size_ = 0;
  bool data_too_big_ = false;
  bool data_line_too_long_ = false;
  bool data_in_body_ = false;

  // The policy's answer to DATA is pending (accept_message_later); alive_ tells its callback
  // whether this engine still exists.
  bool waiting_ = false;
  bool running_ = false;  // inside run_lines()
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
  std::function<void()> wake_;

  // AUTH
  AuthStep auth_step_ = AuthStep::None;
  std::string auth_login_;
};

}  // namespace net::smtp

// SMTP client engine (RFC 5321) for devices (submission with AUTH, RFC 4954 / RFC 6409)
// and MTAs (relay on port 25). Uses PIPELINING (RFC 2920) and SIZE (RFC 1870) when the
// server offers them. Sans-I/O: the driver feeds the server's bytes and writes
// take_output().
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "net/engine_event.hpp"
#include "net/engine_io.hpp"
#include "net/smtp/reply.hpp"

namespace net::smtp {

struct Credentials {
  std::string login, password;
};

// How the client uses TLS (RFC 3207 STARTTLS; RFC 8314 implicit TLS on 465).
enum class TlsMode {
  None,           // plaintext, STARTTLS ignored
  Opportunistic,  // STARTTLS when the server offers it (MTA relaying on 25)
  Required,       // STARTTLS or give up: never send credentials or mail in plaintext
  Implicit,       // the driver encrypts from the first byte; no STARTTLS
};

struct ClientJob {
  std::string helo_name;
  TlsMode tls = TlsMode::None;
  std::optional<Credentials> auth;
  std::string mail_from;  // "" sends the null sender <>
  std::vector<std::string> rcpt_to;
  std::string message;  // CRLF, not dot-stuffed
};

struct RcptResult {
  std::string addr;
  Reply reply;
};

struct ClientOutcome {
  bool finished = false;
  bool delivered = false;         // at least one recipient accepted and the content got 2xx
  bool temporary = false;         // 4xx or connection trouble: retry later
  Reply last;                     // the reply that decided the outcome (code 0: none received)
  std::vector<RcptResult> rcpts;  // every recipient with its RCPT reply, in order
  std::string error;              // plain description when not delivered
};

enum class ClientState {
  AwaitGreeting,
  Ehlo,
  Helo,
  StartTls,  // STARTTLS sent, waiting for 220
  Tls,       // 220 received: the driver runs the handshake
  Auth,
  Mail,
  Rcpt,
  Data,
  Content,
  Quit,
  Done
};
const char* to_string(ClientState s);

class Client : public net::EngineIo {
 public:
  explicit Client(ClientJob job);

  void feed(std::string_view bytes);                         // server replies
  bool done() const { return state_ == ClientState::Done; }  // the driver then closes
  void on_disconnect();  // connection lost before done → temporary failure
  bool wants_tls() const { return state_ == ClientState::Tls; }  // run the handshake now
  void on_tls_established();                   // EHLO again, encrypted (RFC 3207 §4.2)
  void on_tls_failed(const std::string& why);  // the handshake failed: give up, done
  bool tls_active() const { return tls_; }
  const ClientOutcome& outcome() const { return outcome_; }
  ClientState state() const { return state_; }

 private:
  enum class Expect { Mail, Rcpt, Data };

  void enter_state(ClientState s);
  void send_line(const std::string& line, std::string label, std::string meaning, std::string rfc,
                 std::string secret = {});
  void describe_reply(const Reply& r);
  void report_reply(const Reply& r, const std::string& meaning);
  void on_reply(const Reply& r);
  void on_greeting(const Reply& r);
  void on_ehlo(const Reply& r);
  void on_starttls(const Reply& r);
  void after_ehlo();
  void on_helo(const Reply& r);
  void on_auth(const Reply& r);
  void on_transaction_reply(const Reply& r);
  void on_content(const Reply& r);
  void start_auth();
  void start_transaction();
  void send_mail();
  void send_rcpt(size_t i);
  void send_data();
  void send_content();
  void after_rcpts();
  void fail(const Reply& r, std::string error);
  void quit();

  ClientJob job_;
  ReplyParser parser_;
  ClientState state_ = ClientState::AwaitGreeting;
  ClientOutcome outcome_;

  // What the server offered in its EHLO reply.
  bool esmtp_ = false;
  bool pipelining_ = false;
  bool size_ = false;
  bool eightbit_ = false;
  bool starttls_ = false;
  bool tls_ = false;
  std::vector<std::string> mechs_;

  int auth_step_ = 0;  // LOGIN: 0 waits for the user-name challenge, 1 for the password
  bool auth_plain_ = false;
  bool auth_aborted_ = false;
  std::vector<Expect> expect_;  // pipelined replies still to come, in order
  size_t next_rcpt_ = 0;        // index of the RCPT whose reply comes next
  bool mail_ok_ = false;
  bool data_aborted_ = false;  // 354 with no recipient: sent an empty message's dot only
  bool decided_ = false;
};

}  // namespace net::smtp

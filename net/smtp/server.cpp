// Server engine core: state, line handling, DATA and the AUTH continuation lines.
// The command table and the handlers are in server_commands.cpp.
#include "net/smtp/server.hpp"

#include "net/line_buffer.hpp"
#include "net/smtp/sasl.hpp"

namespace net::smtp {

const char* to_string(ServerState s) {
  switch (s) {
    case ServerState::Connected:
      return "Connected";
    case ServerState::Greeted:
      return "Greeted";
    case ServerState::Mail:
      return "Mail";
    case ServerState::Rcpt:
      return "Rcpt";
    case ServerState::Data:
      return "Data";
    case ServerState::AuthWait:
      return "AuthWait";
    case ServerState::Tls:
      return "Tls";
    case ServerState::Quit:
      return "Quit";
  }
  return "?";
}

Server::Server(ServerConfig cfg, ServerPolicy& policy)
    : cfg_(std::move(cfg)), policy_(policy), lines_(std::make_unique<LineBuffer>(cfg_.max_line)) {
  env_.tls = cfg_.tls;
}

Server::~Server() = default;

void Server::enter_state(ServerState s) {
  if (s == state_) return;
  events_.push_back(StateEvent{to_string(state_), to_string(s)});
  state_ = s;
}

void Server::send(const Reply& r, std::string_view meaning, std::string_view rfc) {
  std::string m = meaning.empty() ? describe_reply_code(r.code) : std::string(meaning);
  std::string label = std::to_string(r.code);
  for (auto& l : r.wire_lines()) {
    out_ += l;
    out_ += "\r\n";
    LineEvent e;
    e.sent = true;
    e.kind = LineKind::Reply;
    e.text = std::move(l);
    e.label = label;
    e.meaning = m;
    e.rfc = rfc.empty() ? "RFC 5321 §4.2" : std::string(rfc);
    events_.push_back(std::move(e));
  }
}

void Server::parsed(LineKind kind, std::string_view text, std::string_view label,
                    std::string_view meaning, std::string_view rfc, std::string_view secret) {
  if (!report_received_ && secret.empty()) return;
  LineEvent e;
  e.sent = false;
  e.kind = kind;
  e.text = text;
  e.label = label;
  e.meaning = meaning;
  e.rfc = rfc;
  e.secret = secret;
  events_.push_back(std::move(e));
}

// A client error: reply, count it, and after too many hang up (421, RFC 5321 §3.8).
void Server::bad(const Reply& r, std::string_view meaning) {
  send(r, meaning);
  if (++bad_commands_ >= cfg_.max_bad_commands && !close_) {
    send({421, "4.7.0", {cfg_.hostname + " Error: too many errors, closing connection"}},
         "The client made too many errors, so the server closes the connection.", "RFC 5321 §3.8");
    data_.clear();
    close_ = true;
    enter_state(ServerState::Quit);
  }
}

void Server::reset_transaction() {
  env_.mail_from.clear();
  env_.rcpt_to.clear();
  env_.declared_size.reset();
  env_.body_8bit = false;
  data_.clear();
  data_size_ = 0;
  data_too_big_ = false;
  data_line_too_long_ = false;
  data_in_body_ = false;
}

void Server::on_connect(std::string peer_ip, std::string peer_host) {
  env_.peer_ip = std::move(peer_ip);
  env_.peer_host = std::move(peer_host);
  // RFC 5321 §4.3.1 / §3.1: the greeting; no enhanced code here (RFC 2034 §3).
  send({220, "", {cfg_.hostname + " ESMTP mailsim"}},
       "The server greets the client and says it is ready to talk SMTP.", "RFC 5321 §3.1");
}

void Server::feed(std::string_view bytes) {
  if (close_) return;                      // after QUIT or 421 further input is ignored
  if (state_ == ServerState::Tls) return;  // only the handshake may come now
  lines_->feed(bytes);
  run_lines();
}

// Executes the buffered lines, up to a reply to DATA that is not known yet.
void Server::run_lines() {
  running_ = true;
  while (!close_ && state_ != ServerState::Tls && !waiting_) {
    auto line = lines_->next();
    if (!line) break;
    on_line(*line);
  }
  running_ = false;
  if (state_ == ServerState::Tls) {
    std::string rest = lines_->discard();
    if (!rest.empty())
      parsed(LineKind::Command, rest.substr(0, rest.find_first_of("\r\n")), "",
             "Sent after STARTTLS but before the TLS handshake: discarded, never executed "
             "(command injection, CVE-2011-0411).",
             "RFC 3207 §4.2");
  }
}

void Server::on_tls_established() {
  if (state_ != ServerState::Tls) return;
  // RFC 3207 §4.2: the server forgets everything learned before TLS; the client starts
  // again with EHLO.
  const std::string ip = env_.peer_ip, host = env_.peer_host;
  env_ = Envelope{};
  env_.peer_ip = ip;
  env_.peer_host = host;
  env_.tls = true;
  reset_transaction();
  enter_state(ServerState::Connected);
}

void Server::on_disconnect() {
  if (state_ == ServerState::Quit && close_) return;
  // A message that did not end with CRLF.CRLF is incomplete and is never delivered
  // (RFC 5321 §4.1.1.4).
  reset_transaction();
  close_ = true;
  enter_state(ServerState::Quit);
}

void Server::on_timeout() {
  if (close_) return;
  reset_transaction();
  send({421, "4.4.2", {cfg_.hostname + " Error: timeout exceeded"}},
       "The client was silent for too long, so the server closes the connection.",
       "RFC 5321 §4.5.3.2");
  close_ = true;
  enter_state(ServerState::Quit);
}

void Server::on_line(const Line& line) {
  switch (state_) {
    case ServerState::Data:
      on_data_line(line);
      break;
    case ServerState::AuthWait:
      on_auth_line(line);
      break;
    case ServerState::Quit:
      break;
    default:
      on_command(line);
      break;
  }
}

// ---- DATA (RFC 5321 §4.1.1.4, §4.5.2) ----

// A content line as read, with what it is: header, separator, body, dot-stuffed, too long.
void Server::report_data_line(const std::string& text, bool empty, bool stuffed, bool too_long) {
  const char* meaning = nullptr;
  if (too_long) {
    meaning = "This line is longer than the 1000-octet limit; the message will be refused.";
  } else if (stuffed) {
    meaning =
        "A line starting with a dot: the client added an extra dot so it cannot be mistaken for "
        "the end; the server removes it.";
  } else if (!data_in_body_ && empty) {
    meaning = "The empty line that separates the header from the body.";
  } else if (!data_in_body_) {
    meaning = "A header field of the message.";
  } else {
    meaning = "A line of the message body.";
  }
  const char* rfc = stuffed         ? "RFC 5321 §4.5.2"
                    : too_long      ? "RFC 5321 §4.5.3.1.6"
                    : data_in_body_ ? "RFC 5322 §2.1"
                    : empty         ? "RFC 5322 §2.1"
                                    : "RFC 5322 §2.2";
  parsed(LineKind::Data, text, "", meaning, rfc);
}

void Server::on_data_line(const Line& line) {
  const std::string& t = line.text;
  if (!line.too_long && t == ".") {
    parsed(LineKind::Data, t, ".", "A line with a single dot: the end of the message content.",
           "RFC 5321 §4.1.1.4");
    finish_data();
    return;
  }
  std::string_view content = t;
  bool stuffed = !content.empty() && content.front() == '.';
  if (stuffed) content.remove_prefix(1);  // transparency: drop the added dot (§4.5.2)
  if (line.too_long) data_line_too_long_ = true;
  report_data_line(t, content.empty(), stuffed, line.too_long);
  if (content.empty()) data_in_body_ = true;
  data_size_ += content.size() + 2;
  if (data_size_ > cfg_.max_message_size) {
    data_too_big_ = true;
    data_.clear();
    data_.shrink_to_fit();
  }
  if (!data_too_big_ && !data_line_too_long_) {
    data_.append(content);
    data_ += "\r\n";
  }
}

void Server::finish_data() {
  if (data_line_too_long_) {
    return answer_data({500, "5.5.2", {"Error: line too long; message not accepted"}},
                       "A line of the message was longer than allowed, so nothing was delivered.");
  }
  if (data_too_big_) {
    return answer_data({552, "5.3.4", {"Error: message size exceeds fixed maximum message size"}},
                       "The message was bigger than the server's limit, so nothing was delivered.");
  }
  waiting_ = true;
  policy_.accept_message_later(
      env_, std::move(data_), [this, alive = std::weak_ptr<bool>(alive_)](const Reply& r) {
        if (alive.expired() || !waiting_) return;
        waiting_ = false;
        if (close_) return;  // the client left or timed out meanwhile
        answer_data(r, r.positive()
                           ? "The server has taken responsibility for delivering the message."
                           : "");
        if (running_) return;  // answered at once: run_lines() goes on with the next line
        run_lines();           // what the client pipelined after the "."
        if (wake_) wake_();
      });
}

void Server::answer_data(const Reply& r, std::string_view meaning) {
  // The transaction is over whatever the outcome (RFC 5321 §4.1.1.4).
  reset_transaction();
  enter_state(ServerState::Greeted);
  send(r, meaning, "RFC 5321 §4.1.1.4");
}

// ---- AUTH continuation (RFC 4954 §4) ----

void Server::fail_auth(const Reply& r, std::string_view meaning) {
  auth_step_ = AuthStep::None;
  auth_login_.clear();
  enter_state(ServerState::Greeted);
  bad(r, meaning);
}

void Server::on_auth_line(const Line& line) {
  const std::string& t = line.text;
  if (t == "*") {
    parsed(LineKind::Command, t, "*", "The client cancels the login exchange.", "RFC 4954 §4");
    fail_auth({501, "5.7.0", {"Authentication aborted"}}, "The login was cancelled.");
    return;
  }
  std::string meaning = auth_step_ == AuthStep::LoginUser
                            ? "The client sends the user name, base64-encoded (a secret here)."
                        : auth_step_ == AuthStep::LoginPass
                            ? "The client sends the password, base64-encoded (not encrypted!)."
                            : "The client sends user name and password in one base64 blob "
                              "(SASL PLAIN; not encrypted!).";
  parsed(LineKind::Command, t, "AUTH", meaning,
         auth_step_ == AuthStep::Plain ? "RFC 4616 §2" : "RFC 4954 §4", t);
  if (line.too_long) {
    fail_auth({500, "5.5.2", {"Error: line too long"}}, "");
    return;
  }
  auto decoded = base64_decode(t);
  if (!decoded) {
    fail_auth({501, "5.5.2", {"Cannot decode response"}},
              "The client's answer was not valid base64, so the login is cancelled.");
    return;
  }
  switch (auth_step_) {
    case AuthStep::Plain: {
      auto c = decode_plain(*decoded);
      if (!c) {
        fail_auth({501, "5.5.2", {"Invalid PLAIN response"}},
                  "The PLAIN blob must hold authzid NUL user NUL password.");
        return;
      }
      if (!c->authzid.empty() && c->authzid != c->authcid) {
        fail_auth({535, "5.7.8", {"Authentication credentials invalid"}},
                  "Logging in on behalf of another user is not allowed.");
        return;
      }
      finish_auth(c->authcid, c->password);
      return;
    }
    case AuthStep::LoginUser:
      auth_login_ = *decoded;
      auth_step_ = AuthStep::LoginPass;
      send({334, "", {"UGFzc3dvcmQ6"}},
           "The server asks for the password (\"UGFzc3dvcmQ6\" is base64 for \"Password:\").",
           "RFC 4954 §4");
      return;
    case AuthStep::LoginPass:
      finish_auth(auth_login_, *decoded);
      return;
    case AuthStep::None:
      break;
  }
  fail_auth({503, "5.5.1", {"Error: bad sequence of commands"}}, "");
}

void Server::finish_auth(const std::string& login, const std::string& password) {
  auto user = policy_.authenticate(login, password);  // login may be auth_login_ itself
  auth_step_ = AuthStep::None;
  auth_login_.clear();
  if (!user) {
    enter_state(ServerState::Greeted);
    bad({535, "5.7.8", {"Error: authentication failed"}},
        "The user name or password is wrong, so the client is not logged in.");
    return;
  }
  env_.auth_user = *user;
  enter_state(ServerState::Greeted);
  send({235, "2.7.0", {"Authentication successful"}},
       "The client is now logged in as " + *user + ".", "RFC 4954 §6");
}

}  // namespace net::smtp

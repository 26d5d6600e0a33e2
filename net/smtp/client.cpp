#include "net/smtp/client.hpp"

#include "net/smtp/sasl.hpp"
#include "net/smtp/server.hpp"

namespace net::smtp {

namespace {

// Calls f with each line of a message (without its line end), whether lines end in CRLF or
// in a bare LF; a last line without a line end counts too. The client sends each with CRLF.
template <typename F>
void for_each_line(std::string_view m, F&& f) {
  size_t pos = 0;
  while (pos < m.size()) {
    size_t lf = m.find('\n', pos);
    size_t end = lf == std::string_view::npos ? m.size() : lf;
    std::string_view line = m.substr(pos, end - pos);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    pos = lf == std::string_view::npos ? m.size() : lf + 1;
    f(line);
  }
}

// The SIZE the server will count: every line with CRLF, without stuffing dots (RFC 1870 §3).
size_t content_size(std::string_view m) {
  size_t n = 0;
  for_each_line(m, [&](std::string_view line) { n += line.size() + 2; });
  return n;
}

}  // namespace

const char* to_string(ClientState s) {
  switch (s) {
    case ClientState::AwaitGreeting:
      return "AwaitGreeting";
    case ClientState::Ehlo:
      return "Ehlo";
    case ClientState::Helo:
      return "Helo";
    case ClientState::StartTls:
      return "StartTls";
    case ClientState::Tls:
      return "Tls";
    case ClientState::Auth:
      return "Auth";
    case ClientState::Mail:
      return "Mail";
    case ClientState::Rcpt:
      return "Rcpt";
    case ClientState::Data:
      return "Data";
    case ClientState::Content:
      return "Content";
    case ClientState::Quit:
      return "Quit";
    case ClientState::Done:
      return "Done";
  }
  return "?";
}

namespace {

std::string upper(std::string_view s) {
  std::string o(s);
  for (char& c : o)
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  return o;
}

// The verb's sentence from the server's command table (one source of truth).
std::string command_meaning(std::string_view verb) {
  for (const auto& c : Server::commands())
    if (verb == c.verb) return c.help;
  return {};
}

std::string command_rfc(std::string_view verb) {
  for (const auto& c : Server::commands())
    if (verb == c.verb) return c.rfc;
  return "RFC 5321 §4.1.1";
}

std::string describe(const Reply& r) {
  std::string s = std::to_string(r.code);
  if (!r.enhanced.empty()) s += " " + r.enhanced;
  std::string t = r.text();
  if (!t.empty()) s += " " + t;
  return s;
}

bool has_8bit(std::string_view s) {
  for (char c : s)
    if (static_cast<unsigned char>(c) >= 0x80) return true;
  return false;
}

}  // namespace

Client::Client(ClientJob job) : job_(std::move(job)), tls_(job_.tls == TlsMode::Implicit) {}

void Client::enter_state(ClientState s) {
  if (s == state_) return;
  events_.push_back(StateEvent{to_string(state_), to_string(s)});
  state_ = s;
}

void Client::send_line(const std::string& line, std::string label, std::string meaning,
                       std::string rfc, std::string secret) {
  out_ += line;
  out_ += "\r\n";
  LineEvent e;
  e.sent = true;
  e.kind = label.empty() || label == "." ? LineKind::Data : LineKind::Command;
  e.text = line;
  e.label = std::move(label);
  e.meaning = std::move(meaning);
  e.rfc = std::move(rfc);
  e.secret = std::move(secret);
  events_.push_back(std::move(e));
}

void Client::feed(std::string_view bytes) {
  if (state_ == ClientState::Done) return;
  parser_.feed(bytes);
  while (state_ != ClientState::Done) {
    auto r = parser_.next();
    if (!r) break;
    outcome_.last = decided_ ? outcome_.last : *r;
    on_reply(*r);
  }
  if (parser_.error() && state_ != ClientState::Done) {
    // Out of sync with the server: nothing sensible can follow.
    if (!decided_) {
      decided_ = true;
      outcome_.temporary = true;
      outcome_.error =
          "the server sent something that is not an SMTP reply (" + parser_.error_text() + ")";
    }
    outcome_.finished = true;
    enter_state(ClientState::Done);
  }
}

void Client::report_reply(const Reply& r, const std::string& meaning) {
  const auto& raw = parser_.last_lines();
  std::string rfc = state_ == ClientState::Auth            ? "RFC 4954 §4"
                    : state_ == ClientState::AwaitGreeting ? "RFC 5321 §3.1"
                                                           : "RFC 5321 §4.2";
  for (size_t i = 0; i < raw.size(); ++i) {
    LineEvent e;
    e.sent = false;
    e.kind = LineKind::Reply;
    e.text = raw[i];
    e.label = std::to_string(r.code);
    e.meaning = meaning;
    e.rfc = rfc;
    if (state_ == ClientState::Ehlo && r.code == 250) {
      e.meaning = i == 0 ? "The server answers EHLO and lists the extensions it supports."
                         : describe_capability(r.lines[i]);
      e.rfc = i == 0 ? "RFC 5321 §4.1.1.1" : "RFC 5321 §2.2";
    }
    events_.push_back(std::move(e));
  }
}

// The reply's lines as read, with what they mean at this point of the dialogue.
void Client::describe_reply(const Reply& r) {
  std::string meaning = describe_reply_code(r.code);
  switch (state_) {
    case ClientState::Mail:
      if (r.positive()) meaning = "The server accepts the sender.";
      break;
    case ClientState::Rcpt:
      if (next_rcpt_ < job_.rcpt_to.size())
        meaning = (r.positive() ? "The server accepts the recipient <"
                                : "The server refuses the recipient <") +
                  job_.rcpt_to[next_rcpt_] + ">" + (r.positive() ? "." : ": " + meaning);
      break;
    case ClientState::Content:
      if (r.positive())
        meaning = "The server accepted the message and is now responsible for delivering it.";
      break;
    case ClientState::Auth:
      if (r.code == 334 && !auth_plain_)
        meaning = auth_step_ == 0 ? "The server asks for the user name (base64 of \"Username:\")."
                                  : "The server asks for the password (base64 of \"Password:\").";
      break;
    default:
      break;
  }
  report_reply(r, meaning);
}

void Client::on_reply(const Reply& r) {
  if (report_received_) describe_reply(r);
  if (r.code == 421 && state_ != ClientState::Quit) {
    // RFC 5321 §3.8: the server is shutting the channel down.
    fail(r, "the server is closing the connection: " + describe(r));
    quit();
    return;
  }
  switch (state_) {
    case ClientState::AwaitGreeting:
      on_greeting(r);
      break;
    case ClientState::Ehlo:
      on_ehlo(r);
      break;
    case ClientState::Helo:
      on_helo(r);
      break;
    case ClientState::StartTls:
      on_starttls(r);
      break;
    case ClientState::Tls:
      break;  // nothing may arrive in plaintext now
    case ClientState::Auth:
      on_auth(r);
      break;
    case ClientState::Mail:
    case ClientState::Rcpt:
    case ClientState::Data:
      on_transaction_reply(r);
      break;
    case ClientState::Content:
      on_content(r);
      break;
    case ClientState::Quit:
      outcome_.finished = true;
      enter_state(ClientState::Done);
      break;
    case ClientState::Done:
      break;
  }
}

void Client::fail(const Reply& r, std::string error) {
  if (decided_) return;
  decided_ = true;
  outcome_.delivered = false;
  outcome_.temporary = r.code == 0 || r.transient();
  outcome_.last = r;
  outcome_.error = std::move(error);
}

void Client::quit() {
  send_line("QUIT", "QUIT", command_meaning("QUIT"), command_rfc("QUIT"));
  enter_state(ClientState::Quit);
}

void Client::on_greeting(const Reply& r) {
  if (r.code != 220) {
    fail(r, "the server did not accept the connection: " + describe(r));
    quit();
    return;
  }
  send_line("EHLO " + job_.helo_name, "EHLO", command_meaning("EHLO"), command_rfc("EHLO"));
  enter_state(ClientState::Ehlo);
}

void Client::on_ehlo(const Reply& r) {
  if (r.code == 250) {
    esmtp_ = true;
    // A new EHLO reply replaces everything learned from the previous one (RFC 3207 §4.2).
    pipelining_ = size_ = eightbit_ = starttls_ = false;
    mechs_.clear();
    for (size_t i = 1; i < r.lines.size(); ++i) {
      std::string l = upper(r.lines[i]);
      size_t sp = l.find_first_of(" =");
      std::string key = l.substr(0, sp);
      std::string rest = sp == std::string::npos ? "" : l.substr(sp + 1);
      if (key == "PIPELINING") pipelining_ = true;
      if (key == "SIZE") size_ = true;  // RFC 1870 §4
      if (key == "8BITMIME") eightbit_ = true;
      if (key == "STARTTLS") starttls_ = true;
      if (key == "AUTH") {
        size_t p = 0;
        while (p < rest.size()) {
          size_t q = rest.find(' ', p);
          std::string m = rest.substr(p, q == std::string::npos ? q : q - p);
          if (!m.empty()) mechs_.push_back(m);
          if (q == std::string::npos) break;
          p = q + 1;
        }
      }
    }
    after_ehlo();
    return;
  }
  if (r.permanent()) {
    // An old server without ESMTP: fall back to HELO (RFC 5321 §3.2).
    send_line("HELO " + job_.helo_name, "HELO", command_meaning("HELO"), command_rfc("HELO"));
    enter_state(ClientState::Helo);
    return;
  }
  fail(r, "the server refused EHLO: " + describe(r));
  quit();
}

void Client::after_ehlo() {
  const bool want =
      job_.tls == TlsMode::Required || (job_.tls == TlsMode::Opportunistic && starttls_);
  if (!tls_ && want) {
    if (!starttls_) {
      fail(outcome_.last,
           "the server does not offer STARTTLS, and this client does not send mail or "
           "passwords in plaintext");
      outcome_.temporary = false;
      quit();
      return;
    }
    send_line("STARTTLS", "STARTTLS", command_meaning("STARTTLS"), command_rfc("STARTTLS"));
    enter_state(ClientState::StartTls);
    return;
  }
  if (job_.auth) {
    start_auth();
  } else {
    start_transaction();
  }
}

void Client::on_starttls(const Reply& r) {
  if (r.code == 220) {
    enter_state(ClientState::Tls);  // the driver runs the handshake, then on_tls_established
    return;
  }
  if (job_.tls == TlsMode::Opportunistic) {
    // RFC 3207 §4.1: without TLS the relay may still go ahead in plaintext.
    if (job_.auth) {
      start_auth();
    } else {
      start_transaction();
    }
    return;
  }
  fail(r, "the server refused STARTTLS: " + describe(r));
  quit();
}

void Client::on_tls_established() {
  if (state_ != ClientState::Tls) return;
  tls_ = true;
  send_line("EHLO " + job_.helo_name, "EHLO",
            "Under TLS the client introduces itself again: the server forgot everything said "
            "before the handshake.",
            "RFC 3207 §4.2");
  enter_state(ClientState::Ehlo);
}

void Client::on_tls_failed(const std::string& why) {
  fail({}, "TLS failed: " + why);
  outcome_.temporary = false;
  outcome_.finished = true;
  enter_state(ClientState::Done);  // no QUIT: nothing more can be said on this connection
}

void Client::on_helo(const Reply& r) {
  if (r.code != 250) {
    fail(r, "the server refused HELO: " + describe(r));
    quit();
    return;
  }
  if (job_.auth) {
    fail(r, "the server does not support extensions, so it cannot do AUTH (login)");
    outcome_.temporary = false;
    quit();
    return;
  }
  start_transaction();
}

void Client::start_auth() {
  bool plain = false, login = false;
  for (const auto& m : mechs_) {
    plain = plain || m == "PLAIN";
    login = login || m == "LOGIN";
  }
  if (!plain && !login) {
    fail(outcome_.last, mechs_.empty()
                            ? "the server does not offer AUTH, so the client cannot log in"
                            : "the server offers no login mechanism this client knows "
                              "(PLAIN or LOGIN)");
    outcome_.temporary = false;
    quit();
    return;
  }
  enter_state(ClientState::Auth);
  if (plain) {
    // RFC 4954 §4: the initial response saves a round trip.
    auth_plain_ = true;
    std::string blob = encode_plain(job_.auth->login, job_.auth->password);
    send_line("AUTH PLAIN " + blob, "AUTH",
              "The client logs in with user name and password in one base64 blob (SASL "
              "PLAIN); base64 is not encryption.",
              "RFC 4954 §4", blob);
  } else {
    send_line("AUTH LOGIN", "AUTH", "The client starts a LOGIN exchange: user name, then password.",
              "RFC 4954 §4");
  }
}

void Client::on_auth(const Reply& r) {
  if (auth_aborted_) {
    fail(r, "the login exchange went wrong: the server asked for more than expected");
    outcome_.temporary = false;
    quit();
    return;
  }
  if (r.code == 235) {
    start_transaction();
    return;
  }
  if (r.code == 334) {
    if (auth_plain_ || auth_step_ > 1) {
      send_line("*", "*", "The client cancels the login exchange.", "RFC 4954 §4");
      auth_aborted_ = true;
      return;
    }
    if (auth_step_ == 0) {
      std::string u = base64_encode(job_.auth->login);
      send_line(u, "AUTH", "The client sends the user name, base64-encoded.", "RFC 4954 §4", u);
    } else {
      std::string p = base64_encode(job_.auth->password);
      send_line(p, "AUTH", "The client sends the password, base64-encoded (not encrypted!).",
                "RFC 4954 §4", p);
    }
    ++auth_step_;
    return;
  }
  fail(r, r.code == 535
              ? "login failed: the server rejected the user name or password (" + describe(r) + ")"
              : "login failed: " + describe(r));
  quit();
}

void Client::start_transaction() {
  if (job_.rcpt_to.empty()) {
    fail(outcome_.last, "the message has no recipients");
    outcome_.temporary = false;
    quit();
    return;
  }
  enter_state(ClientState::Mail);
  send_mail();
  if (pipelining_) {
    // RFC 2920 §3.1: MAIL, every RCPT and DATA go out in one batch; replies come in order.
    for (size_t i = 0; i < job_.rcpt_to.size(); ++i) send_rcpt(i);
    send_data();
  }
}

void Client::send_mail() {
  std::string line = "MAIL FROM:<" + job_.mail_from + ">";
  if (size_) line += " SIZE=" + std::to_string(content_size(job_.message));
  if (eightbit_ && has_8bit(job_.message)) line += " BODY=8BITMIME";
  std::string meaning = job_.mail_from.empty()
                            ? "The client gives the null sender <>: this is a bounce or "
                              "notification, and no bounce may be sent back for it."
                            : command_meaning("MAIL");
  if (size_) meaning += " SIZE tells the server the message size in advance (RFC 1870).";
  send_line(line, "MAIL", std::move(meaning), command_rfc("MAIL"));
  expect_.push_back(Expect::Mail);
}

void Client::send_rcpt(size_t i) {
  send_line("RCPT TO:<" + job_.rcpt_to[i] + ">", "RCPT", command_meaning("RCPT"),
            command_rfc("RCPT"));
  expect_.push_back(Expect::Rcpt);
}

void Client::send_data() {
  send_line("DATA", "DATA", command_meaning("DATA"), command_rfc("DATA"));
  expect_.push_back(Expect::Data);
}

void Client::after_rcpts() {
  bool any = false;
  for (const auto& rr : outcome_.rcpts) any = any || rr.reply.positive();
  if (!any) {
    bool transient = false;
    for (const auto& rr : outcome_.rcpts) transient = transient || rr.reply.transient();
    fail(outcome_.rcpts.empty() ? outcome_.last : outcome_.rcpts.back().reply,
         "the server refused every recipient");
    outcome_.temporary = transient;
  }
}

void Client::on_transaction_reply(const Reply& r) {
  if (expect_.empty()) return;  // a reply nobody asked for: ignore
  Expect e = expect_.front();
  expect_.erase(expect_.begin());
  switch (e) {
    case Expect::Mail:
      mail_ok_ = r.positive();
      if (!mail_ok_) fail(r, "the server refused the sender: " + describe(r));
      if (!pipelining_) {
        if (!mail_ok_) {
          quit();
          return;
        }
        send_rcpt(0);
      }
      enter_state(ClientState::Rcpt);
      return;
    case Expect::Rcpt:
      if (next_rcpt_ < job_.rcpt_to.size()) outcome_.rcpts.push_back({job_.rcpt_to[next_rcpt_], r});
      ++next_rcpt_;
      if (next_rcpt_ < job_.rcpt_to.size()) {
        if (!pipelining_) send_rcpt(next_rcpt_);
        return;
      }
      if (mail_ok_) after_rcpts();
      if (!pipelining_) {
        if (decided_) {
          quit();
          return;
        }
        send_data();
      }
      enter_state(ClientState::Data);
      return;
    case Expect::Data:
      if (r.code == 354) {
        if (decided_) {
          // RFC 2920 §3.1: DATA was accepted although no recipient was; send an empty
          // message's end so the server stays in step, and deliver nothing.
          enter_state(ClientState::Content);
          send_line(".", ".",
                    "The client ends the (empty) message at once: no recipient was accepted.",
                    "RFC 2920 §3.1");
          data_aborted_ = true;
          return;
        }
        send_content();
        return;
      }
      fail(r, "the server refused DATA: " + describe(r));
      quit();
      return;
  }
}

void Client::send_content() {
  enter_state(ClientState::Content);
  // Dot-stuffing (RFC 5321 §4.5.2): a line that starts with "." gets one more ".".
  bool in_body = false;
  for_each_line(job_.message, [&](std::string_view line) {
    std::string wire;
    std::string meaning, rfc;
    if (!line.empty() && line.front() == '.') {
      wire = "." + std::string(line);
      meaning =
          "The line starts with a dot, so the client adds one more dot; the server removes it.";
      rfc = "RFC 5321 §4.5.2";
    } else {
      wire = std::string(line);
      meaning = in_body        ? "A line of the message body."
                : line.empty() ? "The empty line that separates the header from the body."
                               : "A header field of the message.";
      rfc = in_body || line.empty() ? "RFC 5322 §2.1" : "RFC 5322 §2.2";
    }
    if (line.empty()) in_body = true;
    send_line(wire, "", std::move(meaning), std::move(rfc));
  });
  send_line(".", ".", "A line with a single dot: the end of the message content.",
            "RFC 5321 §4.1.1.4");
}

void Client::on_content(const Reply& r) {
  if (data_aborted_) {
    quit();
    return;
  }
  if (r.positive()) {
    if (!decided_) {
      decided_ = true;
      outcome_.delivered = true;
      outcome_.temporary = false;
      outcome_.last = r;
      outcome_.error.clear();
    }
  } else {
    fail(r, "the server refused the message: " + describe(r));
  }
  quit();
}

void Client::on_disconnect() {
  if (state_ == ClientState::Done) return;
  if (!decided_) {
    decided_ = true;
    outcome_.delivered = false;
    outcome_.temporary = true;
    outcome_.error = state_ == ClientState::AwaitGreeting
                         ? "the connection closed before the server greeted"
                         : "the connection was lost before the transaction finished";
  }
  outcome_.finished = true;
  enter_state(ClientState::Done);
}

}  // namespace net::smtp

// POP3 server engine core: state, output, line handling, login, the AUTH continuation
// line, UPDATE. The command table and the handlers are in server_commands.cpp.
#include "net/pop3/server.hpp"

#include <cstring>

#include "net/line_buffer.hpp"
#include "net/smtp/sasl.hpp"
#include "net/store/mailstore.hpp"

namespace net::pop3 {

const char* to_string(ServerState s) {
  switch (s) {
    case ServerState::Authorization:
      return "AUTHORIZATION";
    case ServerState::Transaction:
      return "TRANSACTION";
    case ServerState::Update:
      return "UPDATE";
    case ServerState::Closed:
      return "CLOSED";
  }
  return "?";
}

Server::Server(ServerConfig cfg, store::Mailstore& store)
    : cfg_(std::move(cfg)),
      store_(store),
      lines_(std::make_unique<LineBuffer>(cfg_.max_line)),
      tls_(cfg_.tls) {}

Server::~Server() {
  release();
}

std::string Server::uidl_of(std::uint32_t validity, std::uint32_t uid) {
  return std::to_string(validity) + "." + std::to_string(uid);
}

void Server::enter_state(ServerState s) {
  if (s == state_) return;
  events_.push_back(StateEvent{to_string(state_), to_string(s)});
  state_ = s;
}

void Server::reply_line(const std::string& line, std::string meaning, std::string rfc) {
  std::string& out = holding_ ? held_out_ : out_;
  EngineEvents& evs = holding_ ? held_events_ : events_;
  out += line;
  out += "\r\n";
  LineEvent e;
  e.sent = true;
  e.kind = LineKind::Reply;
  e.text = line;
  e.label = line.rfind("+OK", 0) == 0 ? "+OK" : line.rfind("-ERR", 0) == 0 ? "-ERR" : "+";
  e.meaning = std::move(meaning);
  e.rfc = std::move(rfc);
  evs.push_back(std::move(e));
}

void Server::data_line(const std::string& line, std::string meaning, std::string rfc) {
  out_ += line;
  out_ += "\r\n";
  data_event(line, std::move(meaning), std::move(rfc));
}

void Server::data_event(std::string line, std::string meaning, std::string rfc) {
  LineEvent e;
  e.sent = true;
  e.kind = LineKind::Data;
  if (line == ".") e.label = ".";
  e.text = std::move(line);
  e.meaning = std::move(meaning);
  e.rfc = std::move(rfc);
  events_.push_back(std::move(e));
}

void Server::ok(const std::string& text, std::string_view meaning, std::string_view rfc) {
  reply_line(text.empty() ? "+OK" : "+OK " + text, std::string(meaning), std::string(rfc));
}

void Server::err(const std::string& text, std::string_view meaning, std::string_view rfc) {
  reply_line("-ERR " + text, std::string(meaning), std::string(rfc));
}

void Server::parsed(std::string_view text, std::string_view label, std::string_view meaning,
                    std::string_view rfc, std::string_view secret) {
  if (!report_received_ && secret.empty()) return;
  LineEvent e;
  e.sent = false;
  e.kind = LineKind::Command;
  e.text = text;
  e.label = label;
  e.meaning = meaning;
  e.rfc = rfc;
  e.secret = secret;
  events_.push_back(std::move(e));
}

// A client error: -ERR, count it, and after too many hang up without UPDATE.
void Server::bad(const std::string& text, std::string_view meaning, std::string_view rfc) {
  err(text, meaning, rfc);
  if (++bad_commands_ >= cfg_.max_bad_commands && !close_) {
    err("[SYS/PERM] Too many errors, closing connection",
        "The client made too many errors, so the server closes the connection; nothing is "
        "deleted.",
        "RFC 2449 §8.1.2");
    release();
    close_ = true;
    enter_state(ServerState::Closed);
  }
}

void Server::on_connect(std::string peer_ip, std::string peer_host) {
  peer_ip_ = std::move(peer_ip);
  peer_host_ = std::move(peer_host);
  connected_ = true;
  // RFC 1939 §4 greeting; §7: the APOP timestamp, unique per connection.
  timestamp_ = "<" + std::to_string(cfg_.apop_process) + "." + std::to_string(cfg_.apop_clock) +
               "@" + cfg_.hostname + ">";
  ok("POP3 server ready " + timestamp_,
     "The server greets the client; the part in angle brackets is a unique timestamp used by "
     "APOP logins.",
     "RFC 1939 §4, §7");
}

void Server::feed(std::string_view bytes) {
  if (close_) return;     // after QUIT further input is ignored
  if (tls_wait_) return;  // only the handshake may come now
  lines_->feed(bytes);
  process();
}

void Server::process() {
  while (!close_ && !holding_ && !tls_wait_) {
    auto line = lines_->next();
    if (!line) break;
    on_line(*line);
  }
  if (tls_wait_) {
    std::string rest = lines_->discard();
    if (!rest.empty())
      parsed(rest.substr(0, rest.find_first_of("\r\n")), "",
             "Sent after STLS but before the TLS handshake: discarded, never executed "
             "(command injection, CVE-2011-0411).",
             "RFC 2595 §4");
  }
}

void Server::on_tls_established() {
  if (!tls_wait_) return;
  // RFC 2595 §4: no new greeting; what the client said before TLS (USER) is forgotten and
  // it should ask CAPA again, because the capabilities may differ now.
  tls_wait_ = false;
  tls_ = true;
  user_.clear();
  auth_wait_ = false;
}

void Server::end_penalty() {
  if (!holding_) return;
  holding_ = false;
  out_ += held_out_;
  held_out_.clear();
  for (auto& e : held_events_) events_.push_back(std::move(e));
  held_events_.clear();
  process();
}

void Server::release() {
  if (locked_) store_.unlock(address_, cfg_.lock_owner);
  locked_ = false;
}

void Server::on_disconnect() {
  if (state_ == ServerState::Closed) return;
  // RFC 1939 §6: without QUIT the session never enters UPDATE; nothing is deleted.
  release();
  holding_ = false;
  close_ = true;
  enter_state(ServerState::Closed);
}

void Server::on_timeout() {
  if (close_) return;
  holding_ = false;
  // RFC 1939 §3: the autologout timer closes the session without entering UPDATE.
  err("[SYS/TEMP] Autologout: idle for too long",
      "The client was silent for too long, so the server closes the connection; nothing is "
      "deleted.",
      "RFC 1939 §3");
  release();
  close_ = true;
  enter_state(ServerState::Closed);
}

void Server::on_line(const Line& line) {
  if (auth_wait_) {
    on_auth_line(line);
  } else if (state_ == ServerState::Authorization || state_ == ServerState::Transaction) {
    on_command(line);
  }
}

// ---- login ----

// Every attempt past the free ones gets its reply after the penalty (RFC 1939 §13).
void Server::hold_if_penalized() {
  if (failed_logins_ >= cfg_.free_login_failures && cfg_.penalty_ms > 0) holding_ = true;
}

void Server::fail_login(std::string_view meaning) {
  hold_if_penalized();
  ++failed_logins_;
  user_.clear();
  err("[AUTH] Authentication failed",
      meaning.empty() ? "The user name or password is wrong, so the client is not logged in."
                      : meaning,
      "RFC 2449 §8.1.1, RFC 3206 §4");
}

void Server::login(const std::optional<std::string>& address, std::string_view how) {
  if (!address) {
    fail_login({});
    return;
  }
  hold_if_penalized();
  user_.clear();
  // RFC 1939 §8: exclusive access; RFC 2449 §8.1.2: [IN-USE].
  if (!store_.lock(*address, cfg_.lock_owner)) {
    err("[IN-USE] Mailbox is locked by another POP3 session",
        "The password is right, but another POP3 session holds this mailbox; only one may use "
        "it at a time.",
        "RFC 1939 §8, RFC 2449 §8.1.2");
    return;
  }
  address_ = *address;
  locked_ = true;
  msgs_.clear();
  validity_ = cfg_.uidl_validity;
  if (validity_ == 0) {
    const auto* inbox = store_.folder(address_, "INBOX");
    validity_ = inbox && inbox->uid_validity ? inbox->uid_validity : 1;
  }
  if (const auto* list = store_.messages(address_)) {
    for (const auto& m : *list) msgs_.push_back({m.uid, m.data.size(), false});
  }
  enter_state(ServerState::Transaction);
  ok("Logged in, " + std::to_string(live_count()) + " messages (" + std::to_string(live_size()) +
         " octets)",
     "The client is logged in (" + std::string(how) + ") as " + address_ +
         "; the mailbox is locked and its messages are numbered from 1.",
     "RFC 1939 §4, §8");
}

// ---- AUTH continuation (RFC 5034 §4) ----

void Server::on_auth_line(const Line& line) {
  auth_wait_ = false;
  const std::string& t = line.text;
  if (t == "*") {
    parsed(t, "*", "The client cancels the login exchange.", "RFC 5034 §4");
    err("Authentication cancelled", "The login was cancelled.", "RFC 5034 §4");
    return;
  }
  parsed(t, "AUTH",
         "The client sends user name and password in one base64 blob (SASL PLAIN; not "
         "encrypted!).",
         "RFC 4616 §2", t);
  if (line.too_long) {
    bad("Line too long", "The answer was longer than the server accepts.", "RFC 2449 §4");
    return;
  }
  std::optional<std::string> decoded =
      t == "=" ? std::optional<std::string>("") : smtp::base64_decode(t);
  if (!decoded) {
    bad("Cannot decode base64 response", "The client's answer was not valid base64.",
        "RFC 5034 §4");
    return;
  }
  auto c = smtp::decode_plain(*decoded);
  if (!c || (!c->authzid.empty() && c->authzid != c->authcid)) {
    fail_login("The PLAIN blob was malformed or asked to act as another user.");
    return;
  }
  login(store_.authenticate(c->authcid, c->password), "AUTH PLAIN");
}

// ---- helpers for TRANSACTION ----

std::size_t Server::live_count() const {
  std::size_t n = 0;
  for (const auto& m : msgs_) n += m.deleted ? 0 : 1;
  return n;
}

std::size_t Server::live_size() const {
  std::size_t n = 0;
  for (const auto& m : msgs_) n += m.deleted ? 0 : m.size;
  return n;
}

const std::string* Server::body_of(const Msg& m) {
  // INBOX is sorted by UID: a binary search, not a walk over the mailbox per RETR.
  const store::Folder* inbox = store_.folder(address_, "INBOX");
  const store::StoredMessage* s = inbox ? inbox->find(m.uid) : nullptr;
  return s ? &s->data : nullptr;
}

namespace {

// What the simulator shows for one line of a RETR/TOP body (header field, separator, body
// line, or a line whose leading dot was doubled).
void describe_body_line(bool stuffed, bool in_body, bool empty, std::string& meaning,
                        std::string& rfc) {
  if (stuffed) {
    meaning =
        "A message line starting with a dot: the server doubles the dot so that it cannot be "
        "mistaken for the end; the client removes it.";
    rfc = "RFC 1939 §3";
  } else if (!in_body && empty) {
    meaning = "The empty line that separates the header from the body.";
    rfc = "RFC 5322 §2.1";
  } else if (!in_body) {
    meaning = "A header field of the message.";
    rfc = "RFC 5322 §2.2";
  } else {
    meaning = "A line of the message body.";
    rfc = "RFC 5322 §2.1";
  }
}

}  // namespace

std::size_t append_dot_stuffed(std::string& out, std::string_view data,
                               std::optional<std::size_t> top_lines,
                               const std::function<void(std::string_view, bool, bool)>& line) {
  // Room for the lines, their CRs and a few doubled dots: one allocation for a whole body.
  out.reserve(out.size() + data.size() + data.size() / 16 + 8);
  bool in_body = false;
  std::size_t body_lines = 0;
  std::size_t lines = 0;
  const char* p = data.data();
  const char* const end = p + data.size();
  while (p < end) {
    if (in_body && top_lines && body_lines >= *top_lines) break;
    const void* found = std::memchr(p, '\n', static_cast<std::size_t>(end - p));
    const char* lf = found ? static_cast<const char*>(found) : end;
    const char* stop = lf;
    if (stop > p && stop[-1] == '\r') --stop;  // CRLF or a bare LF ends a line alike
    const std::string_view text(p, static_cast<std::size_t>(stop - p));
    p = found ? lf + 1 : end;
    // RFC 1939 §3: a line starting with "." gets one more "." in front.
    const bool stuffed = !text.empty() && text.front() == '.';
    const std::size_t at = out.size();
    if (stuffed) out += '.';
    out += text;
    if (line) line(std::string_view(out).substr(at), stuffed, in_body);
    out += "\r\n";
    ++lines;
    if (in_body) ++body_lines;
    if (text.empty() && !in_body) in_body = true;
  }
  out += ".\r\n";  // the end of the multi-line response
  return lines;
}

// Multi-line response body: each line dot-stuffed, then "." (RFC 1939 §3). For TOP,
// the header, the empty line and the first top_lines body lines (RFC 1939 §7).
void Server::send_body(std::string_view data, std::optional<std::size_t> top_lines) {
  // append_dot_stuffed writes the bytes; only the events are recorded here.
  if (!cfg_.body_line_events) {
    // One event for the whole body: its text is the body's lines as sent, CRLF between
    // them (a viewer splits it into lines), then the "." line.
    const std::size_t at = out_.size();
    const std::size_t n = append_dot_stuffed(out_, data, top_lines, {});
    if (n > 0)  // the text without the last CRLF and ".\r\n"
      data_event(out_.substr(at, out_.size() - at - 5),
                 "The message, " + std::to_string(n) +
                     " lines; every line that starts with a dot gets a second one.",
                 "RFC 1939 §3");
  } else {
    append_dot_stuffed(out_, data, top_lines,
                       [&](std::string_view text, bool stuffed, bool in_body) {
                         std::string meaning, rfc;
                         describe_body_line(stuffed, in_body, text.empty(), meaning, rfc);
                         data_event(std::string(text), std::move(meaning), std::move(rfc));
                       });
  }
  data_event(".", "A line with a single dot: the end of the multi-line response.", "RFC 1939 §3");
}

std::optional<std::size_t> Server::msg_arg(std::string_view arg, bool allow_deleted) {
  if (arg.empty() || arg.size() > 9 ||
      arg.find_first_not_of("0123456789") != std::string_view::npos) {
    bad("Invalid message number: " + std::string(arg.substr(0, 40)),
        "A message number must be a positive decimal number.", "RFC 1939 §5");
    return std::nullopt;
  }
  std::size_t n = std::stoul(std::string(arg));
  if (n == 0 || n > msgs_.size()) {
    err("No such message, only " + std::to_string(msgs_.size()) + " messages in maildrop",
        "There is no message with this number in the session's list.", "RFC 1939 §5");
    return std::nullopt;
  }
  if (msgs_[n - 1].deleted && !allow_deleted) {
    err("Message " + std::to_string(n) + " already deleted",
        "This message is marked as deleted in this session; RSET would bring it back.",
        "RFC 1939 §5");
    return std::nullopt;
  }
  return n;
}

}  // namespace net::pop3

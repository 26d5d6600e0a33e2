#include "net/pop3/client.hpp"

#include <algorithm>
#include <charconv>
#include <cstdio>

#include "net/line_buffer.hpp"
#include "net/pop3/apop.hpp"
#include "net/smtp/sasl.hpp"

namespace net::pop3 {

namespace {

// Message lines may be long; the server's own limit protects us from unbounded growth.
constexpr std::size_t kMaxResponseLine = 1024 * 1024;
// RFC 5034 §4: an AUTH command with its initial response should fit in 255 octets.
constexpr std::size_t kMaxAuthLine = 255 - 2;

bool starts_with(std::string_view s, std::string_view p) {
  return s.substr(0, p.size()) == p;
}

std::string upper(std::string_view s) {
  std::string o(s);
  for (char& c : o)
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  return o;
}

}  // namespace

const char* to_string(ClientState s) {
  switch (s) {
    case ClientState::AwaitGreeting:
      return "AwaitGreeting";
    case ClientState::Capa:
      return "Capa";
    case ClientState::Stls:
      return "Stls";
    case ClientState::Tls:
      return "Tls";
    case ClientState::User:
      return "User";
    case ClientState::Pass:
      return "Pass";
    case ClientState::Apop:
      return "Apop";
    case ClientState::Auth:
      return "Auth";
    case ClientState::Stat:
      return "Stat";
    case ClientState::Uidl:
      return "Uidl";
    case ClientState::List:
      return "List";
    case ClientState::Retr:
      return "Retr";
    case ClientState::Top:
      return "Top";
    case ClientState::Dele:
      return "Dele";
    case ClientState::Quit:
      return "Quit";
    case ClientState::Done:
      return "Done";
  }
  return "?";
}

Client::Client(ClientJob job)
    : job_(std::move(job)),
      lines_(std::make_unique<LineBuffer>(kMaxResponseLine)),
      tls_(job_.tls == TlsMode::Implicit) {}

Client::~Client() = default;

void Client::enter_state(ClientState s) {
  if (s == state_) return;
  events_.push_back(StateEvent{to_string(state_), to_string(s)});
  state_ = s;
}

void Client::send_line(const std::string& line, std::string label, std::string meaning,
                       std::string rfc, std::string secret, bool multi) {
  out_ += line;
  out_ += "\r\n";
  multi_expected_ = multi;
  LineEvent e;
  e.sent = true;
  e.kind = LineKind::Command;
  e.text = line;
  e.label = std::move(label);
  e.meaning = std::move(meaning);
  e.rfc = std::move(rfc);
  e.secret = std::move(secret);
  events_.push_back(std::move(e));
}

void Client::problem(std::string what) {
  if (outcome_.error.empty()) outcome_.error = what;
  outcome_.errors.push_back(std::move(what));
}

void Client::fail(std::string what) {
  failed_ = true;
  problem(std::move(what));
  quit();
}

void Client::finish() {
  outcome_.finished = true;
  outcome_.ok = !failed_ && outcome_.errors.empty();
  enter_state(ClientState::Done);
}

void Client::on_disconnect() {
  if (done()) return;
  if (state_ != ClientState::Quit || !failed_) {
    failed_ = true;
    problem(
        "The connection closed before QUIT was answered; the server deleted nothing "
        "(RFC 1939 §6).");
  }
  finish();
}

void Client::feed(std::string_view bytes) {
  if (done()) return;
  lines_->feed(bytes);
  while (!done() && state_ != ClientState::Tls) {
    auto line = lines_->next();
    if (!line) break;
    if (in_multi_) {
      on_multi_line(line->text);
    } else {
      on_status(line->text);
    }
  }
  // Plaintext after "+OK Begin TLS negotiation" is not the server speaking under TLS: it
  // could be injected by someone in the middle, so it is dropped.
  if (state_ == ClientState::Tls) lines_->discard();
}

void Client::on_tls_established() {
  if (state_ != ClientState::Tls) return;
  tls_ = true;
  // RFC 2595 §4: the capabilities may differ under TLS, so the client asks again and
  // forgets what it learned before.
  sasl_plain_ = has_uidl_ = has_top_ = stls_ = false;
  send_line("CAPA", "CAPA",
            "Under TLS the client asks for the capabilities again: they may differ now (for "
            "example the login methods).",
            "RFC 2595 §4", {}, true);
  enter_state(ClientState::Capa);
}

void Client::on_tls_failed(const std::string& why) {
  if (done()) return;
  failed_ = true;
  problem("TLS failed: " + why);
  finish();  // no QUIT: nothing more can be said on this connection
}

// ---- multi-line responses (RFC 1939 §3) ----

void Client::on_multi_line(const std::string& line) {
  // Described before the state below moves on (multi_in_body_), and only when reported.
  if (report_received_) events_.push_back(multi_line_event(line));
  if (line == ".") {
    in_multi_ = false;
    on_multi_end();
    return;
  }
  std::string_view content = line;
  if (!content.empty() && content.front() == '.') content.remove_prefix(1);  // RFC 1939 §3
  if (state_ == ClientState::Retr) {
    if (content.empty()) multi_in_body_ = true;
    multi_data_.append(content);
    multi_data_ += "\r\n";
  } else {
    multi_lines_.emplace_back(content);
  }
}

// A line of a multi-line response, for students: what it is in the response at hand.
LineEvent Client::multi_line_event(const std::string& line) const {
  LineEvent e;
  e.sent = false;
  e.kind = LineKind::Data;
  e.text = line;
  e.rfc = "RFC 1939 §3";
  if (line == ".") {
    e.label = ".";
    e.meaning = "A line with a single dot: the end of the multi-line response.";
    return e;
  }
  std::string_view content = line;
  bool stuffed = !content.empty() && content.front() == '.';
  if (stuffed) content.remove_prefix(1);
  if (state_ == ClientState::Retr) {
    if (stuffed) {
      e.meaning =
          "A message line starting with a dot: the server doubled the dot, the client removes "
          "it.";
    } else if (!multi_in_body_ && content.empty()) {
      e.meaning = "The empty line that separates the header from the body.";
      e.rfc = "RFC 5322 §2.1";
    } else if (!multi_in_body_) {
      e.meaning = "A header field of the message.";
      e.rfc = "RFC 5322 §2.2";
    } else {
      e.meaning = "A line of the message body.";
      e.rfc = "RFC 5322 §2.1";
    }
  } else if (state_ == ClientState::Top) {
    e.meaning = content.empty() ? "The empty line that ends the header; TOP n 0 sends no body."
                                : "A header field of the newest message.";
    e.rfc = content.empty() ? "RFC 1939 §7" : "RFC 5322 §2.2";
  } else {
    e.meaning = state_ == ClientState::Capa   ? "One capability of the server."
                : state_ == ClientState::Uidl ? "A message number and its unique id."
                : state_ == ClientState::List ? "A message number and its size in octets."
                                              : "One line of the listing.";
  }
  return e;
}

void Client::on_multi_end() {
  switch (state_) {
    case ClientState::Capa:
      for (const auto& c : multi_lines_) {
        std::string u = upper(c);
        if (u == "UIDL") has_uidl_ = true;
        if (u == "TOP") has_top_ = true;
        if (u == "STLS") stls_ = true;
        if (starts_with(u, "SASL ") && (" " + u + " ").find(" PLAIN ") != std::string::npos)
          sasl_plain_ = true;
      }
      after_capa();
      return;
    case ClientState::Uidl: {
      uidls_.assign(outcome_.mailbox_messages, std::string());
      for (const auto& l : multi_lines_) {
        std::size_t sp = l.find(' ');
        if (sp == std::string::npos) continue;
        std::size_t n = 0;
        try {
          n = std::stoul(l.substr(0, sp));
        } catch (...) {
          continue;
        }
        if (n >= 1 && n <= uidls_.size()) uidls_[n - 1] = l.substr(sp + 1);
      }
      send_line("LIST", "LIST", "The client asks for the size of every message.", "RFC 1939 §5", {},
                true);
      multi_lines_.clear();
      enter_state(ClientState::List);
      return;
    }
    case ClientState::List: {
      // Choose what to download (RFC 1939 §7: UIDL tells messages already seen).
      todo_.clear();
      for (const auto& l : multi_lines_) {
        std::size_t n = 0;
        try {
          n = std::stoul(l.substr(0, l.find(' ')));
        } catch (...) {
          continue;
        }
        if (n == 0 || n > outcome_.mailbox_messages) continue;
        const std::string& uid = uidls_.size() >= n ? uidls_[n - 1] : std::string();
        Listed item;
        item.number = n;
        std::size_t sp = l.find(' ');
        if (sp != std::string::npos) {
          try {
            item.octets = std::stoul(l.substr(sp + 1));
          } catch (...) {
            item.octets = 0;
          }
        }
        item.uidl = uid;
        outcome_.listing.push_back(std::move(item));
        if (job_.mode == Mode::ListOnly) continue;
        if (job_.mode == Mode::LeaveOnServer && !uid.empty() && job_.known_uidls.count(uid))
          continue;
        todo_.push_back(n);
      }
      multi_lines_.clear();
      if (job_.mode == Mode::ListOnly) return top_newest();
      next_message();
      return;
    }
    case ClientState::Top:
      outcome_.top_lines.swap(multi_lines_);
      multi_lines_.clear();
      quit();
      return;
    case ClientState::Retr: {
      Downloaded d;
      d.number = current_;
      if (uidls_.size() >= current_) d.uidl = uidls_[current_ - 1];
      d.data.swap(multi_data_);
      outcome_.messages.push_back(std::move(d));
      if (job_.mode == Mode::Delete) {
        send_line("DELE " + std::to_string(current_), "DELE",
                  "The client marks the downloaded message for deletion (removed after QUIT).",
                  "RFC 1939 §5");
        enter_state(ClientState::Dele);
        return;
      }
      next_message();
      return;
    }
    default:
      multi_lines_.clear();
      return;
  }
}

// ---- status lines ----

// A status line (+OK, -ERR, +), for students: what the server said to the command at hand.
LineEvent Client::status_line_event(const std::string& line) const {
  bool okay = starts_with(line, "+OK");
  bool cont = !okay && starts_with(line, "+");
  LineEvent e;
  e.sent = false;
  e.kind = LineKind::Reply;
  e.text = line;
  e.label = okay ? "+OK" : cont ? "+" : starts_with(line, "-ERR") ? "-ERR" : "?";
  e.rfc = "RFC 1939 §3";
  if (cont) {
    e.meaning = "The server waits for the next part of the login exchange.";
    e.rfc = "RFC 5034 §4";
  } else if (okay) {
    e.meaning = "The server accepts the command.";
  } else {
    e.meaning = "The server refuses the command; the text says why.";
    if (line.find("[IN-USE]") != std::string::npos)
      e.meaning = "Another session holds the mailbox, so the login is refused for now.";
    else if (line.find("[AUTH]") != std::string::npos && line.find("TLS") != std::string::npos)
      e.meaning = "The server takes no password over an unencrypted connection.";
    else if (line.find("[AUTH]") != std::string::npos)
      e.meaning = "The user name or password is wrong.";
  }
  if (state_ == ClientState::AwaitGreeting) {
    e.meaning = okay ? "The server greets the client and is ready." : e.meaning;
    e.rfc = "RFC 1939 §4";
  }
  return e;
}

void Client::on_status(const std::string& line) {
  bool okay = starts_with(line, "+OK");
  bool cont = !okay && starts_with(line, "+");
  if (report_received_) events_.push_back(status_line_event(line));

  if (okay && multi_expected_) {
    multi_expected_ = false;
    in_multi_ = true;
    multi_in_body_ = false;
    multi_lines_.clear();
    multi_data_.clear();
  } else {
    multi_expected_ = false;
  }
  const std::string why = line.size() > 5 ? line.substr(5) : line;

  switch (state_) {
    case ClientState::AwaitGreeting: {
      if (!okay) {
        failed_ = true;
        problem("The server refused the session: " + line);
        finish();
        return;
      }
      std::size_t lt = line.find('<');
      std::size_t gt = lt == std::string::npos ? lt : line.find('>', lt);
      if (gt != std::string::npos && line.find('@', lt) < gt)
        timestamp_ = line.substr(lt, gt - lt + 1);
      send_line("CAPA", "CAPA", "The client asks which optional features the server supports.",
                "RFC 2449 §5", {}, true);
      enter_state(ClientState::Capa);
      return;
    }
    case ClientState::Capa:
      if (!okay) after_capa();  // an old server without CAPA: carry on
      return;                   // else wait for the list
    case ClientState::Stls:
      if (!okay) return fail("The server refused STLS: " + why);
      enter_state(ClientState::Tls);  // the driver runs the handshake
      return;
    case ClientState::Tls:
      return;  // nothing may arrive in plaintext now
    case ClientState::User:
      if (!okay) return fail("USER refused: " + why);
      send_line("PASS " + job_.password, "PASS",
                "The client sends the password in clear text (not encrypted!).", "RFC 1939 §7",
                job_.password);
      enter_state(ClientState::Pass);
      return;
    case ClientState::Pass:
    case ClientState::Apop:
    case ClientState::Auth:
      if (cont && state_ == ClientState::Auth) {
        std::string blob = smtp::encode_plain(job_.login, job_.password);
        send_line(blob, "AUTH",
                  "The client sends user name and password in one base64 blob (SASL PLAIN; "
                  "not encrypted!).",
                  "RFC 4616 §2", blob);
        return;
      }
      if (!okay) return fail("Login failed: " + why);
      after_login();
      return;
    case ClientState::Stat: {
      if (!okay) return fail("STAT failed: " + why);
      // "+OK nn mm": message count and octets (RFC 1939 §5 STAT).
      std::size_t a = 0, b = 0;
      const char* end = line.data() + line.size();
      auto ra = std::from_chars(line.data() + std::min<std::size_t>(4, line.size()), end, a);
      auto rb = ra.ec == std::errc{} && ra.ptr != end && *ra.ptr == ' '
                    ? std::from_chars(ra.ptr + 1, end, b)
                    : std::from_chars_result{ra.ptr, std::errc::invalid_argument};
      if (line.rfind("+OK ", 0) != 0 || ra.ec != std::errc{} || rb.ec != std::errc{})
        return fail("Cannot read the STAT answer: " + line);
      outcome_.mailbox_messages = a;
      outcome_.mailbox_octets = b;
      if (a == 0) return quit();
      if (has_uidl_ || job_.mode == Mode::LeaveOnServer || job_.mode == Mode::ListOnly) {
        send_line("UIDL", "UIDL", "The client asks for the unique id of every message.",
                  "RFC 1939 §7", {}, true);
        enter_state(ClientState::Uidl);
      } else {
        send_line("LIST", "LIST", "The client asks for the size of every message.", "RFC 1939 §5",
                  {}, true);
        enter_state(ClientState::List);
      }
      return;
    }
    case ClientState::Uidl:
      if (!okay) {
        // No UIDL: every message counts as new (RFC 1939 §7 makes UIDL optional).
        if (job_.mode == Mode::LeaveOnServer)
          problem("The server has no UIDL, so already downloaded messages cannot be skipped.");
        uidls_.assign(outcome_.mailbox_messages, std::string());
        send_line("LIST", "LIST", "The client asks for the size of every message.", "RFC 1939 §5",
                  {}, true);
        enter_state(ClientState::List);
      }
      return;
    case ClientState::List:
      if (!okay) return fail("LIST failed: " + why);
      return;
    case ClientState::Retr:
      if (!okay) {
        problem("RETR " + std::to_string(current_) + " failed: " + why);
        next_message();
      }
      return;
    case ClientState::Top:
      if (!okay) {
        problem("TOP " + std::to_string(current_) + " 0 failed: " + why);
        quit();
      }
      return;
    case ClientState::Dele:
      if (!okay) {
        problem("DELE " + std::to_string(current_) + " failed: " + why);
      } else if (uidls_.size() >= current_) {
        outcome_.deleted_uidls.push_back(uidls_[current_ - 1]);
      }
      next_message();
      return;
    case ClientState::Quit:
      if (!okay) problem("QUIT failed (messages marked for deletion may remain): " + why);
      finish();
      return;
    case ClientState::Done:
      return;
  }
}

void Client::after_capa() {
  if (job_.tls != TlsMode::Required || tls_) return start_login();
  if (!stls_)
    return fail(
        "The server does not offer STLS, and this client does not send passwords in "
        "plaintext.");
  send_line("STLS", "STLS",
            "The client asks to switch the connection to TLS before it logs in, so the "
            "password is never sent readable.",
            "RFC 2595 §4");
  enter_state(ClientState::Stls);
}

void Client::start_login() {
  switch (job_.auth) {
    case AuthMethod::UserPass:
      send_line("USER " + job_.login, "USER", "The client names the mailbox it wants to open.",
                "RFC 1939 §7");
      enter_state(ClientState::User);
      return;
    case AuthMethod::Apop:
      if (timestamp_.empty())
        return fail("The server's greeting has no APOP timestamp, so APOP cannot be used.");
      send_line("APOP " + job_.login + " " + apop_digest(timestamp_, job_.password), "APOP",
                "The client proves it knows the password by sending MD5(timestamp + password) "
                "instead of the password itself.",
                "RFC 1939 §7");
      enter_state(ClientState::Apop);
      return;
    case AuthMethod::SaslPlain: {
      std::string blob = smtp::encode_plain(job_.login, job_.password);
      std::string line = "AUTH PLAIN " + blob;
      if (line.size() <= kMaxAuthLine) {
        send_line(line, "AUTH",
                  "The client logs in with SASL PLAIN, user name and password in base64 on the "
                  "same line (not encrypted!).",
                  "RFC 5034 §4", blob);
      } else {
        send_line("AUTH PLAIN", "AUTH",
                  "The client starts a SASL PLAIN login; the credentials follow on their own "
                  "line.",
                  "RFC 5034 §4");
      }
      enter_state(ClientState::Auth);
      return;
    }
  }
}

void Client::after_login() {
  send_line("STAT", "STAT", "The client asks how many messages there are and their total size.",
            "RFC 1939 §5");
  enter_state(ClientState::Stat);
}

void Client::next_message() {
  if (todo_.empty()) return quit();
  current_ = todo_.front();
  todo_.erase(todo_.begin());
  send_line("RETR " + std::to_string(current_), "RETR",
            "The client downloads message " + std::to_string(current_) + ".", "RFC 1939 §5", {},
            true);
  enter_state(ClientState::Retr);
}

// ListOnly: the header of the newest message (the highest number LIST reported) with
// "TOP n 0" (RFC 1939 §7), only when CAPA offered TOP; the body is never fetched.
void Client::top_newest() {
  std::size_t newest = 0;
  for (const auto& l : outcome_.listing) newest = std::max(newest, l.number);
  if (newest == 0 || !has_top_) return quit();
  current_ = newest;
  outcome_.top_number = newest;
  send_line("TOP " + std::to_string(newest) + " 0", "TOP",
            "The client asks for the header of the newest message only (0 body lines): it "
            "downloads nothing else.",
            "RFC 1939 §7", {}, true);
  enter_state(ClientState::Top);
}

void Client::quit() {
  send_line("QUIT", "QUIT",
            job_.mode == Mode::Delete && !outcome_.messages.empty()
                ? "The client says goodbye; now the server removes the messages marked for "
                  "deletion."
                : "The client says goodbye.",
            "RFC 1939 §6");
  enter_state(ClientState::Quit);
}

}  // namespace net::pop3

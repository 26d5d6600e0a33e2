// IMAP server core: state, reading commands, writing responses, IDLE and AUTHENTICATE
// continuations, and turning the store's change events into untagged responses.
// The command table is in server_commands.cpp.
#include "net/imap/server.hpp"

#include <algorithm>

#include "net/imap/response.hpp"
#include "net/smtp/sasl.hpp"
#include "net/store/mailstore.hpp"

namespace net::imap {

const char* to_string(State s) {
  switch (s) {
    case State::NotAuthenticated:
      return "NotAuthenticated";
    case State::Authenticated:
      return "Authenticated";
    case State::Selected:
      return "Selected";
    case State::Logout:
      return "Logout";
  }
  return "?";
}

std::string Server::capabilities() const {
  std::string caps =
      "IMAP4rev1 LITERAL+ SASL-IR ID ENABLE IDLE NAMESPACE MOVE UNSELECT UIDPLUS SPECIAL-USE "
      "CHILDREN LIST-EXTENDED LIST-STATUS";
  if (cfg_.starttls && !tls_ && state_ == State::NotAuthenticated) caps += " STARTTLS";
  // RFC 3501 §6.2.3 / §7.2.1: LOGINDISABLED, and no mechanism that sends a password.
  caps += tls_ || !cfg_.auth_needs_tls ? " AUTH=PLAIN" : " LOGINDISABLED";
  return caps;
}

Server::Server(ServerConfig cfg, store::Mailstore& store, std::function<int64_t()> unix_now)
    : cfg_(std::move(cfg)),
      store_(store),
      now_(std::move(unix_now)),
      reader_(cfg_.limits),
      tls_(cfg_.tls) {
  listener_ = store_.subscribe([this](const store::Change& c) { on_change(c); });
}

Server::~Server() {
  store_.unsubscribe(listener_);
}

void Server::enter_state(State s) {
  if (s == state_) return;
  events_.push_back(StateEvent{to_string(state_), to_string(s)});
  state_ = s;
}

void Server::write(std::string text, std::string label, std::string meaning, std::string rfc) {
  std::string& out = holding_ ? held_out_ : out_;
  EngineEvents& evs = holding_ ? held_events_ : events_;
  out += text;
  out += "\r\n";
  if (text.find("\r\n") == std::string::npos) {  // one line, the usual: moved, not copied
    auto& e = std::get<LineEvent>(evs.emplace_back(std::in_place_type<LineEvent>));
    e.kind = LineKind::Reply;
    e.text = std::move(text);
    e.label = std::move(label);
    e.meaning = std::move(meaning);
    e.rfc = std::move(rfc);
    return;
  }
  // One trace line per wire line; a literal's octets are one Data event.
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t crlf = text.find("\r\n", pos);
    std::string_view line(text.data() + pos,
                          (crlf == std::string::npos ? text.size() : crlf) - pos);
    LineEvent e;
    e.sent = true;
    e.kind = LineKind::Reply;
    e.text = std::string(line);
    e.label = label;
    e.meaning = meaning;
    e.rfc = rfc;
    evs.push_back(std::move(e));
    if (crlf == std::string::npos) break;
    pos = crlf + 2;
    auto mark = literal_at_end(line);
    if (mark) {
      size_t n = std::min(mark->size, text.size() - pos);
      LineEvent d;
      d.sent = true;
      d.kind = LineKind::Data;
      d.text = text.substr(pos, n);
      d.label = "literal";
      d.meaning = "The " + std::to_string(mark->size) + " octets announced by {" +
                  std::to_string(mark->size) + "}, sent as they are.";
      d.rfc = "RFC 3501 §4.3";
      evs.push_back(std::move(d));
      pos += n;
      if (pos == text.size()) break;
    }
  }
}

void Server::untagged(std::string text, std::string meaning, std::string rfc) {
  // The label is the response name: "* 3 EXISTS" -> EXISTS, "* OK [..]" -> OK.
  std::string_view t = text;
  if (t.size() > 2) t.remove_prefix(2);
  size_t sp = t.find(' ');
  std::string_view first = t.substr(0, sp);
  if (!first.empty() && first.front() >= '0' && first.front() <= '9' &&
      sp != std::string_view::npos) {
    t.remove_prefix(sp + 1);
    first = t.substr(0, t.find(' '));
  }
  std::string label(first);
  write(std::move(text), std::move(label), std::move(meaning), std::move(rfc));
}

void Server::parsed(const std::vector<Segment>& segs, std::string_view label,
                    std::string_view meaning, std::string_view rfc, std::string_view secret) {
  for (const auto& s : segs) {
    const bool has_secret = !secret.empty() && s.text.find(secret) != std::string::npos;
    if (!report_received_ && !has_secret) continue;
    LineEvent& e = std::get<LineEvent>(events_.emplace_back(std::in_place_type<LineEvent>));
    e.sent = false;
    e.kind = s.literal ? LineKind::Data : LineKind::Command;
    if (has_secret) e.secret = secret;
    if (!report_received_) continue;
    e.text = s.text;
    if (s.literal) {
      e.label = "literal";
      e.meaning = "The " + std::to_string(s.text.size()) +
                  " octets of a literal the client announced with {" +
                  std::to_string(s.text.size()) + "}.";
      e.rfc = "RFC 3501 §4.3";
    } else {
      e.label = label;
      e.meaning = meaning;
      e.rfc = rfc;
    }
  }
}

// A command answered after on_command() returned (APPEND once on disk, FETCH in parts): what
// on_command() does after a handler (pending updates, the tagged reply), then the commands
// the client pipelined behind it, which waited in the reader.
void Server::finish_later(const std::string& tag, bool allow_expunge) {
  flush_updates(allow_expunge);
  finish(tag);
  allow_expunge_now_ = true;
  feed({});
}

void Server::finish(const std::string& tag) {
  if (!result_) return;
  Result r = std::move(*result_);
  result_.reset();
  std::string meaning = r.status == "OK"   ? "The command succeeded."
                        : r.status == "NO" ? "The command was understood but failed."
                                           : "The server could not understand the command.";
  std::string rfc = "RFC 3501 §7.1";
  if (r.status == "OK" && tls_wait_) {
    meaning = "The server agrees: both sides now run the TLS handshake on this connection.";
    rfc = "RFC 3501 §6.2.1";
  } else if (r.text.rfind("[PRIVACYREQUIRED]", 0) == 0) {
    meaning =
        "This server takes logins only over TLS: the client must send STARTTLS first (or "
        "connect to port 993).";
    rfc = "RFC 5530 §3, RFC 8314 §5";
  }
  write(tag + " " + r.status + " " + r.text, r.status, std::move(meaning), std::move(rfc));
  if (r.status == "BAD" && ++bad_commands_ >= cfg_.max_bad_commands && !close_)
    bye("Too many invalid commands", "The client made too many errors; the server hangs up.",
        "RFC 3501 §7.1.5");
}

void Server::bye(const std::string& text, const std::string& meaning, const std::string& rfc) {
  untagged("* BYE " + text, meaning, rfc);
  close_ = true;
  idle_tag_.clear();
  auth_tag_.clear();
  unselect();
  enter_state(State::Logout);
}

void Server::on_connect(std::string peer_ip, std::string peer_host) {
  peer_ip_ = std::move(peer_ip);
  peer_host_ = std::move(peer_host);
  untagged("* OK [CAPABILITY " + capabilities() + "] " + cfg_.hostname + " IMAP4rev1 mailsim ready",
           "The server greets the client, lists what it can do, and waits for a login.",
           "RFC 3501 §7.1.1");
}

void Server::feed(std::string_view bytes) {
  if (close_) return;
  if (tls_wait_) return;  // only the handshake may come now
  reader_.feed(bytes);
  // While a login reply is held, later commands wait in the reader (end_penalty()).
  while (!close_ && !holding_ && !tls_wait_ && append_tag_.empty() && !fetch_) {
    auto r = reader_.next();
    if (!r) break;
    on_read(std::move(*r));
  }
  if (tls_wait_) {
    std::string rest = reader_.discard();
    if (!rest.empty())
      events_.push_back(LineEvent{false, LineKind::Command,
                                  rest.substr(0, rest.find_first_of("\r\n")), "",
                                  "Sent after STARTTLS but before the TLS handshake: discarded, "
                                  "never executed (command injection, CVE-2011-0411).",
                                  "RFC 3501 §6.2.1", ""});
  }
}

void Server::on_tls_established() {
  if (!tls_wait_) return;
  // RFC 3501 §6.2.1: no new greeting; the client must ask CAPABILITY again.
  tls_wait_ = false;
  tls_ = true;
}

void Server::hold_if_penalized() {
  if (failed_logins_ >= cfg_.free_login_failures && cfg_.penalty_ms > 0) holding_ = true;
}

void Server::end_penalty() {
  if (!holding_) return;
  holding_ = false;
  out_ += held_out_;
  held_out_.clear();
  for (auto& e : held_events_) events_.push_back(std::move(e));
  held_events_.clear();
  feed({});
}

// The connection ends while a reply is held: the reply is never sent.
void Server::drop_held() {
  holding_ = false;
  held_out_.clear();
  held_events_.clear();
}

void Server::on_disconnect() {
  drop_held();
  if (close_ && state_ == State::Logout) return;
  close_ = true;
  idle_tag_.clear();
  auth_tag_.clear();
  unselect();
  enter_state(State::Logout);
}

void Server::on_timeout() {
  if (close_) return;
  drop_held();
  bye("Autologout; idle for too long",
      "The client was silent for too long, so the server logs it out.", "RFC 3501 §5.4");
}

void Server::shutdown() {
  if (close_) return;
  drop_held();
  bye("Server shutting down", "The server is stopping and says goodbye first.", "RFC 3501 §7.1.5");
}

void Server::on_read(ReadResult r) {
  using K = ReadResult::Kind;
  switch (r.kind) {
    case K::NeedContinuation:
      write("+ Ready for literal data", "+",
            "The server invites the client to send the " + std::to_string(r.literal_size) +
                " octets it announced.",
            "RFC 3501 §7.5");
      return;
    case K::LineTooLong:
      events_.push_back(LineEvent{false, LineKind::Command, "(a line longer than the limit)", "",
                                  "A command line longer than the server allows.", "RFC 7162 §4",
                                  ""});
      bad("Command line too long");
      finish(r.tag);
      return;
    case K::LiteralTooLong:
      parsed(r.segments, "", "A command announcing a literal bigger than the server allows.",
             "RFC 7888 §4");
      if (r.non_sync) {
        bad("[TOOBIG] Literal too big");
      } else {
        no("[TOOBIG] Literal too big");
      }
      finish(r.tag);
      return;
    case K::Command:
      break;
  }
  if (!idle_tag_.empty()) return on_idle_line(r);
  if (!auth_tag_.empty()) return on_auth_line(r);
  on_command(r);
}

void Server::on_idle_line(const ReadResult& r) {
  std::string tag = idle_tag_;
  idle_tag_.clear();
  if (iequals(r.text, "DONE")) {
    parsed(r.segments, "DONE", "The client stops idling.", "RFC 2177 §3");
    flush_updates(true);
    ok("IDLE terminated");
  } else {
    parsed(r.segments, "", "Only DONE may end IDLE.", "RFC 2177 §3");
    bad("Expected DONE");
  }
  finish(tag);
}

void Server::on_auth_line(const ReadResult& r) {
  std::string tag = auth_tag_;
  auth_tag_.clear();
  if (r.text == "*") {
    parsed(r.segments, "*", "The client cancels the login exchange.", "RFC 3501 §6.2.2");
    bad("AUTHENTICATE cancelled");
    finish(tag);
    return;
  }
  parsed(r.segments, "AUTHENTICATE",
         "The client sends user name and password in one base64 blob (SASL PLAIN; base64 is "
         "not encryption!).",
         "RFC 4616 §2", r.text);
  auto decoded = smtp::base64_decode(r.text);
  auto creds = decoded ? smtp::decode_plain(*decoded) : std::nullopt;
  if (creds) hold_if_penalized();
  if (!creds) {
    bad("Invalid SASL PLAIN response");
  } else if (!creds->authzid.empty() && creds->authzid != creds->authcid) {
    ++failed_logins_;
    no("[AUTHORIZATIONFAILED] Cannot log in as another user");
  } else if (auto who = store_.authenticate(creds->authcid, creds->password)) {
    login_as(*who, tag, "AUTHENTICATE PLAIN");
    return;
  } else {
    ++failed_logins_;
    no("[AUTHENTICATIONFAILED] Invalid credentials");
  }
  finish(tag);
}

void Server::login_as(const std::string& address, const std::string& tag, const char* how) {
  user_ = address;
  enter_state(State::Authenticated);
  result_ = Result{"OK", "[CAPABILITY " + capabilities() + "] " + how + " completed"};
  finish(tag);
}

// ---- the store's changes ----

void Server::on_change(const store::Change& c) {
  if (selected_.empty() || !iequals(c.address, user_)) return;
  if (c.op == "rename" && c.folder == selected_) {
    selected_ = c.new_name;
    return;
  }
  if (c.folder != selected_) return;
  if (c.op == "deliver" || c.op == "append") {
    pending_.push_back({"new", c.uid});
  } else if (c.op == "expunge" || c.op == "remove") {
    pending_.push_back({"expunge", c.uid});
  } else if (c.op == "flags") {
    if (!muted_) pending_.push_back({"flags", c.uid});
  } else if (c.op == "delete") {
    for (uint32_t u : view_) pending_.push_back({"expunge", u});
  }
  if (!idle_tag_.empty()) flush_updates(true);
}

void Server::flush_updates(bool allow_expunge) {
  const store::Folder* f = current();
  size_t before = view_.size();
  auto announce_exists = [&] {
    if (view_.size() > before) {
      untagged(
          "* " + std::to_string(view_.size()) + " EXISTS",
          "The mailbox now holds " + std::to_string(view_.size()) + " messages: new mail arrived.",
          "RFC 3501 §7.3.1");
      claim_recent();
      untagged("* " + std::to_string(recent_.size()) + " RECENT",
               "How many messages are new to this session (\\Recent).", "RFC 3501 §7.3.2");
    }
    before = view_.size();
  };
  while (!pending_.empty()) {
    Pending p = pending_.front();
    if (p.op == "new") {
      if (view_.empty() || view_.back() < p.uid) view_.push_back(p.uid);
    } else if (p.op == "expunge") {
      if (!allow_expunge) break;
      uint32_t seq = seq_of(p.uid);
      if (seq != 0) {
        announce_exists();  // EXISTS first, so sequence numbers stay right
        view_.erase(view_.begin() + (seq - 1));
        recent_.erase(p.uid);
        before = view_.size();
        untagged("* " + std::to_string(seq) + " EXPUNGE",
                 "Message " + std::to_string(seq) +
                     " was removed; every later message moves down by one.",
                 "RFC 3501 §7.4.1");
      }
    } else if (p.op == "flags") {
      uint32_t seq = seq_of(p.uid);
      const store::StoredMessage* m = f ? f->find(p.uid) : nullptr;
      if (seq != 0 && m) {
        announce_exists();
        untagged("* " + std::to_string(seq) + " FETCH (UID " + std::to_string(p.uid) + " FLAGS " +
                     flags_of(*m) + ")",
                 "Another session changed the flags of message " + std::to_string(seq) + ".",
                 "RFC 3501 §7.4.2");
      }
    }
    pending_.pop_front();
  }
  announce_exists();
}

const store::Folder* Server::current() const {
  if (selected_.empty()) return nullptr;
  return store_.folder(user_, selected_);
}

uint32_t Server::seq_of(uint32_t uid) const {
  auto it = std::lower_bound(view_.begin(), view_.end(), uid);
  if (it == view_.end() || *it != uid) return 0;
  return static_cast<uint32_t>(it - view_.begin() + 1);
}

std::vector<uint32_t> Server::resolve(const SequenceSet& set, bool by_uid) const {
  std::vector<uint32_t> out;
  if (view_.empty()) return out;
  if (by_uid) {
    for (uint32_t u : view_)
      if (set.contains(u, view_.back())) out.push_back(u);
  } else {
    uint32_t n = static_cast<uint32_t>(view_.size());
    for (uint32_t i = 1; i <= n; ++i)
      if (set.contains(i, n)) out.push_back(view_[i - 1]);
  }
  return out;
}

std::string Server::flags_of(const store::StoredMessage& m) const {
  if (!is_recent(m.uid)) return flag_list(m.flags);
  auto f = m.flags;
  f.push_back("\\Recent");
  return flag_list(f);
}

void Server::claim_recent() {
  // EXAMINE only looks (RFC 3501 §6.3.2): the messages stay \Recent for the next SELECT.
  auto uids = read_only_ ? store_.unclaimed_recent(user_, selected_)
                         : store_.claim_recent(user_, selected_);
  for (uint32_t u : uids)
    if (seq_of(u) != 0) recent_.insert(u);
}

void Server::select_folder(const std::string& name, bool read_only) {
  unselect();
  const store::Folder* f = store_.folder(user_, name);
  selected_ = f->name;
  read_only_ = read_only;
  for (const auto& m : f->messages) view_.push_back(m.uid);
  enter_state(State::Selected);
}

void Server::unselect() {
  selected_.clear();
  view_.clear();
  recent_.clear();
  pending_.clear();
  read_only_ = false;
  if (state_ == State::Selected) enter_state(State::Authenticated);
}

}  // namespace net::imap

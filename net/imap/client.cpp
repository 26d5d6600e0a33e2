// IMAP client engine core: reading and describing the server's responses, writing commands
// (with their literals), keeping the model of the selected folder up to date. What each
// ClientOp sends is in client_ops.cpp.
#include "net/imap/client.hpp"

#include <algorithm>

#include "net/imap/client_impl.hpp"
#include "net/imap/mutf7.hpp"

namespace net::imap {

const char* to_string(ClientState s) {
  switch (s) {
    case ClientState::AwaitGreeting:
      return "AwaitGreeting";
    case ClientState::Capability:
      return "Capability";
    case ClientState::StartTls:
      return "StartTls";
    case ClientState::Tls:
      return "Tls";
    case ClientState::Login:
      return "Login";
    case ClientState::Ready:
      return "Ready";
    case ClientState::Command:
      return "Command";
    case ClientState::Literal:
      return "Literal";
    case ClientState::Idling:
      return "Idling";
    case ClientState::Logout:
      return "Logout";
    case ClientState::Done:
      return "Done";
  }
  return "?";
}

Client::Client(ClientJob job) : impl_(std::make_unique<Impl>(*this, std::move(job))) {
  impl_->tls = impl_->job.tls == TlsMode::Implicit;
}

Client::~Client() = default;

void Client::feed(std::string_view bytes) {
  if (done()) return;
  // With report_received off (EngineIo) no response is described: the reader keeps no
  // second copy of each line for that. Switched only between responses, never inside one.
  if (!impl_->reader.partial()) impl_->reader.keep_segments(report_received_);
  impl_->reader.feed(bytes);
  while (!done() && state_ != ClientState::Tls) {
    auto item = impl_->reader.next();
    if (!item) break;
    impl_->on_item(*item);
  }
  // Plaintext after STARTTLS's OK is not the server speaking under TLS: it could be
  // injected by someone in the middle, so it is dropped.
  if (state_ == ClientState::Tls) impl_->reader.discard();
}

bool Client::tls_active() const {
  return impl_->tls;
}

void Client::on_tls_established() {
  Impl& m = *impl_;
  if (state_ != ClientState::Tls) return;
  m.tls = true;
  // RFC 3501 §6.2.1: the client must discard what it knew of the capabilities.
  outcome_.capabilities.clear();
  m.command(
      "CAPABILITY", "CAPABILITY",
      "Under TLS the client asks for the capabilities again: they may differ now (for example "
      "LOGIN is allowed).",
      "RFC 3501 §6.2.1",
      [&m](const Response& done) {
        if (done.status != "OK") m.problem("CAPABILITY failed: " + done.text);
        m.login();
      },
      ClientState::Capability);
}

void Client::on_tls_failed(const std::string& why) {
  if (done()) return;
  impl_->fatal("TLS failed: " + why);  // no LOGOUT: nothing more can be said here
}

void Client::on_disconnect() {
  if (done()) return;
  Impl& m = *impl_;
  if (state_ == ClientState::Logout && m.bye_seen) {
    // The server said BYE and hung up before its tagged OK: the logout happened.
    m.finish();
    return;
  }
  if (m.reader.in_literal()) {
    m.fatal("The connection closed in the middle of a literal; the response is incomplete.");
  } else if (m.reader.partial()) {
    m.fatal("The connection closed in the middle of a response line.");
  } else {
    m.fatal(std::string("The connection closed before LOGOUT was answered (state ") +
            to_string(state_) + ").");
  }
}

void Client::stop_idle() {
  Impl& m = *impl_;
  if (!m.idle || done()) return;
  if (state_ == ClientState::Idling) {
    m.send_done();
  } else {
    m.idle_stop = true;  // "+ idling" not seen yet: DONE follows it
  }
}

// ---- helpers ----

void Client::Impl::enter(ClientState s) {
  if (s == c.state_) return;
  c.events_.push_back(StateEvent{to_string(c.state_), to_string(s)});
  c.state_ = s;
}

bool Client::Impl::has(std::string_view capability) const {
  std::string want = to_upper(capability);
  const auto& caps = c.outcome_.capabilities;
  return std::find(caps.begin(), caps.end(), want) != caps.end();
}

void Client::Impl::problem(std::string what) {
  if (c.outcome_.error.empty()) c.outcome_.error = what;
  c.outcome_.errors.push_back(std::move(what));
}

void Client::Impl::fail(std::string what) {
  failed = true;
  problem(std::move(what));
  logout();
}

void Client::Impl::fatal(std::string what) {
  failed = true;
  problem(std::move(what));
  finish();
}

void Client::Impl::finish() {
  c.outcome_.finished = true;
  c.outcome_.ok = !failed && logged_in && c.outcome_.errors.empty();
  tag.clear();
  on_done = nullptr;
  enter(ClientState::Done);
}

FolderView* Client::Impl::folder() {
  if (active.empty()) return nullptr;
  auto it = c.outcome_.folders.find(active);
  return it == c.outcome_.folders.end() ? nullptr : &it->second;
}

void Client::Impl::set_capabilities(const std::vector<Value>& atoms) {
  auto& have = c.outcome_.capabilities;  // upper case
  // Servers repeat the list (greeting, CAPABILITY, the LOGIN OK's code): when it is the one
  // already held, there is nothing to rebuild.
  std::size_t n = 0;
  bool same = true;
  for (const auto& v : atoms) {
    if (v.is_nil() || v.is_list()) continue;
    same = same && n < have.size() && iequals(v.text, have[n]);
    ++n;
  }
  if (n == 0 || (same && n == have.size())) return;
  std::vector<std::string> caps;
  caps.reserve(n);
  for (const auto& v : atoms)
    if (!v.is_nil() && !v.is_list()) caps.push_back(to_upper(v.text));
  have = std::move(caps);
}

// ---- writing ----

void Client::Impl::emit(std::string text, LineKind kind, std::string label, std::string what,
                        std::string where) {
  LineEvent e;
  e.sent = true;
  e.kind = kind;
  for (const auto& s : secrets) {
    if (!s.empty() && text.find(s) != std::string::npos) {
      e.secret = s;
      break;
    }
  }
  e.text = std::move(text);
  e.label = std::move(label);
  e.meaning = std::move(what);
  e.rfc = std::move(where);
  c.events_.push_back(std::move(e));
}

void Client::Impl::send_raw_line(const std::string& line, std::string label, std::string what,
                                 std::string where, std::string secret) {
  c.out_ += line;
  c.out_ += "\r\n";
  LineEvent e;
  e.sent = true;
  e.kind = LineKind::Command;
  e.text = line;
  e.label = std::move(label);
  e.meaning = std::move(what);
  e.rfc = std::move(where);
  e.secret = std::move(secret);
  c.events_.push_back(std::move(e));
}

void Client::Impl::command(const std::string& text, std::string verb_label, std::string what,
                           std::string where, OnDone done, ClientState running) {
  tag = "A" + std::to_string(next_tag++);
  wire = tag + " " + text;
  wire_pos = 0;
  verb = std::move(verb_label);
  meaning = std::move(what);
  rfc = std::move(where);
  on_done = std::move(done);
  resume = running;
  enter(running);
  push_wire();
}

// Writes the command up to its end or up to a synchronising literal (RFC 3501 §7.5: wait for
// "+" first). A non-synchronising literal "{n+}" (RFC 7888) goes out at once.
void Client::Impl::push_wire() {
  while (wire_pos <= wire.size()) {
    std::size_t crlf = wire.find("\r\n", wire_pos);
    std::string line =
        wire.substr(wire_pos, crlf == std::string::npos ? std::string::npos : crlf - wire_pos);
    c.out_ += line;
    c.out_ += "\r\n";
    if (!line.empty()) emit(line, LineKind::Command, verb, meaning, rfc);
    if (crlf == std::string::npos) {
      wire.clear();
      wire_pos = 0;
      return;
    }
    wire_pos = crlf + 2;
    auto mark = literal_at_end(line);
    std::size_t n = mark ? std::min(mark->size, wire.size() - wire_pos) : 0;
    if (mark && !mark->non_sync) {
      literal_size = n;
      enter(ClientState::Literal);
      return;
    }
    std::string octets = wire.substr(wire_pos, n);
    c.out_ += octets;
    emit(octets, LineKind::Data, "literal",
         "The " + std::to_string(n) + " octets announced by {" + std::to_string(n) +
             "+}, sent without waiting (LITERAL+).",
         "RFC 7888 §4");
    wire_pos += n;
    if (wire_pos == wire.size()) {
      c.out_ += "\r\n";  // the command ends right after the literal
      wire.clear();
      wire_pos = 0;
      return;
    }
  }
}

void Client::Impl::send_done() {
  if (!idle || idle_done_sent) return;
  idle_done_sent = true;
  send_raw_line("DONE", "DONE", "The client stops idling; the server ends IDLE with a tagged OK.",
                "RFC 2177 §3");
  enter(ClientState::Command);
}

// ---- reading ----

void Client::Impl::on_item(const ReaderItem& item) {
  if (item.too_long || !item.response) {
    for (const auto& s : item.segments) {
      LineEvent e;
      e.sent = false;
      e.kind = s.literal ? LineKind::Data : LineKind::Reply;
      e.text = s.text;
      e.meaning = item.too_long ? "A response longer than the client accepts."
                                : "Something that is not an IMAP response.";
      e.rfc = "RFC 3501 §7";
      c.events_.push_back(std::move(e));
    }
    return fatal(item.too_long ? "The server sent a response longer than the client accepts."
                               : "The server sent something that is not an IMAP response: " +
                                     item.raw.substr(0, 80));
  }
  if (c.report_received_) describe(item);
  on_response(*item.response);
}

void Client::Impl::on_response(const Response& r) {
  switch (r.kind) {
    case Response::Kind::Continuation:
      return on_continuation(r);
    case Response::Kind::Tagged:
      return on_tagged(r);
    case Response::Kind::Untagged:
      return on_untagged(r);
  }
}

void Client::Impl::on_continuation(const Response&) {
  switch (c.state_) {
    case ClientState::Literal: {
      enter(resume);
      std::string octets = wire.substr(wire_pos, literal_size);
      c.out_ += octets;
      emit(octets, LineKind::Data, "literal",
           "The " + std::to_string(literal_size) +
               " octets the client announced, sent now that the server said \"+\".",
           "RFC 3501 §4.3");
      wire_pos += literal_size;
      if (wire_pos >= wire.size()) {
        c.out_ += "\r\n";
        wire.clear();
        wire_pos = 0;
      } else {
        push_wire();
      }
      return;
    }
    case ClientState::Login: {
      // AUTHENTICATE PLAIN without SASL-IR: the credentials answer the empty challenge.
      if (verb != "AUTHENTICATE") return;
      std::string blob = secrets.empty() ? std::string() : secrets.front();
      send_raw_line(blob, "AUTHENTICATE",
                    "The client sends user name and password in one base64 blob (SASL PLAIN; "
                    "base64 is not encryption!).",
                    "RFC 4616 §2", blob);
      return;
    }
    case ClientState::Command:
      if (idle && !idle_done_sent) {
        enter(ClientState::Idling);
        if (idle_stop || idle_change) send_done();
      }
      return;
    default:
      return;
  }
}

void Client::Impl::on_tagged(const Response& r) {
  if (r.tag != tag) return;  // not ours: already described, nothing to do
  OnDone done = std::move(on_done);
  on_done = nullptr;
  tag.clear();
  wire.clear();
  wire_pos = 0;
  if (r.code == "CAPABILITY") set_capabilities(r.code_args);
  if (c.state_ == ClientState::Logout) {
    if (r.status != "OK") problem("LOGOUT failed: " + r.status + " " + r.resp_text);
    return finish();
  }
  if (c.state_ != ClientState::Done) enter(ClientState::Ready);
  if (done) done(r);
  if (c.state_ == ClientState::Ready) advance();
}

// "* STATUS name (MESSAGES n UIDNEXT u UIDVALIDITY v)" (RFC 3501 §7.2.4): for the folder the
// running STATUS asked about, or (LIST-STATUS, RFC 5819 §2) for a folder the running LIST
// named; any other is ignored, and so is one about the selected folder, whose news come
// unasked.
void Client::Impl::on_status(const Response& r) {
  if (r.numbered || r.data.size() < 2 || !r.data[1].is_list()) return;
  auto name = r.data[0].str();
  if (!name || !decode_mutf7_in_place(*name)) return;
  if (iequals(*name, "INBOX")) name = "INBOX";
  const bool asked = !status_of.empty() && *name == status_of;
  const bool in_list = listing && *name != active && listed_names.count(*name) != 0;
  if (!asked && !in_list) return;
  FolderView& f = c.outcome_.folders[*name];
  f.uid_validity = f.uid_next = f.exists = 0;  // an item left out is not a stale value
  const auto& items = r.data[1].items;
  bool messages = false, validity = false;
  for (std::size_t i = 0; i + 1 < items.size(); i += 2) {
    // Counters are 32-bit (RFC 3501 §9: nz-number); anything else is not an answer.
    if (items[i + 1].kind != Value::Kind::Number || items[i + 1].number > UINT32_MAX) continue;
    auto n = static_cast<std::uint32_t>(items[i + 1].number);
    if (iequals(items[i].text, "MESSAGES")) {
      f.exists = n;
      messages = true;
    } else if (iequals(items[i].text, "UIDNEXT")) {
      f.uid_next = n;
    } else if (iequals(items[i].text, "UIDVALIDITY")) {
      f.uid_validity = n;
      validity = n != 0;
    }
  }
  // Only a full answer lets the client skip SELECT; otherwise it opens the folder to learn.
  const bool full = messages && validity;
  if (asked) status_seen = full;
  if (in_list) {
    if (full && f.exists == 0) {
      listed_empty.insert(*name);
    } else {
      listed_empty.erase(*name);
    }
  }
}

void Client::Impl::on_untagged(const Response& r) {
  if (r.status == "BYE") {
    bye_seen = true;
    if (c.state_ == ClientState::Logout) return;  // the expected goodbye (RFC 3501 §6.1.3)
    return fatal("The server ended the session: " + r.text);
  }
  if (c.state_ == ClientState::AwaitGreeting) return greeted(r);
  if (!r.status.empty()) {
    FolderView* f = folder();
    if (r.code == "CAPABILITY") set_capabilities(r.code_args);
    if (f && !r.code_args.empty() && r.code_args[0].kind == Value::Kind::Number &&
        r.code_args[0].number <= UINT32_MAX) {  // 32-bit, as in on_status
      auto n = static_cast<std::uint32_t>(r.code_args[0].number);
      if (r.code == "UIDVALIDITY") f->uid_validity = n;
      if (r.code == "UIDNEXT") f->uid_next = n;
    }
    return;
  }
  if (r.name == "CAPABILITY") return set_capabilities(r.data);
  if (r.name == "STATUS") return on_status(r);
  if (r.name == "LIST") {
    if (r.data.size() < 3 || !r.data[0].is_list()) return;
    auto name = r.data[2].str();
    if (!name) return;
    // Names travel in modified UTF-7 (RFC 3501 §5.1.3); the outcome holds UTF-8. A name that
    // does not decode is kept as sent but not opened: its UTF-8 form is unknown.
    bool decoded = decode_mutf7_in_place(*name);
    if (iequals(*name, "INBOX")) name = "INBOX";  // any case, however it was encoded
    FolderView& f = c.outcome_.folders[*name];
    f.name = *name;
    f.attributes.clear();
    bool selectable = true;
    for (const auto& a : r.data[0].items) {
      f.attributes.push_back(a.text);
      if (iequals(a.text, "\\Noselect") || iequals(a.text, "\\NonExistent")) selectable = false;
    }
    if (listing && selectable && decoded && listed_names.insert(*name).second)
      listed.push_back(*name);
    return;
  }
  FolderView* f = folder();
  if (!f || !r.numbered) return;
  if (r.name == "EXISTS") {
    // The client keeps one UID per message: an absurd count from a broken or hostile server
    // must not make it allocate gigabytes (found by fuzzing: "* 2147483647 EXISTS").
    if (r.number > kMaxMessages)
      return fatal("The server claims " + std::to_string(r.number) +
                   " messages in one folder, more than this client can follow (" +
                   std::to_string(kMaxMessages) + ").");
    f->exists = r.number;
    if (r.number > seq.size()) {
      seq.resize(r.number, 0);
      catchup = true;
    }
    if (idle) idle_change = true;
  } else if (r.name == "EXPUNGE") {
    if (r.number >= 1 && r.number <= seq.size()) {
      std::uint32_t uid = seq[r.number - 1];
      seq.erase(seq.begin() + (r.number - 1));
      if (uid != 0) {
        f->messages.erase(uid);
        f->expunged.push_back(uid);
      }
      f->exists = static_cast<std::uint32_t>(seq.size());
    }
    if (idle) idle_change = true;
  } else if (r.name == "FETCH") {
    on_fetch(r);
    if (idle) idle_change = true;
  }
  if (c.state_ == ClientState::Idling && idle_change) send_done();
}

// "* 3 FETCH (UID 7 FLAGS (\Seen) ...)" (RFC 3501 §7.4.2): what the client learns of a message.
void Client::Impl::on_fetch(const Response& r) {
  FolderView* f = folder();
  if (!f || r.data.empty() || !r.data[0].is_list() || r.number == 0) return;
  const auto& items = r.data[0].items;
  std::uint32_t uid = r.number <= seq.size() ? seq[r.number - 1] : 0;
  for (std::size_t i = 0; i + 1 < items.size(); i += 2)
    if (iequals(items[i].text, "UID") && items[i + 1].kind == Value::Kind::Number)
      uid = static_cast<std::uint32_t>(items[i + 1].number);
  if (uid == 0) return;  // cannot tell which message; a catch-up FETCH will say
  if (r.number > seq.size()) seq.resize(r.number, 0);
  seq[r.number - 1] = uid;
  MessageView& m = f->messages[uid];
  m.uid = uid;
  for (std::size_t i = 0; i + 1 < items.size(); i += 2) {
    std::string name = to_upper(items[i].text);
    const Value& v = items[i + 1];
    if (name == "FLAGS" && v.is_list()) {
      m.flags.clear();
      for (const auto& fl : v.items) m.flags.push_back(fl.text);
    } else if (name == "RFC822.SIZE") {
      m.size = static_cast<std::size_t>(v.number);
    } else if (name == "INTERNALDATE") {
      m.internal_date = v.str().value_or("");
    } else if (name == "ENVELOPE") {
      if (auto e = parse_envelope(v)) {
        m.subject = e->subject.value_or("");
        m.from = e->from.empty() ? std::string() : e->from.front().display();
      }
    } else if (name == "BODY[]" || name == "BODY[]<0>" || name == "RFC822") {
      if (auto s = v.str()) m.data = std::move(*s);
    }
  }
}

}  // namespace net::imap

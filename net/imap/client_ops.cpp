// IMAP client engine: the commands behind each step — greeting, login, the job's ops in
// order (ClientOp), the catch-up FETCH for messages other sessions added, LOGOUT.
#include <algorithm>

#include "net/imap/client_impl.hpp"
#include "net/imap/mutf7.hpp"
#include "net/smtp/sasl.hpp"

namespace net::imap {

std::string uid_set(std::vector<std::uint32_t> uids) {
  std::sort(uids.begin(), uids.end());
  uids.erase(std::unique(uids.begin(), uids.end()), uids.end());
  uids.erase(std::remove(uids.begin(), uids.end(), 0u), uids.end());
  if (uids.empty()) return "1:*";
  std::string out;
  for (std::size_t i = 0; i < uids.size();) {
    std::size_t j = i;
    while (j + 1 < uids.size() && uids[j + 1] == uids[j] + 1) ++j;
    if (!out.empty()) out += ',';
    out += std::to_string(uids[i]);
    if (j > i) out += ":" + std::to_string(uids[j]);
    i = j + 1;
  }
  return out;
}

// RFC 3501 §4: an atom when every character allows it, a quoted string for other short 7-bit
// text, a literal for the rest ("{n+}" when the server offers LITERAL+).
std::string Client::Impl::arg(const std::string& s) const {
  bool atom = !s.empty();
  bool quotable = s.size() < 1000;
  for (char ch : s) {
    auto u = static_cast<unsigned char>(ch);
    if (!is_atom_char(ch)) atom = false;
    if (u == 0 || u == '\r' || u == '\n' || u >= 0x80) quotable = false;
  }
  if (atom) return s;
  if (quotable) {
    std::string q = "\"";
    for (char ch : s) {
      if (ch == '"' || ch == '\\') q += '\\';
      q += ch;
    }
    return q + "\"";
  }
  return "{" + std::to_string(s.size()) + (has("LITERAL+") ? "+" : "") + "}\r\n" + s;
}

Client::Impl::OnDone Client::Impl::expect_ok(std::string what) {
  return [this, what](const Response& r) {
    if (r.status != "OK") problem(what + " failed: " + r.status + " " + r.resp_text);
  };
}

// ---- greeting and login (RFC 3501 §7.1.1, §7.1.4, §6.2) ----

void Client::Impl::greeted(const Response& r) {
  if (r.status != "OK" && r.status != "PREAUTH")
    return fatal("The server's greeting is not OK: " + r.status + " " + r.resp_text);
  if (r.code == "CAPABILITY") set_capabilities(r.code_args);
  auto next = [this, preauth = r.status == "PREAUTH"] {
    if (!preauth) return secure();
    // A PREAUTH greeting in plaintext skips STARTTLS altogether (the downgrade of
    // CVE-2020-12398): a client that requires TLS must not go on (RFC 9051 §7.1.4).
    if (!tls && job.tls == TlsMode::Required)
      return fail(
          "The server greeted with PREAUTH on an unencrypted connection; this client requires "
          "TLS, so it stops.");
    logged_in = true;
    enter(ClientState::Ready);
    advance();
  };
  if (!c.outcome_.capabilities.empty()) return next();
  command(
      "CAPABILITY", "CAPABILITY", "The client asks which features the server supports.",
      "RFC 3501 §6.1.1",
      [this, next](const Response& done) {
        if (done.status != "OK") problem("CAPABILITY failed: " + done.text);
        next();
      },
      ClientState::Capability);
}

void Client::Impl::secure() {
  const bool offered = has("STARTTLS");
  const bool want = job.tls == TlsMode::Required ||
                    (job.tls == TlsMode::Opportunistic && (offered || has("LOGINDISABLED")));
  if (tls || !want) return login();
  if (!offered)
    return fail(
        "The server does not offer STARTTLS, and this client does not send passwords in "
        "plaintext.");
  command(
      "STARTTLS", "STARTTLS",
      "The client asks to switch the connection to TLS before it logs in, so the password is "
      "never sent readable.",
      "RFC 3501 §6.2.1",
      [this](const Response& r) {
        if (r.status != "OK")
          return fail("The server refused STARTTLS: " + r.status + " " + r.resp_text);
        enter(ClientState::Tls);  // the driver runs the handshake
      },
      ClientState::StartTls);
}

void Client::Impl::login() {
  auto done = [this](const Response& r) {
    secrets.clear();
    if (r.status != "OK") return fail("Login failed: " + r.status + " " + r.resp_text);
    logged_in = true;
  };
  // RFC 3501 §6.2.3: no LOGIN then; PLAIN would send the same password readable, so it
  // waits for TLS too unless the server offers it anyway.
  if (!tls && has("LOGINDISABLED") && (job.auth == ClientAuth::Login || !has("AUTH=PLAIN")))
    return fail(
        "The server forbids LOGIN on this connection (LOGINDISABLED); it wants TLS or "
        "AUTHENTICATE first.");
  if (job.auth == ClientAuth::SaslPlain) {
    std::string blob = smtp::encode_plain(job.login, job.password);
    secrets = {blob};
    if (has("SASL-IR")) {
      command("AUTHENTICATE PLAIN " + blob, "AUTHENTICATE",
              "The client logs in with SASL PLAIN, user name and password in base64 on the same "
              "line (SASL-IR; base64 is not encryption!).",
              "RFC 4959 §3", done, ClientState::Login);
    } else {
      command("AUTHENTICATE PLAIN", "AUTHENTICATE",
              "The client starts a SASL PLAIN login; the credentials follow after \"+\".",
              "RFC 3501 §6.2.2", done, ClientState::Login);
    }
    return;
  }
  std::string pw = arg(job.password);
  secrets = {pw, job.password};
  command("LOGIN " + arg(job.login) + " " + pw, "LOGIN",
          "The client logs in with user name and password in clear text (not encrypted!).",
          "RFC 3501 §6.2.3", done, ClientState::Login);
}

void Client::Impl::logout() {
  command("LOGOUT", "LOGOUT", "The client says goodbye; the server answers BYE, then OK.",
          "RFC 3501 §6.1.3", nullptr, ClientState::Logout);
}

// ---- choosing the next command ----

void Client::Impl::advance() {
  if (catchup && !active.empty()) return fetch_new();
  if (!todo.empty()) {
    auto step = std::move(todo.front());
    todo.pop_front();
    return step();
  }
  if (op_index < job.ops.size()) return start_op(job.ops[op_index++]);
  logout();
}

// Messages the client has no UID for (after SELECT, or announced by EXISTS): one UID FETCH
// of everything from the highest known UID on (RFC 3501 §6.4.8).
void Client::Impl::fetch_new() {
  catchup = false;
  std::uint32_t top = 0;
  for (auto u : seq) top = std::max(top, u);
  bool bodies = job.fetch_bodies && op_kind == ClientOp::Kind::SyncAll;
  std::string items = "(UID FLAGS RFC822.SIZE INTERNALDATE ENVELOPE";
  items += bodies ? " BODY.PEEK[])" : ")";
  command("UID FETCH " + std::to_string(top + 1) + ":* " + items, "UID FETCH",
          top == 0 ? "The client asks for the UID, flags, size, date and envelope of every "
                     "message in the folder."
                   : "The client asks about the messages that arrived since it last looked.",
          "RFC 3501 §6.4.5", expect_ok("UID FETCH of new messages"));
}

bool Client::Impl::need_selected(const char* what) {
  if (!active.empty()) return true;
  problem(std::string(what) + " needs a selected folder; the job should SELECT one first.");
  advance();
  return false;
}

void Client::Impl::select(const std::string& mailbox, bool examine) {
  std::string name = iequals(mailbox, "INBOX") ? std::string("INBOX") : mailbox;
  bool known = c.outcome_.folders.count(name) != 0;
  FolderView& f = c.outcome_.folders[name];
  f.name = name;
  f.messages.clear();  // a fresh view: FETCH fills it again
  f.exists = 0;
  active = name;
  read_only = examine;
  seq.clear();
  catchup = false;
  const char* cmd = examine ? "EXAMINE" : "SELECT";
  command(std::string(cmd) + " " + arg(encode_mutf7(mailbox)), cmd,
          examine ? "The client opens the folder read-only, to look without changing flags."
                  : "The client opens the folder; the server reports how many messages it holds.",
          examine ? "RFC 3501 §6.3.2" : "RFC 3501 §6.3.1",
          [this, name, known, cmd](const Response& r) {
            if (r.status == "OK") {
              catchup = !seq.empty();
              return;
            }
            problem(std::string(cmd) + " " + name + " failed: " + r.status + " " + r.resp_text);
            active.clear();  // a failed SELECT leaves no folder selected (RFC 3501 §6.3.1)
            seq.clear();
            if (!known) c.outcome_.folders.erase(name);
          });
}

// RFC 3501 §6.3.10: STATUS reads a folder's counters without opening it, as mail clients do
// for the folders not on screen. An empty folder needs nothing more: its view is complete
// (counters, no messages). One with messages, or a server that did not say, is opened and
// fetched like INBOX.
void Client::Impl::peek(const std::string& mailbox) {
  if (opened_always(mailbox)) return select(mailbox, false);
  status_of = mailbox;
  status_seen = false;
  FolderView& f = c.outcome_.folders[mailbox];
  f.name = mailbox;
  f.uid_validity = f.uid_next = f.exists = 0;  // filled by the answer's "* STATUS"
  command("STATUS " + arg(encode_mutf7(mailbox)) + " (MESSAGES UIDNEXT UIDVALIDITY)", "STATUS",
          "The client asks how many messages a folder holds, without opening it.",
          "RFC 3501 §6.3.10", [this, mailbox](const Response& r) {
            status_of.clear();
            FolderView& view = c.outcome_.folders[mailbox];
            if (r.status == "OK" && status_seen && view.exists == 0 && view.uid_validity != 0) {
              view.messages.clear();  // the server holds none of them any more
              return;
            }
            todo.push_front([this, mailbox] { select(mailbox, false); });
          });
}

void Client::Impl::list_all(bool with_status) {
  listing = true;
  listed.clear();
  listed_names.clear();
  listed_empty.clear();
  auto on_list = [this, with_status](const Response& r) {
    listing = false;
    if (r.status == "BAD" && with_status)  // offered but refused: the plain LIST
      return todo.push_front([this] { list_all(false); });
    if (r.status != "OK") return problem("LIST failed: " + r.status + " " + r.resp_text);
    for (const auto& name : listed) {
      if (!with_status) {
        todo.push_back([this, name] { peek(name); });
      } else if (!opened_always(name) && listed_empty.count(name)) {
        c.outcome_.folders[name].messages.clear();  // the server holds none any more
      } else {
        todo.push_back([this, name] { select(name, false); });
      }
    }
  };
  if (with_status) {
    // LIST-STATUS (RFC 5819): every folder's counters come with the list, in one round
    // trip, instead of one STATUS per folder.
    command("LIST \"\" \"*\" RETURN (STATUS (MESSAGES UIDNEXT UIDVALIDITY))", "LIST",
            "The client asks for the names of all folders and, in the same answer, how many "
            "messages each holds.",
            "RFC 5819 §2", std::move(on_list));
  } else {
    command("LIST \"\" \"*\"", "LIST", "The client asks for the names of all folders.",
            "RFC 3501 §6.3.8", std::move(on_list));
  }
}

void Client::Impl::start_op(const ClientOp& op) {
  op_kind = op.kind;
  using K = ClientOp::Kind;
  switch (op.kind) {
    case K::SyncAll:
      return list_all(has("LIST-STATUS"));
    case K::Select:
    case K::Examine:
      return select(op.mailbox, op.kind == K::Examine);
    case K::FetchBody: {
      if (!need_selected("FETCH")) return;
      std::vector<std::uint32_t> uids = op.uids;
      bool peek = op.peek || read_only;
      command("UID FETCH " + uid_set(uids) + (peek ? " BODY.PEEK[]" : " BODY[]"), "UID FETCH",
              peek ? "The client downloads the messages without marking them as read."
                   : "The client downloads the messages; this marks them as read (\\Seen).",
              "RFC 3501 §6.4.5", [this, uids, peek](const Response& r) {
                if (r.status != "OK")
                  return problem("UID FETCH failed: " + r.status + " " + r.resp_text);
                FolderView* f = folder();
                if (!f || peek) return;
                for (auto& [uid, m] : f->messages) {
                  bool asked = uids.empty() || std::count(uids.begin(), uids.end(), uid);
                  if (asked && m.data &&
                      std::find(m.flags.begin(), m.flags.end(), "\\Seen") == m.flags.end())
                    m.flags.push_back("\\Seen");  // RFC 3501 §6.4.5: BODY[] sets \Seen
                }
              });
      return;
    }
    case K::Store: {
      if (!need_selected("STORE")) return;
      std::string flags;
      for (const auto& fl : op.flags) flags += (flags.empty() ? "" : " ") + fl;
      command("UID STORE " + uid_set(op.uids) + " " + op.store_mode + " (" + flags + ")",
              "UID STORE", "The client changes the flags of messages (" + op.store_mode + ").",
              "RFC 3501 §6.4.6", expect_ok("UID STORE"));
      return;
    }
    case K::Move:
      if (!need_selected("MOVE")) return;
      return move(op);
    case K::Expunge: {
      if (!need_selected("EXPUNGE")) return;
      if (!op.uids.empty() && has("UIDPLUS")) {
        command("UID EXPUNGE " + uid_set(op.uids), "UID EXPUNGE",
                "The client removes only these messages flagged \\Deleted.", "RFC 4315 §2.1",
                expect_ok("UID EXPUNGE"));
      } else {
        command("EXPUNGE", "EXPUNGE",
                "The client permanently removes every message flagged \\Deleted.",
                "RFC 3501 §6.4.3", expect_ok("EXPUNGE"));
      }
      return;
    }
    case K::Append: {
      std::string flags;
      for (const auto& fl : op.flags) flags += (flags.empty() ? "" : " ") + fl;
      std::string lit =
          "{" + std::to_string(op.data.size()) + (has("LITERAL+") ? "+" : "") + "}\r\n" + op.data;
      command("APPEND " + arg(encode_mutf7(op.mailbox)) +
                  (op.flags.empty() ? "" : " (" + flags + ")") + " " + lit,
              "APPEND", "The client uploads a message into the folder " + op.mailbox + ".",
              "RFC 3501 §6.3.11", [this](const Response& r) {
                std::uint32_t uid = 0;
                if (r.status != "OK") {
                  problem("APPEND failed: " + r.status + " " + r.resp_text);
                } else if (r.code == "APPENDUID" && r.code_args.size() >= 2) {
                  uid = static_cast<std::uint32_t>(r.code_args[1].number);
                }
                c.outcome_.appended_uids.push_back(uid);
              });
      return;
    }
    case K::Create: {
      std::string name = op.mailbox;
      command("CREATE " + arg(encode_mutf7(name)), "CREATE",
              "The client creates the folder " + name + ".", "RFC 3501 §6.3.3",
              [this, name](const Response& r) {
                if (r.status != "OK")
                  return problem("CREATE " + name + " failed: " + r.status + " " + r.resp_text);
                c.outcome_.folders[name].name = name;
              });
      return;
    }
    case K::Idle:
      return idle_start();
    case K::Noop:
      command("NOOP", "NOOP",
              "The client does nothing, giving the server a chance to report "
              "changes.",
              "RFC 3501 §6.1.2", expect_ok("NOOP"));
      return;
  }
}

// MOVE (RFC 6851 §3.1) when offered; else COPY, +FLAGS.SILENT \Deleted and an expunge of just
// those messages (UID EXPUNGE, RFC 4315) or of every \Deleted one.
void Client::Impl::move(const ClientOp& op) {
  std::string set = uid_set(op.uids);
  std::string to = arg(encode_mutf7(op.mailbox));
  if (has("MOVE")) {
    command("UID MOVE " + set + " " + to, "UID MOVE",
            "The client moves messages to " + op.mailbox + " in one step.", "RFC 6851 §3.1",
            expect_ok("UID MOVE"));
    return;
  }
  bool uidplus = has("UIDPLUS") && !op.uids.empty();
  command("UID COPY " + set + " " + to, "UID COPY",
          "The client copies messages to " + op.mailbox + " (the server has no MOVE).",
          "RFC 3501 §6.4.7", [this, set, uidplus](const Response& r) {
            if (r.status != "OK")
              return problem("UID COPY failed: " + r.status + " " + r.resp_text);
            todo.push_front([this, set, uidplus] {
              command(uidplus ? "UID EXPUNGE " + set : std::string("EXPUNGE"),
                      uidplus ? "UID EXPUNGE" : "EXPUNGE",
                      "The client removes the originals it has just copied.",
                      uidplus ? "RFC 4315 §2.1" : "RFC 3501 §6.4.3", expect_ok("EXPUNGE"));
            });
            command("UID STORE " + set + " +FLAGS.SILENT (\\Deleted)", "UID STORE",
                    "The client flags the originals \\Deleted.", "RFC 3501 §6.4.6",
                    [this](const Response& s) {
                      if (s.status == "OK") return;
                      todo.pop_front();  // do not expunge what was not flagged
                      problem("UID STORE failed: " + s.status + " " + s.resp_text);
                    });
          });
}

void Client::Impl::idle_start() {
  if (!has("IDLE")) {
    problem("The server does not offer IDLE (RFC 2177); the client asks with NOOP instead.");
    command("NOOP", "NOOP", "The client asks the server to report changes.", "RFC 3501 §6.1.2",
            expect_ok("NOOP"));
    return;
  }
  idle = true;
  idle_done_sent = false;
  idle_change = false;
  command("IDLE", "IDLE",
          "The client asks the server to push changes as they happen, until it sends DONE.",
          "RFC 2177 §3", [this](const Response& r) {
            idle = false;
            idle_stop = false;
            if (r.status != "OK") problem("IDLE failed: " + r.status + " " + r.resp_text);
          });
}

}  // namespace net::imap

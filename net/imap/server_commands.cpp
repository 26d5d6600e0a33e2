// The IMAP command table, the dispatcher and the session-level commands:
// CAPABILITY, NOOP, LOGOUT, LOGIN, AUTHENTICATE, ENABLE, ID, IDLE, CHECK, CLOSE,
// UNSELECT, EXPUNGE and UID (RFC 3501 §6.1-§6.4).
#include "net/imap/response.hpp"
#include "net/imap/server.hpp"
#include "net/smtp/sasl.hpp"
#include "net/store/mailstore.hpp"

namespace net::imap {

struct Server::Entry {
  CommandInfo info;
  void (Server::*handler)(const std::string& tag, Cursor& a);
};

namespace {

using S = State;
const std::vector<S> kAny = {S::NotAuthenticated, S::Authenticated, S::Selected};
const std::vector<S> kPre = {S::NotAuthenticated};
const std::vector<S> kAuth = {S::Authenticated, S::Selected};
const std::vector<S> kSel = {S::Selected};

const char* state_need(const std::vector<S>& allowed, S now) {
  if (allowed == kPre) return "is only allowed before logging in";
  if (now == S::NotAuthenticated) return "needs a login first";
  if (allowed == kSel) return "needs a selected mailbox (SELECT or EXAMINE first)";
  if (allowed.size() == 1 && allowed[0] == S::Authenticated)
    return "is only allowed when no mailbox is selected";
  return "is not allowed now";
}

}  // namespace

const Server::Entry* Server::find(std::string_view verb) {
  static const std::vector<Entry> table = {
      {{"CAPABILITY", "CAPABILITY", "The client asks which IMAP features the server supports.",
        "RFC 3501 §6.1.1", kAny},
       &Server::cmd_capability},
      {{"NOOP", "NOOP",
        "The client does nothing but gives the server a chance to report news (new mail, "
        "flag changes).",
        "RFC 3501 §6.1.2", kAny},
       &Server::cmd_noop},
      {{"LOGOUT", "LOGOUT", "The client says goodbye; the server answers BYE and closes.",
        "RFC 3501 §6.1.3", kAny},
       &Server::cmd_logout},
      {{"ID", "ID (\"name\" \"value\" ...) | ID NIL",
        "Client and server tell each other their software names (for statistics and bug "
        "reports).",
        "RFC 2971 §3.1", kAny},
       &Server::cmd_id},
      {{"STARTTLS", "STARTTLS",
        "The client asks to switch this connection to TLS: after the OK both sides run a TLS "
        "handshake and everything that follows is encrypted.",
        "RFC 3501 §6.2.1", kPre},
       &Server::cmd_starttls},
      {{"LOGIN", "LOGIN user password",
        "The client logs in with user name and password in plain text (not encrypted!).",
        "RFC 3501 §6.2.3", kPre},
       &Server::cmd_login},
      {{"AUTHENTICATE", "AUTHENTICATE PLAIN [initial-response]",
        "The client logs in with SASL; PLAIN carries user name and password in base64, which "
        "is an encoding, not encryption.",
        "RFC 3501 §6.2.2", kPre},
       &Server::cmd_authenticate},
      {{"ENABLE",
        "ENABLE capability ...",
        "The client switches on optional extensions it knows how to use.",
        "RFC 5161 §3.1",
        {S::Authenticated}},
       &Server::cmd_enable},
      {{"SELECT", "SELECT mailbox",
        "The client opens a mailbox (folder) to read and change its messages.", "RFC 3501 §6.3.1",
        kAuth},
       &Server::cmd_select},
      {{"EXAMINE", "EXAMINE mailbox",
        "The client opens a mailbox read-only: nothing in it can change, not even the \\Seen "
        "flag.",
        "RFC 3501 §6.3.2", kAuth},
       &Server::cmd_examine},
      {{"CREATE", "CREATE mailbox", "The client creates a new mailbox (folder).", "RFC 3501 §6.3.3",
        kAuth},
       &Server::cmd_create},
      {{"DELETE", "DELETE mailbox", "The client deletes a mailbox and every message in it.",
        "RFC 3501 §6.3.4", kAuth},
       &Server::cmd_delete},
      {{"RENAME", "RENAME old-name new-name", "The client renames a mailbox.", "RFC 3501 §6.3.5",
        kAuth},
       &Server::cmd_rename},
      {{"SUBSCRIBE", "SUBSCRIBE mailbox",
        "The client marks a mailbox as one it wants to see in its folder list.", "RFC 3501 §6.3.6",
        kAuth},
       &Server::cmd_subscribe},
      {{"UNSUBSCRIBE", "UNSUBSCRIBE mailbox",
        "The client removes a mailbox from its list of subscribed folders.", "RFC 3501 §6.3.7",
        kAuth},
       &Server::cmd_unsubscribe},
      {{"LIST", "LIST [(SUBSCRIBED ...)] reference pattern [RETURN (STATUS (MESSAGES ...))]",
        "The client asks for the mailboxes whose names match a pattern (* any, % one level); "
        "options choose subscribed or special-use ones and ask for each one's counters.",
        "RFC 3501 §6.3.8, RFC 5258, RFC 5819", kAuth},
       &Server::cmd_list},
      {{"NAMESPACE", "NAMESPACE",
        "The client asks where personal, other users' and shared mailboxes live and which "
        "character separates folder levels.",
        "RFC 2342 §5", kAuth},
       &Server::cmd_namespace},
      {{"LSUB", "LSUB reference pattern",
        "The client asks for the subscribed mailboxes matching a pattern.", "RFC 3501 §6.3.9",
        kAuth},
       &Server::cmd_lsub},
      {{"STATUS", "STATUS mailbox (MESSAGES UNSEEN UIDNEXT UIDVALIDITY RECENT)",
        "The client asks for counters of a mailbox without opening it.", "RFC 3501 §6.3.10", kAuth},
       &Server::cmd_status},
      {{"APPEND", "APPEND mailbox [(flags)] [\"date-time\"] {size}",
        "The client uploads a whole message into a mailbox (for example a copy of what it "
        "sent into Sent).",
        "RFC 3501 §6.3.11", kAuth},
       &Server::cmd_append},
      {{"IDLE", "IDLE ... DONE",
        "The client waits for news; the server pushes new mail and changes at once until the "
        "client says DONE.",
        "RFC 2177 §3", kAuth},
       &Server::cmd_idle},
      {{"CHECK", "CHECK", "The client asks the server to save the mailbox's state to disk.",
        "RFC 3501 §6.4.1", kSel},
       &Server::cmd_check},
      {{"CLOSE", "CLOSE",
        "The client closes the mailbox; messages marked \\Deleted are removed for good, "
        "silently.",
        "RFC 3501 §6.4.2", kSel},
       &Server::cmd_close},
      {{"UNSELECT", "UNSELECT",
        "The client closes the mailbox without removing messages marked \\Deleted.", "RFC 3691 §2",
        kSel},
       &Server::cmd_unselect},
      {{"EXPUNGE", "EXPUNGE", "The client removes every message marked \\Deleted for good.",
        "RFC 3501 §6.4.3", kSel},
       &Server::cmd_expunge},
      {{"SEARCH", "SEARCH [CHARSET x] criteria",
        "The client asks which messages match some criteria (unread, from someone, ...).",
        "RFC 3501 §6.4.4", kSel},
       &Server::cmd_search},
      {{"FETCH", "FETCH sequence-set items",
        "The client downloads parts of messages: flags, size, header, body...", "RFC 3501 §6.4.5",
        kSel},
       &Server::cmd_fetch},
      {{"STORE", "STORE sequence-set (+|-)FLAGS[.SILENT] (flags)",
        "The client changes the flags of messages (read, flagged, deleted...).", "RFC 3501 §6.4.6",
        kSel},
       &Server::cmd_store},
      {{"COPY", "COPY sequence-set mailbox", "The client copies messages into another mailbox.",
        "RFC 3501 §6.4.7", kSel},
       &Server::cmd_copy},
      {{"MOVE", "MOVE sequence-set mailbox", "The client moves messages into another mailbox.",
        "RFC 6851 §3.1", kSel},
       &Server::cmd_move},
      {{"UID", "UID FETCH|STORE|COPY|MOVE|SEARCH|EXPUNGE ...",
        "The same command, but naming messages by their permanent UID instead of their "
        "position.",
        "RFC 3501 §6.4.8", kSel},
       &Server::cmd_uid},
  };
  for (const auto& e : table)
    if (verb == e.info.verb) return &e;
  return nullptr;
}

const std::vector<CommandInfo>& Server::commands() {
  static const std::vector<CommandInfo> infos = [] {
    std::vector<CommandInfo> v;
    for (const char* verb :
         {"CAPABILITY",  "NOOP",   "LOGOUT",    "ID",      "STARTTLS", "LOGIN",  "AUTHENTICATE",
          "ENABLE",      "SELECT", "EXAMINE",   "CREATE",  "DELETE",   "RENAME", "SUBSCRIBE",
          "UNSUBSCRIBE", "LIST",   "NAMESPACE", "LSUB",    "STATUS",   "APPEND", "IDLE",
          "CHECK",       "CLOSE",  "UNSELECT",  "EXPUNGE", "SEARCH",   "FETCH",  "STORE",
          "COPY",        "MOVE",   "UID"})
      v.push_back(find(verb)->info);
    return v;
  }();
  return infos;
}

void Server::on_command(const ReadResult& r) {
  Cursor c(r.text);
  auto tag = c.atom();
  if (!tag || tag->find('+') != std::string::npos || !c.sp()) {
    parsed(r.segments, "", "Not a command: every command starts with a tag.", "RFC 3501 §2.2.1");
    bad("Missing or invalid tag");
    finish("*");
    return;
  }
  auto verb_raw = c.atom();
  std::string verb = verb_raw ? to_upper(*verb_raw) : "";
  const Entry* e = find(verb);

  // Credentials in the command line are marked secret for the trace.
  std::string secret;
  if (verb == "LOGIN") {
    Cursor s = c;
    if (s.sp() && s.astring() && s.sp()) {
      size_t p = s.pos();
      if (s.astring()) {
        secret = r.text.substr(p, s.pos() - p);
        if (!secret.empty() && secret.front() == '{') secret = secret.substr(secret.find('\n') + 1);
      }
    }
  } else if (verb == "AUTHENTICATE") {
    Cursor s = c;
    if (s.sp() && s.atom() && s.sp()) secret = std::string(s.rest());
  }
  parsed(r.segments, verb, e ? e->info.help : "A command the server does not know.",
         e ? e->info.rfc : "RFC 3501 §6", secret);

  if (!e) {
    bad(verb.empty() ? "Missing command" : "Unknown command " + verb);
    finish(*tag);
    return;
  }
  bool allowed = false;
  for (auto s : e->info.allowed) allowed = allowed || s == state_;
  if (!allowed) {
    bad(verb + " " + state_need(e->info.allowed, state_));
    finish(*tag);
    return;
  }
  allow_expunge_now_ = true;
  (this->*e->handler)(*tag, c);
  if (result_) {
    if (!close_) flush_updates(allow_expunge_now_);
    finish(*tag);
  }
  allow_expunge_now_ = true;
}

// ---- any state (RFC 3501 §6.1) ----

void Server::cmd_capability(const std::string&, Cursor& a) {
  if (!a.at_end()) return bad("CAPABILITY takes no arguments");
  untagged("* CAPABILITY " + capabilities(),
           "The server lists the IMAP features and login methods it supports.", "RFC 3501 §7.2.1");
  ok("CAPABILITY completed");
}

void Server::cmd_noop(const std::string&, Cursor& a) {
  if (!a.at_end()) return bad("NOOP takes no arguments");
  ok("NOOP completed");
}

void Server::cmd_logout(const std::string&, Cursor& a) {
  if (!a.at_end()) return bad("LOGOUT takes no arguments");
  untagged("* BYE " + cfg_.hostname + " logging out",
           "The server says goodbye before closing the connection.", "RFC 3501 §7.1.5");
  unselect();
  enter_state(State::Logout);
  close_ = true;
  ok("LOGOUT completed");
}

void Server::cmd_id(const std::string&, Cursor& a) {
  // ID ( "key" "value" ... ) or ID NIL: the client's fields are only read (RFC 2971 §3.1).
  if (!a.sp()) return bad("Syntax: ID (\"name\" \"value\" ...) or ID NIL");
  if (auto nil = a.atom(); nil) {
    if (!iequals(*nil, "NIL")) return bad("Syntax: ID (\"name\" \"value\" ...) or ID NIL");
  } else {
    if (!a.eat('(')) return bad("Syntax: ID (\"name\" \"value\" ...) or ID NIL");
    int n = 0;
    while (!a.eat(')')) {
      if (n > 0 && !a.sp()) return bad("Syntax: ID (\"name\" \"value\" ...) or ID NIL");
      if (!a.string()) {
        auto v = a.atom();
        if (!v || !iequals(*v, "NIL") || n % 2 == 0)
          return bad("Syntax: ID (\"name\" \"value\" ...) or ID NIL");
      }
      ++n;
    }
    if (n % 2) return bad("ID needs name/value pairs");
  }
  if (!a.at_end()) return bad("Unexpected text after ID");
  untagged("* ID (\"name\" \"mailsim\" \"version\" \"0.1\")",
           "The server tells the client its software name and version.", "RFC 2971 §3.2");
  ok("ID completed");
}

// ---- not authenticated (RFC 3501 §6.2) ----

void Server::cmd_starttls(const std::string&, Cursor& a) {
  if (!a.at_end()) return bad("STARTTLS takes no arguments");
  if (tls_) return bad("TLS is already active");
  if (!cfg_.starttls) return bad("STARTTLS is not available: this server offers no TLS here");
  tls_wait_ = true;
  ok("Begin TLS negotiation now");
}

// RFC 8314 §5 / RFC 5530 §3: no password crosses the network before TLS. The text is
// Dovecot's.
bool Server::refuse_plaintext_login() {
  if (tls_ || !cfg_.auth_needs_tls) return false;
  no("[PRIVACYREQUIRED] Plaintext authentication disallowed on non-secure (SSL/TLS) "
     "connections.");
  return true;
}

void Server::cmd_login(const std::string& tag, Cursor& a) {
  if (refuse_plaintext_login()) return;
  std::optional<std::string> user, pass;
  if (!a.sp() || !(user = a.astring()) || !a.sp() || !(pass = a.astring()) || !a.at_end())
    return bad("Syntax: LOGIN user password");
  hold_if_penalized();
  if (auto who = store_.authenticate(*user, *pass)) return login_as(*who, tag, "LOGIN");
  ++failed_logins_;
  no("[AUTHENTICATIONFAILED] Invalid credentials");
}

void Server::cmd_authenticate(const std::string& tag, Cursor& a) {
  if (refuse_plaintext_login()) return;
  std::optional<std::string> mech;
  if (!a.sp() || !(mech = a.atom())) return bad("Syntax: AUTHENTICATE PLAIN [initial-response]");
  if (!iequals(*mech, "PLAIN")) return no("Unsupported authentication mechanism " + *mech);
  if (a.at_end()) {
    // No initial response: an empty challenge "+ " (RFC 3501 §7.5, RFC 4616 §2).
    auth_tag_ = tag;
    write("+ ", "+", "The server waits for the client's base64 credentials.", "RFC 3501 §6.2.2");
    return;
  }
  std::optional<std::string> ir;
  if (!a.sp() || !(ir = a.atom()) || !a.at_end())
    return bad("Syntax: AUTHENTICATE PLAIN [initial-response]");
  // SASL-IR (RFC 4959 §3): "=" stands for an empty initial response.
  auto decoded = smtp::base64_decode(*ir == "=" ? "" : *ir);
  auto creds = decoded ? smtp::decode_plain(*decoded) : std::nullopt;
  if (!creds) return bad("Invalid SASL PLAIN response");
  hold_if_penalized();
  if (!creds->authzid.empty() && creds->authzid != creds->authcid) {
    ++failed_logins_;
    return no("[AUTHORIZATIONFAILED] Cannot log in as another user");
  }
  if (auto who = store_.authenticate(creds->authcid, creds->password))
    return login_as(*who, tag, "AUTHENTICATE PLAIN");
  ++failed_logins_;
  no("[AUTHENTICATIONFAILED] Invalid credentials");
}

void Server::cmd_enable(const std::string&, Cursor& a) {
  if (!a.sp()) return bad("Syntax: ENABLE capability ...");
  // No extension that ENABLE could switch on is supported: report none (RFC 5161 §3.1).
  while (true) {
    if (!a.atom()) return bad("Syntax: ENABLE capability ...");
    if (a.at_end()) break;
    if (!a.sp()) return bad("Syntax: ENABLE capability ...");
  }
  untagged("* ENABLED", "The server lists the extensions it switched on (none here).",
           "RFC 5161 §3.2");
  ok("ENABLE completed");
}

// ---- IDLE (RFC 2177) ----

void Server::cmd_idle(const std::string& tag, Cursor& a) {
  if (!a.at_end()) return bad("IDLE takes no arguments");
  flush_updates(true);
  idle_tag_ = tag;
  write("+ idling", "+",
        "The server confirms it will now push news at once, until the client sends DONE.",
        "RFC 2177 §3");
}

// ---- selected state (RFC 3501 §6.4) ----

void Server::cmd_check(const std::string&, Cursor& a) {
  if (!a.at_end()) return bad("CHECK takes no arguments");
  ok("CHECK completed");
}

void Server::cmd_close(const std::string&, Cursor& a) {
  if (!a.at_end()) return bad("CLOSE takes no arguments");
  // Deleted messages are removed without untagged EXPUNGE responses (RFC 3501 §6.4.2).
  std::size_t failed = 0;
  if (!read_only_) store_.expunge(user_, selected_, nullptr, &failed);
  if (failed > 0) {
    // serve --maildir: some files could not be removed. RFC 3501 §6.4.2 and RFC 9051 §6.4.1
    // list only OK and BAD for CLOSE, but a tagged OK would claim the \Deleted messages are
    // gone. A tagged NO is an unsuccessful command (RFC 3501 §7.1.2), so the session stays
    // selected: the EXPUNGEs of the messages that did go are sent before the NO (the view
    // stays right), the others stay \Deleted for a later EXPUNGE or CLOSE, and UNAVAILABLE
    // (RFC 5530 §3) says it is the disk. (Dovecot instead sends an untagged NO and a tagged OK,
    // which a client that reads only the tagged result takes as success.)
    return no("[UNAVAILABLE] CLOSE failed: " + std::to_string(failed) +
              " deleted message(s) could not be removed; the mailbox stays selected");
  }
  unselect();
  ok("CLOSE completed");
}

void Server::cmd_unselect(const std::string&, Cursor& a) {
  if (!a.at_end()) return bad("UNSELECT takes no arguments");
  unselect();
  ok("UNSELECT completed");
}

void Server::cmd_expunge(const std::string&, Cursor& a) {
  if (!a.at_end()) return bad("EXPUNGE takes no arguments");
  do_expunge(nullptr);
}

void Server::do_expunge(const std::set<uint32_t>* only) {
  if (read_only_) return no("[READ-ONLY] Mailbox is read-only");
  std::size_t failed = 0;
  store_.expunge(user_, selected_, only, &failed);
  // RFC 5530 §3: UNAVAILABLE; the messages whose file could not be removed stay (\Deleted).
  if (failed > 0)
    return no("[UNAVAILABLE] EXPUNGE failed for " + std::to_string(failed) +
              " message(s): their files could not be removed; they stay in the mailbox");
  ok("EXPUNGE completed");
}

void Server::cmd_uid(const std::string& tag, Cursor& a) {
  std::optional<std::string> sub;
  if (!a.sp() || !(sub = a.atom())) return bad("Syntax: UID FETCH|STORE|COPY|MOVE|SEARCH|EXPUNGE");
  std::string s = to_upper(*sub);
  if (s == "FETCH") return do_fetch(tag, a, true);
  if (s == "STORE") return do_store(a, true);
  if (s == "COPY") return do_copy(a, true, false);
  if (s == "MOVE") return do_copy(a, true, true);
  if (s == "SEARCH") return do_search(a, true);
  if (s == "EXPUNGE") {
    // UIDPLUS (RFC 4315 §2.1): only the named messages that are marked \Deleted.
    std::optional<SequenceSet> set;
    if (!a.sp() || !(set = a.sequence_set()) || !a.at_end())
      return bad("Syntax: UID EXPUNGE uid-set");
    auto uids = resolve(*set, true);
    std::set<uint32_t> only(uids.begin(), uids.end());
    return do_expunge(&only);
  }
  bad("Unknown UID command " + s);
}

}  // namespace net::imap

// The POP3 server's command table and command handlers (RFC 1939 §4-§7, RFC 2449 §5,
// RFC 5034 §4, RFC 2595 §4).
#include "net/line_buffer.hpp"
#include "net/pop3/apop.hpp"
#include "net/pop3/server.hpp"
#include "net/smtp/sasl.hpp"
#include "net/store/mailstore.hpp"

namespace net::pop3 {

struct Server::Entry {
  CommandInfo info;
  void (Server::*handler)(std::string_view args);
};

namespace {

using S = ServerState;

std::string to_upper(std::string_view s) {
  std::string o(s);
  for (char& c : o)
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  return o;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Splits arguments on runs of spaces.
std::vector<std::string_view> split_args(std::string_view s) {
  std::vector<std::string_view> out;
  s = trim(s);
  while (!s.empty()) {
    std::size_t sp = s.find(' ');
    out.push_back(s.substr(0, sp));
    if (sp == std::string_view::npos) break;
    s = trim(s.substr(sp + 1));
  }
  return out;
}

const std::vector<S> kAuth = {S::Authorization};
const std::vector<S> kTrans = {S::Transaction};
const std::vector<S> kBoth = {S::Authorization, S::Transaction};

}  // namespace

const Server::Entry* Server::find(std::string_view verb) {
  static const std::vector<Entry> table = {
      {{"USER", "USER <name>", "The client gives the user name of the mailbox it wants to open.",
        "RFC 1939 §7", kAuth},
       &Server::cmd_user},
      {{"PASS", "PASS <password>",
        "The client gives the password for that user, in clear text (not encrypted!).",
        "RFC 1939 §7", kAuth},
       &Server::cmd_pass},
      {{"APOP", "APOP <name> <digest>",
        "The client logs in without sending the password: it sends the MD5 digest of the "
        "greeting's timestamp followed by the password.",
        "RFC 1939 §7", kAuth},
       &Server::cmd_apop},
      {{"AUTH", "AUTH [PLAIN [initial-response]]",
        "The client logs in with SASL (PLAIN: user name and password in base64, which is an "
        "encoding, not encryption); AUTH alone lists the mechanisms.",
        "RFC 5034 §4", kAuth},
       &Server::cmd_auth},
      {{"CAPA", "CAPA", "The client asks which optional features the server supports.",
        "RFC 2449 §5", kBoth},
       &Server::cmd_capa},
      {{"STLS", "STLS",
        "The client asks to switch this connection to TLS: after the +OK both sides run a TLS "
        "handshake and everything that follows is encrypted.",
        "RFC 2595 §4", kAuth},
       &Server::cmd_stls},
      {{"STAT", "STAT", "The client asks how many messages there are and their total size.",
        "RFC 1939 §5", kTrans},
       &Server::cmd_stat},
      {{"LIST", "LIST [msg]", "The client asks for the size of every message (or of one).",
        "RFC 1939 §5", kTrans},
       &Server::cmd_list},
      {{"RETR", "RETR <msg>", "The client downloads one whole message.", "RFC 1939 §5", kTrans},
       &Server::cmd_retr},
      {{"DELE", "DELE <msg>",
        "The client marks one message for deletion; it is really removed only after QUIT.",
        "RFC 1939 §5", kTrans},
       &Server::cmd_dele},
      {{"NOOP", "NOOP", "The client checks that the connection is alive; the server does nothing.",
        "RFC 1939 §5", kTrans},
       &Server::cmd_noop},
      {{"RSET", "RSET", "The client takes back every deletion mark of this session.", "RFC 1939 §5",
        kTrans},
       &Server::cmd_rset},
      {{"TOP", "TOP <msg> <lines>",
        "The client downloads only the header of a message and the first lines of its body.",
        "RFC 1939 §7", kTrans},
       &Server::cmd_top},
      {{"UIDL", "UIDL [msg]",
        "The client asks for the unique id of every message (or of one), which stays the same "
        "across sessions, so it can tell which messages it already has.",
        "RFC 1939 §7", kTrans},
       &Server::cmd_uidl},
      {{"QUIT", "QUIT",
        "The client says goodbye; after login this also removes the messages marked for "
        "deletion (the UPDATE state).",
        "RFC 1939 §6", kBoth},
       &Server::cmd_quit},
  };
  for (const auto& e : table)
    if (verb == e.info.verb) return &e;
  return nullptr;
}

const std::vector<CommandInfo>& Server::commands() {
  static const std::vector<CommandInfo> infos = [] {
    std::vector<CommandInfo> v;
    for (const char* verb : {"USER", "PASS", "APOP", "AUTH", "CAPA", "STLS", "STAT", "LIST", "RETR",
                             "DELE", "NOOP", "RSET", "TOP", "UIDL", "QUIT"})
      v.push_back(find(verb)->info);
    return v;
  }();
  return infos;
}

void Server::on_command(const Line& line) {
  const std::string& t = line.text;
  std::size_t sp = t.find(' ');
  std::string verb = to_upper(std::string_view(t).substr(0, sp));
  std::string_view args =
      sp == std::string::npos ? std::string_view() : std::string_view(t).substr(sp + 1);
  const Entry* e = line.too_long ? nullptr : find(verb);

  std::string_view secret;
  if (verb == "PASS") {
    secret = args;  // RFC 1939 §7: the password may contain spaces
  } else if (verb == "AUTH") {
    auto a = split_args(args);
    if (a.size() >= 2) secret = a[1];
  }
  std::string_view meaning = e ? e->info.help : "";
  if (line.too_long)
    meaning = "A command line longer than the server allows.";
  else if (!e)
    meaning = "A command the server does not know.";
  parsed(t, verb, meaning, e ? e->info.rfc : (line.too_long ? "RFC 2449 §4" : "RFC 1939 §3"),
         secret);

  if (line.too_long) {
    bad("Command line too long (limit " + std::to_string(cfg_.max_line) + " octets)",
        "The command line was longer than allowed; the server ignores it.", "RFC 2449 §4");
    return;
  }
  if (!e) {
    bad("Unknown command: " + verb.substr(0, 40), "The server does not know this command.",
        "RFC 1939 §3");
    return;
  }
  bool allowed = false;
  for (auto s : e->info.allowed) allowed = allowed || s == state_;
  if (!allowed) {
    bad(verb + (state_ == S::Authorization ? " is not allowed before login"
                                           : " is only allowed before login"),
        "This command is not allowed in the session's current state.", "RFC 1939 §3");
    return;
  }
  (this->*e->handler)(args);
}

// ---- AUTHORIZATION ----

// RFC 2595 §2.1 / RFC 8314 §5: no password crosses the network before TLS. The text is
// Dovecot's; [AUTH] (RFC 3206 §4) tells the client that retrying the same way will not help.
bool Server::refuse_plaintext_login() {
  if (!cfg_.auth_needs_tls || tls_) return false;
  user_.clear();
  bad("[AUTH] Plaintext authentication disallowed on non-secure (SSL/TLS) connections.",
      "This server takes logins only over TLS: the client must send STLS first (or connect to "
      "port 995).",
      "RFC 2595 §2.1, RFC 3206 §4");
  return true;
}

void Server::cmd_stls(std::string_view args) {
  if (!trim(args).empty()) {
    bad("Syntax: STLS (no arguments)", "STLS takes no arguments.", "RFC 2595 §4");
    return;
  }
  if (!cfg_.starttls && !tls_) {
    bad("STLS not available: this server offers no TLS on this port",
        "This server does not offer TLS here, so the connection stays unencrypted.", "RFC 2595 §4");
    return;
  }
  if (tls_) {
    bad("Command not permitted when TLS active",
        "The connection is already encrypted; STLS works once.", "RFC 2595 §4");
    return;
  }
  ok("Begin TLS negotiation",
     "The server agrees: both sides now run the TLS handshake on this connection.", "RFC 2595 §4");
  user_.clear();
  tls_wait_ = true;
}

void Server::cmd_user(std::string_view args) {
  if (refuse_plaintext_login()) return;
  std::string_view name = trim(args);
  if (name.empty()) {
    bad("Syntax: USER name", "USER needs a user name.", "RFC 1939 §7");
    return;
  }
  user_ = std::string(name);
  // Same answer whether or not the mailbox exists, to avoid telling which names are valid.
  ok("Send PASS", "The server waits for the password of this user.", "RFC 1939 §7");
}

void Server::cmd_pass(std::string_view args) {
  if (refuse_plaintext_login()) return;
  if (user_.empty()) {
    bad("USER first", "PASS must directly follow a USER command.", "RFC 1939 §7");
    return;
  }
  if (args.empty()) {
    user_.clear();
    bad("Syntax: PASS password", "PASS needs the password.", "RFC 1939 §7");
    return;
  }
  std::string login_name = user_;
  login(store_.authenticate(login_name, args), "USER/PASS");
}

void Server::cmd_apop(std::string_view args) {
  if (refuse_plaintext_login()) return;
  user_.clear();
  auto a = split_args(args);
  if (a.size() != 2 || a[1].size() != 32) {
    bad("Syntax: APOP name digest", "APOP needs a user name and a 32-digit MD5 digest.",
        "RFC 1939 §7");
    return;
  }
  std::optional<std::string> address;
  if (cfg_.apop_secret) {
    if (auto secret = cfg_.apop_secret(a[0])) {
      std::string want = apop_digest(timestamp_, *secret);
      std::string got(a[1]);
      for (char& c : got)
        if (c >= 'A' && c <= 'F') c = static_cast<char>(c - 'A' + 'a');
      if (!want.empty() && got == want) address = store_.authenticate(a[0], *secret);
    }
  }
  login(address, "APOP");
}

void Server::cmd_auth(std::string_view args) {
  if (refuse_plaintext_login()) return;
  user_.clear();
  auto a = split_args(args);
  if (a.empty()) {
    // List the mechanisms (de-facto extension kept by many servers; RFC 5034 uses CAPA).
    ok("Supported SASL mechanisms follow", "The server lists the login mechanisms it supports.",
       "RFC 5034 §4");
    data_line("PLAIN", "SASL PLAIN: user name and password in one base64 blob.", "RFC 4616 §2");
    data_line(".", "A line with a single dot: the end of the multi-line response.", "RFC 1939 §3");
    return;
  }
  std::string mech = to_upper(a[0]);
  if (mech != "PLAIN") {
    bad("Unrecognized authentication type: " + mech.substr(0, 40),
        "The server supports only the PLAIN mechanism.", "RFC 5034 §4");
    return;
  }
  if (a.size() > 2) {
    bad("Syntax: AUTH PLAIN [initial-response]", "AUTH PLAIN takes at most one argument.",
        "RFC 5034 §4");
    return;
  }
  if (a.size() == 1) {
    auth_wait_ = true;
    reply_line("+ ", "The server waits for the base64 PLAIN blob (empty challenge).",
               "RFC 5034 §4");
    return;
  }
  std::optional<std::string> decoded =
      a[1] == "=" ? std::optional<std::string>("") : smtp::base64_decode(a[1]);
  if (!decoded) {
    bad("Cannot decode base64 response", "The initial response is not valid base64.",
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

void Server::cmd_capa(std::string_view) {
  ok("Capability list follows", "The server lists its optional features, one per line.",
     "RFC 2449 §5");
  data_line("TOP", "TOP: the client may download just the header and first lines.",
            "RFC 2449 §6.1");
  data_line("UIDL", "UIDL: every message has a unique id that survives across sessions.",
            "RFC 2449 §6.2");
  // Before TLS a server that wants it lists no login method: STLS comes first.
  const bool logins = tls_ || !cfg_.auth_needs_tls;
  if (cfg_.starttls && !tls_ && state_ == S::Authorization)
    data_line("STLS", "STLS: the client may switch this connection to TLS.", "RFC 2595 §4");
  if (logins) {
    data_line("USER", "USER: login with USER and PASS (password in clear text).", "RFC 2449 §6.3");
    data_line("SASL PLAIN", "SASL: login with AUTH; the mechanisms follow.", "RFC 2449 §6.4");
  }
  data_line("RESP-CODES", "RESP-CODES: -ERR replies may carry a code in brackets like [IN-USE].",
            "RFC 2449 §6.5");
  data_line("AUTH-RESP-CODE", "AUTH-RESP-CODE: failed logins say [AUTH] or [SYS/...].",
            "RFC 3206 §4");
  data_line("PIPELINING", "PIPELINING: the client may send several commands without waiting.",
            "RFC 2449 §6.6");
  data_line("IMPLEMENTATION " + cfg_.implementation, "IMPLEMENTATION: the server software.",
            "RFC 2449 §6.9");
  data_line(".", "A line with a single dot: the end of the multi-line response.", "RFC 1939 §3");
}

// ---- TRANSACTION ----

void Server::cmd_stat(std::string_view args) {
  if (!trim(args).empty()) {
    bad("Syntax: STAT", "STAT takes no arguments.", "RFC 1939 §5");
    return;
  }
  ok(std::to_string(live_count()) + " " + std::to_string(live_size()),
     "Number of messages and their total size in octets (messages marked deleted not counted).",
     "RFC 1939 §5");
}

void Server::cmd_list(std::string_view args) {
  auto a = split_args(args);
  if (a.size() > 1) {
    bad("Syntax: LIST [msg]", "LIST takes at most one message number.", "RFC 1939 §5");
    return;
  }
  if (a.size() == 1) {
    auto n = msg_arg(a[0]);
    if (!n) return;
    ok(std::to_string(*n) + " " + std::to_string(msgs_[*n - 1].size),
       "The message's number and its size in octets.", "RFC 1939 §5");
    return;
  }
  ok(std::to_string(live_count()) + " messages (" + std::to_string(live_size()) + " octets)",
     "The list of messages follows, one per line: number and size.", "RFC 1939 §5");
  for (std::size_t i = 0; i < msgs_.size(); ++i) {
    if (msgs_[i].deleted) continue;
    data_line(std::to_string(i + 1) + " " + std::to_string(msgs_[i].size),
              "Message number and its size in octets.", "RFC 1939 §5");
  }
  data_line(".", "A line with a single dot: the end of the multi-line response.", "RFC 1939 §3");
}

void Server::cmd_retr(std::string_view args) {
  auto a = split_args(args);
  if (a.size() != 1) {
    bad("Syntax: RETR msg", "RETR needs exactly one message number.", "RFC 1939 §5");
    return;
  }
  auto n = msg_arg(a[0]);
  if (!n) return;
  const std::string* data = body_of(msgs_[*n - 1]);
  if (!data) {
    err("[SYS/TEMP] Message " + std::to_string(*n) + " is no longer in the mailbox",
        "The message was removed from the mailbox by another program during this session.",
        "RFC 2449 §8");
    return;
  }
  ok(std::to_string(msgs_[*n - 1].size) + " octets",
     "The message follows, line by line, ended by a line with a single dot.", "RFC 1939 §5");
  send_body(*data, std::nullopt);
}

void Server::cmd_top(std::string_view args) {
  auto a = split_args(args);
  if (a.size() != 2) {
    bad("Syntax: TOP msg lines", "TOP needs a message number and a number of lines.",
        "RFC 1939 §7");
    return;
  }
  if (a[1].empty() || a[1].size() > 9 || a[1].find_first_not_of("0123456789") != a[1].npos) {
    bad("Invalid number of lines: " + std::string(a[1].substr(0, 40)),
        "The number of lines must be a non-negative decimal number.", "RFC 1939 §7");
    return;
  }
  auto n = msg_arg(a[0]);
  if (!n) return;
  const std::string* data = body_of(msgs_[*n - 1]);
  if (!data) {
    err("[SYS/TEMP] Message " + std::to_string(*n) + " is no longer in the mailbox",
        "The message was removed from the mailbox by another program during this session.",
        "RFC 2449 §8");
    return;
  }
  ok("Top of message follows",
     "The header follows, then the empty line and the first body lines asked for.", "RFC 1939 §7");
  send_body(*data, std::stoul(std::string(a[1])));
}

void Server::cmd_dele(std::string_view args) {
  auto a = split_args(args);
  if (a.size() != 1) {
    bad("Syntax: DELE msg", "DELE needs exactly one message number.", "RFC 1939 §5");
    return;
  }
  auto n = msg_arg(a[0]);
  if (!n) return;
  msgs_[*n - 1].deleted = true;
  ok("Message " + std::to_string(*n) + " deleted",
     "The message is marked for deletion; it disappears for real only after QUIT.", "RFC 1939 §5");
}

void Server::cmd_noop(std::string_view args) {
  if (!trim(args).empty()) {
    bad("Syntax: NOOP", "NOOP takes no arguments.", "RFC 1939 §5");
    return;
  }
  ok("", "The server is alive.", "RFC 1939 §5");
}

void Server::cmd_rset(std::string_view args) {
  if (!trim(args).empty()) {
    bad("Syntax: RSET", "RSET takes no arguments.", "RFC 1939 §5");
    return;
  }
  for (auto& m : msgs_) m.deleted = false;
  ok("Maildrop has " + std::to_string(live_count()) + " messages (" + std::to_string(live_size()) +
         " octets)",
     "Every deletion mark is removed; nothing will be deleted.", "RFC 1939 §5");
}

void Server::cmd_uidl(std::string_view args) {
  auto a = split_args(args);
  if (a.size() > 1) {
    bad("Syntax: UIDL [msg]", "UIDL takes at most one message number.", "RFC 1939 §7");
    return;
  }
  if (a.size() == 1) {
    auto n = msg_arg(a[0]);
    if (!n) return;
    ok(std::to_string(*n) + " " + uidl_of(validity_, msgs_[*n - 1].uid),
       "The message's number and its unique id.", "RFC 1939 §7");
    return;
  }
  ok("Unique-ID listing follows", "The unique ids follow, one message per line.", "RFC 1939 §7");
  for (std::size_t i = 0; i < msgs_.size(); ++i) {
    if (msgs_[i].deleted) continue;
    data_line(std::to_string(i + 1) + " " + uidl_of(validity_, msgs_[i].uid),
              "Message number and its unique id.", "RFC 1939 §7");
  }
  data_line(".", "A line with a single dot: the end of the multi-line response.", "RFC 1939 §3");
}

void Server::cmd_quit(std::string_view) {
  if (state_ == S::Authorization) {
    ok(cfg_.hostname + " POP3 server signing off",
       "The server says goodbye and closes the connection.", "RFC 1939 §6");
    close_ = true;
    enter_state(S::Closed);
    return;
  }
  // RFC 1939 §6: the UPDATE state removes the marked messages, then releases the lock.
  enter_state(S::Update);
  std::size_t removed = 0, failed = 0;
  for (const auto& m : msgs_) {
    if (!m.deleted) continue;
    bool write_failed = false;
    store_.remove(address_, m.uid, &write_failed);  // false: already gone, as we wanted
    if (write_failed) {
      ++failed;
    } else {
      ++removed;
    }
  }
  release();
  std::size_t left = 0;
  if (const auto* list = store_.messages(address_)) left = list->size();
  if (failed > 0) {
    // RFC 1939 §6: "-ERR some deleted messages not removed"; RFC 2449 §8.1.2 [SYS/TEMP].
    err("[SYS/TEMP] Some deleted messages not removed (" + std::to_string(failed) +
            " could not be deleted from disk, " + std::to_string(removed) + " deleted, " +
            std::to_string(left) + " left)",
        "The server could not delete every marked message from its disk; those stay in the "
        "mailbox. The session ends.",
        "RFC 1939 §6");
    close_ = true;
    enter_state(S::Closed);
    return;
  }
  ok(cfg_.hostname + " POP3 server signing off (" + std::to_string(removed) +
         " messages deleted, " + std::to_string(left) + " left)",
     removed ? "The marked messages are now removed from the server; the session ends."
             : "Nothing was marked for deletion, so every message stays; the session ends.",
     "RFC 1939 §6");
  close_ = true;
  enter_state(S::Closed);
}

}  // namespace net::pop3

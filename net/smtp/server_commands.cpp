// The SMTP server's command table and command handlers (RFC 5321 §4.1.1, RFC 4954).
#include "net/line_buffer.hpp"
#include "net/message/message.hpp"
#include "net/smtp/sasl.hpp"
#include "net/smtp/server.hpp"

namespace net::smtp {

struct Server::Entry {
  CommandInfo info;
  void (Server::*handler)(std::string_view args);
};

namespace {

using S = ServerState;

char upper(char c) {
  return (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c;
}

std::string to_upper(std::string_view s) {
  std::string o(s);
  for (char& c : o) c = upper(c);
  return o;
}

bool istarts_with(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i)
    if (upper(s[i]) != upper(prefix[i])) return false;
  return true;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Reply text must be ASCII (RFC 5321 §4.2): "§" becomes "section".
std::string ascii_rfc(std::string_view rfc) {
  std::string out;
  for (size_t i = 0; i < rfc.size(); ++i) {
    if (rfc.substr(i, 2) == "\xC2\xA7") {
      out += "section ";
      ++i;
    } else {
      out += rfc[i];
    }
  }
  return out;
}

// "<path> params" after "FROM:" / "TO:". Lenient about a space after the colon.
struct PathArgs {
  bool ok = false;
  std::string path;  // inside the brackets
  std::string_view params;
};

PathArgs parse_path(std::string_view rest) {
  PathArgs p;
  rest = trim(rest);
  if (rest.empty() || rest.front() != '<') return p;
  size_t gt = rest.find('>');
  if (gt == std::string_view::npos) return p;
  p.path = std::string(rest.substr(1, gt - 1));
  p.params = rest.substr(gt + 1);
  if (!p.params.empty() && p.params.front() != ' ') return p;
  p.params = trim(p.params);
  p.ok = true;
  return p;
}

const std::vector<S> kSession = {S::Connected, S::Greeted, S::Mail, S::Rcpt};

}  // namespace

const Server::Entry* Server::find(std::string_view verb) {
  static const std::vector<Entry> table = {
      {{"EHLO", "EHLO <your host name>",
        "The client introduces itself by name and asks which extensions the server supports "
        "(Extended SMTP).",
        "RFC 5321 §4.1.1.1", kSession},
       &Server::cmd_ehlo},
      {{"HELO", "HELO <your host name>",
        "The client introduces itself by name (plain SMTP, no extensions).", "RFC 5321 §4.1.1.1",
        kSession},
       &Server::cmd_helo},
      {{"AUTH",
        "AUTH PLAIN [initial-response] | AUTH LOGIN",
        "The client logs in with a user name and password (SASL); base64 is an encoding, not "
        "encryption.",
        "RFC 4954 §4",
        {S::Greeted}},
       &Server::cmd_auth},
      {{"STARTTLS",
        "STARTTLS",
        "The client asks to switch this connection to TLS: after the 220 reply both sides "
        "run a TLS handshake and everything that follows is encrypted.",
        "RFC 3207 §4",
        {S::Greeted}},
       &Server::cmd_starttls},
      {{"MAIL",
        "MAIL FROM:<address> [SIZE=n] [BODY=8BITMIME|7BIT]",
        "The client names the sender of the message (the envelope sender, used for bounces) and "
        "starts a new mail transaction.",
        "RFC 5321 §4.1.1.2",
        {S::Greeted}},
       &Server::cmd_mail},
      {{"RCPT",
        "RCPT TO:<address>",
        "The client names one recipient of the message (the envelope recipient); one RCPT per "
        "recipient.",
        "RFC 5321 §4.1.1.3",
        {S::Mail, S::Rcpt}},
       &Server::cmd_rcpt},
      {{"DATA",
        "DATA",
        "The client asks to send the message content (header and body), ended by a line with a "
        "single dot.",
        "RFC 5321 §4.1.1.4",
        {S::Rcpt}},
       &Server::cmd_data},
      {{"RSET", "RSET",
        "The client cancels the current mail transaction; sender and recipients are forgotten.",
        "RFC 5321 §4.1.1.5", kSession},
       &Server::cmd_rset},
      {{"VRFY", "VRFY <user or address>",
        "The client asks whether a mailbox exists (servers usually decline to say, to stop "
        "address harvesting).",
        "RFC 5321 §4.1.1.6", kSession},
       &Server::cmd_vrfy},
      {{"HELP", "HELP [command]", "The client asks the server for help about its commands.",
        "RFC 5321 §4.1.1.8", kSession},
       &Server::cmd_help},
      {{"NOOP", "NOOP", "The client checks that the connection is alive; the server does nothing.",
        "RFC 5321 §4.1.1.9", kSession},
       &Server::cmd_noop},
      {{"QUIT", "QUIT", "The client says goodbye; the server replies and closes the connection.",
        "RFC 5321 §4.1.1.10", kSession},
       &Server::cmd_quit},
  };
  for (const auto& e : table)
    if (verb == e.info.verb) return &e;
  return nullptr;
}

const std::vector<CommandInfo>& Server::commands() {
  static const std::vector<CommandInfo> infos = [] {
    std::vector<CommandInfo> v;
    for (const char* verb :
         {"EHLO", "HELO", "AUTH", "MAIL", "RCPT", "DATA", "RSET", "VRFY", "HELP", "NOOP", "QUIT"})
      v.push_back(find(verb)->info);
    return v;
  }();
  return infos;
}

Reply Server::sequence_error(std::string_view verb, ServerState s) {
  std::string why = "Error: bad sequence of commands";
  if (s == S::Connected) {
    why = "Error: send HELO/EHLO first";
  } else if (verb == "MAIL") {
    why = "Error: nested MAIL command";
  } else if (verb == "RCPT" || (verb == "DATA" && s == S::Greeted)) {
    why = "Error: need MAIL command";
  } else if (verb == "DATA") {
    why = "Error: need RCPT command";
  } else if (verb == "AUTH") {
    why = "Error: MAIL transaction in progress";
  }
  return {503, "5.5.1", {why}};
}

void Server::on_command(const Line& line) {
  const std::string& t = line.text;
  size_t sp = t.find(' ');
  std::string verb = to_upper(std::string_view(t).substr(0, sp));
  std::string_view args =
      sp == std::string::npos ? std::string_view() : std::string_view(t).substr(sp + 1);
  const Entry* e = line.too_long ? nullptr : find(verb);

  std::string_view secret;
  if (verb == "AUTH") {
    // AUTH <mechanism> <initial-response>: the response carries credentials.
    std::string_view a = trim(args);
    size_t s2 = a.find(' ');
    if (s2 != std::string_view::npos) secret = trim(a.substr(s2 + 1));
  }
  std::string_view meaning = e ? e->info.help : "";
  if (e && verb == "MAIL" && istarts_with(trim(args), "FROM:<>"))
    meaning =
        "The client gives the null sender <>: this message is a bounce or notification, "
        "and no bounce may be sent back for it.";
  if (line.too_long)
    meaning = "A command line longer than the server allows.";
  else if (!e)
    meaning = "A command the server does not know.";
  parsed(LineKind::Command, t, verb, meaning,
         e ? e->info.rfc : (line.too_long ? "RFC 5321 §4.5.3.1.4" : "RFC 5321 §4.2.4"), secret);

  if (line.too_long) {
    bad({500, "5.5.2", {"Error: line too long"}}, "The command line was longer than allowed.");
    return;
  }
  if (t.empty()) {
    bad({500, "5.5.2", {"Error: bad syntax"}}, "An empty line is not a command.");
    return;
  }
  if (!e) {
    bad({500, "5.5.1", {"Error: command not recognized"}},
        "The server does not know this command.");
    return;
  }
  bool allowed = false;
  for (auto s : e->info.allowed) allowed = allowed || s == state_;
  if (!allowed) {
    bad(sequence_error(verb, state_), "This command is not allowed at this point of the dialogue.");
    return;
  }
  (this->*e->handler)(args);
}

// ---- handlers ----

void Server::cmd_ehlo(std::string_view args) {
  std::string_view name = trim(args);
  if (name.empty() || name.find(' ') != std::string_view::npos) {
    bad({501, "5.5.4", {"Syntax: EHLO hostname"}}, "EHLO needs exactly one host name.");
    return;
  }
  reset_transaction();  // EHLO also resets any transaction (RFC 5321 §4.1.4)
  env_.helo = std::string(name);
  env_.esmtp = true;
  enter_state(S::Greeted);
  // No enhanced codes on EHLO replies (RFC 2034 §3).
  Reply r{250,
          "",
          {cfg_.hostname + " Hello " + env_.helo, "PIPELINING",
           "SIZE " + std::to_string(cfg_.max_message_size), "8BITMIME"}};
  if (cfg_.starttls && !env_.tls) r.lines.push_back("STARTTLS");
  if ((cfg_.submission || cfg_.offer_auth) && !cfg_.auth_mechanisms.empty() &&
      (env_.tls || !cfg_.auth_needs_tls)) {
    std::string line = "AUTH";
    for (const auto& m : cfg_.auth_mechanisms) line += " " + m;
    r.lines.push_back(line);
  }
  r.lines.push_back("ENHANCEDSTATUSCODES");
  auto wire = r.wire_lines();
  for (size_t i = 0; i < wire.size(); ++i) {
    out_ += wire[i];
    out_ += "\r\n";
    LineEvent ev;
    ev.sent = true;
    ev.kind = LineKind::Reply;
    ev.text = wire[i];
    ev.label = "250";
    ev.meaning = i == 0 ? "The server greets the client by name and lists its extensions."
                        : describe_capability(r.lines[i]);
    ev.rfc = i == 0 ? "RFC 5321 §4.1.1.1" : "RFC 5321 §2.2";
    events_.push_back(std::move(ev));
  }
}

void Server::cmd_helo(std::string_view args) {
  std::string_view name = trim(args);
  if (name.empty() || name.find(' ') != std::string_view::npos) {
    bad({501, "5.5.4", {"Syntax: HELO hostname"}}, "HELO needs exactly one host name.");
    return;
  }
  reset_transaction();
  env_.helo = std::string(name);
  env_.esmtp = false;
  enter_state(S::Greeted);
  send({250, "", {cfg_.hostname + " Hello " + env_.helo}},
       "The server greets the client (plain SMTP: no extension list).", "RFC 5321 §4.1.1.1");
}

void Server::cmd_mail(std::string_view args) {
  if (cfg_.submission && cfg_.auth_needs_tls && !env_.tls) {
    bad({530, "5.7.0", {"Must issue a STARTTLS command first"}},
        "This submission server only takes mail over TLS: the client must send STARTTLS.");
    return;
  }
  if (cfg_.submission && env_.auth_user.empty()) {
    // RFC 4954 §6: 530 5.7.0 Authentication required.
    bad({530, "5.7.0", {"Authentication required"}},
        "This is the submission port: the client must log in (AUTH) before sending.");
    return;
  }
  if (!istarts_with(args, "FROM:")) {
    bad({501, "5.5.4", {"Syntax: MAIL FROM:<address>"}}, "");
    return;
  }
  PathArgs p = parse_path(args.substr(5));
  if (!p.ok) {
    bad({501, "5.5.4", {"Syntax: MAIL FROM:<address>"}},
        "The sender address must be written inside angle brackets.");
    return;
  }
  std::string addr;
  if (!p.path.empty()) {
    auto a = message::extract_address("<" + p.path + ">");
    if (!a || a->empty()) {
      bad({501, "5.1.7", {"Bad sender address syntax"}}, "The sender address is not valid.");
      return;
    }
    addr = *a;
  }
  std::optional<size_t> size;
  bool body8 = false;
  std::string_view params = p.params;
  while (!params.empty()) {
    size_t sp = params.find(' ');
    std::string_view kv = params.substr(0, sp);
    params = sp == std::string_view::npos ? std::string_view() : trim(params.substr(sp + 1));
    size_t eq = kv.find('=');
    std::string key = to_upper(kv.substr(0, eq));
    std::string_view val = eq == std::string_view::npos ? std::string_view() : kv.substr(eq + 1);
    if (key == "SIZE") {  // RFC 1870 §3
      if (val.empty() || val.size() > 18 ||
          val.find_first_not_of("0123456789") != std::string_view::npos) {
        bad({501, "5.5.4", {"Bad SIZE parameter"}}, "SIZE must be a number of octets.");
        return;
      }
      size = std::stoull(std::string(val));
    } else if (key == "BODY") {  // RFC 6152 §2
      std::string v = to_upper(val);
      if (v == "8BITMIME") {
        body8 = true;
      } else if (v != "7BIT") {
        bad({501, "5.5.4", {"Bad BODY parameter"}}, "BODY must be 7BIT or 8BITMIME.");
        return;
      }
    } else if (key == "AUTH") {  // RFC 4954 §5: accepted, not used
    } else {
      bad({555, "5.5.4", {"Unsupported option: " + std::string(kv)}},
          "The server does not support this MAIL parameter.");
      return;
    }
  }
  if (size && *size > cfg_.max_message_size) {
    send({552, "5.3.4", {"Message size exceeds fixed limit"}},
         "The client announced a message bigger than the server accepts (RFC 1870).",
         "RFC 1870 §6.1");
    return;
  }
  Reply r = policy_.check_sender(env_, addr);
  if (r.positive()) {
    env_.mail_from = addr;
    env_.declared_size = size;
    env_.body_8bit = body8;
    enter_state(S::Mail);
  }
  send(r, r.positive() ? "The server accepts the sender and a new transaction begins." : "",
       "RFC 5321 §4.1.1.2");
}

void Server::cmd_rcpt(std::string_view args) {
  if (!istarts_with(args, "TO:")) {
    bad({501, "5.5.4", {"Syntax: RCPT TO:<address>"}}, "");
    return;
  }
  PathArgs p = parse_path(args.substr(3));
  if (!p.ok) {
    bad({501, "5.5.4", {"Syntax: RCPT TO:<address>"}},
        "The recipient address must be written inside angle brackets.");
    return;
  }
  std::string addr;
  if (to_upper(p.path) == "POSTMASTER") {
    addr = "postmaster";  // RFC 5321 §4.5.1: <Postmaster> without a domain
  } else {
    auto a = message::extract_address("<" + p.path + ">");
    if (!a || a->empty()) {
      bad({501, "5.1.3", {"Bad recipient address syntax"}}, "The recipient address is not valid.");
      return;
    }
    addr = *a;
  }
  if (!p.params.empty()) {
    bad({555, "5.5.4", {"Unsupported option: " + std::string(p.params)}},
        "The server does not support RCPT parameters.");
    return;
  }
  if (env_.rcpt_to.size() >= cfg_.max_recipients) {
    send({452, "4.5.3", {"Error: too many recipients"}},
         "The server accepts no more recipients in this transaction; send the rest later.",
         "RFC 5321 §4.5.3.1.10");
    return;
  }
  Reply r = policy_.check_recipient(env_, addr);
  if (r.positive()) {
    env_.rcpt_to.push_back(addr);
    enter_state(S::Rcpt);
  }
  send(r, r.positive() ? "The server accepts this recipient." : "", "RFC 5321 §4.1.1.3");
}

void Server::cmd_data(std::string_view args) {
  if (!trim(args).empty()) {
    bad({501, "5.5.4", {"Syntax: DATA"}}, "DATA takes no arguments.");
    return;
  }
  data_.clear();
  data_size_ = 0;
  data_too_big_ = data_line_too_long_ = data_in_body_ = false;
  enter_state(S::Data);
  send({354, "", {"End data with <CR><LF>.<CR><LF>"}},
       "The server is ready for the message: header, empty line, body, then a line with a "
       "single dot.",
       "RFC 5321 §4.1.1.4");
}

void Server::cmd_rset(std::string_view args) {
  if (!trim(args).empty()) {
    bad({501, "5.5.4", {"Syntax: RSET"}}, "RSET takes no arguments.");
    return;
  }
  reset_transaction();
  if (state_ == S::Mail || state_ == S::Rcpt) enter_state(S::Greeted);
  send({250, "2.0.0", {"Ok"}}, "The transaction is cancelled; the session stays open.",
       "RFC 5321 §4.1.1.5");
}

void Server::cmd_noop(std::string_view) {
  send({250, "2.0.0", {"Ok"}}, "The server is alive.", "RFC 5321 §4.1.1.9");
}

void Server::cmd_quit(std::string_view) {
  reset_transaction();
  send({221, "2.0.0", {cfg_.hostname + " Bye"}},
       "The server says goodbye and closes the connection.", "RFC 5321 §4.1.1.10");
  close_ = true;
  enter_state(S::Quit);
}

void Server::cmd_vrfy(std::string_view args) {
  if (trim(args).empty()) {
    bad({501, "5.5.4", {"Syntax: VRFY address"}}, "VRFY needs a user name or address.");
    return;
  }
  send({252, "2.5.2", {"Cannot VRFY user, but will accept message and attempt delivery"}},
       "The server will not reveal whether the mailbox exists (this stops address harvesting).",
       "RFC 5321 §3.5.3");
}

void Server::cmd_help(std::string_view args) {
  std::string topic = to_upper(trim(args));
  if (topic.empty()) {
    std::string verbs;
    for (const auto& c : commands()) verbs += std::string(verbs.empty() ? "" : " ") + c.verb;
    send({214, "2.0.0", {"Commands: " + verbs, "Send HELP <command> for details"}},
         "The server lists the commands it understands.", "RFC 5321 §4.1.1.8");
    return;
  }
  const Entry* e = find(topic);
  if (!e) {
    bad({504, "5.5.4", {"HELP topic unknown"}}, "The server has no help for this word.");
    return;
  }
  send({214, "2.0.0", {e->info.syntax, e->info.help, "See " + ascii_rfc(e->info.rfc)}},
       "The server explains one command.", "RFC 5321 §4.1.1.8");
}

void Server::cmd_auth(std::string_view args) {
  if (!cfg_.submission && !cfg_.offer_auth) {
    bad({503, "5.5.1", {"Error: authentication not enabled"}},
        "This server does not offer AUTH on this port.");
    return;
  }
  if (cfg_.auth_needs_tls && !env_.tls) {
    bad({538, "5.7.11", {"Encryption required for requested authentication mechanism"}},
        "The password would cross the network readable by anyone: the server only accepts "
        "AUTH after STARTTLS.");
    return;
  }
  if (!env_.auth_user.empty()) {
    bad({503, "5.5.1", {"Error: already authenticated"}},
        "The client is already logged in; AUTH may be used only once (RFC 4954 §4).");
    return;
  }
  std::string_view a = trim(args);
  size_t sp = a.find(' ');
  std::string mech = to_upper(a.substr(0, sp));
  std::string_view initial =
      sp == std::string_view::npos ? std::string_view() : trim(a.substr(sp + 1));
  if (mech.empty()) {
    bad({501, "5.5.4", {"Syntax: AUTH mechanism"}}, "AUTH needs a mechanism name.");
    return;
  }
  bool offered = false;
  for (const auto& m : cfg_.auth_mechanisms) offered = offered || to_upper(m) == mech;
  if (!offered || (mech != "PLAIN" && mech != "LOGIN")) {
    bad({504, "5.5.4", {"Unrecognized authentication type"}},
        "The server supports only the PLAIN and LOGIN mechanisms.");
    return;
  }
  if (mech == "PLAIN") {
    if (initial.empty()) {
      auth_step_ = AuthStep::Plain;
      enter_state(S::AuthWait);
      send({334, "", {""}}, "The server waits for the base64 PLAIN blob (empty challenge).",
           "RFC 4954 §4");
      return;
    }
    auto decoded = initial == "=" ? std::optional<std::string>("") : base64_decode(initial);
    if (!decoded) {
      bad({501, "5.5.2", {"Cannot decode response"}}, "The initial response is not valid base64.");
      return;
    }
    auto c = decode_plain(*decoded);
    if (!c) {
      bad({501, "5.5.2", {"Invalid PLAIN response"}},
          "The PLAIN blob must hold authzid NUL user NUL password.");
      return;
    }
    if (!c->authzid.empty() && c->authzid != c->authcid) {
      bad({535, "5.7.8", {"Authentication credentials invalid"}},
          "Logging in on behalf of another user is not allowed.");
      return;
    }
    finish_auth(c->authcid, c->password);
    return;
  }
  // LOGIN (draft-murchison-sasl-login): user name, then password, each base64.
  if (!initial.empty()) {
    auto user = base64_decode(initial);
    if (!user) {
      bad({501, "5.5.2", {"Cannot decode response"}}, "The initial response is not valid base64.");
      return;
    }
    auth_login_ = *user;
    auth_step_ = AuthStep::LoginPass;
    enter_state(S::AuthWait);
    send({334, "", {"UGFzc3dvcmQ6"}},
         "The server asks for the password (\"UGFzc3dvcmQ6\" is base64 for \"Password:\").",
         "RFC 4954 §4");
    return;
  }
  auth_step_ = AuthStep::LoginUser;
  enter_state(S::AuthWait);
  send({334, "", {"VXNlcm5hbWU6"}},
       "The server asks for the user name (\"VXNlcm5hbWU6\" is base64 for \"Username:\").",
       "RFC 4954 §4");
}

void Server::cmd_starttls(std::string_view args) {
  if (!trim(args).empty()) {
    bad({501, "5.5.4", {"Syntax: STARTTLS (no parameters allowed)"}},
        "STARTTLS takes no parameters.");
    return;
  }
  if (!cfg_.starttls) {
    bad({502, "5.5.1", {"Error: command not implemented"}},
        "This server does not offer TLS on this port.");
    return;
  }
  if (env_.tls) {
    bad({503, "5.5.1", {"Error: TLS already active"}},
        "The connection is already encrypted; STARTTLS works once (RFC 3207 §4.2).");
    return;
  }
  send({220, "2.0.0", {"Ready to start TLS"}},
       "The server agrees: both sides now run the TLS handshake on this connection.",
       "RFC 3207 §4");
  enter_state(S::Tls);
}

}  // namespace net::smtp

#include "sim/capture_describe.hpp"

#include <algorithm>
#include <cctype>

#include "net/imap/server.hpp"
#include "net/pop3/server.hpp"
#include "net/smtp/server.hpp"

namespace sim {

namespace {

std::string upper(std::string_view s) {
  std::string u(s);
  for (auto& c : u) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return u;
}

// The n-th space-separated word of a line (0-based), or "".
std::string_view word(std::string_view line, int n) {
  std::size_t pos = 0;
  for (int i = 0;; ++i) {
    while (pos < line.size() && line[pos] == ' ') ++pos;
    const std::size_t end = std::min(line.find(' ', pos), line.size());
    if (i == n) return line.substr(pos, end - pos);
    if (end >= line.size()) return {};
    pos = end;
  }
}

template <class Table>
bool from_table(const Table& table, const std::string& verb, LineDescription& d) {
  for (const auto& c : table) {
    if (verb == c.verb) {
      d.meaning = c.help;
      d.rfc = c.rfc;
      return true;
    }
  }
  return false;
}

LineDescription smtp_reply(std::string_view line, bool greeting) {
  LineDescription d{std::string(line.substr(0, 3)), "", "RFC 5321 §4.2"};
  if (line.size() < 3 || !std::isdigit(static_cast<unsigned char>(line[0]))) {
    d.label.clear();
    d.meaning = "Not an SMTP reply: the line does not start with a three-digit code.";
    return d;
  }
  if (greeting) {
    d.meaning = "The server greets the client and says it is ready to talk SMTP.";
    d.rfc = "RFC 5321 §3.1";
    return d;
  }
  if (d.label == "354") {
    d.meaning = "The server is ready for the message; it ends with a line holding only '.'.";
    d.rfc = "RFC 5321 §4.1.1.4";
  } else if (d.label == "334") {
    d.meaning = "An authentication challenge (base64); the client answers on the next line.";
    d.rfc = "RFC 4954 §4";
  } else if (d.label == "235") {
    d.meaning = "Authentication succeeded.";
    d.rfc = "RFC 4954 §6";
  } else if (d.label == "221") {
    d.meaning = "The server says goodbye and closes the connection.";
    d.rfc = "RFC 5321 §4.1.1.10";
  } else if (line[0] == '2') {
    d.meaning = "Success: the server accepts the command.";
  } else if (line[0] == '3') {
    d.meaning = "The server waits for more from the client.";
  } else if (line[0] == '4') {
    d.meaning = "A temporary failure: the client may try again later.";
  } else if (line[0] == '5') {
    d.meaning = "A permanent failure: trying again will not help.";
  }
  return d;
}

LineDescription pop3_reply(std::string_view line, bool greeting) {
  if (line.starts_with("+OK")) {
    if (greeting)
      return {"+OK", "The server greets the client and waits for a login.", "RFC 1939 §4"};
    return {"+OK", "The server accepts the command.", "RFC 1939 §3"};
  }
  if (line.starts_with("-ERR"))
    return {"-ERR", "The server refuses the command or reports an error.", "RFC 1939 §3"};
  if (line.starts_with("+"))
    return {"+", "An authentication challenge; the client answers on the next line.",
            "RFC 5034 §4"};
  return {"", "Not a POP3 status line.", "RFC 1939 §3"};
}

LineDescription imap_reply(std::string_view line, bool greeting) {
  const std::string_view first = word(line, 0);
  if (first == "+")
    return {"+", "The server asks the client to go on (a continuation request).", "RFC 3501 §7.5"};
  if (first == "*") {
    std::string name = upper(word(line, 1));
    if (!name.empty() && std::isdigit(static_cast<unsigned char>(name[0])))
      name = upper(word(line, 2));  // "* 3 EXISTS", "* 1 FETCH (...)"
    if (greeting)
      return {name, "The server greets the client and waits for a login.", "RFC 3501 §7.1.1"};
    if (name == "BYE") return {name, "The server is closing the connection.", "RFC 3501 §7.1.5"};
    return {name, "Untagged data the server sends: " + name + ".", "RFC 3501 §7"};
  }
  const std::string status = upper(word(line, 1));
  if (status == "OK") return {status, "The command with this tag succeeded.", "RFC 3501 §7.1.1"};
  if (status == "NO") return {status, "The command with this tag failed.", "RFC 3501 §7.1.2"};
  if (status == "BAD")
    return {status, "The server did not understand the command.", "RFC 3501 §7.1.3"};
  return {status, "", "RFC 3501 §7"};
}

}  // namespace

std::string command_verb(Proto proto, std::string_view line) {
  if (proto != Proto::Imap) return upper(word(line, 0));
  std::string verb = upper(word(line, 1));
  if (verb == "UID") verb += " " + upper(word(line, 2));
  return verb;
}

LineDescription describe_command(Proto proto, std::string_view line) {
  LineDescription d;
  d.label = command_verb(proto, line);
  switch (proto) {
    case Proto::Smtp:
      if (!from_table(net::smtp::Server::commands(), d.label, d) && d.label == "STARTTLS") {
        d.meaning = "The client asks to switch the connection to TLS.";
        d.rfc = "RFC 3207 §4";
      }
      break;
    case Proto::Pop3:
      from_table(net::pop3::Server::commands(), d.label, d);
      break;
    case Proto::Imap: {
      const std::string base = d.label.starts_with("UID ") ? d.label.substr(4) : d.label;
      from_table(net::imap::Server::commands(), base, d);
      break;
    }
    default:
      break;
  }
  return d;
}

LineDescription describe_reply(Proto proto, std::string_view line, bool greeting) {
  switch (proto) {
    case Proto::Smtp:
      return smtp_reply(line, greeting);
    case Proto::Pop3:
      return pop3_reply(line, greeting);
    case Proto::Imap:
      return imap_reply(line, greeting);
    default:
      return {};
  }
}

}  // namespace sim

#include "net/smtp/reply.hpp"

#include "net/line_buffer.hpp"

namespace net::smtp {

namespace {

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

// Length of an enhanced status code "c.sss.ddd" at the start of s whose class
// matches the reply's first digit (RFC 3463 §2, RFC 2034 §4), or 0.
size_t enhanced_len(std::string_view s, char cls) {
  if (s.size() < 5 || s[0] != cls || s[1] != '.') return 0;
  size_t i = 2;
  size_t n = 0;
  while (i < s.size() && is_digit(s[i]) && n < 3) ++i, ++n;
  if (n == 0 || i >= s.size() || s[i] != '.') return 0;
  ++i;
  n = 0;
  while (i < s.size() && is_digit(s[i]) && n < 3) ++i, ++n;
  if (n == 0) return 0;
  if (i < s.size() && s[i] != ' ') return 0;
  return i;
}

}  // namespace

std::vector<std::string> Reply::wire_lines() const {
  std::vector<std::string> out;
  std::string prefix = std::to_string(code);
  size_t n = lines.empty() ? 1 : lines.size();
  for (size_t i = 0; i < n; ++i) {
    std::string l = prefix;
    l += (i + 1 == n) ? ' ' : '-';
    if (!enhanced.empty()) {
      l += enhanced;
      if (!lines.empty() && !lines[i].empty()) l += ' ';
    }
    if (!lines.empty()) l += lines[i];
    out.push_back(std::move(l));
  }
  return out;
}

std::string Reply::wire() const {
  std::string out;
  for (const auto& l : wire_lines()) {
    out += l;
    out += "\r\n";
  }
  return out;
}

std::string Reply::text() const {
  std::string out;
  for (const auto& l : lines) {
    if (!out.empty()) out += ' ';
    out += l;
  }
  return out;
}

// RFC 5321 §4.5.3.1.5 limits reply lines to 512 octets; accept more from real servers.
ReplyParser::ReplyParser() : lines_(std::make_unique<LineBuffer>(4096)) {}
ReplyParser::~ReplyParser() = default;
ReplyParser::ReplyParser(ReplyParser&&) noexcept = default;
ReplyParser& ReplyParser::operator=(ReplyParser&&) noexcept = default;

void ReplyParser::feed(std::string_view bytes) {
  if (!error_) lines_->feed(bytes);
}

void ReplyParser::fail(std::string why) {
  error_ = true;
  error_text_ = std::move(why);
}

std::optional<Reply> ReplyParser::next() {
  while (!error_) {
    auto line = lines_->next();
    if (!line) return std::nullopt;
    const std::string& t = line->text;
    if (line->too_long) {
      fail("reply line too long");
      break;
    }
    // RFC 5321 §4.2: Reply-code [ SP textstring ] or Reply-code "-" textstring.
    if (t.size() < 3 || !is_digit(t[0]) || !is_digit(t[1]) || !is_digit(t[2]) || t[0] < '2' ||
        t[0] > '5' || t[1] > '5') {
      fail("not an SMTP reply: " + t);
      break;
    }
    if (t.size() > 3 && t[3] != ' ' && t[3] != '-') {
      fail("bad separator after reply code: " + t);
      break;
    }
    int code = (t[0] - '0') * 100 + (t[1] - '0') * 10 + (t[2] - '0');
    bool more = t.size() > 3 && t[3] == '-';
    std::string_view rest = t.size() > 4 ? std::string_view(t).substr(4) : std::string_view();
    if (raw_.empty()) {
      partial_ = Reply{};
      partial_.code = code;
      size_t n = enhanced_len(rest, t[0]);
      if (n) partial_.enhanced = std::string(rest.substr(0, n));
    } else if (code != partial_.code) {
      // §4.2.1: every line of a multiline reply carries the same code.
      fail("reply code changed inside a multiline reply: " + t);
      break;
    }
    if (!partial_.enhanced.empty() &&
        rest.substr(0, partial_.enhanced.size()) == partial_.enhanced &&
        (rest.size() == partial_.enhanced.size() || rest[partial_.enhanced.size()] == ' ')) {
      rest.remove_prefix(partial_.enhanced.size());
      if (!rest.empty()) rest.remove_prefix(1);
    }
    partial_.lines.emplace_back(rest);
    raw_.push_back(t);
    if (!more) {
      last_lines_ = std::move(raw_);
      raw_.clear();
      return std::move(partial_);
    }
  }
  return std::nullopt;
}

std::string describe_reply_code(int code) {
  switch (code) {
    case 211:
      return "System status.";
    case 214:
      return "Help text for a human reader.";
    case 220:
      return "The server is ready and greets the client.";
    case 221:
      return "The server says goodbye and will close the connection.";
    case 235:
      return "Authentication succeeded: the client is now logged in.";
    case 250:
      return "The requested action was completed successfully.";
    case 251:
      return "The user is not local; the server will forward the message.";
    case 252:
      return "The server will not confirm the address but will try to deliver.";
    case 334:
      return "The server waits for the next piece of the login exchange (base64).";
    case 354:
      return "The server is ready for the message content, ended by a line with a single dot.";
    case 421:
      return "The service is closing the connection; try again later.";
    case 450:
      return "Mailbox unavailable for now; a temporary failure, try again later.";
    case 451:
      return "A local error on the server; a temporary failure, try again later.";
    case 452:
      return "Not enough room or too many recipients; a temporary failure.";
    case 454:
      return "Authentication is temporarily unavailable.";
    case 500:
      return "The server did not understand the command (unknown or too long).";
    case 501:
      return "The command's arguments are wrong (syntax error).";
    case 502:
      return "The command is not implemented.";
    case 503:
      return "Commands were sent in the wrong order.";
    case 504:
      return "This parameter or mechanism is not supported.";
    case 530:
      return "The server requires the client to log in (AUTH) first.";
    case 535:
      return "The login failed: wrong user name or password.";
    case 550:
      return "The mailbox does not exist or is unavailable: permanent failure.";
    case 551:
      return "The user is not local and the server will not forward.";
    case 552:
      return "The message is too big or the mailbox is full: permanent failure.";
    case 553:
      return "The mailbox name is not allowed.";
    case 554:
      return "The transaction failed (for example, relaying is not allowed).";
    case 555:
      return "A MAIL or RCPT parameter is not recognised.";
    default:
      break;
  }
  if (code >= 200 && code < 300) return "Success.";
  if (code >= 300 && code < 400) return "The server waits for more input.";
  if (code >= 400 && code < 500) return "Temporary failure; the client may try again later.";
  return "Permanent failure; retrying will not help.";
}

std::string describe_capability(std::string_view line) {
  std::string key;
  for (char c : line) {
    if (c == ' ' || c == '=') break;
    key += (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c;
  }
  if (key == "PIPELINING")
    return "Extension PIPELINING: the client may send several commands without waiting for "
           "each reply (RFC 2920).";
  if (key == "SIZE")
    return "Extension SIZE: the largest message, in octets, that the server accepts (RFC 1870).";
  if (key == "8BITMIME")
    return "Extension 8BITMIME: the server accepts message content with 8-bit bytes (RFC 6152).";
  if (key == "ENHANCEDSTATUSCODES")
    return "Extension ENHANCEDSTATUSCODES: replies carry a detailed x.y.z status code "
           "(RFC 2034, RFC 3463).";
  if (key == "AUTH")
    return "Extension AUTH: the client may log in with these mechanisms (RFC 4954).";
  if (key == "STARTTLS")
    return "Extension STARTTLS: the client may switch the connection to TLS encryption "
           "(RFC 3207).";
  if (key == "SMTPUTF8") return "Extension SMTPUTF8: addresses may contain UTF-8 (RFC 6531).";
  if (key == "CHUNKING") return "Extension CHUNKING: the BDAT command is available (RFC 3030).";
  if (key == "DSN") return "Extension DSN: delivery status notifications on request (RFC 3461).";
  if (key == "HELP") return "The server answers the HELP command.";
  return "An extension the server supports: " + key + ".";
}

std::string Reply::summary() const {
  std::string s = std::to_string(code);
  if (!enhanced.empty()) s += " " + enhanced;
  for (const auto& l : lines) s += " " + l;
  return s;
}

}  // namespace net::smtp

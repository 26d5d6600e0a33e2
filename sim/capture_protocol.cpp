#include "sim/capture_protocol.hpp"

#include <cctype>
#include <charconv>

#include "sim/capture_describe.hpp"

namespace sim {

namespace {

// A line longer than this without CRLF is cut here (no mail protocol allows one).
constexpr std::size_t kMaxLine = 1 << 20;

// IMAP: the octet count of a literal that ends the line, "{123}" or "{123+}" (RFC 3501
// §4.3, RFC 7888), or -1.
std::int64_t literal_at_end(std::string_view line) {
  if (line.empty() || line.back() != '}') return -1;
  const auto open = line.rfind('{');
  if (open == std::string_view::npos) return -1;
  std::string_view n = line.substr(open + 1, line.size() - open - 2);
  if (!n.empty() && n.back() == '+') n.remove_suffix(1);
  std::uint64_t v = 0;
  auto [end, ec] = std::from_chars(n.data(), n.data() + n.size(), v);
  if (n.empty() || ec != std::errc() || end != n.data() + n.size() || v > (1ull << 40)) return -1;
  return static_cast<std::int64_t>(v);
}

bool pop3_multiline(const std::string& cmd) {
  const std::string verb = command_verb(Proto::Pop3, cmd);
  const bool has_arg = cmd.find(' ') != std::string::npos;
  return verb == "RETR" || verb == "TOP" || verb == "CAPA" ||
         ((verb == "LIST" || verb == "UIDL") && !has_arg);
}

std::string after_words(const std::string& line, int n) {
  std::size_t pos = 0;
  for (int i = 0; i < n && pos != std::string::npos; ++i) {
    pos = line.find(' ', pos);
    if (pos != std::string::npos) ++pos;
  }
  return pos == std::string::npos ? std::string() : line.substr(pos);
}

net::LineEvent make(bool from_client, net::LineKind kind, std::string text, LineDescription d) {
  net::LineEvent e;
  e.sent = from_client;
  e.kind = kind;
  e.text = std::move(text);
  e.label = std::move(d.label);
  e.meaning = std::move(d.meaning);
  e.rfc = std::move(d.rfc);
  return e;
}

}  // namespace

CaptureProtocol::CaptureProtocol(Proto proto, bool implicit_tls) : proto_(proto) {
  if (implicit_tls) start_tls();
}

void CaptureProtocol::start_tls() {
  client_.tls = server_.tls = true;
}

void CaptureProtocol::feed(bool from_client, std::string_view bytes,
                           std::vector<CapturedItem>& out) {
  Side& s = from_client ? client_ : server_;
  if (s.tls) {
    // Bytes held back before the switch to TLS belong to the first record.
    std::string all = std::move(s.buf);
    s.buf.clear();
    all.append(bytes);
    std::vector<TlsNote> notes;
    s.records.feed(all, notes);
    for (auto& n : notes) out.push_back({from_client, std::move(n)});
    return;
  }
  s.buf.append(bytes);
  std::size_t pos = 0;
  while (pos < s.buf.size() && !s.tls) {
    if (s.literal_left > 0) {
      const auto take =
          static_cast<std::size_t>(std::min<std::uint64_t>(s.literal_left, s.buf.size() - pos));
      s.literal.append(s.buf, pos, take);
      pos += take;
      s.literal_left -= take;
      if (s.literal_left > 0) break;
      const std::string n = std::to_string(s.literal_size);
      std::string what = "The ";
      what += n;
      what += " octets announced by {";
      what += n;
      what += "}.";
      LineDescription d{"literal", std::move(what), "RFC 3501 §4.3"};
      if (proto_ == Proto::Smtp)  // a BDAT chunk: no CRLF ends it, a new command follows
        d = {"BDAT", "The " + n + " octets of message data announced by BDAT.", "RFC 3030 §2"};
      auto e = make(from_client, net::LineKind::Data, std::move(s.literal), std::move(d));
      if (from_client && in_auth_) e.secret = e.text;
      out.push_back({from_client, std::move(e)});
      s.literal.clear();
      continue;
    }
    const auto nl = s.buf.find('\n', pos);
    if (nl == std::string::npos) {
      if (s.buf.size() - pos < kMaxLine) break;
      line(from_client, s.buf.substr(pos, kMaxLine), out);
      pos += kMaxLine;
      continue;
    }
    std::string text = s.buf.substr(pos, nl - pos);
    if (!text.empty() && text.back() == '\r') text.pop_back();
    pos = nl + 1;
    line(from_client, std::move(text), out);
  }
  std::string rest = s.buf.substr(pos);
  s.buf.clear();
  // After STARTTLS is accepted, whatever follows in the buffers is TLS.
  if (s.tls && !rest.empty()) {
    feed(from_client, rest, out);
  } else {
    s.buf = std::move(rest);
  }
}

void CaptureProtocol::line(bool from_client, std::string text, std::vector<CapturedItem>& out) {
  Side& s = from_client ? client_ : server_;
  const std::size_t before = out.size();
  if (from_client)
    client_line(std::move(text), out);
  else
    server_line(std::move(text), out);
  // An IMAP line ending in {N} is followed by N octets of literal, then the line goes on.
  if (proto_ == Proto::Imap && out.size() > before && !s.tls) {
    const auto& last = std::get<net::LineEvent>(out.back().what);
    const auto n = literal_at_end(last.text);
    if (n > 0) {
      s.literal_left = s.literal_size = static_cast<std::uint64_t>(n);
      s.literal_label = last.label;
    }
  }
}

void CaptureProtocol::client_line(std::string text, std::vector<CapturedItem>& out) {
  if (client_.multi) {  // SMTP message content, until a line with a single dot
    if (text == ".") client_.multi = false;
    out.push_back({true, make(true, net::LineKind::Data, std::move(text), {})});
    return;
  }
  if (!client_.literal_label.empty()) {
    // The rest of an IMAP command after a literal (nothing more, for APPEND).
    if (text.empty()) {
      client_.literal_label.clear();
      return;
    }
    auto e = make(true, net::LineKind::Command, std::move(text), {client_.literal_label, "", ""});
    client_.literal_label.clear();
    out.push_back({true, std::move(e)});
    return;
  }
  if (in_auth_) {
    // A SASL response (base64) or "*" to cancel: a credential (RFC 4954 §4, RFC 5034 §4,
    // RFC 3501 §6.2.2).
    auto e = make(true, net::LineKind::Command, text,
                  {"", "The client answers the authentication challenge.", ""});
    e.secret = text;
    out.push_back({true, std::move(e)});
    return;
  }
  auto d = describe_command(proto_, text);
  const std::string verb = d.label;
  auto e = make(true, net::LineKind::Command, text, std::move(d));
  if (verb == "AUTH" || verb == "AUTHENTICATE") {
    in_auth_ = true;
    e.secret = after_words(text, proto_ == Proto::Imap ? 3 : 2);  // an initial response
  } else if (verb == "PASS" && proto_ == Proto::Pop3) {
    e.secret = after_words(text, 1);
  } else if (verb == "LOGIN" && proto_ == Proto::Imap) {
    e.secret = after_words(text, 3);
  } else if (verb == "STARTTLS" || verb == "STLS") {
    starttls_tag_ = proto_ == Proto::Imap ? text.substr(0, text.find(' ')) : "-";
  } else if (verb == "DATA" && proto_ == Proto::Smtp) {
    data_asked_ = true;
  } else if (verb == "BDAT" && proto_ == Proto::Smtp) {
    // BDAT <size> [LAST]: exactly <size> octets of the message follow (RFC 3030 §2).
    const std::string size = after_words(text, 1);
    std::uint64_t n = 0;
    const auto [end, ec] = std::from_chars(size.data(), size.data() + size.size(), n);
    if (ec == std::errc() && n > 0 && n <= (1ull << 40) &&
        (end == size.data() + size.size() || *end == ' '))
      client_.literal_left = client_.literal_size = n;
  }
  if (proto_ == Proto::Pop3) pending_.push_back(text);
  out.push_back({true, std::move(e)});
}

void CaptureProtocol::server_line(std::string text, std::vector<CapturedItem>& out) {
  if (server_.multi) {  // POP3 multi-line response, until a line with a single dot
    if (text == ".") server_.multi = false;
    out.push_back({false, make(false, net::LineKind::Data, std::move(text), {})});
    return;
  }
  if (!server_.literal_label.empty()) {
    auto e = make(false, net::LineKind::Reply, std::move(text), {server_.literal_label, "", ""});
    server_.literal_label.clear();
    out.push_back({false, std::move(e)});
    return;
  }
  auto d = describe_reply(proto_, text, !greeted_);
  const bool greeting = !greeted_;
  greeted_ = true;
  bool tls_now = false;
  if (proto_ == Proto::Smtp) {
    const bool last = text.size() < 4 || text[3] != '-';  // of a multi-line reply
    if (last && !greeting) {
      if (in_auth_ && d.label != "334") in_auth_ = false;
      if (data_asked_ && d.label == "354") {
        data_asked_ = false;
        client_.multi = true;
      }
      if (!starttls_tag_.empty() && !d.label.empty() && d.label[0] != '2' && d.label[0] != '3')
        starttls_tag_.clear();  // refused
      if (!starttls_tag_.empty() && d.label == "220") tls_now = true;
    }
  } else if (proto_ == Proto::Pop3 && !greeting) {
    if (d.label == "+OK" || d.label == "-ERR") {
      const std::string cmd = pending_.empty() ? std::string() : pending_.front();
      if (!pending_.empty()) pending_.pop_front();
      in_auth_ = false;
      if (d.label == "+OK" && pop3_multiline(cmd)) server_.multi = true;
      if (!starttls_tag_.empty() && command_verb(Proto::Pop3, cmd) == "STLS") {
        tls_now = d.label == "+OK";
        starttls_tag_.clear();
      }
    }
  } else if (proto_ == Proto::Imap && !greeting) {
    const std::string tag = text.substr(0, text.find(' '));
    if (tag != "*" && tag != "+") {
      in_auth_ = false;
      if (tag == starttls_tag_) {
        tls_now = d.label == "OK";
        starttls_tag_.clear();
      }
    }
  }
  out.push_back({false, make(false, net::LineKind::Reply, std::move(text), std::move(d))});
  if (tls_now) start_tls();
}

std::size_t CaptureProtocol::gap(bool from_client) {
  Side& s = from_client ? client_ : server_;
  if (s.tls) {
    s.records.gap();
    return 0;
  }
  const std::size_t dropped = s.buf.size() + s.literal.size();
  s.buf.clear();
  s.literal.clear();
  s.literal_left = 0;
  s.literal_label.clear();
  return dropped;
}

std::size_t CaptureProtocol::unfinished(bool from_client) const {
  const Side& s = from_client ? client_ : server_;
  return s.tls ? 0 : s.buf.size() + s.literal.size();
}

}  // namespace sim

#include "net/imap/envelope.hpp"

#include <optional>

#include "net/imap/parser.hpp"
#include "net/imap/response.hpp"
#include "net/message/message.hpp"

namespace net::imap {

namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::string unquote(std::string_view s) {
  s = trim(s);
  if (s.size() >= 2 && s.front() == '"' && s.back() == '"') {
    std::string out;
    for (size_t i = 1; i + 1 < s.size(); ++i) {
      if (s[i] == '\\' && i + 2 < s.size()) ++i;
      out += s[i];
    }
    return out;
  }
  return std::string(s);
}

// Splits at top-level commas: not inside quotes, <...> or (...).
std::vector<std::string_view> split_addresses(std::string_view v) {
  std::vector<std::string_view> out;
  int depth = 0;
  bool quoted = false, angle = false;
  size_t start = 0;
  for (size_t i = 0; i < v.size(); ++i) {
    char c = v[i];
    if (quoted) {
      if (c == '\\')
        ++i;
      else if (c == '"')
        quoted = false;
    } else if (c == '"') {
      quoted = true;
    } else if (c == '(') {
      ++depth;
    } else if (c == ')' && depth > 0) {
      --depth;
    } else if (c == '<') {
      angle = true;
    } else if (c == '>') {
      angle = false;
    } else if (c == ',' && depth == 0 && !angle) {
      out.push_back(v.substr(start, i - start));
      start = i + 1;
    }
  }
  out.push_back(v.substr(start));
  return out;
}

std::string one_address(std::string_view item) {
  item = trim(item);
  std::string name, addr;
  size_t lt = item.find('<');
  if (lt != std::string_view::npos) {
    size_t gt = item.find('>', lt);
    name = unquote(item.substr(0, lt));
    addr = std::string(item.substr(lt + 1, gt == std::string_view::npos ? gt : gt - lt - 1));
  } else {
    size_t lp = item.find('(');
    if (lp != std::string_view::npos) {
      size_t rp = item.find(')', lp);
      name =
          std::string(trim(item.substr(lp + 1, rp == std::string_view::npos ? rp : rp - lp - 1)));
      addr = std::string(trim(item.substr(0, lp)));
    } else {
      addr = std::string(item);
    }
  }
  size_t at = addr.rfind('@');
  std::string mailbox = at == std::string::npos ? addr : addr.substr(0, at);
  std::optional<std::string> host;
  if (at != std::string::npos) host = addr.substr(at + 1);
  std::optional<std::string> n;
  if (!name.empty()) n = name;
  return "(" + nstring(n) + " NIL " + quote(mailbox) + " " + nstring(host) + ")";
}

// An address list (RFC 3501 §7.4.2 ENVELOPE); groups become start/end markers.
std::string address_list(const std::optional<std::string>& value) {
  if (!value || trim(*value).empty()) return "NIL";
  std::string out = "(";
  for (auto item : split_addresses(*value)) {
    item = trim(item);
    if (item.empty()) continue;
    size_t colon = item.find(':');
    size_t q = item.find_first_of("\"<");
    if (colon != std::string_view::npos && (q == std::string_view::npos || colon < q)) {
      out += "(NIL NIL " + quote(unquote(item.substr(0, colon))) + " NIL)";
      item = trim(item.substr(colon + 1));
    }
    bool end_group = !item.empty() && item.back() == ';';
    if (end_group) item = trim(item.substr(0, item.size() - 1));
    if (!item.empty()) out += one_address(item);
    if (end_group) out += "(NIL NIL NIL NIL)";
  }
  out += ")";
  return out == "()" ? "NIL" : out;
}

struct ContentType {
  std::string type = "TEXT", subtype = "PLAIN";
  std::vector<std::pair<std::string, std::string>> params;
};

ContentType content_type(const std::optional<std::string>& v) {
  ContentType ct;
  if (!v) {
    ct.params.push_back({"CHARSET", "us-ascii"});
    return ct;
  }
  std::string_view s = *v;
  size_t semi = s.find(';');
  std::string_view mt = trim(s.substr(0, semi));
  size_t slash = mt.find('/');
  if (slash != std::string_view::npos) {
    ct.type = to_upper(trim(mt.substr(0, slash)));
    ct.subtype = to_upper(trim(mt.substr(slash + 1)));
  }
  while (semi != std::string_view::npos) {
    s.remove_prefix(semi + 1);
    semi = s.find(';');
    std::string_view p = trim(s.substr(0, semi));
    size_t eq = p.find('=');
    if (eq == std::string_view::npos) continue;
    ct.params.push_back({to_upper(trim(p.substr(0, eq))), unquote(p.substr(eq + 1))});
  }
  return ct;
}

}  // namespace

HeaderBody split_message(std::string_view m) {
  if (m.substr(0, 2) == "\r\n") return {m.substr(0, 2), m.substr(2)};
  size_t e = m.find("\r\n\r\n");
  if (e != std::string_view::npos) return {m.substr(0, e + 4), m.substr(e + 4)};
  return {m, {}};
}

std::string header_fields(std::string_view header, const std::vector<std::string>& names,
                          bool negate) {
  std::string out;
  bool keep = false;
  size_t pos = 0;
  while (pos < header.size()) {
    size_t e = header.find("\r\n", pos);
    size_t end = e == std::string_view::npos ? header.size() : e + 2;
    std::string_view line = header.substr(pos, end - pos);
    pos = end;
    if (line == "\r\n") break;
    if (line.front() != ' ' && line.front() != '\t') {
      size_t colon = line.find(':');
      std::string_view name = trim(line.substr(0, colon));
      bool listed = false;
      for (const auto& n : names) listed = listed || iequals(n, name);
      keep = listed != negate;
    }
    if (keep) out.append(line);
  }
  out += "\r\n";
  return out;
}

std::string envelope(std::string_view message) {
  auto m = message::Message::parse(message);
  auto from = m.get("From");
  auto sender = m.get("Sender");
  auto reply_to = m.get("Reply-To");
  std::string from_list = address_list(from);
  std::string out = "(";
  out += nstring(m.get("Date")) + " ";
  out += nstring(m.get("Subject")) + " ";
  out += from_list + " ";
  // Sender and Reply-To default to From (RFC 3501 §7.4.2).
  out += (sender ? address_list(sender) : from_list) + " ";
  out += (reply_to ? address_list(reply_to) : from_list) + " ";
  out += address_list(m.get("To")) + " ";
  out += address_list(m.get("Cc")) + " ";
  out += address_list(m.get("Bcc")) + " ";
  out += nstring(m.get("In-Reply-To")) + " ";
  out += nstring(m.get("Message-ID")) + ")";
  return out;
}

namespace {

std::string params_list(const std::vector<std::pair<std::string, std::string>>& ps) {
  if (ps.empty()) return "NIL";
  std::string out = "(";
  for (size_t i = 0; i < ps.size(); ++i) {
    if (i) out += ' ';
    out += quote(ps[i].first) + " " + quote(ps[i].second);
  }
  return out + ")";
}

// body-fld-dsp (RFC 3501 §9, RFC 2183): ("attachment" ("FILENAME" "a.pdf")) or NIL.
std::string disposition(const std::optional<std::string>& v) {
  if (!v || trim(*v).empty()) return "NIL";
  std::string_view s = *v;
  size_t semi = s.find(';');
  std::string type(trim(s.substr(0, semi)));
  std::vector<std::pair<std::string, std::string>> ps;
  while (semi != std::string_view::npos) {
    s.remove_prefix(semi + 1);
    semi = s.find(';');
    std::string_view p = trim(s.substr(0, semi));
    size_t eq = p.find('=');
    if (eq != std::string_view::npos)
      ps.push_back({to_upper(trim(p.substr(0, eq))), unquote(p.substr(eq + 1))});
  }
  return "(" + quote(type) + " " + params_list(ps) + ")";
}

// disposition language location (RFC 3501 §9 body-ext-1part / body-ext-mpart, after md5
// or the parameters).
std::string ext_tail(const message::Message& h) {
  return disposition(h.get("Content-Disposition")) + " " + nstring(h.get("Content-Language")) +
         " " + nstring(h.get("Content-Location"));
}

size_t count_lines(std::string_view body) {
  size_t lines = 0;
  for (char c : body) lines += c == '\n';
  if (!body.empty() && body.back() != '\n') ++lines;
  return lines;
}

std::string structure(const MimePart& p, bool ext) {
  if (p.multipart()) {
    std::string out = "(";
    for (const auto& c : p.parts) out += structure(c, ext);
    out += " " + quote(p.subtype);
    if (ext) out += " " + params_list(p.params) + " " + ext_tail(message::Message::parse(p.header));
    return out + ")";
  }
  auto h = message::Message::parse(p.header);
  auto cte = h.get("Content-Transfer-Encoding");
  std::string out = "(" + quote(p.type) + " " + quote(p.subtype) + " " + params_list(p.params) +
                    " " + nstring(h.get("Content-ID")) + " " +
                    nstring(h.get("Content-Description")) + " " +
                    quote(cte ? to_upper(*cte) : "7BIT") + " " + std::to_string(p.body.size());
  if (p.encapsulated()) {
    out += " " + envelope(p.body) + " " + structure(p.parts[0], ext) + " " +
           std::to_string(count_lines(p.body));
  } else if (p.type == "TEXT") {
    out += " " + std::to_string(count_lines(p.body));
  }
  if (ext) out += " " + nstring(h.get("Content-MD5")) + " " + ext_tail(h);
  return out + ")";
}

// The parts between "--boundary" lines (RFC 2046 §5.1.1); the CRLF before a delimiter
// belongs to the delimiter.
std::vector<std::string_view> split_multipart(std::string_view body, const std::string& b) {
  std::vector<std::string_view> out;
  const std::string dash = "--" + b;
  size_t pos = 0;
  size_t part_start = std::string_view::npos;
  while (pos <= body.size()) {
    size_t e = body.find("\r\n", pos);
    size_t line_end = e == std::string_view::npos ? body.size() : e;
    std::string_view line = body.substr(pos, line_end - pos);
    while (!line.empty() && (line.back() == ' ' || line.back() == '\t')) line.remove_suffix(1);
    bool close = line == dash + "--";
    if (line == dash || close) {
      if (part_start != std::string_view::npos) {
        size_t end = pos >= 2 ? pos - 2 : pos;
        out.push_back(body.substr(part_start, end >= part_start ? end - part_start : 0));
      }
      if (close) break;
      part_start = e == std::string_view::npos ? body.size() : e + 2;
    }
    if (e == std::string_view::npos) break;
    pos = e + 2;
  }
  return out;
}

}  // namespace

MimePart parse_mime(std::string_view entity, int depth) {
  MimePart p;
  HeaderBody hb = split_message(entity);
  if (entity.substr(0, 2) == "\r\n") hb = {entity.substr(0, 2), entity.substr(2)};
  p.header = hb.header;
  p.body = hb.body;
  auto h = message::Message::parse(p.header);
  ContentType ct = content_type(h.get("Content-Type"));
  p.type = ct.type;
  p.subtype = ct.subtype;
  p.params = ct.params;
  if (depth >= 8) return p;
  if (p.type == "MULTIPART") {
    std::string boundary;
    for (const auto& [k, v] : p.params)
      if (k == "BOUNDARY") boundary = v;
    if (!boundary.empty())
      for (auto part : split_multipart(p.body, boundary))
        p.parts.push_back(parse_mime(part, depth + 1));
  } else if (p.type == "MESSAGE" && p.subtype == "RFC822") {
    p.parts.push_back(parse_mime(p.body, depth + 1));
  }
  return p;
}

const MimePart* find_part(const MimePart& root, const std::vector<uint32_t>& path) {
  const MimePart* p = &root;
  for (uint32_t n : path) {
    if (p->encapsulated()) p = p->parts.data();  // numbers inside message/rfc822 (§6.4.5)
    if (p->multipart()) {
      if (n == 0 || n > p->parts.size()) return nullptr;
      p = &p->parts[n - 1];
    } else if (n != 1) {
      return nullptr;
    }
  }
  return p;
}

std::string body_structure(std::string_view message, bool extensible) {
  return structure(parse_mime(message), extensible);
}

}  // namespace net::imap

#include "gui/message_anatomy.hpp"

#include <algorithm>
#include <cctype>
#include <string_view>

#include "net/base64.hpp"
#include "net/imap/envelope.hpp"

namespace mailsim {

namespace {

bool starts_with_nocase(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(s[i])) !=
        std::tolower(static_cast<unsigned char>(prefix[i])))
      return false;
  return true;
}

bool equal_nocase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && starts_with_nocase(a, b);
}

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string trim(std::string_view s) {
  std::size_t a = 0, b = s.size();
  while (a < b && std::isspace(static_cast<unsigned char>(s[a]))) ++a;
  while (b > a && std::isspace(static_cast<unsigned char>(s[b - 1]))) --b;
  return std::string(s.substr(a, b - a));
}

// The octet count of an IMAP literal that ends a line: "{724}" or "{320+}".
std::optional<std::size_t> literal_size(const std::string& line) {
  if (line.empty() || line.back() != '}') return std::nullopt;
  auto open = line.rfind('{');
  if (open == std::string::npos) return std::nullopt;
  std::string n = line.substr(open + 1, line.size() - open - 2);
  if (!n.empty() && n.back() == '+') n.pop_back();
  if (n.empty() || !std::all_of(n.begin(), n.end(), [](char c) { return std::isdigit(c); }))
    return std::nullopt;
  return static_cast<std::size_t>(std::stoull(n));
}

// Header fields of a header block (unfolded): name, value, and the index of the first line.
struct RawField {
  std::string name, value;
  std::size_t line = 0;
};
std::vector<RawField> header_fields(std::string_view header, std::size_t* line_count = nullptr) {
  std::vector<RawField> out;
  std::size_t pos = 0, n = 0;
  while (pos < header.size()) {
    std::size_t end = header.find('\n', pos);
    if (end == std::string_view::npos) end = header.size();
    std::string_view line = header.substr(pos, end - pos);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    pos = end + 1;
    if (line.empty()) break;
    if ((line[0] == ' ' || line[0] == '\t') && !out.empty()) {
      out.back().value += std::string(line);
    } else if (auto colon = line.find(':'); colon != std::string_view::npos) {
      out.push_back({trim(line.substr(0, colon)), std::string(line.substr(colon + 1)), n});
    }
    ++n;
  }
  for (auto& f : out) f.value = trim(f.value);
  if (line_count) *line_count = n;
  return out;
}

std::string field_of(std::string_view header, std::string_view name) {
  for (const auto& f : header_fields(header))
    if (equal_nocase(f.name, name)) return f.value;
  return "";
}

// A short one-line preview of decoded text; "" when it is not text.
std::string preview_of(const std::string& decoded, bool is_text) {
  std::string out;
  bool space = false;
  for (unsigned char c : decoded) {
    if (c == '\r' || c == '\n' || c == '\t' || c == ' ') {
      space = !out.empty();
      continue;
    }
    if (c < 0x20 || c == 0x7f) {
      if (!is_text) return "";
      continue;
    }
    if (space) out += ' ';
    space = false;
    out += static_cast<char>(c);
    if (out.size() >= 120) {
      // Do not cut a UTF-8 sequence in half.
      while (!out.empty() && (static_cast<unsigned char>(out.back()) & 0xC0) == 0x80)
        out.pop_back();
      if (!out.empty() && (static_cast<unsigned char>(out.back()) & 0x80)) out.pop_back();
      return out + "...";
    }
  }
  return out;
}

void walk(const net::imap::MimePart& p, int depth, const std::string& path,
          std::vector<AnatomyPart>& out) {
  AnatomyPart a;
  a.depth = depth;
  a.path = path;
  a.type = lower(p.type);
  a.subtype = lower(p.subtype);
  for (const auto& [k, v] : p.params) a.params.push_back({lower(k), v});
  a.encoding = lower(field_of(p.header, "Content-Transfer-Encoding"));
  a.disposition = field_of(p.header, "Content-Disposition");
  a.size = p.body.size();
  if (!p.multipart() && !p.encapsulated())
    a.preview = preview_of(decode_body(std::string(p.body), a.encoding), a.type == "text");
  out.push_back(std::move(a));
  for (std::size_t i = 0; i < p.parts.size(); ++i)
    walk(p.parts[i], depth + 1,
         path.empty() ? std::to_string(i + 1) : path + "." + std::to_string(i + 1), out);
}

}  // namespace

std::vector<CarriedMessage> carried_messages(const Scene& scene, std::uint32_t conn) {
  std::vector<std::size_t> idx;
  for (std::size_t i : scene.lines)
    if (const auto* l = std::get_if<sim::LineEv>(&scene.event(i).p); l && l->conn == conn)
      idx.push_back(i);
  auto line = [&](std::size_t k) -> const sim::LineEv& {
    return std::get<sim::LineEv>(scene.event(idx[k]).p);
  };
  std::vector<CarriedMessage> out;
  std::vector<std::pair<std::string, std::size_t>> envelope;
  std::size_t last_command = SIZE_MAX;  // position in idx of the last client command
  for (std::size_t k = 0; k < idx.size();) {
    const sim::LineEv& l = line(k);
    if (!l.data) {
      if (l.from_client) {
        last_command = k;
        if (l.proto == sim::Proto::Smtp && starts_with_nocase(l.text, "MAIL FROM")) {
          envelope.clear();
          envelope.push_back({l.text, idx[k]});
        } else if (l.proto == sim::Proto::Smtp && starts_with_nocase(l.text, "RCPT TO")) {
          envelope.push_back({l.text, idx[k]});
        }
      }
      ++k;
      continue;
    }
    // A run of data lines in one direction.
    std::size_t j = k;
    while (j < idx.size() && line(j).data && line(j).from_client == l.from_client) ++j;
    const std::size_t run_start = k;
    k = j;
    if (run_start == 0) continue;
    const sim::LineEv& before = line(run_start - 1);
    CarriedMessage m;
    m.conn = conn;
    m.proto = l.proto;
    bool stuffed = false;
    std::optional<std::size_t> limit;
    if (l.proto == sim::Proto::Smtp) {
      if (before.from_client || before.text.rfind("354", 0) != 0 || last_command == SIZE_MAX)
        continue;
      m.command = idx[last_command];
      m.command_text = line(last_command).text;
      m.envelope = envelope;
      stuffed = true;
    } else if (l.proto == sim::Proto::Pop3) {
      if (before.from_client || before.text.rfind("+OK", 0) != 0 || last_command == SIZE_MAX)
        continue;
      const std::string& cmd = line(last_command).text;
      if (!starts_with_nocase(cmd, "RETR") && !starts_with_nocase(cmd, "TOP")) continue;
      m.command = idx[last_command];
      m.command_text = cmd;
      stuffed = true;
    } else if (l.proto == sim::Proto::Imap) {
      limit = literal_size(before.text);
      if (!limit) continue;
      const std::string up = lower(before.text);
      if (up.find("body[") == std::string::npos && up.find("rfc822") == std::string::npos &&
          up.find("append") == std::string::npos)
        continue;
      m.command = idx[run_start - 1];
      m.command_text = before.text;
    } else {
      continue;
    }
    std::size_t end = j;
    if (stuffed && end > run_start && line(end - 1).text == ".") --end;
    for (std::size_t q = run_start; q < end; ++q) {
      std::string_view t = line(q).text;
      if (stuffed && !t.empty() && t[0] == '.') t.remove_prefix(1);
      if (limit && m.text.size() >= *limit) break;
      m.text.append(t);
      m.text += "\r\n";
      m.lines.push_back(idx[q]);
    }
    if (limit && m.text.size() > *limit) m.text.resize(*limit);
    out.push_back(std::move(m));
  }
  return out;
}

std::optional<CarriedMessage> message_at(const Scene& scene, std::size_t at) {
  if (at >= scene.trace->size()) return std::nullopt;
  std::uint32_t conn = 0;
  const auto& p = scene.event(at).p;
  if (const auto* l = std::get_if<sim::LineEv>(&p)) conn = l->conn;
  if (const auto* s = std::get_if<sim::SegmentEv>(&p)) conn = s->conn;
  if (const auto* c = std::get_if<sim::ConnEv>(&p)) conn = c->conn;
  if (conn == 0) return std::nullopt;
  auto all = carried_messages(scene, conn);
  if (all.empty()) return std::nullopt;
  const CarriedMessage* best = nullptr;
  for (const auto& m : all) {
    const std::size_t first = std::min(m.command, m.lines.empty() ? m.command : m.lines.front());
    const std::size_t last = m.lines.empty() ? m.command : m.lines.back();
    if (first <= at && at <= last) return m;
    if (first <= at) best = &m;
  }
  return best ? *best : all.front();
}

std::optional<CarriedMessage> message_near(const Scene& scene, std::size_t at, std::size_t upto) {
  if (auto m = message_at(scene, at)) return m;
  for (std::size_t k = Scene::passed(scene.lines, upto); k-- > 0;) {
    const std::size_t i = scene.lines[k];
    const auto& l = std::get<sim::LineEv>(scene.event(i).p);
    if (!l.data) continue;
    if (auto m = message_at(scene, i); m && !m->lines.empty() && m->lines.front() <= i) return m;
  }
  return std::nullopt;
}

std::string Anatomy::get(const std::string& name) const {
  for (const auto& f : fields)
    if (equal_nocase(f.name, name)) return f.value;
  return "";
}

ReceivedHop parse_received(const std::string& value) {
  ReceivedHop h;
  std::string clauses = value;
  if (auto semi = value.rfind(';'); semi != std::string::npos) {
    h.date = trim(value.substr(semi + 1));
    clauses = value.substr(0, semi);
  }
  std::string* cur = nullptr;
  std::size_t i = 0;
  while (i < clauses.size()) {
    while (i < clauses.size() && std::isspace(static_cast<unsigned char>(clauses[i]))) ++i;
    if (i >= clauses.size()) break;
    std::size_t start = i;
    if (clauses[i] == '(') {  // a comment, possibly with spaces and nested parentheses
      int depth = 0;
      for (; i < clauses.size(); ++i) {
        if (clauses[i] == '(') ++depth;
        if (clauses[i] == ')' && --depth == 0) {
          ++i;
          break;
        }
      }
    } else {
      while (i < clauses.size() && !std::isspace(static_cast<unsigned char>(clauses[i]))) ++i;
    }
    std::string word = clauses.substr(start, i - start);
    const std::string key = lower(word);
    if (key == "from")
      cur = &h.from;
    else if (key == "by")
      cur = &h.by;
    else if (key == "with")
      cur = &h.with;
    else if (key == "id")
      cur = &h.id;
    else if (key == "for")
      cur = &h.for_addr;
    else if (key == "via")
      cur = nullptr;
    else if (cur)
      *cur += (cur->empty() ? "" : " ") + word;
  }
  return h;
}

std::string decode_body(const std::string& body, const std::string& encoding) {
  const std::string enc = lower(encoding);
  if (enc == "base64") {
    std::string clean;
    for (char c : body)
      if (!std::isspace(static_cast<unsigned char>(c))) clean += c;
    if (auto d = net::base64_decode(clean)) return *d;
    return body;
  }
  if (enc == "quoted-printable") {
    std::string out;
    auto hex = [](char c) -> int {
      if (c >= '0' && c <= '9') return c - '0';
      if (c >= 'A' && c <= 'F') return c - 'A' + 10;
      if (c >= 'a' && c <= 'f') return c - 'a' + 10;
      return -1;
    };
    for (std::size_t i = 0; i < body.size(); ++i) {
      if (body[i] != '=') {
        out += body[i];
        continue;
      }
      if (i + 2 < body.size() && body[i + 1] == '\r' && body[i + 2] == '\n') {
        i += 2;  // soft line break
      } else if (i + 1 < body.size() && body[i + 1] == '\n') {
        i += 1;
      } else if (i + 2 < body.size() && hex(body[i + 1]) >= 0 && hex(body[i + 2]) >= 0) {
        out += static_cast<char>(hex(body[i + 1]) * 16 + hex(body[i + 2]));
        i += 2;
      } else {
        out += '=';
      }
    }
    return out;
  }
  return body;
}

Anatomy dissect(const CarriedMessage& m) {
  Anatomy a;
  for (auto& f : header_fields(m.text, &a.header_lines))
    a.fields.push_back({f.name, f.value, f.line});
  for (std::size_t i = a.fields.size(); i-- > 0;)
    if (equal_nocase(a.fields[i].name, "Received")) {
      ReceivedHop h = parse_received(a.fields[i].value);
      h.field = i;
      a.hops.push_back(std::move(h));
    }
  walk(net::imap::parse_mime(m.text), 0, "", a.parts);
  return a;
}

}  // namespace mailsim

#include "net/message/message.hpp"

#include <cstdio>

#include "net/ascii.hpp"

namespace net::message {

namespace {

using net::ascii_iequals;

bool is_wsp(char c) {
  return c == ' ' || c == '\t';
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (is_wsp(s.front()) || s.front() == '\r' || s.front() == '\n'))
    s.remove_prefix(1);
  while (!s.empty() && (is_wsp(s.back()) || s.back() == '\r' || s.back() == '\n'))
    s.remove_suffix(1);
  return s;
}

// ftext = %d33-57 / %d59-126 (RFC 5322 §3.6.8)
bool is_ftext(char c) {
  return c >= 33 && c <= 126 && c != ':';
}

// Bare LF → CRLF; existing CRLF kept.
std::string to_crlf(std::string_view in) {
  std::string out;
  out.reserve(in.size() + in.size() / 32);
  for (size_t i = 0; i < in.size(); ++i) {
    char c = in[i];
    if (c == '\n' && (i == 0 || in[i - 1] != '\r')) out += '\r';
    out += c;
  }
  return out;
}

// Name of a header line "Name: value" (obs-optional allows WSP before ':', RFC 5322
// §4.5.3), or nullopt when the line is not a field.
std::optional<std::string_view> field_name(std::string_view line) {
  size_t colon = line.find(':');
  if (colon == std::string_view::npos || colon == 0) return std::nullopt;
  std::string_view name = line.substr(0, colon);
  while (!name.empty() && is_wsp(name.back())) name.remove_suffix(1);
  if (name.empty()) return std::nullopt;
  for (char c : name)
    if (!is_ftext(c)) return std::nullopt;
  return name;
}

Field make_field(std::string name, std::string_view value, size_t width = 78) {
  Field f;
  f.raw = fold(name, value, width);
  f.value = std::string(trim(value));
  f.name = std::move(name);
  return f;
}

// Walks the header at the top of s (RFC 5322 §2.2): calls field(name, raw) for each field,
// raw being its lines as written (a folded field's lines joined by their own line ends);
// returns where the body starts: after the blank line, or at the first line that is not a
// field. The lenient rules of Message::parse live here and only here.
template <class OnField>
size_t scan_header(std::string_view s, OnField&& field) {
  size_t pos = 0;
  size_t start = 0, end = 0;  // the open field's raw span
  std::string_view name;
  auto close = [&] {
    if (!name.empty()) field(name, s.substr(start, end - start));
    name = {};
  };
  while (pos < s.size()) {
    size_t nl = s.find('\n', pos);
    size_t next = nl == std::string_view::npos ? s.size() : nl + 1;
    size_t stop = nl == std::string_view::npos ? s.size() : nl;
    if (stop > pos && s[stop - 1] == '\r' && nl != std::string_view::npos) --stop;
    std::string_view line = s.substr(pos, stop - pos);
    if (line.empty()) {  // the blank line separating header and body (RFC 5322 §2.1)
      close();
      return next;
    }
    if (is_wsp(line.front())) {
      if (name.empty()) break;  // continuation with nothing to continue: body
      end = stop;
      pos = next;
      continue;
    }
    auto n = field_name(line);
    if (!n) break;  // not a header field: the body starts here
    close();
    name = *n;
    start = pos;
    end = stop;
    pos = next;
  }
  close();
  return pos;
}

// A field's value: after the colon, unfolded, surrounding whitespace trimmed.
std::string value_of(std::string_view raw) {
  return std::string(trim(unfold(raw.substr(raw.find(':') + 1))));
}

}  // namespace

Message Message::parse(std::string_view text) {
  Message m;
  std::string s = to_crlf(text);
  size_t body = scan_header(s, [&](std::string_view name, std::string_view raw) {
    m.fields.push_back(Field{std::string(name), value_of(raw), std::string(raw)});
  });
  m.body = s.substr(body);
  return m;
}

std::vector<std::string> header_values(std::string_view text, std::string_view name) {
  std::vector<std::string> out;
  scan_header(text, [&](std::string_view n, std::string_view raw) {
    if (ascii_iequals(n, name)) out.push_back(value_of(raw));
  });
  return out;
}

std::optional<std::string> header_value(std::string_view text, std::string_view name) {
  std::optional<std::string> out;
  scan_header(text, [&](std::string_view n, std::string_view raw) {
    if (!out && ascii_iequals(n, name)) out = value_of(raw);
  });
  return out;
}

std::string Message::serialize() const {
  std::string out;
  for (const auto& f : fields) {
    out += f.raw;
    out += "\r\n";
  }
  out += "\r\n";
  out += body;
  return out;
}

std::optional<std::string> Message::get(std::string_view name) const {
  for (const auto& f : fields)
    if (ascii_iequals(f.name, name)) return f.value;
  return std::nullopt;
}

std::vector<std::string> Message::get_all(std::string_view name) const {
  std::vector<std::string> out;
  for (const auto& f : fields)
    if (ascii_iequals(f.name, name)) out.push_back(f.value);
  return out;
}

void Message::prepend(std::string name, std::string_view value) {
  fields.insert(fields.begin(), make_field(std::move(name), value));
}

void Message::append(std::string name, std::string_view value) {
  fields.push_back(make_field(std::move(name), value));
}

std::string fold(std::string_view name, std::string_view value, size_t width) {
  std::string out(name);
  out += ':';
  size_t line_start = 0;
  // Split on single spaces; each break point is a space that becomes CRLF SP, so
  // unfolding restores the value exactly. Never break before an empty word (a line of
  // only whitespace is not allowed, RFC 5322 §3.2.2), nor before the first word of a line.
  bool have_word = false;
  size_t i = 0;
  while (true) {
    size_t sp = value.find(' ', i);
    std::string_view word = value.substr(i, sp == std::string_view::npos ? sp : sp - i);
    if (!word.empty() && have_word && out.size() - line_start + 1 + word.size() > width) {
      out += "\r\n";
      line_start = out.size();
      have_word = false;
    }
    out += ' ';
    out += word;
    if (!word.empty()) have_word = true;
    if (sp == std::string_view::npos) break;
    i = sp + 1;
  }
  return out;
}

std::string unfold(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\r' && i + 2 < text.size() && text[i + 1] == '\n' && is_wsp(text[i + 2])) {
      ++i;  // skip CR and LF
      continue;
    }
    if (text[i] == '\n' && i + 1 < text.size() && is_wsp(text[i + 1])) continue;
    out += text[i];
  }
  return out;
}

namespace {

bool is_atext(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  if (static_cast<unsigned char>(c) >= 0x80) return true;  // UTF-8 (RFC 6531), lenient
  return std::string_view("!#$%&'*+-/=?^_`{|}~").find(c) != std::string_view::npos;
}

bool is_dot_atom(std::string_view s) {
  if (s.empty() || s.front() == '.' || s.back() == '.') return false;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '.') {
      if (s[i + 1] == '.') return false;
    } else if (!is_atext(s[i])) {
      return false;
    }
  }
  return true;
}

bool is_quoted_local(std::string_view s) {
  if (s.size() < 2 || s.front() != '"' || s.back() != '"') return false;
  for (size_t i = 1; i + 1 < s.size(); ++i) {
    char c = s[i];
    if (c == '\\') {
      if (++i + 1 >= s.size()) return false;
    } else if (c == '"' || c == '\r' || c == '\n') {
      return false;
    }
  }
  return true;
}

bool is_domain(std::string_view d) {
  if (d.size() >= 2 && d.front() == '[' && d.back() == ']') {  // address literal §4.1.3
    for (char c : d.substr(1, d.size() - 2))
      if (!(is_atext(c) || c == '.' || c == ':')) return false;
    return d.size() > 2;
  }
  if (d.empty() || d.front() == '.' || d.back() == '.' || d.front() == '-') return false;
  for (size_t i = 0; i < d.size(); ++i) {
    char c = d[i];
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '.' || static_cast<unsigned char>(c) >= 0x80;
    if (!ok) return false;
    if (c == '.' && d[i + 1] == '.') return false;
  }
  return true;
}

// Removes (comments) outside quoted strings, RFC 5322 §3.2.2.
std::string strip_comments(std::string_view s) {
  std::string out;
  int depth = 0;
  bool quoted = false;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == '\\' && i + 1 < s.size() && (quoted || depth)) {
      if (!depth) {
        out += c;
        out += s[i + 1];
      }
      ++i;
      continue;
    }
    if (!depth && c == '"') quoted = !quoted;
    if (!quoted) {
      if (c == '(') {
        ++depth;
        continue;
      }
      if (c == ')' && depth) {
        --depth;
        continue;
      }
    }
    if (!depth) out += c;
  }
  return out;
}

}  // namespace

bool is_valid_address(std::string_view addr) {
  size_t at = addr.rfind('@');
  if (at == std::string_view::npos || at == 0) return false;
  std::string_view local = addr.substr(0, at);
  std::string_view domain = addr.substr(at + 1);
  if (local.size() > 64 || domain.size() > 255) return false;  // RFC 5321 §4.5.3.1
  return (is_dot_atom(local) || is_quoted_local(local)) && is_domain(domain);
}

std::optional<std::string> extract_address(std::string_view text) {
  std::string s = strip_comments(text);
  // Find '<' outside a quoted display name.
  bool quoted = false;
  size_t lt = std::string::npos;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && quoted) {
      ++i;
      continue;
    }
    if (s[i] == '"') quoted = !quoted;
    if (!quoted && s[i] == '<') {
      lt = i;
      break;
    }
  }
  std::string_view inner;
  if (lt != std::string::npos) {
    size_t gt = s.find('>', lt);
    if (gt == std::string::npos) return std::nullopt;
    inner = trim(std::string_view(s).substr(lt + 1, gt - lt - 1));
    if (inner.empty()) return std::string();  // "<>"
    if (inner.front() == '@') {               // obs source route "@a,@b:user@dom"
      size_t colon = inner.find(':');
      if (colon == std::string_view::npos) return std::nullopt;
      inner.remove_prefix(colon + 1);
    }
  } else {
    inner = trim(s);
  }
  if (!is_valid_address(inner)) return std::nullopt;
  return std::string(inner);
}

std::string domain_of(std::string_view addr) {
  size_t at = addr.rfind('@');
  if (at == std::string_view::npos) return {};
  std::string d(addr.substr(at + 1));
  for (char& c : d) c = net::ascii_lower(c);
  return d;
}

std::string local_part(std::string_view addr) {
  size_t at = addr.rfind('@');
  return std::string(at == std::string_view::npos ? addr : addr.substr(0, at));
}

std::string make_received(const ReceivedInfo& info) {
  std::string out = "from ";
  out += info.from_helo.empty() ? "unknown" : info.from_helo;
  out += " (";
  out += info.from_host.empty() ? "unknown" : info.from_host;
  if (!info.from_ip.empty()) out += " [" + info.from_ip + "]";
  out += ") by ";
  out += info.by_host;
  if (!info.with.empty()) out += " with " + info.with;
  if (!info.id.empty()) out += " id " + info.id;
  if (!info.for_addr.empty()) out += " for <" + info.for_addr + ">";
  out += "; ";
  out += info.date;
  return out;
}

std::string format_date(int64_t t) {
  // Days since 1970-01-01 to civil date (proleptic Gregorian), after H. Hinnant.
  int64_t days = t / 86400;
  int64_t secs = t % 86400;
  if (secs < 0) {
    secs += 86400;
    --days;
  }
  static const char* const kDays[] = {"Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"};
  static const char* const kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                        "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  int64_t wd = days % 7;
  if (wd < 0) wd += 7;
  int64_t z = days + 719468;
  int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  int64_t doe = z - era * 146097;
  int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t y = yoe + era * 400;
  int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  int64_t mp = (5 * doy + 2) / 153;
  int64_t d = doy - (153 * mp + 2) / 5 + 1;
  int64_t m = mp < 10 ? mp + 3 : mp - 9;
  if (m <= 2) ++y;
  char buf[64];
  std::snprintf(buf, sizeof buf, "%s, %02d %s %04lld %02d:%02d:%02d +0000", kDays[wd],
                static_cast<int>(d), kMonths[m - 1], static_cast<long long>(y),
                static_cast<int>(secs / 3600), static_cast<int>(secs / 60 % 60),
                static_cast<int>(secs % 60));
  return buf;
}

}  // namespace net::message

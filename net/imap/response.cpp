#include "net/imap/response.hpp"

#include <cstdio>

#include "net/imap/parser.hpp"

namespace net::imap {

namespace {

constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                   "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

std::optional<unsigned> month_of(std::string_view m) {
  for (unsigned i = 0; i < 12; ++i)
    if (iequals(m, kMonths[i])) return i + 1;
  return std::nullopt;
}

std::optional<int> digits(std::string_view s) {
  if (s.empty() || s.size() > 4) return std::nullopt;
  int n = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    n = n * 10 + (c - '0');
  }
  return n;
}

}  // namespace

std::string quote(std::string_view s) {
  bool literal = s.size() > 1024;
  for (char c : s) {
    unsigned char u = static_cast<unsigned char>(c);
    if (c == '\r' || c == '\n' || c == '\0' || u >= 0x80) literal = true;
  }
  if (literal) return "{" + std::to_string(s.size()) + "}\r\n" + std::string(s);
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  out += '"';
  return out;
}

std::string nstring(const std::optional<std::string>& s) {
  return s ? quote(*s) : "NIL";
}

std::string astring(std::string_view s) {
  bool atom = !s.empty() && !iequals(s, "NIL");
  for (char c : s) atom = atom && (is_atom_char(c) || c == ']');
  return atom ? std::string(s) : quote(s);
}

std::string flag_list(const std::vector<std::string>& flags) {
  std::string out = "(";
  for (size_t i = 0; i < flags.size(); ++i) {
    if (i) out += ' ';
    out += flags[i];
  }
  out += ')';
  return out;
}

int64_t days_from_civil(int64_t y, unsigned m, unsigned d) {
  // After H. Hinnant's days_from_civil.
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;
  const int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

std::string format_internal_date(int64_t t) {
  int64_t days = t / 86400;
  int64_t secs = t % 86400;
  if (secs < 0) {
    secs += 86400;
    --days;
  }
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
  char buf[48];
  std::snprintf(buf, sizeof buf, "%02d-%s-%04lld %02d:%02d:%02d +0000", static_cast<int>(d),
                kMonths[m - 1], static_cast<long long>(y), static_cast<int>(secs / 3600),
                static_cast<int>(secs / 60 % 60), static_cast<int>(secs % 60));
  return buf;
}

std::optional<int64_t> parse_search_date(std::string_view s) {
  size_t a = s.find('-');
  if (a == std::string_view::npos) return std::nullopt;
  size_t b = s.find('-', a + 1);
  if (b == std::string_view::npos) return std::nullopt;
  auto day = digits(s.substr(0, a));
  auto mon = month_of(s.substr(a + 1, b - a - 1));
  auto year = digits(s.substr(b + 1));
  if (!day || !mon || !year || s.size() - b - 1 != 4 || *day < 1 || *day > 31) return std::nullopt;
  return days_from_civil(*year, *mon, static_cast<unsigned>(*day)) * 86400;
}

std::optional<int64_t> parse_internal_date(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  size_t sp = s.find(' ');
  if (sp == std::string_view::npos) return std::nullopt;
  auto day = parse_search_date(s.substr(0, sp));
  std::string_view rest = s.substr(sp + 1);
  // "hh:mm:ss +zzzz"
  if (!day || rest.size() != 14 || rest[2] != ':' || rest[5] != ':' || rest[8] != ' ' ||
      (rest[9] != '+' && rest[9] != '-'))
    return std::nullopt;
  auto hh = digits(rest.substr(0, 2)), mm = digits(rest.substr(3, 2)),
       ss = digits(rest.substr(6, 2)), zh = digits(rest.substr(10, 2)),
       zm = digits(rest.substr(12, 2));
  if (!hh || !mm || !ss || !zh || !zm || *hh > 23 || *mm > 59 || *ss > 60) return std::nullopt;
  int64_t zone = (*zh * 60 + *zm) * 60;
  if (rest[9] == '-') zone = -zone;
  return *day + *hh * 3600 + *mm * 60 + *ss - zone;
}

}  // namespace net::imap

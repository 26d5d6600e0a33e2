// SEARCH and UID SEARCH (RFC 3501 §6.4.4): the search keys are parsed into a small tree
// and evaluated per message. Text keys match substrings case-insensitively.
#include <algorithm>
#include <memory>

#include "net/ascii.hpp"
#include "net/imap/envelope.hpp"
#include "net/imap/response.hpp"
#include "net/imap/server.hpp"
#include "net/message/message.hpp"
#include "net/store/mailstore.hpp"

namespace net::imap {

namespace {

struct Key {
  std::string op;   // upper-case key name; "AND" for a parenthesised list
  std::string arg;  // string argument / flag / header name
  std::string arg2;
  uint64_t n = 0;  // LARGER / SMALLER size, or a date as unix seconds
  SequenceSet set;
  std::vector<Key> kids;
};

std::optional<Key> parse_key(Cursor& a, int depth);

bool parse_keys(Cursor& a, Key& into, int depth, char until) {
  while (true) {
    auto k = parse_key(a, depth);
    if (!k) return false;
    into.kids.push_back(std::move(*k));
    if (until == ')' && a.eat(')')) return true;
    if (until == '\0' && a.at_end()) return true;
    if (!a.sp()) return false;
  }
}

std::optional<Key> parse_key(Cursor& a, int depth) {
  if (depth > 32) return std::nullopt;
  Key k;
  if (a.eat('(')) {
    k.op = "AND";
    if (!parse_keys(a, k, depth + 1, ')')) return std::nullopt;
    return k;
  }
  char c = a.peek();
  if ((c >= '0' && c <= '9') || c == '*') {
    auto s = a.sequence_set();
    if (!s) return std::nullopt;
    k.op = "SEQ";
    k.set = *s;
    return k;
  }
  auto w = a.atom();
  if (!w) return std::nullopt;
  k.op = to_upper(*w);
  static const char* const kPlain[] = {"ALL",     "ANSWERED",   "DELETED",   "FLAGGED",   "SEEN",
                                       "DRAFT",   "UNANSWERED", "UNDELETED", "UNFLAGGED", "UNSEEN",
                                       "UNDRAFT", "NEW",        "OLD",       "RECENT"};
  for (const char* p : kPlain)
    if (k.op == p) return k;
  static const char* const kText[] = {"FROM", "TO", "CC", "BCC", "SUBJECT", "BODY", "TEXT"};
  for (const char* p : kText) {
    if (k.op != p) continue;
    std::optional<std::string> s;
    if (!a.sp() || !(s = a.astring())) return std::nullopt;
    k.arg = *s;
    return k;
  }
  if (k.op == "KEYWORD" || k.op == "UNKEYWORD") {
    std::optional<std::string> s;
    if (!a.sp() || !(s = a.atom())) return std::nullopt;
    k.arg = *s;
    return k;
  }
  if (k.op == "HEADER") {
    std::optional<std::string> f, s;
    if (!a.sp() || !(f = a.astring()) || !a.sp() || !(s = a.astring())) return std::nullopt;
    k.arg = *f;
    k.arg2 = *s;
    return k;
  }
  if (k.op == "LARGER" || k.op == "SMALLER") {
    std::optional<uint32_t> n;
    if (!a.sp() || !(n = a.number())) return std::nullopt;
    k.n = *n;
    return k;
  }
  if (k.op == "SINCE" || k.op == "BEFORE" || k.op == "ON" || k.op == "SENTSINCE" ||
      k.op == "SENTBEFORE" || k.op == "SENTON") {
    std::optional<std::string> d;
    if (!a.sp()) return std::nullopt;
    d = a.peek() == '"' ? a.quoted() : a.atom();
    std::optional<int64_t> t = d ? parse_search_date(*d) : std::nullopt;
    if (!t) return std::nullopt;
    k.n = static_cast<uint64_t>(*t);
    return k;
  }
  if (k.op == "UID") {
    std::optional<SequenceSet> s;
    if (!a.sp() || !(s = a.sequence_set())) return std::nullopt;
    k.set = *s;
    return k;
  }
  if (k.op == "NOT") {
    if (!a.sp()) return std::nullopt;
    auto x = parse_key(a, depth + 1);
    if (!x) return std::nullopt;
    k.kids.push_back(std::move(*x));
    return k;
  }
  if (k.op == "OR") {
    for (int i = 0; i < 2; ++i) {
      if (!a.sp()) return std::nullopt;
      auto x = parse_key(a, depth + 1);
      if (!x) return std::nullopt;
      k.kids.push_back(std::move(*x));
    }
    return k;
  }
  return std::nullopt;
}

// ASCII case-insensitive substring test without copying either side (SEARCH BODY scans
// every message's text): memchr finds the candidates for the needle's first byte, in
// either case, and only those are compared.
bool contains_ci(std::string_view hay, std::string_view needle) {
  if (needle.empty()) return true;
  if (needle.size() > hay.size()) return false;
  const char first_up = ascii_upper(needle[0]), first_low = ascii_lower(needle[0]);
  const size_t last = hay.size() - needle.size();
  const auto npos = std::string_view::npos;
  size_t at_up = hay.find(first_up);
  size_t at_low = first_low == first_up ? npos : hay.find(first_low);
  while (true) {
    size_t i = std::min(at_up, at_low);
    if (i == npos || i > last) return false;
    size_t k = 1;
    while (k < needle.size() && ascii_upper(hay[i + k]) == ascii_upper(needle[k])) ++k;
    if (k == needle.size()) return true;
    if (i == at_up) {
      at_up = hay.find(first_up, i + 1);
    } else {
      at_low = hay.find(first_low, i + 1);
    }
  }
}

// The unix time of 00:00 UTC on the day containing t.
int64_t day_of(int64_t t) {
  int64_t d = t / 86400;
  if (t % 86400 < 0) --d;
  return d * 86400;
}

// RFC 5322 date "Thu, 26 Nov 2026 09:00:00 +0000" -> the day's 00:00 UTC (time ignored).
std::optional<int64_t> header_day(const std::string& v) {
  std::string_view s = v;
  size_t comma = s.find(',');
  if (comma != std::string_view::npos) s.remove_prefix(comma + 1);
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  size_t a = s.find(' ');
  if (a == std::string_view::npos) return std::nullopt;
  size_t b = s.find(' ', a + 1);
  if (b == std::string_view::npos) return std::nullopt;
  size_t c = s.find(' ', b + 1);
  std::string d = std::string(s.substr(0, a)) + "-" + std::string(s.substr(a + 1, b - a - 1)) +
                  "-" +
                  std::string(s.substr(
                      b + 1, c == std::string_view::npos ? std::string_view::npos : c - b - 1));
  return parse_search_date(d);
}

struct Ctx {
  const store::StoredMessage& m;
  uint32_t seq, max_seq, max_uid;
  std::string_view header;  // read only by the keys that need a field
  bool recent;
};

bool eval(const Key& k, const Ctx& c) {
  const auto& m = c.m;
  const std::string& op = k.op;
  if (op == "AND") {
    for (const auto& x : k.kids)
      if (!eval(x, c)) return false;
    return true;
  }
  if (op == "ALL") return true;
  if (op == "RECENT") return c.recent;
  if (op == "OLD") return !c.recent;
  if (op == "NEW") return c.recent && !m.has_flag("\\Seen");
  if (op == "ANSWERED") return m.has_flag("\\Answered");
  if (op == "DELETED") return m.has_flag("\\Deleted");
  if (op == "FLAGGED") return m.has_flag("\\Flagged");
  if (op == "SEEN") return m.has_flag("\\Seen");
  if (op == "DRAFT") return m.has_flag("\\Draft");
  if (op == "UNANSWERED") return !m.has_flag("\\Answered");
  if (op == "UNDELETED") return !m.has_flag("\\Deleted");
  if (op == "UNFLAGGED") return !m.has_flag("\\Flagged");
  if (op == "UNSEEN") return !m.has_flag("\\Seen");
  if (op == "UNDRAFT") return !m.has_flag("\\Draft");
  if (op == "KEYWORD") return m.has_flag(k.arg);
  if (op == "UNKEYWORD") return !m.has_flag(k.arg);
  if (op == "FROM" || op == "TO" || op == "CC" || op == "BCC" || op == "SUBJECT") {
    std::string name = op == "SUBJECT" ? "Subject" : op;
    for (const auto& v : message::header_values(c.header, name))
      if (contains_ci(v, k.arg)) return true;
    return false;
  }
  if (op == "HEADER") {
    for (const auto& v : message::header_values(c.header, k.arg))
      if (contains_ci(v, k.arg2)) return true;
    return false;
  }
  if (op == "BODY") return contains_ci(split_message(m.data).body, k.arg);
  if (op == "TEXT") return contains_ci(m.data, k.arg);
  if (op == "LARGER") return m.data.size() > k.n;
  if (op == "SMALLER") return m.data.size() < k.n;
  int64_t day = static_cast<int64_t>(k.n);
  if (op == "SINCE") return day_of(m.internal_date) >= day;
  if (op == "BEFORE") return day_of(m.internal_date) < day;
  if (op == "ON") return day_of(m.internal_date) == day;
  if (op == "SENTSINCE" || op == "SENTBEFORE" || op == "SENTON") {
    auto d = message::header_value(c.header, "Date");
    auto sent = d ? header_day(*d) : std::nullopt;
    if (!sent) return false;
    if (op == "SENTSINCE") return *sent >= day;
    if (op == "SENTBEFORE") return *sent < day;
    return *sent == day;
  }
  if (op == "SEQ") return k.set.contains(c.seq, c.max_seq);
  if (op == "UID") return k.set.contains(m.uid, c.max_uid);
  if (op == "NOT") return !eval(k.kids[0], c);
  if (op == "OR") return eval(k.kids[0], c) || eval(k.kids[1], c);
  return false;
}

}  // namespace

void Server::do_search(Cursor& a, bool by_uid) {
  allow_expunge_now_ = by_uid;  // no EXPUNGE while answering SEARCH (RFC 3501 §7.4.1)
  if (!a.sp()) return bad("Syntax: SEARCH [CHARSET name] criteria");
  size_t start = a.pos();
  auto w = a.atom();
  if (w && iequals(*w, "CHARSET")) {
    std::optional<std::string> cs;
    if (!a.sp() || !(cs = a.astring()) || !a.sp())
      return bad("Syntax: SEARCH [CHARSET name] criteria");
    if (!iequals(*cs, "US-ASCII") && !iequals(*cs, "UTF-8"))
      return no("[BADCHARSET (US-ASCII UTF-8)] Unsupported charset");
  } else {
    a.set_pos(start);
  }
  Key all;
  all.op = "AND";
  if (!parse_keys(a, all, 0, '\0')) return bad("Invalid search criteria");
  const store::Folder* f = current();
  std::string hits;
  uint32_t max_seq = static_cast<uint32_t>(view_.size());
  uint32_t max_uid = view_.empty() ? 0 : view_.back();
  for (uint32_t i = 0; i < view_.size(); ++i) {
    const store::StoredMessage* m = f ? f->find(view_[i]) : nullptr;
    if (!m) continue;
    const Ctx c{*m, i + 1, max_seq, max_uid, split_message(m->data).header, is_recent(m->uid)};
    if (!eval(all, c)) continue;
    hits += ' ';
    hits += std::to_string(by_uid ? m->uid : i + 1);
  }
  untagged("* SEARCH" + hits, "The numbers of the messages that match.", "RFC 3501 §7.2.5");
  ok(std::string(by_uid ? "UID " : "") + "SEARCH completed");
}

}  // namespace net::imap

#include "net/imap/value.hpp"

#include <algorithm>

#include "net/imap/parser.hpp"

namespace net::imap {

namespace {

// Characters that may appear in an atom of a server response. Lenient: list wildcards
// appear in mailbox names some servers send unquoted.
bool response_atom_char(char c) {
  return is_atom_char(c) || c == '%' || c == '*';
}

// Each parser below fills `v`, a fresh Value (lists: an element emplaced where it belongs,
// so no Value is moved), and on success moves `pos` just past what it read.

bool parse_quoted(std::string_view s, std::size_t& pos, Value& v) {
  std::size_t p = pos + 1;
  v.kind = Value::Kind::String;
  while (p < s.size()) {
    char c = s[p];
    if (c == '"') {
      pos = p + 1;
      return true;
    }
    if (c == '\r' || c == '\n') return false;
    if (c == '\\') {
      if (p + 1 >= s.size()) return false;
      c = s[++p];  // RFC 3501 §9 quoted-specials: \\ and \"
    }
    v.text += c;
    ++p;
  }
  return false;
}

bool parse_literal(std::string_view s, std::size_t& pos, Value& v) {
  std::size_t p = pos + 1;
  std::size_t n = 0, digits = 0;
  while (p < s.size() && s[p] >= '0' && s[p] <= '9' && digits < 15) {
    n = n * 10 + static_cast<std::size_t>(s[p] - '0');
    ++p;
    ++digits;
  }
  if (digits == 0) return false;
  if (p < s.size() && s[p] == '+') ++p;
  if (s.substr(p, 3) != "}\r\n") return false;
  p += 3;
  if (s.size() - p < n) return false;
  v.kind = Value::Kind::String;
  v.text.assign(s.substr(p, n));
  pos = p + n;
  return true;
}

// The end of the atom starting at `pos`, or npos when there is none.
std::size_t atom_end(std::string_view s, std::size_t pos) {
  std::size_t p = pos;
  const bool flag = p < s.size() && s[p] == '\\';
  if (flag) ++p;
  const std::size_t body = p;
  if (flag && p < s.size() && s[p] == '*') {
    ++p;  // "\*": new keywords may be created (RFC 3501 §7.1 PERMANENTFLAGS)
  } else {
    while (p < s.size()) {
      char c = s[p];
      if (c == '[') {
        // A section: up to the matching ']' (it may hold a list of header names).
        int depth = 1;
        for (++p; p < s.size(); ++p) {
          if (s[p] == '\r' || s[p] == '\n') return std::string_view::npos;
          if (s[p] == '[') ++depth;
          if (s[p] == ']' && --depth == 0) break;
        }
        if (p >= s.size()) return std::string_view::npos;
        ++p;
      } else if (response_atom_char(c)) {
        ++p;
      } else {
        break;
      }
    }
  }
  return p == body ? std::string_view::npos : p;
}

bool parse_atom(std::string_view s, std::size_t& pos, Value& v) {
  const std::size_t end = atom_end(s, pos);
  if (end == std::string_view::npos) return false;
  const std::string_view word = s.substr(pos, end - pos);
  pos = end;
  if (iequals(word, "NIL")) {
    v.kind = Value::Kind::Nil;
    return true;
  }
  v.text.assign(word);
  const bool digits = word.size() <= 19 && std::all_of(word.begin(), word.end(),
                                                       [](char c) { return c >= '0' && c <= '9'; });
  if (!digits) {
    v.kind = Value::Kind::Atom;
    return true;
  }
  v.kind = Value::Kind::Number;
  for (char c : word) v.number = v.number * 10 + static_cast<std::uint64_t>(c - '0');
  return true;
}

bool parse_at(std::string_view s, std::size_t& pos, int depth, Value& v) {
  if (pos >= s.size() || depth > 64) return false;
  char c = s[pos];
  if (c == '"') return parse_quoted(s, pos, v);
  if (c == '{') return parse_literal(s, pos, v);
  if (c != '(') return parse_atom(s, pos, v);
  std::size_t p = pos + 1;
  v.kind = Value::Kind::List;
  // One allocation for the usual lists (flags, a FETCH's items, an ENVELOPE's ten) instead of
  // growing 1, 2, 4, 8, 16 and moving the items each time.
  if (p < s.size() && s[p] != ')') v.items.reserve(10);
  while (true) {
    while (p < s.size() && s[p] == ' ') ++p;
    if (p >= s.size()) return false;
    if (s[p] == ')') {
      pos = p + 1;
      return true;
    }
    if (!parse_at(s, p, depth + 1, v.items.emplace_back())) return false;
    // Items are separated by spaces; address lists put their lists side by side
    // ("((...)(...))", RFC 3501 §9 env-to).
    if (p < s.size() && s[p] != ' ' && s[p] != ')' && s[p] != '(') return false;
  }
}

std::vector<Address> address_list(const Value& v) {
  std::vector<Address> out;
  if (!v.is_list()) return out;
  for (const auto& a : v.items) {
    if (!a.is_list() || a.items.size() != 4) continue;
    Address addr{a.items[0].str(), a.items[1].str(), a.items[2].str(), a.items[3].str()};
    out.push_back(std::move(addr));
  }
  return out;
}

}  // namespace

std::optional<std::string> Value::str() const {
  if (kind == Kind::Nil || kind == Kind::List) return std::nullopt;
  return text;
}

std::optional<Value> parse_value(std::string_view text, std::size_t& pos) {
  std::optional<Value> v(std::in_place);
  if (!parse_at(text, pos, 0, *v)) v.reset();
  return v;
}

std::vector<Value> parse_values(std::string_view text, std::size_t pos) {
  std::vector<Value> out;
  while (true) {
    while (pos < text.size() && text[pos] == ' ') ++pos;
    if (pos >= text.size()) break;
    if (out.empty()) out.reserve(4);  // a response has one to three (CAPABILITY more)
    if (!parse_at(text, pos, 0, out.emplace_back())) {
      out.pop_back();
      break;
    }
  }
  return out;
}

std::string Address::display() const {
  std::string addr = mailbox.value_or("");
  if (host) addr += "@" + *host;
  if (name && !name->empty()) return *name + " <" + addr + ">";
  return addr;
}

std::optional<Envelope> parse_envelope(const Value& v) {
  if (!v.is_list() || v.items.size() != 10) return std::nullopt;
  const auto& i = v.items;
  Envelope e;
  e.date = i[0].str();
  e.subject = i[1].str();
  e.from = address_list(i[2]);
  e.sender = address_list(i[3]);
  e.reply_to = address_list(i[4]);
  e.to = address_list(i[5]);
  e.cc = address_list(i[6]);
  e.bcc = address_list(i[7]);
  e.in_reply_to = i[8].str();
  e.message_id = i[9].str();
  return e;
}

}  // namespace net::imap

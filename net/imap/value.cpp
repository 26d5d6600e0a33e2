#include "net/imap/value.hpp"

#include "net/imap/parser.hpp"

namespace net::imap {

namespace {

// Characters that may appear in an atom of a server response. Lenient: list wildcards
// appear in mailbox names some servers send unquoted.
bool response_atom_char(char c) {
  return is_atom_char(c) || c == '%' || c == '*';
}

std::optional<Value> parse_quoted(std::string_view s, std::size_t& pos) {
  std::size_t p = pos + 1;
  Value v;
  v.kind = Value::Kind::String;
  while (p < s.size()) {
    char c = s[p];
    if (c == '"') {
      pos = p + 1;
      return v;
    }
    if (c == '\r' || c == '\n') return std::nullopt;
    if (c == '\\') {
      if (p + 1 >= s.size()) return std::nullopt;
      c = s[++p];  // RFC 3501 §9 quoted-specials: \\ and \"
    }
    v.text += c;
    ++p;
  }
  return std::nullopt;
}

std::optional<Value> parse_literal(std::string_view s, std::size_t& pos) {
  std::size_t p = pos + 1;
  std::size_t n = 0, digits = 0;
  while (p < s.size() && s[p] >= '0' && s[p] <= '9' && digits < 15) {
    n = n * 10 + static_cast<std::size_t>(s[p] - '0');
    ++p;
    ++digits;
  }
  if (digits == 0) return std::nullopt;
  if (p < s.size() && s[p] == '+') ++p;
  if (s.substr(p, 3) != "}\r\n") return std::nullopt;
  p += 3;
  if (s.size() - p < n) return std::nullopt;
  Value v;
  v.kind = Value::Kind::String;
  v.text = std::string(s.substr(p, n));
  pos = p + n;
  return v;
}

std::optional<Value> parse_atom(std::string_view s, std::size_t& pos) {
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
          if (s[p] == '\r' || s[p] == '\n') return std::nullopt;
          if (s[p] == '[') ++depth;
          if (s[p] == ']' && --depth == 0) break;
        }
        if (p >= s.size()) return std::nullopt;
        ++p;
      } else if (response_atom_char(c)) {
        ++p;
      } else {
        break;
      }
    }
  }
  if (p == body) return std::nullopt;
  Value v;
  v.text = std::string(s.substr(pos, p - pos));
  if (iequals(v.text, "NIL")) {
    v.kind = Value::Kind::Nil;
    v.text.clear();
  } else {
    bool digits = v.text.size() <= 19;
    for (char c : v.text) digits = digits && c >= '0' && c <= '9';
    if (digits) {
      v.kind = Value::Kind::Number;
      for (char c : v.text) v.number = v.number * 10 + static_cast<std::uint64_t>(c - '0');
    } else {
      v.kind = Value::Kind::Atom;
    }
  }
  pos = p;
  return v;
}

std::optional<Value> parse_at(std::string_view s, std::size_t& pos, int depth) {
  if (pos >= s.size() || depth > 64) return std::nullopt;
  char c = s[pos];
  if (c == '"') return parse_quoted(s, pos);
  if (c == '{') return parse_literal(s, pos);
  if (c != '(') return parse_atom(s, pos);
  std::size_t p = pos + 1;
  Value list;
  list.kind = Value::Kind::List;
  while (true) {
    while (p < s.size() && s[p] == ' ') ++p;
    if (p >= s.size()) return std::nullopt;
    if (s[p] == ')') {
      pos = p + 1;
      return list;
    }
    auto item = parse_at(s, p, depth + 1);
    if (!item) return std::nullopt;
    list.items.push_back(std::move(*item));
    // Items are separated by spaces; address lists put their lists side by side
    // ("((...)(...))", RFC 3501 §9 env-to).
    if (p < s.size() && s[p] != ' ' && s[p] != ')' && s[p] != '(') return std::nullopt;
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
  return parse_at(text, pos, 0);
}

std::vector<Value> parse_values(std::string_view text, std::size_t pos) {
  std::vector<Value> out;
  while (true) {
    while (pos < text.size() && text[pos] == ' ') ++pos;
    if (pos >= text.size()) break;
    auto v = parse_value(text, pos);
    if (!v) break;
    out.push_back(std::move(*v));
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

#include "net/imap/response_reader.hpp"

namespace net::imap {

namespace {

bool is_status(const std::string& s) {
  return s == "OK" || s == "NO" || s == "BAD" || s == "PREAUTH" || s == "BYE";
}

// The next word: up to a space or the end.
std::string_view word_at(std::string_view s, std::size_t& pos) {
  std::size_t end = s.find(' ', pos);
  if (end == std::string_view::npos) end = s.size();
  std::string_view w = s.substr(pos, end - pos);
  pos = end < s.size() ? end + 1 : end;
  return w;
}

// resp-text (RFC 3501 §9): ["[" resp-text-code "]" SP] text
void resp_text(std::string_view s, std::size_t pos, Response& r) {
  r.resp_text = std::string(s.substr(std::min(pos, s.size())));
  if (pos < s.size() && s[pos] == '[') {
    // The code ends at the first ']' outside parentheses and quotes.
    std::size_t p = pos + 1;
    int depth = 0;
    bool quoted = false;
    for (; p < s.size(); ++p) {
      char c = s[p];
      if (quoted) {
        if (c == '\\')
          ++p;
        else if (c == '"')
          quoted = false;
      } else if (c == '"') {
        quoted = true;
      } else if (c == '(') {
        ++depth;
      } else if (c == ')') {
        --depth;
      } else if (c == ']' && depth <= 0) {
        break;
      }
    }
    if (p < s.size()) {
      std::string_view inner = s.substr(pos + 1, p - pos - 1);
      std::size_t q = 0;
      r.code = to_upper(word_at(inner, q));
      r.code_args = parse_values(inner, q);
      pos = p + 1;
      if (pos < s.size() && s[pos] == ' ') ++pos;
    }
  }
  r.text = std::string(s.substr(std::min(pos, s.size())));
}

}  // namespace

std::optional<Response> parse_response(std::string_view s) {
  Response r;
  if (!s.empty() && s[0] == '+') {
    r.kind = Response::Kind::Continuation;
    r.text = std::string(s.substr(s.size() > 1 && s[1] == ' ' ? 2 : 1));
    return r;
  }
  std::size_t pos = 0;
  std::string_view first = word_at(s, pos);
  if (first.empty()) return std::nullopt;
  if (first == "*") {
    r.kind = Response::Kind::Untagged;
    std::string_view w = word_at(s, pos);
    if (w.empty()) return std::nullopt;
    bool digits = w.size() <= 10;
    for (char c : w) digits = digits && c >= '0' && c <= '9';
    if (digits) {
      std::uint64_t n = 0;
      for (char c : w) n = n * 10 + static_cast<std::uint64_t>(c - '0');
      if (n > 0xffffffffu) return std::nullopt;
      r.number = static_cast<std::uint32_t>(n);
      r.numbered = true;
      w = word_at(s, pos);
      if (w.empty()) return std::nullopt;
    }
    std::string name = to_upper(w);
    if (!r.numbered && is_status(name)) {
      r.status = name;
      resp_text(s, pos, r);
      return r;
    }
    r.name = name;
    r.data = parse_values(s, pos);
    return r;
  }
  r.kind = Response::Kind::Tagged;
  r.tag = std::string(first);
  r.status = to_upper(word_at(s, pos));
  if (!is_status(r.status)) return std::nullopt;
  resp_text(s, pos, r);
  return r;
}

ResponseReader::ResponseReader(ReaderLimits limits) : reader_(limits) {}

void ResponseReader::feed(std::string_view bytes) {
  reader_.feed(bytes);
}

std::optional<ReaderItem> ResponseReader::next() {
  while (true) {
    auto r = reader_.next();
    if (!r) return std::nullopt;
    using K = ReadResult::Kind;
    if (r->kind == K::NeedContinuation) {
      in_literal_ = true;  // servers send the octets at once; nothing to answer
      continue;
    }
    in_literal_ = false;
    ReaderItem item;
    if (r->kind != K::Command) {
      item.too_long = true;
      item.segments = std::move(r->segments);
      return item;
    }
    item.raw = std::move(r->text);
    item.segments = std::move(r->segments);
    item.response = parse_response(item.raw);
    return item;
  }
}

}  // namespace net::imap

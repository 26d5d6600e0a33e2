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
  r.resp_text.assign(s.substr(std::min(pos, s.size())));
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
  r.text.assign(s.substr(std::min(pos, s.size())));
}

// Fills `r`, a fresh Response; false when `s` is not a response.
bool parse_into(std::string_view s, Response& r) {
  if (!s.empty() && s[0] == '+') {
    r.kind = Response::Kind::Continuation;
    r.text.assign(s.substr(s.size() > 1 && s[1] == ' ' ? 2 : 1));
    return true;
  }
  std::size_t pos = 0;
  std::string_view first = word_at(s, pos);
  if (first.empty()) return false;
  if (first == "*") {
    r.kind = Response::Kind::Untagged;
    std::string_view w = word_at(s, pos);
    if (w.empty()) return false;
    bool digits = w.size() <= 10;
    for (char c : w) digits = digits && c >= '0' && c <= '9';
    if (digits) {
      std::uint64_t n = 0;
      for (char c : w) n = n * 10 + static_cast<std::uint64_t>(c - '0');
      if (n > 0xffffffffu) return false;
      r.number = static_cast<std::uint32_t>(n);
      r.numbered = true;
      w = word_at(s, pos);
      if (w.empty()) return false;
    }
    std::string name = to_upper(w);
    if (!r.numbered && is_status(name)) {
      r.status = std::move(name);
      resp_text(s, pos, r);
      return true;
    }
    r.name = std::move(name);
    r.data = parse_values(s, pos);
    return true;
  }
  r.kind = Response::Kind::Tagged;
  r.tag.assign(first);
  r.status = to_upper(word_at(s, pos));
  if (!is_status(r.status)) return false;
  resp_text(s, pos, r);
  return true;
}

}  // namespace

std::optional<Response> parse_response(std::string_view s) {
  std::optional<Response> r(std::in_place);
  if (!parse_into(s, *r)) r.reset();
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
    std::optional<ReaderItem> out(std::in_place);  // built in place: a Response is large
    ReaderItem& item = *out;
    item.segments = std::move(r->segments);
    if (r->kind != K::Command) {
      item.too_long = true;
      return out;
    }
    item.raw = std::move(r->text);
    if (!parse_into(item.raw, item.response.emplace())) item.response.reset();
    return out;
  }
}

}  // namespace net::imap

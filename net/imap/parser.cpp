#include "net/imap/parser.hpp"

#include "net/ascii.hpp"

namespace net::imap {

std::string to_upper(std::string_view s) {
  std::string o(s);
  for (char& c : o) c = ascii_upper(c);
  return o;
}

bool iequals(std::string_view a, std::string_view b) {
  return ascii_iequals(a, b);
}

std::optional<LiteralMark> literal_at_end(std::string_view line) {
  if (line.size() < 3 || line.back() != '}') return std::nullopt;
  size_t open = line.rfind('{');
  if (open == std::string_view::npos) return std::nullopt;
  std::string_view inner = line.substr(open + 1, line.size() - open - 2);
  LiteralMark m;
  if (!inner.empty() && inner.back() == '+') {
    m.non_sync = true;
    inner.remove_suffix(1);
  }
  if (inner.empty() || inner.size() > 15) return std::nullopt;
  for (char c : inner) {
    if (c < '0' || c > '9') return std::nullopt;
    m.size = m.size * 10 + static_cast<size_t>(c - '0');
  }
  return m;
}

// ---- CommandReader ----

CommandReader::CommandReader(ReaderLimits limits) : limits_(limits) {
  if (limits_.max_line < 16) limits_.max_line = 16;
}

void CommandReader::feed(std::string_view bytes) {
  buf_.append(bytes);
}

std::string CommandReader::discard() {
  std::string rest = cur_ + buf_.substr(pos_);
  buf_.clear();
  pos_ = 0;
  mode_ = Mode::Line;
  remaining_ = 0;
  cur_.clear();
  segments_.clear();
  return rest;
}

void CommandReader::compact() {
  if (pos_ == buf_.size()) {
    buf_.clear();
    pos_ = 0;
  } else if (pos_ > 4096 && pos_ * 2 > buf_.size()) {
    buf_.erase(0, pos_);
    pos_ = 0;
  }
}

// The tag is the first word of the command (RFC 3501 §2.2.1), if it is a valid tag.
std::string CommandReader::take_tag() const {
  std::string_view s = cur_;
  if (s.empty()) s = std::string_view(buf_).substr(pos_);
  size_t n = 0;
  while (n < s.size() && is_atom_char(s[n]) && s[n] != '+') ++n;
  if (n == 0 || n > 64 || (n < s.size() && s[n] != ' ')) return "*";
  return std::string(s.substr(0, n));
}

std::optional<ReadResult> CommandReader::next() {
  while (true) {
    size_t avail = buf_.size() - pos_;
    switch (mode_) {
      case Mode::Literal: {
        size_t n = std::min(avail, remaining_);
        if (n == 0) return std::nullopt;
        cur_.append(buf_, pos_, n);
        if (keep_segments_) segments_.back().text.append(buf_, pos_, n);
        pos_ += n;
        remaining_ -= n;
        compact();
        if (remaining_ > 0) return std::nullopt;
        mode_ = Mode::Line;
        continue;
      }
      case Mode::SkipLiteral: {
        size_t n = std::min(avail, remaining_);
        pos_ += n;
        remaining_ -= n;
        compact();
        if (remaining_ > 0) return std::nullopt;
        mode_ = Mode::SkipLine;
        continue;
      }
      case Mode::SkipLine: {
        size_t lf = buf_.find('\n', pos_);
        if (lf == std::string::npos) {
          pos_ = buf_.size();
          compact();
          return std::nullopt;
        }
        std::string_view line(buf_.data() + pos_, lf - pos_);
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        auto mark = literal_at_end(line);
        pos_ = lf + 1;
        compact();
        if (mark && mark->non_sync) {
          remaining_ = mark->size;
          mode_ = Mode::SkipLiteral;
        } else {
          mode_ = Mode::Line;
        }
        continue;
      }
      case Mode::Line:
        break;
    }
    size_t lf = buf_.find('\n', pos_);
    if (lf == std::string::npos) {
      if (avail >= limits_.max_line) {
        ReadResult r;
        r.kind = ReadResult::Kind::LineTooLong;
        r.tag = take_tag();
        cur_.clear();
        segments_.clear();
        pos_ = buf_.size();
        mode_ = Mode::SkipLine;
        compact();
        return r;
      }
      return std::nullopt;
    }
    std::string_view line(buf_.data() + pos_, lf - pos_);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    auto mark = literal_at_end(line);
    if (line.size() + 2 > limits_.max_line) {
      ReadResult r;
      r.kind = ReadResult::Kind::LineTooLong;
      r.tag = take_tag();
      cur_.clear();
      segments_.clear();
      pos_ = lf + 1;
      compact();
      if (mark && mark->non_sync) {
        remaining_ = mark->size;
        mode_ = Mode::SkipLiteral;
      }
      return r;
    }
    cur_.append(line);
    if (keep_segments_) segments_.push_back({false, std::string(line)});
    pos_ = lf + 1;
    if (mark) {
      if (mark->size > limits_.max_literal) {
        ReadResult r;
        r.kind = ReadResult::Kind::LiteralTooLong;
        r.tag = take_tag();
        r.literal_size = mark->size;
        r.non_sync = mark->non_sync;
        r.segments = std::move(segments_);
        segments_.clear();
        cur_.clear();
        if (mark->non_sync) {
          remaining_ = mark->size;
          mode_ = Mode::SkipLiteral;
        }
        compact();
        return r;
      }
      cur_ += "\r\n";
      if (keep_segments_) segments_.push_back({true, {}});
      remaining_ = mark->size;
      mode_ = Mode::Literal;
      compact();
      if (!mark->non_sync) {
        ReadResult r;
        r.kind = ReadResult::Kind::NeedContinuation;
        r.tag = take_tag();
        r.literal_size = mark->size;
        return r;
      }
      continue;
    }
    ReadResult r;
    r.kind = ReadResult::Kind::Command;
    r.tag = take_tag();
    r.text = std::move(cur_);
    r.segments = std::move(segments_);
    cur_.clear();
    segments_.clear();
    compact();
    return r;
  }
}

// ---- sequence sets ----

bool SequenceSet::contains(uint32_t n, uint32_t star) const {
  for (const auto& r : ranges) {
    uint32_t a = r.lo == 0 ? star : r.lo;
    uint32_t b = r.hi == 0 ? star : r.hi;
    if (a > b) std::swap(a, b);  // "4:2" is the same as "2:4" (RFC 3501 §9)
    if (n >= a && n <= b) return true;
  }
  return false;
}

std::optional<SequenceSet> parse_sequence_set(std::string_view t) {
  SequenceSet set;
  auto number = [](std::string_view v) -> std::optional<uint32_t> {
    if (v == "*") return 0u;
    if (v.empty() || v.size() > 10 || v.front() == '0') return std::nullopt;
    uint64_t n = 0;
    for (char c : v) {
      if (c < '0' || c > '9') return std::nullopt;
      n = n * 10 + static_cast<uint64_t>(c - '0');
    }
    if (n > 0xffffffffu) return std::nullopt;
    return static_cast<uint32_t>(n);
  };
  if (t.empty()) return std::nullopt;
  size_t pos = 0;
  while (pos <= t.size()) {
    size_t comma = t.find(',', pos);
    std::string_view item =
        t.substr(pos, comma == std::string_view::npos ? std::string_view::npos : comma - pos);
    size_t colon = item.find(':');
    SeqRange r;
    if (colon == std::string_view::npos) {
      auto n = number(item);
      if (!n) return std::nullopt;
      r.lo = r.hi = *n;
    } else {
      auto a = number(item.substr(0, colon));
      auto b = number(item.substr(colon + 1));
      if (!a || !b) return std::nullopt;
      r.lo = *a;
      r.hi = *b;
    }
    set.ranges.push_back(r);
    if (comma == std::string_view::npos) break;
    pos = comma + 1;
  }
  return set;
}

// ---- Cursor ----

bool Cursor::eat(char c) {
  if (peek() != c || at_end()) return false;
  ++pos_;
  return true;
}

std::optional<std::string> Cursor::atom(bool with_bracket) {
  size_t e = pos_;
  while (e < s_.size() && (is_atom_char(s_[e]) || (with_bracket && s_[e] == ']'))) ++e;
  if (e == pos_) return std::nullopt;
  std::string out(s_.substr(pos_, e - pos_));
  pos_ = e;
  return out;
}

std::optional<std::string> Cursor::quoted() {
  if (peek() != '"') return std::nullopt;
  std::string out;
  size_t p = pos_ + 1;
  while (p < s_.size()) {
    char c = s_[p];
    if (c == '"') {
      pos_ = p + 1;
      return out;
    }
    if (c == '\r' || c == '\n') return std::nullopt;
    if (c == '\\') {
      if (p + 1 >= s_.size() || (s_[p + 1] != '"' && s_[p + 1] != '\\')) return std::nullopt;
      c = s_[++p];
    }
    out += c;
    ++p;
  }
  return std::nullopt;
}

std::optional<std::string> Cursor::literal() {
  if (peek() != '{') return std::nullopt;
  size_t crlf = s_.find("}\r\n", pos_);
  if (crlf == std::string_view::npos) return std::nullopt;
  auto mark = literal_at_end(s_.substr(pos_, crlf + 1 - pos_));
  if (!mark) return std::nullopt;
  size_t start = crlf + 3;
  if (start + mark->size > s_.size()) return std::nullopt;
  pos_ = start + mark->size;
  return std::string(s_.substr(start, mark->size));
}

std::optional<std::string> Cursor::string() {
  if (peek() == '"') return quoted();
  if (peek() == '{') return literal();
  return std::nullopt;
}

std::optional<std::string> Cursor::astring() {
  if (peek() == '"' || peek() == '{') return string();
  return atom(true);
}

std::optional<std::string> Cursor::list_mailbox() {
  if (peek() == '"' || peek() == '{') return string();
  size_t e = pos_;
  while (e < s_.size() && (is_atom_char(s_[e]) || s_[e] == '%' || s_[e] == '*' || s_[e] == ']'))
    ++e;
  if (e == pos_) return std::nullopt;
  std::string out(s_.substr(pos_, e - pos_));
  pos_ = e;
  return out;
}

std::optional<uint32_t> Cursor::number() {
  size_t e = pos_;
  uint64_t n = 0;
  while (e < s_.size() && s_[e] >= '0' && s_[e] <= '9' && e - pos_ < 11) {
    n = n * 10 + static_cast<uint64_t>(s_[e] - '0');
    ++e;
  }
  if (e == pos_ || n > 0xffffffffu) return std::nullopt;
  pos_ = e;
  return static_cast<uint32_t>(n);
}

std::optional<std::string> Cursor::flag() {
  size_t start = pos_;
  if (eat('\\')) {
    if (eat('*')) return std::string("\\*");
    auto a = atom();
    if (!a) {
      pos_ = start;
      return std::nullopt;
    }
    return "\\" + *a;
  }
  return atom();
}

std::optional<std::vector<std::string>> Cursor::flag_list() {
  size_t start = pos_;
  if (!eat('(')) return std::nullopt;
  std::vector<std::string> out;
  if (eat(')')) return out;
  while (true) {
    auto f = flag();
    if (!f) break;
    out.push_back(std::move(*f));
    if (eat(')')) return out;
    if (!sp()) break;
  }
  pos_ = start;
  return std::nullopt;
}

std::optional<SequenceSet> Cursor::sequence_set() {
  size_t e = pos_;
  while (e < s_.size() &&
         ((s_[e] >= '0' && s_[e] <= '9') || s_[e] == ':' || s_[e] == ',' || s_[e] == '*'))
    ++e;
  auto set = parse_sequence_set(s_.substr(pos_, e - pos_));
  if (set) pos_ = e;
  return set;
}

std::string_view Cursor::word() {
  size_t e = pos_;
  while (e < s_.size() && s_[e] != ' ' && s_[e] != ')' && s_[e] != '(') ++e;
  std::string_view w = s_.substr(pos_, e - pos_);
  pos_ = e;
  return w;
}

}  // namespace net::imap

#include "net/line_buffer.hpp"

namespace net {

LineBuffer::LineBuffer(size_t max_line) : max_line_(max_line < 3 ? 3 : max_line) {}

void LineBuffer::feed(std::string_view bytes) {
  if (skipping_) {
    // Drop the remainder of an over-long line without buffering it.
    size_t lf = bytes.find('\n');
    if (lf == std::string_view::npos) return;
    skipping_ = false;
    bytes.remove_prefix(lf + 1);
  }
  buf_.append(bytes);
}

void LineBuffer::compact() {
  if (pos_ == buf_.size()) {
    buf_.clear();
    pos_ = 0;
  } else if (pos_ > 4096 && pos_ * 2 > buf_.size()) {
    buf_.erase(0, pos_);
    pos_ = 0;
  }
}

std::optional<Line> LineBuffer::next() {
  const size_t max_text = max_line_ - 2;  // room for CRLF
  while (true) {
    if (skipping_) {
      size_t lf = buf_.find('\n', pos_);
      if (lf == std::string::npos) {
        pos_ = buf_.size();
        compact();
        return std::nullopt;
      }
      skipping_ = false;
      pos_ = lf + 1;
      continue;
    }
    size_t lf = buf_.find('\n', pos_);
    if (lf == std::string::npos) {
      // An unterminated line that can no longer fit: report it now so that a peer
      // cannot make us buffer without bound; skip the rest up to its LF.
      if (buffered() >= max_line_) {
        Line line{buf_.substr(pos_, max_text), true};
        skipping_ = true;
        pos_ = buf_.size();
        compact();
        return line;
      }
      compact();
      return std::nullopt;
    }
    size_t end = lf;
    if (end > pos_ && buf_[end - 1] == '\r') --end;
    Line line;
    size_t len = end - pos_;
    if (len > max_text) {
      line.text = buf_.substr(pos_, max_text);
      line.too_long = true;
    } else {
      line.text = buf_.substr(pos_, len);
    }
    pos_ = lf + 1;
    compact();
    return line;
  }
}

std::string LineBuffer::discard() {
  std::string rest = buf_.substr(pos_);
  buf_.clear();
  pos_ = 0;
  skipping_ = false;
  return rest;
}

}  // namespace net

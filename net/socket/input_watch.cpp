#include "net/socket/input_watch.hpp"

#include <algorithm>

namespace net::socket {

namespace {

constexpr std::size_t kTail = 24;  // "{" + 20 digits + "+}" + CR fits

// N when `line` (without its LF) ends with "{N}" or "{N+}" and an optional CR; else 0.
std::uint64_t literal_size(std::string_view line) {
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  if (line.empty() || line.back() != '}') return 0;
  line.remove_suffix(1);
  if (!line.empty() && line.back() == '+') line.remove_suffix(1);
  const auto open = line.rfind('{');
  if (open == std::string_view::npos || open + 1 == line.size() || line.size() - open > 21)
    return 0;
  std::uint64_t n = 0;
  for (char c : line.substr(open + 1)) {
    if (c < '0' || c > '9') return 0;
    n = n * 10 + static_cast<std::uint64_t>(c - '0');
  }
  return n;
}

}  // namespace

void InputWatch::fed(std::string_view plain) {
  if (plain.empty()) return;
  if (!literals_) {
    mid_line_ = plain.back() != '\n';
    return;
  }
  while (!plain.empty()) {
    if (literal_left_ > 0) {
      const auto n = static_cast<std::size_t>(
          std::min<std::uint64_t>(literal_left_, static_cast<std::uint64_t>(plain.size())));
      literal_left_ -= n;
      plain.remove_prefix(n);
      mid_line_ = true;  // the command goes on after its literal
      continue;
    }
    const auto lf = plain.find('\n');
    if (lf == std::string_view::npos) {
      tail_.append(plain);
      if (tail_.size() > kTail) tail_.erase(0, tail_.size() - kTail);
      mid_line_ = true;
      return;
    }
    tail_.append(plain.substr(0, lf));
    literal_left_ = literal_size(tail_);
    tail_.clear();
    mid_line_ = literal_left_ > 0;
    plain.remove_prefix(lf + 1);
  }
}

}  // namespace net::socket

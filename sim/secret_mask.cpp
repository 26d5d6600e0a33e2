#include "sim/secret_mask.hpp"

#include <algorithm>
#include <cstring>
#include <utility>

namespace sim {

void SecretMask::add(std::string secret) {
  if (secret.empty()) return;
  if (std::find(secrets_.begin(), secrets_.end(), secret) != secrets_.end()) return;
  secrets_.push_back(std::move(secret));
  // Longer secrets first, so a secret containing a shorter one is masked whole.
  std::stable_sort(secrets_.begin(), secrets_.end(),
                   [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
}

namespace {

// s.find(secret, pos), with the second byte checked before the whole compare: in protocol
// text most bytes equal to a secret's first are not the start of it (issue 9: the compares
// were a fifth of masking's instructions).
std::size_t find_secret(std::string_view s, std::string_view secret, std::size_t pos) {
  const std::size_t n = secret.size();
  if (n == 0 || n > s.size() || pos > s.size() - n) return std::string_view::npos;
  const char* base = s.data();
  const char* last = base + (s.size() - n);  // the last place it could start
  for (const char* p = base + pos; p <= last; ++p) {
    p = static_cast<const char*>(std::memchr(p, secret[0], static_cast<std::size_t>(last - p) + 1));
    if (!p) break;
    if ((n == 1 || p[1] == secret[1]) && std::memcmp(p, secret.data(), n) == 0)
      return static_cast<std::size_t>(p - base);
  }
  return std::string_view::npos;
}

}  // namespace

void SecretMask::apply(std::string& s) const {
  if (reveal_ || s.empty()) return;
  for (const auto& secret : secrets_) {
    std::size_t pos = 0;
    while ((pos = find_secret(s, secret, pos)) != std::string::npos) {
      std::fill_n(s.begin() + static_cast<std::ptrdiff_t>(pos), secret.size(), '*');
      pos += secret.size();
    }
  }
}

bool SecretMask::found_in(std::string_view s) const {
  if (reveal_ || s.empty()) return false;
  return std::any_of(secrets_.begin(), secrets_.end(), [s](const std::string& secret) {
    return find_secret(s, secret, 0) != std::string_view::npos;
  });
}

}  // namespace sim

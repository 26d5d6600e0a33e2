#include "sim/secret_mask.hpp"

#include <algorithm>
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

void SecretMask::apply(std::string& s) const {
  if (reveal_ || s.empty()) return;
  for (const auto& secret : secrets_) {
    std::size_t pos = 0;
    while ((pos = s.find(secret, pos)) != std::string::npos) {
      std::fill_n(s.begin() + static_cast<std::ptrdiff_t>(pos), secret.size(), '*');
      pos += secret.size();
    }
  }
}

bool SecretMask::found_in(std::string_view s) const {
  if (reveal_ || s.empty()) return false;
  return std::any_of(secrets_.begin(), secrets_.end(), [s](const std::string& secret) {
    return s.find(secret) != std::string_view::npos;
  });
}

}  // namespace sim

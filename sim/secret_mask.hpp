// Credentials masked in recorded text: every occurrence of a registered secret becomes '*'
// of the same length (equal length keeps TCP sequence numbers consistent). The trace masks
// what is appended to it with one; serve's capture (sim/serve_capture.hpp) masks the bytes
// it writes with another.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace sim {

class SecretMask {
 public:
  // Empty and repeated secrets are ignored.
  void add(std::string secret);
  // Revealing: apply() changes nothing.
  void set_reveal(bool reveal) { reveal_ = reveal; }
  bool reveal() const { return reveal_; }
  std::size_t size() const { return secrets_.size(); }  // distinct secrets registered
  void apply(std::string& s) const;
  // Whether apply() would change `s` (lets interned text be masked only when it must be).
  bool found_in(std::string_view s) const;

 private:
  std::vector<std::string> secrets_;  // longest first
  bool reveal_ = false;
};

}  // namespace sim

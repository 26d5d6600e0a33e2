// ASCII case folding for protocol names and addresses (domain names, mailbox addresses,
// keywords): only A-Z change, so UTF-8 bytes pass through untouched.
#pragma once

#include <string>
#include <string_view>

namespace net {

inline std::string ascii_lower(std::string_view s) {
  std::string o(s);
  for (char& c : o)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return o;
}

}  // namespace net

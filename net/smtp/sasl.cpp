#include "net/smtp/sasl.hpp"

namespace net::smtp {

std::string encode_plain(std::string_view login, std::string_view password) {
  std::string s;
  s += '\0';
  s += login;
  s += '\0';
  s += password;
  return base64_encode(s);
}

std::optional<PlainCredentials> decode_plain(std::string_view d) {
  size_t a = d.find('\0');
  if (a == std::string_view::npos) return std::nullopt;
  size_t b = d.find('\0', a + 1);
  if (b == std::string_view::npos) return std::nullopt;
  if (d.find('\0', b + 1) != std::string_view::npos) return std::nullopt;
  PlainCredentials c{std::string(d.substr(0, a)), std::string(d.substr(a + 1, b - a - 1)),
                     std::string(d.substr(b + 1))};
  if (c.authcid.empty()) return std::nullopt;
  return c;
}

}  // namespace net::smtp

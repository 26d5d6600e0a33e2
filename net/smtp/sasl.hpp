// Base64 (RFC 4648 §4) and the SASL PLAIN message (RFC 4616) used by AUTH (RFC 4954).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace net::smtp {

std::string base64_encode(std::string_view bytes);
// Strict: only the base64 alphabet, padding at the end, length a multiple of 4.
std::optional<std::string> base64_decode(std::string_view text);

struct PlainCredentials {
  std::string authzid, authcid, password;
};
// authzid NUL authcid NUL passwd (RFC 4616 §2).
std::string encode_plain(std::string_view login, std::string_view password);
std::optional<PlainCredentials> decode_plain(std::string_view decoded);

}  // namespace net::smtp

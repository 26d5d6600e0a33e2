// The SASL PLAIN message (RFC 4616) used by AUTH (RFC 4954), and base64 for SASL.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "net/base64.hpp"

namespace net::smtp {

using net::base64_decode;
using net::base64_encode;

struct PlainCredentials {
  std::string authzid, authcid, password;
};
// authzid NUL authcid NUL passwd (RFC 4616 §2).
std::string encode_plain(std::string_view login, std::string_view password);
std::optional<PlainCredentials> decode_plain(std::string_view decoded);

}  // namespace net::smtp

// Base64 (RFC 4648 §4, with padding): SASL exchanges, MIME bodies, trace export.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace net {

std::string base64_encode(std::string_view in);
// Strict: only the base64 alphabet, padding at the end, length a multiple of 4.
std::optional<std::string> base64_decode(std::string_view in);

}  // namespace net

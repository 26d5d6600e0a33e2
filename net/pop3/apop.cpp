#include "net/pop3/apop.hpp"

#include <openssl/evp.h>

namespace net::pop3 {

std::string apop_digest(std::string_view timestamp, std::string_view secret) {
  std::string input;
  input.reserve(timestamp.size() + secret.size());
  input.append(timestamp);
  input.append(secret);
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_Digest(input.data(), input.size(), md, &len, EVP_md5(), nullptr) != 1) return {};
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  for (unsigned int i = 0; i < len; ++i) {
    hex += kHex[md[i] >> 4];
    hex += kHex[md[i] & 15];
  }
  return hex;
}

}  // namespace net::pop3

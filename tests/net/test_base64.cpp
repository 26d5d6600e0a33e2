#include <doctest/doctest.h>

#include "net/base64.hpp"

using net::base64_decode;
using net::base64_encode;

TEST_CASE("base64: RFC 4648 section 10 vectors, all bytes, strict decoding") {
  const char* vec[][2] = {{"", ""},
                          {"f", "Zg=="},
                          {"fo", "Zm8="},
                          {"foo", "Zm9v"},
                          {"foob", "Zm9vYg=="},
                          {"fooba", "Zm9vYmE="},
                          {"foobar", "Zm9vYmFy"}};
  for (auto& v : vec) {
    CHECK(base64_encode(v[0]) == v[1]);
    CHECK(base64_decode(v[1]) == std::optional<std::string>(v[0]));
  }
  std::string all;
  for (int i = 0; i < 256; ++i) all.push_back(static_cast<char>(i));
  CHECK(base64_decode(base64_encode(all)) == all);
  CHECK_FALSE(base64_decode("abc"));       // not a multiple of 4
  CHECK_FALSE(base64_decode("ab!d"));      // outside the alphabet
  CHECK_FALSE(base64_decode("a==="));      // too much padding
  CHECK_FALSE(base64_decode("ab=d"));      // padding in the middle
  CHECK_FALSE(base64_decode("Zg==Zg=="));  // padding before the end
}

// Modified UTF-7 for IMAP mailbox names (RFC 3501 §5.1.3).
#include "net/imap/mutf7.hpp"

#include <cstdint>
#include <vector>

namespace net::imap {

namespace {

constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+,";

int b64_value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == ',') return 63;
  return -1;
}

bool printable(uint32_t c) {
  return c >= 0x20 && c <= 0x7e;
}

// Next code point of UTF-8 at s[i]; advances i. Malformed sequences give U+FFFD.
uint32_t next_utf8(std::string_view s, size_t& i) {
  auto b = static_cast<unsigned char>(s[i++]);
  if (b < 0x80) return b;
  int extra = b >= 0xf0 && b < 0xf5 ? 3 : b >= 0xe0 ? 2 : b >= 0xc2 && b < 0xe0 ? 1 : -1;
  if (extra < 0 || b >= 0xf5) return 0xfffd;
  uint32_t c = b & (0x3f >> extra);
  for (int k = 0; k < extra; ++k) {
    if (i >= s.size() || (static_cast<unsigned char>(s[i]) & 0xc0) != 0x80) return 0xfffd;
    c = (c << 6) | (static_cast<unsigned char>(s[i++]) & 0x3f);
  }
  static constexpr uint32_t kMin[] = {0, 0x80, 0x800, 0x10000};
  if (c < kMin[extra] || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff)) return 0xfffd;
  return c;
}

void put_utf8(std::string& out, uint32_t c) {
  if (c < 0x80) {
    out += static_cast<char>(c);
  } else if (c < 0x800) {
    out += static_cast<char>(0xc0 | (c >> 6));
    out += static_cast<char>(0x80 | (c & 0x3f));
  } else if (c < 0x10000) {
    out += static_cast<char>(0xe0 | (c >> 12));
    out += static_cast<char>(0x80 | ((c >> 6) & 0x3f));
    out += static_cast<char>(0x80 | (c & 0x3f));
  } else {
    out += static_cast<char>(0xf0 | (c >> 18));
    out += static_cast<char>(0x80 | ((c >> 12) & 0x3f));
    out += static_cast<char>(0x80 | ((c >> 6) & 0x3f));
    out += static_cast<char>(0x80 | (c & 0x3f));
  }
}

void flush_run(std::string& out, std::vector<uint16_t>& units) {
  if (units.empty()) return;
  out += '&';
  uint32_t bits = 0;
  int nbits = 0;
  for (uint16_t u : units) {
    bits = (bits << 16) | u;
    nbits += 16;
    while (nbits >= 6) {
      nbits -= 6;
      out += kAlphabet[(bits >> nbits) & 0x3f];
    }
    bits &= (1u << nbits) - 1;
  }
  if (nbits > 0) out += kAlphabet[(bits << (6 - nbits)) & 0x3f];
  out += '-';
  units.clear();
}

// Printable ASCII without "&": the same text in UTF-8 and in modified UTF-7 (most names).
bool plain_ascii(std::string_view s) {
  for (char c : s)
    if (!printable(static_cast<unsigned char>(c)) || c == '&') return false;
  return true;
}

}  // namespace

std::string encode_mutf7(std::string_view utf8) {
  if (plain_ascii(utf8)) return std::string(utf8);
  std::string out;
  std::vector<uint16_t> run;
  size_t i = 0;
  while (i < utf8.size()) {
    uint32_t c = next_utf8(utf8, i);
    if (printable(c)) {
      flush_run(out, run);
      if (c == '&') {
        out += "&-";
      } else {
        out += static_cast<char>(c);
      }
    } else if (c >= 0x10000) {
      c -= 0x10000;
      run.push_back(static_cast<uint16_t>(0xd800 | (c >> 10)));
      run.push_back(static_cast<uint16_t>(0xdc00 | (c & 0x3ff)));
    } else {
      run.push_back(static_cast<uint16_t>(c));
    }
  }
  flush_run(out, run);
  return out;
}

std::optional<std::string> decode_mutf7(std::string_view s) {
  if (plain_ascii(s)) return std::string(s);
  std::string out;
  bool after_run = false;  // the previous token was a base64 run: "&" may not follow
  size_t i = 0;
  while (i < s.size()) {
    char c = s[i];
    if (!printable(static_cast<unsigned char>(c))) return std::nullopt;
    if (c != '&') {
      out += c;
      ++i;
      after_run = false;
      continue;
    }
    size_t end = s.find('-', i + 1);
    if (end == std::string_view::npos) return std::nullopt;
    if (end == i + 1) {  // "&-" is "&"
      out += '&';
      i = end + 1;
      after_run = false;
      continue;
    }
    if (after_run) return std::nullopt;
    uint32_t bits = 0;
    int nbits = 0;
    uint16_t high = 0;  // a pending high surrogate
    for (size_t k = i + 1; k < end; ++k) {
      int v = b64_value(s[k]);
      if (v < 0) return std::nullopt;
      bits = (bits << 6) | static_cast<uint32_t>(v);
      nbits += 6;
      if (nbits < 16) continue;
      nbits -= 16;
      auto u = static_cast<uint16_t>(bits >> nbits);
      bits &= (1u << nbits) - 1;
      if (high) {
        if (u < 0xdc00 || u > 0xdfff) return std::nullopt;
        put_utf8(out, 0x10000 + ((static_cast<uint32_t>(high - 0xd800) << 10) | (u - 0xdc00)));
        high = 0;
      } else if (u >= 0xd800 && u <= 0xdbff) {
        high = u;
      } else if (u >= 0xdc00 && u <= 0xdfff) {
        return std::nullopt;
      } else {
        if (printable(u)) return std::nullopt;  // ASCII must be written as itself
        put_utf8(out, u);
      }
    }
    // Leftover: fewer than 6 bits, all zero (no padding characters, no partial unit).
    if (high || nbits >= 6 || bits != 0) return std::nullopt;
    i = end + 1;
    after_run = true;
  }
  return out;
}

bool decode_mutf7_in_place(std::string& name) {
  if (plain_ascii(name)) return true;  // already what it decodes to: no copy
  auto d = decode_mutf7(name);
  if (!d) return false;
  name = std::move(*d);
  return true;
}

}  // namespace net::imap

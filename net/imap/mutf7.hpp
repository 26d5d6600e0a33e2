// IMAP mailbox names in modified UTF-7 (RFC 3501 §5.1.3): the wire form of a name is
// 7-bit; "&" is written "&-", and every run of non-ASCII characters is "&" + modified
// BASE64 of its UTF-16 ("," in place of "/", no "=" padding) + "-". The store keeps names
// as UTF-8; the engines convert at the wire.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace net::imap {

// UTF-8 -> modified UTF-7. Invalid UTF-8 bytes are encoded as U+FFFD.
std::string encode_mutf7(std::string_view utf8);

// Modified UTF-7 -> UTF-8; nullopt for malformed input: bytes outside printable ASCII,
// an unterminated "&" run, a bad BASE64 character, leftover bits that are not zero or make
// up a whole 16-bit unit's worth, an odd or broken surrogate pair, a run that encodes
// printable ASCII (must be written directly), or two adjacent runs ("&...-&...-", which
// must be one).
std::optional<std::string> decode_mutf7(std::string_view s);

// Decodes name in place; false (name unchanged) when it is malformed.
bool decode_mutf7_in_place(std::string& name);

// The text the engines send when a name does not decode.
inline constexpr const char* kBadMutf7Text =
    "Mailbox name is not valid modified UTF-7 (RFC 3501 §5.1.3)";

}  // namespace net::imap

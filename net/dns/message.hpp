// DNS messages on the wire (RFC 1035 §4): a sans-I/O codec for the A and MX lookups an
// MTA needs. No sockets, no clock: bytes in, values out.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace net::dns {

enum class Type : std::uint16_t { A = 1, MX = 15 };

// RFC 1035 §4.1.1 RCODE values used here.
constexpr std::uint8_t kNoError = 0, kFormErr = 1, kServFail = 2, kNxDomain = 3;

struct Question {
  std::string name;  // without the trailing dot, e.g. "recipient.example"
  Type type = Type::A;
};

struct Record {
  std::string name;
  Type type = Type::A;
  std::uint32_t ttl = 0;
  std::string a;                 // A: dotted IPv4
  std::uint16_t preference = 0;  // MX
  std::string exchange;          // MX
};

struct Message {
  std::uint16_t id = 0;
  bool response = false;  // QR
  std::uint8_t rcode = kNoError;
  bool rd = false, ra = false, aa = false;
  std::vector<Question> questions;
  std::vector<Record> answers;
  std::vector<Record> additionals;
};

// Class IN only; names are compressed (RFC 1035 §4.1.4). Throws std::invalid_argument for
// a name that cannot be encoded (empty label, label > 63 bytes, name > 255 bytes) or a bad
// IPv4 address in an A record.
std::string encode(const Message& m);
// Never reads out of bounds; truncated input, bad labels and compression-pointer loops give
// nullopt. Records of types other than A and MX (and the authority section) are skipped.
std::optional<Message> decode(std::string_view wire);
// One line for students: "query MX recipient.example?" or
// "answer: recipient.example MX 10 mx.recipient.example; mx.recipient.example A 10.0.2.25".
std::string describe(const Message& m);

const char* to_string(Type t);               // "A", "MX" ("TYPE?" for others)
const char* rcode_name(std::uint8_t rcode);  // "NOERROR", "NXDOMAIN", …

}  // namespace net::dns

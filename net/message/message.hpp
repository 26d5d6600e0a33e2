// RFC 5322 internet message model: header fields and body, folding, addresses,
// trace fields (Received, RFC 5321 §4.4) and dates (RFC 5322 §3.3).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace net::message {

struct Field {
  std::string name;
  std::string value;  // unfolded, surrounding whitespace trimmed
  std::string raw;    // as on the wire including folding, without the final CRLF
};

class Message {
 public:
  std::vector<Field> fields;
  std::string body;  // CRLF line ends

  // Lenient parser: bare LF becomes CRLF; obs-fold continuation lines join the field;
  // a line that is not a field (no colon, bad name) ends the header and starts the body;
  // without a blank separator the whole text may be header.
  static Message parse(std::string_view text);
  // Header fields, blank line, body; CRLF line endings.
  std::string serialize() const;

  // First field with this name (case-insensitive), unfolded.
  std::optional<std::string> get(std::string_view name) const;
  std::vector<std::string> get_all(std::string_view name) const;
  // Add a field at the top (trace fields go there, RFC 5321 §4.4) or at the end;
  // long values are folded at 78 characters (RFC 5322 §2.2.3).
  void prepend(std::string name, std::string_view value);
  void append(std::string name, std::string_view value);
};

// The values of the fields named name (case-insensitive) in the header at the top of text,
// by the rules of Message::parse, without building a Message (SEARCH runs this per message).
std::vector<std::string> header_values(std::string_view text, std::string_view name);
// The first of them.
std::optional<std::string> header_value(std::string_view text, std::string_view name);

// "Name: value" folded at whitespace so lines stay within width where possible
// (RFC 5322 §2.2.3); CRLF between lines, no final CRLF. unfold(fold(n, v)) == "n: v".
std::string fold(std::string_view name, std::string_view value, size_t width = 78);
// Removes every CRLF (or bare LF) that is followed by whitespace (RFC 5322 §2.2.3).
std::string unfold(std::string_view text);

// The addr-spec from "Ana <ana@sender.example>", "<a@b>" or "a@b"; comments and quoted
// display names are skipped, a source route "<@relay:a@b>" is dropped.
// "<>" gives "" (the null reverse-path, RFC 5321 §4.5.5); junk gives nullopt.
std::optional<std::string> extract_address(std::string_view text);
// local-part "@" domain with a dot-atom or quoted local part and a domain or address
// literal (RFC 5321 §4.1.2); no display name or brackets.
bool is_valid_address(std::string_view addr);
std::string domain_of(std::string_view addr);   // lowercased, "" if no '@'
std::string local_part(std::string_view addr);  // as written; whole text if no '@'

struct ReceivedInfo {
  std::string from_helo;  // what the client said in EHLO/HELO
  std::string from_host;  // reverse-DNS name of the client ("" → "unknown")
  std::string from_ip;
  std::string by_host;
  std::string with;  // "SMTP", "ESMTP", "ESMTPA", "ESMTPS", "ESMTPSA" (RFC 3848)
  std::string id;
  std::string for_addr;  // optional, only when there is one recipient
  std::string date;      // RFC 5322 date-time supplied by the caller
};
// The value of a Received: field (RFC 5321 §4.4), e.g. "from laptop.sender.example
// (laptop.sender.example [10.0.0.2]) by smtp.sender.example with ESMTPA id 1A2B; <date>".
std::string make_received(const ReceivedInfo& info);

// "Thu, 26 Nov 2026 09:00:00 +0000" (RFC 5322 §3.3), always UTC.
std::string format_date(int64_t t);

}  // namespace net::message

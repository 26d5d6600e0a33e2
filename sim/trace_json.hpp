// The trace as JSON lines: one object per event, for export, golden files and fingerprints.
//
// Schema (v1): {"v":1,"t":<µs>,"seq":<n>,"type":"segment"|"conn"|"line"|"state"|"mailbox"|
// "queue"|"note"|"tls", ...the payload's fields under their C++ names}. Readers ignore fields
// they do not know, so added fields (mailbox "folder"/"flags"/"cached") keep v1. Proto values are
// the to_string(Proto) names ("SMTP"). A segment's TCP sequence number is "tcp_seq" ("seq" is
// always the event's position); segments also carry "flag_names" ("SYN|ACK") for readers. Text:
// every string field is written as a JSON string when it is valid UTF-8; otherwise (8-bit bytes on
// the wire) it is written base64-encoded under "<field>_b64" instead, so the bytes survive a round
// trip exactly and the writer never throws.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <string>
#include <string_view>
#include <vector>

#include "sim/trace.hpp"

namespace sim {

std::string to_json_line(const Event& e);  // no trailing newline
void write_jsonl(const Trace& trace, std::ostream& out);
// Throws std::runtime_error ("trace JSON: …") on malformed lines, unknown types, wrong field
// types or out-of-range numbers. Missing payload fields take their defaults.
Event from_json_line(std::string_view line);
// Reads every non-empty line; errors name the line number.
std::vector<Event> read_jsonl(std::istream& in);
// FNV-1a 64 over exactly what write_jsonl writes.
std::uint64_t fingerprint(const Trace& trace);
std::string fingerprint_hex(std::uint64_t fp);  // 16 lower-case hex digits

// Helpers, exposed for tests and other exporters.
bool is_valid_utf8(std::string_view s);

}  // namespace sim

// The message a connection carries, rebuilt from the trace's protocol lines: the data lines
// of an SMTP DATA transfer (between 354 and "."), a POP3 RETR/TOP answer, or an IMAP
// literal (FETCH BODY[], APPEND). Then its anatomy: envelope, header fields (each with the
// trace line that carried it), Received hops and the MIME tree with short previews. Used by
// the Message anatomy view and its tests; no ImGui here.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "gui/scene.hpp"

namespace mailsim {

struct CarriedMessage {
  std::uint32_t conn = 0;
  sim::Proto proto = sim::Proto::None;
  std::size_t command = 0;         // trace index of the line that asked for it (DATA, RETR, ...)
  std::string command_text;        // that line's text
  std::vector<std::size_t> lines;  // trace index of each line of `text` (one per text line)
  std::string text;                // the message, CRLF line ends, dots unstuffed
  std::vector<std::pair<std::string, std::size_t>> envelope;  // SMTP MAIL FROM / RCPT TO lines
};

// Every message carried on connection `conn`, in trace order.
std::vector<CarriedMessage> carried_messages(const Scene& scene, std::uint32_t conn);

// The message for trace index `at` (a protocol line or a segment): the one whose lines
// contain `at`; else the last one on that connection that started before `at`; else the
// first one after it. nullopt when the connection carries no message.
std::optional<CarriedMessage> message_at(const Scene& scene, std::size_t at);
// The message of the line at `at`'s connection, or else the last message whose lines began
// before trace index `upto` on any connection (what the cursor has most recently seen).
std::optional<CarriedMessage> message_near(const Scene& scene, std::size_t at, std::size_t upto);

struct HeaderLine {
  std::string name, value;  // value unfolded and trimmed
  std::size_t line = 0;     // index into CarriedMessage::lines of the field's first line
};

struct ReceivedHop {
  std::string from, by, with, id, for_addr, date;
  std::size_t field = 0;  // index into Anatomy::fields
};

struct AnatomyPart {
  int depth = 0;
  std::string path;                                         // "1", "2.1"; "" for the message itself
  std::string type, subtype;                                // lower case
  std::vector<std::pair<std::string, std::string>> params;  // names lower case
  std::string encoding;                                     // Content-Transfer-Encoding
  std::string disposition;                                  // "attachment; filename=..."
  std::size_t size = 0;                                     // body octets as sent
  std::string preview;  // decoded, whitespace collapsed, short; "" for multiparts
};

struct Anatomy {
  std::vector<HeaderLine> fields;                  // in order, top to bottom
  std::vector<ReceivedHop> hops;                   // oldest (the bottom Received:) first
  std::vector<AnatomyPart> parts;                  // depth-first, the message first
  std::size_t header_lines = 0;                    // lines of the header (without the empty line)
  std::string get(const std::string& name) const;  // first field, case-insensitive; "" if none
};
Anatomy dissect(const CarriedMessage& m);

// "from a (a [10.0.0.1]) by b with ESMTP id X for <c>; date" split into its clauses.
ReceivedHop parse_received(const std::string& value);
// Quoted-printable (RFC 2045 §6.7) and base64 (whitespace ignored) bodies; others as they are.
std::string decode_body(const std::string& body, const std::string& encoding);

}  // namespace mailsim

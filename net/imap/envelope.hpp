// The parsed views of a message that FETCH returns (RFC 3501 §7.4.2): ENVELOPE,
// BODYSTRUCTURE and the header/text split used by BODY[section].
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace net::imap {

// "(date subject from sender reply-to to cc bcc in-reply-to message-id)".
std::string envelope(std::string_view message);
// BODYSTRUCTURE (extensible) or BODY: MIME parts (RFC 2045/2046) as a tree, multipart and
// message/rfc822 parts included, with the extension data MD5, disposition (RFC 2183),
// language and location taken from the part's header fields.
std::string body_structure(std::string_view message, bool extensible);

// One MIME entity: its header and body, media type and parameters, and its children
// (the parts of a multipart, or the one encapsulated message of a message/rfc822 part).
struct MimePart {
  std::string_view header;  // including the empty line that ends it; may be empty
  std::string_view body;
  std::string type = "TEXT", subtype = "PLAIN";             // upper case
  std::vector<std::pair<std::string, std::string>> params;  // names upper case
  std::vector<MimePart> parts;
  bool multipart() const { return type == "MULTIPART" && !parts.empty(); }
  bool encapsulated() const { return type == "MESSAGE" && subtype == "RFC822" && !parts.empty(); }
};
MimePart parse_mime(std::string_view entity, int depth = 0);
// The part a section path names (RFC 3501 §6.4.5: "1", "2.1", ...); the entity itself for
// an empty path; nullptr when there is no such part.
const MimePart* find_part(const MimePart& root, const std::vector<uint32_t>& path);

struct HeaderBody {
  std::string_view header;  // including the empty line that ends it
  std::string_view body;
};
HeaderBody split_message(std::string_view message);
// The header lines whose names are (not, with negate) in names, plus the final CRLF
// (RFC 3501 §6.4.5 HEADER.FIELDS / HEADER.FIELDS.NOT).
std::string header_fields(std::string_view header, const std::vector<std::string>& names,
                          bool negate);

}  // namespace net::imap

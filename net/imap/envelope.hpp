// The parsed views of a message that FETCH returns (RFC 3501 §7.4.2): ENVELOPE,
// BODYSTRUCTURE and the header/text split used by BODY[section].
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace net::imap {

// "(date subject from sender reply-to to cc bcc in-reply-to message-id)".
std::string envelope(std::string_view message);
// BODYSTRUCTURE / BODY. Single-part only for now: a multipart or message/rfc822 message is
// described as one application/octet-stream part holding the whole body.
std::string body_structure(std::string_view message, bool extensible);

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

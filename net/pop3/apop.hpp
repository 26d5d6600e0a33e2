// APOP digest (RFC 1939 §7): MD5 (RFC 1321) of the greeting's timestamp followed by the
// shared secret, as 32 lowercase hex digits. Shared by the POP3 server and client.
#pragma once

#include <string>
#include <string_view>

namespace net::pop3 {

std::string apop_digest(std::string_view timestamp, std::string_view secret);

}  // namespace net::pop3

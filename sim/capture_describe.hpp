// Labels, plain-language meanings and RFC sections for protocol lines read from a capture,
// where no engine of ours took part: commands are looked up in the server engines' own
// command tables (the ones `serve` and the simulator use); replies get their label (code,
// +OK/-ERR, IMAP status or untagged response name) and a sentence by kind.
#pragma once

#include <string>
#include <string_view>

#include "sim/trace.hpp"

namespace sim {

struct LineDescription {
  std::string label, meaning, rfc;
};

// "MAIL FROM:<a@b>" -> MAIL; "A1 UID FETCH 1:* FLAGS" -> "UID FETCH" (IMAP: after the tag).
std::string command_verb(Proto proto, std::string_view line);
LineDescription describe_command(Proto proto, std::string_view line);
// `greeting`: the server's first line on the connection.
LineDescription describe_reply(Proto proto, std::string_view line, bool greeting);

}  // namespace sim

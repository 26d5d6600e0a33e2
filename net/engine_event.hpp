// What a sans-I/O protocol engine reports besides the bytes it wants sent.
// Drivers (the simulator, the socket driver) turn these into trace events; engines
// never see a clock, a socket or the trace itself.
#pragma once

#include <string>
#include <variant>
#include <vector>

namespace net {

enum class LineKind { Command, Reply, Data };

// One protocol line that this engine wrote (sent=true) or parsed (sent=false).
struct LineEvent {
  bool sent = true;
  LineKind kind = LineKind::Command;
  std::string text;     // the line without CRLF, exactly as on the wire
  std::string label;    // verb ("MAIL") or reply code ("250"); empty for data lines
  std::string meaning;  // one plain-language sentence for students
  std::string rfc;      // where the rule comes from, e.g. "RFC 5321 §4.1.1.2"
  std::string secret;   // substring of text that must be redacted (credentials), or empty
};

// The engine's protocol state changed (only through its enter_state()).
struct StateEvent {
  std::string from;
  std::string to;
};

using EngineEvent = std::variant<LineEvent, StateEvent>;
using EngineEvents = std::vector<EngineEvent>;

}  // namespace net

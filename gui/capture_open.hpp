// Captures (.pcap, .pcapng) opened like saved traces, by `mailsim open`, `mailsim gui` and
// the window's menus: the import's report goes to stderr, a file that is not a capture is
// an error naming the byte offset.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "sim/pcap_import.hpp"
#include "sim/trace.hpp"

namespace mailsim {

// A saved trace (.jsonl) or a capture: both open in the views without a lesson.
bool is_trace_file(const std::string& path);

// Extra server ports (`open --port 2525=smtp`) used by every later import in this run.
void set_capture_ports(const std::map<std::uint16_t, sim::MailPort>& extra);

// Imports the capture into `trace` and prints what was left out to stderr. Throws
// std::runtime_error ("offset N: why") when the file is not a capture or cannot be read.
void load_capture(const std::string& path, sim::Trace& trace);

}  // namespace mailsim

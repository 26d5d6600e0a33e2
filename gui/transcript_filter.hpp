// Which transcript rows to show: one connection or all, and which protocols. Plain data and
// pure functions (no ImGui), so the view and the tests share them.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "sim/trace.hpp"

namespace mailsim {

// A connection as the filter's menu offers it.
struct ConnChoice {
  std::uint32_t conn = 0;
  sim::Proto proto = sim::Proto::Tcp;
  std::string label;  // "#3 phone > mail.sender.example:587 SMTP"
};

// The connections of a trace in the order they opened.
std::vector<ConnChoice> connection_choices(const sim::Trace& trace);

struct TranscriptFilter {
  std::optional<std::uint32_t> conn;  // only this connection's rows; nullopt: every connection
  bool smtp = true, pop3 = true, imap = true, dns = true;
  bool other = true;  // mailbox, queue and narration rows (they belong to no connection)
  bool all() const { return !conn && smtp && pop3 && imap && dns && other; }
};

// Does the event pass the filter? `conn_proto` maps each connection to its protocol (a
// connection's open/close rows follow its protocol's switch).
bool passes(const sim::Event& e, const TranscriptFilter& f,
            const std::map<std::uint32_t, sim::Proto>& conn_proto);

// conn -> application protocol, from the trace's connection events.
std::map<std::uint32_t, sim::Proto> connection_protocols(const sim::Trace& trace);

}  // namespace mailsim

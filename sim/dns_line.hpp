// The LineEv recorded when a DNS query or answer is sent (by the Resolver or the DnsServer).
#pragma once

#include <string>

#include "net/dns/message.hpp"
#include "sim/trace.hpp"

namespace sim {

// text = net::dns::describe(m); label "MX?"/"A?" for a query, the RCODE name for an answer;
// a plain-language meaning; rfc "RFC 1035 §4.1"; conn 0; proto Dns.
LineEv dns_line(const net::dns::Message& m, const std::string& from, const std::string& to);

}  // namespace sim

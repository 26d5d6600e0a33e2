// `mailsim open CAPTURE.pcap[ng]`: a real capture turned into a trace. Every TCP
// connection on a mail port is put back in order per direction, split into protocol lines
// and recorded through the same path as `live` (sim::record_engine_events), with hosts named
// by IP address; TLS connections show their records, not lines. What could not be used is
// counted in the CaptureReport, never thrown, except a file that is not a capture at all.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "sim/capture_report.hpp"
#include "sim/trace.hpp"

namespace sim {

struct MailPort {
  Proto proto = Proto::None;
  bool tls = false;  // implicit TLS from the first byte (RFC 8314)
};

// 25/465/587/2525 SMTP, 110/995 POP3, 143/993 IMAP (465, 993, 995 with implicit TLS).
std::map<std::uint16_t, MailPort> default_mail_ports();

// "2525=smtp", "10143=imap", "10993=imaps" (smtps, pop3s, imaps: implicit TLS); nullopt
// with `why` set when the text is not of that form.
std::optional<std::pair<std::uint16_t, MailPort>> parse_port_mapping(const std::string& text,
                                                                     std::string& why);

struct CaptureImportOptions {
  std::map<std::uint16_t, MailPort> ports = default_mail_ports();
};

// Appends the capture's mail connections to `trace` (times from the first packet).
// Throws CaptureError when the file is not a capture or its first header is damaged.
void import_capture(std::string_view file, const CaptureImportOptions& opt, Trace& trace,
                    CaptureReport& report);

// Reads the file and imports it; a file that cannot be read throws CaptureError too.
void import_capture_file(const std::string& path, const CaptureImportOptions& opt, Trace& trace,
                         CaptureReport& report);

// Whether the file name says it is a capture (.pcap, .pcapng, .cap).
bool is_capture_path(const std::string& path);

}  // namespace sim

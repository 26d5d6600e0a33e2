#include "gui/capture_open.hpp"

#include <iostream>
#include <stdexcept>

namespace mailsim {

namespace {
sim::CaptureImportOptions& options() {
  static sim::CaptureImportOptions opt;
  return opt;
}
}  // namespace

bool is_trace_file(const std::string& path) {
  return path.ends_with(".jsonl") || sim::is_capture_path(path);
}

void set_capture_ports(const std::map<std::uint16_t, sim::MailPort>& extra) {
  for (const auto& [port, mp] : extra) options().ports[port] = mp;
}

void load_capture(const std::string& path, sim::Trace& trace) {
  sim::CaptureReport report;
  try {
    sim::import_capture_file(path, options(), trace, report);
  } catch (const sim::CaptureError& e) {
    throw std::runtime_error("offset " + std::to_string(e.offset()) + ": " + e.what());
  }
  std::cerr << report.summary(path);
  if (report.connections == 0)
    std::cerr << path
              << ": no SMTP, POP3 or IMAP connection found; other ports can be named with "
                 "--port PORT=PROTOCOL (e.g. --port 2525=smtp)\n";
}

}  // namespace mailsim

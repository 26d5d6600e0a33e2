#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>

namespace mailsim {

struct HeadlessOptions {
  std::string lesson;
  std::string trace_file;
  bool explain = false;
  bool segments = false;
  std::optional<std::uint64_t> seed;
  std::string lang = "en";
  std::string pcap_file;      // Ethernet/IPv4/TCP capture of the segments (sim/pcap.hpp)
  std::string pcap_link;      // capture on this link only ("a<->b"); default: first hops
  std::string keylog_file;    // with --pcap: the TLS secrets (SSLKEYLOGFILE) for Wireshark
  std::string eavesdrop;      // also report what a tap on this link ("a<->b") reads
  bool plaintext = false;     // run the lesson with TLS switched off everywhere
  bool show_secrets = false;  // passwords unmasked in the transcript, trace and reports
};

// The plain transcript of a lesson (what `mailsim` prints without a display).
inline HeadlessOptions transcript_of(std::string lesson, std::string lang) {
  HeadlessOptions o;
  o.lesson = std::move(lesson);
  o.lang = std::move(lang);
  return o;
}

// Runs the lesson and prints the transcript; returns the process exit code
// (2: bad lesson file, 1: the run failed, 0: fine).
int run_lesson_headless(const HeadlessOptions& o);

}  // namespace mailsim

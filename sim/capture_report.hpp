// What an import of a packet capture read and what it had to leave out, with reasons, so a
// malformed, truncated or unusual capture is explained to the user instead of crashing.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

namespace sim {

struct CaptureReport {
  std::size_t packets = 0;      // packet records read from the file
  std::size_t tcp_packets = 0;  // of those, TCP segments of a mail connection
  std::size_t connections = 0;
  std::size_t lines = 0;                       // protocol lines recovered
  std::map<std::string, std::size_t> skipped;  // reason -> packets (or events) left out
  std::vector<std::string> details;            // the first few problems, with positions
  bool stopped_early = false;                  // the rest of the file could not be read

  // Counts one problem; keeps its detail (packet number, offset) among the first few.
  void skip(const std::string& reason, const std::string& detail = {});
  std::size_t total_skipped() const;
  // Human-readable, several lines: "read 120 packets; 3 skipped: ...".
  std::string summary(const std::string& file) const;
};

// A file that is not a capture at all, or whose header is damaged: nothing can be read.
class CaptureError : public std::runtime_error {
 public:
  CaptureError(std::uint64_t offset, const std::string& what)
      : std::runtime_error(what), offset_(offset) {}
  std::uint64_t offset() const { return offset_; }

 private:
  std::uint64_t offset_;
};

}  // namespace sim

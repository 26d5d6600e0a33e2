#include "sim/capture_report.hpp"

namespace sim {

namespace {
constexpr std::size_t kMaxDetails = 20;
}

void CaptureReport::skip(const std::string& reason, const std::string& detail) {
  ++skipped[reason];
  if (details.size() < kMaxDetails) details.push_back(detail.empty() ? reason : detail);
}

std::size_t CaptureReport::total_skipped() const {
  std::size_t n = 0;
  for (const auto& [reason, count] : skipped) n += count;
  return n;
}

std::string CaptureReport::summary(const std::string& file) const {
  std::string s = file + ": read " + std::to_string(packets) + " packets, " +
                  std::to_string(tcp_packets) + " of them in " + std::to_string(connections) +
                  " mail connections (" + std::to_string(lines) + " protocol lines)\n";
  if (!skipped.empty()) s += file + ": left out:\n";
  for (const auto& [reason, count] : skipped)
    s += "  " + std::to_string(count) + " x " + reason + "\n";
  if (!details.empty()) {
    s += file + ": first notes:\n";
    for (const auto& d : details) s += "  " + d + "\n";
  }
  if (stopped_early) s += file + ": the rest of the file could not be read\n";
  return s;
}

}  // namespace sim

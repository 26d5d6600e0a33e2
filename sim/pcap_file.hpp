// Reads the packet records of a capture file: classic libpcap (either byte order,
// microsecond or nanosecond timestamps) and pcapng (Section Header, Interface Description,
// Enhanced, Simple and the obsolete Packet blocks; other blocks are skipped), as described
// by draft-ietf-opsawg-pcap and draft-ietf-opsawg-pcapng. Nothing here knows IP or TCP.
#pragma once

#include <cstdint>
#include <functional>
#include <string_view>

#include "sim/capture_report.hpp"

namespace sim {

struct CaptureFrame {
  std::size_t number = 0;    // 1-based, in file order
  std::uint64_t offset = 0;  // of the record in the file
  std::int64_t ts_us = 0;    // capture time, microseconds since the Unix epoch
  std::uint32_t linktype = 0;
  std::string_view data;  // the captured bytes (may be shorter than the packet was)
  std::uint32_t orig_len = 0;
};

// Calls on_frame for every packet record in `file` (the whole file's bytes). A file that is
// neither format, or has a damaged first header, throws CaptureError naming the offset; a
// damaged or truncated record later on is counted in `report` and ends the reading there.
void read_capture_frames(std::string_view file, CaptureReport& report,
                         const std::function<void(const CaptureFrame&)>& on_frame);

}  // namespace sim

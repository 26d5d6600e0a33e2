#include "sim/pcap_file.hpp"

#include <string>
#include <vector>

namespace sim {

namespace {

constexpr std::uint32_t kPcapMicro = 0xa1b2c3d4, kPcapNano = 0xa1b23c4d;
constexpr std::uint32_t kShb = 0x0a0d0d0a, kByteOrderMagic = 0x1a2b3c4d;
constexpr std::uint32_t kIdb = 1, kObsoletePacket = 2, kSpb = 3, kEpb = 6;
// No real link layer frame is this big; a larger length means a damaged record.
constexpr std::uint32_t kMaxRecord = 1u << 26;

// Reads fixed-size integers in the byte order of the file (or section).
struct Reader {
  std::string_view b;
  bool swap = false;  // the file is big-endian
  std::uint16_t u16(std::size_t at) const {
    const auto* p = reinterpret_cast<const unsigned char*>(b.data() + at);
    return swap ? static_cast<std::uint16_t>(p[0] << 8 | p[1])
                : static_cast<std::uint16_t>(p[1] << 8 | p[0]);
  }
  std::uint32_t u32(std::size_t at) const {
    const auto* p = reinterpret_cast<const unsigned char*>(b.data() + at);
    const std::uint32_t a = p[0], c = p[1], d = p[2], e = p[3];
    return swap ? (a << 24 | c << 16 | d << 8 | e) : (e << 24 | d << 16 | c << 8 | a);
  }
};

std::string at(std::uint64_t offset) {
  return "offset " + std::to_string(offset);
}

// --- classic libpcap -------------------------------------------------------------------

void read_pcap(std::string_view f, CaptureReport& report,
               const std::function<void(const CaptureFrame&)>& on_frame) {
  Reader r{f, false};
  if (f.size() < 24) throw CaptureError(f.size(), "the pcap file header is cut short");
  bool nano = false;
  const std::uint32_t magic = r.u32(0);
  if (magic == kPcapMicro || magic == kPcapNano) {
    nano = magic == kPcapNano;
  } else {
    r.swap = true;
    nano = r.u32(0) == kPcapNano;
  }
  const std::uint16_t major = r.u16(4);
  if (major != 2) throw CaptureError(4, "unsupported pcap version " + std::to_string(major));
  const std::uint32_t linktype = r.u32(20) & 0x0fffffff;  // the top bits may carry FCS info
  std::size_t pos = 24, number = 0;
  while (pos < f.size()) {
    if (f.size() - pos < 16) {
      report.skip("truncated record", "record at " + at(pos) + ": the record header is cut short");
      report.stopped_early = true;
      return;
    }
    const std::uint32_t sec = r.u32(pos), frac = r.u32(pos + 4), incl = r.u32(pos + 8),
                        orig = r.u32(pos + 12);
    if (incl > kMaxRecord) {
      report.skip("bad record header",
                  "record at " + at(pos) + ": impossible length " + std::to_string(incl));
      report.stopped_early = true;
      return;
    }
    if (f.size() - pos - 16 < incl) {
      report.skip("truncated record", "record at " + at(pos) + ": " + std::to_string(incl) +
                                          " bytes announced, " +
                                          std::to_string(f.size() - pos - 16) + " left");
      report.stopped_early = true;
      return;
    }
    CaptureFrame fr;
    fr.number = ++number;
    fr.offset = pos;
    // A fraction of a second too large (some writers) simply carries into the seconds.
    fr.ts_us = static_cast<std::int64_t>(sec) * 1000000 + (nano ? frac / 1000 : frac);
    fr.linktype = linktype;
    fr.data = f.substr(pos + 16, incl);
    fr.orig_len = orig;
    ++report.packets;
    on_frame(fr);
    pos += 16 + incl;
  }
}

// --- pcapng ----------------------------------------------------------------------------

struct Interface {
  std::uint32_t linktype = 0;
  bool binary = false;  // if_tsresol: 2^-units instead of 10^-units
  unsigned units = 6;   // default: microseconds
};

// A pcapng timestamp (units since the epoch) in microseconds.
std::int64_t to_us(std::uint64_t ts, const Interface& i) {
  if (i.binary) {
    const unsigned k = i.units > 63 ? 63 : i.units;
    std::uint64_t frac = ts & ((std::uint64_t{1} << k) - 1);
    unsigned shift = k;
    if (shift > 40) {  // keep frac * 10^6 within 64 bits
      frac >>= shift - 40;
      shift = 40;
    }
    return static_cast<std::int64_t>((ts >> k) * 1000000 + ((frac * 1000000) >> shift));
  }
  std::uint64_t v = ts;
  if (i.units <= 6) {
    for (unsigned k = i.units; k < 6; ++k) v *= 10;
  } else {
    for (unsigned k = 6; k < i.units && v; ++k) v /= 10;
  }
  return static_cast<std::int64_t>(v);
}

// The if_tsresol option (code 9) of an Interface Description Block's options.
void read_idb_options(const Reader& r, std::size_t pos, std::size_t end, Interface& i) {
  while (end - pos >= 4) {
    const std::uint16_t code = r.u16(pos), len = r.u16(pos + 2);
    if (code == 0 || end - pos - 4 < len) return;  // opt_endofopt, or a damaged option
    if (code == 9 && len >= 1) {
      const auto v = static_cast<unsigned char>(r.b[pos + 4]);
      i.binary = (v & 0x80) != 0;
      i.units = v & 0x7f;
    }
    pos += 4 + ((len + 3u) & ~3u);
  }
}

void read_pcapng(std::string_view f, CaptureReport& report,
                 const std::function<void(const CaptureFrame&)>& on_frame) {
  Reader r{f, false};
  std::vector<Interface> ifaces;
  std::size_t pos = 0, number = 0;
  while (pos < f.size()) {
    auto stop = [&](const std::string& reason, const std::string& why) {
      if (pos == 0) throw CaptureError(pos, why);
      report.skip(reason, "block at " + at(pos) + ": " + why);
      report.stopped_early = true;
    };
    if (f.size() - pos < 12) return stop("truncated record", "the block header is cut short");
    std::uint32_t type = Reader{f, false}.u32(pos);
    if (type == kShb) {
      // A new section: its byte-order magic decides how every later block is read.
      if (f.size() - pos < 28) return stop("truncated record", "the section header is cut short");
      const std::uint32_t bom = Reader{f, false}.u32(pos + 8);
      if (bom == kByteOrderMagic) {
        r.swap = false;
      } else if (Reader{f, true}.u32(pos + 8) == kByteOrderMagic) {
        r.swap = true;
      } else {
        return stop("bad record header", "the section header has no byte-order magic");
      }
      ifaces.clear();
    } else if (pos == 0) {
      throw CaptureError(0, "not a capture file (no pcap or pcapng magic number)");
    }
    type = r.u32(pos);
    const std::uint32_t len = r.u32(pos + 4);
    if (len < 12 || len % 4 != 0 || len > kMaxRecord)
      return stop("bad record header", "impossible block length " + std::to_string(len));
    if (f.size() - pos < len)
      return stop("truncated record", std::to_string(len) + " bytes announced, " +
                                          std::to_string(f.size() - pos) + " left");
    if (r.u32(pos + len - 4) != len)
      return stop("bad record header", "the block's trailing length does not match");
    const std::size_t body = pos + 8, body_end = pos + len - 4;
    const std::size_t body_len = body_end - body;
    auto packet = [&](std::uint32_t iface, std::uint64_t ts, std::size_t data_at,
                      std::uint32_t caplen, std::uint32_t orig) {
      ++report.packets;
      ++number;
      if (iface >= ifaces.size()) {
        report.skip("unknown interface", "packet " + std::to_string(number) + " at " + at(pos) +
                                             ": interface " + std::to_string(iface) +
                                             " was never described");
        return;
      }
      if (caplen > body_end - data_at) {
        report.skip("truncated record", "packet " + std::to_string(number) + " at " + at(pos) +
                                            ": captured length beyond its block");
        return;
      }
      CaptureFrame fr;
      fr.number = number;
      fr.offset = pos;
      fr.ts_us = to_us(ts, ifaces[iface]);
      fr.linktype = ifaces[iface].linktype;
      fr.data = f.substr(data_at, caplen);
      fr.orig_len = orig;
      on_frame(fr);
    };
    if (type == kIdb) {
      if (body_len < 8) return stop("bad record header", "interface description too short");
      Interface i;
      i.linktype = r.u16(body);
      read_idb_options(r, body + 8, body_end, i);
      ifaces.push_back(i);
    } else if (type == kEpb) {
      if (body_len < 20) return stop("bad record header", "enhanced packet block too short");
      const std::uint64_t ts = std::uint64_t{r.u32(body + 4)} << 32 | r.u32(body + 8);
      packet(r.u32(body), ts, body + 20, r.u32(body + 12), r.u32(body + 16));
    } else if (type == kObsoletePacket) {
      if (body_len < 20) return stop("bad record header", "packet block too short");
      const std::uint64_t ts = std::uint64_t{r.u32(body + 4)} << 32 | r.u32(body + 8);
      packet(r.u16(body), ts, body + 20, r.u32(body + 12), r.u32(body + 16));
    } else if (type == kSpb) {
      if (body_len < 4) return stop("bad record header", "simple packet block too short");
      const std::uint32_t orig = r.u32(body);
      const auto room = static_cast<std::uint32_t>(body_len - 4);
      packet(0, 0, body + 4, orig < room ? orig : room, orig);
    }
    pos += len;
  }
}

}  // namespace

void read_capture_frames(std::string_view file, CaptureReport& report,
                         const std::function<void(const CaptureFrame&)>& on_frame) {
  if (file.size() < 4) throw CaptureError(0, "too short to be a capture file");
  const std::uint32_t le = Reader{file, false}.u32(0), be = Reader{file, true}.u32(0);
  if (le == kShb) return read_pcapng(file, report, on_frame);
  if (le == kPcapMicro || le == kPcapNano || be == kPcapMicro || be == kPcapNano)
    return read_pcap(file, report, on_frame);
  throw CaptureError(0, "not a capture file (no pcap or pcapng magic number)");
}

}  // namespace sim

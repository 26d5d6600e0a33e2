// Fuzz target: pcap import (sim::import_capture). The input is read twice: as a capture
// file (pcap/pcapng container, link layers, IP, TCP), and as the bytes of one mail
// connection wrapped in a well-formed capture (TCP reassembly with segments out of order,
// then the SMTP/POP3/IMAP line splitter and TLS record reader). Only sim::CaptureError may
// be thrown, and only for a file that is not a capture; the report must add up.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_util.hpp"
#include "sim/pcap_import.hpp"

namespace {

void put_be(std::string& b, std::uint64_t v, int n) {
  for (int i = n - 1; i >= 0; --i) b += static_cast<char>((v >> (8 * i)) & 0xff);
}
void put_le(std::string& b, std::uint64_t v, int n) {
  for (int i = 0; i < n; ++i) b += static_cast<char>((v >> (8 * i)) & 0xff);
}

// One raw-IPv4 TCP segment 10.0.0.1:40000 <-> 10.0.0.2:port.
std::string segment(bool from_client, std::uint16_t port, std::uint32_t seq, std::uint8_t flags,
                    std::string_view payload) {
  std::string tcp;
  put_be(tcp, from_client ? 40000 : port, 2);
  put_be(tcp, from_client ? port : 40000, 2);
  put_be(tcp, seq, 4);
  put_be(tcp, 0, 4);
  tcp += static_cast<char>(5 << 4);
  tcp += static_cast<char>(flags);
  put_be(tcp, 0, 4);  // window, checksum
  put_be(tcp, 0, 2);  // urgent pointer
  tcp.append(payload);
  std::string ip = {'\x45', '\0'};
  put_be(ip, static_cast<std::uint32_t>(20 + tcp.size()), 2);
  put_be(ip, 0, 4);
  ip += '\x40';
  ip += '\x06';
  put_be(ip, 0, 2);
  put_be(ip, from_client ? 0x0a000001 : 0x0a000002, 4);
  put_be(ip, from_client ? 0x0a000002 : 0x0a000001, 4);
  return ip + tcp;
}

// The input as one connection: byte 0 picks the port, then chunks of 1..16 octets go
// alternately to the server and the client, every third chunk sent after the next one.
std::string as_connection(std::string_view in) {
  static const std::uint16_t ports[] = {25, 110, 143, 993};
  const std::uint16_t port = in.empty() ? 25 : ports[static_cast<unsigned char>(in[0]) % 4];
  if (!in.empty()) in.remove_prefix(1);
  std::vector<std::string> frames = {segment(true, port, 99, 0x02, {}),
                                     segment(false, port, 499, 0x12, {})};
  std::uint32_t seq[2] = {100, 500};
  std::string held;
  for (std::size_t i = 0, n = 0; i < in.size(); ++n) {
    const std::size_t len = 1 + static_cast<unsigned char>(in[i]) % 16;
    const std::string_view chunk = in.substr(i, len);
    const bool client = n % 2 == 1;
    std::string f = segment(client, port, seq[client], 0x18, chunk);
    seq[client] += static_cast<std::uint32_t>(chunk.size());
    i += chunk.size();
    if (n % 3 == 2 && held.empty()) {
      held = std::move(f);
      continue;
    }
    frames.push_back(std::move(f));
    if (!held.empty()) frames.push_back(std::move(held)), held.clear();
  }
  if (!held.empty()) frames.push_back(std::move(held));
  std::string file;
  put_le(file, 0xa1b2c3d4, 4);
  put_le(file, 2, 2);
  put_le(file, 4, 2);
  put_le(file, 0, 8);
  put_le(file, 65535, 4);
  put_le(file, 101, 4);  // raw IP
  for (const auto& f : frames) {
    put_le(file, 0, 8);
    put_le(file, static_cast<std::uint32_t>(f.size()), 4);
    put_le(file, static_cast<std::uint32_t>(f.size()), 4);
    file += f;
  }
  return file;
}

void import(std::string_view file, bool must_parse) {
  sim::Trace trace;
  sim::CaptureReport report;
  try {
    sim::import_capture(file, {}, trace, report);
  } catch (const sim::CaptureError& e) {
    if (must_parse || e.offset() > file.size()) std::abort();
    return;
  }
  if (report.tcp_packets + report.total_skipped() < report.packets) std::abort();
  (void)report.summary("fuzz.pcap");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view in = fuzz::as_text(data, size);
  import(in, false);
  import(as_connection(in), true);
  return 0;
}

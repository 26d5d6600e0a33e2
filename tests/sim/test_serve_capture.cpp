// serve --pcap's streaming capture: whole records on disk after every packet, credentials
// masked even when a client splits them over reads, TLS bytes passed on at once.
#include <doctest/doctest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "sim/capture_report.hpp"
#include "sim/pcap_file.hpp"
#include "sim/pcap_import.hpp"
#include "sim/serve_capture.hpp"

using namespace sim;

namespace {

struct TempFile {
  std::string path;
  explicit TempFile(const std::string& name)
      : path((std::filesystem::temp_directory_path() /
              (name + "-" + std::to_string(reinterpret_cast<std::uintptr_t>(this)) + ".pcap"))
                 .string()) {}
  ~TempFile() { std::remove(path.c_str()); }
  std::string read() const {
    std::ifstream f(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>()};
  }
};

std::size_t frames_in(const std::string& pcap) {
  CaptureReport rep;
  std::size_t n = 0;
  read_capture_frames(pcap, rep, [&](const CaptureFrame&) { ++n; });
  CHECK(rep.total_skipped() == 0);
  return n;
}

std::vector<std::string> lines_of(const std::string& pcap, std::uint16_t port, Proto proto) {
  CaptureImportOptions opt;
  opt.ports[port] = MailPort{proto, false};
  Trace back;
  CaptureReport rep;
  import_capture(pcap, opt, back, rep);
  std::vector<std::string> out;
  for (const auto& e : back.events())
    if (const auto* l = std::get_if<LineEv>(&e.p))
      out.push_back(std::to_string(l->conn) + (l->from_client ? " C: " : " S: ") + l->text);
  return out;
}

}  // namespace

TEST_CASE("serve capture: the header at once, every packet on disk as it is written") {
  TempFile f("serve-capture-stream");
  ServeCapture cap(f.path, 1795683600LL * 1000000, {});
  CHECK(f.read().size() == 24);  // the libpcap file header, before any connection
  CHECK(frames_in(f.read()) == 0);
  cap.opened(7, 100, "127.0.0.1:40000", "127.0.0.1:2525");
  CHECK(frames_in(f.read()) == 3);  // SYN, SYN-ACK, ACK
  cap.bytes(7, 200, false, "220 mx ready\r\n");
  CHECK(frames_in(f.read()) == 4);
  CHECK(cap.packets() == 4);
  CHECK(cap.open_connections() == 1);
  cap.closed(7, 300);
  CHECK(frames_in(f.read()) == 7);
  CHECK(cap.open_connections() == 0);
  cap.bytes(7, 400, true, "late\r\n");  // a closed connection records nothing more
  CHECK(cap.packets() == 7);
}

TEST_CASE("serve capture: a password split over two reads is masked whole") {
  TempFile f("serve-capture-split");
  ServeCapture::Options o;
  o.secrets = {"hunter2hunter2"};
  {
    ServeCapture cap(f.path, 0, o);
    cap.opened(1, 0, "127.0.0.1:40000", "127.0.0.1:10143");
    cap.bytes(1, 1, false, "* OK ready\r\n");
    cap.bytes(1, 2, true, "A1 LOGIN ana hun");
    CHECK(cap.packets() == 4);  // the half line waits for its end
    cap.bytes(1, 3, true, "ter2hunter2\r\nA2 NO");
    CHECK(cap.packets() == 5);
    // A credential the engine marks once it has parsed the line (here an AUTH response).
    cap.bytes(1, 4, true, "OP\r\nQUJDREVGR0g=");
    cap.add_secret("QUJDREVGR0g=");
    cap.bytes(1, 5, true, "\r\n");
    cap.bytes(1, 6, true, {});  // the client's FIN releases nothing more
    cap.closed(1, 7);
  }
  const std::string pcap = f.read();
  CHECK(pcap.find("hun") == std::string::npos);
  CHECK(pcap.find("QUJD") == std::string::npos);
  CHECK(pcap.find("A1 LOGIN ana **************\r\n") != std::string::npos);
  CHECK(pcap.find("A2 NOOP\r\n") != std::string::npos);
  CHECK(pcap.find("************\r\n") != std::string::npos);
  const auto lines = lines_of(pcap, 10143, Proto::Imap);
  CHECK(lines == std::vector<std::string>{"1 S: * OK ready", "1 C: A1 LOGIN ana **************",
                                          "1 C: A2 NOOP", "1 C: ************"});
}

TEST_CASE("serve capture: TLS records are not held; revealing keeps the password") {
  TempFile f("serve-capture-tls");
  ServeCapture::Options o;
  o.secrets = {"hunter2hunter2"};
  o.reveal_secrets = true;
  ServeCapture cap(f.path, 0, o);
  cap.opened(1, 0, "[::1]:40000", "[::1]:10993");
  cap.tls_started(1);
  cap.bytes(1, 1, true, std::string("\x16\x03\x01\x00\x05hello", 10));  // no line end
  CHECK(cap.packets() == 4);
  cap.opened(2, 2, "[::1]:40002", "[::1]:10143");
  cap.bytes(2, 3, true, "A1 LOGIN ana hunter2hunter2\r\n");
  CHECK(cap.packets() == 8);
  CHECK(f.read().find("hunter2hunter2") != std::string::npos);
  CHECK(frames_in(f.read()) == 8);
}

TEST_CASE("serve capture: two connections interleaved import as two connections") {
  TempFile f("serve-capture-two");
  {
    ServeCapture cap(f.path, 0, {});
    cap.opened(1, 0, "127.0.0.1:40000", "127.0.0.1:2525");
    cap.opened(2, 1, "127.0.0.1:40001", "127.0.0.1:2525");
    cap.bytes(1, 2, false, "220 one\r\n");
    cap.bytes(2, 3, false, "220 two\r\n");
    cap.bytes(2, 4, true, "QUIT\r\n");
    cap.bytes(1, 5, true, "QUIT\r\n");
    cap.bytes(2, 6, false, "221 bye\r\n");
    cap.bytes(2, 7, false, {});  // the server closes first
    cap.closed(2, 8);
    cap.closed(1, 9);
  }
  const auto lines = lines_of(f.read(), 2525, Proto::Smtp);
  REQUIRE(lines.size() == 5);
  // The import numbers connections in the order they appear.
  CHECK(lines[0] == "1 S: 220 one");
  CHECK(lines[1] == "2 S: 220 two");
  CHECK(lines[2] == "2 C: QUIT");
  CHECK(lines[3] == "1 C: QUIT");
  CHECK(lines[4] == "2 S: 221 bye");
}

TEST_CASE("serve capture: a file that cannot be created throws") {
  CHECK_THROWS_AS(ServeCapture("/nonexistent-dir/x.pcap", 0, {}), std::runtime_error);
}

#include "sim/pcap_import.hpp"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <iterator>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <tuple>
#include <vector>

#include "sim/capture_protocol.hpp"
#include "sim/engine_trace.hpp"
#include "sim/packet_decode.hpp"
#include "sim/pcap_file.hpp"
#include "sim/tcp_reassembly.hpp"

namespace sim {

namespace {

// Bytes held behind a gap before the import stops waiting for a retransmission.
constexpr std::size_t kMaxHeld = 1 << 20;

struct Connection {
  std::uint32_t id = 0;
  std::string client_ip, server_ip;
  std::uint16_t client_port = 0, server_port = 0;
  Proto proto = Proto::None;
  TcpReassembly to_server, to_client;
  std::unique_ptr<CaptureProtocol> protocol;
  bool syn_ack = false, established = false, closed = false;
};

using Key = std::tuple<std::string, std::uint16_t, std::string, std::uint16_t>;

class Importer {
 public:
  Importer(const CaptureImportOptions& opt, Trace& trace, CaptureReport& report)
      : opt_(opt), trace_(trace), report_(report) {}

  void frame(const CaptureFrame& f) {
    std::string why;
    auto pkt = decode_tcp(f.linktype, f.data, why);
    if (!pkt) {
      report_.skip(why, "packet " + std::to_string(f.number) + " (offset " +
                            std::to_string(f.offset) + "): " + why);
      return;
    }
    if (!have_start_) {
      start_ = f.ts_us;
      have_start_ = true;
    }
    // Capture times can step back (several interfaces, clock changes): keep the trace ordered.
    Time rel = 0;
    if (__builtin_sub_overflow(f.ts_us, start_, &rel) || rel < now_)
      ++backwards_;
    else
      now_ = rel;
    Connection* c = find(*pkt);
    if (!c) {
      report_.skip("TCP on other ports");
      return;
    }
    ++report_.tcp_packets;
    segment(*c, *pkt, f.number);
  }

  void finish() {
    for (auto& c : conns_) {
      flush_gaps(*c, true, true);
      flush_gaps(*c, false, true);
      for (bool client : {true, false}) {
        if (const std::size_t n = c->protocol->unfinished(client)) {
          report_.skip("incomplete line at the end of a stream",
                       "#" + std::to_string(c->id) + ": " + std::to_string(n) +
                           " bytes without a line end at the end of the capture");
        }
      }
    }
    report_.connections = conns_.size();
    if (backwards_ > 0) {
      report_.details.push_back(std::to_string(backwards_) +
                                " packets carry a capture time before the packet ahead of them; "
                                "they are shown at that packet's time");
    }
  }

 private:
  Connection* find(const TcpPacket& p) {
    Key k{p.src_ip, p.sport, p.dst_ip, p.dport};
    const bool syn_only = (p.flags & tcpflag::SYN) && !(p.flags & tcpflag::ACK);
    // The same addresses and ports again after a close: a new connection (RFC 9293 §3.6.1).
    if (auto it = index_.find(k); it != index_.end() && !(syn_only && it->second->closed))
      return it->second;
    const auto ds = opt_.ports.find(p.dport), ss = opt_.ports.find(p.sport);
    bool to_server;
    if (ds != opt_.ports.end() && (ss == opt_.ports.end() || syn_only || p.dport <= p.sport))
      to_server = true;
    else if (ss != opt_.ports.end())
      to_server = false;
    else
      return nullptr;
    const MailPort mp = to_server ? ds->second : ss->second;
    auto c = std::make_unique<Connection>();
    c->id = static_cast<std::uint32_t>(conns_.size() + 1);
    c->client_ip = to_server ? p.src_ip : p.dst_ip;
    c->server_ip = to_server ? p.dst_ip : p.src_ip;
    c->client_port = to_server ? p.sport : p.dport;
    c->server_port = to_server ? p.dport : p.sport;
    c->proto = mp.proto;
    c->protocol = std::make_unique<CaptureProtocol>(mp.proto, mp.tls);
    Connection* raw = c.get();
    index_[{c->client_ip, c->client_port, c->server_ip, c->server_port}] = raw;
    index_[{c->server_ip, c->server_port, c->client_ip, c->client_port}] = raw;
    conns_.push_back(std::move(c));
    if (!syn_only && report_.details.size() < 20) {
      report_.details.push_back("#" + std::to_string(raw->id) +
                                ": the connection was already open when the capture started");
    }
    conn_event(*raw, "open");
    return raw;
  }

  void conn_event(const Connection& c, const char* op) {
    ConnEv ev;
    ev.conn = c.id;
    ev.op = op;
    ev.client = c.client_ip;
    ev.server = c.server_ip;
    ev.client_port = c.client_port;
    ev.server_port = c.server_port;
    ev.proto = c.proto;
    trace_.append(now_, ev);
  }

  void segment(Connection& c, const TcpPacket& p, std::size_t number) {
    const bool from_client = p.src_ip == c.client_ip && p.sport == c.client_port;
    auto& stream = from_client ? c.to_server : c.to_client;
    const bool syn = p.flags & tcpflag::SYN, fin = p.flags & tcpflag::FIN;
    std::string bytes = stream.segment(p.seq, syn, fin, p.payload);
    deliver(c, from_client, bytes);
    if (stream.held_back() > kMaxHeld) flush_gaps(c, from_client, false, number);

    SegmentEv s;
    s.link = c.client_ip + "<->" + c.server_ip;
    s.from = p.src_ip;
    s.to = p.dst_ip;
    s.src_ip = p.src_ip;
    s.dst_ip = p.dst_ip;
    s.sport = p.sport;
    s.dport = p.dport;
    s.seq = p.seq;
    s.ack = p.ack;
    s.flags = p.flags;
    s.conn = c.id;
    s.arrive = now_;
    s.payload = std::string(p.payload);
    trace_.append(now_, std::move(s));

    if (syn && (p.flags & tcpflag::ACK) && !from_client) c.syn_ack = true;
    if (from_client && c.syn_ack && !c.established && !syn && (p.flags & tcpflag::ACK)) {
      c.established = true;
      conn_event(c, "established");
    }
    if (!c.closed && (p.flags & (tcpflag::FIN | tcpflag::RST))) {
      c.closed = true;
      conn_event(c, (p.flags & tcpflag::RST) ? "reset" : "close");
    }
  }

  // In-order bytes of one side through the protocol splitter into the trace, as `live`
  // records its sessions (both directions' lines included).
  void deliver(Connection& c, bool from_client, const std::string& bytes) {
    if (bytes.empty()) return;
    std::vector<CapturedItem> items;
    c.protocol->feed(from_client, bytes, items);
    EngineContext ctx{c.id, c.proto, c.client_ip, c.server_ip, true};
    for (auto& item : items) {
      if (auto* line = std::get_if<net::LineEvent>(&item.what)) {
        ++report_.lines;
        record_engine_events(trace_, now_, ctx, {std::move(*line)}, true);
      } else {
        auto& n = std::get<TlsNote>(item.what);
        trace_.append(now_, TlsEv{c.id, item.from_client ? c.client_ip : c.server_ip,
                                  item.from_client ? c.server_ip : c.client_ip, n.what, n.bytes});
      }
    }
  }

  // Stops waiting for missing bytes: reports each gap, in the trace too, and goes on after it.
  void flush_gaps(Connection& c, bool from_client, bool at_end, std::size_t number = 0) {
    auto& stream = from_client ? c.to_server : c.to_client;
    while (stream.held_back() > 0) {
      std::uint64_t missing = 0;
      std::string after = stream.skip_gap(missing);
      const std::size_t dropped = c.protocol->gap(from_client);
      const std::string dir = from_client ? "client to server" : "server to client";
      std::string where =
          at_end ? "at the end of the capture" : "at packet " + std::to_string(number);
      std::ostringstream skipped, note;
      skipped << "#" << c.id << " " << dir << ": " << missing << " bytes never captured (" << where
              << "); " << dropped << " bytes of an unfinished line dropped";
      report_.skip("gap in a TCP stream", skipped.str());
      note << "#" << c.id << ": " << missing << " bytes " << dir
           << " are missing from the capture; the line they were part of is left out";
      trace_.append(now_, NoteEv{from_client ? c.client_ip : c.server_ip, "error", note.str()});
      deliver(c, from_client, after);
    }
  }

  const CaptureImportOptions& opt_;
  Trace& trace_;
  CaptureReport& report_;
  std::vector<std::unique_ptr<Connection>> conns_;
  std::map<Key, Connection*> index_;
  std::int64_t start_ = 0;
  bool have_start_ = false;
  Time now_ = 0;
  std::size_t backwards_ = 0;  // packets whose capture time goes back
};

}  // namespace

std::map<std::uint16_t, MailPort> default_mail_ports() {
  return {{25, {Proto::Smtp, false}},  {587, {Proto::Smtp, false}}, {2525, {Proto::Smtp, false}},
          {465, {Proto::Smtp, true}},  {110, {Proto::Pop3, false}}, {995, {Proto::Pop3, true}},
          {143, {Proto::Imap, false}}, {993, {Proto::Imap, true}}};
}

std::optional<std::pair<std::uint16_t, MailPort>> parse_port_mapping(const std::string& text,
                                                                     std::string& why) {
  const auto eq = text.find('=');
  if (eq == std::string::npos) {
    why = "expected PORT=PROTOCOL, e.g. 2525=smtp or 10993=imaps";
    return std::nullopt;
  }
  unsigned long port = 0;
  try {
    std::size_t used = 0;
    port = std::stoul(text.substr(0, eq), &used);
    if (used != eq) throw std::invalid_argument("port");
  } catch (const std::exception&) {
    why = "'" + text.substr(0, eq) + "' is not a port number";
    return std::nullopt;
  }
  if (port == 0 || port > 65535) {
    why = "the port must be between 1 and 65535";
    return std::nullopt;
  }
  std::string name = text.substr(eq + 1);
  for (auto& ch : name) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  static const std::map<std::string, MailPort> names = {
      {"smtp", {Proto::Smtp, false}}, {"smtps", {Proto::Smtp, true}},
      {"pop3", {Proto::Pop3, false}}, {"pop3s", {Proto::Pop3, true}},
      {"imap", {Proto::Imap, false}}, {"imaps", {Proto::Imap, true}}};
  const auto it = names.find(name);
  if (it == names.end()) {
    why = "unknown protocol '" + name + "' (smtp, smtps, pop3, pop3s, imap or imaps)";
    return std::nullopt;
  }
  return std::make_pair(static_cast<std::uint16_t>(port), it->second);
}

void import_capture(std::string_view file, const CaptureImportOptions& opt, Trace& trace,
                    CaptureReport& report) {
  Importer imp(opt, trace, report);
  read_capture_frames(file, report, [&](const CaptureFrame& f) { imp.frame(f); });
  imp.finish();
}

void import_capture_file(const std::string& path, const CaptureImportOptions& opt, Trace& trace,
                         CaptureReport& report) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw CaptureError(0, "cannot open the file");
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  import_capture(bytes, opt, trace, report);
}

bool is_capture_path(const std::string& path) {
  return path.ends_with(".pcap") || path.ends_with(".pcapng") || path.ends_with(".cap");
}

}  // namespace sim

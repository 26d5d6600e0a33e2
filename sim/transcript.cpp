#include "sim/transcript.hpp"

#include <cstdio>
#include <type_traits>

namespace sim {

namespace {

std::string stamp(Time t) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%4lld.%06lld", static_cast<long long>(t / kSecond),
                static_cast<long long>(t % kSecond));
  return buf;
}

std::string flags_of(std::uint8_t f) {
  std::string s;
  if (f & tcpflag::SYN) s += "SYN,";
  if (f & tcpflag::FIN) s += "FIN,";
  if (f & tcpflag::RST) s += "RST,";
  if (f & tcpflag::PSH) s += "PSH,";
  if (f & tcpflag::ACK) s += "ACK,";
  if (!s.empty()) s.pop_back();
  return s;
}

// Step notes read "step N/M: narration"; the lesson has the narration in every language.
std::string step_text(const std::string& note, const TranscriptOptions& opt) {
  unsigned n = 0, m = 0;
  if (!opt.lesson || std::sscanf(note.c_str(), "step %u/%u", &n, &m) != 2 || n == 0 ||
      n > opt.lesson->steps.size())
    return note;
  return "step " + std::to_string(n) + "/" + std::to_string(m) + ": " +
         opt.lesson->steps[n - 1].narration.get(opt.lang);
}

}  // namespace

void write_transcript(const Trace& trace, std::ostream& out, const TranscriptOptions& opt) {
  for (const Event& ev : trace.events()) {
    std::visit(
        [&](const auto& e) {
          using T = std::decay_t<decltype(e)>;
          const std::string ts = stamp(ev.t) + "  ";
          if constexpr (std::is_same_v<T, LineEv>) {
            if (e.proto == Proto::Dns) {
              out << ts << "DNS " << e.from << " > " << e.to << ": " << e.text << "\n";
            } else {
              out << ts << "#" << e.conn << " " << (e.from_client ? "C: " : "S: ") << e.text
                  << "\n";
            }
            if (opt.explain && !e.data && !e.meaning.empty()) {
              out << std::string(ts.size(), ' ') << "    ; " << e.meaning;
              if (!e.rfc.empty()) out << " [" << e.rfc << "]";
              out << "\n";
            }
          } else if constexpr (std::is_same_v<T, ConnEv>) {
            out << ts << "#" << e.conn << " " << e.op << " " << e.client << ":" << e.client_port
                << " > " << e.server << ":" << e.server_port << " (" << to_string(e.proto) << ")\n";
          } else if constexpr (std::is_same_v<T, MailboxEv>) {
            out << ts << "mailbox " << e.mailbox;
            if (e.folder != "INBOX") out << " folder " << e.folder;
            out << " on " << e.host << ": " << e.op << " uid " << e.uid << " (" << e.size
                << " bytes) " << e.summary;
            if (e.op == "flags") out << " flags (" << e.flags << ")";
            out << "\n";
          } else if constexpr (std::is_same_v<T, QueueEv>) {
            out << ts << "queue " << e.host << " " << e.id << " " << e.op << ": " << e.detail
                << "\n";
          } else if constexpr (std::is_same_v<T, NoteEv>) {
            if (e.kind == "step")
              out << ts << "== " << step_text(e.text, opt) << "\n";
            else
              out << ts << "-- " << (e.host.empty() ? "" : e.host + ": ") << e.text << "\n";
          } else if constexpr (std::is_same_v<T, StateEv>) {
            if (opt.explain)
              out << ts << "#" << e.conn << " " << e.role << " state " << e.from << " -> " << e.to
                  << "\n";
          } else if constexpr (std::is_same_v<T, TlsEv>) {
            out << ts << "#" << e.conn << " TLS " << e.from << " > " << e.to << ": " << e.what;
            if (e.bytes) out << " (" << e.bytes << " bytes)";
            out << "\n";
          } else if constexpr (std::is_same_v<T, SegmentEv>) {
            if (opt.segments)
              out << ts << "   seg " << e.from << " > " << e.to << " " << e.src_ip << ":" << e.sport
                  << " > " << e.dst_ip << ":" << e.dport << " ["
                  << (e.udp ? "UDP" : flags_of(e.flags)) << "] seq=" << e.seq << " ack=" << e.ack
                  << " len=" << e.payload.size() << "\n";
          }
        },
        ev.p);
  }
}

}  // namespace sim

#include "sim/transcript.hpp"

#include <charconv>
#include <cstdio>
#include <sstream>
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
  if (!opt.lesson || note.rfind("step ", 0) != 0) return note;
  const char* end = note.data() + note.size();
  auto rn = std::from_chars(note.data() + 5, end, n);
  if (rn.ec != std::errc{} || rn.ptr == end || *rn.ptr != '/') return note;
  if (std::from_chars(rn.ptr + 1, end, m).ec != std::errc{}) return note;
  if (n == 0 || n > opt.lesson->steps.size()) return note;
  return "step " + std::to_string(n) + "/" + std::to_string(m) + ": " +
         opt.lesson->steps[n - 1].narration.get(opt.lang);
}

}  // namespace

std::vector<TranscriptRow> transcript_rows(const Trace& trace, const TranscriptOptions& opt) {
  std::vector<TranscriptRow> rows;
  const auto& events = trace.events();
  for (std::size_t i = 0; i < events.size(); ++i) {
    const Event& ev = events[i];
    std::ostringstream out;
    TranscriptRow row;
    row.index = i;
    row.stamp = stamp(ev.t);
    const bool keep = std::visit(
        [&](const auto& e) {
          using T = std::decay_t<decltype(e)>;
          if constexpr (std::is_same_v<T, LineEv>) {
            if (e.proto == Proto::Dns)
              out << "DNS " << e.from << " > " << e.to << ": " << e.text;
            else
              out << "#" << e.conn << " " << (e.from_client ? "C: " : "S: ") << e.text;
            if (!e.data) row.meaning = e.meaning, row.rfc = e.rfc;
          } else if constexpr (std::is_same_v<T, ConnEv>) {
            out << "#" << e.conn << " " << e.op << " " << e.client << ":" << e.client_port << " > "
                << e.server << ":" << e.server_port << " (" << to_string(e.proto) << ")";
          } else if constexpr (std::is_same_v<T, MailboxEv>) {
            out << "mailbox " << e.mailbox;
            if (e.folder != "INBOX") out << " folder " << e.folder;
            out << " on " << e.host << ": " << e.op << " uid " << e.uid << " (" << e.size
                << " bytes) " << e.summary;
            if (e.op == "flags") out << " flags (" << e.flags << ")";
          } else if constexpr (std::is_same_v<T, QueueEv>) {
            out << "queue " << e.host << " " << e.id << " " << e.op << ": " << e.detail;
          } else if constexpr (std::is_same_v<T, NoteEv>) {
            row.step = e.kind == "step";
            if (row.step)
              out << "== " << step_text(e.text, opt);
            else
              out << "-- " << (e.host.empty() ? "" : e.host + ": ") << e.text;
          } else if constexpr (std::is_same_v<T, StateEv>) {
            if (!opt.explain) return false;
            out << "#" << e.conn << " " << e.role << " state " << e.from << " -> " << e.to;
          } else if constexpr (std::is_same_v<T, TlsEv>) {
            out << "#" << e.conn << " TLS " << e.from << " > " << e.to << ": " << e.what;
            if (e.bytes) out << " (" << e.bytes << " bytes)";
          } else if constexpr (std::is_same_v<T, SegmentEv>) {
            if (!opt.segments) return false;
            out << "   seg " << e.from << " > " << e.to << " " << e.src_ip << ":" << e.sport
                << " > " << e.dst_ip << ":" << e.dport << " ["
                << (e.udp ? "UDP" : flags_of(e.flags)) << "] seq=" << e.seq << " ack=" << e.ack
                << " len=" << e.payload.size();
          }
          return true;
        },
        ev.p);
    if (!keep) continue;
    row.text = out.str();
    rows.push_back(std::move(row));
  }
  return rows;
}

void write_transcript(const Trace& trace, std::ostream& out, const TranscriptOptions& opt) {
  for (const TranscriptRow& r : transcript_rows(trace, opt)) {
    out << r.stamp << "  " << r.text << "\n";
    if (opt.explain && !r.meaning.empty()) {
      out << std::string(r.stamp.size() + 2, ' ') << "    ; " << r.meaning;
      if (!r.rfc.empty()) out << " [" << r.rfc << "]";
      out << "\n";
    }
  }
}

}  // namespace sim

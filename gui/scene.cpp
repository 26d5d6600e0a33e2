#include "gui/scene.hpp"

#include <algorithm>
#include <deque>
#include <map>
#include <string>
#include <tuple>

namespace mailsim {

int Scene::host_index(const std::string& name) const {
  for (std::size_t i = 0; i < hosts.size(); ++i)
    if (hosts[i].name == name) return static_cast<int>(i);
  return -1;
}

std::size_t Scene::passed(const std::vector<std::size_t>& list, std::size_t upto) {
  return static_cast<std::size_t>(std::lower_bound(list.begin(), list.end(), upto) - list.begin());
}

namespace {

// Fills segment_tls: a segment is TLS when its connection's handshake had started when its
// sender wrote it (the time of its first hop) or when its bytes are a TLS record. Handshake
// segments are named after the TlsEv events their sender wrote at that instant.
void mark_tls_segments(Scene& s, const sim::Lesson& lesson) {
  std::map<std::string, std::string> ip_of;
  for (const auto& h : lesson.hosts) ip_of[h.name] = h.ip;
  // The first hop's time of each segment (the same seq and size repeat on every hop).
  std::map<std::tuple<std::uint32_t, std::string, std::uint32_t, std::size_t>, sim::Time> sent;
  s.segment_tls.assign(s.segments.size(), "");
  for (std::size_t k = 0; k < s.segments.size(); ++k) {
    const sim::Event& e = s.event(s.segments[k]);
    const auto& seg = std::get<sim::SegmentEv>(e.p);
    if (seg.udp || seg.payload.empty()) continue;
    const sim::Time t0 =
        sent.try_emplace({seg.conn, seg.src_ip, seg.seq, seg.payload.size()}, e.t).first->second;
    auto tls = s.tls_events.find(seg.conn);
    const bool started = tls != s.tls_events.end() && s.event(tls->second.front()).t <= t0;
    if (!started && !looks_like_tls_record(seg.payload)) continue;
    std::string first;
    int more = 0;
    if (tls != s.tls_events.end())
      for (std::size_t i : tls->second) {
        const sim::Event& te = s.event(i);
        if (te.t > t0) break;
        const auto& m = std::get<sim::TlsEv>(te.p);
        if (te.t < t0 || m.bytes == 0) continue;
        auto ip = ip_of.find(m.from);
        if (ip == ip_of.end() || ip->second != seg.src_ip) continue;
        if (first.empty())
          first = m.what;
        else
          ++more;
      }
    if (first.empty()) first = "TLS";
    if (more > 0) first += " +" + std::to_string(more);
    s.segment_tls[k] = first;
  }
}

}  // namespace

bool looks_like_tls_record(const std::string& p) {
  if (p.size() < 5) return false;
  const auto type = static_cast<unsigned char>(p[0]);
  return type >= 20 && type <= 23 && p[1] == 3;
}

bool tls_established(const std::string& what, std::string& version, std::string& cipher) {
  const std::string head = "established ";
  if (what.rfind(head, 0) != 0) return false;
  const std::string rest = what.substr(head.size());
  const auto sp = rest.find(' ');
  version = rest.substr(0, sp);
  cipher = sp == std::string::npos ? "" : rest.substr(sp + 1);
  return true;
}

Scene build_scene(const sim::Lesson& lesson, const sim::Trace& trace) {
  Scene s;
  s.lesson = &lesson;
  s.trace = &trace;
  for (const auto& h : lesson.hosts) s.hosts.push_back({h.name, h.label, h.role, h.ip});
  for (const auto& l : lesson.links)
    s.links.push_back({l.a + "<->" + l.b, s.host_index(l.a), s.host_index(l.b)});

  // Breadth-first columns from the first device (or the first host).
  std::size_t start = 0;
  for (std::size_t i = 0; i < s.hosts.size(); ++i)
    if (s.hosts[i].role == "device") {
      start = i;
      break;
    }
  std::vector<int> col(s.hosts.size(), -1);
  std::deque<std::size_t> todo{start};
  col[start] = 0;
  while (!todo.empty()) {
    auto h = todo.front();
    todo.pop_front();
    for (const auto& l : s.links) {
      int other = l.a == static_cast<int>(h) ? l.b : l.b == static_cast<int>(h) ? l.a : -1;
      if (other >= 0 && col[other] < 0) {
        col[other] = col[h] + 1;
        todo.push_back(static_cast<std::size_t>(other));
      }
    }
  }
  int max_col = 0;
  for (auto& c : col) max_col = std::max(max_col, c);
  for (auto& c : col)
    if (c < 0) c = ++max_col;  // unconnected hosts get a column of their own
  // A DNS server hanging off one host sits above that host, not in a column of its own.
  for (std::size_t i = 0; i < s.hosts.size(); ++i) {
    if (s.hosts[i].role != "dns") continue;
    int neighbour = -1, degree = 0;
    for (const auto& l : s.links)
      if (l.a == static_cast<int>(i) || l.b == static_cast<int>(i)) {
        neighbour = l.a == static_cast<int>(i) ? l.b : l.a;
        ++degree;
      }
    if (degree == 1) col[i] = col[static_cast<std::size_t>(neighbour)];
  }
  max_col = 0;
  for (auto c : col) max_col = std::max(max_col, c);
  std::map<int, std::vector<std::size_t>> by_col;
  for (std::size_t i = 0; i < s.hosts.size(); ++i) by_col[col[i]].push_back(i);
  for (auto& [c, members] : by_col) {
    // The mail path runs along the lower part; DNS sits in the upper part.
    std::vector<std::size_t> path;
    for (auto m : members) {
      auto& h = s.hosts[m];
      h.x = max_col == 0 ? 0.5f : static_cast<float>(c) / static_cast<float>(max_col);
      if (h.role == "dns")
        h.y = 0.12f;
      else
        path.push_back(m);
    }
    for (std::size_t k = 0; k < path.size(); ++k)
      s.hosts[path[k]].y = path.size() == 1 ? 0.6f
                                            : 0.4f + 0.5f * static_cast<float>(k) /
                                                         static_cast<float>(path.size() - 1);
  }

  const auto& ev = trace.events();
  for (std::size_t i = 0; i < ev.size(); ++i) {
    if (std::holds_alternative<sim::LineEv>(ev[i].p)) s.lines.push_back(i);
    if (std::holds_alternative<sim::NoteEv>(ev[i].p)) s.notes.push_back(i);
    if (std::holds_alternative<sim::MailboxEv>(ev[i].p) ||
        std::holds_alternative<sim::QueueEv>(ev[i].p))
      s.changes.push_back(i);
    if (const auto* seg = std::get_if<sim::SegmentEv>(&ev[i].p)) {
      s.segments.push_back(i);
      s.max_flight = std::max(s.max_flight, seg->arrive - ev[i].t);
      s.end = std::max(s.end, seg->arrive);
    }
    if (const auto* tls = std::get_if<sim::TlsEv>(&ev[i].p)) s.tls_events[tls->conn].push_back(i);
    s.end = std::max(s.end, ev[i].t);
  }
  mark_tls_segments(s, lesson);
  s.quiz = build_quiz(lesson, trace);
  return s;
}

const char* segment_protocol(const sim::SegmentEv& s) {
  auto is = [&](std::uint16_t p) { return s.sport == p || s.dport == p; };
  if (s.udp && is(53)) return "DNS";
  if (is(25) || is(587) || is(465)) return "SMTP";
  if (is(110) || is(995)) return "POP3";
  if (is(143) || is(993)) return "IMAP";
  return s.udp ? "UDP" : "TCP";
}

std::string segment_label(const sim::SegmentEv& s, std::size_t max_chars) {
  if (s.udp) return std::string("DNS ") + (s.sport == 53 ? "answer" : "query");
  if (!s.payload.empty()) {
    std::string first = s.payload.substr(0, s.payload.find_first_of("\r\n"));
    if (first.size() > max_chars) {
      first.resize(max_chars - 3);
      first += "...";
    }
    return first;
  }
  return sim::flags_to_string(s.flags);
}

}  // namespace mailsim

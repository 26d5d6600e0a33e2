#include "gui/sequence_layout.hpp"

#include <algorithm>
#include <cstdio>
#include <map>

#include "gui/i18n.hpp"

namespace mailsim {

namespace {

template <typename... A>
std::string format(const char* fmt, A... args) {
  char buf[512];
  std::snprintf(buf, sizeof buf, fmt, args...);
  return buf;
}

// At most `max` bytes of `s`, cut at a character boundary, with "..." when cut.
std::string shorten(const std::string& s, std::size_t max) {
  if (s.size() <= max) return s;
  std::size_t n = max - 3;
  while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;
  return s.substr(0, n) + "...";
}

}  // namespace

int SequenceLayout::column_of(const Scene& s, const std::string& host) const {
  const int h = s.host_index(host);
  for (std::size_t c = 0; c < columns.size(); ++c)
    if (columns[c] == h) return static_cast<int>(c);
  return -1;
}

std::vector<bool> lines_inside_tls(const sim::Trace& trace) {
  const auto& ev = trace.events();
  std::vector<bool> inside(ev.size(), false);
  std::map<std::uint32_t, bool> established;
  for (std::size_t i = 0; i < ev.size(); ++i) {
    if (const auto* t = std::get_if<sim::TlsEv>(&ev[i].p)) {
      if (t->what.rfind("established", 0) == 0) established[t->conn] = true;
    } else if (const auto* l = std::get_if<sim::LineEv>(&ev[i].p)) {
      auto it = established.find(l->conn);
      inside[i] = l->conn != 0 && it != established.end() && it->second;
    }
  }
  return inside;
}

SequenceLayout layout_sequence(const Scene& s) {
  SequenceLayout out;
  if (!s.trace) return out;
  const auto& ev = s.trace->events();
  // Lifelines in the network's left-to-right order, only for hosts that take part.
  std::vector<int> used;
  for (const auto& e : ev) {
    auto use = [&](const std::string& h) {
      int i = s.host_index(h);
      if (i >= 0 && std::find(used.begin(), used.end(), i) == used.end()) used.push_back(i);
    };
    if (const auto* l = std::get_if<sim::LineEv>(&e.p)) use(l->from), use(l->to);
    if (const auto* c = std::get_if<sim::ConnEv>(&e.p)) use(c->client), use(c->server);
  }
  std::sort(used.begin(), used.end(), [&](int a, int b) {
    const auto &ha = s.hosts[static_cast<std::size_t>(a)],
               &hb = s.hosts[static_cast<std::size_t>(b)];
    return ha.x != hb.x ? ha.x < hb.x : ha.y < hb.y;
  });
  out.columns = used;

  const std::vector<bool> locked = lines_inside_tls(*s.trace);
  struct Ends {
    std::string client, server;
  };
  std::map<std::uint32_t, Ends> ends;          // connection -> its client and server hosts
  std::map<std::uint32_t, std::size_t> tls;    // connection -> its TLS arrow
  std::map<std::uint32_t, bool> tls_finished;  // the handshake's outcome was seen
  std::uint32_t data_conn = 0;  // the connection whose message content is being folded
  auto& arrows = out.arrows;
  auto push = [&](SeqArrow a) {
    if (a.from < 0 || a.to < 0) return false;
    arrows.push_back(std::move(a));
    return true;
  };
  for (std::size_t i = 0; i < ev.size(); ++i) {
    if (const auto* l = std::get_if<sim::LineEv>(&ev[i].p)) {
      if (l->data && !arrows.empty() && data_conn == l->conn) {
        SeqArrow& a = arrows.back();  // fold message content into one arrow
        a.index = i;
        ++a.lines;
        a.label = format(tr("seq.content"), a.lines);
        continue;
      }
      SeqArrow a;
      a.index = i;
      a.from = out.column_of(s, l->from);
      a.to = out.column_of(s, l->to);
      a.kind = l->data ? SeqArrow::Kind::Content : SeqArrow::Kind::Line;
      a.label = l->data ? format(tr("seq.content"), std::size_t{1}) : shorten(l->text, 60);
      a.proto = sim::to_string(l->proto);
      a.locked = locked[i];
      a.conn = l->conn;
      data_conn = push(std::move(a)) && l->data ? l->conn : 0;
    } else if (const auto* c = std::get_if<sim::ConnEv>(&ev[i].p)) {
      data_conn = 0;
      ends[c->conn] = {c->client, c->server};
      const std::string port = ":" + std::to_string(c->server_port);
      SeqArrow a;
      a.index = i;
      a.conn = c->conn;
      a.from = out.column_of(s, c->client);
      a.to = out.column_of(s, c->server);
      if (c->op == "open") {
        a.kind = SeqArrow::Kind::Connect;
        a.label = format(tr("seq.connect"), port.c_str());
      } else if (c->op == "refused") {
        std::swap(a.from, a.to);
        a.kind = SeqArrow::Kind::Refused;
        a.failed = true;
        a.label = format(tr("seq.refused"), port.c_str());
      } else if (c->op == "close" || c->op == "reset") {
        a.kind = c->op == "close" ? SeqArrow::Kind::Close : SeqArrow::Kind::Reset;
        a.label = tr(c->op == "close" ? "seq.close" : "seq.reset");
      } else {
        continue;
      }
      push(std::move(a));
    } else if (const auto* t = std::get_if<sim::TlsEv>(&ev[i].p)) {
      if (tls_finished[t->conn]) continue;
      const bool done = t->what.rfind("established ", 0) == 0;
      const bool failed = t->what.rfind("failed", 0) == 0;
      auto it = tls.find(t->conn);
      if (it == tls.end()) {
        auto e = ends.find(t->conn);
        SeqArrow a;
        a.index = i;
        a.conn = t->conn;
        a.kind = SeqArrow::Kind::Tls;
        a.from = out.column_of(s, e != ends.end() ? e->second.client : t->from.str());
        a.to = out.column_of(s, e != ends.end() ? e->second.server : t->to.str());
        a.label = tr("seq.tls");
        if (!push(std::move(a))) continue;
        data_conn = 0;
        it = tls.emplace(t->conn, arrows.size() - 1).first;
      }
      SeqArrow& a = arrows[it->second];
      // The row ends with the handshake's last message, unless later rows came first.
      if (it->second + 1 == arrows.size()) a.index = i;
      if (done) {
        std::string version, cipher;
        tls_established(t->what, version, cipher);
        a.label = format(tr("seq.tls_done"), version.c_str());
        tls_finished[t->conn] = true;
      } else if (failed) {
        a.label = shorten(format(tr("seq.tls_failed"), t->what.c_str()), 60);
        a.failed = true;
        tls_finished[t->conn] = true;
      }
    }
  }
  return out;
}

}  // namespace mailsim

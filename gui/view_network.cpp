// Network view: hosts on links, and every TCP segment or DNS datagram travelling along its
// link at the cursor, coloured by protocol and labelled with what it carries.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <string>

#include "gui/views.hpp"

namespace mailsim {

ImU32 protocol_colour(const char* p, float alpha) {
  auto c = [&](int r, int g, int b) { return IM_COL32(r, g, b, static_cast<int>(alpha * 255.0f)); };
  if (!std::strcmp(p, "SMTP")) return c(80, 160, 255);
  if (!std::strcmp(p, "DNS")) return c(200, 130, 240);
  if (!std::strcmp(p, "POP3")) return c(255, 160, 60);
  if (!std::strcmp(p, "IMAP")) return c(90, 210, 120);
  return c(170, 170, 170);
}

namespace {

class NetworkView : public View {
 public:
  NetworkView() : View("Network") {}

 protected:
  void draw_content(ViewContext& ctx) override {
    const Scene& s = ctx.scene;
    ImDrawList* dl = ImGui::GetWindowDrawList();
    ImVec2 origin = ImGui::GetCursorScreenPos();
    ImVec2 size = ImGui::GetContentRegionAvail();
    ImGui::InvisibleButton("canvas", size);
    // Hosts are boxes 160 px wide: keep their centres that far from the edges.
    const ImVec2 pad(90, 40);
    auto at = [&](const SceneHost& h) {
      return ImVec2(origin.x + pad.x + h.x * (size.x - 2 * pad.x),
                    origin.y + pad.y + h.y * (size.y - 2 * pad.y));
    };

    // Links, drawn red while down at the cursor (folded from the "link" notes).
    for (const auto& l : s.links) {
      bool up = true;
      const std::size_t passed = Scene::passed(s.notes, ctx.state.upto);
      for (std::size_t k = 0; k < passed; ++k) {
        const auto* n = std::get_if<sim::NoteEv>(&s.event(s.notes[k]).p);
        if (n && n->kind == "link") {
          if (n->text == l.id + " down") up = false;
          if (n->text == l.id + " up") up = true;
        }
      }
      dl->AddLine(at(s.hosts[l.a]), at(s.hosts[l.b]),
                  up ? IM_COL32(110, 110, 120, 255) : IM_COL32(220, 60, 60, 255), up ? 3.0f : 2.0f);
    }

    // Hosts.
    for (const auto& h : s.hosts) {
      ImVec2 c = at(h);
      ImVec2 half(78, 26);
      ImU32 fill = h.role == "device"   ? IM_COL32(40, 70, 110, 255)
                   : h.role == "server" ? IM_COL32(40, 90, 60, 255)
                   : h.role == "dns"    ? IM_COL32(80, 50, 100, 255)
                                        : IM_COL32(60, 60, 66, 255);
      dl->AddRectFilled(ImVec2(c.x - half.x, c.y - half.y), ImVec2(c.x + half.x, c.y + half.y),
                        fill, 8.0f);
      dl->AddRect(ImVec2(c.x - half.x, c.y - half.y), ImVec2(c.x + half.x, c.y + half.y),
                  IM_COL32(200, 200, 210, 255), 8.0f);
      auto centred = [&](const std::string& t, float dy, ImU32 col) {
        ImVec2 ts = ImGui::CalcTextSize(t.c_str());
        dl->AddText(ImVec2(c.x - ts.x / 2, c.y + dy), col, t.c_str());
      };
      centred(h.label, -20, IM_COL32(255, 255, 255, 255));
      centred(h.name, -4, IM_COL32(200, 200, 200, 255));
      centred(h.ip, 10, IM_COL32(150, 150, 160, 255));
    }

    // Segments in flight at the cursor.
    const sim::Time now = ctx.state.cursor;
    ImVec2 mouse = ImGui::GetIO().MousePos;
    int stack = 0;
    for (auto idx : s.segments) {
      const auto& e = s.event(idx);
      if (e.t > now) break;
      const auto& seg = std::get<sim::SegmentEv>(e.p);
      if (seg.arrive <= now || e.t + s.max_flight < now) continue;
      int a = s.host_index(seg.from), b = s.host_index(seg.to);
      if (a < 0 || b < 0) continue;
      float f = static_cast<float>(now - e.t) /
                static_cast<float>(std::max<sim::Time>(1, seg.arrive - e.t));
      ImVec2 pa = at(s.hosts[a]), pb = at(s.hosts[b]);
      ImVec2 p(pa.x + (pb.x - pa.x) * f,
               pa.y + (pb.y - pa.y) * f - static_cast<float>(stack % 3) * 16.0f);
      ++stack;
      const char* proto = segment_protocol(seg);
      std::string label = segment_label(seg);
      ImVec2 ts = ImGui::CalcTextSize(label.c_str());
      p.x = std::min(p.x, origin.x + size.x - ts.x - 10);  // keep the label inside the canvas
      ImVec2 r0(p.x - 6, p.y - 7), r1(p.x + ts.x + 8, p.y + 8);
      bool selected = ctx.state.selected && *ctx.state.selected == idx;
      dl->AddRectFilled(r0, r1, protocol_colour(proto, 0.92f), 4.0f);
      if (selected) dl->AddRect(r0, r1, IM_COL32(255, 255, 0, 255), 4.0f, 0, 2.0f);
      dl->AddText(ImVec2(p.x + 1, p.y - 7), IM_COL32(10, 10, 20, 255), label.c_str());
      bool hover = mouse.x >= r0.x && mouse.x <= r1.x && mouse.y >= r0.y && mouse.y <= r1.y;
      if (hover) {
        ImGui::SetTooltip("%s %s -> %s\n%s:%u -> %s:%u  [%s]\nseq %u  ack %u  %zu bytes", proto,
                          seg.from.c_str(), seg.to.c_str(), seg.src_ip.c_str(), seg.sport,
                          seg.dst_ip.c_str(), seg.dport,
                          seg.udp ? "UDP" : sim::flags_to_string(seg.flags).c_str(), seg.seq,
                          seg.ack, seg.payload.size());
        if (ImGui::IsMouseClicked(ImGuiMouseButton_Left)) ctx.state.selected = idx;
      }
    }

    // Legend.
    float x = origin.x + 8;
    for (const char* p : {"SMTP", "DNS", "POP3", "IMAP", "TCP"}) {
      dl->AddRectFilled(ImVec2(x, origin.y + 6), ImVec2(x + 12, origin.y + 18), protocol_colour(p));
      dl->AddText(ImVec2(x + 16, origin.y + 4), IM_COL32(220, 220, 220, 255), p);
      x += 24 + ImGui::CalcTextSize(p).x + 10;
    }
  }
};

}  // namespace

std::unique_ptr<View> make_network_view() {
  return std::make_unique<NetworkView>();
}

}  // namespace mailsim

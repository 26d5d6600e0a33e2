// Network view: hosts on links, and every TCP segment or DNS datagram travelling along its
// link at the cursor, coloured by protocol and labelled with what it carries.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include "gui/i18n.hpp"
#include "gui/views.hpp"

namespace mailsim {

namespace {

// A small padlock (shackle over a body) in a box `h` high whose top-left corner is `p`;
// drawn, since fonts may lack the glyph.
void draw_lock(ImDrawList* dl, ImVec2 p, float h, ImU32 col) {
  const float w = h * 0.75f, body = h * 0.55f;
  const ImVec2 b0(p.x, p.y + h - body), b1(p.x + w, p.y + h);
  const float r = w * 0.3f;
  const ImVec2 c(p.x + w / 2, b0.y);
  dl->PathArcTo(ImVec2(c.x, c.y - (h - body) + r), r, 3.14159f, 2 * 3.14159f);
  dl->PathLineTo(ImVec2(c.x + r, c.y));
  dl->PathStroke(col, 0, std::max(1.0f, h * 0.12f));
  dl->PathArcTo(ImVec2(c.x, c.y - (h - body) + r), r, 3.14159f, 3.14159f);
  dl->PathLineTo(ImVec2(c.x - r, c.y));
  dl->PathStroke(col, 0, std::max(1.0f, h * 0.12f));
  dl->AddRectFilled(b0, b1, col, h * 0.1f);
}

class NetworkView : public View {
 public:
  NetworkView() : View("Network") {}

  std::string print_state() const override {
    if (frames_ == 0) return "";
    return "net_locks=" + std::to_string(locks_now_) +
           " net_locks_seen=" + std::to_string(locks_seen_);
  }

 protected:
  void draw_content(ViewContext& ctx) override {
    const Scene& s = ctx.scene;
    const Palette& pal = palette();
    ImDrawList* dl = ImGui::GetWindowDrawList();
    ImVec2 origin = ImGui::GetCursorScreenPos();
    ImVec2 size = ImGui::GetContentRegionAvail();
    ImGui::InvisibleButton("canvas", size);
    // Hosts are boxes 160 px wide (at scale 1): keep their centres that far from the edges.
    // Boxes are as wide as their text (at least 156 px at scale 1) but never wider than a
    // column leaves room for; their centres keep half a box from the edges.
    std::vector<float> xs;
    for (const auto& h : s.hosts)
      if (std::find(xs.begin(), xs.end(), h.x) == xs.end()) xs.push_back(h.x);
    const float columns = static_cast<float>(std::max<std::size_t>(1, xs.size()));
    float box_w = px(156);
    for (const auto& h : s.hosts)
      for (const std::string* t : {&h.label, &h.name, &h.ip})
        box_w = std::max(box_w, ImGui::CalcTextSize(t->c_str()).x + px(16));
    box_w = std::min(box_w, size.x / columns - px(12));
    const ImVec2 pad(box_w / 2 + px(6), px(44));
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
      dl->AddLine(at(s.hosts[l.a]), at(s.hosts[l.b]), up ? pal.link_up : pal.link_down,
                  up ? px(3.0f) : px(2.0f));
    }

    // Hosts: three text lines in a box (all boxes equally high).
    const float box_half_h = ImGui::GetTextLineHeight() * 1.5f + px(6);
    for (const auto& h : s.hosts) {
      ImVec2 c = at(h);
      const float line = ImGui::GetTextLineHeight();
      ImVec2 half(box_w / 2, box_half_h);
      ImU32 fill = h.role == "device"   ? pal.host_device
                   : h.role == "server" ? pal.host_server
                   : h.role == "dns"    ? pal.host_dns
                                        : pal.host_other;
      dl->AddRectFilled(ImVec2(c.x - half.x, c.y - half.y), ImVec2(c.x + half.x, c.y + half.y),
                        fill, px(8.0f));
      dl->AddRect(ImVec2(c.x - half.x, c.y - half.y), ImVec2(c.x + half.x, c.y + half.y),
                  pal.host_border, px(8.0f));
      auto centred = [&](const std::string& text, float dy, ImU32 col) {
        const std::string t = ellipsize(text, box_w - px(10));
        ImVec2 ts = ImGui::CalcTextSize(t.c_str());
        dl->AddText(ImVec2(c.x - ts.x / 2, c.y + dy), col, t.c_str());
      };
      centred(h.label, -line * 1.5f, pal.host_label);
      centred(h.name, -line * 0.5f, pal.host_name);
      centred(h.ip, line * 0.5f, pal.host_ip);
    }

    // Segments in flight at the cursor.
    const sim::Time now = ctx.state.cursor;
    ImVec2 mouse = ImGui::GetIO().MousePos;
    int stack = 0;
    locks_now_ = 0;
    ++frames_;
    // Only segments sent in the last max_flight can still be on a link (segments are in
    // time order: a binary search finds the first).
    auto first = std::partition_point(s.segments.begin(), s.segments.end(), [&](std::size_t i) {
      return s.event(i).t + s.max_flight < now;
    });
    for (auto it = first; it != s.segments.end(); ++it) {
      const std::size_t idx = *it;
      const auto& e = s.event(idx);
      if (e.t > now) break;
      const auto& seg = std::get<sim::SegmentEv>(e.p);
      if (seg.arrive <= now || e.t + s.max_flight < now) continue;
      int a = s.host_index(seg.from), b = s.host_index(seg.to);
      if (a < 0 || b < 0) continue;
      float f = static_cast<float>(now - e.t) /
                static_cast<float>(std::max<sim::Time>(1, seg.arrive - e.t));
      ImVec2 pa = at(s.hosts[a]), pb = at(s.hosts[b]);
      // The packet is a dot on its link; its label sits beside the row of hosts (above a
      // horizontal link, right of a vertical one) so it never hides a host's name.
      const ImVec2 dot(pa.x + (pb.x - pa.x) * f, pa.y + (pb.y - pa.y) * f);
      const char* proto = segment_protocol(seg);
      // TLS: a padlock and the handshake message's name (or "TLS") instead of the bytes.
      const std::size_t k = static_cast<std::size_t>(it - s.segments.begin());
      const bool locked = k < s.segment_tls.size() && !s.segment_tls[k].empty();
      std::string label = locked ? s.segment_tls[k] : segment_label(seg);
      const float th = ImGui::GetTextLineHeight();
      const float lock_w = locked ? th * 0.8f * 0.75f + px(5) : 0.0f;
      ImVec2 ts = ImGui::CalcTextSize(label.c_str());
      ts.x += lock_w;
      if (locked) {
        ++locks_now_;
        ++locks_seen_;
      }
      const float level = static_cast<float>(stack % 3) * (th + px(6));
      ++stack;
      ImVec2 p;  // left end of the label's text, vertically centred
      if (std::abs(pb.x - pa.x) >= std::abs(pb.y - pa.y)) {
        p = ImVec2(dot.x - ts.x / 2, dot.y - box_half_h - px(8) - th / 2 - level);
      } else {
        p = ImVec2(dot.x + px(84), dot.y - level);
      }
      // Keep the label inside the canvas.
      p.x = std::clamp(p.x, origin.x + px(8), origin.x + size.x - ts.x - px(10));
      ImVec2 r0(p.x - px(5), p.y - th / 2 - px(1)), r1(p.x + ts.x + px(5), p.y + th / 2 + px(1));
      bool selected = ctx.state.selected && *ctx.state.selected == idx;
      const ImVec2 anchor(std::clamp(dot.x, r0.x, r1.x), dot.y < r0.y   ? r0.y
                                                         : dot.y > r1.y ? r1.y
                                                                        : dot.y);
      dl->AddLine(dot, anchor, protocol_colour(proto, 0.6f), px(1.0f));
      dl->AddCircleFilled(dot, px(4.5f), protocol_colour(proto));
      dl->AddCircle(dot, px(4.5f), pal.packet_text, 0, px(1.0f));
      dl->AddRectFilled(r0, r1, protocol_colour(proto, 0.95f), px(4.0f));
      if (selected) dl->AddRect(r0, r1, pal.selection, px(4.0f), 0, px(2.5f));
      if (locked) draw_lock(dl, ImVec2(p.x, p.y - th * 0.4f), th * 0.8f, pal.packet_text);
      dl->AddText(ImVec2(p.x + lock_w, p.y - th / 2), pal.packet_text, label.c_str());
      bool hover = mouse.x >= r0.x && mouse.x <= r1.x && mouse.y >= r0.y && mouse.y <= r1.y;
      if (hover) {
        if (locked)
          ImGui::SetTooltip(tr("net.tooltip_tls"), proto, seg.from.c_str(), seg.to.c_str(),
                            seg.src_ip.c_str(), seg.sport, seg.dst_ip.c_str(), seg.dport,
                            label.c_str(), seg.payload.size());
        else
          ImGui::SetTooltip(tr("net.tooltip"), proto, seg.from.c_str(), seg.to.c_str(),
                            seg.src_ip.c_str(), seg.sport, seg.dst_ip.c_str(), seg.dport,
                            seg.udp ? "UDP" : sim::flags_to_string(seg.flags).c_str(), seg.seq,
                            seg.ack, seg.payload.size());
        if (ImGui::IsMouseClicked(ImGuiMouseButton_Left)) ctx.state.selected = idx;
      }
    }

    // Legend.
    float x = origin.x + px(8);
    const float lh = ImGui::GetTextLineHeight(), box = lh * 0.8f;
    for (const char* p : {"SMTP", "DNS", "POP3", "IMAP", "TCP"}) {
      const float y = origin.y + px(4);
      dl->AddRectFilled(ImVec2(x, y + (lh - box) / 2), ImVec2(x + box, y + (lh + box) / 2),
                        protocol_colour(p), px(2));
      dl->AddText(ImVec2(x + box + px(5), y), pal.canvas_text, p);
      x += box + px(5) + ImGui::CalcTextSize(p).x + px(14);
    }
    if (!s.tls_events.empty()) {
      const float y = origin.y + px(4);
      draw_lock(dl, ImVec2(x, y + lh * 0.1f), lh * 0.8f, pal.canvas_text);
      dl->AddText(ImVec2(x + lh * 0.6f + px(5), y), pal.canvas_text, tr("net.legend_tls"));
    }
  }

 private:
  int locks_now_ = 0;         // packets drawn with a padlock in the last frame
  long long locks_seen_ = 0;  // ... summed over every frame drawn
  long long frames_ = 0;
};

}  // namespace

std::unique_ptr<View> make_network_view() {
  return std::make_unique<NetworkView>();
}

}  // namespace mailsim

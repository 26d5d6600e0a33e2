// Sequence diagram (ladder): one lifeline per host, one arrow per protocol line; message
// content is folded into one arrow per DATA, TCP handshakes into one "connect" arrow (the
// layout is gui/sequence_layout.hpp, shared with the SVG export).
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "gui/i18n.hpp"
#include "gui/sequence_layout.hpp"
#include "gui/timeline.hpp"
#include "gui/views.hpp"

namespace mailsim {

namespace {

// A small padlock `h` high whose bottom-left corner is `p` (fonts may lack the glyph).
void draw_lock(ImDrawList* dl, ImVec2 p, float h, ImU32 col) {
  const float w = h * 0.8f, body = h * 0.55f, r = w * 0.3f, t = std::max(1.0f, h * 0.12f);
  const float top = p.y - h + r, x = p.x + w / 2;
  dl->AddRectFilled(ImVec2(p.x, p.y - body), ImVec2(p.x + w, p.y), col, h * 0.1f);
  dl->PathArcTo(ImVec2(x, top), r, 3.14159f, 2 * 3.14159f);
  dl->PathStroke(col, 0, t);
  dl->AddLine(ImVec2(x - r, top), ImVec2(x - r, p.y - body), col, t);
  dl->AddLine(ImVec2(x + r, top), ImVec2(x + r, p.y - body), col, t);
}

class SequenceView : public View {
 public:
  SequenceView() : View("Sequence") {}

 protected:
  void draw_content(ViewContext& ctx) override {
    const Scene& s = ctx.scene;
    if (built_for_ != s.trace || built_lang_ != language()) {
      built_for_ = s.trace;
      built_lang_ = language();
      SequenceLayout l = layout_sequence(s);
      columns_ = std::move(l.columns);
      arrows_ = std::move(l.arrows);
    }
    if (columns_.empty()) {
      ImGui::TextDisabled("%s", tr("seq.empty"));
      return;
    }
    const Palette& pal = palette();
    const float left = ImGui::CalcTextSize("00000.000").x + px(8),
                row_h = ImGui::GetTextLineHeightWithSpacing() + px(6);
    const float width = std::max(ImGui::GetContentRegionAvail().x - left - px(20), px(200.0f));
    const float col_w = width / static_cast<float>(std::max<std::size_t>(1, columns_.size() - 1));
    ImDrawList* dl = ImGui::GetWindowDrawList();

    // Host names stay on top while the arrows scroll beneath them.
    ImVec2 head = ImGui::GetCursorScreenPos();
    for (std::size_t c = 0; c < columns_.size(); ++c) {
      float x = head.x + left + col_w * static_cast<float>(c);
      // Names alternate between two rows, so each has two columns' width, except at the ends,
      // where a name is pushed inside the diagram and has one column's width and the margin.
      const float room = columns_.size() <= 2       ? width + left
                         : c == 0                   ? left + col_w - px(8)
                         : c + 1 == columns_.size() ? col_w - px(4)
                                                    : 2 * col_w - px(8);
      const std::string n =
          ellipsize(s.hosts[static_cast<std::size_t>(columns_[c])].name, std::max(room, px(24)));
      ImVec2 ts = ImGui::CalcTextSize(n.c_str());
      // Names alternate between two rows so neighbours never overlap.
      float y = head.y + (c % 2 ? row_h * 0.8f : 0.0f);
      dl->AddText(ImVec2(std::clamp(x - ts.x / 2, head.x, head.x + left + width - ts.x), y),
                  pal.canvas_text, n.c_str());
    }
    ImGui::Dummy(ImVec2(0, row_h * 1.8f));
    ImGui::BeginChild("ladder", ImVec2(0, 0), false);
    dl = ImGui::GetWindowDrawList();
    ImVec2 origin = ImGui::GetCursorScreenPos();
    // The last one the cursor has passed (arrows are in trace order: a binary search).
    const int current = static_cast<int>(std::partition_point(arrows_.begin(), arrows_.end(),
                                                              [&](const auto& r) {
                                                                return r.index < ctx.state.upto;
                                                              }) -
                                         arrows_.begin()) -
                        1;

    ImGuiListClipper clip;
    clip.Begin(static_cast<int>(arrows_.size()), row_h);
    while (clip.Step()) {
      for (int r = clip.DisplayStart; r < clip.DisplayEnd; ++r) {
        const SeqArrow& a = arrows_[static_cast<std::size_t>(r)];
        ImVec2 row = ImGui::GetCursorScreenPos();
        ImGui::PushID(r);
        if (ImGui::InvisibleButton("row", ImVec2(left + width, row_h))) {
          seek_event(ctx.state, s, a.index);
          ctx.state.selected = a.index;
        }
        bool hovered = ImGui::IsItemHovered();
        ImGui::PopID();
        if (r == current)
          dl->AddRectFilled(row, ImVec2(row.x + left + width, row.y + row_h), pal.row_current);
        else if (hovered)
          dl->AddRectFilled(row, ImVec2(row.x + left + width, row.y + row_h), pal.row_hover);
        for (std::size_t c = 0; c < columns_.size(); ++c) {
          float x = origin.x + left + col_w * static_cast<float>(c);
          dl->AddLine(ImVec2(x, row.y), ImVec2(x, row.y + row_h), pal.lifeline);
        }
        char ts[24];
        std::snprintf(ts, sizeof ts, "%8.3f", static_cast<double>(s.event(a.index).t) / 1000.0);
        dl->AddText(ImVec2(row.x + px(2), row.y + px(3)), pal.time_text, ts);
        float x0 = origin.x + left + col_w * static_cast<float>(a.from);
        float x1 = origin.x + left + col_w * static_cast<float>(a.to);
        float y = row.y + row_h - px(4);
        const bool future = a.index >= ctx.state.upto;
        const ImU32 colour = a.failed                        ? pal.refused_arrow
                             : a.kind == SeqArrow::Kind::Tls ? IM_COL32(201, 162, 39, 255)
                             : a.proto.empty()               ? pal.tcp_arrow
                                                             : protocol_colour(a.proto.c_str());
        ImU32 col = future ? (colour & 0x00FFFFFF) | 0x50000000u : colour;
        if (a.dashed()) {
          float dir = x1 > x0 ? 1.0f : -1.0f;
          // A 5 px dash every 10 px; counted in whole dashes (no float loop counter).
          const int dashes = static_cast<int>(std::ceil(std::fabs(x1 - x0) / px(10)));
          for (int k = 0; k < dashes; ++k) {
            const float x = x0 + static_cast<float>(k) * px(10) * dir;
            dl->AddLine(ImVec2(x, y), ImVec2(x + px(5) * dir, y), col, px(1.5f));
          }
        } else {
          dl->AddLine(ImVec2(x0, y), ImVec2(x1, y), col, px(1.5f));
        }
        float dir = x1 > x0 ? 1.0f : -1.0f;
        dl->AddTriangleFilled(ImVec2(x1, y), ImVec2(x1 - px(8) * dir, y - px(4)),
                              ImVec2(x1 - px(8) * dir, y + px(4)), col);
        ImVec2 lts = ImGui::CalcTextSize(a.label.c_str());
        const float lock_w = a.locked ? lts.y * 0.8f + px(4) : 0.0f;
        float lx = std::min(x0, x1) + px(6);
        lx = std::min(lx, origin.x + left + width - lts.x - lock_w);
        if (a.locked) {
          draw_lock(dl, ImVec2(lx, row.y + px(1) + lts.y * 0.9f), lts.y * 0.8f,
                    future ? pal.arrow_label_future : pal.arrow_label);
          lx += lock_w;
        }
        dl->AddText(ImVec2(lx, row.y + px(1)), future ? pal.arrow_label_future : pal.arrow_label,
                    a.label.c_str());
      }
    }
    if (ctx.state.follow && current != last_current_ && current >= 0) {
      ImGui::SetScrollY(static_cast<float>(current) * row_h - ImGui::GetWindowHeight() * 0.5f);
      last_current_ = current;
    }
    ImGui::EndChild();
  }

 private:
  const sim::Trace* built_for_ = nullptr;
  std::string built_lang_;
  std::vector<int> columns_;  // host index of each lifeline
  std::vector<SeqArrow> arrows_;
  int last_current_ = -2;
};

}  // namespace

std::unique_ptr<View> make_sequence_view() {
  return std::make_unique<SequenceView>();
}

}  // namespace mailsim

#include "gui/layout.hpp"

#include <cmath>
#include <string>

#include "gui/i18n.hpp"
#include "gui/timeline.hpp"

namespace mailsim {

void draw_panels(ViewContext& ctx, Views& views, const UiSettings& set, ImVec2 p, ImVec2 sz) {
  const ImGuiStyle& st = ImGui::GetStyle();
  if (set.show_timeline) {
    const float bar = ImGui::GetFrameHeightWithSpacing() + ImGui::GetFrameHeight() +
                      st.WindowPadding.y * 2 + st.WindowBorderSize * 2;
    ImGui::SetNextWindowPos(p);
    ImGui::SetNextWindowSize(ImVec2(sz.x, bar));
    ImGui::Begin((std::string(tr("panel.timeline")) + "###Timeline").c_str(), nullptr,
                 ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoMove |
                     ImGuiWindowFlags_NoSavedSettings | ImGuiWindowFlags_NoBringToFrontOnFocus);
    draw_timeline(ctx.state, ctx.scene);
    ImGui::End();
    p.y += bar;
    sz.y -= bar;
  } else {
    draw_timeline_keys(ctx.state, ctx.scene);
  }
  const bool left_any = set.show_network || set.show_lesson;
  const bool right_any = set.show_protocol || set.show_state;
  const float left = left_any && right_any ? std::floor(sz.x * 0.58f) : left_any ? sz.x : 0;
  auto split = [&](bool top, bool bottom) {
    return top && bottom ? std::floor(sz.y * 0.56f) : top ? sz.y : 0.0f;
  };
  const float net_h = split(set.show_network, set.show_lesson);
  if (set.show_network) views.network->draw(ctx, p, ImVec2(left, net_h));
  if (set.show_lesson)
    views.narration->draw(ctx, ImVec2(p.x, p.y + net_h), ImVec2(left, sz.y - net_h));
  const float proto_h = split(set.show_protocol, set.show_state);
  if (set.show_protocol)
    draw_tabs("Protocol", ctx, ImVec2(p.x + left, p.y), ImVec2(sz.x - left, proto_h),
              {views.transcript.get(), views.sequence.get(), views.anatomy.get()});
  if (set.show_state)
    draw_tabs(
        "State", ctx, ImVec2(p.x + left, p.y + proto_h), ImVec2(sz.x - left, sz.y - proto_h),
        {views.mail.get(), views.inspector.get(), views.compare.get(), views.eavesdropper.get()});
}

void draw_frame(Ui& ui, ViewState& state, const Document& doc, Views& views) {
  draw_menu_bar(ui, state, doc);
  // The menu bar's height is taken off the top (ImGui moves the work area a frame late).
  const ImGuiViewport* vp = ImGui::GetMainViewport();
  const float menu_h = ImGui::GetFrameHeight();
  ViewContext ctx{doc.scene, state};
  draw_panels(ctx, views, ui.settings, ImVec2(vp->Pos.x, vp->Pos.y + menu_h),
              ImVec2(vp->Size.x, vp->Size.y - menu_h));
  draw_windows(ui, state, doc);
}

}  // namespace mailsim

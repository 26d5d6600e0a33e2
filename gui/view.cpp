#include "gui/view.hpp"

namespace mailsim {

void View::draw(ViewContext& ctx, ImVec2 pos, ImVec2 size) {
  ImGui::SetNextWindowPos(pos, ImGuiCond_Always);
  ImGui::SetNextWindowSize(size, ImGuiCond_Always);
  if (ImGui::Begin(title_, nullptr,
                   ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoResize |
                       ImGuiWindowFlags_NoCollapse | ImGuiWindowFlags_NoSavedSettings))
    draw_content(ctx);
  ImGui::End();
}

void draw_tabs(const char* id, ViewContext& ctx, ImVec2 pos, ImVec2 size,
               std::initializer_list<View*> views) {
  ImGui::SetNextWindowPos(pos, ImGuiCond_Always);
  ImGui::SetNextWindowSize(size, ImGuiCond_Always);
  if (ImGui::Begin(id, nullptr,
                   ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoMove |
                       ImGuiWindowFlags_NoSavedSettings)) {
    if (ImGui::BeginTabBar("tabs")) {
      auto want = ctx.state.open.find(id);
      for (View* v : views) {
        ImGuiTabItemFlags flags = 0;
        if (want != ctx.state.open.end() && want->second == v->title())
          flags = ImGuiTabItemFlags_SetSelected;
        if (ImGui::BeginTabItem(v->title(), nullptr, flags)) {
          ctx.state.tabs[id] = v->title();
          v->draw_body(ctx);
          ImGui::EndTabItem();
        }
      }
      if (want != ctx.state.open.end()) ctx.state.open.erase(want);
      ImGui::EndTabBar();
    }
  }
  ImGui::End();
}

}  // namespace mailsim

#include "gui/view.hpp"

#include <cctype>

#include "gui/i18n.hpp"

namespace mailsim {

std::string View::label() const {
  std::string key = std::string("panel.") + title_;  // "Mail state" -> "panel.mail_state"
  for (auto& c : key) c = c == ' ' ? '_' : static_cast<char>(std::tolower(c));
  return std::string(tr(key)) + "###" + title_;
}

void View::draw(ViewContext& ctx, ImVec2 pos, ImVec2 size) {
  ImGui::SetNextWindowPos(pos, ImGuiCond_Always);
  ImGui::SetNextWindowSize(size, ImGuiCond_Always);
  if (ImGui::Begin(label().c_str(), nullptr,
                   ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoResize |
                       ImGuiWindowFlags_NoCollapse | ImGuiWindowFlags_NoSavedSettings |
                       ImGuiWindowFlags_NoBringToFrontOnFocus))
    draw_content(ctx);
  ImGui::End();
}

void draw_tabs(const char* id, ViewContext& ctx, ImVec2 pos, ImVec2 size,
               std::initializer_list<View*> views) {
  ImGui::SetNextWindowPos(pos, ImGuiCond_Always);
  ImGui::SetNextWindowSize(size, ImGuiCond_Always);
  if (ImGui::Begin(id, nullptr,
                   ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoMove |
                       ImGuiWindowFlags_NoSavedSettings | ImGuiWindowFlags_NoBringToFrontOnFocus)) {
    if (ImGui::BeginTabBar("tabs")) {
      auto want = ctx.state.open.find(id);
      for (View* v : views) {
        ImGuiTabItemFlags flags = 0;
        if (want != ctx.state.open.end() && want->second == v->title())
          flags = ImGuiTabItemFlags_SetSelected;
        const bool open = ImGui::BeginTabItem(v->label().c_str(), nullptr, flags);
        const ImVec2 a = ImGui::GetItemRectMin(), b = ImGui::GetItemRectMax();
        ctx.state.tab_centres[std::string(id) + ":" + v->title()] = {(a.x + b.x) / 2,
                                                                     (a.y + b.y) / 2};
        if (open) {
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

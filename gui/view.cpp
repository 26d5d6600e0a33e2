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

}  // namespace mailsim

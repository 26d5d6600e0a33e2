#include "gui/timeline.hpp"

#include <imgui.h>

#include <algorithm>
#include <cmath>

namespace mailsim {

void draw_timeline(ViewState& v, const Scene& s) {
  ImGuiIO& io = ImGui::GetIO();
  if (!io.WantTextInput) {
    if (ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_Space), false)) v.playing = !v.playing;
    if (ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_RightArrow))) step_forward(v, s);
    if (ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_LeftArrow))) step_back(v, s);
    if (ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_Home)))
      seek_time(v, s, 0), v.playing = false;
    if (ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_End)))
      seek_time(v, s, s.end), v.playing = false;
  }
  if (ImGui::Button("|<")) seek_time(v, s, 0), v.playing = false;
  ImGui::SameLine();
  if (ImGui::Button("<")) step_back(v, s);
  ImGui::SameLine();
  if (ImGui::Button(v.playing ? "Pause" : "Play", ImVec2(60, 0))) {
    if (!v.playing && v.cursor >= s.end) seek_time(v, s, 0);
    v.playing = !v.playing;
  }
  ImGui::SameLine();
  if (ImGui::Button(">")) step_forward(v, s);
  ImGui::SameLine();
  if (ImGui::Button(">|")) seek_time(v, s, s.end), v.playing = false;
  ImGui::SameLine();
  ImGui::SetNextItemWidth(140);
  float speed_ms = static_cast<float>(v.speed * 1000.0);
  if (ImGui::SliderFloat("##speed", &speed_ms, 1.0f, 1000.0f, "%.0f ms/s",
                         ImGuiSliderFlags_Logarithmic))
    v.speed = speed_ms / 1000.0;
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("Simulated milliseconds per real second");
  ImGui::SameLine();
  // Position among protocol lines, the unit students step in.
  std::size_t done = lines_done(v, s);
  ImGui::Text("%9.3f ms   line %zu/%zu", static_cast<double>(v.cursor) / 1000.0, done,
              s.lines.size());
  ImGui::SetNextItemWidth(-1);
  float frac = s.end > 0 ? static_cast<float>(v.cursor) / static_cast<float>(s.end) : 0.0f;
  if (ImGui::SliderFloat("##scrub", &frac, 0.0f, 1.0f, "")) {
    seek_time(v, s, static_cast<sim::Time>(static_cast<double>(frac) * static_cast<double>(s.end)));
    v.playing = false;
  }
}

}  // namespace mailsim

#include "gui/timeline.hpp"

#include <imgui.h>

#include <algorithm>
#include <cmath>
#include <string>

#include "gui/i18n.hpp"
#include "gui/theme.hpp"

namespace mailsim {

void draw_timeline_keys(ViewState& v, const Scene& s) {
  ImGuiIO& io = ImGui::GetIO();
  if (io.KeyCtrl) return;  // Ctrl+key belongs to the menus
  if (!io.WantTextInput) {
    if (ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_Space), false)) v.playing = !v.playing;
    if (ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_RightArrow))) step_forward(v, s);
    if (ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_LeftArrow))) step_back(v, s);
    if (ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_Home)))
      seek_time(v, s, 0), v.playing = false;
    if (ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_End)))
      seek_time(v, s, s.end), v.playing = false;
  }
}

void draw_timeline(ViewState& v, const Scene& s) {
  draw_timeline_keys(v, s);
  auto tip = [](const char* key) {
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", tr(key));
  };
  if (ImGui::Button("|<")) seek_time(v, s, 0), v.playing = false;
  tip("tl.start");
  ImGui::SameLine();
  if (ImGui::Button("<")) step_back(v, s);
  tip("tl.back");
  ImGui::SameLine();
  // As wide as the wider of both labels, so the buttons after it never move.
  const float play_w =
      std::max(ImGui::CalcTextSize(tr("tl.play")).x, ImGui::CalcTextSize(tr("tl.pause")).x) +
      ImGui::GetStyle().FramePadding.x * 2;
  std::string play = std::string(tr(v.playing ? "tl.pause" : "tl.play")) + "###play";
  if (ImGui::Button(play.c_str(), ImVec2(play_w, 0))) {
    if (!v.playing && v.cursor >= s.end) seek_time(v, s, 0);
    v.playing = !v.playing;
  }
  ImGui::SameLine();
  if (ImGui::Button(">")) step_forward(v, s);
  tip("tl.forward");
  ImGui::SameLine();
  if (ImGui::Button(">|")) seek_time(v, s, s.end), v.playing = false;
  tip("tl.end");
  ImGui::SameLine();
  ImGui::SetNextItemWidth(px(140));
  float speed_ms = static_cast<float>(v.speed * 1000.0);
  if (ImGui::SliderFloat("##speed", &speed_ms, 1.0f, 1000.0f, tr("tl.speed"),
                         ImGuiSliderFlags_Logarithmic))
    v.speed = speed_ms / 1000.0;
  tip("tl.speed_tip");
  ImGui::SameLine();
  // Position among protocol lines, the unit students step in.
  std::size_t done = lines_done(v, s);
  ImGui::Text(tr("tl.position"), static_cast<double>(v.cursor) / 1000.0, done, s.lines.size());
  ImGui::SetNextItemWidth(-1);
  float frac = s.end > 0 ? static_cast<float>(v.cursor) / static_cast<float>(s.end) : 0.0f;
  if (ImGui::SliderFloat("##scrub", &frac, 0.0f, 1.0f, "")) {
    seek_time(v, s, static_cast<sim::Time>(static_cast<double>(frac) * static_cast<double>(s.end)));
    v.playing = false;
  }
}

}  // namespace mailsim

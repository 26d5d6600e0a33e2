// File > Export sequence diagram (SVG): the ladder diagram of the whole trace as a picture,
// written where the user says (a temporary-directory path is offered).
#include <imgui.h>

#include <cstdio>
#include <string>

#include "gui/app.hpp"
#include "gui/i18n.hpp"
#include "gui/sequence_svg.hpp"

namespace mailsim {

void export_svg_window(Ui& ui, const Document& doc) {
  if (!ui.export_svg) return;
  const ImGuiViewport* vp = ImGui::GetMainViewport();
  ImGui::SetNextWindowPos(ImVec2(vp->Pos.x + vp->Size.x / 2, vp->Pos.y + vp->Size.y / 2),
                          ImGuiCond_Appearing, ImVec2(0.5f, 0.5f));
  const std::string title = std::string(tr("dlg.export_svg")) + "###export_svg";
  if (ImGui::Begin(title.c_str(), &ui.export_svg, ImGuiWindowFlags_AlwaysAutoResize)) {
    ImGui::TextDisabled("%s", tr("dlg.export_svg_hint"));
    ImGui::SetNextItemWidth(ImGui::GetFontSize() * 30);
    if (ImGui::IsWindowAppearing()) ImGui::SetKeyboardFocusHere();  // type or Enter at once
    const bool enter = ImGui::InputText(tr("dlg.path"), ui.path, sizeof ui.path,
                                        ImGuiInputTextFlags_EnterReturnsTrue);
    if (ImGui::Button(tr("dlg.save")) || enter) {
      SequenceSvgOptions opt;
      if (doc.world) opt.title = doc.world->lesson().title.get(language());
      std::string error;
      const long arrows = write_sequence_svg(doc.scene, ui.path, opt, error);
      char buf[1400];
      if (arrows >= 0)
        std::snprintf(buf, sizeof buf, tr("dlg.saved_svg"), arrows, ui.path);
      else
        std::snprintf(buf, sizeof buf, tr("dlg.cannot_write"), ui.path);
      ui.message = buf;
      ui.message_is_error = arrows < 0;
    }
    ImGui::SameLine();
    if (ImGui::Button(tr("dlg.close"))) ui.export_svg = false;
    if (!ui.message.empty()) {
      ImGui::PushTextWrapPos(ImGui::GetFontSize() * 36);
      if (ui.message_is_error)
        ImGui::TextColored(ImVec4(0.9f, 0.3f, 0.3f, 1), "%s", ui.message.c_str());
      else
        ImGui::TextUnformatted(ui.message.c_str());
      ImGui::PopTextWrapPos();
    }
  }
  ImGui::End();
}

}  // namespace mailsim

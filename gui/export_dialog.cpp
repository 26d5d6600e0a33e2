// File > Export: one dialog for every format the window writes (the trace as JSON lines,
// the sequence diagram as SVG or PNG, the packets as a pcap capture for Wireshark). A path
// in the temporary directory is offered; Enter saves there.
#include <imgui.h>

#include <fstream>
#include <string>

#include "gui/app.hpp"
#include "gui/i18n.hpp"
#include "gui/sequence_png.hpp"
#include "gui/sequence_svg.hpp"
#include "sim/pcap.hpp"

namespace mailsim {

namespace {

// Writes the capture; the message says how many packets (or why nothing was written).
bool export_capture(const Document& doc, const std::string& path, std::string& message) {
  const sim::Lesson& lesson = doc.world ? doc.world->lesson() : doc.lesson;
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) {
    message = tr_format(tr("dlg.cannot_write"), path.c_str());
    return false;
  }
  const std::size_t packets = sim::write_pcap(doc.trace(), lesson, out);
  out.flush();
  if (!out) {
    message = tr_format(tr("dlg.cannot_write"), path.c_str());
    return false;
  }
  message = tr_format(tr(packets ? "dlg.saved_pcap" : "dlg.no_packets"), packets, path.c_str());
  return packets > 0;
}

}  // namespace

const char* export_suffix(ExportKind kind) {
  switch (kind) {
    case ExportKind::Trace:
      return ".jsonl";
    case ExportKind::SequenceSvg:
      return "-sequence.svg";
    case ExportKind::Capture:
      return ".pcap";
    case ExportKind::SequencePng:
      return "-sequence.png";
    default:
      return "";
  }
}

void export_window(Ui& ui, const Document& doc) {
  if (ui.exporting == ExportKind::None) return;
  const ExportKind kind = ui.exporting;
  const bool diagram = kind == ExportKind::SequenceSvg || kind == ExportKind::SequencePng;
  const char* title = kind == ExportKind::Trace ? "dlg.export_trace"
                      : diagram                 ? "dlg.export_svg"
                                                : "dlg.export_pcap";
  const char* hint = kind == ExportKind::SequenceSvg   ? "dlg.export_svg_hint"
                     : kind == ExportKind::SequencePng ? "dlg.export_png_hint"
                                                       : "dlg.export_pcap_hint";
  const ImGuiViewport* vp = ImGui::GetMainViewport();
  ImGui::SetNextWindowPos(ImVec2(vp->Pos.x + vp->Size.x / 2, vp->Pos.y + vp->Size.y / 2),
                          ImGuiCond_Appearing, ImVec2(0.5f, 0.5f));
  bool open = true;
  // One window id for every kind: switching kinds keeps its place on screen.
  if (ImGui::Begin((std::string(tr(title)) + "###export").c_str(), &open,
                   ImGuiWindowFlags_AlwaysAutoResize)) {
    if (kind == ExportKind::Trace)
      ImGui::TextDisabled(tr("dlg.export_hint"), doc.trace().size());
    else
      ImGui::TextDisabled("%s", tr(hint));
    ImGui::SetNextItemWidth(ImGui::GetFontSize() * 30);
    if (ImGui::IsWindowAppearing()) ImGui::SetKeyboardFocusHere();  // type or Enter at once
    const bool enter = ImGui::InputText(tr("dlg.path"), ui.path, sizeof ui.path,
                                        ImGuiInputTextFlags_EnterReturnsTrue);
    if (ImGui::Button(tr("dlg.save")) || enter) {
      std::string error;
      bool ok = false;
      if (kind == ExportKind::Trace) {
        ok = export_trace(doc, ui.path, error);
        if (ok) ui.last_export = ui.path;
        ui.message = ok ? tr_format(tr("dlg.saved"), doc.trace().size(), ui.path)
                        : tr_format(tr("dlg.cannot_write"), ui.path);
      } else if (diagram) {
        SequenceSvgOptions opt;
        if (doc.world) opt.title = doc.world->lesson().title.get(language());
        const long arrows =
            kind == ExportKind::SequenceSvg
                ? write_sequence_svg(doc.scene, ui.path, opt, error)
                : write_sequence_png(doc.scene, ui.path, opt, kSequencePngScale, error);
        ok = arrows >= 0;
        ui.message = ok ? tr_format(tr("dlg.saved_svg"), arrows, ui.path)
                        : tr_format(tr("dlg.cannot_write"), ui.path);
        if (!ok && !error.empty()) ui.message += " (" + error + ")";
      } else {
        ok = export_capture(doc, ui.path, ui.message);
      }
      ui.message_is_error = !ok;
    }
    ImGui::SameLine();
    if (ImGui::Button(tr("dlg.close"))) open = false;
    message_line(ui);
  }
  ImGui::End();
  if (!open) ui.exporting = ExportKind::None;
}

}  // namespace mailsim

// The Live window (File > Live, Ctrl+L): a form for a real server, run by `mailsim live` in
// a child process (gui/live_process.hpp); when it ends its trace opens in every view, and
// what it printed (the result, or why it failed: DNS, refused, TLS, credentials) is shown.
#include <imgui.h>

#include <filesystem>

#include "gui/app.hpp"
#include "gui/i18n.hpp"
#include "gui/theme.hpp"

namespace mailsim {

namespace {

// Where a widget is, for scripted tests ("Live:URL").
void remember(ViewState& v, const char* name) {
  const ImVec2 a = ImGui::GetItemRectMin(), b = ImGui::GetItemRectMax();
  v.tab_centres[std::string("Live:") + name] = {(a.x + b.x) / 2, (a.y + b.y) / 2};
}

}  // namespace

void poll_live(Ui& ui) {
  if (!ui.live || ui.live->running()) return;
  const int code = ui.live->exit_code();
  ui.live_output = ui.live->output();
  ui.live_ok = code == 0;
  std::error_code ec;
  if (std::filesystem::file_size(ui.live->trace_path(), ec) > 0 && !ec)
    ui.load_trace = ui.live->trace_path();
  ui.banner = tr_format(tr(code == 0 ? "live.done" : "live.failed"), code);
  ui.banner_is_error = code != 0;
  ui.banner_until = ImGui::GetTime() + (code == 0 ? 5.0 : 1e9);
  ui.live.reset();
}

void live_window(Ui& ui, ViewState& v) {
  if (!ui.live_dialog) return;
  const ImGuiViewport* vp = ImGui::GetMainViewport();
  ImGui::SetNextWindowPos(ImVec2(vp->Pos.x + vp->Size.x / 2, vp->Pos.y + vp->Size.y / 2),
                          ImGuiCond_Appearing, ImVec2(0.5f, 0.5f));
  if (ImGui::Begin((std::string(tr("live.title")) + "###live").c_str(), &ui.live_dialog,
                   ImGuiWindowFlags_AlwaysAutoResize)) {
    LiveForm& f = ui.live_form;
    const float w = ImGui::GetFontSize() * 24;
    ImGui::PushTextWrapPos(w * 1.4f);
    ImGui::TextDisabled("%s", tr("live.hint"));
    ImGui::PopTextWrapPos();
    ImGui::SetNextItemWidth(w);
    if (ImGui::IsWindowAppearing()) ImGui::SetKeyboardFocusHere();
    ImGui::InputTextWithHint(tr("live.url"), "imaps://mail.example.org", f.url, sizeof f.url);
    remember(v, "URL");
    ImGui::SetNextItemWidth(w);
    ImGui::InputText(tr("live.user"), f.user, sizeof f.user);
    remember(v, "User");
    ImGui::SetNextItemWidth(w);
    ImGui::InputText(tr("live.password"), f.password, sizeof f.password,
                     ImGuiInputTextFlags_Password);
    remember(v, "Password");
    ImGui::Checkbox(tr("live.starttls"), &f.starttls);
    ImGui::SetNextItemWidth(w);
    ImGui::InputTextWithHint(tr("live.ca_file"), tr("live.ca_hint"), f.ca_file, sizeof f.ca_file);
    ImGui::SetNextItemWidth(ImGui::GetFontSize() * 6);
    ImGui::InputInt(tr("live.idle"), &f.idle_seconds);
    f.idle_seconds = std::clamp(f.idle_seconds, 0, 3600);
    ImGui::Checkbox(tr("live.insecure"), &f.insecure);
    remember(v, "Insecure");
    if (f.insecure)
      ImGui::TextColored(ImVec4(0.95f, 0.35f, 0.35f, 1), "%s", tr("live.insecure_warn"));
    ImGui::Separator();
    if (ui.live) {
      ImGui::TextUnformatted(tr("live.running"));
      ImGui::SameLine();
      if (ImGui::Button(tr("live.stop"))) ui.live->stop();
    } else {
      if (ImGui::Button(tr("live.connect"))) {
        LiveRequest r;
        r.url = f.url;
        r.user = f.user;
        r.password = f.password;
        r.ca_file = f.ca_file;
        r.starttls = f.starttls;
        r.insecure = f.insecure;
        r.idle_seconds = f.idle_seconds;
        std::string error;
        ui.live = LiveProcess::start(self_executable(), r, error);
        ui.live_output = error;
        ui.live_ok = ui.live != nullptr;
      }
      remember(v, "Connect");
    }
    if (!ui.live_output.empty()) {
      ImGui::PushFont(mono_font());
      const ImVec4 col = ui.live_ok ? palette().line_note : ImVec4(0.95f, 0.35f, 0.35f, 1);
      ImGui::PushTextWrapPos(w * 1.4f);
      ImGui::TextColored(col, "%s", ui.live_output.c_str());
      ImGui::PopTextWrapPos();
      ImGui::PopFont();
    }
  }
  ImGui::End();
}

}  // namespace mailsim

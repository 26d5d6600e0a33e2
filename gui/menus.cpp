// The main menu bar, its keyboard shortcuts, the file dialogs and the help windows.
#include <GLFW/glfw3.h>
#include <imgui.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>

#include "gui/app.hpp"
#include "gui/commands.hpp"
#include "gui/i18n.hpp"
#include "gui/theme.hpp"
#include "gui/timeline.hpp"

namespace mailsim {

void message_line(const Ui& ui) {
  if (ui.message.empty()) return;
  ImGui::PushTextWrapPos(ImGui::GetFontSize() * 36);
  if (ui.message_is_error)
    ImGui::TextColored(ImVec4(0.9f, 0.3f, 0.3f, 1), "%s", ui.message.c_str());
  else
    ImGui::TextUnformatted(ui.message.c_str());
  ImGui::PopTextWrapPos();
}

namespace {

// "Translated text###id": the id stays the same in every language.
std::string label(const char* key, const char* id) {
  return std::string(tr(key)) + "###" + id;
}

bool begin_menu(Ui& ui, const char* key, const char* id) {
  bool open = ImGui::BeginMenu(label(key, id).c_str());
  ui.menus.push_back({id, ImGui::GetItemRectMin().x, ImGui::GetItemRectMax().x});
  return open;
}

void set_path(Ui& ui, const std::string& p) {
  std::snprintf(ui.path, sizeof ui.path, "%s", p.c_str());
  ui.message.clear();
}

// A window over the panels, centred when it appears.
bool begin_window(const char* key, const char* id, bool* open, ImGuiWindowFlags flags = 0) {
  const ImGuiViewport* vp = ImGui::GetMainViewport();
  ImGui::SetNextWindowPos(ImVec2(vp->Pos.x + vp->Size.x / 2, vp->Pos.y + vp->Size.y / 2),
                          ImGuiCond_Appearing, ImVec2(0.5f, 0.5f));
  return ImGui::Begin(label(key, id).c_str(), open, flags);
}

void open_lesson_window(Ui& ui) {
  if (!ui.open_lesson) return;
  if (begin_window("dlg.open_lesson", "open_lesson", &ui.open_lesson,
                   ImGuiWindowFlags_AlwaysAutoResize)) {
    ImGui::TextDisabled(tr("dlg.lessons_in"), lessons_dir());
    const float w = ImGui::GetFontSize() * 34;
    if (ImGui::BeginListBox("##lessons",
                            ImVec2(w, ImGui::GetTextLineHeightWithSpacing() *
                                              static_cast<float>(std::min<std::size_t>(
                                                  8, std::max<std::size_t>(ui.lessons.size(), 3))) +
                                          ImGui::GetStyle().FramePadding.y * 2))) {
      for (const auto& l : ui.lessons) {
        std::string name = std::filesystem::path(l.path).filename().string();
        std::string row = l.title.get(language()) + "  (" + name + ")";
        if (ImGui::Selectable(row.c_str(), l.path == ui.path)) set_path(ui, l.path);
        if (ImGui::IsItemHovered() && ImGui::IsMouseDoubleClicked(ImGuiMouseButton_Left))
          ui.load_lesson = l.path;
      }
      ImGui::EndListBox();
    }
    ImGui::SetNextItemWidth(w - ImGui::CalcTextSize(tr("dlg.path")).x -
                            ImGui::GetStyle().ItemInnerSpacing.x);
    if (ImGui::IsWindowAppearing()) ImGui::SetKeyboardFocusHere();  // type or Enter at once
    bool enter = ImGui::InputText(tr("dlg.path"), ui.path, sizeof ui.path,
                                  ImGuiInputTextFlags_EnterReturnsTrue);
    if (ImGui::Button(tr("dlg.open")) || enter) ui.load_lesson = ui.path;
    ImGui::SameLine();
    if (ImGui::Button(tr("dlg.cancel"))) ui.open_lesson = false;
    message_line(ui);
  }
  ImGui::End();
}

void open_trace_window(Ui& ui) {
  if (!ui.open_trace) return;
  if (begin_window("dlg.open_trace", "open_trace", &ui.open_trace,
                   ImGuiWindowFlags_AlwaysAutoResize)) {
    ImGui::TextDisabled("%s", tr("dlg.trace_hint"));
    ImGui::SetNextItemWidth(ImGui::GetFontSize() * 30);
    if (ImGui::IsWindowAppearing()) ImGui::SetKeyboardFocusHere();  // type or Enter at once
    bool enter = ImGui::InputText(tr("dlg.path"), ui.path, sizeof ui.path,
                                  ImGuiInputTextFlags_EnterReturnsTrue);
    if (ImGui::Button(tr("dlg.open")) || enter) ui.load_trace = ui.path;
    ImGui::SameLine();
    if (ImGui::Button(tr("dlg.cancel"))) ui.open_trace = false;
    message_line(ui);
  }
  ImGui::End();
}

void about_window(Ui& ui) {
  if (!ui.about) return;
  if (begin_window("menu.about", "about", &ui.about, ImGuiWindowFlags_AlwaysAutoResize)) {
    ImGui::PushTextWrapPos(ImGui::GetFontSize() * 30);
    ImGui::TextWrapped(tr("about.text"), "0.1.0");
    ImGui::PopTextWrapPos();
    ImGui::Separator();
    ImGui::TextDisabled(tr("about.libs"), IMGUI_VERSION, glfwGetVersionString());
    ImGui::TextDisabled(tr("about.font"), font_name().c_str());
    if (!fonts_are_ttf()) ImGui::TextDisabled("%s", tr("about.builtin"));
    if (!ui.settings_path.empty())
      ImGui::TextDisabled(tr("about.settings"), ui.settings_path.c_str());
    if (ImGui::Button(tr("dlg.close"))) ui.about = false;
  }
  ImGui::End();
}

void table_header(const char* const* keys, int n) {
  for (int i = 0; i < n; ++i) ImGui::TableSetupColumn(tr(keys[i]));
  ImGui::TableHeadersRow();
}

void shortcuts_window(Ui& ui) {
  if (!ui.shortcuts) return;
  if (begin_window("menu.shortcuts", "shortcuts", &ui.shortcuts,
                   ImGuiWindowFlags_AlwaysAutoResize)) {
    static const char* const rows[][2] = {
        {"key.space", "sc.play"},       {"key.left_right", "sc.step"}, {"key.home_end", "sc.ends"},
        {"Ctrl+= / Ctrl+-", "sc.zoom"}, {"Ctrl+0", "sc.zoom_reset"},   {"Ctrl+O", "sc.open"},
        {"Ctrl+Q", "sc.quit"},
    };
    const ImGuiTableFlags flags =
        ImGuiTableFlags_RowBg | ImGuiTableFlags_BordersInnerH | ImGuiTableFlags_SizingFixedFit;
    if (ImGui::BeginTable("keys", 2, flags)) {
      static const char* const head[] = {"sc.key", "sc.action"};
      table_header(head, 2);
      for (const auto& r : rows) {
        ImGui::TableNextRow();
        ImGui::TableNextColumn();
        ImGui::TextUnformatted(std::strncmp(r[0], "key.", 4) == 0 ? tr(r[0]) : r[0]);
        ImGui::TableNextColumn();
        ImGui::TextUnformatted(tr(r[1]));
      }
      ImGui::TableNextRow();
      ImGui::TableNextColumn();
      ImGui::TextUnformatted(tr("sc.click"));
      ImGui::TableNextColumn();
      ImGui::TextUnformatted(tr("sc.click_do"));
      ImGui::EndTable();
    }
    if (ImGui::Button(tr("dlg.close"))) ui.shortcuts = false;
  }
  ImGui::End();
}

void ports_window(Ui& ui) {
  if (!ui.ports) return;
  if (begin_window("menu.ports", "ports", &ui.ports, ImGuiWindowFlags_AlwaysAutoResize)) {
    struct Port {
      int port;
      const char* proto;  // for its colour
      const char* name;
      const char* key;
    };
    static const Port ports[] = {
        {25, "SMTP", "SMTP", "ports.25"},
        {587, "SMTP", "SMTP submission", "ports.587"},
        {465, "SMTP", "SMTP submissions", "ports.465"},
        {110, "POP3", "POP3", "ports.110"},
        {995, "POP3", "POP3S", "ports.995"},
        {143, "IMAP", "IMAP", "ports.143"},
        {993, "IMAP", "IMAPS", "ports.993"},
        {53, "DNS", "DNS", "ports.53"},
    };
    const ImGuiTableFlags flags =
        ImGuiTableFlags_RowBg | ImGuiTableFlags_BordersInnerH | ImGuiTableFlags_SizingFixedFit;
    if (ImGui::BeginTable("ports", 3, flags)) {
      static const char* const head[] = {"ports.port", "ports.protocol", "ports.use"};
      table_header(head, 3);
      for (const auto& p : ports) {
        ImGui::TableNextRow();
        ImGui::TableNextColumn();
        ImGui::Text("%d", p.port);
        ImGui::TableNextColumn();
        ImGui::TextColored(protocol_text_colour(p.proto), "%s", p.name);
        ImGui::TableNextColumn();
        ImGui::TextUnformatted(tr(p.key));
      }
      ImGui::EndTable();
    }
    if (ImGui::Button(tr("dlg.close"))) ui.ports = false;
  }
  ImGui::End();
}

}  // namespace

void Ui::save() {
  save_settings(settings, settings_path);
}

void Ui::set_theme(const std::string& theme) {
  settings.theme = theme;
  restyle = true;
  save();
}

void Ui::set_zoom(float zoom) {
  settings.zoom = clamp_zoom(zoom);
  restyle = true;
  save();
}

void Ui::set_language(const std::string& lang, ViewState& v) {
  settings.lang = lang;
  v.lang = lang;
  mailsim::set_language(lang);
  save();
}

void handle_shortcuts(Ui& ui) {
  const ImGuiIO& io = ImGui::GetIO();
  if (!io.KeyCtrl) return;
  auto pressed = [](int a, int b) {
    return ImGui::IsKeyPressed(a, false) || ImGui::IsKeyPressed(b, false);
  };
  if (pressed(GLFW_KEY_EQUAL, GLFW_KEY_KP_ADD)) ui.set_zoom(zoom_in(ui.settings.zoom));
  if (pressed(GLFW_KEY_MINUS, GLFW_KEY_KP_SUBTRACT)) ui.set_zoom(zoom_out(ui.settings.zoom));
  if (pressed(GLFW_KEY_0, GLFW_KEY_KP_0)) ui.set_zoom(1.0f);
  if (ImGui::IsKeyPressed(GLFW_KEY_O, false)) ui.open_lesson = true, ui.message.clear();
  if (ImGui::IsKeyPressed(GLFW_KEY_L, false)) ui.live_dialog = true;
}

void draw_menu_bar(Ui& ui, ViewState& v, const Document& doc) {
  ui.menus.clear();
  if (!ImGui::BeginMainMenuBar()) return;
  ui.menu_h = ImGui::GetWindowSize().y;
  if (begin_menu(ui, "menu.file", "File")) {
    if (ImGui::MenuItem(tr("menu.open_lesson"), "Ctrl+O")) {
      ui.open_lesson = true;
      set_path(ui, doc.is_trace ? std::string() : doc.path);
    }
    if (ImGui::MenuItem(tr("menu.open_trace"))) {
      ui.open_trace = true;
      set_path(ui, doc.is_trace ? doc.path : ui.last_export);
    }
    // The exports offer "<temporary directory>/<document name><suffix>".
    auto export_item = [&](const char* key, ExportKind kind) {
      if (!ImGui::MenuItem(tr(key))) return;
      ui.exporting = kind;
      const std::string stem = std::filesystem::path(doc.path).stem().string();
      set_path(ui,
               (std::filesystem::temp_directory_path() / (stem + export_suffix(kind))).string());
    };
    export_item("menu.export_trace", ExportKind::Trace);
    if (ImGui::MenuItem(tr("menu.live"), "Ctrl+L")) ui.live_dialog = true;
    export_item("menu.export_svg", ExportKind::SequenceSvg);
    export_item("menu.export_pcap", ExportKind::Capture);
    export_item("menu.export_png", ExportKind::SequencePng);  // last: tests click by position
    ImGui::Separator();
    if (ImGui::MenuItem(tr("menu.quit"), "Ctrl+Q")) ui.quit = true;
    ImGui::EndMenu();
  }
  if (begin_menu(ui, "menu.view", "View")) {
    // The themes come first (scripted tests click them by position).
    if (ImGui::MenuItem(tr("menu.theme_light"), nullptr, ui.settings.theme == "light"))
      ui.set_theme("light");
    if (ImGui::MenuItem(tr("menu.theme_dark"), nullptr, ui.settings.theme == "dark"))
      ui.set_theme("dark");
    ImGui::Separator();
    if (ImGui::MenuItem(tr("menu.zoom_in"), "Ctrl+=")) ui.set_zoom(zoom_in(ui.settings.zoom));
    if (ImGui::MenuItem(tr("menu.zoom_out"), "Ctrl+-")) ui.set_zoom(zoom_out(ui.settings.zoom));
    if (ImGui::MenuItem(tr("menu.zoom_reset"), "Ctrl+0")) ui.set_zoom(1.0f);
    ImGui::TextDisabled(tr("menu.zoom_now"),
                        static_cast<int>(std::lround(ui.settings.zoom * 100.0f)));
    ImGui::Separator();
    if (ImGui::BeginMenu(label("menu.panels", "Panels").c_str())) {
      bool changed = false;
      changed |= ImGui::MenuItem(tr("panel.timeline"), nullptr, &ui.settings.show_timeline);
      changed |= ImGui::MenuItem(tr("panel.network"), nullptr, &ui.settings.show_network);
      changed |= ImGui::MenuItem(tr("panel.lesson"), nullptr, &ui.settings.show_lesson);
      changed |= ImGui::MenuItem(tr("panel.protocol"), nullptr, &ui.settings.show_protocol);
      changed |= ImGui::MenuItem(tr("panel.state"), nullptr, &ui.settings.show_state);
      if (changed) ui.save();
      ImGui::EndMenu();
    }
    ImGui::EndMenu();
  }
  if (begin_menu(ui, "menu.lesson", "Lesson")) {
    const Scene& s = doc.scene;
    if (ImGui::MenuItem(tr("menu.restart"))) {
      seek_time(v, s, 0);
      v.playing = true;
    }
    if (ImGui::MenuItem(tr(v.playing ? "menu.pause" : "menu.play"), tr("key.space"))) {
      if (!v.playing && v.cursor >= s.end) seek_time(v, s, 0);
      v.playing = !v.playing;
    }
    if (ImGui::MenuItem(tr("menu.step_forward"), tr("key.right"))) step_forward(v, s);
    if (ImGui::MenuItem(tr("menu.step_back"), tr("key.left"))) step_back(v, s);
    if (ImGui::MenuItem(tr("menu.to_end"), tr("key.end")))
      seek_time(v, s, s.end), v.playing = false;
    ImGui::Separator();
    // The same lesson again with TLS switched off: what crossed the network before TLS.
    if (!doc.is_trace && ImGui::MenuItem(tr("menu.without_tls"), nullptr, &ui.without_tls))
      ui.reload = true;
    if (!doc.is_trace && !doc.scene.quiz.items.empty() &&
        ImGui::MenuItem(tr("menu.reset_answers"))) {
      v.answers.clear();
      v.answers_changed = true;
    }
    if (ImGui::BeginMenu(label("menu.lessons", "Lessons").c_str())) {
      if (ui.lessons.empty()) ImGui::TextDisabled(tr("menu.no_lessons"), lessons_dir());
      for (const auto& l : ui.lessons) {
        std::string name = std::filesystem::path(l.path).filename().string();
        std::string row = l.title.get(language()) + "###" + l.path;
        if (ImGui::MenuItem(row.c_str(), name.c_str(), l.path == doc.path)) ui.load_lesson = l.path;
      }
      ImGui::EndMenu();
    }
    ImGui::EndMenu();
  }
  if (begin_menu(ui, "menu.language", "Language")) {
    for (const auto& l : languages())
      if (ImGui::MenuItem(l.name, nullptr, language() == l.code)) ui.set_language(l.code, v);
    ImGui::EndMenu();
  }
  if (begin_menu(ui, "menu.help", "Help")) {
    if (ImGui::MenuItem(tr("menu.shortcuts"))) ui.shortcuts = true;
    if (ImGui::MenuItem(tr("menu.ports"))) ui.ports = true;
    ImGui::Separator();
    if (ImGui::MenuItem(tr("menu.about"))) ui.about = true;
    ImGui::EndMenu();
  }
  ImGui::EndMainMenuBar();
}

// The banner: bottom centre, over the panels, until it times out or is closed.
void banner_window(Ui& ui) {
  if (ui.banner.empty()) return;
  const ImGuiViewport* vp = ImGui::GetMainViewport();
  ImGui::SetNextWindowPos(ImVec2(vp->Pos.x + vp->Size.x / 2, vp->Pos.y + vp->Size.y - px(16)),
                          ImGuiCond_Always, ImVec2(0.5f, 1.0f));
  ImGui::SetNextWindowSizeConstraints(ImVec2(0, 0), ImVec2(vp->Size.x * 0.9f, vp->Size.y * 0.5f));
  ImGui::Begin("##banner", nullptr,
               ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_AlwaysAutoResize |
                   ImGuiWindowFlags_NoSavedSettings | ImGuiWindowFlags_NoFocusOnAppearing);
  ImGui::PushTextWrapPos(vp->Size.x * 0.85f);
  if (ui.banner_is_error)
    ImGui::TextColored(ImVec4(0.95f, 0.35f, 0.35f, 1), "%s", ui.banner.c_str());
  else
    ImGui::TextUnformatted(ui.banner.c_str());
  ImGui::PopTextWrapPos();
  if (ImGui::SmallButton(tr("dlg.close"))) ui.banner.clear();
  ImGui::End();
}

void draw_windows(Ui& ui, ViewState& v, const Document& doc) {
  banner_window(ui);
  poll_live(ui);
  live_window(ui, v);
  open_lesson_window(ui);
  open_trace_window(ui);
  export_window(ui, doc);
  about_window(ui);
  shortcuts_window(ui);
  ports_window(ui);
}

}  // namespace mailsim

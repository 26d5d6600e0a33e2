// `mailsim gui [LESSON]`: the window. A menu bar (app.hpp, menus.cpp) over the timeline and
// the views, all reading one document's trace; the theme, fonts and scale come from theme.hpp,
// the interface's strings from i18n.hpp, the user's settings from settings.hpp.
#include <GLFW/glfw3.h>
#include <backends/imgui_impl_glfw.h>
#include <backends/imgui_impl_opengl3.h>
#include <imgui.h>
#include <stb_image_write.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <vector>

#include "gui/app.hpp"
#include "gui/capture_open.hpp"
#include "gui/commands.hpp"
#include "gui/headless.hpp"
#include "gui/i18n.hpp"
#include "gui/key_latch.hpp"
#include "gui/layout.hpp"
#include "gui/scene.hpp"
#include "gui/settings.hpp"
#include "gui/theme.hpp"
#include "gui/timeline.hpp"
#include "gui/view_state.hpp"
#include "gui/views.hpp"
#include "sim/lesson.hpp"
#include "sim/world.hpp"

namespace mailsim {

namespace {

struct GuiOptions {
  std::string lesson;
  std::string screenshot;         // write a PNG of the window after `frames` frames, then quit
  int frames = 0;                 // quit after this many frames (0: run until closed)
  std::string lang;               // "" = the saved setting (English at first)
  std::string theme;              // "" = the saved setting
  float zoom = 0;                 // 0 = the saved setting
  bool print_state = false;       // print the cursor when the window closes (for scripted tests)
  std::vector<std::string> tabs;  // tabs to open at start, e.g. "Sequence", "Inspector"
  std::string at;    // start with the cursor after this protocol line ("12") or time ("120ms")
  int question = 0;  // start where the lesson asks its N-th question (1-based; 0: no)
  int width = 1280, height = 800;
  bool print_first_frame = false;  // print when the first frame was shown (bench/startup.py)
};

struct AtSpec {
  std::optional<std::size_t> line;  // after the N-th protocol line
  sim::Time time = 0;               // or at this simulated time
};

std::optional<AtSpec> parse_at(const std::string& at) {
  char* end = nullptr;
  double v = std::strtod(at.c_str(), &end);
  if (end == at.c_str() || v < 0) return std::nullopt;
  std::string unit(end);
  if (unit.empty()) {
    if (v != static_cast<double>(static_cast<std::size_t>(v))) return std::nullopt;
    return AtSpec{static_cast<std::size_t>(v), 0};
  }
  if (unit == "us") return AtSpec{std::nullopt, static_cast<sim::Time>(v)};
  if (unit == "ms") return AtSpec{std::nullopt, static_cast<sim::Time>(v * 1e3)};
  if (unit == "s") return AtSpec{std::nullopt, static_cast<sim::Time>(v * 1e6)};
  return std::nullopt;
}

// "Protocol:Sequence,State:Mail_state": the open tabs, without spaces, for --print-state.
std::string tab_list(const ViewState& v) {
  std::string out;
  for (const auto& [panel, tab] : v.tabs) {
    if (!out.empty()) out += ',';
    out += panel;
    out += ':';
    out += tab;
  }
  for (auto& c : out)
    if (c == ' ') c = '_';
  return out;
}

// What tells that a file changed on disk: its modification time and size.
using Watched = std::pair<std::filesystem::file_time_type, std::uintmax_t>;
Watched watch(const std::string& path) {
  std::error_code ec;
  auto t = std::filesystem::last_write_time(path, ec);
  auto n = std::filesystem::file_size(path, ec);
  return {ec ? std::filesystem::file_time_type{} : t, ec ? 0 : n};
}

bool have_display() {
  const char* d = std::getenv("DISPLAY");
  const char* w = std::getenv("WAYLAND_DISPLAY");
  return (d && *d) || (w && *w);
}

bool save_png(const std::string& path, int w, int h) {
  std::vector<unsigned char> px(static_cast<std::size_t>(w) * h * 4);
  glPixelStorei(GL_PACK_ALIGNMENT, 1);
  glReadPixels(0, 0, w, h, GL_RGBA, GL_UNSIGNED_BYTE, px.data());
  stbi_flip_vertically_on_write(1);  // OpenGL's origin is the bottom-left corner
  return stbi_write_png(path.c_str(), w, h, 4, px.data(), w * 4) != 0;
}

int run_window(const GuiOptions& o) {
  std::string error;
  // A saved trace (.jsonl) opens like a lesson: the views only read the trace.
  const bool is_trace = is_trace_file(o.lesson);  // .jsonl, or a capture (.pcap, .pcapng)
  std::unique_ptr<Document> doc =
      is_trace ? open_trace_document(o.lesson, error) : open_lesson_document(o.lesson, error);
  if (!doc) {
    std::cerr << "mailsim: error: " << error << "\n";
    return 2;
  }
  // Settings live in the config directory (never the working directory); options given on
  // the command line apply to this run only and are not saved.
  Ui ui;
  const std::string dir = config_dir(true);
  static std::string ini_path;  // ImGui keeps the pointer
  if (!dir.empty()) {
    ui.settings_path = dir + "/settings.ini";
    ini_path = dir + "/imgui.ini";
    ui.settings = load_settings(ui.settings_path);
    ui.progress_path = dir + "/progress.ini";
    ui.progress = load_progress(ui.progress_path);
  }
  if (!o.lang.empty()) ui.settings.lang = o.lang;
  if (!o.theme.empty()) ui.settings.theme = o.theme;
  if (o.zoom > 0) ui.settings.zoom = clamp_zoom(o.zoom);
  set_language(ui.settings.lang);
  ui.lessons = list_lessons(lessons_dir());

  ViewState state;
  state.lang = ui.settings.lang;
  for (const auto& t : o.tabs)
    state.open[t == "Transcript" || t == "Sequence" || t == "Anatomy" ? "Protocol" : "State"] = t;
  if (!o.at.empty()) {
    auto t = parse_at(o.at);
    if (!t) {
      std::cerr << "mailsim: error: --at wants a line number (e.g. 12) or a time (e.g. 120ms)\n";
      return 2;
    }
    if (t->line)
      seek_line(state, doc->scene, *t->line);
    else
      seek_time(state, doc->scene, t->time);
  }
  if (o.question > 0) {
    // The cursor where the lesson asks its N-th question (in the file's order).
    const auto& items = doc->scene.quiz.items;
    auto it = std::find_if(items.begin(), items.end(), [&](const QuizItem& q) {
      return q.question + 1 == static_cast<std::size_t>(o.question);
    });
    if (it == items.end()) {
      std::cerr << "mailsim: error: --question " << o.question << ": the lesson has "
                << items.size() << " question(s)\n";
      return 2;
    }
    if (it->due == 0)
      seek_line(state, doc->scene, 0);  // before anything happened
    else
      seek_event(state, doc->scene, it->due - 1);
  }
  auto views = std::make_unique<Views>();

  glfwSetErrorCallback([](int code, const char* what) {
    std::cerr << "mailsim: GLFW error " << code << ": " << what << "\n";
  });
  if (!glfwInit()) {
    std::cerr << "mailsim: cannot open a window (GLFW init failed); printing the transcript\n";
    return run_lesson_headless(transcript_of(o.lesson, ui.settings.lang));
  }
  glfwWindowHint(GLFW_CONTEXT_VERSION_MAJOR, 3);
  glfwWindowHint(GLFW_CONTEXT_VERSION_MINOR, 0);
  glfwWindowHint(GLFW_SCALE_TO_MONITOR, GLFW_TRUE);  // HiDPI: a window of the same apparent size
  GLFWwindow* win = glfwCreateWindow(o.width, o.height, "mailsim", nullptr, nullptr);
  if (!win) {
    glfwTerminate();
    std::cerr << "mailsim: cannot create an OpenGL 3 window; printing the transcript\n";
    return run_lesson_headless(transcript_of(o.lesson, ui.settings.lang));
  }
  glfwMakeContextCurrent(win);
  glfwSwapInterval(1);
  IMGUI_CHECKVERSION();
  ImGui::CreateContext();
  // imgui.ini (positions of the movable windows) goes to the config directory, or nowhere.
  ImGui::GetIO().IniFilename = ini_path.empty() ? nullptr : ini_path.c_str();
  ImGui_ImplGlfw_InitForOpenGL(win, true);
  install_key_latch(win);
  ImGui_ImplOpenGL3_Init("#version 130");

  // HiDPI: the monitor's content scale times the user's zoom sizes fonts and spacing.
  auto content_scale = [win] {
    float xs = 1, ys = 1;
    glfwGetWindowContentScale(win, &xs, &ys);
    return std::clamp(std::max(xs, ys), 0.5f, 4.0f);
  };
  float scale_now = content_scale();
  auto restyle = [&](bool recreate_texture) {
    const float scale = scale_now * ui.settings.zoom;
    apply_theme(theme_from_string(ui.settings.theme).value_or(Theme::Dark), scale);
    load_fonts(scale);
    if (recreate_texture) {
      ImGui_ImplOpenGL3_DestroyFontsTexture();
      ImGui_ImplOpenGL3_CreateFontsTexture();
    }
  };
  restyle(false);  // the renderer makes the font texture in its first frame

  // The student's answers (progress.ini) for the document's lesson.
  auto lesson_id = [&] { return doc->is_trace ? std::string() : doc->scene.lesson->id; };
  auto restore_answers = [&] {
    state.answers = lesson_id().empty() ? Answers{} : ui.progress[lesson_id()];
  };
  restore_answers();
  state.is_lesson = !doc->is_trace;
  // Teachers edit a lesson while presenting, and `serve --trace` / `live --trace` keep
  // appending to a trace: the open file is read again when it changes on disk. The cursor
  // stays on the same protocol line (at the end if it was there: a growing trace is followed).
  Watched watched = watch(doc->path);
  double next_poll = 0;
  auto replace_doc = [&](std::unique_ptr<Document> next, bool keep_cursor) {
    const std::size_t line = lines_done(state, doc->scene);
    const bool at_end = state.upto >= doc->trace().size();
    const bool playing = state.playing;
    doc = std::move(next);
    views = std::make_unique<Views>();
    ViewState fresh;
    fresh.lang = ui.settings.lang;
    fresh.follow = state.follow;
    fresh.tabs = state.tabs;
    fresh.open = state.tabs;  // the same tabs stay in front
    state = std::move(fresh);
    restore_answers();
    state.is_lesson = !doc->is_trace;
    state.without_tls = doc->without_tls;
    if (keep_cursor) {
      if (at_end)
        seek_time(state, doc->scene, doc->scene.end);
      else
        seek_line(state, doc->scene, line);
      state.playing = playing;
    }
    watched = watch(doc->path);
  };

  int frame = 0;
  int rc = 0;
  while (!glfwWindowShouldClose(win)) {
    glfwPollEvents();
    // Between frames: documents asked for by the menus, and a new style or font size.
    if (state.want_without_tls) {
      ui.without_tls = *state.want_without_tls;
      state.want_without_tls.reset();
      ui.reload = true;
    }
    if (ui.reload) ui.load_lesson = doc->is_trace ? "" : doc->path;
    for (std::string* want : {&ui.load_lesson, &ui.load_trace}) {
      if (want->empty()) continue;
      std::string err;
      auto next = want == &ui.load_lesson ? open_lesson_document(*want, err, ui.without_tls)
                                          : open_trace_document(*want, err);
      if (next) {
        const bool same = next->path == doc->path;
        replace_doc(std::move(next), ui.reload && same);
        ui.open_lesson = ui.open_trace = false;
        ui.message.clear();
      } else {
        ui.message = err;
        ui.message_is_error = true;
      }
      want->clear();
    }
    ui.reload = false;
    if (glfwGetTime() >= next_poll) {
      next_poll = glfwGetTime() + 0.5;
      if (Watched now = watch(doc->path); now != watched) {
        std::string err;
        auto next = doc->is_trace ? open_trace_document(doc->path, err)
                                  : open_lesson_document(doc->path, err, doc->without_tls);
        watched = now;
        if (next) {
          replace_doc(std::move(next), true);
          ui.banner = tr_format(tr("msg.reloaded"), doc->path.c_str());
          ui.banner_is_error = false;
        } else {
          // The window keeps showing the last good version until the file is fixed.
          ui.banner = err;
          ui.banner_is_error = true;
        }
        ui.banner_until = glfwGetTime() + (ui.banner_is_error ? 1e9 : 4.0);
      }
    }
    if (ui.banner_until < glfwGetTime()) ui.banner.clear();
    if (state.answers_changed) {
      state.answers_changed = false;
      if (!lesson_id().empty()) {
        ui.progress[lesson_id()] = state.answers;
        if (!ui.progress_path.empty() && !save_progress(ui.progress, ui.progress_path))
          std::cerr << "mailsim: cannot save " << ui.progress_path << "\n";
      }
    }
    if (float s = content_scale(); s != scale_now) scale_now = s, ui.restyle = true;
    if (ui.restyle) {
      restyle(true);
      ui.restyle = false;
    }
    ImGui_ImplOpenGL3_NewFrame();
    ImGui_ImplGlfw_NewFrame();
    ImGui::NewFrame();

    advance(state, doc->scene, static_cast<double>(ImGui::GetIO().DeltaTime));
    if (ImGui::GetIO().KeyCtrl && ImGui::IsKeyPressed(GLFW_KEY_Q, false))
      glfwSetWindowShouldClose(win, 1);  // Ctrl+Q quits
    handle_shortcuts(ui);
    draw_frame(ui, state, *doc, *views);
    if (ui.quit) glfwSetWindowShouldClose(win, 1);

    ImGui::Render();
    int w, h;
    glfwGetFramebufferSize(win, &w, &h);
    glViewport(0, 0, w, h);
    const ImVec4 bg = palette().clear;
    glClearColor(bg.x, bg.y, bg.z, 1);
    glClear(GL_COLOR_BUFFER_BIT);
    ImGui_ImplOpenGL3_RenderDrawData(ImGui::GetDrawData());
    ++frame;
    if (o.frames > 0 && frame >= o.frames) {
      if (!o.screenshot.empty() && !save_png(o.screenshot, w, h)) {
        std::cerr << "mailsim: error: cannot write " << o.screenshot << "\n";
        rc = 1;
      }
      glfwSetWindowShouldClose(win, 1);
    }
    glfwSwapBuffers(win);
    key_latch_end_frame(win);  // releases held back during this frame go on now
    if (o.print_first_frame && frame == 1) {
      glFinish();  // the frame is drawn, not only queued
      const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
      std::printf("first frame shown at %lld ns since the epoch\n", static_cast<long long>(ns));
      std::fflush(stdout);
    }
  }
  if (o.print_state) {
    std::size_t done = lines_done(state, doc->scene);
    // Where the menus are, so scripted tests can click them: the headers' x ranges, and the
    // centre of a menu's first item and the distance between items (no separator between).
    const ImGuiStyle& st = ImGui::GetStyle();
    std::string menus;
    for (const auto& m : ui.menus)
      menus += (menus.empty() ? "" : ",") + m.id + ":" + std::to_string(std::lround(m.x0)) + ":" +
               std::to_string(std::lround(m.x1));
    const float row = ImGui::GetTextLineHeight() + st.ItemSpacing.y;
    const float item0 = ui.menu_h + st.WindowPadding.y + ImGui::GetTextLineHeight() / 2;
    char zoom[16];
    std::snprintf(zoom, sizeof zoom, "%.2f", static_cast<double>(ui.settings.zoom));
    // Where the tabs' headers are ("State:Compare:x:y"), so tests can click them.
    std::string tabs_xy;
    for (const auto& [tab, xy] : state.tab_centres)
      tabs_xy += (tabs_xy.empty() ? "" : ",") + tab + ":" + std::to_string(std::lround(xy.first)) +
                 ":" + std::to_string(std::lround(xy.second));
    for (auto& c : tabs_xy)
      if (c == ' ') c = '_';
    std::cout << "cursor_us=" << state.cursor << " line=" << done << "/" << doc->scene.lines.size()
              << " playing=" << state.playing << " tabs=" << tab_list(state)
              << " selected=" << (state.selected ? std::to_string(*state.selected) : "none")
              << " doc=" << (doc->is_trace ? "trace" : "lesson")
              << " events=" << doc->trace().size() << " lang=" << language()
              << " theme=" << to_string(current_theme()) << " zoom=" << zoom
              << " font=" << (fonts_are_ttf() ? "ttf" : "builtin")
              << " font_px=" << std::lround(ImGui::GetFontSize())
              << " menu_h=" << std::lround(ui.menu_h) << " menus=" << menus
              << " menu_item0_y=" << std::lround(item0) << " menu_row_h=" << std::lround(row)
              << " config=" << (dir.empty() ? "none" : dir) << " tab_xy=" << tabs_xy << " banner="
              << (ui.banner.empty()    ? "none"
                  : ui.banner_is_error ? "error"
                                       : "info");
    // What the views showed last ("" for views never drawn).
    for (const View* v : {views->narration.get(), views->transcript.get(), views->inspector.get(),
                          views->mail.get(), views->compare.get(), views->anatomy.get(),
                          views->network.get(), views->eavesdropper.get()})
      if (auto more = v->print_state(); !more.empty()) std::cout << " " << more;
    std::cout << std::endl;
  }
  ImGui_ImplOpenGL3_Shutdown();
  ImGui_ImplGlfw_Shutdown();
  ImGui::DestroyContext();  // writes imgui.ini
  glfwDestroyWindow(win);
  glfwTerminate();
  return rc;
}

}  // namespace

void register_gui(CLI::App& app, int& rc) {
  auto o = std::make_shared<GuiOptions>();
  o->lesson = std::string(lessons_dir()) + "/smtp-basics.toml";
  auto* cmd = app.add_subcommand(
      "gui",
      "Open the window on a lesson (the default without a command); without a display "
      "the lesson's transcript is printed instead");
  cmd->add_option("lesson", o->lesson, "Lesson file (.toml) or saved trace (.jsonl)")
      ->capture_default_str();
  cmd->add_option("--lang", o->lang,
                  "Language of the interface and narration (en or pt; default: the saved "
                  "setting, else en)")
      ->check(CLI::IsMember({"en", "pt"}));
  cmd->add_option("--theme", o->theme, "Colour theme for this run (light or dark)")
      ->check(CLI::IsMember({"light", "dark"}));
  cmd->add_option("--zoom", o->zoom, "Zoom for this run (0.5 to 3; 1 is actual size)")
      ->check(CLI::Range(kMinZoom, kMaxZoom));
  cmd->add_option("--frames", o->frames, "Quit after N frames (for scripted runs)");
  cmd->add_option("--tab", o->tabs,
                  "Open these tabs at start (Transcript, Sequence, Anatomy, Mail state, "
                  "Inspector, Compare, Eavesdropper)")
      ->check(CLI::IsMember({"Transcript", "Sequence", "Anatomy", "Mail state", "Inspector",
                             "Compare", "Eavesdropper"}));
  cmd->add_flag("--print-state", o->print_state,
                "When the window closes, print the cursor position, language, theme, zoom "
                "and where the menus are (for scripted tests)");
  cmd->add_option("--question", o->question,
                  "Start where the lesson asks its N-th question (1 is the first in the file)")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--at", o->at,
                  "Start with the cursor after the N-th protocol line (e.g. 12) or at a "
                  "simulated time (e.g. 120ms, 1.5s)");
  cmd->add_flag("--print-first-frame", o->print_first_frame,
                "Print the wall-clock time at which the first frame was shown (ns since the "
                "epoch), for start-up benchmarks (bench/startup.py)");
  cmd->add_option("--screenshot", o->screenshot,
                  "Save the window as PNG after --frames frames (default 10), then quit");
  cmd->callback([o, &rc] {
    if (!o->screenshot.empty() && o->frames <= 0) o->frames = 10;
    if (!have_display()) {
      std::cerr << "mailsim: no display; printing the lesson's transcript instead\n";
      const std::string lang = o->lang.empty() ? "en" : o->lang;
      rc = is_trace_file(o->lesson) ? print_trace_transcript(o->lesson, false)
                                    : run_lesson_headless(transcript_of(o->lesson, lang));
      return;
    }
    rc = run_window(*o);
  });
}

int open_window_on(const std::string& path) {
  GuiOptions o;
  o.lesson = path;
  return run_window(o);
}

bool display_available() {
  return have_display();
}

}  // namespace mailsim

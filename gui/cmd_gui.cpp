// `mailsim gui [LESSON]`: the window. This first version shows the lesson, its narration and
// the transcript folded from the trace; the full views (network, ladder, time travel) build
// on the same trace.
#include <GLFW/glfw3.h>
#include <backends/imgui_impl_glfw.h>
#include <backends/imgui_impl_opengl3.h>
#include <imgui.h>
#include <stb_image_write.h>

#include <CLI/CLI.hpp>
#include <cstdlib>
#include <iostream>
#include <vector>

#include "gui/commands.hpp"
#include "gui/headless.hpp"
#include "gui/scene.hpp"
#include "gui/timeline.hpp"
#include "gui/view_state.hpp"
#include "gui/views.hpp"
#include "sim/lesson.hpp"
#include "sim/world.hpp"

namespace mailsim {

namespace {

struct GuiOptions {
  std::string lesson;
  std::string screenshot;  // write a PNG of the window after `frames` frames, then quit
  int frames = 0;          // quit after this many frames (0: run until closed)
  std::string lang = "en";
  bool print_state = false;       // print the cursor when the window closes (for scripted tests)
  std::vector<std::string> tabs;  // tabs to open at start, e.g. "Sequence", "Inspector"
  std::string at;  // start with the cursor after this protocol line ("12") or time ("120ms")
  int width = 1280, height = 800;
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
  for (const auto& [panel, tab] : v.tabs) out += (out.empty() ? "" : ",") + panel + ":" + tab;
  for (auto& c : out)
    if (c == ' ') c = '_';
  return out;
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
  sim::Lesson lesson;
  try {
    lesson = sim::load_lesson(o.lesson);
  } catch (const sim::LessonError& e) {
    std::cerr << "mailsim: error: " << e.what() << "\n";
    return 2;
  }
  sim::World world(lesson);
  world.run();
  Scene scene = build_scene(world.lesson(), world.trace());
  ViewState state;
  state.lang = o.lang;
  for (const auto& t : o.tabs)
    state.open[t == "Transcript" || t == "Sequence" ? "Protocol" : "State"] = t;
  if (!o.at.empty()) {
    auto t = parse_at(o.at);
    if (!t) {
      std::cerr << "mailsim: error: --at wants a line number (e.g. 12) or a time (e.g. 120ms)\n";
      return 2;
    }
    if (t->line)
      seek_line(state, scene, *t->line);
    else
      seek_time(state, scene, t->time);
  }
  auto network = make_network_view();
  auto transcript = make_transcript_view();
  auto mail = make_mail_state_view();
  auto narration = make_narration_view();
  auto sequence = make_sequence_view();
  auto inspector = make_inspector_view();

  glfwSetErrorCallback([](int code, const char* what) {
    std::cerr << "mailsim: GLFW error " << code << ": " << what << "\n";
  });
  if (!glfwInit()) {
    std::cerr << "mailsim: cannot open a window (GLFW init failed); printing the transcript\n";
    return run_lesson_headless({o.lesson, "", false, false, std::nullopt, o.lang});
  }
  glfwWindowHint(GLFW_CONTEXT_VERSION_MAJOR, 3);
  glfwWindowHint(GLFW_CONTEXT_VERSION_MINOR, 0);
  GLFWwindow* win = glfwCreateWindow(o.width, o.height, "mailsim", nullptr, nullptr);
  if (!win) {
    glfwTerminate();
    std::cerr << "mailsim: cannot create an OpenGL 3 window; printing the transcript\n";
    return run_lesson_headless({o.lesson, "", false, false, std::nullopt, o.lang});
  }
  glfwMakeContextCurrent(win);
  glfwSwapInterval(1);
  IMGUI_CHECKVERSION();
  ImGui::CreateContext();
  ImGui::GetIO().IniFilename = nullptr;  // no imgui.ini in the user's working directory
  ImGui::StyleColorsDark();
  ImGui_ImplGlfw_InitForOpenGL(win, true);
  ImGui_ImplOpenGL3_Init("#version 130");

  int frame = 0;
  int rc = 0;
  while (!glfwWindowShouldClose(win)) {
    glfwPollEvents();
    ImGui_ImplOpenGL3_NewFrame();
    ImGui_ImplGlfw_NewFrame();
    ImGui::NewFrame();

    advance(state, scene, static_cast<double>(ImGui::GetIO().DeltaTime));
    if (ImGui::GetIO().KeyCtrl && glfwGetKey(win, GLFW_KEY_Q) == GLFW_PRESS)
      glfwSetWindowShouldClose(win, 1);  // Ctrl+Q quits
    const ImGuiViewport* vp = ImGui::GetMainViewport();
    const ImVec2 p = vp->WorkPos, sz = vp->WorkSize;
    const float bar = 64, left = sz.x * 0.58f, net_h = (sz.y - bar) * 0.56f;
    ImGui::SetNextWindowPos(p);
    ImGui::SetNextWindowSize(ImVec2(sz.x, bar));
    ImGui::Begin(
        "Timeline", nullptr,
        ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoSavedSettings);
    draw_timeline(state, scene);
    ImGui::End();
    ViewContext ctx{scene, state};
    network->draw(ctx, ImVec2(p.x, p.y + bar), ImVec2(left, net_h));
    narration->draw(ctx, ImVec2(p.x, p.y + bar + net_h), ImVec2(left, sz.y - bar - net_h));
    draw_tabs("Protocol", ctx, ImVec2(p.x + left, p.y + bar), ImVec2(sz.x - left, net_h),
              {transcript.get(), sequence.get()});
    draw_tabs("State", ctx, ImVec2(p.x + left, p.y + bar + net_h),
              ImVec2(sz.x - left, sz.y - bar - net_h), {mail.get(), inspector.get()});

    ImGui::Render();
    int w, h;
    glfwGetFramebufferSize(win, &w, &h);
    glViewport(0, 0, w, h);
    glClearColor(0.1f, 0.1f, 0.12f, 1);
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
  }
  if (o.print_state) {
    std::size_t done = lines_done(state, scene);
    std::cout << "cursor_us=" << state.cursor << " line=" << done << "/" << scene.lines.size()
              << " playing=" << state.playing << " tabs=" << tab_list(state)
              << " selected=" << (state.selected ? std::to_string(*state.selected) : "none")
              << std::endl;
  }
  ImGui_ImplOpenGL3_Shutdown();
  ImGui_ImplGlfw_Shutdown();
  ImGui::DestroyContext();
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
  cmd->add_option("lesson", o->lesson, "Lesson file (.toml)")->capture_default_str();
  cmd->add_option("--lang", o->lang, "Language of titles and narration (en or pt)")
      ->check(CLI::IsMember({"en", "pt"}));
  cmd->add_option("--frames", o->frames, "Quit after N frames (for scripted runs)");
  cmd->add_option("--tab", o->tabs,
                  "Open these tabs at start (Transcript, Sequence, Mail state, Inspector)")
      ->check(CLI::IsMember({"Transcript", "Sequence", "Mail state", "Inspector"}));
  cmd->add_flag("--print-state", o->print_state,
                "When the window closes, print the cursor position (for scripted tests)");
  cmd->add_option("--at", o->at,
                  "Start with the cursor after the N-th protocol line (e.g. 12) or at a "
                  "simulated time (e.g. 120ms, 1.5s)");
  cmd->add_option("--screenshot", o->screenshot,
                  "Save the window as PNG after --frames frames (default 10), then quit");
  cmd->callback([o, &rc] {
    if (!o->screenshot.empty() && o->frames <= 0) o->frames = 10;
    if (!have_display()) {
      std::cerr << "mailsim: no display; printing the lesson's transcript instead\n";
      rc = run_lesson_headless({o->lesson, "", false, false, std::nullopt, o->lang});
      return;
    }
    rc = run_window(*o);
  });
}

}  // namespace mailsim

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
#include "sim/lesson.hpp"
#include "sim/world.hpp"

namespace mailsim {

namespace {

struct GuiOptions {
  std::string lesson;
  std::string screenshot;  // write a PNG of the window after `frames` frames, then quit
  int frames = 0;          // quit after this many frames (0: run until closed)
  std::string lang = "en";
  int width = 1280, height = 800;
};

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

ImVec4 colour_of(const sim::Event& ev) {
  if (const auto* l = std::get_if<sim::LineEv>(&ev.p)) {
    if (l->proto == sim::Proto::Dns) return {0.85f, 0.65f, 0.95f, 1};
    if (l->data) return {0.7f, 0.7f, 0.7f, 1};
    return l->from_client ? ImVec4{0.55f, 0.8f, 1, 1} : ImVec4{0.6f, 0.95f, 0.6f, 1};
  }
  if (std::holds_alternative<sim::MailboxEv>(ev.p)) return {1, 0.85f, 0.4f, 1};
  if (std::holds_alternative<sim::QueueEv>(ev.p)) return {1, 0.6f, 0.4f, 1};
  return {0.9f, 0.9f, 0.9f, 1};
}

std::string line_of(const sim::Event& ev) {
  char ts[32];
  std::snprintf(ts, sizeof ts, "%8.3f ms  ", static_cast<double>(ev.t) / 1000.0);
  std::string s = ts;
  if (const auto* l = std::get_if<sim::LineEv>(&ev.p)) {
    if (l->proto == sim::Proto::Dns) return s + "DNS " + l->from + " > " + l->to + ": " + l->text;
    return s + "#" + std::to_string(l->conn) + (l->from_client ? " C: " : " S: ") + l->text;
  }
  if (const auto* m = std::get_if<sim::MailboxEv>(&ev.p))
    return s + "mailbox " + m->mailbox + ": " + m->op + " uid " + std::to_string(m->uid);
  if (const auto* q = std::get_if<sim::QueueEv>(&ev.p))
    return s + "queue " + q->host + " " + q->op + ": " + q->detail;
  if (const auto* c = std::get_if<sim::ConnEv>(&ev.p))
    return s + "#" + std::to_string(c->conn) + " " + c->op + " " + c->client + " > " + c->server +
           ":" + std::to_string(c->server_port);
  if (const auto* n = std::get_if<sim::NoteEv>(&ev.p)) return s + "-- " + n->text;
  return {};
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
  std::vector<const sim::Event*> rows;
  for (const auto& ev : world.trace().events())
    if (!std::holds_alternative<sim::SegmentEv>(ev.p) &&
        !std::holds_alternative<sim::StateEv>(ev.p))
      rows.push_back(&ev);

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

    const ImGuiViewport* vp = ImGui::GetMainViewport();
    ImGui::SetNextWindowPos(vp->WorkPos);
    ImGui::SetNextWindowSize(vp->WorkSize);
    ImGui::Begin(
        "mailsim", nullptr,
        ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoSavedSettings);
    ImGui::TextUnformatted(lesson.title.get(o.lang).c_str());
    ImGui::TextDisabled("%s", lesson.summary.get(o.lang).c_str());
    ImGui::Separator();
    for (std::size_t i = 0; i < lesson.steps.size(); ++i) {
      ImGui::PushTextWrapPos(0);
      ImGui::Text("Step %zu: %s", i + 1, lesson.steps[i].narration.get(o.lang).c_str());
      ImGui::PopTextWrapPos();
    }
    ImGui::Separator();
    ImGui::Text("Transcript (%zu events)", rows.size());
    ImGui::BeginChild("transcript", ImVec2(0, 0), true);
    ImGuiListClipper clip;
    clip.Begin(static_cast<int>(rows.size()));
    while (clip.Step())
      for (int i = clip.DisplayStart; i < clip.DisplayEnd; ++i) {
        ImGui::PushStyleColor(ImGuiCol_Text, colour_of(*rows[i]));
        ImGui::TextUnformatted(line_of(*rows[i]).c_str());
        ImGui::PopStyleColor();
      }
    ImGui::EndChild();
    ImGui::End();

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

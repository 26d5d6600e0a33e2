// `mailsim bench gui`: a benchmark, not a test. Builds a large trace (a lesson run again and
// again, each run after the previous one, until the trace holds --events events), then draws
// the whole window --frames times in a hidden window while the cursor jumps across the trace,
// and prints the median and 99th percentile CPU time per frame.
#include <GLFW/glfw3.h>
#include <backends/imgui_impl_glfw.h>
#include <backends/imgui_impl_opengl3.h>
#include <imgui.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <iostream>
#include <memory>
#include <vector>

#include "gui/app.hpp"
#include "gui/commands.hpp"
#include "gui/i18n.hpp"
#include "gui/layout.hpp"
#include "gui/theme.hpp"
#include "gui/timeline.hpp"
#include "sim/world.hpp"

namespace mailsim {

namespace {

struct BenchOptions {
  std::string lesson;
  std::size_t events = 100000;
  int frames = 600;
  int width = 1280, height = 800;
  bool visible = false;
  std::string theme = "dark";
  std::string lang = "en";
};

double thread_cpu_ms() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) * 1e3 + static_cast<double>(ts.tv_nsec) / 1e6;
}

double now_ms() {
  using namespace std::chrono;
  return duration<double, std::milli>(steady_clock::now().time_since_epoch()).count();
}

// The lesson run `runs` times into one trace: each run's events are shifted to start 1 ms
// after the previous run ended and its connection ids follow the previous run's, so the
// views see one long, busy network. Real engine output, not made-up lines.
std::unique_ptr<Document> big_document(const std::string& path, std::size_t events, int& runs) {
  auto d = std::make_unique<Document>();
  d->lesson = sim::load_lesson(path);
  d->path = path;
  d->is_trace = true;
  sim::Time offset = 0;
  std::uint32_t conn_base = 0;
  runs = 0;
  while (d->loaded.size() < events) {
    sim::World w(d->lesson);
    w.run();
    ++runs;
    sim::Time end = 0;
    std::uint32_t max_conn = 0;
    for (const auto& e : w.trace().events()) {
      if (d->loaded.size() >= events) break;
      sim::Payload p = e.p;
      std::visit(
          [&](auto& x) {
            if constexpr (requires { x.conn; }) {
              max_conn = std::max(max_conn, x.conn);
              if (x.conn) x.conn += conn_base;
            }
          },
          p);
      if (auto* s = std::get_if<sim::SegmentEv>(&p)) {
        end = std::max(end, s->arrive);
        s->arrive += offset;
      }
      end = std::max(end, e.t);
      d->loaded.append(e.t + offset, std::move(p));
    }
    if (w.trace().size() == 0) break;  // a lesson that does nothing never fills the trace
    offset += end + sim::kMillisecond;
    conn_base += max_conn;
  }
  d->scene = build_scene(d->lesson, d->loaded);
  return d;
}

double percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const auto i = static_cast<std::size_t>(std::llround(p * static_cast<double>(v.size() - 1)));
  return v[std::min(i, v.size() - 1)];
}

int run_bench_gui(const BenchOptions& o) {
  const char* d = std::getenv("DISPLAY");
  const char* wl = std::getenv("WAYLAND_DISPLAY");
  if (!(d && *d) && !(wl && *wl)) {
    std::cerr << "mailsim: bench gui needs a display (an X server, or Xvfb :99 and "
                 "DISPLAY=:99)\n";
    return 1;
  }
  int runs = 0;
  const double t0 = now_ms();
  std::unique_ptr<Document> doc;
  try {
    doc = big_document(o.lesson, o.events, runs);
  } catch (const std::exception& e) {
    std::cerr << "mailsim: error: " << e.what() << "\n";
    return 2;
  }
  const double built = now_ms() - t0;

  if (!glfwInit()) {
    std::cerr << "mailsim: cannot open a window (GLFW init failed)\n";
    return 1;
  }
  glfwWindowHint(GLFW_CONTEXT_VERSION_MAJOR, 3);
  glfwWindowHint(GLFW_CONTEXT_VERSION_MINOR, 0);
  glfwWindowHint(GLFW_VISIBLE, o.visible ? GLFW_TRUE : GLFW_FALSE);
  GLFWwindow* win = glfwCreateWindow(o.width, o.height, "mailsim bench", nullptr, nullptr);
  if (!win) {
    glfwTerminate();
    std::cerr << "mailsim: cannot create an OpenGL 3 window\n";
    return 1;
  }
  glfwMakeContextCurrent(win);
  glfwSwapInterval(0);  // measure the frame, not the monitor's refresh
  ImGui::CreateContext();
  ImGui::GetIO().IniFilename = nullptr;  // a benchmark leaves no files behind
  ImGui_ImplGlfw_InitForOpenGL(win, false);
  ImGui_ImplOpenGL3_Init("#version 130");
  apply_theme(theme_from_string(o.theme).value_or(Theme::Dark), 1.0f);
  load_fonts(1.0f);
  set_language(o.lang);

  Ui ui;  // no settings path: nothing is saved
  ui.settings.theme = o.theme;
  ui.settings.lang = o.lang;
  ViewState state;
  state.lang = o.lang;
  auto views = std::make_unique<Views>();
  const Scene& s = doc->scene;
  const int warmup = std::min(10, o.frames);
  // cpu = build (the views and ImGui's layout) + submit (ImGui::Render and the GL calls: with
  // Mesa's software GL the driver transforms the vertices on this thread).
  std::vector<double> cpu, wall, build, submit, vertices;
  for (auto* v : {&cpu, &wall, &build, &submit, &vertices})
    v->reserve(static_cast<std::size_t>(o.frames));
  for (int f = 0; f < warmup + o.frames; ++f) {
    const double c0 = thread_cpu_ms(), w0 = now_ms();
    // Jump across the whole trace in a scattered order (forwards and backwards), and step
    // one protocol line on every other frame, as a student scrubbing and stepping would.
    const auto k = static_cast<std::int64_t>((static_cast<long long>(f) * 7919) % o.frames);
    seek_time(state, s, s.end * k / o.frames);
    if (f % 2) step_forward(state, s);
    glfwPollEvents();
    ImGui_ImplOpenGL3_NewFrame();
    ImGui_ImplGlfw_NewFrame();
    ImGui::NewFrame();
    const double b0 = thread_cpu_ms();
    draw_frame(ui, state, *doc, *views);
    const double b1 = thread_cpu_ms();
    ImGui::Render();
    int w, h;
    glfwGetFramebufferSize(win, &w, &h);
    glViewport(0, 0, w, h);
    glClear(GL_COLOR_BUFFER_BIT);
    ImGui_ImplOpenGL3_RenderDrawData(ImGui::GetDrawData());
    const double c1 = thread_cpu_ms(), w1 = now_ms();
    glfwSwapBuffers(win);
    if (f >= warmup) {
      cpu.push_back(c1 - c0);
      wall.push_back(w1 - w0);
      build.push_back(b1 - b0);
      submit.push_back(c1 - b1);
      vertices.push_back(ImGui::GetDrawData()->TotalVtxCount);
    }
  }
  ImGui_ImplOpenGL3_Shutdown();
  ImGui_ImplGlfw_Shutdown();
  ImGui::DestroyContext();
  glfwDestroyWindow(win);
  glfwTerminate();

  std::printf(
      "mailsim bench gui: %s run %d times: %zu events, %zu protocol lines, %zu segments, "
      "%.3f simulated s (built in %.0f ms)\n",
      std::filesystem::path(o.lesson).filename().c_str(), runs, doc->loaded.size(), s.lines.size(),
      s.segments.size(), static_cast<double>(s.end) / 1e6, built);
  std::printf("%d frames at %dx%d (%s theme), cursor jumping across the trace:\n", o.frames,
              o.width, o.height, o.theme.c_str());
  std::printf("  CPU ms per frame (main thread): median %.3f  p99 %.3f  max %.3f\n",
              percentile(cpu, 0.5), percentile(cpu, 0.99), percentile(cpu, 1.0));
  std::printf("  wall ms per frame (before swap): median %.3f  p99 %.3f\n", percentile(wall, 0.5),
              percentile(wall, 0.99));
  std::printf(
      "  of the CPU: building the views median %.3f  p99 %.3f; rendering (ImGui::Render "
      "and the GL driver) median %.3f  p99 %.3f; %.0f vertices per frame (median)\n",
      percentile(build, 0.5), percentile(build, 0.99), percentile(submit, 0.5),
      percentile(submit, 0.99), percentile(vertices, 0.5));
  return 0;
}

}  // namespace

void register_bench_sim(CLI::App& bench, int& rc);  // bench_sim.cpp

void register_bench(CLI::App& app, int& rc) {
  auto o = std::make_shared<BenchOptions>();
  o->lesson = std::string(lessons_dir()) + "/smtp-basics.toml";
  auto* bench = app.add_subcommand(
      "bench", "Benchmarks (not tests): measure something and print the numbers");
  bench->require_subcommand(1);
  auto* cmd = bench->add_subcommand(
      "gui",
      "Draw the window over a large trace (a lesson run many times) in a hidden window while "
      "the cursor jumps across it; print the median and p99 CPU ms per frame. Needs a display "
      "(Xvfb works)");
  cmd->add_option("--lesson", o->lesson, "Lesson to run again and again")->capture_default_str();
  cmd->add_option("--events", o->events, "Events in the trace")
      ->capture_default_str()
      ->check(CLI::Range(std::size_t{1}, std::size_t{100000000}));
  cmd->add_option("--frames", o->frames, "Frames to measure (after 10 warm-up frames)")
      ->capture_default_str()
      ->check(CLI::Range(1, 1000000));
  cmd->add_option("--theme", o->theme, "light or dark")
      ->capture_default_str()
      ->check(CLI::IsMember({"light", "dark"}));
  cmd->add_option("--lang", o->lang, "en or pt")
      ->capture_default_str()
      ->check(CLI::IsMember({"en", "pt"}));
  cmd->add_flag("--visible", o->visible, "Show the window while measuring");
  cmd->callback([o, &rc] { rc = run_bench_gui(*o); });
  register_bench_sim(*bench, rc);
}

}  // namespace mailsim

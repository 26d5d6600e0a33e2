// The window's chrome around the views: what it shows (a lesson run or a trace read from a
// file), the main menu bar, dialogs and help windows, and the user's settings.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "gui/live_process.hpp"
#include "gui/progress.hpp"
#include "gui/scene.hpp"
#include "gui/settings.hpp"
#include "gui/view_state.hpp"
#include "sim/lesson.hpp"
#include "sim/trace.hpp"
#include "sim/world.hpp"

namespace mailsim {

// What the window shows. Lives on the heap and never moves: the scene points into it.
struct Document {
  std::string path;
  bool is_trace = false;
  bool without_tls = false;           // lessons: run with TLS switched off (sim::without_tls)
  sim::Lesson lesson;                 // for traces: hosts and links recovered from the events
  std::unique_ptr<sim::World> world;  // lessons: the world that made the trace
  sim::Trace loaded;                  // traces: the events read from the file
  Scene scene;
  const sim::Trace& trace() const { return world ? world->trace() : loaded; }
};

// Runs a lesson (with TLS switched off everywhere when `without_tls`); nullptr and a message
// ("file:line:col: ...") when it cannot be loaded.
std::unique_ptr<Document> open_lesson_document(const std::string& path, std::string& error,
                                               bool without_tls = false);
// Reads a JSON-lines trace (sim/trace_json.hpp); the hosts and links are recovered from it.
// A trace still being written (`serve --trace`, `live --trace`) may end in half a line: it
// is left for the next read.
std::unique_ptr<Document> open_trace_document(const std::string& path, std::string& error);
bool export_trace(const Document& doc, const std::string& path, std::string& error);

struct LessonEntry {
  std::string path;
  sim::Text title;
};
// The lessons in a directory, sorted by file name (unreadable files are left out).
std::vector<LessonEntry> list_lessons(const std::string& dir);

// What File > Export writes (export_dialog.cpp): the trace as JSON lines, the sequence
// diagram as SVG or PNG, or the packets as a pcap capture.
enum class ExportKind { None, Trace, SequenceSvg, Capture, SequencePng };
// The file name ending offered for each kind (".jsonl", "-sequence.svg", ".pcap",
// "-sequence.png").
const char* export_suffix(ExportKind kind);

// Where a top-level menu's header is on screen (for --print-state and scripted tests).
struct MenuHeader {
  std::string id;
  float x0 = 0, x1 = 0;
};

// What the Live window's form holds between frames.
struct LiveForm {
  char url[512] = "", user[256] = "", password[256] = "", ca_file[1024] = "";
  bool starttls = false, insecure = false;
  int idle_seconds = 0;
};

struct Ui {
  UiSettings settings;
  std::string settings_path;  // "" when there is no config directory: nothing is saved
  bool quit = false;
  bool restyle = false;  // theme, zoom or scale changed: restyle and rebuild the fonts
  // Windows shown over the panels.
  bool about = false, shortcuts = false, ports = false;
  bool open_lesson = false, open_trace = false;
  ExportKind exporting = ExportKind::None;  // File > Export ...: the dialog is open
  char path[1024] = "";
  std::string last_export;  // offered by Open trace
  std::string message;      // result of the last dialog action
  bool message_is_error = false;
  // A note over the panels (a reloaded lesson, or why a changed file could not be read).
  std::string banner;
  bool banner_is_error = false;
  double banner_until = 0;  // glfwGetTime() when it goes away
  std::vector<LessonEntry> lessons;
  // Requests the main loop carries out between frames.
  std::string load_lesson, load_trace;
  bool reload = false;       // the same document again (e.g. after without_tls changed)
  bool without_tls = false;  // Lesson > Without TLS: lessons run with TLS switched off
  // File > Live: the form, the running `mailsim live` child and what it printed last.
  bool live_dialog = false;
  LiveForm live_form;
  std::unique_ptr<LiveProcess> live;
  std::string live_output;
  bool live_ok = true;
  // The student's answers to every lesson's questions, saved in progress.ini.
  std::string progress_path;  // "" when there is no config directory
  Progress progress;
  // Layout of the menu bar in the last frame.
  float menu_h = 0;
  std::vector<MenuHeader> menus;

  void save();  // writes settings to settings_path
  void set_theme(const std::string& theme);
  void set_zoom(float zoom);
  void set_language(const std::string& lang, ViewState& v);
};

// The main menu bar (File, View, Lesson, Language, Help) and the keyboard shortcuts that
// go with its items (Ctrl+O, Ctrl+= / Ctrl+- / Ctrl+0).
void draw_menu_bar(Ui& ui, ViewState& v, const Document& doc);
void handle_shortcuts(Ui& ui);
// Dialogs and help windows, drawn over the panels.
void draw_windows(Ui& ui, ViewState& v, const Document& doc);
// The File > Export dialog (export_dialog.cpp), and the result line dialogs show (menus.cpp).
void export_window(Ui& ui, const Document& doc);
void message_line(const Ui& ui);
// The Live window (live_dialog.cpp), and its child process checked once a frame: when it has
// ended, its trace is opened (ui.load_trace) and the result shown.
void live_window(Ui& ui, ViewState& v);
void poll_live(Ui& ui);

}  // namespace mailsim

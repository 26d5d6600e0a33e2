// Sub-commands of the mailsim executable. Each file registers one sub-command on the
// CLI11 app; its callback stores the process exit code in `rc`.
#pragma once

#include <string>

namespace CLI {
class App;
}

namespace mailsim {

void register_run(CLI::App& app, int& rc);      // cmd_run.cpp: headless lesson run
void register_serve(CLI::App& app, int& rc);    // cmd_serve.cpp: SMTP server on real sockets
void register_gui(CLI::App& app, int& rc);      // cmd_gui.cpp: the window
void register_compare(CLI::App& app, int& rc);  // cmd_compare.cpp: POP3 vs IMAP table
void register_bench(CLI::App& app, int& rc);    // cmd_bench.cpp: benchmarks (bench gui)
void register_live(CLI::App& app, int& rc);     // cmd_live.cpp: our clients vs a real server
void register_check(CLI::App& app, int& rc);    // cmd_check.cpp: validate and run lessons
void register_lessons(CLI::App& app, int& rc);  // cmd_lessons.cpp: list the lessons

void register_open(CLI::App& app, int& rc);     // cmd_open.cpp: a saved trace
void register_handout(CLI::App& app, int& rc);  // cmd_handout.cpp: HTML/Markdown handout

// cmd_gui.cpp: the window on a lesson or a saved trace (.jsonl); whether there is a display.
int open_window_on(const std::string& path);
bool display_available();
// cmd_open.cpp: a saved trace's transcript on stdout (exit code: 0, or 2 for a bad file).
int print_trace_transcript(const std::string& path, bool explain);

// Where the built-in lessons live (source tree, install tree or $MAILSIM_LESSONS).
const char* lessons_dir();
// The user's own lessons: $XDG_CONFIG_HOME/mailsim/lessons or ~/.config/mailsim/lessons.
std::string user_lessons_dir();

}  // namespace mailsim

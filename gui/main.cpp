// mailsim: with a sub-command it works headless and never opens a window; without one it
// opens the window on the default lesson, or prints that lesson's transcript when there is
// no display.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <iostream>

#include "gui/commands.hpp"

namespace {

int run(int argc, char** argv) {
  CLI::App app{
      "mailsim - watch e-mail move: real SMTP between simulated hosts, step by step.\n"
      "Without a command it opens the window on the default lesson (or prints its\n"
      "transcript when there is no display)."};
  app.set_version_flag("--version", "mailsim 0.1.0");
  app.require_subcommand(0, 1);
  app.fallthrough(false);
  int rc = 0;
  mailsim::register_run(app, rc);
  mailsim::register_serve(app, rc);
  mailsim::register_gui(app, rc);
  mailsim::register_compare(app, rc);
  mailsim::register_bench(app, rc);
  mailsim::register_live(app, rc);
  mailsim::register_check(app, rc);
  mailsim::register_lessons(app, rc);
  mailsim::register_open(app, rc);
  mailsim::register_handout(app, rc);
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    std::cerr << "Run 'mailsim --help' (or 'mailsim COMMAND --help') for usage.\n";
    return 2;  // usage errors, like bad lesson files, exit with 2
  }
  if (app.get_subcommands().empty()) {
    // No command: the same as `mailsim gui`, which falls back to the transcript headless.
    const char* args[] = {argv[0], "gui"};
    try {
      app.parse(2, const_cast<char**>(args));
    } catch (const CLI::ParseError& e) {
      return app.exit(e);
    }
  }
  return rc;
}

}  // namespace

// An exception no command handled ends the program with its message and status 1, not
// with std::terminate's abort. fputs: the handler itself must not throw.
int main(int argc, char** argv) {
  try {
    return run(argc, argv);
  } catch (const std::exception& e) {
    std::fputs("mailsim: ", stderr);
    std::fputs(e.what(), stderr);
    std::fputs("\n", stderr);
  } catch (...) {
    std::fputs("mailsim: unexpected error\n", stderr);
  }
  return 1;
}

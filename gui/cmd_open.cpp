// `mailsim open FILE.jsonl`: a trace saved by `run --trace` (or serve/live --trace) shown
// again: in the window when there is a display, else as the transcript `mailsim run` prints.
#include <CLI/CLI.hpp>
#include <fstream>
#include <iostream>

#include "gui/commands.hpp"
#include "sim/trace_json.hpp"
#include "sim/transcript.hpp"

namespace mailsim {

int print_trace_transcript(const std::string& path, bool explain) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::cerr << "mailsim: error: " << path << ": cannot open the trace file\n";
    return 2;
  }
  sim::Trace trace;
  try {
    for (auto& e : sim::read_jsonl(in)) trace.append(e.t, std::move(e.p));
  } catch (const std::exception& e) {
    // read_jsonl names the line; the file name completes "file:line: message".
    std::cerr << "mailsim: error: " << path << ": " << e.what() << "\n";
    return 2;
  }
  sim::TranscriptOptions opt;
  opt.explain = explain;
  sim::write_transcript(trace, std::cout, opt);
  std::cout << "== " << trace.size() << " events from " << path << "\n";
  return 0;
}

void register_open(CLI::App& app, int& rc) {
  struct Options {
    std::string file;
    bool transcript = false, explain = false;
  };
  auto o = std::make_shared<Options>();
  auto* cmd = app.add_subcommand(
      "open", "Show a saved trace (.jsonl from --trace) in the window, or as a transcript");
  cmd->add_option("file", o->file, "Trace file (.jsonl)")->required()->check(CLI::ExistingFile);
  cmd->add_flag("--transcript", o->transcript,
                "Print the transcript instead of opening the window (always without a display)");
  cmd->add_flag("--explain", o->explain, "With --transcript: each line's meaning and RFC section");
  cmd->callback([o, &rc] {
    if (!o->file.ends_with(".jsonl")) {
      std::cerr << "mailsim: error: " << o->file
                << ": only traces (.jsonl) can be opened so far; lessons open with "
                   "`mailsim gui`\n";
      rc = 2;
      return;
    }
    rc = (o->transcript || !display_available()) ? print_trace_transcript(o->file, o->explain)
                                                 : open_window_on(o->file);
  });
}

}  // namespace mailsim

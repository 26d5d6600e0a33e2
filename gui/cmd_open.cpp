// `mailsim open FILE`: a trace saved by `run --trace` (or serve/live --trace), or a packet
// capture (.pcap, .pcapng) of real SMTP/POP3/IMAP traffic, shown again: in the window when
// there is a display, else as the transcript `mailsim run` prints.
#include <CLI/CLI.hpp>
#include <fstream>
#include <iostream>

#include "gui/capture_open.hpp"
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
    if (sim::is_capture_path(path)) {
      load_capture(path, trace);
    } else {
      for (auto& e : sim::read_jsonl(in)) trace.append(e.t, std::move(e.p));
    }
  } catch (const std::exception& e) {
    // read_jsonl names the line, a capture the byte offset; the file name completes it.
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
    std::vector<std::string> ports;
  };
  auto o = std::make_shared<Options>();
  auto* cmd = app.add_subcommand(
      "open",
      "Show a saved trace (.jsonl from --trace) or a packet capture (.pcap, .pcapng) in the "
      "window, or as a transcript");
  cmd->add_option("file", o->file,
                  "Trace file (.jsonl) or capture (.pcap, .pcapng: SMTP, POP3 and IMAP "
                  "connections are rebuilt from the TCP segments)")
      ->required()
      ->check(CLI::ExistingFile);
  cmd->add_flag("--transcript", o->transcript,
                "Print the transcript instead of opening the window (always without a display)");
  cmd->add_flag("--explain", o->explain, "With --transcript: each line's meaning and RFC section");
  cmd->add_option("--port", o->ports,
                  "Captures: one more server port and its protocol, PORT=PROTOCOL with smtp, "
                  "pop3, imap (or smtps, pop3s, imaps for implicit TLS); repeatable. Known "
                  "without it: 25 465 587 2525 110 995 143 993")
      ->type_name("PORT=PROTO");
  cmd->callback([o, &rc] {
    if (!is_trace_file(o->file)) {
      std::cerr << "mailsim: error: " << o->file
                << ": only traces (.jsonl) and captures (.pcap, .pcapng) can be opened; lessons "
                   "open with `mailsim gui`\n";
      rc = 2;
      return;
    }
    std::map<std::uint16_t, sim::MailPort> extra;
    for (const auto& p : o->ports) {
      std::string why;
      auto m = sim::parse_port_mapping(p, why);
      if (!m) {
        std::cerr << "mailsim: error: --port " << p << ": " << why << "\n";
        rc = 2;
        return;
      }
      extra[m->first] = m->second;
    }
    set_capture_ports(extra);
    rc = (o->transcript || !display_available()) ? print_trace_transcript(o->file, o->explain)
                                                 : open_window_on(o->file);
  });
}

}  // namespace mailsim

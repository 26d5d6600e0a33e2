// `mailsim run LESSON`: runs a lesson headless and prints its transcript.
#include <CLI/CLI.hpp>
#include <fstream>
#include <iostream>
#include <map>

#include "gui/commands.hpp"
#include "gui/headless.hpp"
#include "sim/eavesdropper.hpp"
#include "sim/lesson.hpp"
#include "sim/pcap.hpp"
#include "sim/sim_tls.hpp"
#include "sim/trace_json.hpp"
#include "sim/transcript.hpp"
#include "sim/world.hpp"

namespace mailsim {

namespace {

void print_eavesdropper(const std::vector<sim::Overheard>& seen, const std::string& link,
                        std::ostream& out) {
  out << "== what an eavesdropper on " << link << " sees (" << seen.size()
      << " TCP connection(s))\n";
  for (const auto& o : seen) {
    out << "   #" << o.conn << " " << o.client_ip << " > " << o.server_ip << ":" << o.server_port
        << ": " << o.plain_bytes << " bytes readable";
    if (o.tls)
      out << ", then " << o.tls_bytes << " bytes of TLS" << (o.sni.empty() ? "" : " to ") << o.sni
          << (o.starttls ? " (after STARTTLS)" : "");
    out << "\n";
    for (const auto& c : o.credentials) out << "      credentials: " << c << "\n";
    for (const auto& s : o.subjects) out << "      message subject: " << s << "\n";
    if (o.tls && o.credentials.empty() && o.subjects.empty())
      out << "      no password and no message text: only sizes and timing\n";
  }
}

}  // namespace

int run_lesson_headless(const HeadlessOptions& o) {
  sim::Lesson lesson;
  try {
    lesson = sim::load_lesson(o.lesson);
  } catch (const sim::LessonError& e) {
    std::cerr << "mailsim: error: " << e.what() << "\n";
    return 2;
  }
  if (o.seed) lesson.seed = *o.seed;
  if (o.plaintext) lesson = sim::without_tls(std::move(lesson));
  std::cout << "mailsim: lesson " << lesson.id << " - " << lesson.title.get(o.lang) << " (seed "
            << lesson.seed << ")\n";
  sim::World world(std::move(lesson));
  std::string tap;
  // The lesson's own tap ([lesson] eavesdrop) unless --eavesdrop names another link.
  const std::string& want = o.eavesdrop.empty() ? world.lesson().eavesdrop : o.eavesdrop;
  if (!want.empty()) {
    tap = world.lesson().link_id(want);
    if (tap.empty()) {
      std::cerr << "mailsim: error: --eavesdrop: no link '" << want
                << "' in the lesson (write it as host<->host)\n";
      return 2;
    }
  }
  if (o.show_secrets) world.trace().set_reveal_secrets(true);
  if (!o.keylog_file.empty()) {
    // Decrypting the capture shows whatever crossed inside TLS, passwords included.
    if (!o.show_secrets) {
      std::cerr << "mailsim: error: --keylog lets Wireshark decrypt the lesson's passwords; "
                   "add --show-secrets to confirm\n";
      return 2;
    }
    if (o.pcap_file.empty()) {
      std::cerr << "mailsim: error: --keylog goes with --pcap (it decrypts that capture)\n";
      return 2;
    }
    world.pki().keep_key_log(true);
  }
  bool finished = world.run();
  sim::write_transcript(world.trace(), std::cout, {o.explain, o.segments, &world.lesson(), o.lang});

  // The end state, folded from the trace like every other view.
  std::map<std::string, int> boxes;
  for (const auto& ev : world.trace().events())
    if (const auto* m = std::get_if<sim::MailboxEv>(&ev.p))
      boxes[m->mailbox + (m->folder == "INBOX" ? "" : " folder " + m->folder) + " on " + m->host] +=
          sim::mailbox_delta(m->op);
  std::cout << "== end of lesson at " << world.queue().now() / sim::kMillisecond << " ms\n";
  for (const auto& [box, n] : boxes) std::cout << "   " << box << ": " << n << " message(s)\n";

  if (!tap.empty()) print_eavesdropper(sim::eavesdrop(world.trace(), tap), tap, std::cout);
  if (!o.trace_file.empty()) {
    std::ofstream f(o.trace_file, std::ios::binary);
    if (!f) {
      std::cerr << "mailsim: error: cannot write " << o.trace_file << "\n";
      return 1;
    }
    sim::write_jsonl(world.trace(), f);
    std::cerr << "mailsim: wrote " << world.trace().size() << " trace events to " << o.trace_file
              << "\n";
  }
  if (!o.pcap_file.empty()) {
    std::string link;
    if (!o.pcap_link.empty()) {
      link = world.lesson().link_id(o.pcap_link);
      if (link.empty()) {
        std::cerr << "mailsim: error: --pcap-link: no link '" << o.pcap_link
                  << "' in the lesson (write it as host<->host)\n";
        return 2;
      }
    }
    std::ofstream f(o.pcap_file, std::ios::binary);
    if (!f) {
      std::cerr << "mailsim: error: cannot write " << o.pcap_file << "\n";
      return 1;
    }
    std::size_t n = sim::write_pcap(world.trace(), world.lesson(), f, {link});
    std::cerr << "mailsim: wrote " << n << " packets to " << o.pcap_file << "\n";
  }
  if (!o.keylog_file.empty()) {
    std::ofstream k(o.keylog_file, std::ios::binary);
    if (!k) {
      std::cerr << "mailsim: error: cannot write " << o.keylog_file << "\n";
      return 1;
    }
    for (const auto& line : world.pki().key_log()) k << line << "\n";
    std::cerr << "mailsim: wrote " << world.pki().key_log().size() << " TLS secrets to "
              << o.keylog_file << " (Wireshark: TLS preference \"(Pre)-Master-Secret log\")\n";
  }
  if (!finished) {
    std::cerr << "mailsim: error: the lesson did not finish (a limit stopped it)\n";
    return 1;
  }
  return 0;
}

void register_run(CLI::App& app, int& rc) {
  auto opts = std::make_shared<HeadlessOptions>();
  auto* cmd = app.add_subcommand("run", "Run a lesson headless and print its transcript");
  cmd->add_option("lesson", opts->lesson, "Lesson file (.toml)")->required();
  cmd->add_option("--trace", opts->trace_file, "Also write the full trace as JSON lines to FILE");
  cmd->add_option("--pcap", opts->pcap_file,
                  "Also write the packets as a pcap capture (Wireshark, tshark) to FILE");
  cmd->add_option("--keylog", opts->keylog_file,
                  "Also write the simulated TLS secrets to FILE (SSLKEYLOGFILE format), so "
                  "Wireshark can decrypt the --pcap capture (needs --show-secrets: the "
                  "decrypted traffic holds the lesson's passwords)");
  cmd->add_option("--pcap-link", opts->pcap_link,
                  "Capture only the link A<->B (default: each packet once, at its sender)");
  cmd->add_option("--eavesdrop", opts->eavesdrop,
                  "Also show what someone tapping the link A<->B reads (passwords, messages, "
                  "or only TLS sizes)");
  cmd->add_flag("--plaintext", opts->plaintext,
                "Run the lesson with TLS switched off everywhere (to compare with TLS)");
  cmd->add_flag("--show-secrets", opts->show_secrets,
                "Do not mask the lesson's passwords in the transcript, trace and reports");
  cmd->add_flag("--explain", opts->explain,
                "Add each line's meaning and RFC section, and state changes");
  cmd->add_flag("--segments", opts->segments, "Also list every TCP segment on every link");
  cmd->add_option("--seed", opts->seed, "Override the lesson's random seed");
  cmd->add_option("--lang", opts->lang, "Language of titles and narration (en or pt)")
      ->check(CLI::IsMember({"en", "pt"}));
  cmd->callback([opts, &rc] { rc = run_lesson_headless(*opts); });
}

}  // namespace mailsim

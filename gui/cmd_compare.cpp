// `mailsim compare [LESSON]`: the same multi-device scenario under POP3 (delete), POP3
// (leave a copy) and IMAP, as a table per step of what the server and each device hold.
#include <CLI/CLI.hpp>
#include <fstream>
#include <iostream>

#include "gui/commands.hpp"
#include "sim/compare.hpp"
#include "sim/lesson.hpp"
#include "sim/pcap.hpp"
#include "sim/world.hpp"

namespace mailsim {

namespace {

struct CompareOptions {
  std::string lesson;
  std::string lang = "en";
  std::string format = "text";
  std::string pcap;  // prefix: PREFIX-pop3-delete.pcap, PREFIX-pop3-keep.pcap, PREFIX-imap.pcap
};

int run_compare_cmd(const CompareOptions& o) {
  std::string path =
      o.lesson.empty() ? std::string(lessons_dir()) + "/pop3-vs-imap.toml" : o.lesson;
  sim::Lesson lesson;
  try {
    lesson = sim::load_lesson(path);
  } catch (const sim::LessonError& e) {
    std::cerr << "mailsim: error: " << e.what() << "\n";
    return 2;
  }
  bool has_device = false;
  for (const auto& h : lesson.hosts) has_device |= h.role == "device";
  if (!has_device) {
    std::cerr << "mailsim: error: " << path << ": the lesson has no device to compare\n";
    return 2;
  }
  std::cerr << "mailsim: running " << lesson.id << " three times (POP3 delete, POP3 keep, IMAP)\n";
  bool write_failed = false;
  auto export_pcap = [&](const sim::Variant& v, sim::World& w) {
    if (o.pcap.empty()) return;
    const std::string file = o.pcap + "-" + v.id + ".pcap";
    std::ofstream f(file, std::ios::binary);
    if (!f) {
      std::cerr << "mailsim: error: cannot write " << file << "\n";
      write_failed = true;
      return;
    }
    std::size_t n = sim::write_pcap(w.trace(), w.lesson(), f);
    std::cerr << "mailsim: wrote " << n << " packets to " << file << "\n";
  };
  auto result = sim::run_compare(lesson, o.lang, export_pcap);
  std::cout << (o.format == "markdown" ? "## " : "") << lesson.title.get(o.lang) << "\n\n";
  sim::write_compare(result, std::cout,
                     o.format == "markdown" ? sim::TableFormat::Markdown : sim::TableFormat::Text,
                     o.lang);
  return write_failed ? 1 : 0;
}

}  // namespace

void register_compare(CLI::App& app, int& rc) {
  auto opts = std::make_shared<CompareOptions>();
  auto* cmd = app.add_subcommand(
      "compare",
      "Run a multi-device lesson under POP3 (delete), POP3 (leave a copy) and IMAP and print, "
      "after each step, what the server and every device hold");
  cmd->add_option("lesson", opts->lesson,
                  "Lesson file (.toml); default: the built-in pop3-vs-imap lesson");
  cmd->add_option("--lang", opts->lang, "Language of the table (en or pt)")
      ->check(CLI::IsMember({"en", "pt"}));
  cmd->add_option("--format", opts->format, "text (default) or markdown (for handouts)")
      ->check(CLI::IsMember({"text", "markdown"}));
  cmd->add_option("--pcap", opts->pcap,
                  "Also write each variant's packets to PREFIX-<variant>.pcap (Wireshark)");
  cmd->callback([opts, &rc] { rc = run_compare_cmd(*opts); });
}

}  // namespace mailsim

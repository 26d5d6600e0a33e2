// `mailsim check LESSON...`: validates lesson files, runs each one, and checks that every
// predict question is about a command the run really sends and every [[expect]] holds.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <filesystem>
#include <iostream>

#include "gui/commands.hpp"
#include "sim/lesson.hpp"
#include "sim/lesson_check.hpp"

namespace mailsim {

namespace {

struct CheckCmdOptions {
  std::vector<std::string> lessons;
  bool strict = false;
  bool verbose = false;
};

// Files named on the command line; a directory stands for its *.toml files (sorted).
std::vector<std::string> expand(const std::vector<std::string>& args) {
  std::vector<std::string> out;
  for (const auto& a : args) {
    std::error_code ec;
    if (!std::filesystem::is_directory(a, ec)) {
      out.push_back(a);
      continue;
    }
    std::vector<std::string> files;
    for (const auto& e : std::filesystem::directory_iterator(a, ec))
      if (e.path().extension() == ".toml") files.push_back(e.path().string());
    std::sort(files.begin(), files.end());
    out.insert(out.end(), files.begin(), files.end());
  }
  return out;
}

int run_check(const CheckCmdOptions& o) {
  auto files = expand(o.lessons.empty() ? std::vector<std::string>{lessons_dir()} : o.lessons);
  if (files.empty()) {
    std::cerr << "mailsim: error: no lesson files to check\n";
    return 2;
  }
  bool malformed = false, failed = false;
  for (const auto& file : files) {
    sim::Lesson lesson;
    try {
      lesson = sim::load_lesson(file);
    } catch (const sim::LessonError& e) {
      std::cout << "error " << std::filesystem::path(file).stem().string() << ": " << e.what()
                << "\n";
      malformed = true;
      continue;
    }
    auto report = sim::check_lesson(lesson, {o.strict});
    std::size_t predicts = 0;
    for (const auto& q : lesson.questions) predicts += q.kind == "predict";
    if (report.ok()) {
      std::cout << "ok " << lesson.id << ": " << lesson.questions.size() << " question"
                << (lesson.questions.size() == 1 ? "" : "s") << " (" << predicts << " predict), "
                << lesson.expects.size() << " expectation"
                << (lesson.expects.size() == 1 ? "" : "s") << "\n";
    } else {
      failed = true;
      std::cout << "FAIL " << lesson.id << ": " << report.failures.size() << " problem"
                << (report.failures.size() == 1 ? "" : "s") << "\n";
      for (const auto& f : report.failures) std::cout << "  " << f << "\n";
    }
    for (const auto& w : report.warnings) std::cerr << "mailsim: warning: " << w << "\n";
    if (o.verbose) {
      for (std::size_t i = 0; i < lesson.questions.size(); ++i) {
        const auto& q = lesson.questions[i];
        const auto& a = report.predicts[i];
        std::cout << "  question " << i + 1 << " after step " << q.after_step << " (" << q.kind
                  << "): " << q.text.get("en") << "\n";
        if (q.kind == "choice") {
          std::cout << "    answer: " << q.choices.get("en")[static_cast<std::size_t>(q.answer)]
                    << "\n";
        } else if (a.found) {
          std::cout << "    C: " << q.command << "  (connection #" << a.conn << ")\n";
          for (const auto& l : a.reply_lines) std::cout << "    S: " << l << "\n";
          std::cout << "    answer: " << a.code << "\n";
        }
      }
    }
  }
  return malformed ? 2 : failed ? 1 : 0;
}

}  // namespace

void register_check(CLI::App& app, int& rc) {
  auto opts = std::make_shared<CheckCmdOptions>();
  auto* cmd = app.add_subcommand(
      "check",
      "Validate lesson files, run them, and check their questions and expectations "
      "(exit 1: a check failed, 2: a file is malformed)");
  cmd->add_option("lessons", opts->lessons,
                  "Lesson files or folders of them (default: the built-in lessons)");
  cmd->add_flag("--strict", opts->strict,
                "Also fail when a text has no Portuguese translation (text.pt)");
  cmd->add_flag("-v,--verbose", opts->verbose,
                "Also print every question with its answer (for predict questions, the real "
                "reply from the run)");
  cmd->callback([opts, &rc] { rc = run_check(*opts); });
}

}  // namespace mailsim

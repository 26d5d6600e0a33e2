// `mailsim handout LESSON -o DIR`: runs a lesson and writes a handout for a class:
// DIR/index.html (self-contained), DIR/handout.md, DIR/sequence.svg and DIR/sequence.png.
#include <CLI/CLI.hpp>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>

#include "gui/commands.hpp"
#include "gui/handout.hpp"
#include "gui/i18n.hpp"
#include "gui/scene.hpp"
#include "gui/sequence_png.hpp"
#include "sim/lesson.hpp"
#include "sim/world.hpp"

namespace mailsim {

namespace {

struct HandoutArgs {
  std::string lesson, dir, lang = "en";
  bool show_secrets = false, quiet = false;
};

bool write_file(const std::filesystem::path& path, const std::string& text) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f << text;
  f.close();
  return static_cast<bool>(f);
}

int make_handout_files(const HandoutArgs& a) {
  namespace fs = std::filesystem;
  sim::Lesson lesson;
  try {
    lesson = sim::load_lesson(a.lesson);
  } catch (const sim::LessonError& e) {
    std::cerr << "mailsim: error: " << e.what() << "\n";
    return 2;
  }
  const fs::path dir(a.dir);
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec || !fs::is_directory(dir)) {
    std::cerr << "mailsim: error: cannot create the directory " << a.dir << ": "
              << (ec ? ec.message() : "a file is in the way") << "\n";
    return 1;
  }
  set_language(a.lang);
  const std::size_t steps = lesson.steps.size();
  if (!a.quiet)
    std::cerr << "mailsim: running " << lesson.id << " (" << steps << " step"
              << (steps == 1 ? "" : "s") << ")\n";
  sim::World world(std::move(lesson));
  if (a.show_secrets) world.trace().set_reveal_secrets(true);
  if (!a.quiet)
    world.on_step_done = [steps](std::size_t i) {
      std::cerr << "mailsim: step " << i + 1 << "/" << steps << " done\n";
    };
  const bool finished = world.run();
  const Scene scene = build_scene(world.lesson(), world.trace());
  HandoutOptions opt;
  opt.lang = a.lang;
  opt.secrets_shown = a.show_secrets;
  const Handout h = make_handout(world.lesson(), scene, opt);
  std::string error;
  const std::string png = svg_to_png(h.svg, kSequencePngScale, error);  // the same drawing
  if (png.empty()) {
    std::cerr << "mailsim: error: cannot draw sequence.png: " << error << "\n";
    return 1;
  }
  for (const auto& [name, text] : {std::pair<const char*, const std::string&>{"index.html", h.html},
                                   {"handout.md", h.markdown},
                                   {opt.svg_name.c_str(), h.svg},
                                   {"sequence.png", png}}) {
    if (!write_file(dir / name, text)) {
      std::cerr << "mailsim: error: cannot write " << (dir / name).string() << "\n";
      return 1;
    }
  }
  if (!a.quiet)
    std::cerr << "mailsim: wrote " << (dir / "index.html").string() << ", handout.md, "
              << opt.svg_name << " and sequence.png (" << world.trace().size()
              << " trace events)\n";
  if (!finished) {
    std::cerr << "mailsim: error: the lesson did not finish (a limit stopped it)\n";
    return 1;
  }
  return 0;
}

}  // namespace

void register_handout(CLI::App& app, int& rc) {
  auto a = std::make_shared<HandoutArgs>();
  auto* cmd = app.add_subcommand(
      "handout",
      "Run a lesson and write a handout for a class: DIR/index.html (one self-contained page: "
      "narration, questions with an answer key, each step's transcript with meanings, the "
      "sequence diagram), DIR/handout.md, DIR/sequence.svg and DIR/sequence.png (the same diagram "
      "at twice the size, less for a very long one, for slides)");
  cmd->add_option("lesson", a->lesson, "Lesson file (.toml)")->required();
  cmd->add_option(
         "-o,--output", a->dir,
         "Directory to write index.html, handout.md, sequence.svg and sequence.png to (created if "
         "missing; files there with those names are replaced)")
      ->required();
  cmd->add_option("--lang", a->lang, "Language of the narration, questions and headings (en or pt)")
      ->check(CLI::IsMember({"en", "pt"}));
  cmd->add_flag("--show-secrets", a->show_secrets,
                "Do not mask the lesson's passwords (AUTH, LOGIN, PASS) in the handout");
  cmd->add_flag("-q,--quiet", a->quiet, "No progress messages on stderr");
  cmd->callback([a, &rc] { rc = make_handout_files(*a); });
}

}  // namespace mailsim

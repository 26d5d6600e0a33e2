// `mailsim lessons`: the built-in lessons and the user's own ($XDG_CONFIG_HOME/mailsim/lessons
// or ~/.config/mailsim/lessons), with id, level, length and title.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <iomanip>
#include <iostream>
#include <map>
#include <tuple>

#include "gui/commands.hpp"
#include "sim/lesson.hpp"

namespace mailsim {

std::string user_lessons_dir() {
  if (const char* x = std::getenv("XDG_CONFIG_HOME"); x && *x)
    return std::string(x) + "/mailsim/lessons";
  if (const char* h = std::getenv("HOME"); h && *h)
    return std::string(h) + "/.config/mailsim/lessons";
  return {};
}

namespace {

struct LessonsOptions {
  std::string lang = "en";
};

// Columns count characters, not UTF-8 bytes ("iniciação").
std::size_t display_width(const std::string& s) {
  std::size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

int level_rank(const std::string& level) {
  if (level == "beginner") return 0;
  if (level == "intermediate") return 1;
  if (level == "advanced") return 2;
  return 3;
}

// Lists one folder; returns false when a file there cannot be loaded.
bool list_dir(const std::string& heading, const std::string& dir, const std::string& lang) {
  std::cout << heading << " (" << dir << "):\n";
  std::error_code ec;
  std::vector<std::string> files;
  if (!dir.empty() && std::filesystem::is_directory(dir, ec))
    for (const auto& e : std::filesystem::directory_iterator(dir, ec))
      if (e.path().extension() == ".toml") files.push_back(e.path().string());
  std::vector<sim::Lesson> lessons;
  bool ok = true;
  for (const auto& f : files) {
    try {
      lessons.push_back(sim::load_lesson(f));
    } catch (const sim::LessonError& e) {
      std::cerr << "mailsim: error: " << e.what() << "\n";
      ok = false;
    }
  }
  std::sort(lessons.begin(), lessons.end(), [](const sim::Lesson& a, const sim::Lesson& b) {
    auto key = [](const sim::Lesson& l) {
      return std::make_tuple(l.order ? l.order : 1000, level_rank(l.level), l.file);
    };
    return key(a) < key(b);
  });
  if (lessons.empty()) std::cout << (lang == "pt" ? "  (nenhuma)\n" : "  (none)\n");
  std::size_t width = 0;
  for (const auto& l : lessons) width = std::max(width, l.id.size());
  static const std::map<std::string, std::string> pt_levels = {
      {"beginner", "iniciação"}, {"intermediate", "intermédio"}, {"advanced", "avançado"}};
  for (const auto& l : lessons) {
    std::string level = l.level.empty() ? "-" : l.level;
    if (lang == "pt" && pt_levels.count(l.level)) level = pt_levels.at(l.level);
    std::string minutes = l.minutes ? std::to_string(l.minutes) + " min" : "-";
    std::cout << "  " << std::left << std::setw(static_cast<int>(width)) << l.id << "  " << level
              << std::string(13 - std::min<std::size_t>(12, display_width(level)), ' ')
              << std::right << std::setw(6) << minutes << "  " << l.title.get(lang) << "\n";
  }
  return ok;
}

int run_lessons(const LessonsOptions& o) {
  bool pt = o.lang == "pt";
  bool ok = list_dir(pt ? "Lições incluídas" : "Built-in lessons", lessons_dir(), o.lang);
  std::string user = user_lessons_dir();
  ok = list_dir(pt ? "As suas lições" : "Your lessons", user.empty() ? "-" : user, o.lang) && ok;
  return ok ? 0 : 1;
}

}  // namespace

void register_lessons(CLI::App& app, int& rc) {
  auto opts = std::make_shared<LessonsOptions>();
  auto* cmd = app.add_subcommand(
      "lessons",
      "List the built-in lessons and your own ($XDG_CONFIG_HOME/mailsim/lessons or "
      "~/.config/mailsim/lessons) with id, level, minutes and title");
  cmd->add_option("--lang", opts->lang, "Language of the titles (en or pt)")
      ->check(CLI::IsMember({"en", "pt"}));
  cmd->callback([opts, &rc] { rc = run_lessons(*opts); });
}

}  // namespace mailsim

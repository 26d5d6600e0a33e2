#include "gui/progress.hpp"

#include <charconv>

#include "gui/settings.hpp"

namespace mailsim {

namespace {

template <class T>
bool to_number(const std::string& s, T& out) {
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && end == s.data() + s.size();
}

}  // namespace

Progress parse_progress(const std::string& text) {
  Progress p;
  for (const auto& [key, value] : key_value_lines(text)) {
    const auto dot = key.rfind('.');  // lesson ids may hold dots; the question never does
    if (dot == std::string::npos || dot == 0) continue;
    std::size_t question = 0;
    int option = 0;
    if (!to_number(key.substr(dot + 1), question) || !to_number(value, option) || option < 0)
      continue;
    p[key.substr(0, dot)][question] = option;
  }
  return p;
}

std::string format_progress(const Progress& p) {
  std::string out = "# mailsim: your answers to the lessons' questions\n";
  for (const auto& [lesson, answers] : p)
    for (const auto& [q, option] : answers)
      out += lesson + "." + std::to_string(q) + " = " + std::to_string(option) + "\n";
  return out;
}

Progress load_progress(const std::string& path) {
  return parse_progress(read_text_file(path));
}

bool save_progress(const Progress& p, const std::string& path) {
  return write_file_atomically(path, format_progress(p));
}

}  // namespace mailsim

#include "gui/settings.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace mailsim {

namespace {

std::string trim(const std::string& s) {
  auto b = s.find_first_not_of(" \t\r");
  if (b == std::string::npos) return "";
  return s.substr(b, s.find_last_not_of(" \t\r") - b + 1);
}

}  // namespace

float clamp_zoom(float z) {
  if (!std::isfinite(z)) return 1.0f;
  return std::clamp(z, kMinZoom, kMaxZoom);
}

// Steps of 10% that land back on 100%.
float zoom_in(float z) {
  return clamp_zoom(std::round(z * 10.0f + 1.0f) / 10.0f);
}

float zoom_out(float z) {
  return clamp_zoom(std::round(z * 10.0f - 1.0f) / 10.0f);
}

std::string config_dir(bool create) {
  std::filesystem::path dir;
  if (const char* x = std::getenv("XDG_CONFIG_HOME"); x && *x && x[0] == '/')
    dir = std::filesystem::path(x) / "mailsim";
  else if (const char* h = std::getenv("HOME"); h && *h)
    dir = std::filesystem::path(h) / ".config" / "mailsim";
  else
    return "";
  if (create) {
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec || !std::filesystem::is_directory(dir, ec)) return "";
  }
  return dir.string();
}

std::vector<std::pair<std::string, std::string>> key_value_lines(const std::string& text) {
  std::vector<std::pair<std::string, std::string>> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    line = trim(line);
    const auto eq = line.find('=');
    if (line.empty() || line[0] == '#' || eq == std::string::npos) continue;
    out.emplace_back(trim(line.substr(0, eq)), trim(line.substr(eq + 1)));
  }
  return out;
}

UiSettings parse_settings(const std::string& text) {
  UiSettings s;
  for (const auto& kv : key_value_lines(text)) {
    // Plain references, not a structured binding: clang before 16 (clang-tidy) cannot
    // capture a binding in the lambda below.
    const std::string& k = kv.first;
    const std::string& v = kv.second;
    auto flag = [&](bool& b) {
      if (v == "1" || v == "true") b = true;
      if (v == "0" || v == "false") b = false;
    };
    if (k == "theme" && (v == "light" || v == "dark")) s.theme = v;
    if (k == "lang" && (v == "en" || v == "pt")) s.lang = v;
    if (k == "zoom") {
      char* end = nullptr;
      float z = std::strtof(v.c_str(), &end);
      if (end != v.c_str() && *end == 0) s.zoom = clamp_zoom(z);
    }
    if (k == "show_timeline") flag(s.show_timeline);
    if (k == "show_network") flag(s.show_network);
    if (k == "show_lesson") flag(s.show_lesson);
    if (k == "show_protocol") flag(s.show_protocol);
    if (k == "show_state") flag(s.show_state);
  }
  return s;
}

std::string format_settings(const UiSettings& s) {
  std::ostringstream out;
  char zoom[16];
  std::snprintf(zoom, sizeof zoom, "%.2f", static_cast<double>(s.zoom));
  out << "# mailsim window settings (written by mailsim)\n"
      << "theme = " << s.theme << "\nzoom = " << zoom << "\nlang = " << s.lang
      << "\nshow_timeline = " << s.show_timeline << "\nshow_network = " << s.show_network
      << "\nshow_lesson = " << s.show_lesson << "\nshow_protocol = " << s.show_protocol
      << "\nshow_state = " << s.show_state << "\n";
  return out.str();
}

std::string read_text_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream buf;
  if (in) buf << in.rdbuf();
  return buf.str();
}

UiSettings load_settings(const std::string& path) {
  return parse_settings(read_text_file(path));
}

bool write_file_atomically(const std::string& path, const std::string& text) {
  if (path.empty()) return false;
  // Write a temporary file, then rename: a crash never leaves half a file behind.
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    if (!out) return false;
    out << text;
    if (!out.flush()) return false;
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  return !ec;
}

bool save_settings(const UiSettings& s, const std::string& path) {
  return write_file_atomically(path, format_settings(s));
}

}  // namespace mailsim

// The user's window settings (theme, zoom, language, shown panels) and where they live: the
// config directory ($XDG_CONFIG_HOME/mailsim, else ~/.config/mailsim), next to imgui.ini.
// Never the working directory. Plain data and files; no ImGui here.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace mailsim {

struct UiSettings {
  std::string theme = "dark";  // "light" or "dark"
  float zoom = 1.0f;           // on top of the monitor's content scale
  std::string lang = "en";     // "en" or "pt"
  bool show_timeline = true, show_network = true, show_lesson = true, show_protocol = true,
       show_state = true;
};

constexpr float kMinZoom = 0.5f, kMaxZoom = 3.0f;
float clamp_zoom(float z);
float zoom_in(float z);   // next step up (10% steps)
float zoom_out(float z);  // next step down

// $XDG_CONFIG_HOME/mailsim or $HOME/.config/mailsim, created when `create`; "" when neither
// variable is set (or the directory cannot be created): then nothing is saved.
std::string config_dir(bool create);

// The "key = value" lines of a text, both sides trimmed; empty lines, lines starting with
// '#' and lines without '=' are left out. settings.ini and progress.ini are read this way.
std::vector<std::pair<std::string, std::string>> key_value_lines(const std::string& text);

// "key = value" lines; unknown keys and bad values are ignored (defaults stay).
UiSettings parse_settings(const std::string& text);
std::string format_settings(const UiSettings& s);
UiSettings load_settings(const std::string& path);  // defaults when missing
bool save_settings(const UiSettings& s, const std::string& path);
// The whole file; "" when it is missing or unreadable.
std::string read_text_file(const std::string& path);
// Writes path.tmp, then renames it over path; false (path untouched) on any failure.
bool write_file_atomically(const std::string& path, const std::string& text);

}  // namespace mailsim

// The interface's strings (every key in every language, the same printf conversions, every
// tr("key") in the window's sources present in the table) and the settings file.
#include <doctest/doctest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <string>

#include "gui/i18n.hpp"
#include "gui/settings.hpp"

using namespace mailsim;

namespace {

// The printf conversions of a format string, in order ("%zu%s").
std::string conversions(const std::string& s) {
  static const std::regex conv("%[-+ #0]*[0-9]*(\\.[0-9]+)?(hh|h|ll|l|z|j|t)?[diouxXfeEgGcsp%]");
  std::string out;
  for (auto it = std::sregex_iterator(s.begin(), s.end(), conv); it != std::sregex_iterator(); ++it)
    out += it->str();
  return out;
}

}  // namespace

TEST_CASE("i18n: every key has English and Portuguese texts with the same conversions") {
  for (auto key : i18n_keys()) {
    const std::string en = tr(key, "en"), pt = tr(key, "pt");
    CAPTURE(key);
    CHECK(!en.empty());
    CHECK(!pt.empty());
    CHECK(conversions(en) == conversions(pt));
  }
  CHECK(std::string(tr("menu.file", "pt")) == "Ficheiro");
  CHECK(std::string(tr("no.such.key")) == "no.such.key");
  set_language("pt");
  CHECK(std::string(tr("menu.view")) == tr("menu.view", "pt"));
  set_language("xx");  // unknown: English
  CHECK(language() == "en");
}

TEST_CASE("i18n: every tr(\"key\") used by the window's sources is in the table") {
  const auto keys = i18n_keys();
  const std::set<std::string> known(keys.begin(), keys.end());
  static const std::regex use("tr\\(\"([a-z0-9_]+\\.[a-z0-9_.]+)\"");
  int uses = 0;
  for (const auto& f :
       std::filesystem::directory_iterator(std::string(MAILSIM_SOURCE_DIR) + "/gui")) {
    if (f.path().extension() != ".cpp") continue;
    std::ifstream in(f.path());
    std::stringstream text;
    text << in.rdbuf();
    const std::string s = text.str();
    for (auto it = std::sregex_iterator(s.begin(), s.end(), use); it != std::sregex_iterator();
         ++it, ++uses) {
      CAPTURE(f.path().filename().string());
      CHECK(known.count((*it)[1].str()) == 1);
    }
  }
  CHECK(uses > 50);
}

TEST_CASE("settings: round trip, bad values ignored, zoom steps") {
  UiSettings s;
  s.theme = "light";
  s.zoom = 1.3f;
  s.lang = "pt";
  s.show_network = false;
  UiSettings back = parse_settings(format_settings(s));
  CHECK(back.theme == "light");
  CHECK(back.zoom == doctest::Approx(1.3));
  CHECK(back.lang == "pt");
  CHECK_FALSE(back.show_network);
  CHECK(back.show_lesson);

  UiSettings bad = parse_settings("theme = purple\nzoom = lots\nlang = fr\nshow_state = maybe\n");
  CHECK(bad.theme == "dark");
  CHECK(bad.zoom == 1.0f);
  CHECK(bad.lang == "en");
  CHECK(bad.show_state);
  CHECK(parse_settings("zoom = 99").zoom == kMaxZoom);

  float z = 1.0f;
  for (int i = 0; i < 3; ++i) z = zoom_in(z);
  CHECK(z == doctest::Approx(1.3));
  for (int i = 0; i < 3; ++i) z = zoom_out(z);
  CHECK(z == doctest::Approx(1.0));
  for (int i = 0; i < 50; ++i) z = zoom_out(z);
  CHECK(z == kMinZoom);
}

TEST_CASE("settings: the config directory follows XDG_CONFIG_HOME, then HOME") {
  const auto tmp = std::filesystem::temp_directory_path() / "mailsim-settings-test";
  std::filesystem::remove_all(tmp);
  const char* old_xdg = std::getenv("XDG_CONFIG_HOME");
  const std::string saved_xdg = old_xdg ? old_xdg : "";
  setenv("XDG_CONFIG_HOME", tmp.c_str(), 1);
  const std::string dir = config_dir(true);
  CHECK(dir == (tmp / "mailsim").string());
  CHECK(std::filesystem::is_directory(dir));
  UiSettings s;
  s.lang = "pt";
  REQUIRE(save_settings(s, dir + "/settings.ini"));
  CHECK(load_settings(dir + "/settings.ini").lang == "pt");
  CHECK(load_settings(dir + "/missing.ini").lang == "en");
  setenv("XDG_CONFIG_HOME", "relative/dir", 1);  // not absolute: ignored, as the spec says
  const char* home = std::getenv("HOME");
  if (home && *home) {
    CHECK(config_dir(false) == (std::filesystem::path(home) / ".config" / "mailsim").string());
  }
  if (old_xdg)
    setenv("XDG_CONFIG_HOME", saved_xdg.c_str(), 1);
  else
    unsetenv("XDG_CONFIG_HOME");
  std::filesystem::remove_all(tmp);
}

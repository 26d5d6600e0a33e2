// Display options and the time cursor shared by every view. Plain data: views read it and
// change it; nothing here knows about ImGui.
#pragma once

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <utility>

#include "sim/time.hpp"

namespace mailsim {

struct ViewState {
  // The cursor: the world is shown as it was at simulated time `cursor`, after the first
  // `upto` trace events. Both are needed because many events share one instant (a
  // multi-line reply), and students step through them one protocol line at a time.
  sim::Time cursor = 0;
  std::size_t upto = 0;
  bool playing = false;
  double speed = 0.05;                  // simulated seconds per real second while playing
  std::optional<std::size_t> selected;  // trace index of the selected event
  bool follow = true;                   // keep the transcript scrolled to the cursor
  std::string lang = "en";
  // The student's answers to the lesson's questions (question index -> chosen option);
  // `answers_changed` asks the window to save them (gui/progress.hpp).
  std::map<std::size_t, int> answers;
  bool answers_changed = false;
  // The lesson runs with TLS switched off (the window sets it); a view asks to switch by
  // setting `want_without_tls`, and the window runs the lesson again.
  bool is_lesson = false, without_tls = false;
  std::optional<bool> want_without_tls;
  std::map<std::string, std::string> tabs;  // panel id -> the title of its open tab
  std::map<std::string, std::string> open;  // tabs to bring to the front (then cleared)
  // Where each tab's header was drawn ("State:Compare" -> centre x, y in pixels), so scripted
  // tests can click it.
  std::map<std::string, std::pair<float, float>> tab_centres;
};

}  // namespace mailsim

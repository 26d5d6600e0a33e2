// The student's answers, kept between runs in progress.ini in the config directory (beside
// settings.ini): one "lesson-id.question = option" line per answer. Plain data and files.
#pragma once

#include <cstddef>
#include <map>
#include <string>

namespace mailsim {

using Answers = std::map<std::size_t, int>;       // question index -> chosen option
using Progress = std::map<std::string, Answers>;  // lesson id -> its answers

// Lines that do not parse are ignored (a hand-edited file never stops the window).
Progress parse_progress(const std::string& text);
std::string format_progress(const Progress& p);
Progress load_progress(const std::string& path);  // empty when missing
bool save_progress(const Progress& p, const std::string& path);

}  // namespace mailsim

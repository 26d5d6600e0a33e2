// The Compare view's model: which lesson step the cursor is in, and what differs between the
// three runs of sim::run_compare (POP3 delete, POP3 leave a copy, IMAP) at that step, in
// plain words in the interface's language. No ImGui here.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "gui/scene.hpp"
#include "sim/compare.hpp"

namespace mailsim {

// True when some device of the lesson checks mail (then comparing the protocols means
// something).
bool lesson_checks_mail(const sim::Lesson& lesson);
// How many lesson steps have started before trace index `upto` (NoteEv kind "step"):
// 0 before the first step, k while the cursor is in step k (1-based).
std::size_t step_at(const Scene& scene, std::size_t upto);

// The variant's name in the interface's language ("POP3 (delete)").
std::string variant_label(std::size_t variant);
// A place of CompareResult::places in the interface's language ("server: bruno@..." ->
// "Server: bruno@...").
std::string place_label(const std::string& place);
bool is_server_place(const std::string& place);
// How many messages a place holds, all folders together.
std::size_t message_count(const sim::PlaceView& v);

// One sentence per difference between the variants after snapshot `step` (0-based): what
// the servers hold, each message whose presence or state on a device differs, and the
// problems each run met during the step. "No differences" when there are none.
std::vector<std::string> compare_differences(const sim::CompareResult& r, std::size_t step);

}  // namespace mailsim

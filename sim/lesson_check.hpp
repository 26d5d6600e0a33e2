// Checking a lesson by running it: every predict question must be about a command the run
// really sends (its expected reply is looked up in the trace, never written by hand) and
// every [[expect]] must hold after its step. `mailsim check` prints the result; the GUI
// uses resolve_predict() to reveal the real reply.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "sim/lesson.hpp"
#include "sim/trace.hpp"

namespace sim {

// The reply a server sent to a predict question's command.
struct PredictAnswer {
  bool found = false;
  std::uint32_t conn = 0;
  std::size_t command_event = 0;          // index of the command's LineEv in the trace
  std::vector<std::size_t> reply_events;  // the reply's lines (SMTP multi-line, IMAP tagged)
  std::vector<std::string> reply_lines;   // their text
  std::string code;                       // "550", "+OK", "-ERR", "OK", "NO", "BAD"
  std::string error;                      // why nothing was found
};

// The first time, at or after trace event `from`, that a client sends `q.command` (compared
// without case and, for IMAP, without the tag) on a connection matching `q.connection`,
// and the reply the server sent to it.
PredictAnswer resolve_predict(const Trace& trace, const LessonQuestion& q, std::size_t from = 0);

// The reply code a server line carries ("250", "+OK", "NO"), or "" when it is none.
std::string reply_code(const LineEv& line);

struct CheckOptions {
  bool strict = false;  // also fail on texts without Portuguese
};

struct CheckReport {
  bool finished = false;                // the run ended by itself (no limit stopped it)
  std::vector<std::string> failures;    // "file:line:col: message"
  std::vector<std::string> warnings;    // the same, not failing (untranslated texts)
  std::vector<PredictAnswer> predicts;  // one per question (found = false for choice ones)
  bool ok() const { return finished && failures.empty(); }
};

// Runs the lesson once and checks its questions and expectations.
CheckReport check_lesson(const Lesson& lesson, const CheckOptions& options = {});

}  // namespace sim

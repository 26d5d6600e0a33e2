// A lesson's questions and pause points placed on its trace (no ImGui: the narration view
// draws them, the cursor stops at them, tests check them). A "choice" question is asked when
// the step before it has finished; a "predict" question when the client has sent the command
// and the reply is not on the screen yet, so the student answers before the reveal. The
// right reply of a prediction is the one the engines really sent (sim::resolve_predict).
#pragma once

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "sim/lesson.hpp"
#include "sim/lesson_check.hpp"
#include "sim/trace.hpp"

namespace mailsim {

struct QuizItem {
  std::size_t question = 0;  // index into lesson.questions
  std::size_t due = 0;       // cursor position (events passed) at which it is asked
  // It stays on screen until the cursor reaches this position: the next step's start or the
  // next question, whichever comes first.
  std::size_t until = 0;
  sim::PredictAnswer predict;
  sim::Proto proto = sim::Proto::Smtp;  // predict: the command's protocol
};

struct Quiz {
  std::vector<QuizItem> items;      // in the order they are asked (by due)
  std::vector<std::size_t> pauses;  // cursor positions of the lesson's pause points
  std::vector<std::size_t> steps;   // trace index of each step's start note (step k at k-1)
};

Quiz build_quiz(const sim::Lesson& lesson, const sim::Trace& trace);

// The options a student picks from (a choice question's in `lang`, else the reply codes).
std::vector<std::string> quiz_options(const QuizItem& item, const sim::Lesson& lesson,
                                      const std::string& lang);
// Index of the right option, -1 when there is none (a prediction the run never reached).
int quiz_answer(const QuizItem& item, const sim::Lesson& lesson);

struct QuizScore {
  std::size_t total = 0, answered = 0, correct = 0;
};
// `answers`: question index -> chosen option.
QuizScore quiz_score(const Quiz& quiz, const sim::Lesson& lesson,
                     const std::map<std::size_t, int>& answers);

// Where a playing cursor must stop first in (from, to]: a pause point or a question not yet
// answered; nullopt when there is none.
std::optional<std::size_t> next_stop(const Quiz& quiz, const std::map<std::size_t, int>& answers,
                                     std::size_t from, std::size_t to);

}  // namespace mailsim

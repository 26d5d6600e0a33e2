#include "gui/quiz.hpp"

#include <algorithm>

namespace mailsim {

namespace {

// The reply codes offered when a prediction lists none: a few plausible ones for its
// protocol, the real one always among them.
std::vector<std::string> default_codes(sim::Proto p) {
  switch (p) {
    case sim::Proto::Pop3:
      return {"+OK", "-ERR"};
    case sim::Proto::Imap:
      return {"OK", "NO", "BAD"};
    default:
      return {"250", "354", "535", "550"};
  }
}

}  // namespace

Quiz build_quiz(const sim::Lesson& lesson, const sim::Trace& trace) {
  Quiz q;
  const auto& ev = trace.events();
  for (std::size_t i = 0; i < ev.size(); ++i)
    if (const auto* n = std::get_if<sim::NoteEv>(&ev[i].p); n && n->kind == "step")
      q.steps.push_back(i);
  // Where step k (1-based) has finished: the next step's start note, or the end.
  auto after_step = [&](std::size_t k) { return k < q.steps.size() ? q.steps[k] : ev.size(); };
  // The first step start after position p (a question stays until the next step begins).
  auto next_step_start = [&](std::size_t p) {
    auto it = std::upper_bound(q.steps.begin(), q.steps.end(), p);
    return it == q.steps.end() ? ev.size() + 1 : *it;
  };
  for (std::size_t k = 0; k < lesson.steps.size() && k < q.steps.size(); ++k)
    if (lesson.steps[k].pause) q.pauses.push_back(after_step(k + 1));
  for (std::size_t i = 0; i < lesson.questions.size(); ++i) {
    const auto& lq = lesson.questions[i];
    QuizItem item;
    item.question = i;
    item.due = after_step(lq.after_step);
    if (lq.kind == "predict") {
      item.predict = sim::resolve_predict(trace, lq, item.due);
      if (item.predict.found) {
        item.due = item.predict.command_event + 1;
        item.proto = std::get<sim::LineEv>(ev[item.predict.command_event].p).proto;
      }
    }
    item.until = next_step_start(item.due);
    q.items.push_back(std::move(item));
  }
  std::stable_sort(q.items.begin(), q.items.end(),
                   [](const QuizItem& a, const QuizItem& b) { return a.due < b.due; });
  // A question gives way to the next one asked later, so the panel holds one at a time
  // (or several asked at the same moment).
  for (std::size_t i = 0; i < q.items.size(); ++i)
    for (std::size_t j = i + 1; j < q.items.size(); ++j)
      if (q.items[j].due > q.items[i].due) {
        q.items[i].until = std::min(q.items[i].until, q.items[j].due);
        break;
      }
  std::sort(q.pauses.begin(), q.pauses.end());
  return q;
}

std::vector<std::string> quiz_options(const QuizItem& item, const sim::Lesson& lesson,
                                      const std::string& lang) {
  const auto& lq = lesson.questions.at(item.question);
  if (lq.kind != "predict") return lq.choices.get(lang);
  std::vector<std::string> codes = lq.choices.get("en");
  if (codes.empty()) {
    codes = default_codes(item.proto);
    if (item.predict.found &&
        std::find(codes.begin(), codes.end(), item.predict.code) == codes.end())
      codes.push_back(item.predict.code);
  }
  return codes;
}

int quiz_answer(const QuizItem& item, const sim::Lesson& lesson) {
  const auto& lq = lesson.questions.at(item.question);
  if (lq.kind != "predict") return lq.answer;
  if (!item.predict.found) return -1;
  const auto opts = quiz_options(item, lesson, "en");
  auto it = std::find(opts.begin(), opts.end(), item.predict.code);
  return it == opts.end() ? -1 : static_cast<int>(it - opts.begin());
}

QuizScore quiz_score(const Quiz& quiz, const sim::Lesson& lesson,
                     const std::map<std::size_t, int>& answers) {
  QuizScore s;
  for (const auto& item : quiz.items) {
    ++s.total;
    auto it = answers.find(item.question);
    if (it == answers.end()) continue;
    ++s.answered;
    if (it->second == quiz_answer(item, lesson)) ++s.correct;
  }
  return s;
}

std::optional<std::size_t> next_stop(const Quiz& quiz, const std::map<std::size_t, int>& answers,
                                     std::size_t from, std::size_t to) {
  std::optional<std::size_t> stop;
  auto first_after = std::upper_bound(quiz.pauses.begin(), quiz.pauses.end(), from);
  if (first_after != quiz.pauses.end() && *first_after <= to) stop = *first_after;
  for (const auto& item : quiz.items)
    if (item.due > from && item.due <= to && (!stop || item.due < *stop) &&
        !answers.count(item.question))
      stop = item.due;
  return stop;
}

}  // namespace mailsim

// Questions and pause points on a real lesson's trace: where they are asked, where playback
// stops, how answers are scored, and how progress.ini keeps them.
#include <doctest/doctest.h>

#include <unistd.h>

#include <algorithm>
#include <filesystem>

#include "gui/progress.hpp"
#include "gui/quiz.hpp"
#include "gui/scene.hpp"
#include "gui/timeline.hpp"
#include "sim/world.hpp"

using namespace mailsim;

namespace {

struct Lesson {
  sim::World world;
  Scene scene;
  explicit Lesson(const char* name)
      : world(sim::load_lesson(std::string(MAILSIM_SOURCE_DIR) + "/lessons/" + name)) {
    REQUIRE(world.run());
    scene = build_scene(world.lesson(), world.trace());
  }
  const sim::Lesson& lesson() const { return world.lesson(); }
};

const sim::NoteEv* step_note(const Scene& s, std::size_t i) {
  if (i >= s.trace->size()) return nullptr;
  const auto* n = std::get_if<sim::NoteEv>(&s.event(i).p);
  return n && n->kind == "step" ? n : nullptr;
}

// Plays from the start with big real-time steps until playback stops by itself.
ViewState play_until_stop(const Scene& s, ViewState v) {
  v.playing = true;
  for (int i = 0; i < 100000 && v.playing; ++i) advance(v, s, 10.0);
  return v;
}

}  // namespace

TEST_CASE("quiz: every question of smtp-basics is placed on the trace") {
  Lesson L("smtp-basics.toml");
  const Quiz& q = L.scene.quiz;
  REQUIRE(q.items.size() == L.lesson().questions.size());
  REQUIRE(q.steps.size() == L.lesson().steps.size());
  for (std::size_t k = 0; k < q.steps.size(); ++k) CHECK(step_note(L.scene, q.steps[k]));
  for (std::size_t i = 1; i < q.items.size(); ++i) CHECK(q.items[i - 1].due <= q.items[i].due);
  for (const auto& item : q.items) {
    const auto& lq = L.lesson().questions[item.question];
    CHECK(item.due < item.until);
    if (lq.kind == "choice") {
      // Asked when step after_step has finished: just before the next step's note.
      CHECK(item.due ==
            (lq.after_step < q.steps.size() ? q.steps[lq.after_step] : L.scene.trace->size()));
      CHECK(quiz_answer(item, L.lesson()) == lq.answer);
      CHECK(quiz_options(item, L.lesson(), "pt") == lq.choices.get("pt"));
    } else {
      // Asked once the command is on the wire, before the reply is.
      REQUIRE(item.predict.found);
      CHECK(item.due == item.predict.command_event + 1);
      const auto& cmd = std::get<sim::LineEv>(L.scene.event(item.predict.command_event).p);
      CHECK(cmd.from_client);
      CHECK(cmd.text == lq.command);
      REQUIRE_FALSE(item.predict.reply_events.empty());
      CHECK(item.predict.reply_events.front() >= item.due);
      // The right option is the code the server really sent.
      const auto opts = quiz_options(item, L.lesson(), "en");
      const int right = quiz_answer(item, L.lesson());
      REQUIRE(right >= 0);
      const auto& reply = std::get<sim::LineEv>(L.scene.event(item.predict.reply_events.front()).p);
      CHECK(reply.text.rfind(opts[static_cast<std::size_t>(right)], 0) == 0);
    }
  }
}

TEST_CASE("quiz: playback stops at each unanswered question, then goes on once answered") {
  Lesson L("smtp-basics.toml");
  const Scene& s = L.scene;
  ViewState v;
  std::vector<std::size_t> stops;
  for (const auto& item : s.quiz.items)
    if (item.due == 0) v.answers[item.question] = 0;
  for (int guard = 0; guard < 50; ++guard) {
    v = play_until_stop(s, v);
    if (v.upto >= s.trace->size()) break;
    stops.push_back(v.upto);
    // Every question due here is on screen; answer them all (wrongly, it does not matter).
    bool any = false;
    for (const auto& item : s.quiz.items)
      if (item.due == v.upto) v.answers[item.question] = 0, any = true;
    CHECK(any);
  }
  std::vector<std::size_t> dues;
  // (A question due at 0 is on screen before Play is pressed, one due at the end when the
  // playback ends anyway: no stop for those.)
  for (const auto& item : s.quiz.items)
    if (item.due > 0 && item.due < s.trace->size()) dues.push_back(item.due);
  dues.erase(std::unique(dues.begin(), dues.end()), dues.end());
  CHECK(stops == dues);
  CHECK(v.upto == s.trace->size());
  // Played again with every answer given: no stop before the end.
  ViewState again;
  again.answers = v.answers;
  again = play_until_stop(s, again);
  CHECK(again.upto == s.trace->size());
}

TEST_CASE("quiz: a pause point stops playback after its step; Play goes on from there") {
  Lesson L("pop3-one-device.toml");
  const Scene& s = L.scene;
  REQUIRE_FALSE(s.quiz.pauses.empty());
  ViewState v;
  for (std::size_t q = 0; q < L.lesson().questions.size(); ++q) v.answers[q] = 0;
  v = play_until_stop(s, v);
  CHECK(v.upto == s.quiz.pauses.front());
  CHECK_FALSE(v.playing);
  // The pause is after the step with pause = true: the next step has not started.
  std::size_t k = 0;
  while (!L.lesson().steps[k].pause) ++k;
  CHECK(v.upto == (k + 1 < s.quiz.steps.size() ? s.quiz.steps[k + 1] : s.trace->size()));
  v = play_until_stop(s, v);
  CHECK(v.upto > s.quiz.pauses.front());
}

TEST_CASE("quiz: score counts right answers among the answered") {
  Lesson L("smtp-basics.toml");
  const auto& items = L.scene.quiz.items;
  std::map<std::size_t, int> answers;
  CHECK(quiz_score(L.scene.quiz, L.lesson(), answers).total == items.size());
  CHECK(quiz_score(L.scene.quiz, L.lesson(), answers).answered == 0);
  answers[items[0].question] = quiz_answer(items[0], L.lesson());
  answers[items[1].question] = quiz_answer(items[1], L.lesson()) + 1;
  auto sc = quiz_score(L.scene.quiz, L.lesson(), answers);
  CHECK(sc.answered == 2);
  CHECK(sc.correct == 1);
}

TEST_CASE("quiz: next_stop looks only at (from, to]") {
  Quiz q;
  q.pauses = {10, 20};
  QuizItem a;
  a.question = 0;
  a.due = 15;
  q.items.push_back(a);
  std::map<std::size_t, int> none, answered{{0, 1}};
  CHECK(next_stop(q, none, 0, 9) == std::nullopt);
  CHECK(next_stop(q, none, 0, 10) == 10u);
  CHECK(next_stop(q, none, 10, 30) == 15u);
  CHECK(next_stop(q, answered, 10, 30) == 20u);
  CHECK(next_stop(q, none, 20, 30) == std::nullopt);
}

TEST_CASE("progress.ini: answers round-trip; bad lines are ignored") {
  Progress p;
  p["smtp-basics"][0] = 1;
  p["smtp-basics"][3] = 0;
  p["lesson.with.dots"][2] = 4;
  CHECK(parse_progress(format_progress(p)) == p);
  auto q = parse_progress(
      "# comment\n"
      "garbage\n"
      "x.y = \n"
      ".1 = 2\n"
      "a.b = 1\n"   // question not a number
      "a.2 = -1\n"  // negative option
      "a.3 = 12x\n"
      "  ok.7 = 2  \n");
  CHECK(q.size() == 1);
  CHECK(q["ok"][7] == 2);
  const std::string dir = (std::filesystem::temp_directory_path() /
                           ("mailsim-progress-test-" + std::to_string(::getpid())))
                              .string();
  std::filesystem::create_directories(dir);
  CHECK(save_progress(p, dir + "/progress.ini"));
  CHECK(load_progress(dir + "/progress.ini") == p);
  CHECK(load_progress(dir + "/missing.ini").empty());
  CHECK_FALSE(save_progress(p, dir + "/no/such/dir/progress.ini"));
  std::filesystem::remove_all(dir);
}

// Moving the cursor through a trace (no drawing here, so tests can drive it directly).
#include <algorithm>
#include <cmath>

#include "gui/timeline.hpp"

namespace mailsim {

void seek_time(ViewState& v, const Scene& s, sim::Time t) {
  const auto& ev = s.trace->events();
  v.cursor = std::clamp<sim::Time>(t, 0, s.end);
  v.upto = static_cast<std::size_t>(
      std::upper_bound(ev.begin(), ev.end(), v.cursor,
                       [](sim::Time x, const sim::Event& e) { return x < e.t; }) -
      ev.begin());
}

void seek_event(ViewState& v, const Scene& s, std::size_t index) {
  v.upto = std::min(index + 1, s.trace->size());
  v.cursor = v.upto ? s.event(v.upto - 1).t : 0;
}

void step_forward(ViewState& v, const Scene& s) {
  v.playing = false;
  for (auto i : s.lines)
    if (i >= v.upto) return seek_event(v, s, i);
  seek_time(v, s, s.end);
}

void step_back(ViewState& v, const Scene& s) {
  v.playing = false;
  // The current line is the last one passed; go to the one before it.
  std::size_t passed = lines_done(v, s);
  seek_line(v, s, passed == 0 ? 0 : passed - 1);
}

void seek_line(ViewState& v, const Scene& s, std::size_t n) {
  if (n == 0 || s.lines.empty()) {
    v.cursor = 0;
    v.upto = 0;
    return;
  }
  seek_event(v, s, s.lines[std::min(n, s.lines.size()) - 1]);
}

std::size_t lines_done(const ViewState& v, const Scene& s) {
  return Scene::passed(s.lines, v.upto);
}

// Is a segment in flight at t? Only segments sent in the last max_flight can be.
static bool wire_busy(const Scene& s, sim::Time t) {
  auto first = std::lower_bound(s.segments.begin(), s.segments.end(), t - s.max_flight,
                                [&](std::size_t i, sim::Time x) { return s.event(i).t < x; });
  for (auto it = first; it != s.segments.end() && s.event(*it).t <= t; ++it)
    if (std::get<sim::SegmentEv>(s.event(*it).p).arrive > t) return true;
  return false;
}

void advance(ViewState& v, const Scene& s, double real_seconds) {
  if (!v.playing) return;
  auto step = static_cast<sim::Time>(std::llround(real_seconds * v.speed * 1e6));
  sim::Time next = v.cursor + std::max<sim::Time>(step, 1);
  // Skip a quiet gap longer than a second of simulated time.
  if (!wire_busy(s, v.cursor)) {
    const auto& ev = s.trace->events();
    auto it = std::upper_bound(ev.begin(), ev.end(), v.cursor,
                               [](sim::Time x, const sim::Event& e) { return x < e.t; });
    sim::Time upcoming = it == ev.end() ? s.end : it->t;
    if (upcoming - v.cursor > sim::kSecond) next = upcoming;
  }
  const std::size_t before = v.upto;
  seek_time(v, s, std::min(next, s.end));
  // Pause points and unanswered questions stop the playback exactly there.
  if (auto stop = next_stop(s.quiz, v.answers, before, v.upto)) {
    seek_event(v, s, *stop - 1);
    v.playing = false;
  }
  if (v.cursor >= s.end) v.playing = false;
}

}  // namespace mailsim

// Moving the cursor: play, step from protocol line to protocol line, scrub.
#pragma once

#include "gui/scene.hpp"
#include "gui/view_state.hpp"

namespace mailsim {

// Puts the cursor at time t, after every event that happened by then.
void seek_time(ViewState& v, const Scene& s, sim::Time t);
// Puts the cursor just after the protocol line with this trace index.
void seek_event(ViewState& v, const Scene& s, std::size_t index);
// Next / previous protocol line; stepping back and forward shows exactly the same states.
void step_forward(ViewState& v, const Scene& s);
void step_back(ViewState& v, const Scene& s);
// After the N-th protocol line (1-based); N = 0 is the start.
void seek_line(ViewState& v, const Scene& s, std::size_t n);
// How many protocol lines the cursor has passed.
std::size_t lines_done(const ViewState& v, const Scene& s);

// Advances a playing cursor by `real_seconds`; long idle gaps (nothing on the wire, e.g. an
// MTA waiting minutes before a retry) are skipped so the animation never stalls. It stops at
// the lesson's pause points and at questions not answered yet (gui/quiz.hpp).
void advance(ViewState& v, const Scene& s, double real_seconds);

// The toolbar: play/pause, step, speed and a scrubber. Keyboard: Space, Left/Right, Home/End.
void draw_timeline(ViewState& v, const Scene& s);
// Only the keyboard part (when the toolbar is hidden).
void draw_timeline_keys(ViewState& v, const Scene& s);

}  // namespace mailsim

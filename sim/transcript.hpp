// The classic mail transcript (C: / S: lines) rendered from a trace, with DNS lookups,
// connections, queue and mailbox changes interleaved in time order.
#pragma once

#include <ostream>
#include <string>

#include "sim/lesson.hpp"
#include "sim/trace.hpp"

namespace sim {

struct TranscriptOptions {
  bool explain = false;   // add each line's plain-language meaning and RFC section
  bool segments = false;  // also list every TCP segment on every link
  // With the lesson, step narration is shown in `lang` (English where it lacks one).
  const Lesson* lesson = nullptr;
  std::string lang = "en";
};

void write_transcript(const Trace& trace, std::ostream& out, const TranscriptOptions& opt = {});

}  // namespace sim

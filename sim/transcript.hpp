// The classic mail transcript (C: / S: lines) rendered from a trace, with DNS lookups,
// connections, queue and mailbox changes interleaved in time order.
#pragma once

#include <ostream>
#include <string>
#include <vector>

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

// One entry of the transcript: "  0.012345  #1 C: EHLO laptop.sender.example" is
// stamp + "  " + text. Exporters (the handout) lay the same entries out their own way.
struct TranscriptRow {
  std::size_t index = 0;  // the trace event it comes from
  std::string stamp;      // the event's time, "   0.012345" (seconds)
  std::string text;       // "#1 C: EHLO laptop.sender.example", "== step 1/2: …", …
  std::string meaning;    // a protocol line's plain-language meaning ("" for others)
  std::string rfc;        // and its RFC section
  bool step = false;      // a lesson step's marker
};

// The entries write_transcript prints, in trace order (state changes only with `explain`,
// segments only with `segments`).
std::vector<TranscriptRow> transcript_rows(const Trace& trace, const TranscriptOptions& opt = {});

void write_transcript(const Trace& trace, std::ostream& out, const TranscriptOptions& opt = {});

}  // namespace sim

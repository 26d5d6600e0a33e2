// A lesson handout for a class: the narration of each step, its questions (answers in a
// collapsible box and in an answer key at the end), the transcript of each step with every
// line's meaning, and the sequence diagram. Written as one self-contained HTML page (inline
// CSS and SVG, nothing fetched) and as Markdown next to sequence.svg. No ImGui.
#pragma once

#include <string>

#include "gui/scene.hpp"
#include "sim/lesson.hpp"
#include "sim/trace.hpp"

namespace mailsim {

struct HandoutOptions {
  std::string lang = "en";                // narration, questions and headings ("en", "pt")
  std::string svg_name = "sequence.svg";  // what handout.md links to
  bool secrets_shown = false;             // said on the page (the trace is already scrubbed)
};

struct Handout {
  std::string html;      // index.html
  std::string markdown;  // handout.md
  std::string svg;       // sequence.svg
};

// The scene must be built from `lesson` and its trace. Diagram labels follow tr()'s language:
// call set_language(options.lang) first.
Handout make_handout(const sim::Lesson& lesson, const Scene& scene, const HandoutOptions& options);

// "RFC 5321 §4.1.1.1" -> "https://www.rfc-editor.org/rfc/rfc5321#section-4.1.1.1"; "" when
// the text names no RFC.
std::string rfc_url(const std::string& rfc);

}  // namespace mailsim

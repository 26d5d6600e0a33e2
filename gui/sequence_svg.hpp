// The ladder diagram (sequence_layout.hpp) as a standalone SVG document: host boxes and
// lifelines, one arrow per row coloured by protocol, a padlock on lines that crossed inside
// TLS, step separators, times on the left (milliseconds) and a legend. No ImGui.
#pragma once

#include <string>
#include <string_view>

#include "gui/scene.hpp"
#include "gui/sequence_layout.hpp"

namespace mailsim {

struct SequenceSvgOptions {
  std::string title;     // drawn above the diagram when not empty
  bool tooltips = true;  // a <title> on each arrow: the whole line and its meaning
};

// Text for XML character data and attribute values: & < > " ' escaped; control characters
// and bytes that are not UTF-8 become U+FFFD, so the document always parses.
std::string xml_escape(std::string_view text);

// The SVG of the layout, labels in the current tr() language.
std::string sequence_svg(const Scene& s, const SequenceLayout& layout,
                         const SequenceSvgOptions& options = {});

// Lays out the scene's trace and writes its SVG to `path` (File > Export in the window).
// Returns the number of arrows, or -1 with `error` set when the file cannot be written.
long write_sequence_svg(const Scene& s, const std::string& path, const SequenceSvgOptions& options,
                        std::string& error);

}  // namespace mailsim

// The sequence diagram as a PNG picture (for slides and documents that take no SVG): the
// very SVG document sequence_svg.hpp writes, rasterised, so both show the same drawing. The
// rasteriser (librsvg and cairo, loaded on the first call) stays inside sequence_png.cpp.
// No ImGui.
#pragma once

#include <string>
#include <string_view>

#include "gui/scene.hpp"
#include "gui/sequence_svg.hpp"

namespace mailsim {

// Pixels per SVG unit of the exported PNG: twice the SVG's size, sharp on a projector.
inline constexpr double kSequencePngScale = 2.0;

// The PNG file (its bytes) of an SVG document drawn at `scale`: the picture is
// ceil(width × scale) by ceil(height × scale) pixels, width and height being the SVG's own,
// on white. Cairo draws at most 32767 pixels a side (and we allow 128 M pixels): a picture
// too large at `scale` is drawn at the largest scale that fits, if that is still at least
// the SVG's own size (a long lesson's diagram stays whole rather than failing). Returns ""
// with `error` set when the SVG cannot be read or drawn, or does not fit even at 1×.
std::string svg_to_png(std::string_view svg, double scale, std::string& error);

// Lays out the scene's trace, draws its diagram at `scale` and writes it to `path` as PNG
// (File > Export in the window). Returns the number of arrows, or -1 with `error` set.
long write_sequence_png(const Scene& s, const std::string& path, const SequenceSvgOptions& options,
                        double scale, std::string& error);

}  // namespace mailsim

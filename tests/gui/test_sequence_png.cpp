// The sequence diagram as PNG: the SVG drawn by librsvg at twice its size,
// decoded again with stb_image and looked at: the size, the white page, each
// arrow's colour where its line runs and dark label text above it.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <set>
#include <string>

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wconversion"
#pragma GCC diagnostic ignored "-Wshadow"
#pragma GCC diagnostic ignored "-Wsign-compare"
#pragma GCC diagnostic ignored "-Wunused-function"
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
#define STB_IMAGE_IMPLEMENTATION
#define STBI_ONLY_PNG
#include <stb/stb_image.h>
#pragma GCC diagnostic pop

#include "gui/i18n.hpp"
#include "gui/scene.hpp"
#include "gui/sequence_layout.hpp"
#include "gui/sequence_png.hpp"
#include "gui/sequence_svg.hpp"
#include "sim/world.hpp"

using namespace mailsim;

namespace {

// The number in attribute `name` of the first element at or after `from`.
double attr(const std::string& svg, const std::string& name, std::size_t from = 0) {
  const auto at = svg.find(" " + name + "=\"", from);
  REQUIRE(at != std::string::npos);
  return std::strtod(svg.c_str() + at + name.size() + 3, nullptr);
}

struct Rgb {
  int r = 0, g = 0, b = 0;
};

Rgb hex(const std::string& h) {
  const long v = std::strtol(h.c_str() + 1, nullptr, 16);
  return {static_cast<int>((v >> 16) & 255), static_cast<int>((v >> 8) & 255),
          static_cast<int>(v & 255)};
}

struct Image {
  int w = 0, h = 0;
  unsigned char* px = nullptr;  // RGBA rows
  explicit Image(const std::string& png) {
    int channels = 0;
    px = stbi_load_from_memory(reinterpret_cast<const unsigned char*>(png.data()),
                               static_cast<int>(png.size()), &w, &h, &channels, 4);
  }
  ~Image() { stbi_image_free(px); }
  Image(const Image&) = delete;
  Image& operator=(const Image&) = delete;
  Rgb at(int x, int y) const {
    const unsigned char* p = px + (static_cast<std::size_t>(y) * w + x) * 4;
    return {p[0], p[1], p[2]};
  }
};

bool near(Rgb a, Rgb b, int tolerance) {
  return std::abs(a.r - b.r) <= tolerance && std::abs(a.g - b.g) <= tolerance &&
         std::abs(a.b - b.b) <= tolerance;
}

struct LessonDiagram {
  sim::World world{sim::load_lesson(std::string(MAILSIM_SOURCE_DIR) + "/lessons/smtp-basics.toml")};
  Scene scene;
  SequenceLayout layout;
  std::string svg;
  LessonDiagram() {
    set_language("en");
    REQUIRE(world.run());
    scene = build_scene(world.lesson(), world.trace());
    layout = layout_sequence(scene);
    svg = sequence_svg(scene, layout, {"SMTP basics", false});
  }
};

}  // namespace

TEST_CASE(
    "PNG of a lesson's diagram: the SVG's size times the scale, arrows "
    "and labels drawn") {
  const LessonDiagram d;
  std::string error;
  const std::string png = svg_to_png(d.svg, kSequencePngScale, error);
  REQUIRE_MESSAGE(!png.empty(), error);
  CHECK(png.compare(0, 8, "\x89PNG\r\n\x1a\n") == 0);
  const Image img(png);
  REQUIRE(img.px != nullptr);
  const double svg_w = attr(d.svg, "width"), svg_h = attr(d.svg, "height");
  CHECK(img.w == static_cast<int>(std::ceil(svg_w * kSequencePngScale)));
  CHECK(img.h == static_cast<int>(std::ceil(svg_h * kSequencePngScale)));
  CHECK(near(img.at(1, 1), {255, 255, 255},
             0));  // the white page, no transparency

  // Many colours (protocol colours, grey lifelines, anti-aliased text), and a
  // fair amount of dark ink: the labels' text.
  std::set<int> colours;
  std::size_t dark = 0;
  for (int y = 0; y < img.h; ++y)
    for (int x = 0; x < img.w; ++x) {
      const Rgb c = img.at(x, y);
      colours.insert((c.r << 16) | (c.g << 8) | c.b);
      dark += c.r + c.g + c.b < 3 * 110;
    }
  CHECK(colours.size() >= 50);
  CHECK(dark > static_cast<std::size_t>(img.w) * img.h / 200);

  // Each solid arrow: its stroke colour on the line, a bit before the head; its
  // label's darker text colour in the box above the line where the label
  // starts.
  std::size_t arrows = 0, lines_seen = 0, labels_seen = 0;
  for (auto g = d.svg.find("<g class=\"arrow\""); g != std::string::npos;
       g = d.svg.find("<g class=\"arrow\"", g + 1)) {
    ++arrows;
    const auto line = d.svg.find("<line ", g);
    const auto end = d.svg.find("/>", line);
    if (d.svg.substr(line, end - line).find("dasharray") != std::string::npos) continue;
    const std::string tag = d.svg.substr(line, end - line);
    const auto stroke_at = tag.find("stroke=\"#");
    REQUIRE(stroke_at != std::string::npos);
    const Rgb stroke = hex(tag.substr(stroke_at + 8, 7));
    const double x1 = attr(d.svg, "x1", line), x2 = attr(d.svg, "x2", line),
                 y = attr(d.svg, "y1", line);
    const double s = kSequencePngScale;
    const int px = static_cast<int>(std::lround((x2 - (x2 > x1 ? 4 : -4)) * s));
    REQUIRE(px >= 0);
    REQUIRE(px < img.w);
    bool on_line = false;
    for (int dy = -1; dy <= 1; ++dy)
      on_line = on_line || near(img.at(px, static_cast<int>(std::lround(y * s)) + dy), stroke, 40);
    lines_seen += on_line;
    // The label: text from min(x1, x2) + 8 (+13 after a padlock), baseline 5
    // above the line.
    const auto text = d.svg.find("<text x=", d.svg.find("<polygon", line));
    const auto fill_at = d.svg.find("fill=\"#", text);
    const Rgb ink = hex(d.svg.substr(fill_at + 6, 7));
    const double tx = attr(d.svg, "x", text), ty = attr(d.svg, "y", text);
    std::size_t inked = 0;
    for (int yy = static_cast<int>((ty - 10) * s); yy <= static_cast<int>(ty * s); ++yy)
      for (int xx = static_cast<int>(tx * s); xx < static_cast<int>((tx + 40) * s); ++xx)
        inked += near(img.at(xx, yy), ink, 30);
    labels_seen += inked >= 20;
  }
  CHECK(arrows == d.layout.arrows.size());
  // Every solid arrow's line and its label's text are there.
  std::size_t solid = 0;
  for (const SeqArrow& a : d.layout.arrows) solid += !a.dashed();
  CHECK(lines_seen == solid);
  CHECK(labels_seen == solid);

  // Scale 1: the SVG's own size.
  const Image one(svg_to_png(d.svg, 1.0, error));
  REQUIRE(one.px != nullptr);
  CHECK(one.w == static_cast<int>(std::ceil(svg_w)));
  CHECK(one.h == static_cast<int>(std::ceil(svg_h)));
}

TEST_CASE("svg_to_png: what cannot be drawn is an error, not an empty picture") {
  std::string error;
  CHECK(svg_to_png("this is not SVG", 2.0, error).empty());
  CHECK(error.find("SVG") != std::string::npos);
  error.clear();
  CHECK(svg_to_png("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"10\" "
                   "height=\"10\"/>",
                   0, error)
            .empty());
  CHECK(!error.empty());
  error.clear();
  CHECK(svg_to_png("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"40000\" "
                   "height=\"10\"/>",
                   1.0, error)
            .empty());
  CHECK(error.find("too large") != std::string::npos);
}

TEST_CASE("svg_to_png: a diagram too tall for 2x is drawn at the largest scale that fits") {
  std::string error;
  const Image tall(
      svg_to_png("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"20\" "
                 "height=\"20000\"/>",
                 2.0, error));
  REQUIRE(tall.px != nullptr);
  CHECK(tall.h <= 32767);
  CHECK(tall.h > 32000);  // not fallen back to 1x
  CHECK(tall.w >= 32);    // the width scaled by the same factor
  CHECK(tall.w <= 33);
}

TEST_CASE("write_sequence_png: the file the window's File menu writes, or an error") {
  const LessonDiagram d;
  const std::string dir = std::filesystem::temp_directory_path().string();
  const std::string out = dir + "/mailsim-test-sequence.png";
  std::string error;
  CHECK(write_sequence_png(d.scene, out, {"SMTP basics", true}, kSequencePngScale, error) ==
        static_cast<long>(d.layout.arrows.size()));
  std::ifstream f(out, std::ios::binary);
  const std::string bytes((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  const Image img(bytes);
  REQUIRE(img.px != nullptr);
  CHECK(img.w == static_cast<int>(std::ceil(attr(d.svg, "width") * kSequencePngScale)));
  std::filesystem::remove(out);
  CHECK(write_sequence_png(d.scene, dir + "/no-such-dir/x.png", {}, 2.0, error) == -1);
  CHECK(error.find("cannot write") != std::string::npos);
}

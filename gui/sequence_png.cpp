#include "gui/sequence_png.hpp"

#include <cairo.h>
#include <librsvg/rsvg.h>

#include <cerrno>
#include <cmath>
#include <cstring>
#include <fstream>
#include <memory>

#include "gui/sequence_layout.hpp"

namespace mailsim {

namespace {

// Owners for the C objects, released in reverse order of creation.
struct GObjectFree {
  void operator()(gpointer p) const { g_object_unref(p); }
};
struct SurfaceFree {
  void operator()(cairo_surface_t* p) const { cairo_surface_destroy(p); }
};
struct CairoFree {
  void operator()(cairo_t* p) const { cairo_destroy(p); }
};
using HandlePtr = std::unique_ptr<RsvgHandle, GObjectFree>;
using SurfacePtr = std::unique_ptr<cairo_surface_t, SurfaceFree>;
using CairoPtr = std::unique_ptr<cairo_t, CairoFree>;

std::string take_message(GError* e, const char* fallback) {
  std::string m = e && e->message ? e->message : fallback;
  if (e) g_error_free(e);
  return m;
}

cairo_status_t append_bytes(void* closure, const unsigned char* data, unsigned int length) {
  static_cast<std::string*>(closure)->append(reinterpret_cast<const char*>(data), length);
  return CAIRO_STATUS_SUCCESS;
}

// Cairo's image surfaces are limited to 32767 pixels a side; 128 M pixels is 512 MB.
constexpr double kMaxSide = 32767, kMaxPixels = 128.0 * 1024 * 1024;

}  // namespace

std::string svg_to_png(std::string_view svg, double scale, std::string& error) {
  if (!(scale > 0)) {
    error = "the scale must be positive";
    return {};
  }
  GError* gerr = nullptr;
  HandlePtr handle(
      rsvg_handle_new_from_data(reinterpret_cast<const guint8*>(svg.data()), svg.size(), &gerr));
  if (!handle) {
    error = "cannot read the SVG: " + take_message(gerr, "unknown error");
    return {};
  }
  rsvg_handle_set_dpi(handle.get(), 96);  // the SVG's units are CSS pixels
  double w = 0, h = 0;
  if (!rsvg_handle_get_intrinsic_size_in_pixels(handle.get(), &w, &h) || !(w > 0) || !(h > 0)) {
    error = "the SVG has no width and height in pixels";
    return {};
  }
  const double pw = std::ceil(w * scale), ph = std::ceil(h * scale);
  if (pw > kMaxSide || ph > kMaxSide || pw * ph > kMaxPixels) {
    error = "the picture would be too large (" + std::to_string(static_cast<long>(pw)) + "x" +
            std::to_string(static_cast<long>(ph)) + " pixels): export the SVG instead";
    return {};
  }
  SurfacePtr surface(
      cairo_image_surface_create(CAIRO_FORMAT_ARGB32, static_cast<int>(pw), static_cast<int>(ph)));
  if (cairo_surface_status(surface.get()) != CAIRO_STATUS_SUCCESS) {
    error = std::string("cannot make the picture: ") +
            cairo_status_to_string(cairo_surface_status(surface.get()));
    return {};
  }
  {
    CairoPtr cr(cairo_create(surface.get()));
    // White under the drawing: the sliver that rounding the size up adds is not transparent.
    cairo_set_source_rgb(cr.get(), 1, 1, 1);
    cairo_paint(cr.get());
    // The viewport is the whole picture: the SVG's viewBox scales to fill it.
    const RsvgRectangle viewport{0, 0, pw, ph};
    if (!rsvg_handle_render_document(handle.get(), cr.get(), &viewport, &gerr)) {
      error = "cannot draw the SVG: " + take_message(gerr, "unknown error");
      return {};
    }
  }
  cairo_surface_flush(surface.get());
  std::string png;
  const cairo_status_t st = cairo_surface_write_to_png_stream(surface.get(), append_bytes, &png);
  if (st != CAIRO_STATUS_SUCCESS) {
    error = std::string("cannot encode the PNG: ") + cairo_status_to_string(st);
    return {};
  }
  return png;
}

long write_sequence_png(const Scene& s, const std::string& path, const SequenceSvgOptions& options,
                        double scale, std::string& error) {
  const SequenceLayout layout = layout_sequence(s);
  SequenceSvgOptions opt = options;
  opt.tooltips = false;  // a picture shows no tooltips
  const std::string png = svg_to_png(sequence_svg(s, layout, opt), scale, error);
  if (png.empty()) return -1;
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  if (f) f.write(png.data(), static_cast<std::streamsize>(png.size()));
  if (f) f.close();
  if (!f) {
    error = std::string("cannot write ") + path + ": " + std::strerror(errno);
    return -1;
  }
  return static_cast<long>(layout.arrows.size());
}

}  // namespace mailsim

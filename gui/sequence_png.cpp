#include "gui/sequence_png.hpp"

#include <cairo.h>
#include <dlfcn.h>
#include <librsvg/rsvg.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <fstream>
#include <memory>

#include "gui/sequence_layout.hpp"

#if defined(__SANITIZE_ADDRESS__)
// LeakSanitizer (the sanitizer build): fontconfig, which librsvg's text drawing loads, keeps
// the system's font configuration until the process ends. Not ours to free.
extern "C" const char* __lsan_default_suppressions() {
  return "leak:libfontconfig.so\n";
}
// ... and quietly: `mailsim handout -q` prints nothing, not a table of suppressions.
extern "C" const char* __lsan_default_options() {
  return "print_suppressions=0";
}
#endif

namespace mailsim {

namespace {

// librsvg is opened on the first export, not linked: its dependency tree (GLib, Pango,
// cairo, fontconfig, ...) would add some 30 ms to every start of the program (issue 9).
// Its headers give the functions' types; dlsym on its handle also finds cairo's and GLib's
// functions among its dependencies. Never closed: GLib's type system cannot be unloaded.
struct Rsvg {
  std::string error;  // why it could not be loaded; "" when it is usable
  // NOLINTNEXTLINE(bugprone-macro-parentheses): name is declared here, not an expression
#define MAILSIM_RSVG_FN(name) decltype(&::name) name = nullptr;
#define MAILSIM_RSVG_FNS(X)                   \
  X(rsvg_handle_new_from_data)                \
  X(rsvg_handle_set_dpi)                      \
  X(rsvg_handle_get_intrinsic_size_in_pixels) \
  X(rsvg_handle_render_document)              \
  X(g_object_unref)                           \
  X(g_error_free)                             \
  X(cairo_image_surface_create)               \
  X(cairo_surface_status)                     \
  X(cairo_surface_flush)                      \
  X(cairo_surface_write_to_png_stream)        \
  X(cairo_surface_destroy)                    \
  X(cairo_status_to_string)                   \
  X(cairo_create)                             \
  X(cairo_set_source_rgb)                     \
  X(cairo_paint)                              \
  X(cairo_destroy)
  MAILSIM_RSVG_FNS(MAILSIM_RSVG_FN)

  Rsvg() {
    void* lib = dlopen("librsvg-2.so.2", RTLD_NOW | RTLD_LOCAL);
    if (!lib) {
      const char* why = dlerror();
      error = std::string("cannot load librsvg (Debian package librsvg2-2): ") +
              (why ? why : "not found");
      return;
    }
#define MAILSIM_RSVG_SYM(name)                                               \
  (name) = reinterpret_cast<decltype(name)>(dlsym(lib, #name));              \
  if (!(name)) {                                                             \
    error = "librsvg-2.so.2 lacks " #name " (librsvg 2.52 or later needed)"; \
    return;                                                                  \
  }
    MAILSIM_RSVG_FNS(MAILSIM_RSVG_SYM)
#undef MAILSIM_RSVG_SYM
  }
#undef MAILSIM_RSVG_FNS
#undef MAILSIM_RSVG_FN
};

const Rsvg& rsvg() {
  static const Rsvg r;  // loaded once, on first use, thread-safely
  return r;
}

std::string take_message(const Rsvg& r, GError* e, const char* fallback) {
  std::string m = e && e->message ? e->message : fallback;
  if (e) r.g_error_free(e);
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
  const Rsvg& r = rsvg();
  if (!r.error.empty()) {
    error = r.error;
    return {};
  }
  // Owners for the C objects, released in reverse order of creation.
  const auto unref = [&r](RsvgHandle* p) { r.g_object_unref(p); };
  const auto destroy_surface = [&r](cairo_surface_t* p) { r.cairo_surface_destroy(p); };
  const auto destroy_cairo = [&r](cairo_t* p) { r.cairo_destroy(p); };

  GError* gerr = nullptr;
  std::unique_ptr<RsvgHandle, decltype(unref)> handle(
      r.rsvg_handle_new_from_data(reinterpret_cast<const guint8*>(svg.data()), svg.size(), &gerr),
      unref);
  if (!handle) {
    error = "cannot read the SVG: " + take_message(r, gerr, "unknown error");
    return {};
  }
  r.rsvg_handle_set_dpi(handle.get(), 96);  // the SVG's units are CSS pixels
  double w = 0, h = 0;
  if (!r.rsvg_handle_get_intrinsic_size_in_pixels(handle.get(), &w, &h) || !(w > 0) || !(h > 0)) {
    error = "the SVG has no width and height in pixels";
    return {};
  }
  // The largest scale that fits the limits; the small margin keeps ceil() inside them.
  const double fit =
      std::min({kMaxSide / w, kMaxSide / h, std::sqrt(kMaxPixels / (w * h))}) * 0.9999;
  if (scale > fit && fit >= 1.0) scale = fit;
  const double pw = std::ceil(w * scale), ph = std::ceil(h * scale);
  if (pw > kMaxSide || ph > kMaxSide || pw * ph > kMaxPixels) {
    error = "the picture would be too large (" + std::to_string(static_cast<long>(pw)) + "x" +
            std::to_string(static_cast<long>(ph)) + " pixels): export the SVG instead";
    return {};
  }
  std::unique_ptr<cairo_surface_t, decltype(destroy_surface)> surface(
      r.cairo_image_surface_create(CAIRO_FORMAT_ARGB32, static_cast<int>(pw), static_cast<int>(ph)),
      destroy_surface);
  if (r.cairo_surface_status(surface.get()) != CAIRO_STATUS_SUCCESS) {
    error = std::string("cannot make the picture: ") +
            r.cairo_status_to_string(r.cairo_surface_status(surface.get()));
    return {};
  }
  {
    std::unique_ptr<cairo_t, decltype(destroy_cairo)> cr(r.cairo_create(surface.get()),
                                                         destroy_cairo);
    // White under the drawing: the sliver that rounding the size up adds is not transparent.
    r.cairo_set_source_rgb(cr.get(), 1, 1, 1);
    r.cairo_paint(cr.get());
    // The viewport is the whole picture: the SVG's viewBox scales to fill it.
    const RsvgRectangle viewport{0, 0, pw, ph};
    if (!r.rsvg_handle_render_document(handle.get(), cr.get(), &viewport, &gerr)) {
      error = "cannot draw the SVG: " + take_message(r, gerr, "unknown error");
      return {};
    }
  }
  r.cairo_surface_flush(surface.get());
  std::string png;
  const cairo_status_t st = r.cairo_surface_write_to_png_stream(surface.get(), append_bytes, &png);
  if (st != CAIRO_STATUS_SUCCESS) {
    error = std::string("cannot encode the PNG: ") + r.cairo_status_to_string(st);
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

#include "gui/sequence_svg.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>

#include "gui/i18n.hpp"

namespace mailsim {

namespace {

// Geometry, in SVG user units (pixels at 100 %).
constexpr double kMonoW = 7.3;  // advance of one 12 px DejaVu Sans Mono character
constexpr double kSansW = 7.6;  // a generous average for 13 px bold sans-serif
constexpr double kLeft = 86;    // the time column
constexpr double kHeadTop = 8, kHeadH = 44;
constexpr double kRowH = 24;
constexpr double kMinCol = 170;

struct Colours {
  const char* stroke;
  const char* text;
};

// The window's protocol colours (gui/theme.cpp), with darker text for a white page.
Colours colours_of(const SeqArrow& a) {
  if (a.failed) return {"#d64545", "#b02a2a"};
  if (a.kind == SeqArrow::Kind::Tls) return {"#c9a227", "#7a5d00"};
  if (a.proto == "SMTP") return {"#4a90f0", "#1858be"};
  if (a.proto == "DNS") return {"#aa74e8", "#783cb4"};
  if (a.proto == "POP3") return {"#f09230", "#aa5a00"};
  if (a.proto == "IMAP") return {"#34b268", "#14783c"};
  return {"#969aa6", "#5f646e"};
}

std::string format_step(std::size_t n) {
  char buf[128];
  std::snprintf(buf, sizeof buf, tr("seq.step"), n);
  return buf;
}

std::string num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", v);
  std::string s = buf;
  if (s.size() > 2 && s.compare(s.size() - 2, 2, ".0") == 0) s.resize(s.size() - 2);
  return s;
}

// Characters (not bytes) in a UTF-8 string: for width estimates.
std::size_t glyphs(const std::string& s) {
  return static_cast<std::size_t>(std::count_if(
      s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

// A padlock 9 wide and 11 high whose bottom-left corner is (x, y).
void lock(std::ostream& o, double x, double y, const char* colour) {
  o << "<g class=\"lock\" fill=\"none\" stroke=\"" << colour << "\" stroke-width=\"1.4\">"
    << "<path d=\"M" << num(x + 2) << ' ' << num(y - 6) << "v-2.2a2.5 2.5 0 0 1 5 0v2.2\"/>"
    << "<rect x=\"" << num(x) << "\" y=\"" << num(y - 6) << "\" width=\"9\" height=\"6\" rx=\"1\" "
    << "fill=\"" << colour << "\"/></g>";
}

}  // namespace

std::string xml_escape(std::string_view t) {
  std::string out;
  out.reserve(t.size());
  for (std::size_t i = 0; i < t.size();) {
    const auto c = static_cast<unsigned char>(t[i]);
    if (c < 0x80) {
      switch (c) {
        case '&':
          out += "&amp;";
          break;
        case '<':
          out += "&lt;";
          break;
        case '>':
          out += "&gt;";
          break;
        case '"':
          out += "&quot;";
          break;
        case '\'':
          out += "&apos;";
          break;
        default:
          // XML 1.0 allows only tab, LF and CR below U+0020.
          if (c < 0x20 && c != '\t' && c != '\n' && c != '\r')
            out += "\xEF\xBF\xBD";
          else
            out += static_cast<char>(c);
      }
      ++i;
      continue;
    }
    // A well-formed UTF-8 sequence (no overlongs, no surrogates, at most U+10FFFF) is kept.
    std::size_t n = c >= 0xF0 && c <= 0xF4 ? 4 : c >= 0xE0 ? 3 : c >= 0xC2 && c <= 0xDF ? 2 : 0;
    bool ok = n > 0 && c < 0xF5 && i + n <= t.size();
    std::uint32_t cp = n == 2 ? c & 0x1F : n == 3 ? c & 0x0F : c & 0x07;
    for (std::size_t k = 1; ok && k < n; ++k) {
      const auto cc = static_cast<unsigned char>(t[i + k]);
      ok = (cc & 0xC0) == 0x80;
      cp = (cp << 6) | (cc & 0x3F);
    }
    if (ok)
      ok =
          (n == 3 && cp >= 0x800 && (cp < 0xD800 || cp > 0xDFFF) && cp != 0xFFFE && cp != 0xFFFF) ||
          (n == 4 && cp >= 0x10000 && cp <= 0x10FFFF) || n == 2;
    if (ok) {
      out.append(t.substr(i, n));
      i += n;
    } else {
      out += "\xEF\xBF\xBD";
      ++i;
    }
  }
  return out;
}

std::string sequence_svg(const Scene& s, const SequenceLayout& l, const SequenceSvgOptions& opt) {
  const std::size_t ncol = std::max<std::size_t>(l.columns.size(), 1);
  double colw = kMinCol;
  for (int h : l.columns) {
    const SceneHost& host = s.hosts[static_cast<std::size_t>(h)];
    const std::string& title = host.label.empty() ? host.name : host.label;
    colw = std::max({colw, static_cast<double>(glyphs(title)) * kSansW + 24,
                     static_cast<double>(glyphs(host.name)) * 6.7 + 24});
  }
  const double title_h = opt.title.empty() ? 0 : 28;
  const double head_top = kHeadTop + title_h;
  const double rows_top = head_top + kHeadH + 14;
  auto x_of = [&](int c) { return kLeft + colw / 2 + colw * c; };

  // Steps: a separator above the first row after each step's marker.
  std::vector<std::size_t> step_events;
  if (s.trace)
    for (std::size_t i = 0; i < s.trace->size(); ++i)
      if (const auto* n = std::get_if<sim::NoteEv>(&s.event(i).p); n && n->kind == "step")
        step_events.push_back(i);
  std::vector<std::pair<std::size_t, std::size_t>> separators;  // row, step number (1-based)
  for (std::size_t k = 0, r = 0; k < step_events.size(); ++k) {
    while (r < l.arrows.size() && l.arrows[r].index < step_events[k]) ++r;
    if (r < l.arrows.size()) separators.emplace_back(r, k + 1);
  }
  if (!separators.empty() && separators.front().first == 0 && separators.size() == 1)
    separators.clear();  // one step: nothing to separate

  // Each row's label and the diagram's width (labels may run past their arrow).
  double width = kLeft + colw * static_cast<double>(ncol) + 8;
  for (const SeqArrow& a : l.arrows) {
    const double x = std::min(x_of(a.from), x_of(a.to)) + 8 + (a.locked ? 13 : 0);
    width = std::max(width, x + static_cast<double>(glyphs(a.label)) * kMonoW + 12);
  }
  const double rows_h = kRowH * static_cast<double>(l.arrows.size()) + 6;
  const double legend_y = rows_top + rows_h + 22;
  const double height = legend_y + 22;

  std::ostringstream o;
  o << "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"mailsim-sequence\" width=\"" << num(width)
    << "\" height=\"" << num(height) << "\" viewBox=\"0 0 " << num(width) << ' ' << num(height)
    << "\" font-family=\"DejaVu Sans, Verdana, Arial, sans-serif\" font-size=\"13\">\n";
  o << "<rect class=\"background\" width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>\n";
  if (!opt.title.empty())
    o << "<text x=\"" << num(kLeft) << "\" y=\"24\" font-size=\"16\" font-weight=\"bold\" "
      << "fill=\"#1d2330\">" << xml_escape(opt.title) << "</text>\n";

  // Lifelines and host boxes.
  o << "<g class=\"hosts\">\n";
  for (std::size_t c = 0; c < l.columns.size(); ++c) {
    const SceneHost& h = s.hosts[static_cast<std::size_t>(l.columns[c])];
    const double x = x_of(static_cast<int>(c));
    o << "<line class=\"lifeline\" x1=\"" << num(x) << "\" y1=\"" << num(head_top + kHeadH)
      << "\" x2=\"" << num(x) << "\" y2=\"" << num(rows_top + rows_h)
      << "\" stroke=\"#c5cad3\" stroke-width=\"1.2\"/>\n";
    o << "<g class=\"host\"><rect x=\"" << num(x - colw / 2 + 6) << "\" y=\"" << num(head_top)
      << "\" width=\"" << num(colw - 12) << "\" height=\"" << num(kHeadH)
      << "\" rx=\"6\" fill=\"#f2f4f8\" stroke=\"#aab1bd\"/>"
      << "<text x=\"" << num(x) << "\" y=\"" << num(head_top + 19)
      << "\" text-anchor=\"middle\" font-weight=\"bold\" fill=\"#1d2330\">"
      << xml_escape(h.label.empty() ? h.name : h.label) << "</text><text x=\"" << num(x)
      << "\" y=\"" << num(head_top + 36)
      << "\" text-anchor=\"middle\" font-size=\"11\" font-family=\"DejaVu Sans Mono, monospace\" "
         "fill=\"#5f646e\">"
      << xml_escape(h.name) << "</text></g>\n";
  }
  o << "</g>\n";

  // Step separators.
  for (const auto& [row, step] : separators) {
    const double y = rows_top + kRowH * static_cast<double>(row) + 1;
    o << "<g class=\"step\"><line x1=\"4\" y1=\"" << num(y) << "\" x2=\"" << num(width - 4)
      << "\" y2=\"" << num(y) << "\" stroke=\"#8a93a3\" stroke-dasharray=\"2 3\"/><text x=\""
      << num(width - 6) << "\" y=\"" << num(y + 11)
      << "\" text-anchor=\"end\" font-size=\"10\" font-weight=\"bold\" fill=\"#5f646e\">"
      << xml_escape(format_step(step)) << "</text></g>\n";
  }

  // Arrows: time, line, head, padlock, label.
  o << "<g class=\"arrows\" font-family=\"DejaVu Sans Mono, Consolas, monospace\" "
       "font-size=\"12\">\n";
  for (std::size_t r = 0; r < l.arrows.size(); ++r) {
    const SeqArrow& a = l.arrows[r];
    const Colours col = colours_of(a);
    const double top = rows_top + kRowH * static_cast<double>(r);
    const double y = top + kRowH - 5;
    double x0 = x_of(a.from), x1 = x_of(a.to);
    if (a.from == a.to) x1 = x0 + 40;  // a host talking to itself: a short stub
    const double dir = x1 > x0 ? 1 : -1;
    o << "<g class=\"arrow\" data-kind=\"" << static_cast<int>(a.kind) << "\" data-proto=\""
      << xml_escape(a.proto) << "\" data-event=\"" << a.index << "\">";
    if (opt.tooltips && s.trace) {
      std::string tip = a.label;
      if (const auto* line = std::get_if<sim::LineEv>(&s.event(a.index).p); line && !line->data) {
        tip = line->text;
        if (!line->meaning.empty()) tip += "\n" + line->meaning;
        if (!line->rfc.empty()) tip += " [" + line->rfc + "]";
      }
      o << "<title>" << xml_escape(tip) << "</title>";
    }
    char ms[32];
    std::snprintf(ms, sizeof ms, "%.3f", static_cast<double>(s.event(a.index).t) / 1000.0);
    o << "<text class=\"time\" x=\"" << num(kLeft - 8) << "\" y=\"" << num(y + 3)
      << "\" text-anchor=\"end\" font-size=\"11\" fill=\"#8a93a3\">" << ms << "</text>";
    o << "<line x1=\"" << num(x0) << "\" y1=\"" << num(y) << "\" x2=\"" << num(x1 - 7 * dir)
      << "\" y2=\"" << num(y) << "\" stroke=\"" << col.stroke << "\" stroke-width=\"1.6\""
      << (a.dashed() ? " stroke-dasharray=\"5 4\"" : "") << "/>";
    o << "<polygon points=\"" << num(x1) << ',' << num(y) << ' ' << num(x1 - 8 * dir) << ','
      << num(y - 4) << ' ' << num(x1 - 8 * dir) << ',' << num(y + 4) << "\" fill=\"" << col.stroke
      << "\"/>";
    double lx = std::min(x0, x1) + 8;
    if (a.locked) {
      lock(o, lx, y - 4, col.text);
      lx += 13;
    }
    // A white halo keeps the label readable where it crosses a lifeline.
    o << "<text x=\"" << num(lx) << "\" y=\"" << num(y - 5) << "\" fill=\"" << col.text
      << "\" stroke=\"#ffffff\" stroke-width=\"3\" stroke-linejoin=\"round\" "
         "paint-order=\"stroke\""
      << (a.kind == SeqArrow::Kind::Line ? "" : " font-style=\"italic\"") << ">"
      << xml_escape(a.label) << "</text></g>\n";
  }
  o << "</g>\n";

  // Legend.
  o << "<g class=\"legend\" font-size=\"11\" fill=\"#3a4150\">";
  double x = kLeft;
  o << "<text x=\"8\" y=\"" << num(legend_y + 4) << "\" fill=\"#8a93a3\">ms</text>";
  struct Item {
    const char* name;
    const char* colour;
    bool dashed;
  };
  const Item items[] = {{"SMTP", "#4a90f0", false}, {"POP3", "#f09230", false},
                        {"IMAP", "#34b268", false}, {"DNS", "#aa74e8", false},
                        {"TCP", "#969aa6", true},   {"TLS", "#c9a227", true}};
  for (const Item& it : items) {
    o << "<line x1=\"" << num(x) << "\" y1=\"" << num(legend_y) << "\" x2=\"" << num(x + 22)
      << "\" y2=\"" << num(legend_y) << "\" stroke=\"" << it.colour << "\" stroke-width=\"2\""
      << (it.dashed ? " stroke-dasharray=\"5 4\"" : "") << "/><text x=\"" << num(x + 27)
      << "\" y=\"" << num(legend_y + 4) << "\">" << it.name << "</text>";
    x += 36 + 7.0 * static_cast<double>(std::string(it.name).size());
  }
  lock(o, x, legend_y + 5, "#3a4150");
  o << "<text x=\"" << num(x + 14) << "\" y=\"" << num(legend_y + 4) << "\">"
    << xml_escape(tr("seq.legend_tls")) << "</text></g>\n";
  o << "</svg>\n";
  return o.str();
}

long write_sequence_svg(const Scene& s, const std::string& path, const SequenceSvgOptions& options,
                        std::string& error) {
  const SequenceLayout layout = layout_sequence(s);
  const std::string svg = sequence_svg(s, layout, options);
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  if (f) f << svg;
  if (f) f.close();
  if (!f) {
    error = std::string("cannot write ") + path + ": " + std::strerror(errno);
    return -1;
  }
  return static_cast<long>(layout.arrows.size());
}

}  // namespace mailsim

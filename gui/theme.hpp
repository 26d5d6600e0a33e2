// The look of the window: a light and a dark theme (ImGui style colours, rounding, spacing),
// the colours the views draw with (one palette per theme, protocol colours shared by every
// view and readable on both), the fonts (DejaVu from fonts-dejavu-core, Dear ImGui's built-in
// font when those files are missing) and the scale (monitor content scale x user zoom).
#pragma once

#include <imgui.h>

#include <optional>
#include <string>
#include <string_view>

namespace mailsim {

enum class Theme { Light, Dark };
const char* to_string(Theme t);  // "light", "dark"
std::optional<Theme> theme_from_string(std::string_view s);

// Colours the views draw with on their canvases, for the current theme.
struct Palette {
  ImU32 canvas_text, link_up, link_down, host_border, host_label, host_name, host_ip;
  ImU32 host_device, host_server, host_dns, host_other;
  ImU32 packet_text, selection;  // text on a protocol-coloured packet; selected outline
  ImU32 row_current, row_hover, lifeline, time_text, arrow_label, arrow_label_future;
  ImU32 tcp_arrow, refused_arrow;
  // Transcript rows and highlighted text.
  ImVec4 line_client, line_server, line_data, line_conn, line_mailbox, line_queue, line_note;
  ImVec4 fresh;  // what changed at the current step; the lit state of a state machine
  ImVec4 clear;  // behind every window
};

// Applies a theme and a scale (content scale x zoom) to ImGui's style.
void apply_theme(Theme t, float scale);
Theme current_theme();
const Palette& palette();
// Pixels at the current scale: sizes of things the views draw themselves.
float ui_scale();
inline float px(float v) {
  return v * ui_scale();
}

// `text` shortened with "..." to fit `width` pixels in the current font (unchanged if it fits).
std::string ellipsize(const std::string& text, float width);

// Colour of a protocol name ("SMTP", "DNS", "POP3", "IMAP"; anything else is grey), the same
// in both themes and in every view; dark text (packet_text) reads on it.
ImU32 protocol_colour(const char* proto, float alpha = 1.0f);
// The protocol's colour for text on the window background of the current theme.
ImVec4 protocol_text_colour(const char* proto);

// Rebuilds the font atlas at `scale`: DejaVu Sans for the interface and DejaVu Sans Mono for
// bytes and transcripts (Latin-1 and Latin Extended, so Portuguese shows), or the built-in
// font when the files are missing or unreadable. Call outside a frame; the renderer's font
// texture must be recreated afterwards. $MAILSIM_FONT_DIR overrides where the files are.
void load_fonts(float scale);
ImFont* mono_font();      // for hex dumps and protocol lines (the interface font if no mono)
bool fonts_are_ttf();     // false: the built-in font is in use
std::string font_name();  // "DejaVu Sans 15px" or "built-in 13px"

}  // namespace mailsim

#include "gui/theme.hpp"

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <vector>

namespace mailsim {

namespace {

Theme g_theme = Theme::Dark;
float g_scale = 1.0f;
ImFont* g_mono = nullptr;
bool g_ttf = false;
std::string g_font_name = "built-in";

constexpr float kFontPx = 15.0f;     // DejaVu Sans at scale 1
constexpr float kBuiltinPx = 13.0f;  // ProggyClean, the built-in font, is drawn for 13 px

ImVec4 rgb(int r, int g, int b, float a = 1.0f) {
  return ImVec4(static_cast<float>(r) / 255.0f, static_cast<float>(g) / 255.0f,
                static_cast<float>(b) / 255.0f, a);
}

const Palette kDark{
    IM_COL32(225, 228, 235, 255),  // canvas_text
    IM_COL32(105, 112, 128, 255),  // link_up
    IM_COL32(230, 72, 72, 255),    // link_down
    IM_COL32(150, 160, 180, 255),  // host_border
    IM_COL32(245, 247, 250, 255),  // host_label
    IM_COL32(200, 206, 218, 255),  // host_name
    IM_COL32(150, 158, 175, 255),  // host_ip
    IM_COL32(36, 62, 104, 255),    // host_device
    IM_COL32(30, 84, 60, 255),     // host_server
    IM_COL32(78, 48, 104, 255),    // host_dns
    IM_COL32(56, 60, 70, 255),     // host_other
    IM_COL32(14, 16, 24, 255),     // packet_text
    IM_COL32(255, 214, 10, 255),   // selection
    IM_COL32(48, 62, 96, 255),     // row_current
    IM_COL32(40, 44, 54, 255),     // row_hover
    IM_COL32(74, 80, 94, 255),     // lifeline
    IM_COL32(140, 148, 165, 255),  // time_text
    IM_COL32(232, 235, 240, 255),  // arrow_label
    IM_COL32(200, 205, 215, 90),   // arrow_label_future
    IM_COL32(150, 156, 170, 255),  // tcp_arrow
    IM_COL32(235, 90, 90, 255),    // refused_arrow
    rgb(125, 182, 255),            // line_client
    rgb(128, 222, 140),            // line_server
    rgb(165, 170, 180),            // line_data
    rgb(155, 160, 180),            // line_conn
    rgb(255, 214, 102),            // line_mailbox
    rgb(255, 153, 102),            // line_queue
    rgb(225, 228, 235),            // line_note
    rgb(255, 214, 80),             // fresh
    rgb(22, 24, 29),               // clear
};

const Palette kLight{
    IM_COL32(30, 34, 42, 255),     // canvas_text
    IM_COL32(160, 166, 178, 255),  // link_up
    IM_COL32(210, 40, 40, 255),    // link_down
    IM_COL32(120, 128, 145, 255),  // host_border
    IM_COL32(22, 26, 34, 255),     // host_label
    IM_COL32(60, 66, 80, 255),     // host_name
    IM_COL32(100, 106, 122, 255),  // host_ip
    IM_COL32(214, 228, 250, 255),  // host_device
    IM_COL32(212, 240, 222, 255),  // host_server
    IM_COL32(234, 222, 248, 255),  // host_dns
    IM_COL32(230, 232, 237, 255),  // host_other
    IM_COL32(14, 16, 24, 255),     // packet_text
    IM_COL32(214, 120, 0, 255),    // selection
    IM_COL32(208, 222, 250, 255),  // row_current
    IM_COL32(230, 234, 242, 255),  // row_hover
    IM_COL32(196, 200, 210, 255),  // lifeline
    IM_COL32(105, 112, 128, 255),  // time_text
    IM_COL32(26, 30, 38, 255),     // arrow_label
    IM_COL32(40, 44, 54, 90),      // arrow_label_future
    IM_COL32(120, 126, 140, 255),  // tcp_arrow
    IM_COL32(205, 50, 50, 255),    // refused_arrow
    rgb(24, 88, 190),              // line_client
    rgb(22, 120, 52),              // line_server
    rgb(95, 100, 110),             // line_data
    rgb(100, 104, 124),            // line_conn
    rgb(150, 105, 0),              // line_mailbox
    rgb(190, 80, 20),              // line_queue
    rgb(30, 34, 42),               // line_note
    rgb(190, 110, 0),              // fresh
    rgb(236, 238, 242),            // clear
};

void dark_colours(ImVec4* c) {
  const ImVec4 accent = rgb(58, 110, 200), accent_hi = rgb(74, 132, 226),
               accent_lo = rgb(48, 92, 170);
  c[ImGuiCol_Text] = rgb(225, 228, 235);
  c[ImGuiCol_TextDisabled] = rgb(135, 142, 158);
  c[ImGuiCol_WindowBg] = rgb(28, 30, 36);
  c[ImGuiCol_ChildBg] = rgb(0, 0, 0, 0.0f);
  c[ImGuiCol_PopupBg] = rgb(36, 39, 47, 0.98f);
  c[ImGuiCol_Border] = rgb(58, 62, 74);
  c[ImGuiCol_BorderShadow] = rgb(0, 0, 0, 0.0f);
  c[ImGuiCol_FrameBg] = rgb(44, 48, 58);
  c[ImGuiCol_FrameBgHovered] = rgb(54, 60, 74);
  c[ImGuiCol_FrameBgActive] = rgb(62, 70, 88);
  c[ImGuiCol_TitleBg] = rgb(22, 24, 29);
  c[ImGuiCol_TitleBgActive] = rgb(30, 40, 60);
  c[ImGuiCol_TitleBgCollapsed] = rgb(22, 24, 29);
  c[ImGuiCol_MenuBarBg] = rgb(22, 24, 29);
  c[ImGuiCol_ScrollbarBg] = rgb(0, 0, 0, 0.0f);
  c[ImGuiCol_ScrollbarGrab] = rgb(66, 72, 86);
  c[ImGuiCol_ScrollbarGrabHovered] = rgb(84, 92, 110);
  c[ImGuiCol_ScrollbarGrabActive] = accent;
  c[ImGuiCol_CheckMark] = accent_hi;
  c[ImGuiCol_SliderGrab] = accent;
  c[ImGuiCol_SliderGrabActive] = accent_hi;
  c[ImGuiCol_Button] = rgb(48, 54, 68);
  c[ImGuiCol_ButtonHovered] = accent_lo;
  c[ImGuiCol_ButtonActive] = accent;
  c[ImGuiCol_Header] = rgb(48, 62, 96);
  c[ImGuiCol_HeaderHovered] = rgb(56, 74, 116);
  c[ImGuiCol_HeaderActive] = accent_lo;
  c[ImGuiCol_Separator] = rgb(58, 62, 74);
  c[ImGuiCol_SeparatorHovered] = accent_lo;
  c[ImGuiCol_SeparatorActive] = accent;
  c[ImGuiCol_ResizeGrip] = rgb(58, 110, 200, 0.25f);
  c[ImGuiCol_ResizeGripHovered] = rgb(58, 110, 200, 0.6f);
  c[ImGuiCol_ResizeGripActive] = accent;
  c[ImGuiCol_Tab] = rgb(36, 39, 47);
  c[ImGuiCol_TabHovered] = accent_lo;
  c[ImGuiCol_TabActive] = rgb(48, 62, 96);
  c[ImGuiCol_TabUnfocused] = rgb(36, 39, 47);
  c[ImGuiCol_TabUnfocusedActive] = rgb(44, 54, 80);
  c[ImGuiCol_PlotLines] = accent_hi;
  c[ImGuiCol_PlotLinesHovered] = rgb(255, 150, 90);
  c[ImGuiCol_PlotHistogram] = accent;
  c[ImGuiCol_PlotHistogramHovered] = accent_hi;
  c[ImGuiCol_TableHeaderBg] = rgb(40, 44, 54);
  c[ImGuiCol_TableBorderStrong] = rgb(66, 72, 86);
  c[ImGuiCol_TableBorderLight] = rgb(50, 54, 66);
  c[ImGuiCol_TableRowBg] = rgb(0, 0, 0, 0.0f);
  c[ImGuiCol_TableRowBgAlt] = rgb(255, 255, 255, 0.03f);
  c[ImGuiCol_TextSelectedBg] = rgb(58, 110, 200, 0.45f);
  c[ImGuiCol_DragDropTarget] = rgb(255, 214, 10);
  c[ImGuiCol_NavHighlight] = accent_hi;
  c[ImGuiCol_NavWindowingHighlight] = rgb(255, 255, 255, 0.7f);
  c[ImGuiCol_NavWindowingDimBg] = rgb(0, 0, 0, 0.4f);
  c[ImGuiCol_ModalWindowDimBg] = rgb(0, 0, 0, 0.45f);
}

void light_colours(ImVec4* c) {
  const ImVec4 accent = rgb(40, 100, 200), accent_soft = rgb(196, 214, 246),
               accent_softer = rgb(214, 228, 250);
  c[ImGuiCol_Text] = rgb(30, 34, 42);
  c[ImGuiCol_TextDisabled] = rgb(110, 116, 130);
  c[ImGuiCol_WindowBg] = rgb(248, 249, 251);
  c[ImGuiCol_ChildBg] = rgb(0, 0, 0, 0.0f);
  c[ImGuiCol_PopupBg] = rgb(255, 255, 255, 0.99f);
  c[ImGuiCol_Border] = rgb(204, 208, 218);
  c[ImGuiCol_BorderShadow] = rgb(0, 0, 0, 0.0f);
  c[ImGuiCol_FrameBg] = rgb(232, 235, 241);
  c[ImGuiCol_FrameBgHovered] = rgb(220, 226, 238);
  c[ImGuiCol_FrameBgActive] = accent_soft;
  c[ImGuiCol_TitleBg] = rgb(232, 235, 241);
  c[ImGuiCol_TitleBgActive] = rgb(214, 224, 242);
  c[ImGuiCol_TitleBgCollapsed] = rgb(232, 235, 241);
  c[ImGuiCol_MenuBarBg] = rgb(236, 238, 243);
  c[ImGuiCol_ScrollbarBg] = rgb(0, 0, 0, 0.0f);
  c[ImGuiCol_ScrollbarGrab] = rgb(196, 200, 210);
  c[ImGuiCol_ScrollbarGrabHovered] = rgb(170, 176, 190);
  c[ImGuiCol_ScrollbarGrabActive] = accent;
  c[ImGuiCol_CheckMark] = accent;
  c[ImGuiCol_SliderGrab] = accent;
  c[ImGuiCol_SliderGrabActive] = rgb(30, 80, 170);
  c[ImGuiCol_Button] = rgb(226, 230, 238);
  c[ImGuiCol_ButtonHovered] = accent_softer;
  c[ImGuiCol_ButtonActive] = accent_soft;
  c[ImGuiCol_Header] = accent_softer;
  c[ImGuiCol_HeaderHovered] = rgb(204, 220, 248);
  c[ImGuiCol_HeaderActive] = accent_soft;
  c[ImGuiCol_Separator] = rgb(204, 208, 218);
  c[ImGuiCol_SeparatorHovered] = accent_soft;
  c[ImGuiCol_SeparatorActive] = accent;
  c[ImGuiCol_ResizeGrip] = rgb(40, 100, 200, 0.2f);
  c[ImGuiCol_ResizeGripHovered] = rgb(40, 100, 200, 0.5f);
  c[ImGuiCol_ResizeGripActive] = accent;
  c[ImGuiCol_Tab] = rgb(226, 230, 238);
  c[ImGuiCol_TabHovered] = accent_softer;
  c[ImGuiCol_TabActive] = rgb(255, 255, 255);
  c[ImGuiCol_TabUnfocused] = rgb(226, 230, 238);
  c[ImGuiCol_TabUnfocusedActive] = rgb(250, 250, 252);
  c[ImGuiCol_PlotLines] = accent;
  c[ImGuiCol_PlotLinesHovered] = rgb(220, 100, 40);
  c[ImGuiCol_PlotHistogram] = accent;
  c[ImGuiCol_PlotHistogramHovered] = rgb(30, 80, 170);
  c[ImGuiCol_TableHeaderBg] = rgb(230, 233, 240);
  c[ImGuiCol_TableBorderStrong] = rgb(190, 196, 208);
  c[ImGuiCol_TableBorderLight] = rgb(220, 224, 232);
  c[ImGuiCol_TableRowBg] = rgb(0, 0, 0, 0.0f);
  c[ImGuiCol_TableRowBgAlt] = rgb(0, 0, 0, 0.03f);
  c[ImGuiCol_TextSelectedBg] = rgb(40, 100, 200, 0.3f);
  c[ImGuiCol_DragDropTarget] = rgb(214, 120, 0);
  c[ImGuiCol_NavHighlight] = accent;
  c[ImGuiCol_NavWindowingHighlight] = rgb(40, 40, 40, 0.7f);
  c[ImGuiCol_NavWindowingDimBg] = rgb(40, 40, 40, 0.2f);
  c[ImGuiCol_ModalWindowDimBg] = rgb(40, 40, 40, 0.35f);
}

// A font file the loader can use: a TrueType tag, a table directory that fits in the file, and
// the tables stb_truetype needs, each inside the file. Checking this first keeps a damaged or
// truncated file from reaching the loader (which trusts its input) and the built-in font is
// used instead.
bool looks_like_font(const std::vector<char>& d) {
  auto u16 = [&](std::size_t at) {
    return static_cast<std::uint32_t>(static_cast<unsigned char>(d[at]) << 8 |
                                      static_cast<unsigned char>(d[at + 1]));
  };
  auto u32 = [&](std::size_t at) { return u16(at) << 16 | u16(at + 2); };
  if (d.size() < 12) return false;
  if (std::memcmp(d.data(), "\x00\x01\x00\x00", 4) != 0 && std::memcmp(d.data(), "true", 4) != 0)
    return false;
  const std::size_t tables = u16(4);
  if (12 + tables * 16 > d.size()) return false;
  int found = 0;
  for (std::size_t i = 0; i < tables; ++i) {
    const std::size_t rec = 12 + i * 16;
    const std::uint64_t off = u32(rec + 8), len = u32(rec + 12);
    if (off + len > d.size()) return false;
    for (const char* need : {"cmap", "head", "hhea", "hmtx", "loca", "glyf", "maxp"})
      if (std::memcmp(d.data() + rec, need, 4) == 0) ++found;
  }
  return found == 7;
}

ImFont* add_ttf(const std::string& path, float size, const ImWchar* ranges) {
  // One read of the whole file (a character-by-character copy cost a few ms at start-up).
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  if (!in) return nullptr;
  const std::streamoff bytes = in.tellg();
  if (bytes <= 0) return nullptr;
  std::vector<char> data(static_cast<std::size_t>(bytes));
  in.seekg(0);
  if (!in.read(data.data(), bytes) || !looks_like_font(data)) return nullptr;
  void* mem = IM_ALLOC(data.size());  // the atlas owns and frees it
  std::memcpy(mem, data.data(), data.size());
  ImFontConfig cfg;
  cfg.OversampleH = 2;
  cfg.PixelSnapH = false;
  return ImGui::GetIO().Fonts->AddFontFromMemoryTTF(mem, static_cast<int>(data.size()), size, &cfg,
                                                    ranges);
}

void add_builtin(float scale) {
  ImFontConfig cfg;
  cfg.SizePixels = std::round(kBuiltinPx * scale);
  ImGui::GetIO().Fonts->AddFontDefault(&cfg);
  g_mono = nullptr;
  g_ttf = false;
  g_font_name = "built-in " + std::to_string(static_cast<int>(cfg.SizePixels)) + "px";
}

}  // namespace

const char* to_string(Theme t) {
  return t == Theme::Light ? "light" : "dark";
}

std::optional<Theme> theme_from_string(std::string_view s) {
  if (s == "light") return Theme::Light;
  if (s == "dark") return Theme::Dark;
  return std::nullopt;
}

void apply_theme(Theme t, float scale) {
  g_theme = t;
  g_scale = scale;
  ImGuiStyle& st = ImGui::GetStyle();
  st = ImGuiStyle();
  st.WindowPadding = ImVec2(10, 8);
  st.FramePadding = ImVec2(8, 4);
  st.CellPadding = ImVec2(6, 3);
  st.ItemSpacing = ImVec2(8, 5);
  st.ItemInnerSpacing = ImVec2(6, 4);
  st.IndentSpacing = 18;
  st.ScrollbarSize = 12;
  st.GrabMinSize = 10;
  st.WindowBorderSize = 1;
  st.ChildBorderSize = 1;
  st.PopupBorderSize = 1;
  st.FrameBorderSize = 0;
  st.TabBorderSize = 0;
  st.WindowRounding = 0;  // the panels tile the window
  st.ChildRounding = 4;
  st.FrameRounding = 4;
  st.PopupRounding = 4;
  st.ScrollbarRounding = 6;
  st.GrabRounding = 4;
  st.TabRounding = 4;
  st.WindowTitleAlign = ImVec2(0.0f, 0.5f);
  st.WindowMenuButtonPosition = ImGuiDir_None;
  if (t == Theme::Dark)
    dark_colours(st.Colors);
  else
    light_colours(st.Colors);
  st.ScaleAllSizes(scale);
}

Theme current_theme() {
  return g_theme;
}

const Palette& palette() {
  return g_theme == Theme::Dark ? kDark : kLight;
}

float ui_scale() {
  return g_scale;
}

std::string ellipsize(const std::string& text, float width) {
  if (ImGui::CalcTextSize(text.c_str()).x <= width) return text;
  // Drop whole UTF-8 characters from the end until the rest and "..." fit.
  std::string t = text;
  while (!t.empty()) {
    while (!t.empty() && (static_cast<unsigned char>(t.back()) & 0xC0) == 0x80) t.pop_back();
    if (!t.empty()) t.pop_back();  // the character's first byte (or an ASCII character)
    if (ImGui::CalcTextSize((t + "...").c_str()).x <= width) break;
  }
  return t + "...";
}

ImU32 protocol_colour(const char* p, float alpha) {
  auto c = [&](int r, int g, int b) { return IM_COL32(r, g, b, static_cast<int>(alpha * 255.0f)); };
  if (!std::strcmp(p, "SMTP")) return c(74, 144, 240);
  if (!std::strcmp(p, "DNS")) return c(170, 116, 232);
  if (!std::strcmp(p, "POP3")) return c(240, 146, 48);
  if (!std::strcmp(p, "IMAP")) return c(52, 178, 104);
  return c(150, 154, 166);
}

ImVec4 protocol_text_colour(const char* p) {
  const bool dark = g_theme == Theme::Dark;
  if (!std::strcmp(p, "SMTP")) return dark ? rgb(125, 182, 255) : rgb(24, 88, 190);
  if (!std::strcmp(p, "DNS")) return dark ? rgb(200, 160, 245) : rgb(120, 60, 180);
  if (!std::strcmp(p, "POP3")) return dark ? rgb(255, 176, 96) : rgb(170, 90, 0);
  if (!std::strcmp(p, "IMAP")) return dark ? rgb(110, 214, 150) : rgb(20, 120, 60);
  return dark ? rgb(165, 170, 180) : rgb(95, 100, 110);
}

void load_fonts(float scale) {
  ImFontAtlas* atlas = ImGui::GetIO().Fonts;
  atlas->Clear();
  // Latin-1, Latin Extended-A and -B, general punctuation (dashes, quotes, ellipsis), arrows
  // and a few geometric shapes: enough for Portuguese and the symbols the views use.
  static const ImWchar ranges[] = {0x0020, 0x00FF, 0x0100, 0x024F, 0x2010, 0x205E,
                                   0x2190, 0x21FF, 0x25A0, 0x25FF, 0};
  std::string dir = "/usr/share/fonts/truetype/dejavu";
  if (const char* env = std::getenv("MAILSIM_FONT_DIR"); env && *env) dir = env;
  const float size = std::round(kFontPx * scale);
  ImFont* ui = add_ttf(dir + "/DejaVuSans.ttf", size, ranges);
  if (!ui) {
    add_builtin(scale);
  } else {
    g_mono = add_ttf(dir + "/DejaVuSansMono.ttf", std::round(size * 0.93f), ranges);
    g_ttf = true;
    g_font_name = "DejaVu Sans " + std::to_string(static_cast<int>(size)) + "px";
  }
  if (!atlas->Build()) {  // a file that passed the check but does not load
    atlas->Clear();
    add_builtin(scale);
    atlas->Build();
  }
}

ImFont* mono_font() {
  return g_mono                                ? g_mono
         : ImGui::GetIO().Fonts->Fonts.empty() ? nullptr
                                               : ImGui::GetIO().Fonts->Fonts[0];
}

bool fonts_are_ttf() {
  return g_ttf;
}

std::string font_name() {
  return g_font_name;
}

}  // namespace mailsim

// Message anatomy view: the message carried by the connection of the selected (or current)
// line, rebuilt from the trace (message_anatomy.hpp): envelope against header, each
// Received: hop oldest first, every header field, and the MIME tree with decoded previews.
// Clicking a field or a hop moves the cursor to the protocol line that carried it.
#include <cmath>
#include <optional>
#include <string>
#include <utility>

#include "gui/i18n.hpp"
#include "gui/message_anatomy.hpp"
#include "gui/timeline.hpp"
#include "gui/views.hpp"
#include "net/message/message.hpp"

namespace mailsim {

namespace {

std::string no_spaces(std::string s) {
  for (auto& c : s)
    if (c == ' ') c = '_';
  return s;
}

// The address in "Name <a@b>", "<a@b>", "MAIL FROM:<a@b> SIZE=1" (lower case), or "".
std::string address_in(const std::string& text) {
  std::string t = text;
  if (auto colon = t.find(':');
      colon != std::string::npos && t.find('<') != std::string::npos && colon < t.find('<'))
    t = t.substr(colon + 1);
  if (auto close = t.find('>'); close != std::string::npos) t.resize(close + 1);
  auto a = net::message::extract_address(t);
  std::string out = a ? *a : "";
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

class AnatomyView : public View {
 public:
  AnatomyView() : View("Anatomy") {}

  std::string print_state() const override {
    if (!drawn_) return "";
    if (!msg_) return "anatomy=none";
    return "anatomy_conn=" + std::to_string(msg_->conn) +
           " anatomy_subject=" + no_spaces(anatomy_.get("Subject")) +
           " anatomy_hops=" + std::to_string(anatomy_.hops.size()) +
           " anatomy_parts=" + std::to_string(anatomy_.parts.size()) +
           " anatomy_fields=" + std::to_string(anatomy_.fields.size()) +
           " anatomy_hop1_xy=" + std::to_string(std::lround(hop_xy_.first)) + ":" +
           std::to_string(std::lround(hop_xy_.second));
  }

 protected:
  void draw_content(ViewContext& ctx) override {
    drawn_ = true;
    const Scene& s = ctx.scene;
    std::size_t idx = SIZE_MAX;
    if (ctx.state.selected && *ctx.state.selected < s.trace->size()) {
      idx = *ctx.state.selected;
    } else {
      const std::size_t passed = Scene::passed(s.lines, ctx.state.upto);
      if (passed) idx = s.lines[passed - 1];
    }
    if (idx != for_index_ || ctx.state.selected.has_value() != for_selected_) {
      for_index_ = idx;
      for_selected_ = ctx.state.selected.has_value();
      // A selected line shows its own connection's message; the cursor falls back to the
      // last message it has passed.
      msg_ = idx == SIZE_MAX                  ? std::nullopt
             : ctx.state.selected.has_value() ? message_at(s, idx)
                                              : message_near(s, idx, ctx.state.upto);
      if (msg_) anatomy_ = dissect(*msg_);
    }
    ImGui::PushTextWrapPos(0);
    if (!msg_) {
      ImGui::TextDisabled("%s", tr("anat.none"));
      ImGui::PopTextWrapPos();
      return;
    }
    const CarriedMessage& m = *msg_;
    const Anatomy& a = anatomy_;
    ImGui::TextColored(protocol_text_colour(sim::to_string(m.proto)), "%s",
                       a.get("Subject").c_str());
    ImGui::TextDisabled(tr("anat.title"), m.conn, sim::to_string(m.proto), m.command_text.c_str());
    if (!m.lines.empty() && m.lines.front() >= ctx.state.upto)
      ImGui::TextColored(palette().fresh, "%s", tr("anat.future"));
    ImGui::PopTextWrapPos();

    draw_envelope(ctx, m, a);
    draw_hops(ctx, m, a);
    draw_fields(ctx, m, a);
    draw_mime(a);
  }

 private:
  void go_to(ViewContext& ctx, std::size_t trace_index) {
    ctx.state.selected = trace_index;
    ctx.state.playing = false;
    seek_event(ctx.state, ctx.scene, trace_index);
  }

  std::size_t field_trace(const CarriedMessage& m, const HeaderLine& f) const {
    return f.line < m.lines.size() ? m.lines[f.line] : m.command;
  }

  // A clickable, wrapped line; a click moves the cursor to trace index `target` (the line
  // that carried it is then selected and lit).
  void link(ViewContext& ctx, const std::string& text, std::size_t target, const void* id) {
    ImGui::PushID(id);
    const bool here = ctx.state.selected && *ctx.state.selected == target;
    if (here) ImGui::PushStyleColor(ImGuiCol_Text, palette().fresh);
    ImGui::PushTextWrapPos(0);
    ImGui::TextUnformatted(text.c_str());
    ImGui::PopTextWrapPos();
    if (here) ImGui::PopStyleColor();
    if (ImGui::IsItemHovered()) {
      ImGui::GetWindowDrawList()->AddRect(ImGui::GetItemRectMin(), ImGui::GetItemRectMax(),
                                          palette().selection);
      ImGui::SetMouseCursor(ImGuiMouseCursor_Hand);
      if (ImGui::IsMouseClicked(ImGuiMouseButton_Left)) go_to(ctx, target);
    }
    ImGui::PopID();
  }

  void draw_envelope(ViewContext& ctx, const CarriedMessage& m, const Anatomy& a) {
    if (!ImGui::CollapsingHeader(
            (std::string(tr("anat.envelope")) + " / " + tr("anat.header") + "###env").c_str(),
            ImGuiTreeNodeFlags_DefaultOpen))
      return;
    if (!ImGui::BeginTable("envelope", 2,
                           ImGuiTableFlags_Borders | ImGuiTableFlags_SizingStretchSame))
      return;
    ImGui::TableSetupColumn(tr("anat.envelope"));
    ImGui::TableSetupColumn(tr("anat.header"));
    ImGui::TableHeadersRow();
    ImGui::TableNextRow();
    ImGui::TableSetColumnIndex(0);
    ImGui::PushFont(mono_font());
    std::string env_from, header_from = address_in(a.get("From"));
    std::vector<std::string> env_to;
    if (m.envelope.empty()) {
      ImGui::PopFont();
      ImGui::PushTextWrapPos(0);
      const std::string rp = a.get("Return-Path");
      ImGui::TextDisabled(tr("anat.no_envelope"), sim::to_string(m.proto),
                          rp.empty() ? "-" : rp.c_str());
      ImGui::PopTextWrapPos();
      ImGui::PushFont(mono_font());
    }
    for (const auto& [text, idx] : m.envelope) {
      link(ctx, text, idx, &text);
      if (text.rfind("MAIL", 0) == 0)
        env_from = address_in(text);
      else
        env_to.push_back(address_in(text));
    }
    ImGui::TableSetColumnIndex(1);
    bool to_differs = false;
    for (const auto& f : a.fields) {
      const bool from = f.name == "From" || f.name == "Sender";
      const bool to = f.name == "To" || f.name == "Cc" || f.name == "Bcc";
      if (!from && !to) continue;
      link(ctx, f.name + ": " + f.value, field_trace(m, f), &f);
      if (to && std::find(env_to.begin(), env_to.end(), address_in(f.value)) == env_to.end())
        to_differs = true;
    }
    ImGui::PopFont();
    ImGui::EndTable();
    if (!m.envelope.empty() && (env_from != header_from || to_differs)) {
      ImGui::PushTextWrapPos(0);
      ImGui::TextColored(palette().fresh, "%s", tr("anat.env_differs"));
      ImGui::PopTextWrapPos();
    }
  }

  void draw_hops(ViewContext& ctx, const CarriedMessage& m, const Anatomy& a) {
    char title[160];
    std::snprintf(title, sizeof title, tr("anat.hops"), a.hops.size());
    if (!ImGui::CollapsingHeader((std::string(title) + "###hops").c_str(),
                                 ImGuiTreeNodeFlags_DefaultOpen))
      return;
    if (a.hops.empty()) {
      ImGui::TextDisabled("%s", tr("anat.no_hops"));
      return;
    }
    // One hop per entry: who received it and how, then where from and when.
    for (std::size_t i = 0; i < a.hops.size(); ++i) {
      const ReceivedHop& hop = a.hops[i];
      std::string head = std::to_string(i + 1) + ". " + tr("anat.col_by") + " " + hop.by;
      if (!hop.with.empty()) head += "  " + std::string(tr("anat.col_with")) + " " + hop.with;
      if (!hop.id.empty()) head += "  " + std::string(tr("anat.col_id")) + " " + hop.id;
      link(ctx, head, field_trace(m, a.fields[hop.field]), &hop);
      if (i == 0) {
        const ImVec2 lo = ImGui::GetItemRectMin(), hi = ImGui::GetItemRectMax();
        hop_xy_ = {(lo.x + hi.x) / 2, (lo.y + hi.y) / 2};
      }
      ImGui::Indent();
      ImGui::PushTextWrapPos(0);
      ImGui::TextDisabled("%s %s", tr("anat.col_from"), hop.from.c_str());
      if (!hop.date.empty()) ImGui::TextDisabled("%s %s", tr("anat.col_date"), hop.date.c_str());
      ImGui::PopTextWrapPos();
      ImGui::Unindent();
    }
  }

  void draw_fields(ViewContext& ctx, const CarriedMessage& m, const Anatomy& a) {
    char title[160];
    std::snprintf(title, sizeof title, tr("anat.fields"), a.fields.size());
    if (!ImGui::CollapsingHeader((std::string(title) + "###fields").c_str(),
                                 ImGuiTreeNodeFlags_DefaultOpen))
      return;
    ImGui::PushFont(mono_font());
    for (const auto& f : a.fields) {
      const bool trace = f.name == "Received" || f.name == "Return-Path";
      if (trace) ImGui::PushStyleColor(ImGuiCol_Text, palette().line_server);
      link(ctx, f.name + ": " + f.value, field_trace(m, f), &f);
      if (trace) ImGui::PopStyleColor();
    }
    ImGui::PopFont();
  }

  void draw_mime(const Anatomy& a) {
    if (!ImGui::CollapsingHeader((std::string(tr("anat.mime")) + "###mime").c_str(),
                                 ImGuiTreeNodeFlags_DefaultOpen))
      return;
    for (const auto& p : a.parts) {
      const float indent = px(18.0f) * static_cast<float>(p.depth);
      if (indent > 0) ImGui::Indent(indent);
      std::string head = p.path.empty() ? "" : p.path + "  ";
      head += p.type + "/" + p.subtype;
      for (const auto& [k, v] : p.params) {
        head += "; ";
        head += k;
        head += '=';
        head += v;
      }
      if (!p.encoding.empty()) head += "  [" + p.encoding + "]";
      ImGui::PushTextWrapPos(0);
      ImGui::TextColored(palette().line_client, tr("anat.part"), head.c_str(), p.size);
      if (!p.disposition.empty())
        ImGui::TextDisabled("Content-Disposition: %s", p.disposition.c_str());
      if (p.type != "multipart" && !(p.type == "message" && p.subtype == "rfc822")) {
        if (p.preview.empty())
          ImGui::TextDisabled("%s", tr("anat.binary"));
        else
          ImGui::Text("\"%s\"", p.preview.c_str());
      }
      ImGui::PopTextWrapPos();
      if (indent > 0) ImGui::Unindent(indent);
    }
  }

  bool drawn_ = false;
  std::size_t for_index_ = SIZE_MAX - 1;
  bool for_selected_ = false;
  std::pair<float, float> hop_xy_{0, 0};  // where the oldest hop was drawn (for tests)
  std::optional<CarriedMessage> msg_;
  Anatomy anatomy_;
};

}  // namespace

std::unique_ptr<View> make_anatomy_view() {
  return std::make_unique<AnatomyView>();
}

}  // namespace mailsim

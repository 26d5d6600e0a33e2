// Transcript view: the classic C:/S: lines with connections, DNS, queue and mailbox events;
// what lies after the cursor is dimmed; clicking a line moves the cursor there. A filter bar
// narrows it to one connection and to chosen protocols (gui/transcript_filter.hpp).
#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

#include "gui/i18n.hpp"
#include "gui/timeline.hpp"
#include "gui/transcript_filter.hpp"
#include "gui/views.hpp"

namespace mailsim {

namespace {

struct Row {
  std::size_t index;
  std::string text;
  ImVec4 colour;
  std::string meaning;
};

// Colours come from the theme at build time; rows are rebuilt when the theme or language changes.
std::vector<Row> build_rows(const Scene& s, const TranscriptFilter& f) {
  const Palette& pal = palette();
  std::vector<Row> rows;
  const auto& ev = s.trace->events();
  const auto protos = connection_protocols(*s.trace);
  for (std::size_t i = 0; i < ev.size(); ++i) {
    if (!f.all() && !passes(ev[i], f, protos)) continue;
    char ts[24];
    std::snprintf(ts, sizeof ts, "%9.3f  ", static_cast<double>(ev[i].t) / 1000.0);
    Row r{i, ts, pal.line_note, {}};
    if (const auto* l = std::get_if<sim::LineEv>(&ev[i].p)) {
      if (l->proto == sim::Proto::Dns) {
        r.text += "DNS " + l->from + " > " + l->to + ": " + l->text;
        r.colour = protocol_text_colour("DNS");
      } else {
        r.text += "#" + std::to_string(l->conn) + (l->from_client ? " C: " : " S: ") + l->text;
        r.colour = l->data ? pal.line_data : l->from_client ? pal.line_client : pal.line_server;
      }
      r.meaning = l->meaning + (l->rfc.empty() ? "" : "  [" + l->rfc + "]");
    } else if (const auto* c = std::get_if<sim::ConnEv>(&ev[i].p)) {
      r.text += "#" + std::to_string(c->conn) + " " + c->op + " " + c->client + " > " + c->server +
                ":" + std::to_string(c->server_port);
      r.colour = pal.line_conn;
    } else if (const auto* m = std::get_if<sim::MailboxEv>(&ev[i].p)) {
      r.text += std::string(tr("tx.mailbox")) + " " + m->mailbox + ": " + m->op + " uid " +
                std::to_string(m->uid);
      r.colour = pal.line_mailbox;
    } else if (const auto* q = std::get_if<sim::QueueEv>(&ev[i].p)) {
      r.text += std::string(tr("tx.queue")) + " " + q->host + " " + q->id + " " + q->op + ": " +
                q->detail;
      r.colour = pal.line_queue;
    } else if (const auto* n = std::get_if<sim::NoteEv>(&ev[i].p)) {
      if (n->kind == "step") continue;  // the narration panel shows steps
      r.text += "-- " + n->text;
    } else {
      continue;
    }
    rows.push_back(std::move(r));
  }
  return rows;
}

class TranscriptView : public View {
 public:
  TranscriptView() : View("Transcript") {}

 protected:
  void draw_content(ViewContext& ctx) override {
    if (built_for_ != ctx.scene.trace) {
      conns_ = connection_choices(*ctx.scene.trace);
      filter_ = {};
    }
    if (dirty_ || built_for_ != ctx.scene.trace || built_lang_ != language() ||
        built_theme_ != current_theme()) {
      rows_ = build_rows(ctx.scene, filter_);
      built_for_ = ctx.scene.trace;
      built_lang_ = language();
      built_theme_ = current_theme();
      dirty_ = false;
    }
    filter_bar(ctx.state);
    ImGui::Checkbox(tr("tx.follow"), &ctx.state.follow);
    ImGui::SameLine();
    // Copies what the filter shows.
    if (ImGui::Button(tr("tx.copy"))) {
      std::string all;
      for (const auto& r : rows_) all += r.text + "\n";
      ImGui::SetClipboardText(all.c_str());
    }
    ImGui::BeginChild("rows", ImVec2(0, 0), false, ImGuiWindowFlags_HorizontalScrollbar);
    ImGui::PushFont(mono_font());
    // The last row at or before the cursor is the current one.
    // The last one the cursor has passed (rows are in trace order: a binary search).
    const int current = static_cast<int>(std::partition_point(rows_.begin(), rows_.end(),
                                                              [&](const auto& r) {
                                                                return r.index < ctx.state.upto;
                                                              }) -
                                         rows_.begin()) -
                        1;
    ImGuiListClipper clip;
    clip.Begin(static_cast<int>(rows_.size()));
    while (clip.Step()) {
      for (int i = clip.DisplayStart; i < clip.DisplayEnd; ++i) {
        const Row& r = rows_[static_cast<std::size_t>(i)];
        bool future = i > current;
        ImVec4 col = r.colour;
        if (future) col.w = 0.35f;
        ImGui::PushStyleColor(ImGuiCol_Text, col);
        ImGui::PushID(i);
        bool sel = ctx.state.selected && *ctx.state.selected == r.index;
        if (ImGui::Selectable(r.text.c_str(), sel || i == current)) {
          seek_event(ctx.state, ctx.scene, r.index);
          ctx.state.selected = r.index;
          ctx.state.playing = false;
        }
        if (ImGui::IsItemHovered() && !r.meaning.empty())
          ImGui::SetTooltip("%s", r.meaning.c_str());
        ImGui::PopID();
        ImGui::PopStyleColor();
      }
    }
    if (ctx.state.follow && current >= 0 && current != last_current_) {
      ImGui::SetScrollY(static_cast<float>(current) * ImGui::GetTextLineHeightWithSpacing() -
                        ImGui::GetWindowHeight() * 0.5f);
      last_current_ = current;
    }
    ImGui::PopFont();
    ImGui::EndChild();
  }

  std::string print_state() const override {
    std::string f = filter_.conn ? "conn" + std::to_string(*filter_.conn) : "all";
    for (auto [on, name] : {std::pair{filter_.smtp, "smtp"}, std::pair{filter_.pop3, "pop3"},
                            std::pair{filter_.imap, "imap"}, std::pair{filter_.dns, "dns"},
                            std::pair{filter_.other, "other"}})
      if (on) f += "+" + std::string(name);
    return "transcript_rows=" + std::to_string(rows_.size()) + " transcript_filter=" + f;
  }

 private:
  // A switch per protocol on one line; below it the connection menu (then Follow and Copy
  // on the same line). Any change rebuilds the rows.
  void filter_bar(ViewState& v) {
    bool first = true;
    for (auto [flag, name] : {std::pair{&filter_.smtp, "SMTP"}, std::pair{&filter_.pop3, "POP3"},
                              std::pair{&filter_.imap, "IMAP"}, std::pair{&filter_.dns, "DNS"},
                              std::pair{&filter_.other, "tx.other"}}) {
      if (!first) ImGui::SameLine();
      first = false;
      const bool key = name[0] == 't';
      if (ImGui::Checkbox(key ? tr(name) : name, flag)) dirty_ = true;
      // Where it is, for scripted tests ("Transcript:SMTP").
      const ImVec2 a = ImGui::GetItemRectMin(), b = ImGui::GetItemRectMax();
      v.tab_centres[std::string("Transcript:") + (key ? "Other" : name)] = {
          a.x + ImGui::GetFrameHeight() / 2, (a.y + b.y) / 2};
    }
    std::string current = tr("tx.all_conns");
    for (const auto& c : conns_)
      if (filter_.conn && *filter_.conn == c.conn) current = c.label;
    ImGui::SetNextItemWidth(px(230));
    if (ImGui::BeginCombo("##conn", current.c_str())) {
      if (ImGui::Selectable(tr("tx.all_conns"), !filter_.conn)) filter_.conn.reset(), dirty_ = true;
      for (const auto& c : conns_)
        if (ImGui::Selectable(c.label.c_str(), filter_.conn && *filter_.conn == c.conn))
          filter_.conn = c.conn, dirty_ = true;
      ImGui::EndCombo();
    }
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", tr("tx.conn_tip"));
    ImGui::SameLine();
  }

  std::vector<Row> rows_;
  std::vector<ConnChoice> conns_;
  TranscriptFilter filter_;
  bool dirty_ = false;
  const sim::Trace* built_for_ = nullptr;
  std::string built_lang_;
  Theme built_theme_ = Theme::Dark;
  int last_current_ = -2;
};

}  // namespace

std::unique_ptr<View> make_transcript_view() {
  return std::make_unique<TranscriptView>();
}

}  // namespace mailsim

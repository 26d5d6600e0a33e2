// Mail state view: every server account and every device's local store as they were at the
// cursor (folded from the trace by mail_fold.hpp), by folder, with each message's flags
// (a dot: unread, "!": flagged) and, on devices, whether only the headers are there; what
// changed at the current step is highlighted. Servers first, then the devices by label.
#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "gui/i18n.hpp"
#include "gui/mail_fold.hpp"
#include "gui/views.hpp"

namespace mailsim {

namespace {

bool has_flag(const std::string& flags, const char* flag) {
  return (" " + flags + " ").find(std::string(" ") + flag + " ") != std::string::npos;
}

class MailStateView : public View {
 public:
  MailStateView() : View("Mail state") {}

  std::string print_state() const override {
    return "mail_servers=" + std::to_string(servers_) +
           " mail_devices=" + std::to_string(devices_) +
           " mail_headers_only=" + std::to_string(headers_only_);
  }

 protected:
  void draw_content(ViewContext& ctx) override {
    const Scene& s = ctx.scene;
    const auto places = fold_mailboxes(s, ctx.state.upto);
    // Changes after the previous protocol line count as this step's changes.
    const std::size_t before = Scene::passed(s.lines, ctx.state.upto ? ctx.state.upto - 1 : 0);
    step_start_ = before ? s.lines[before - 1] : 0;
    servers_ = devices_ = headers_only_ = 0;

    ImGui::TextDisabled("%s", tr("ms.legend"));
    ImGui::Separator();
    ImGui::TextDisabled("%s", tr("ms.servers"));
    for (const auto& [key, p] : places)
      if (!p.device) {
        ++servers_;
        ImGui::PushID(key.c_str());
        ImGui::Text(tr("ms.mailbox_on"), p.mailbox.c_str(), p.host.c_str());
        draw_folders(p);
        ImGui::PopID();
      }
    ImGui::Spacing();
    ImGui::TextDisabled("%s", tr("ms.devices"));
    // Devices in the lesson's order, under their labels ("Bruno's phone").
    for (const auto& h : s.lesson->hosts) {
      if (h.role != "device") continue;
      for (const auto& [key, p] : places) {
        if (!p.device || p.host != h.name) continue;
        ++devices_;
        ImGui::PushID(key.c_str());
        ImGui::Text("%s", h.label.empty() ? h.name.c_str() : h.label.c_str());
        ImGui::SameLine();
        ImGui::TextDisabled(tr("ms.device"), h.name.c_str(), p.mailbox.c_str());
        draw_folders(p);
        ImGui::PopID();
      }
    }
    if (devices_ == 0) ImGui::TextDisabled("    %s", tr("ms.no_devices"));
    draw_queues(ctx);
  }

 private:
  void draw_folders(const FoldedPlace& p) {
    ImGui::Indent();
    for (const auto& [folder, list] : p.folders) {
      if (folder != "INBOX" && list.empty()) continue;
      ImGui::TextDisabled(tr("ms.folder"), folder.c_str(), list.size());
      if (list.empty()) {
        ImGui::SameLine();
        ImGui::TextDisabled("%s", tr("ms.empty"));
      }
      ImGui::Indent();
      if (p.device)
        for (const auto& m : list) headers_only_ += !m.cached;
      // One line per message: only the rows in view are built (a mailbox of a long trace
      // holds thousands, and every row drawn costs vertices even when scrolled away).
      ImGuiListClipper clip;
      clip.Begin(static_cast<int>(list.size()));
      while (clip.Step())
        for (int i = clip.DisplayStart; i < clip.DisplayEnd; ++i)
          draw_message(p, list[static_cast<std::size_t>(i)]);
      ImGui::Unindent();
    }
    ImGui::Unindent();
  }

  void draw_message(const FoldedPlace& p, const FoldedMessage& m) {
    const bool fresh = m.since > step_start_;
    const bool unread = !has_flag(m.flags, "\\Seen");
    const bool flagged = has_flag(m.flags, "\\Flagged");
    // The unread dot, drawn (the fonts have no bullet glyph), in a fixed column.
    const float h = ImGui::GetTextLineHeight();
    const ImVec2 at = ImGui::GetCursorScreenPos();
    if (unread)
      ImGui::GetWindowDrawList()->AddCircleFilled(ImVec2(at.x + h * 0.35f, at.y + h * 0.5f),
                                                  h * 0.22f, protocol_colour("IMAP"));
    ImGui::Dummy(ImVec2(h * 0.8f, h));
    ImGui::SameLine(0, 0);
    if (fresh) ImGui::PushStyleColor(ImGuiCol_Text, palette().fresh);
    ImGui::Text(tr("ms.item"), m.uid, static_cast<unsigned long long>(m.size), m.summary.c_str());
    if (fresh) ImGui::PopStyleColor();
    if (ImGui::IsItemHovered() && !m.flags.empty()) ImGui::SetTooltip("%s", m.flags.c_str());
    if (flagged) {
      ImGui::SameLine();
      ImGui::TextColored(protocol_text_colour("SMTP"), "! %s", tr("ms.flagged"));
    }
    if (p.device && !m.cached) {
      ImGui::SameLine();
      ImGui::TextDisabled("[%s]", tr("ms.headers_only"));
    }
  }

  void draw_queues(ViewContext& ctx) {
    std::map<std::string, std::string> queue;  // "host id" -> last detail
    std::map<std::string, std::size_t> queue_since;
    const auto& changes = ctx.scene.changes;
    const std::size_t passed = Scene::passed(changes, ctx.state.upto);
    for (std::size_t k = 0; k < passed; ++k) {
      const std::size_t i = changes[k];
      if (const auto* q = std::get_if<sim::QueueEv>(&ctx.scene.event(i).p)) {
        std::string key = q->host + " " + q->id;
        if (q->op == "done" || q->op == "drop") {
          queue.erase(key);
        } else {
          queue[key] = q->op + ": " + q->detail;
          queue_since[key] = i;
        }
      }
    }
    ImGui::Separator();
    ImGui::Text(tr("ms.queues"), queue.size());
    for (const auto& [key, detail] : queue) {
      bool is_new = queue_since[key] > step_start_;
      if (is_new) ImGui::PushStyleColor(ImGuiCol_Text, palette().fresh);
      ImGui::TextWrapped("    %s  %s", key.c_str(), detail.c_str());
      if (is_new) ImGui::PopStyleColor();
    }
  }

  std::size_t step_start_ = 0;
  int servers_ = 0, devices_ = 0, headers_only_ = 0;
};

}  // namespace

std::unique_ptr<View> make_mail_state_view() {
  return std::make_unique<MailStateView>();
}

}  // namespace mailsim

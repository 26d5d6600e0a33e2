// Mail state view: every server's mailboxes and queue as they were at the cursor, folded
// from the trace; what changed at the current step is highlighted.
#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "gui/i18n.hpp"
#include "gui/views.hpp"

namespace mailsim {

namespace {

struct Item {
  std::uint32_t uid;
  std::uint64_t size;
  std::string summary;
  std::size_t since;  // trace index of the change
};

class MailStateView : public View {
 public:
  MailStateView() : View("Mail state") {}

 protected:
  void draw_content(ViewContext& ctx) override {
    std::map<std::string, std::vector<Item>> boxes;  // "mailbox on host"
    std::map<std::string, std::string> queue;        // "host id" -> last detail
    std::map<std::string, std::size_t> queue_since;
    // Every account's mailbox is listed, empty or not, on the server of its domain.
    const sim::Lesson& L = *ctx.scene.lesson;
    for (const auto& a : L.accounts) {
      const std::string domain = a.address.substr(a.address.find('@') + 1);
      for (const auto& h : L.hosts)
        if (std::find(h.domains.begin(), h.domains.end(), domain) != h.domains.end())
          boxes[a.address + " on " + h.name];
    }
    const auto& changes = ctx.scene.changes;
    const std::size_t passed = Scene::passed(changes, ctx.state.upto);
    for (std::size_t k = 0; k < passed; ++k) {
      const std::size_t i = changes[k];
      const auto& e = ctx.scene.event(i);
      if (const auto* m = std::get_if<sim::MailboxEv>(&e.p)) {
        auto& box = boxes[m->mailbox + " on " + m->host];
        if (m->op == "deliver" || m->op == "append") {
          box.push_back({m->uid, m->size, m->summary, i});
        } else if (m->op == "remove" || m->op == "expunge") {
          std::erase_if(box, [&](const Item& it) { return it.uid == m->uid; });
        }
      } else if (const auto* q = std::get_if<sim::QueueEv>(&e.p)) {
        std::string key = q->host + " " + q->id;
        if (q->op == "done" || q->op == "drop") {
          queue.erase(key);
        } else {
          queue[key] = q->op + ": " + q->detail;
          queue_since[key] = i;
        }
      }
    }
    // Changes after the previous protocol line count as this step's changes.
    const std::size_t before =
        Scene::passed(ctx.scene.lines, ctx.state.upto ? ctx.state.upto - 1 : 0);
    const std::size_t step_start = before ? ctx.scene.lines[before - 1] : 0;
    const ImVec4 fresh = palette().fresh;
    for (const auto& [name, items] : boxes) {
      // Keys read "address on host"; shown in the interface's language.
      const auto on = name.rfind(" on ");
      ImGui::Text(tr("ms.mailbox_on"), name.substr(0, on).c_str(),
                  on == std::string::npos ? "" : name.substr(on + 4).c_str());
      ImGui::SameLine();
      ImGui::TextDisabled("(%zu)", items.size());
      if (items.empty()) ImGui::TextDisabled("    %s", tr("ms.empty"));
      for (const auto& it : items) {
        bool is_new = it.since > step_start;
        if (is_new) ImGui::PushStyleColor(ImGuiCol_Text, fresh);
        ImGui::Indent();
        ImGui::Text(tr("ms.item"), it.uid, static_cast<unsigned long long>(it.size),
                    it.summary.c_str());
        ImGui::Unindent();
        if (is_new) ImGui::PopStyleColor();
      }
    }
    ImGui::Separator();
    ImGui::Text(tr("ms.queues"), queue.size());
    for (const auto& [key, detail] : queue) {
      bool is_new = queue_since[key] > step_start;
      if (is_new) ImGui::PushStyleColor(ImGuiCol_Text, fresh);
      ImGui::TextWrapped("    %s  %s", key.c_str(), detail.c_str());
      if (is_new) ImGui::PopStyleColor();
    }
  }
};

}  // namespace

std::unique_ptr<View> make_mail_state_view() {
  return std::make_unique<MailStateView>();
}

}  // namespace mailsim

// Compare view: the lesson run three times (sim::run_compare: every device on POP3 delete,
// POP3 leave a copy and IMAP), shown side by side at the step the cursor is in: one row per
// place (the server's mailbox, then each device), one column per variant, and below it the
// differences in plain words. It follows the one timeline's cursor (lock-step).
#include <algorithm>
#include <string>
#include <vector>

#include "gui/compare_model.hpp"
#include "gui/i18n.hpp"
#include "gui/views.hpp"
#include "sim/compare.hpp"

namespace mailsim {

namespace {

bool same(const sim::SeenMessage& a, const sim::SeenMessage& b) {
  return a.subject == b.subject && a.seen == b.seen && a.flagged == b.flagged && a.body == b.body;
}

// Is this message, in this folder, shown the same way in `prev`?
bool unchanged(const sim::PlaceView* prev, const std::string& folder, const sim::SeenMessage& m) {
  if (!prev) return true;
  auto it = prev->find(folder);
  if (it == prev->end()) return false;
  return std::any_of(it->second.begin(), it->second.end(),
                     [&](const sim::SeenMessage& x) { return same(x, m); });
}

class CompareView : public View {
 public:
  CompareView() : View("Compare") {}

  std::string print_state() const override {
    if (!computed_for_) return "";  // never shown
    if (!applicable_) return "compare=none";
    std::string out = "compare_step=" + std::to_string(step_) + "/" + std::to_string(steps_);
    for (std::size_t v = 0; v < counts_.size(); ++v) {
      out += " compare_" + sim::compare_variants()[v].id + "=";
      for (std::size_t p = 0; p < counts_[v].size(); ++p)
        out += (p ? "," : "") + std::to_string(counts_[v][p]);
    }
    return out + " compare_diffs=" + std::to_string(diffs_);
  }

 protected:
  void draw_content(ViewContext& ctx) override {
    const sim::Lesson& L = *ctx.scene.lesson;
    if (computed_for_ != &L) {  // once per document
      computed_for_ = &L;
      applicable_ = lesson_checks_mail(L);
      if (applicable_) result_ = sim::run_compare(L, "en");
      applicable_ = applicable_ && !result_.runs.empty();
    }
    ImGui::PushTextWrapPos(0);
    if (!applicable_) {
      ImGui::TextDisabled("%s", tr("cmp.none"));
      ImGui::PopTextWrapPos();
      return;
    }
    steps_ = L.steps.size();
    step_ = std::min(step_at(ctx.scene, ctx.state.upto), steps_);
    counts_.clear();
    diffs_ = 0;
    // What the view is and how to read it, in a tooltip (the panel is small).
    ImGui::TextDisabled("(?)");
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s\n%s", tr("cmp.intro"), tr("cmp.legend"));
    ImGui::SameLine();
    if (step_ == 0) {
      ImGui::Text("%s", tr("cmp.before"));
      ImGui::TextDisabled("%s", tr("cmp.intro"));
      ImGui::PopTextWrapPos();
      return;
    }
    ImGui::Text(tr("cmp.step"), step_, steps_,
                L.steps[step_ - 1].narration.get(language()).c_str());
    ImGui::PopTextWrapPos();
    const std::size_t snap = step_ - 1;
    // The table and the differences share the height, so both stay in view.
    const float avail = ImGui::GetContentRegionAvail().y;
    const float line = ImGui::GetTextLineHeightWithSpacing();
    // As tall as its rows need (header: two lines), at most 60% of the room.
    float rows = 2;
    for (std::size_t p = 0; p < result_.places.size(); ++p) {
      std::size_t most = 1;
      for (const auto& run : result_.runs)
        if (snap < run.size() && p < run[snap].places.size()) {
          std::size_t n = 0;
          for (const auto& [folder, list] : run[snap].places[p])
            if (!list.empty()) n += list.size() + (folder != "INBOX" ? 1 : 0);
          most = std::max(most, n);
        }
      rows += static_cast<float>(most);
    }
    const float need =
        rows * line +
        ImGui::GetStyle().CellPadding.y * 2 * static_cast<float>(result_.places.size() + 1) + px(4);
    draw_table(snap, std::max(std::min(need, avail * 0.6f), line * 4));
    ImGui::TextUnformatted(tr("cmp.differences"));
    ImGui::SameLine();
    ImGui::TextDisabled("%s", tr("cmp.legend"));
    const auto diffs = compare_differences(result_, snap);
    diffs_ = diffs.size();
    ImGui::BeginChild("differences", ImVec2(0, 0), true);
    ImGui::PushTextWrapPos(0);
    for (const auto& d : diffs) {
      ImGui::Bullet();
      ImGui::TextWrapped("%s", d.c_str());
    }
    ImGui::PopTextWrapPos();
    ImGui::EndChild();
  }

 private:
  void draw_table(std::size_t snap, float height) {
    const std::size_t nv = result_.runs.size();
    counts_.assign(nv, {});
    const ImGuiTableFlags flags = ImGuiTableFlags_Borders | ImGuiTableFlags_RowBg |
                                  ImGuiTableFlags_SizingStretchProp | ImGuiTableFlags_ScrollY;
    if (!ImGui::BeginTable("compare", static_cast<int>(nv) + 1, flags, ImVec2(0, height))) return;
    ImGui::TableSetupScrollFreeze(0, 1);
    ImGui::TableSetupColumn("", ImGuiTableColumnFlags_WidthStretch, 0.7f);
    for (std::size_t v = 0; v < nv; ++v)
      ImGui::TableSetupColumn(variant_label(v).c_str(), ImGuiTableColumnFlags_WidthStretch, 1.0f);
    // Header cells wrap (the variants' names are long in Portuguese).
    ImGui::TableNextRow(ImGuiTableRowFlags_Headers);
    for (std::size_t v = 0; v < nv; ++v) {
      ImGui::TableSetColumnIndex(static_cast<int>(v) + 1);
      ImGui::PushTextWrapPos(0);
      ImGui::TextUnformatted(variant_label(v).c_str());
      ImGui::PopTextWrapPos();
    }
    for (std::size_t p = 0; p < result_.places.size(); ++p) {
      ImGui::TableNextRow();
      ImGui::TableSetColumnIndex(0);
      // Servers by name only ("Server"); the address is in the tooltip.
      const std::string& place = result_.places[p];
      ImGui::PushTextWrapPos(0);
      ImGui::TextUnformatted(is_server_place(place) ? tr("cmp.server_short") : place.c_str());
      ImGui::PopTextWrapPos();
      if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", place_label(place).c_str());
      for (std::size_t v = 0; v < nv; ++v) {
        ImGui::TableSetColumnIndex(static_cast<int>(v) + 1);
        const auto& run = result_.runs[v];
        if (snap >= run.size() || p >= run[snap].places.size()) {
          ImGui::TextDisabled("?");
          counts_[v].push_back(0);
          continue;
        }
        const sim::PlaceView& now = run[snap].places[p];
        const sim::PlaceView* prev =
            snap > 0 && p < run[snap - 1].places.size() ? &run[snap - 1].places[p] : nullptr;
        counts_[v].push_back(message_count(now));
        ImGui::PushID(static_cast<int>(p * 16 + v));
        draw_cell(now, prev);
        ImGui::PopID();
      }
    }
    ImGui::EndTable();
  }

  void draw_cell(const sim::PlaceView& now, const sim::PlaceView* prev) {
    if (message_count(now) == 0) {
      ImGui::TextDisabled("%s", tr("ms.empty"));
      return;
    }
    const float h = ImGui::GetTextLineHeight();
    for (const auto& [folder, list] : now) {
      if (list.empty()) continue;
      if (folder != "INBOX") ImGui::TextDisabled("%s/", folder.c_str());
      for (const auto& m : list) {
        const ImVec2 at = ImGui::GetCursorScreenPos();
        if (!m.seen)
          ImGui::GetWindowDrawList()->AddCircleFilled(ImVec2(at.x + h * 0.3f, at.y + h * 0.5f),
                                                      h * 0.2f, protocol_colour("IMAP"));
        ImGui::Dummy(ImVec2(h * 0.7f, h));
        ImGui::SameLine(0, 0);
        std::string text = m.subject;
        if (m.flagged) text += " !";
        if (!m.body) text += " ~";
        const bool fresh = !unchanged(prev, folder, m);
        if (fresh) ImGui::PushStyleColor(ImGuiCol_Text, palette().fresh);
        ImGui::TextUnformatted(text.c_str());
        if (fresh) ImGui::PopStyleColor();
        if (ImGui::IsItemHovered()) {
          std::string tip = std::string(tr(m.seen ? "cmp.st.read" : "cmp.st.unread"));
          if (m.flagged) tip += tr("cmp.st.flagged");
          if (!m.body) tip += tr("cmp.st.headers_only");
          ImGui::SetTooltip("%s: %s", m.subject.c_str(), tip.c_str());
        }
      }
    }
  }

  const sim::Lesson* computed_for_ = nullptr;
  bool applicable_ = false;
  sim::CompareResult result_;
  std::size_t step_ = 0, steps_ = 0, diffs_ = 0;
  std::vector<std::vector<std::size_t>> counts_;  // per variant, per place
};

}  // namespace

std::unique_ptr<View> make_compare_view() {
  return std::make_unique<CompareView>();
}

}  // namespace mailsim

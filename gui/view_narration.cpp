// Narration view: the lesson step the cursor is in, in the chosen language, the student's
// score, and the questions due at the cursor (gui/quiz.hpp). A question is answered with one
// click on an option; then the right answer, the explanation and (for a prediction) the reply
// the server really sent are revealed.
#include <cstdlib>
#include <string>

#include "gui/i18n.hpp"
#include "gui/timeline.hpp"
#include "gui/views.hpp"

namespace mailsim {

namespace {

// `text` broken into lines no wider than `width` where ImGui's own word wrapping (what
// TextWrapped uses) breaks it: a choice's button does not wrap, and a long choice would be
// cut off at the panel's edge.
std::string wrap_to_width(const std::string& text, float width) {
  const ImFont* font = ImGui::GetFont();
  const float scale = ImGui::GetFontSize() / font->FontSize;
  std::string out;
  const char* s = text.c_str();
  const char* const end = s + text.size();
  while (s < end) {
    const char* eol = font->CalcWordWrapPositionA(scale, s, end, width);
    if (eol == s) ++eol;  // nothing fits: one character per line rather than none
    out.append(s, eol);
    s = eol;
    while (s < end && *s == ' ') ++s;  // the blanks at a break, which TextWrapped drops too
    if (s < end) out += '\n';
  }
  return out;
}

class NarrationView : public View {
 public:
  NarrationView() : View("Lesson") {}

  std::string print_state() const override { return state_; }

 protected:
  void draw_content(ViewContext& ctx) override {
    const sim::Lesson& L = *ctx.scene.lesson;
    const Scene& s = ctx.scene;
    const std::string& lang = ctx.state.lang;
    ImGui::TextUnformatted(L.title.get(lang).c_str());
    const QuizScore score = quiz_score(s.quiz, L, ctx.state.answers);
    if (score.total > 0) {
      ImGui::SameLine();
      const std::string text =
          tr_format(tr("nar.score"), score.correct, score.answered, score.total);
      ImGui::SetCursorPosX(
          std::max(ImGui::GetCursorPosX(),
                   ImGui::GetWindowContentRegionMax().x - ImGui::CalcTextSize(text.c_str()).x));
      ImGui::TextColored(palette().line_server, "%s", text.c_str());
    }
    // One click replays the same lesson with TLS switched off everywhere (and back).
    if (ctx.state.is_lesson) {
      bool off = ctx.state.without_tls;
      if (ImGui::Checkbox(tr("nar.without_tls"), &off)) ctx.state.want_without_tls = off;
      if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", tr("nar.without_tls_tip"));
      const ImVec2 a = ImGui::GetItemRectMin(), b = ImGui::GetItemRectMax();
      ctx.state.tab_centres["Lesson:WithoutTLS"] = {a.x + ImGui::GetFrameHeight() / 2,
                                                    (a.y + b.y) / 2};
    }
    ImGui::Separator();
    // Step notes read "step N/M: ..."; the lesson holds the narration in every language.
    std::size_t step = 0;
    const std::size_t passed = Scene::passed(s.notes, ctx.state.upto);
    for (std::size_t k = 0; k < passed; ++k) {
      const auto* n = std::get_if<sim::NoteEv>(&s.event(s.notes[k]).p);
      if (n && n->kind == "step")
        step = static_cast<std::size_t>(std::strtoul(n->text.c_str() + 5, nullptr, 10));
    }
    if (step == 0 || step > L.steps.size()) {
      ImGui::TextWrapped("%s", L.summary.get(lang).c_str());
    } else {
      ImGui::TextDisabled(tr("nar.step"), step, L.steps.size());
      ImGui::TextWrapped("%s", L.steps[step - 1].narration.get(lang).c_str());
    }
    const bool at_pause =
        std::binary_search(s.quiz.pauses.begin(), s.quiz.pauses.end(), ctx.state.upto) &&
        !ctx.state.playing;
    if (at_pause) ImGui::TextColored(palette().line_queue, "%s", tr("nar.paused"));
    std::string shown;
    for (const auto& item : s.quiz.items) {
      if (ctx.state.upto < item.due || ctx.state.upto >= item.until) continue;
      shown += (shown.empty() ? "" : ",") + std::to_string(item.question);
      question(ctx, item);
    }
    std::string title = L.title.get("en");
    for (auto& c : title)
      if (c == ' ') c = '_';
    state_ = "title=" + title + " without_tls=" + (ctx.state.without_tls ? "1" : "0") +
             " quiz_total=" + std::to_string(score.total) +
             " quiz_answered=" + std::to_string(score.answered) +
             " quiz_correct=" + std::to_string(score.correct) +
             " quiz_shown=" + (shown.empty() ? "none" : shown) +
             " at_pause=" + (at_pause ? "1" : "0");
  }

 private:
  void question(ViewContext& ctx, const QuizItem& item) {
    const sim::Lesson& L = *ctx.scene.lesson;
    const auto& q = L.questions[item.question];
    const std::string& lang = ctx.state.lang;
    ImGui::PushID(static_cast<int>(item.question));
    ImGui::Spacing();
    ImGui::Separator();
    ImGui::TextColored(palette().line_client, "%s", tr("nar.question"));
    ImGui::TextWrapped("%s", q.text.get(lang).c_str());
    if (q.kind == "predict") {
      ImGui::TextDisabled("%s", tr("nar.client_sends"));
      ImGui::PushFont(mono_font());
      ImGui::TextColored(palette().line_client, "C: %s", q.command.c_str());
      ImGui::PopFont();
    }
    const auto options = quiz_options(item, L, lang);
    const int right = quiz_answer(item, L);
    auto chosen = ctx.state.answers.find(item.question);
    const bool answered = chosen != ctx.state.answers.end();
    for (std::size_t i = 0; i < options.size(); ++i) {
      const int idx = static_cast<int>(i);
      std::string text = options[i];
      if (answered && idx == right) text.insert(0, "[+] ");
      if (answered && idx == chosen->second && idx != right) text.insert(0, "[-] ");
      if (answered) {
        const ImVec4 col = idx == right            ? palette().line_server
                           : idx == chosen->second ? palette().line_queue
                                                   : palette().line_note;
        ImGui::PushStyleColor(ImGuiCol_Text, col);
        ImGui::TextWrapped("  %s", text.c_str());
        ImGui::PopStyleColor();
      } else {
        // Options side by side while they fit, then on the next line; one wider than the
        // panel is wrapped onto several lines.
        const float pad = ImGui::GetStyle().FramePadding.x * 2;
        const float room = ImGui::GetContentRegionAvail().x - pad;
        if (ImGui::CalcTextSize(text.c_str()).x > room) text = wrap_to_width(text, room);
        const float w = ImGui::CalcTextSize(text.c_str()).x + pad;
        if (i > 0 && ImGui::GetItemRectMax().x + ImGui::GetStyle().ItemSpacing.x + w <
                         ImGui::GetWindowPos().x + ImGui::GetWindowContentRegionMax().x)
          ImGui::SameLine();
        if (ImGui::Button((text + "##opt" + std::to_string(i)).c_str())) {
          ctx.state.answers[item.question] = idx;
          ctx.state.answers_changed = true;
        }
        const ImVec2 a = ImGui::GetItemRectMin(), b = ImGui::GetItemRectMax();
        ctx.state.tab_centres["Quiz:" + std::to_string(item.question) + ":" + std::to_string(i)] = {
            (a.x + b.x) / 2, (a.y + b.y) / 2};
      }
    }
    if (answered) {
      if (right < 0)
        ImGui::TextDisabled("%s", tr("nar.no_answer"));
      else if (chosen->second == right)
        ImGui::TextColored(palette().line_server, "%s", tr("nar.right"));
      else
        ImGui::TextColored(palette().line_queue, tr("nar.wrong"),
                           options[static_cast<std::size_t>(right)].c_str());
      if (q.kind == "predict" && item.predict.found) {
        ImGui::TextDisabled("%s", tr("nar.real_reply"));
        ImGui::PushFont(mono_font());
        for (const auto& line : item.predict.reply_lines)
          ImGui::TextColored(palette().line_server, "S: %s", line.c_str());
        ImGui::PopFont();
        if (!item.predict.reply_events.empty() &&
            ctx.state.upto <= item.predict.reply_events.front() &&
            ImGui::SmallButton(tr("nar.show_reply"))) {
          seek_event(ctx.state, ctx.scene, item.predict.reply_events.back());
          ctx.state.playing = false;
        }
      }
      if (!q.explain.empty()) ImGui::TextWrapped("%s", q.explain.get(lang).c_str());
    } else {
      ImGui::TextDisabled("%s", tr("nar.answer_first"));
    }
    // A question that has just appeared is scrolled into view once.
    if (scrolled_to_ != item.due) {
      ImGui::SetScrollHereY(1.0f);
      scrolled_to_ = item.due;
    }
    ImGui::PopID();
  }

  std::string state_;
  std::size_t scrolled_to_ = static_cast<std::size_t>(-1);
};

}  // namespace

std::unique_ptr<View> make_narration_view() {
  return std::make_unique<NarrationView>();
}

}  // namespace mailsim

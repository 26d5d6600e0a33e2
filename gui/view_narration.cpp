// Narration view: the lesson step the cursor is in, in the chosen language.
#include <cstdlib>
#include <string>

#include "gui/i18n.hpp"
#include "gui/views.hpp"

namespace mailsim {

namespace {

class NarrationView : public View {
 public:
  NarrationView() : View("Lesson") {}

 protected:
  void draw_content(ViewContext& ctx) override {
    const sim::Lesson& L = *ctx.scene.lesson;
    ImGui::TextUnformatted(L.title.get(ctx.state.lang).c_str());
    ImGui::Separator();
    // Step notes read "step N/M: ..."; the lesson holds the narration in every language.
    std::size_t step = 0;
    const Scene& s = ctx.scene;
    const std::size_t passed = Scene::passed(s.notes, ctx.state.upto);
    for (std::size_t k = 0; k < passed; ++k) {
      const auto* n = std::get_if<sim::NoteEv>(&s.event(s.notes[k]).p);
      if (n && n->kind == "step")
        step = static_cast<std::size_t>(std::strtoul(n->text.c_str() + 5, nullptr, 10));
    }
    if (step == 0 || step > L.steps.size()) {
      ImGui::TextWrapped("%s", L.summary.get(ctx.state.lang).c_str());
      return;
    }
    ImGui::TextDisabled(tr("nar.step"), step, L.steps.size());
    ImGui::TextWrapped("%s", L.steps[step - 1].narration.get(ctx.state.lang).c_str());
  }
};

}  // namespace

std::unique_ptr<View> make_narration_view() {
  return std::make_unique<NarrationView>();
}

}  // namespace mailsim

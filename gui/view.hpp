// Base of every view: it owns the window (Begin/End at a place the layout gives) and a view
// implements only its contents, reading the scene and the shared view state.
#pragma once

#include <imgui.h>

#include "gui/scene.hpp"
#include "gui/view_state.hpp"

namespace mailsim {

struct ViewContext {
  const Scene& scene;
  ViewState& state;
};

class View {
 public:
  explicit View(const char* title) : title_(title) {}
  virtual ~View() = default;
  // Draws the view in a fixed rectangle of the main window.
  void draw(ViewContext& ctx, ImVec2 pos, ImVec2 size);
  const char* title() const { return title_; }

 protected:
  virtual void draw_content(ViewContext& ctx) = 0;

 private:
  const char* title_;
};

}  // namespace mailsim

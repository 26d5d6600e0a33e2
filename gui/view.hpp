// Base of every view: it owns the window (Begin/End at a place the layout gives) and a view
// implements only its contents, reading the scene and the shared view state.
#pragma once

#include <imgui.h>

#include <string>

#include "gui/scene.hpp"
#include "gui/view_state.hpp"

namespace mailsim {

struct ViewContext {
  const Scene& scene;
  ViewState& state;
};

class View;

// Several views sharing one rectangle as tabs.
void draw_tabs(const char* id, ViewContext& ctx, ImVec2 pos, ImVec2 size,
               std::initializer_list<View*> views);

class View {
 public:
  // `title` is the view's id (English); what the window shows is its translation.
  explicit View(const char* title) : title_(title) {}
  virtual ~View() = default;
  // Draws the view in a fixed rectangle of the main window.
  void draw(ViewContext& ctx, ImVec2 pos, ImVec2 size);
  // Draws the contents only, inside a window someone else owns (a tab of a tab bar).
  void draw_body(ViewContext& ctx) { draw_content(ctx); }
  const char* title() const { return title_; }
  // "Translated title###id": the shown text changes with the language, the id does not.
  std::string label() const;
  // What the view showed in its last frame as "key=value" words without spaces (printed by
  // --print-state for scripted tests); "" when it has nothing to report.
  virtual std::string print_state() const { return ""; }

 protected:
  virtual void draw_content(ViewContext& ctx) = 0;

 private:
  const char* title_;
};

}  // namespace mailsim

// The window's contents in one frame: the menu bar, the timeline and the panels (laid out in
// the area below the menu bar) and the dialogs. Shared by the window and `mailsim bench gui`.
#pragma once

#include <imgui.h>

#include <memory>

#include "gui/app.hpp"
#include "gui/views.hpp"

namespace mailsim {

// The views of one document; made again for every document (they cache what they build).
struct Views {
  std::unique_ptr<View> network = make_network_view(), transcript = make_transcript_view(),
                        mail = make_mail_state_view(), narration = make_narration_view(),
                        sequence = make_sequence_view(), inspector = make_inspector_view(),
                        compare = make_compare_view(), anatomy = make_anatomy_view(),
                        eavesdropper = make_eavesdropper_view();
};

// Hidden panels give their room to the others (left column: network over lesson; right
// column: protocol tabs over state tabs).
void draw_panels(ViewContext& ctx, Views& views, const UiSettings& set, ImVec2 p, ImVec2 sz);

// One frame's windows, between ImGui::NewFrame() and ImGui::Render().
void draw_frame(Ui& ui, ViewState& state, const Document& doc, Views& views);

}  // namespace mailsim

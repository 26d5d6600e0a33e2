// The views of the main window, one file each.
#pragma once

#include <memory>

#include "gui/theme.hpp"
#include "gui/view.hpp"

namespace mailsim {

std::unique_ptr<View> make_network_view();       // view_network.cpp
std::unique_ptr<View> make_transcript_view();    // view_transcript.cpp
std::unique_ptr<View> make_mail_state_view();    // view_mail_state.cpp
std::unique_ptr<View> make_narration_view();     // view_narration.cpp
std::unique_ptr<View> make_sequence_view();      // view_sequence.cpp
std::unique_ptr<View> make_inspector_view();     // view_inspector.cpp
std::unique_ptr<View> make_compare_view();       // view_compare.cpp
std::unique_ptr<View> make_anatomy_view();       // view_anatomy.cpp
std::unique_ptr<View> make_eavesdropper_view();  // view_eavesdropper.cpp

// Colours (protocol_colour, palette) come from gui/theme.hpp, so every view agrees.

}  // namespace mailsim

// Dear ImGui 1.86 reads the keyboard once a frame: a key pressed and released between two
// frames (a quick tap during a slow frame, or a scripted test) would never be seen. The latch
// holds such a release back until the frame that sees the press has ended. (Mouse buttons
// are latched by ImGui's GLFW backend itself.)
#pragma once

struct GLFWwindow;

namespace mailsim {

// Call after ImGui_ImplGlfw_InitForOpenGL(window, true): chains in front of its key callback.
void install_key_latch(GLFWwindow* window);
// Call once a frame has been drawn: passes the held-back releases on.
void key_latch_end_frame(GLFWwindow* window);

}  // namespace mailsim

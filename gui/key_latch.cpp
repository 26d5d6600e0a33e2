#include "gui/key_latch.hpp"

#include <GLFW/glfw3.h>

#include <set>
#include <vector>

namespace mailsim {

namespace {

struct Release {
  int key, scancode, mods;
};

GLFWkeyfun g_next = nullptr;  // ImGui's callback
std::set<int> g_pressed;      // keys pressed since the last frame ended
std::vector<Release> g_held;  // releases of those keys, not passed on yet

void on_key(GLFWwindow* w, int key, int scancode, int action, int mods) {
  if (action == GLFW_PRESS) g_pressed.insert(key);
  if (action == GLFW_RELEASE && g_pressed.count(key)) {
    g_held.push_back({key, scancode, mods});
    return;
  }
  if (g_next) g_next(w, key, scancode, action, mods);
}

}  // namespace

void install_key_latch(GLFWwindow* window) {
  g_next = glfwSetKeyCallback(window, on_key);
}

void key_latch_end_frame(GLFWwindow* window) {
  g_pressed.clear();
  auto held = std::move(g_held);
  g_held.clear();
  for (const auto& r : held)
    if (g_next) g_next(window, r.key, r.scancode, GLFW_RELEASE, r.mods);
}

}  // namespace mailsim

#include <cstdlib>
#include <filesystem>
#include <string>

#include "gui/commands.hpp"

namespace mailsim {

// $MAILSIM_LESSONS, then the install tree (<prefix>/share/mailsim/lessons), then the source
// tree the binary was built from.
const char* lessons_dir() {
  static const std::string dir = [] {
    if (const char* env = std::getenv("MAILSIM_LESSONS"); env && *env) return std::string(env);
    std::error_code ec;
    auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
    if (!ec) {
      auto installed = exe.parent_path().parent_path() / "share" / "mailsim" / "lessons";
      if (std::filesystem::is_directory(installed, ec)) return installed.string();
    }
    return std::string(MAILSIM_SOURCE_DIR) + "/lessons";
  }();
  return dir.c_str();
}

}  // namespace mailsim

// Fuzz target: the lesson file parser (sim::parse_lesson: TOML through toml++, then the
// lesson's own checks). Every problem must be a sim::LessonError with a position, never
// another exception or a crash.
#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz_util.hpp"
#include "sim/lesson.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  try {
    sim::parse_lesson(std::string(fuzz::as_text(data, size)), "fuzz.toml");
  } catch (const sim::LessonError&) {
  }
  return 0;
}

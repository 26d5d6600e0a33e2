// Fuzz target: the JSON-lines trace reader (sim::read_jsonl / sim::from_json_line, through
// nlohmann::json). Every problem must be a std::runtime_error ("line N: trace JSON: ..."),
// never another exception or a crash. What it accepts must survive the writer: an event
// written, read back and written again gives the same line (the fingerprint depends on it).
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "fuzz_util.hpp"
#include "sim/trace_json.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::istringstream in{std::string(fuzz::as_text(data, size))};
  std::vector<sim::Event> events;
  try {
    events = sim::read_jsonl(in);
  } catch (const std::runtime_error&) {
    return 0;
  }
  for (const auto& e : events) {
    const std::string once = sim::to_json_line(e);
    std::string twice;
    try {
      twice = sim::to_json_line(sim::from_json_line(once));
    } catch (const std::runtime_error& ex) {
      std::fprintf(stderr, "the reader refuses what the writer wrote: %s\n%s\n", ex.what(),
                   once.c_str());
      std::abort();
    }
    if (twice != once) {
      std::fprintf(stderr, "a written event reads back differently:\n%s\n%s\n", once.c_str(),
                   twice.c_str());
      std::abort();
    }
  }
  return 0;
}

#pragma once
#include <cstdint>

namespace sim {
// Simulated time: microseconds since the start of the run. Never read from a wall clock.
using Time = std::int64_t;
constexpr Time kMillisecond = 1000;
constexpr Time kSecond = 1000 * kMillisecond;
constexpr Time kMinute = 60 * kSecond;
}  // namespace sim

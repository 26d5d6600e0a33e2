// Turns what a protocol engine reports (net::EngineEvents) into trace events. The simulator
// records only the lines an engine SENDS: both ends are simulated, so recording received
// lines too would show every line twice.
#pragma once

#include <string>

#include "net/engine_event.hpp"
#include "sim/trace.hpp"

namespace sim {

struct EngineContext {
  std::uint32_t conn = 0;
  Proto proto = Proto::None;
  std::string host, peer;  // this engine's host and the other end
  bool client = true;      // this engine is the client side
};

void record_engine_events(Trace& trace, Time now, const EngineContext& ctx,
                          net::EngineEvents events, bool include_received = false);

}  // namespace sim

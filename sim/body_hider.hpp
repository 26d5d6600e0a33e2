// Hides what the messages in a trace say: every line of a message body (the lines after the
// empty line that ends its header) becomes "(body line hidden: N bytes)". The header stays,
// so the flow (who wrote to whom, which subject, which sizes) still reads; the content does
// not reach the views or any export. For traces of real mail: `live --hide-bodies`.
#pragma once

#include <cstdint>
#include <map>

#include "sim/trace.hpp"

namespace sim {

class BodyHider {
 public:
  // Rewrites `line` when it is a body line; returns whether it did.
  bool apply(LineEv& line);

 private:
  std::map<std::uint32_t, bool> in_body_;  // per connection: past the header's end
};

}  // namespace sim

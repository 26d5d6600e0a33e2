#include "sim/body_hider.hpp"

#include <string>

namespace sim {

bool BodyHider::apply(LineEv& line) {
  // A command or reply ends any message the connection was carrying.
  if (!line.data || line.text == ".") {
    in_body_.erase(line.conn);
    return false;
  }
  bool& body = in_body_[line.conn];
  if (!body) {
    body = line.text.empty();  // the empty line between header and body
    return false;
  }
  line.text = "(body line hidden: " + std::to_string(line.text.size()) + " bytes)";
  line.meaning = {};
  return true;
}

}  // namespace sim

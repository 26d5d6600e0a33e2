// How a device's mail app writes a message (RFC 5322 header, MIME RFC 2045-2046 body): plain
// text, or multipart/alternative with an HTML version, wrapped in multipart/mixed when files
// are attached. Boundaries are derived from the Message-ID so runs stay deterministic.
#pragma once

#include <string>
#include <vector>

#include "sim/lesson.hpp"

namespace sim {

struct Draft {
  std::string from;
  std::vector<std::string> to;
  std::string subject, date, message_id;
  std::string text, html;  // text: LF or CRLF line ends
  std::vector<LessonStep::Attachment> attachments;
};

// The complete message with CRLF line ends.
std::string compose_message(const Draft& d);

}  // namespace sim

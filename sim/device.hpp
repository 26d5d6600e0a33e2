// A device (phone, laptop, tablet) running a mail app for one account. For now it can send
// (submission on port 587 with AUTH); reading mail arrives with POP3 and IMAP.
#pragma once

#include <functional>
#include <string>

#include "net/smtp/client.hpp"
#include "sim/lesson.hpp"

namespace sim {

class World;

class Device {
 public:
  Device(World& world, const LessonHost& host);

  const std::string& name() const { return host_.name; }
  // Writes the message as the mail app would and submits it; `done` runs when the
  // submission session ends (the outcome says whether the server took the message).
  void send(const LessonStep& step, std::function<void(const net::smtp::ClientOutcome&)> done);

 private:
  std::string compose(const LessonStep& step);
  World& world_;
  LessonHost host_;
  LessonAccount account_;
  unsigned sent_ = 0;
};

}  // namespace sim

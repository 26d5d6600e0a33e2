// The mailboxes as they were at the cursor, folded from the trace's MailboxEv changes:
// every server account and every device's local store, by folder. Shared by the Mail state
// view and the tests; no ImGui here.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "gui/scene.hpp"

namespace mailsim {

struct FoldedMessage {
  std::uint32_t uid = 0;
  std::uint64_t size = 0;
  std::string summary, flags;
  bool cached = false;    // devices: the body is on the device
  std::size_t since = 0;  // trace index of the last change to this message
};

struct FoldedPlace {
  std::string host, mailbox;  // "mx.recipient.example", "bruno@recipient.example"
  bool device = false;
  std::map<std::string, std::vector<FoldedMessage>> folders;  // INBOX always present
};

// Every account's mailbox on its server (empty or not), every device's store, then the
// changes before trace index `upto`. Key: "mailbox on host".
std::map<std::string, FoldedPlace> fold_mailboxes(const Scene& scene, std::size_t upto);
// The same, replaying every change from the start without the snapshots: slow, the
// reference the tests hold fold_mailboxes() to.
std::map<std::string, FoldedPlace> fold_mailboxes_from_start(const Scene& scene, std::size_t upto);

}  // namespace mailsim

// A device (phone, laptop, tablet) running a mail app for one account. It submits mail on
// port 587 with AUTH and reads mail with POP3 (110) or IMAP (143) into its own LocalStore.
//
// POP3 downloads: the server forgets a message once the app deleted it there, and reading,
// deleting, moving or flagging only ever changes this device. IMAP keeps the mail on the
// server: each action is a real IMAP command, so every device that checks later sees it;
// offline, the app works on what it has and replays its changes at the next connection.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "net/imap/client.hpp"
#include "net/pop3/client.hpp"
#include "net/smtp/client.hpp"
#include "sim/lesson.hpp"
#include "sim/local_store.hpp"

namespace sim {

class World;

class Device {
 public:
  using Done = std::function<void()>;
  Device(World& world, const LessonHost& host);

  const std::string& name() const { return host_.name; }
  const LessonHost& host() const { return host_; }
  const LocalStore& store() const { return store_; }
  bool online() const { return online_; }

  // Writes the message as the mail app would and submits it; `done` runs when the
  // submission session ends (the outcome says whether the server took the message). An
  // IMAP app then saves a copy in the server's Sent folder (APPEND).
  void send(const LessonStep& step, std::function<void(const net::smtp::ClientOutcome&)> done);

  // The mail app actions of a lesson step ("check", "read", "delete", "move", "flag",
  // "offline", "online"); `done` runs once the action (and its session) has finished.
  void act(const LessonStep& step, Done done);

 private:
  std::string compose(const LessonStep& step);
  void note(const std::string& kind, const std::string& text);
  void set_online(bool on);

  void check_pop3(Done done);
  void check_imap(Done done);
  void local_action(const LessonStep& step, int i);  // POP3 and offline IMAP
  void imap_action(const LessonStep& step, int i, Done done);
  // One IMAP session running `ops` (after any offline changes waiting to be replayed).
  void run_imap(std::vector<net::imap::ClientOp> ops, bool fetch_bodies,
                std::function<void(const net::imap::ClientOutcome&)> then);
  void merge_imap(const net::imap::ClientOutcome& o);
  void save_sent(const std::string& message, Done done);

  World& world_;
  LessonHost host_;
  LessonAccount account_;
  LocalStore store_;
  bool online_ = true;
  std::string typed_password_;  // the current action's password when a step types another
  unsigned sent_ = 0;
  std::set<std::string> known_uidls_;         // POP3: every message ever downloaded
  std::vector<net::imap::ClientOp> pending_;  // IMAP changes made offline
  std::set<std::string> server_folders_;      // IMAP: as the last LIST showed
  std::map<std::string, std::uint32_t> uid_validity_;
};

}  // namespace sim

// The POP3-versus-IMAP comparison: one lesson run three times, with every device's mail app
// set to POP3 (delete from the server), POP3 (leave a copy) and IMAP. After each step it
// takes a snapshot of what the server holds and what each device shows. Everything comes
// from running the real engines over the simulated network; nothing is tabulated by hand.
#pragma once

#include <functional>
#include <map>
#include <ostream>
#include <string>
#include <vector>

#include "sim/lesson.hpp"

namespace sim {

struct Variant {
  std::string id;     // "pop3-delete", "pop3-keep", "imap"
  std::string label;  // "POP3 (delete)"
  std::string protocol;
  bool leave_on_server = false;
};
const std::vector<Variant>& compare_variants();

// One message as seen in one place.
struct SeenMessage {
  std::string subject;
  bool seen = false, flagged = false, body = true;  // body: the whole message is there
};

// One place (the server's mailbox or a device) at one moment: folder -> messages.
using PlaceView = std::map<std::string, std::vector<SeenMessage>>;

struct StepSnapshot {
  std::string step;                   // "step 3/9: Bruno's phone checks mail"
  std::vector<PlaceView> places;      // same order as CompareResult::places
  std::vector<std::string> problems;  // error notes during the step
};

struct CompareResult {
  std::vector<std::string> places;              // "server: bruno@…", then device labels
  std::vector<std::vector<StepSnapshot>> runs;  // per variant, per step
  std::vector<std::string> subjects;            // in order of first appearance
};

class World;
// `after_run` (optional) sees each variant's world once it has finished (e.g. to export it).
CompareResult run_compare(const Lesson& lesson, const std::string& lang,
                          const std::function<void(const Variant&, World&)>& after_run = {});

enum class TableFormat { Text, Markdown };
// The snapshots as one table per step (rows: places; columns: variants), with a legend.
void write_compare(const CompareResult& r, std::ostream& out, TableFormat format,
                   const std::string& lang);

}  // namespace sim

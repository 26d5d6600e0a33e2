// The POP3-versus-IMAP comparison of lessons/pop3-vs-imap.toml: every expectation below is
// what the protocols mean, checked against what the engines actually did.
#include <doctest/doctest.h>

#include <algorithm>
#include <sstream>

#include "sim/compare.hpp"
#include "sim/device.hpp"
#include "sim/lesson.hpp"
#include "sim/mail_server.hpp"
#include "sim/world.hpp"

namespace {

std::string lesson_path(const std::string& name) {
  return std::string(MAILSIM_SOURCE_DIR) + "/lessons/" + name;
}

// "INBOX: A B*" style summary of one place, subjects shortened to their first word.
std::string show(const sim::PlaceView& v) {
  std::string out;
  for (const auto& [folder, list] : v) {
    if (folder != "INBOX" && list.empty()) continue;
    out += (out.empty() ? "" : "; ") + folder + ":";
    for (const auto& m : list) {
      out += " " + m.subject.substr(0, m.subject.find(' '));
      if (!m.seen) out += "*";
      if (m.flagged) out += "!";
      if (!m.body) out += "~";
    }
  }
  return out;
}

bool has_problem(const sim::StepSnapshot& s, const std::string& text) {
  return std::any_of(s.problems.begin(), s.problems.end(),
                     [&](const std::string& p) { return p.find(text) != std::string::npos; });
}

struct Fixture {
  sim::CompareResult r = sim::run_compare(sim::load_lesson(lesson_path("pop3-vs-imap.toml")), "en");
  // places: 0 server, 1 phone, 2 laptop, 3 tablet; runs: 0 pop3-delete, 1 pop3-keep, 2 imap
  std::string at(std::size_t run, std::size_t step, std::size_t place) const {
    return show(r.runs[run][step - 1].places[place]);
  }
};

}  // namespace

TEST_CASE("compare: places and steps") {
  Fixture f;
  REQUIRE(f.r.places.size() == 4);
  CHECK(f.r.places[0] == "server: bruno@recipient.example");
  CHECK(f.r.places[1] == "Bruno's phone");
  REQUIRE(f.r.runs.size() == 3);
  for (const auto& run : f.r.runs) REQUIRE(run.size() == 13);
  CHECK(f.r.subjects ==
        std::vector<std::string>{"Lunch on Friday?", "Invoice 2026-11", "Holiday photos"});
  CHECK(f.r.runs[0][4].step == "step 5/13: Bruno's phone checks mail");
}

TEST_CASE("compare: the three messages reach the server before anyone checks") {
  Fixture f;
  for (std::size_t run = 0; run < 3; ++run) {
    CHECK(f.at(run, 4, 0) == "INBOX: Lunch* Invoice* Holiday*");
    CHECK(f.at(run, 4, 1) == "INBOX:");
  }
}

TEST_CASE("compare: POP3 that deletes leaves everything on the first device") {
  Fixture f;
  CHECK(f.at(0, 5, 0) == "INBOX:");  // the server forgot them
  CHECK(f.at(0, 5, 1) == "INBOX: Lunch* Invoice* Holiday*");
  CHECK(f.at(0, 6, 1) == "INBOX: Lunch Invoice* Holiday*");
  CHECK(f.at(0, 7, 2) == "INBOX:");  // the laptop gets nothing
  CHECK(f.at(0, 8, 3) == "INBOX:");
  CHECK(has_problem(f.r.runs[0][8], "no message \"Lunch on Friday?\""));
  CHECK(has_problem(f.r.runs[0][12], "no message \"Holiday photos\""));
}

TEST_CASE("compare: POP3 that leaves a copy gives every device its own unsynchronised copy") {
  Fixture f;
  CHECK(f.at(1, 5, 0) == "INBOX: Lunch* Invoice* Holiday*");
  CHECK(f.at(1, 7, 2) == "INBOX: Lunch* Invoice* Holiday*");  // read on the phone: unknown here
  CHECK(f.at(1, 10, 3) == "INBOX: Holiday*; Receipts: Invoice*");
  CHECK(f.at(1, 10, 0) == "INBOX: Lunch* Invoice* Holiday*");  // the server never heard of it
  CHECK(f.at(1, 11, 1) == "INBOX: Lunch Invoice* Holiday*");   // nor did the phone
  CHECK(f.at(1, 13, 2) == "INBOX: Lunch* Invoice* Holiday");   // opened offline
  CHECK(f.r.runs[1][12].problems.empty());
}

TEST_CASE("compare: IMAP keeps every device in sync through the server") {
  Fixture f;
  CHECK(f.at(2, 5, 1) == "INBOX: Lunch*~ Invoice*~ Holiday*~");  // headers only
  CHECK(f.at(2, 6, 0) == "INBOX: Lunch Invoice* Holiday*");      // \Seen on the server
  CHECK(f.at(2, 6, 1) == "INBOX: Lunch Invoice*~ Holiday*~");
  CHECK(f.at(2, 7, 2) == "INBOX: Lunch~ Invoice*~ Holiday*~");  // the laptop sees it read
  CHECK(f.at(2, 10, 0) == "INBOX: Holiday*; Receipts: Invoice*");
  CHECK(f.at(2, 10, 3) == "INBOX: Holiday*~; Receipts: Invoice*~");
  CHECK(f.at(2, 11, 1) == "INBOX: Holiday*~; Receipts: Invoice*~");  // the phone follows
  CHECK(f.at(2, 11, 2) == "INBOX: Lunch~ Invoice*~ Holiday*~");      // not checked since
  CHECK(has_problem(f.r.runs[2][12], "cannot be opened offline"));
  CHECK(f.at(2, 13, 2) == "INBOX: Lunch~ Invoice*~ Holiday*~");
}

TEST_CASE("compare: the table names every variant and marks") {
  Fixture f;
  std::ostringstream out;
  sim::write_compare(f.r, out, sim::TableFormat::Markdown, "en");
  const std::string s = out.str();
  CHECK(s.find("A = \"Lunch on Friday?\"") != std::string::npos);
  CHECK(s.find("| POP3 (delete)") != std::string::npos);
  CHECK(s.find("| POP3 (leave a copy)") != std::string::npos);
  CHECK(s.find("### step 13/13: Bruno's laptop opens \"Holiday photos\"") != std::string::npos);
  CHECK(s.find("Receipts: B*") != std::string::npos);
}

TEST_CASE("IMAP offline changes are replayed when the device reconnects") {
  auto L = sim::load_lesson(lesson_path("pop3-vs-imap.toml"));
  // After the laptop's offline step: flag a message offline, come back online, check.
  sim::LessonStep flag;
  flag.action = "flag";
  flag.device = "laptop.bruno.example";
  flag.subject = "Holiday photos";
  sim::LessonStep online;
  online.action = "online";
  online.device = "laptop.bruno.example";
  sim::LessonStep check;
  check.action = "check";
  check.device = "laptop.bruno.example";
  L.steps.push_back(flag);
  L.steps.push_back(online);
  L.steps.push_back(check);
  sim::World w(L);
  w.run();
  // The flag set offline reached the server at the next connection.
  auto* server = w.server("mx.recipient.example");
  REQUIRE(server);
  const auto* inbox = server->store().folder("bruno@recipient.example", "INBOX");
  REQUIRE(inbox);
  REQUIRE(inbox->messages.size() == 1);
  CHECK(inbox->messages[0].has_flag("\\Flagged"));
  const sim::Device* laptop = w.device("laptop.bruno.example");
  REQUIRE(laptop);
  int i = laptop->store().find("Holiday photos");
  REQUIRE(i >= 0);
  CHECK(laptop->store().at(i).flagged);
  // ... and the laptop now also sees the tablet's changes it missed.
  CHECK(laptop->store().find("Lunch on Friday?") < 0);
  int inv = laptop->store().find("Invoice 2026-11");
  REQUIRE(inv >= 0);
  CHECK(laptop->store().at(inv).folder == "Receipts");
}

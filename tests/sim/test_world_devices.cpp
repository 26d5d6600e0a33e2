// Devices reading mail in the simulated world: POP3 and IMAP sessions over the simulated
// network, and the golden transcript of lessons/pop3-vs-imap.toml.
#include <doctest/doctest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "sim/device.hpp"
#include "sim/lesson.hpp"
#include "sim/mail_server.hpp"
#include "sim/transcript.hpp"
#include "sim/world.hpp"

namespace {

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

sim::Lesson pop3_vs_imap() {
  return sim::load_lesson(std::string(MAILSIM_SOURCE_DIR) + "/lessons/pop3-vs-imap.toml");
}

std::size_t count_lines(const sim::Trace& t, sim::Proto proto, const std::string& prefix) {
  std::size_t n = 0;
  for (const auto& e : t.events())
    if (const auto* l = std::get_if<sim::LineEv>(&e.p))
      if (l->proto == proto && l->text.compare(0, prefix.size(), prefix) == 0) ++n;
  return n;
}

}  // namespace

TEST_CASE("golden transcript of pop3-vs-imap (update: MAILSIM_UPDATE_GOLDEN=1)") {
  sim::World w(pop3_vs_imap());
  REQUIRE(w.run());
  std::ostringstream out;
  sim::write_transcript(w.trace(), out);
  const std::string path = std::string(MAILSIM_SOURCE_DIR) + "/tests/golden/pop3-vs-imap.txt";
  if (const char* u = std::getenv("MAILSIM_UPDATE_GOLDEN"); u && std::string(u) == "1")
    std::ofstream(path, std::ios::binary) << out.str();
  std::string golden = read_file(path);
  REQUIRE_MESSAGE(!golden.empty(), "missing " << path);
  CHECK(out.str() == golden);
}

TEST_CASE("every protocol line in the trace is one line, literals included") {
  sim::World w(pop3_vs_imap());
  REQUIRE(w.run());
  std::size_t lines = 0;
  for (const auto& e : w.trace().events())
    if (const auto* l = std::get_if<sim::LineEv>(&e.p)) {
      ++lines;
      CHECK(l->text.find('\n') == std::string::npos);
      CHECK(l->text.find('\r') == std::string::npos);
    }
  CHECK(lines > 300);
  // The body the phone fetched came as a literal whose lines follow as data lines.
  CHECK(count_lines(w.trace(), sim::Proto::Imap, "Subject: Lunch on Friday?") >= 1);
}

TEST_CASE("IMAP devices talk real IMAP to the server on port 143") {
  sim::World w(pop3_vs_imap());
  REQUIRE(w.run());
  const auto& t = w.trace();
  // Bruno: check, read (phone); check (laptop); check, delete, move (tablet); check (phone).
  // Ana: one APPEND to Sent after each of her three messages. Every session runs STARTTLS
  // and asks CAPABILITY again before it logs in (RFC 3501 §6.2.1).
  CHECK(count_lines(t, sim::Proto::Imap, "* OK [CAPABILITY IMAP4rev1") == 10);
  CHECK(count_lines(t, sim::Proto::Imap, "A1 STARTTLS") == 10);
  CHECK(count_lines(t, sim::Proto::Imap, "A2 CAPABILITY") == 10);
  CHECK(count_lines(t, sim::Proto::Imap, "A3 LOGIN bruno ") == 7);
  CHECK(count_lines(t, sim::Proto::Imap, "A3 LOGIN ana ") == 3);
  CHECK(count_lines(t, sim::Proto::Imap, "A4 APPEND Sent (\\Seen) {") == 3);
  CHECK(count_lines(t, sim::Proto::Pop3, "") == 0);
  // The tablet's MOVE created the folder on the server.
  const auto* receipts =
      w.server("mx.recipient.example")->store().folder("bruno@recipient.example", "Receipts");
  REQUIRE(receipts);
  REQUIRE(receipts->messages.size() == 1);
  // The password never reached the trace.
  for (const auto& e : t.events())
    if (const auto* l = std::get_if<sim::LineEv>(&e.p))
      CHECK(l->text.find("bruno-secret") == std::string::npos);
}

TEST_CASE("POP3 devices: a second device finds the mailbox empty after a delete-mode download") {
  auto L = pop3_vs_imap();
  for (auto& h : L.hosts)
    if (h.role == "device") h.protocol = "pop3";
  sim::World w(L);
  REQUIRE(w.run());
  const auto& t = w.trace();
  CHECK(count_lines(t, sim::Proto::Imap, "") == 0);
  CHECK(count_lines(t, sim::Proto::Pop3, "DELE ") == 3);  // the phone deleted all three
  // STAT finds nothing for the laptop, the tablet and the phone's second check.
  CHECK(count_lines(t, sim::Proto::Pop3, "+OK 0 0") == 3);
  const auto* phone = w.device("phone.bruno.example");
  REQUIRE(phone);
  CHECK(phone->store().messages().size() == 3);
  CHECK(w.server("mx.recipient.example")->store().messages("bruno@recipient.example")->empty());
}

TEST_CASE("a device that is offline cannot check mail, and sends nothing") {
  auto L = pop3_vs_imap();
  L.steps.clear();
  sim::LessonStep off;
  off.action = "offline";
  off.device = "phone.bruno.example";
  sim::LessonStep check = off;
  check.action = "check";
  L.steps = {off, check};
  sim::World w(L);
  REQUIRE(w.run());
  bool error = false;
  for (const auto& e : w.trace().events())
    if (const auto* n = std::get_if<sim::NoteEv>(&e.p))
      error |= n->kind == "error" && n->text.find("offline") != std::string::npos;
  CHECK(error);
  CHECK(count_lines(w.trace(), sim::Proto::Imap, "") == 0);
}

TEST_CASE("a mistyped password when checking mail: NO for IMAP, -ERR for POP3, nothing changes") {
  for (const char* proto : {"imap", "pop3"}) {
    auto L = pop3_vs_imap();
    for (auto& h : L.hosts)
      if (h.role == "device" && h.account == "bruno@recipient.example") h.protocol = proto;
    L.steps.resize(4);  // three sends and the wait
    sim::LessonStep check;
    check.action = "check";
    check.device = "phone.bruno.example";
    check.password = "bruno-secert";
    L.steps.push_back(check);
    sim::World w(L);
    REQUIRE(w.run());
    const auto& t = w.trace();
    if (std::string(proto) == "imap")
      CHECK(count_lines(t, sim::Proto::Imap, "A3 NO [AUTHENTICATIONFAILED]") == 1);
    else
      CHECK(count_lines(t, sim::Proto::Pop3, "-ERR [AUTH]") == 1);
    CHECK(w.device("phone.bruno.example")->store().messages().empty());
    CHECK(w.server("mx.recipient.example")->store().messages("bruno@recipient.example")->size() ==
          3);
    for (const auto& e : t.events())
      if (const auto* l = std::get_if<sim::LineEv>(&e.p))
        CHECK(l->text.find("bruno-secert") == std::string::npos);
  }
}

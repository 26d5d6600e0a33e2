// The Mail state view's model: mailboxes of servers and devices folded from the trace.
#include <doctest/doctest.h>

#include "gui/mail_fold.hpp"
#include "gui/scene.hpp"
#include "sim/device.hpp"
#include "sim/lesson.hpp"
#include "sim/mail_server.hpp"
#include "sim/world.hpp"

namespace {

struct Run {
  sim::World world{
      sim::load_lesson(std::string(MAILSIM_SOURCE_DIR) + "/lessons/pop3-vs-imap.toml")};
  mailsim::Scene scene;
  Run() {
    REQUIRE(world.run());
    scene = mailsim::build_scene(world.lesson(), world.trace());
  }
  // The trace index just after the note that starts step n (1-based), or the end.
  std::size_t before_step(int n) const {
    const std::string head = "step " + std::to_string(n) + "/";
    for (std::size_t i : scene.notes)
      if (const auto* e = std::get_if<sim::NoteEv>(&scene.event(i).p))
        if (e->kind == "step" && e->text.compare(0, head.size(), head) == 0) return i;
    return world.trace().size();
  }
};

std::string subjects(const std::vector<mailsim::FoldedMessage>& list) {
  std::string out;
  for (const auto& m : list) {
    auto p = m.summary.find("Subject: ");
    out += (out.empty() ? "" : ",") + m.summary.substr(p + 9, 5);
    if (m.flags.find("\\Seen") == std::string::npos) out += "*";
    if (!m.cached) out += "~";
  }
  return out;
}

// pop3-vs-imap with its send and check steps repeated `rounds` more times, run to the end.
struct Long {
  sim::World world;
  mailsim::Scene scene;
  static sim::Lesson lesson(int rounds) {
    auto L = sim::load_lesson(std::string(MAILSIM_SOURCE_DIR) + "/lessons/pop3-vs-imap.toml");
    const auto steps = L.steps;
    for (int round = 0; round < rounds; ++round)
      for (const auto& s : steps)
        if (s.action == "send" || s.action == "check") L.steps.push_back(s);
    return L;
  }
  explicit Long(int rounds) : world(lesson(rounds)) {
    REQUIRE(world.run());
    scene = mailsim::build_scene(world.lesson(), world.trace());
  }
};

// Every field of every message of every place, one line each: two folds compare whole.
std::string dump(const std::map<std::string, mailsim::FoldedPlace>& places) {
  std::string out;
  for (const auto& [key, p] : places) {
    out += key + (p.device ? " device\n" : "\n");
    for (const auto& [folder, list] : p.folders) {
      out += "  " + folder + "\n";
      for (const auto& m : list)
        out += "    " + std::to_string(m.uid) + " " + std::to_string(m.size) + " " + m.flags +
               (m.cached ? " cached " : " ") + std::to_string(m.since) + " " + m.summary + "\n";
    }
  }
  return out;
}

}  // namespace

TEST_CASE("fold: nothing before the first change, every place listed") {
  Run r;
  auto places = mailsim::fold_mailboxes(r.scene, 0);
  REQUIRE(places.count("bruno@recipient.example on mx.recipient.example"));
  REQUIRE(places.count("bruno@recipient.example on phone.bruno.example"));
  CHECK(places.at("bruno@recipient.example on phone.bruno.example").device);
  CHECK_FALSE(places.at("bruno@recipient.example on mx.recipient.example").device);
  for (const auto& [key, p] : places) CHECK(p.folders.at("INBOX").empty());
}

TEST_CASE("fold: the server and the devices at chosen steps, stepping back included") {
  Run r;
  const std::string server = "bruno@recipient.example on mx.recipient.example";
  const std::string phone = "bruno@recipient.example on phone.bruno.example";
  auto at6 = mailsim::fold_mailboxes(r.scene, r.before_step(6));  // after the phone's check
  CHECK(subjects(at6.at(server).folders.at("INBOX")) == "Lunch*,Invoi*,Holid*");
  CHECK(subjects(at6.at(phone).folders.at("INBOX")) == "Lunch*~,Invoi*~,Holid*~");
  auto at7 = mailsim::fold_mailboxes(r.scene, r.before_step(7));  // after reading Lunch
  CHECK(subjects(at7.at(server).folders.at("INBOX")) == "Lunch,Invoi*,Holid*");
  CHECK(subjects(at7.at(phone).folders.at("INBOX")) == "Lunch,Invoi*~,Holid*~");
  auto at12 = mailsim::fold_mailboxes(r.scene, r.before_step(12));  // tablet filed, phone synced
  CHECK(subjects(at12.at(server).folders.at("INBOX")) == "Holid*");
  CHECK(subjects(at12.at(server).folders.at("Receipts")) == "Invoi*");
  CHECK(subjects(at12.at(phone).folders.at("Receipts")) == "Invoi*~");
  // Folding again at an earlier point gives exactly the earlier picture.
  auto again = mailsim::fold_mailboxes(r.scene, r.before_step(6));
  CHECK(subjects(again.at(phone).folders.at("INBOX")) == "Lunch*~,Invoi*~,Holid*~");
  CHECK(again.at(server).folders.count("Receipts") == 0);
}

TEST_CASE("fold: past many checkpoints, the end state is what the stores hold") {
  Long r(20);
  sim::World& world = r.world;
  const mailsim::Scene& scene = r.scene;
  REQUIRE(scene.changes.size() > 300);  // past the first checkpoint
  auto end = mailsim::fold_mailboxes(scene, world.trace().size());
  const auto* inbox =
      world.server("mx.recipient.example")->store().folder("bruno@recipient.example", "INBOX");
  REQUIRE(inbox);
  const auto& folded =
      end.at("bruno@recipient.example on mx.recipient.example").folders.at("INBOX");
  REQUIRE(folded.size() == inbox->messages.size());
  for (std::size_t i = 0; i < folded.size(); ++i) CHECK(folded[i].uid == inbox->messages[i].uid);
  const auto* phone = world.device("phone.bruno.example");
  std::size_t on_phone = 0;
  for (const auto& [folder, list] :
       end.at("bruno@recipient.example on phone.bruno.example").folders)
    on_phone += list.size();
  CHECK(on_phone == phone->store().messages().size());
  // Any point folds the same whether reached from near or far (the checkpoint cache is
  // rebuilt for another scene in between).
  for (std::size_t upto : {std::size_t{0}, world.trace().size() / 3, world.trace().size() / 2}) {
    auto a = mailsim::fold_mailboxes(scene, upto);
    mailsim::Scene other = mailsim::build_scene(world.lesson(), world.trace());
    other.changes.pop_back();  // a different scene: the cache is rebuilt
    (void)mailsim::fold_mailboxes(other, upto);
    auto b = mailsim::fold_mailboxes(scene, upto);
    REQUIRE(a.size() == b.size());
    for (const auto& [key, p] : a)
      for (const auto& [folder, list] : p.folders)
        CHECK(b.at(key).folders.at(folder).size() == list.size());
  }
}

TEST_CASE("fold: snapshots spaced by the state's size give the fold from the start anywhere") {
  // 60 rounds of sending and checking: several hundred messages on servers and devices, so
  // the snapshots are spaced by the state's size, not only every 256 changes.
  Long r(60);
  sim::World& world = r.world;
  const mailsim::Scene& scene = r.scene;
  const auto end = mailsim::fold_mailboxes_from_start(scene, world.trace().size());
  std::size_t messages = 0;
  for (const auto& [key, p] : end)
    for (const auto& [folder, list] : p.folders) messages += list.size();
  REQUIRE(messages > 300);  // the state outgrows 256: snapshots spaced by its size
  // Cursors just before and after many changes, far and near a snapshot, in any order.
  std::vector<std::size_t> cursors{0, world.trace().size()};
  for (std::size_t k = 0; k < scene.changes.size(); k += 37) {
    cursors.push_back(scene.changes[k]);
    cursors.push_back(scene.changes[k] + 1);
  }
  for (std::size_t i = cursors.size(); i-- > 0;) {
    CAPTURE(cursors[i]);
    CHECK(dump(mailsim::fold_mailboxes(scene, cursors[i])) ==
          dump(mailsim::fold_mailboxes_from_start(scene, cursors[i])));
  }
}

// The transcript's filter over a real run: pop3-vs-imap with the phone on POP3, so
// the trace has SMTP, POP3, IMAP and DNS.
#include <doctest/doctest.h>

#include <set>

#include "gui/transcript_filter.hpp"
#include "sim/world.hpp"

using namespace mailsim;

namespace {

sim::Lesson mixed_lesson() {
  auto lesson = sim::load_lesson(std::string(MAILSIM_SOURCE_DIR) + "/lessons/pop3-vs-imap.toml");
  for (auto& h : lesson.hosts)
    if (h.name == "phone.bruno.example") {
      h.protocol = "pop3";
      h.leave_on_server = true;
      break;
    }
  return lesson;
}

struct Run {
  sim::World world{mixed_lesson()};
  Run() { REQUIRE(world.run()); }
  std::vector<const sim::Event*> shown(const TranscriptFilter& f) {
    const auto protos = connection_protocols(world.trace());
    std::vector<const sim::Event*> out;
    for (const auto& e : world.trace().events())
      if (passes(e, f, protos)) out.push_back(&e);
    return out;
  }
};

std::set<sim::Proto> line_protocols(const std::vector<const sim::Event*>& evs) {
  std::set<sim::Proto> out;
  for (const auto* e : evs)
    if (const auto* l = std::get_if<sim::LineEv>(&e->p)) out.insert(l->proto);
  return out;
}

}  // namespace

TEST_CASE("transcript filter: the default shows everything") {
  Run r;
  TranscriptFilter f;
  CHECK(f.all());
  CHECK(r.shown(f).size() == r.world.trace().size());
}

TEST_CASE("transcript filter: connection choices name client, server, port and protocol") {
  Run r;
  auto choices = connection_choices(r.world.trace());
  REQUIRE(choices.size() >= 4);
  std::set<sim::Proto> protos;
  std::set<std::uint32_t> ids;
  for (const auto& c : choices) {
    protos.insert(c.proto);
    CHECK(ids.insert(c.conn).second);  // each connection once
    CHECK(c.label.find("#" + std::to_string(c.conn) + " ") == 0);
    CHECK(c.label.find(sim::to_string(c.proto)) != std::string::npos);
  }
  CHECK(protos.count(sim::Proto::Smtp));
  CHECK(protos.count(sim::Proto::Pop3));
  CHECK(protos.count(sim::Proto::Imap));
}

TEST_CASE("transcript filter: switching a protocol off hides its lines and connections") {
  Run r;
  TranscriptFilter f;
  f.smtp = false;
  auto shown = r.shown(f);
  CHECK(shown.size() < r.world.trace().size());
  auto protos = line_protocols(shown);
  CHECK_FALSE(protos.count(sim::Proto::Smtp));
  CHECK(protos.count(sim::Proto::Imap));
  CHECK(protos.count(sim::Proto::Pop3));
  CHECK(protos.count(sim::Proto::Dns));
  const auto conn_proto = connection_protocols(r.world.trace());
  for (const auto* e : shown)
    if (const auto* c = std::get_if<sim::ConnEv>(&e->p))
      CHECK(conn_proto.at(c->conn) != sim::Proto::Smtp);

  f = {};
  f.dns = false;
  f.other = false;
  protos = line_protocols(r.shown(f));
  CHECK_FALSE(protos.count(sim::Proto::Dns));
  for (const auto* e : r.shown(f)) {
    CHECK_FALSE(std::holds_alternative<sim::MailboxEv>(e->p));
    CHECK_FALSE(std::holds_alternative<sim::NoteEv>(e->p));
  }
}

TEST_CASE("transcript filter: one connection shows only its own rows, in trace order") {
  Run r;
  auto choices = connection_choices(r.world.trace());
  for (const auto& c : choices) {
    TranscriptFilter f;
    f.conn = c.conn;
    auto shown = r.shown(f);
    REQUIRE_FALSE(shown.empty());
    std::size_t lines = 0;
    for (const auto* e : shown) {
      if (const auto* l = std::get_if<sim::LineEv>(&e->p)) {
        CHECK(l->conn == c.conn);
        CHECK(l->proto != sim::Proto::Dns);
        ++lines;
      } else if (const auto* ce = std::get_if<sim::ConnEv>(&e->p)) {
        CHECK(ce->conn == c.conn);
      } else {
        CHECK(std::holds_alternative<sim::TlsEv>(e->p));
      }
    }
    CHECK(lines > 0);
    for (std::size_t i = 1; i < shown.size(); ++i) CHECK(shown[i - 1]->seq < shown[i]->seq);
    // Switching the connection's own protocol off leaves nothing.
    if (c.proto == sim::Proto::Imap) {
      f.imap = false;
      CHECK(r.shown(f).empty());
    }
  }
}

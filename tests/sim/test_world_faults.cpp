// Every fault a lesson can inject (a link down, a server port stopped, a DNS
// failure, a full mailbox) against the sending MTA's queue: cleared in time,
// the message is delivered exactly once at a scheduled retry; never cleared,
// the sender gets a bounce naming the recipient and the reason. Nothing is
// silently dropped (RFC 5321 §4.5.4.1, §6.1).
#include <doctest/doctest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "net/store/mailstore.hpp"
#include "sim/lesson.hpp"
#include "sim/mail_server.hpp"
#include "sim/world.hpp"

namespace {

const std::string kBase = R"([lesson]
id = "faults"
title = "Faults"
retry_minutes = [1, 5, 15]

[[host]]
name = "pc.a.example"
ip = "10.1.0.2"
role = "device"
account = "ana@a.example"
server = "smtp.a.example"

[[host]]
name = "smtp.a.example"
ip = "10.1.0.25"
role = "server"
domain = "a.example"

[[host]]
name = "ns"
ip = "10.9.0.53"
role = "dns"

[[host]]
name = "mx.b.example"
ip = "10.2.0.25"
role = "server"
domain = "b.example"

[[link]]
a = "pc.a.example"
b = "smtp.a.example"

[[link]]
a = "smtp.a.example"
b = "ns"

[[link]]
a = "smtp.a.example"
b = "mx.b.example"
latency_ms = 20

[[account]]
address = "ana@a.example"
password = "ana-secret"

[[account]]
address = "bruno@b.example"
password = "bruno-secret"
)";

const std::string kSend = R"(
[[step]]
action = "send"
device = "pc.a.example"
to = "bruno@b.example"
subject = "Through the fault"
body = "hello"
)";

struct Fault {
  const char* name;
  std::string inject, clear;
  const char* reason;  // in every defer of the queue and in the bounce's diagnostic
};

const std::vector<Fault>& faults() {
  static const std::vector<Fault> all = {
      {"link down", R"(
[[step]]
action = "link"
a = "smtp.a.example"
b = "mx.b.example"
up = false
)",
       R"(
[[step]]
action = "link"
a = "mx.b.example"
b = "smtp.a.example"
up = true
)",
       "timed out"},
      {"server down (port 25 stopped)", R"(
[[step]]
action = "server"
host = "mx.b.example"
port = 25
up = false
)",
       R"(
[[step]]
action = "server"
host = "mx.b.example"
port = 25
up = true
)",
       "connection refused"},
      {"DNS failure (SERVFAIL)", R"(
[[step]]
action = "dns"
domain = "b.example"
up = false
)",
       R"(
[[step]]
action = "dns"
domain = "b.example"
up = true
)",
       "SERVFAIL"},
      {"DNS failure (no answer)", R"(
[[step]]
action = "dns"
failure = "timeout"
up = false
)",
       R"(
[[step]]
action = "dns"
up = true
)",
       "DNS lookup of b.example failed: timed out"},
      {"mailbox full", R"(
[[step]]
action = "mailbox"
mailbox = "bruno@b.example"
full = true
)",
       R"(
[[step]]
action = "mailbox"
mailbox = "bruno@b.example"
full = false
)",
       "452 4.2.2"},
  };
  return all;
}

struct QueueStep {
  sim::Time t;
  std::string op, detail;
};

// The queue events of the first queue entry (the lesson's message), in trace
// order.
std::vector<QueueStep> queue_of(const sim::World& w) {
  std::vector<QueueStep> out;
  std::string id;
  for (const auto& ev : w.trace().events()) {
    const auto* q = std::get_if<sim::QueueEv>(&ev.p);
    if (!q) continue;
    if (id.empty()) id = q->id;
    if (q->id == id) out.push_back({ev.t, q->op, q->detail});
  }
  return out;
}

std::vector<QueueStep> only(const std::vector<QueueStep>& steps, const std::string& op) {
  std::vector<QueueStep> out;
  for (const auto& s : steps)
    if (s.op == op) out.push_back(s);
  return out;
}

std::size_t inbox_size(sim::World& w, const char* server, const char* address) {
  const auto* box = w.server(server)->store().messages(address);
  return box ? box->size() : 0;
}

bool has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

}  // namespace

TEST_CASE(
    "a fault cleared in time: the message waits in the queue, then "
    "arrives exactly once") {
  for (const auto& f : faults()) {
    CAPTURE(f.name);
    // Two attempts fail inside the first 150 s (the first at once, the second
    // one minute after the first defer); the third, five minutes after the
    // second defer, succeeds.
    std::string toml = kBase;
    toml += f.inject;
    toml += kSend;
    toml += "\n[[step]]\naction = \"wait\"\nseconds = 150\n";
    toml += f.clear;
    sim::World w(sim::parse_lesson(toml, "cleared.toml"));
    REQUIRE(w.run());
    const auto q = queue_of(w);
    REQUIRE(!q.empty());
    CHECK(q.front().op == "enqueue");
    CHECK(q.back().op == "done");

    const auto attempts = only(q, "attempt"), defers = only(q, "defer");
    REQUIRE(attempts.size() == 3);
    REQUIRE(defers.size() == 2);
    CHECK(only(q, "sent").size() == 1);
    CHECK(only(q, "bounce").empty());
    CHECK(only(q, "drop").empty());
    // Each retry is in the trace, numbered, and follows its defer by the
    // scheduled wait.
    const sim::Time waits[] = {1 * sim::kMinute, 5 * sim::kMinute};
    for (std::size_t i = 0; i < defers.size(); ++i) {
      CAPTURE(defers[i].detail);
      CHECK(has(defers[i].detail, f.reason));
      CHECK(has(defers[i].detail,
                "next attempt in " + std::to_string(waits[i] / sim::kSecond) + " s"));
      CHECK(defers[i].t > attempts[i].t);
      CHECK(attempts[i + 1].t - defers[i].t == waits[i]);
      CHECK(has(attempts[i + 1].detail, "attempt " + std::to_string(i + 2) + ":"));
    }
    // Delivered after the fault was cleared (at 150 s and some), by the third
    // attempt.
    CHECK(attempts[2].t > 150 * sim::kSecond);
    CHECK(only(q, "sent").front().t > attempts[2].t);

    const auto* bruno = w.server("mx.b.example")->store().messages("bruno@b.example");
    REQUIRE(bruno);
    REQUIRE(bruno->size() == 1);
    CHECK(has(bruno->front().data, "Subject: Through the fault"));
    CHECK(inbox_size(w, "smtp.a.example", "ana@a.example") == 0);  // no bounce
  }
}

TEST_CASE(
    "a fault never cleared: after the last retry the sender gets a "
    "bounce saying why") {
  for (const auto& f : faults()) {
    CAPTURE(f.name);
    std::string toml = kBase;
    toml += f.inject;
    toml += kSend;
    sim::World w(sim::parse_lesson(toml, "never.toml"));
    REQUIRE(w.run());
    const auto q = queue_of(w);
    const auto attempts = only(q, "attempt"), defers = only(q, "defer");
    // The first attempt and the lesson's three retries; no defer after the last
    // one.
    REQUIRE(attempts.size() == 4);
    REQUIRE(defers.size() == 3);
    const sim::Time waits[] = {1 * sim::kMinute, 5 * sim::kMinute, 15 * sim::kMinute};
    for (std::size_t i = 0; i < defers.size(); ++i) {
      CHECK(has(defers[i].detail, f.reason));
      CHECK(attempts[i + 1].t - defers[i].t == waits[i]);
    }
    CHECK(only(q, "sent").empty());
    const auto bounces = only(q, "bounce");
    REQUIRE(bounces.size() == 1);
    CHECK(bounces.front().t > attempts.back().t);
    CHECK(has(bounces.front().detail, "<ana@a.example>"));
    CHECK(q.back().op == "done");

    CHECK(inbox_size(w, "mx.b.example", "bruno@b.example") == 0);
    const auto* ana = w.server("smtp.a.example")->store().messages("ana@a.example");
    REQUIRE(ana);
    REQUIRE(ana->size() == 1);
    const std::string& dsn = ana->front().data;
    CAPTURE(dsn);
    CHECK(has(dsn, "Return-Path: <>"));
    CHECK(has(dsn, "Subject: Undelivered Mail Returned to Sender"));
    CHECK(has(dsn, "Final-Recipient: rfc822; bruno@b.example"));
    CHECK(has(dsn, "Action: failed"));
    CHECK(has(dsn, "Status: 4.4.7"));  // delivery time expired (RFC 3463)
    CHECK(has(dsn, "gave up after 4 attempts"));
    CHECK(has(dsn, f.reason));
    CHECK(has(dsn,
              "Subject: Through the fault"));  // the original header comes back
  }
}

TEST_CASE(
    "a permanently full mailbox: 552 5.2.2 to the message and an "
    "immediate bounce") {
  sim::World w(sim::parse_lesson(kBase + R"(
[[step]]
action = "mailbox"
mailbox = "bruno@b.example"
full = true
permanent = true
)" + kSend,
                                 "quota.toml"));
  REQUIRE(w.run());
  const auto q = queue_of(w);
  CHECK(only(q, "attempt").size() == 1);
  CHECK(only(q, "defer").empty());
  CHECK(only(q, "bounce").size() == 1);
  bool replied = false;
  for (const auto& ev : w.trace().events())
    if (const auto* l = std::get_if<sim::LineEv>(&ev.p))
      replied |= !l->from_client && l->from == "mx.b.example" && has(l->text, "552 5.2.2");
  CHECK(replied);
  CHECK(inbox_size(w, "mx.b.example", "bruno@b.example") == 0);
  const auto* ana = w.server("smtp.a.example")->store().messages("ana@a.example");
  REQUIRE(ana);
  REQUIRE(ana->size() == 1);
  CHECK(has(ana->front().data, "Final-Recipient: rfc822; bruno@b.example"));
  CHECK(has(ana->front().data, "Status: 5.2.2"));
}

TEST_CASE(
    "a full mailbox defers only its recipient; the others are delivered "
    "at once") {
  sim::World w(sim::parse_lesson(kBase + R"(
[[account]]
address = "carla@b.example"
password = "carla-secret"

[[step]]
action = "mailbox"
mailbox = "bruno@b.example"
full = true

[[step]]
action = "send"
device = "pc.a.example"
to = ["bruno@b.example", "carla@b.example"]
subject = "Two of you"

[[step]]
action = "wait"
seconds = 30

[[step]]
action = "mailbox"
mailbox = "bruno@b.example"
full = false
)",
                                 "partial.toml"));
  REQUIRE(w.run());
  const auto q = queue_of(w);
  CHECK(only(q, "attempt").size() == 2);
  CHECK(only(q, "sent").size() == 2);
  REQUIRE(only(q, "defer").size() == 1);
  CHECK(has(only(q, "defer").front().detail, "bruno@b.example: 452 4.2.2"));
  CHECK(only(q, "bounce").empty());
  CHECK(inbox_size(w, "mx.b.example", "carla@b.example") == 1);
  CHECK(inbox_size(w, "mx.b.example", "bruno@b.example") == 1);
  CHECK(inbox_size(w, "smtp.a.example", "ana@a.example") == 0);
}

TEST_CASE(
    "every recipient refused, one for good and one for now: bounce one, "
    "retry the other") {
  sim::World w(sim::parse_lesson(kBase + R"(
[[step]]
action = "mailbox"
mailbox = "bruno@b.example"
full = true

[[step]]
action = "send"
device = "pc.a.example"
to = ["bruno@b.example", "nobody@b.example"]
subject = "Mixed"

[[step]]
action = "wait"
seconds = 30

[[step]]
action = "mailbox"
mailbox = "bruno@b.example"
full = false
)",
                                 "mixed.toml"));
  REQUIRE(w.run());
  const auto q = queue_of(w);
  CHECK(only(q, "bounce").size() == 1);
  CHECK(only(q, "defer").size() == 1);
  CHECK(only(q, "sent").size() == 1);
  CHECK(inbox_size(w, "mx.b.example", "bruno@b.example") == 1);
  const auto* ana = w.server("smtp.a.example")->store().messages("ana@a.example");
  REQUIRE(ana);
  REQUIRE(ana->size() == 1);
  CHECK(has(ana->front().data, "Final-Recipient: rfc822; nobody@b.example"));
  CHECK(has(ana->front().data, "Status: 5.1.1"));
  CHECK(!has(ana->front().data, "Final-Recipient: rfc822; bruno@b.example"));
}

TEST_CASE("a DNS failure for one domain leaves the other names answered") {
  sim::World w(sim::parse_lesson(kBase + R"(
[[step]]
action = "dns"
domain = "b.example"
up = false
)" + kSend,
                                 "dns.toml"));
  REQUIRE(w.run());
  std::vector<std::string> rcodes;
  for (const auto& ev : w.trace().events())
    if (const auto* l = std::get_if<sim::LineEv>(&ev.p))
      if (l->proto == sim::Proto::Dns && !l->from_client) rcodes.push_back(l->label);
  REQUIRE(!rcodes.empty());
  for (const auto& r : rcodes) CHECK(r == "SERVFAIL");
  // A name outside the failed domain still resolves: the fault is the zone's,
  // not the server's.
  sim::World other(sim::parse_lesson(kBase + R"(
[[step]]
action = "dns"
domain = "a.example"
up = false
)" + kSend,
                                     "dns-other.toml"));
  REQUIRE(other.run());
  CHECK(inbox_size(other, "mx.b.example", "bruno@b.example") == 1);
  CHECK(only(queue_of(other), "defer").empty());
}

TEST_CASE("the fault steps are checked with the position of the mistake") {
  auto error_of = [](const std::string& steps) {
    try {
      sim::parse_lesson(kBase + steps, "bad.toml");
    } catch (const sim::LessonError& e) {
      return std::string(e.what()) + " @" + std::to_string(e.pos().line) + ":" +
             std::to_string(e.pos().column);
    }
    return std::string("no error");
  };
  const auto line_of = [](const std::string& steps, const std::string& key) {
    const std::string all = kBase + steps;
    const auto at = all.find(key);
    return std::to_string(1 + std::count(all.begin(), all.begin() + static_cast<long>(at), '\n'));
  };
  std::string bad = "\n[[step]]\naction = \"dns\"\ndomain = \"c.example\"\nup = false\n";
  std::string e = error_of(bad);
  CHECK(has(e, "no name 'c.example'"));
  CHECK(has(e, "@" + line_of(bad, "domain = \"c.example\"") + ":"));

  bad = "\n[[step]]\naction = \"dns\"\nup = false\nfailure = \"slow\"\n";
  e = error_of(bad);
  CHECK(has(e, "unknown failure 'slow' (use servfail or timeout)"));
  CHECK(has(e, "@" + line_of(bad, "failure = \"slow\"") + ":"));

  CHECK(has(error_of("\n[[step]]\naction = \"dns\"\ndomain = \"b.example\"\n"),
            "needs 'up = false'"));
  CHECK(has(error_of("\n[[step]]\naction = \"dns\"\nup = true\nfailure = \"timeout\"\n"),
            "use it with up = false"));

  bad =
      "\n[[step]]\naction = \"mailbox\"\nmailbox = \"carla@b.example\"\nfull "
      "= true\n";
  e = error_of(bad);
  CHECK(has(e, "no [[account]] has the address 'carla@b.example'"));
  CHECK(has(e, "@" + line_of(bad, "mailbox = \"carla") + ":"));
  CHECK(has(error_of("\n[[step]]\naction = \"mailbox\"\nmailbox = \"bruno@b.example\"\n"),
            "needs 'full = true'"));
  CHECK(has(error_of("\n[[step]]\naction = \"mailbox\"\nmailbox = "
                     "\"bruno@b.example\"\nfull = "
                     "false\npermanent = true\n"),
            "'permanent' goes with full = true"));
  CHECK(has(error_of("\n[[step]]\naction = \"mailbox\"\nmailbox = "
                     "\"bruno@b.example\"\nfull = "
                     "true\nup = false\n"),
            "unknown key 'up' in a mailbox step"));
  // A parent of a known name is a domain the DNS server can fail.
  CHECK(error_of("\n[[step]]\naction = \"dns\"\ndomain = \"example\"\nup = false\n") == "no error");
}

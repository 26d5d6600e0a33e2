// End-to-end runs of whole worlds: the real SMTP engines over the simulated network.
#include <doctest/doctest.h>

#include <fstream>
#include <sstream>

#include "net/message/message.hpp"
#include "sim/lesson.hpp"
#include "sim/mail_server.hpp"
#include "sim/trace_json.hpp"
#include "sim/transcript.hpp"
#include "sim/world.hpp"

namespace {

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string lesson_path(const char* name) {
  return std::string(MAILSIM_SOURCE_DIR) + "/lessons/" + name;
}

std::string transcript_of(const sim::World& w) {
  std::ostringstream out;
  sim::write_transcript(w.trace(), out, {true, true});
  return out.str();
}

template <typename T>
std::vector<const T*> all(const sim::Trace& t) {
  std::vector<const T*> out;
  for (const auto& ev : t.events())
    if (const auto* p = std::get_if<T>(&ev.p)) out.push_back(p);
  return out;
}

const std::string kBase = R"([lesson]
id = "w"
title = "World test"

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
password = "ana-pw"

[[account]]
address = "bruno@b.example"
password = "bruno-pw"
)";

}  // namespace

TEST_CASE("smtp-basics: the message lands in Bruno's mailbox with both hops recorded") {
  sim::World w(sim::load_lesson(lesson_path("smtp-basics.toml")));
  REQUIRE(w.run());
  auto* mx = w.server("mx.recipient.example");
  REQUIRE(mx);
  const auto* box = mx->store().messages("bruno@recipient.example");
  REQUIRE(box);
  REQUIRE(box->size() == 1);
  const std::string& data = box->front().data;
  CHECK(data.rfind("Return-Path: <ana@sender.example>\r\n", 0) == 0);
  // Two Received: fields, newest first (RFC 5321 §4.4): Bruno's server, then Ana's.
  auto r1 = data.find("Received: from smtp.sender.example");
  auto r2 = data.find("Received: from laptop.sender.example");
  CHECK(r1 != std::string::npos);
  CHECK(r2 != std::string::npos);
  CHECK(r1 < r2);
  auto received = net::message::Message::parse(data).get_all("Received");
  REQUIRE(received.size() == 2);
  // Both hops ran STARTTLS (RFC 3848: S for TLS, A for AUTH).
  CHECK(received[0].find("by mx.recipient.example with ESMTPS id") != std::string::npos);
  CHECK(received[1].find("by smtp.sender.example with ESMTPSA id") != std::string::npos);
  CHECK(
      data.find("\r\n\r\nHi Bruno,\r\n\r\nShall we have lunch on Friday at noon?\r\n\r\nAna\r\n") !=
      std::string::npos);

  // DNS: an MX query for recipient.example went over the network and was answered.
  bool asked = false, answered = false;
  for (const auto* l : all<sim::LineEv>(w.trace())) {
    if (l->proto != sim::Proto::Dns) continue;
    if (l->from_client && l->text.find("MX recipient.example") != std::string::npos) asked = true;
    if (!l->from_client && l->text.find("mx.recipient.example") != std::string::npos)
      answered = true;
  }
  CHECK(asked);
  CHECK(answered);
  // Submission on 587 and relay on 25.
  std::vector<std::uint16_t> ports;
  for (const auto* c : all<sim::ConnEv>(w.trace()))
    if (c->op == "open") ports.push_back(c->server_port);
  CHECK(std::find(ports.begin(), ports.end(), 587) != ports.end());
  CHECK(std::find(ports.begin(), ports.end(), 25) != ports.end());
}

TEST_CASE("the password never reaches the trace, the transcript or the JSON export") {
  sim::World w(sim::load_lesson(lesson_path("smtp-basics.toml")));
  REQUIRE(w.run());
  std::ostringstream json;
  sim::write_jsonl(w.trace(), json);
  std::string t = transcript_of(w);
  // AUTH PLAIN's blob is base64("\0ana\0ana-secret").
  for (const std::string& s : {std::string("ana-secret"), std::string("AGFuYQBhbmEtc2VjcmV0")}) {
    CHECK(t.find(s) == std::string::npos);
    CHECK(json.str().find(s) == std::string::npos);
  }
  CHECK(t.find("AUTH PLAIN") != std::string::npos);
}

TEST_CASE("same lesson and seed give a byte-identical trace; another seed changes it") {
  auto run = [](std::uint64_t seed) {
    auto L = sim::load_lesson(lesson_path("smtp-basics.toml"));
    L.seed = seed;
    sim::World w(std::move(L));
    REQUIRE(w.run());
    std::ostringstream json;
    sim::write_jsonl(w.trace(), json);
    return std::make_pair(sim::fingerprint(w.trace()), json.str());
  };
  auto a = run(1), b = run(1), c = run(2);
  CHECK(a.first == b.first);
  CHECK(a.second == b.second);
  CHECK(a.first != c.first);  // initial sequence numbers come from the seed
}

TEST_CASE("golden transcript of smtp-basics (update: MAILSIM_UPDATE_GOLDEN=1)") {
  sim::World w(sim::load_lesson(lesson_path("smtp-basics.toml")));
  REQUIRE(w.run());
  std::ostringstream out;
  sim::write_transcript(w.trace(), out);
  const std::string golden_path = std::string(MAILSIM_SOURCE_DIR) + "/tests/golden/smtp-basics.txt";
  if (const char* u = std::getenv("MAILSIM_UPDATE_GOLDEN"); u && std::string(u) == "1") {
    std::ofstream(golden_path, std::ios::binary) << out.str();
  }
  std::string golden = read_file(golden_path);
  REQUIRE_MESSAGE(!golden.empty(), "missing " << golden_path);
  // A change to the wire bytes must be a deliberate golden update.
  CHECK(out.str() == golden);
}

TEST_CASE("an unknown recipient at the remote server bounces back to the sender") {
  sim::World w(sim::parse_lesson(kBase + R"(
[[step]]
action = "send"
device = "pc.a.example"
to = ["bruno@b.example", "nobody@b.example"]
subject = "Two recipients"
body = "hello"
)",
                                 "bounce.toml"));
  REQUIRE(w.run());
  const auto* bruno = w.server("mx.b.example")->store().messages("bruno@b.example");
  REQUIRE(bruno);
  CHECK(bruno->size() == 1);
  const auto* ana = w.server("smtp.a.example")->store().messages("ana@a.example");
  REQUIRE(ana);
  REQUIRE(ana->size() == 1);
  const std::string& dsn = ana->front().data;
  CHECK(dsn.find("Return-Path: <>") == 0);
  CHECK(dsn.find("Subject: Undelivered Mail Returned to Sender") != std::string::npos);
  CHECK(dsn.find("Final-Recipient: rfc822; nobody@b.example") != std::string::npos);
  CHECK(dsn.find("Status: 5.1.1") != std::string::npos);
  CHECK(dsn.find("Final-Recipient: rfc822; bruno@b.example") == std::string::npos);
}

TEST_CASE("a stopped port 25 is retried with backoff, then delivered when it is back") {
  sim::World w(sim::parse_lesson(kBase + R"(
[[step]]
action = "server"
host = "mx.b.example"
port = 25
up = false

[[step]]
action = "send"
device = "pc.a.example"
to = "bruno@b.example"
subject = "Retry"

[[step]]
action = "wait"
seconds = 90

[[step]]
action = "server"
host = "mx.b.example"
port = 25
up = true
)",
                                 "retry.toml"));
  REQUIRE(w.run());
  std::vector<std::string> ops;
  for (const auto* q : all<sim::QueueEv>(w.trace())) ops.push_back(q->op);
  CHECK(std::count(ops.begin(), ops.end(), "defer") >= 1);
  CHECK(std::count(ops.begin(), ops.end(), "sent") == 1);
  CHECK(std::count(ops.begin(), ops.end(), "bounce") == 0);
  bool refused = false;
  for (const auto* c : all<sim::ConnEv>(w.trace()))
    if (c->op == "refused" && c->server_port == 25) refused = true;
  CHECK(refused);
  const auto* bruno = w.server("mx.b.example")->store().messages("bruno@b.example");
  REQUIRE(bruno);
  CHECK(bruno->size() == 1);
}

TEST_CASE("after the last retry the sender gets a bounce saying why") {
  sim::World w(sim::parse_lesson(kBase + R"(
[[step]]
action = "server"
host = "mx.b.example"
port = 25
up = false

[[step]]
action = "send"
device = "pc.a.example"
to = "bruno@b.example"
subject = "Never arrives"
)",
                                 "giveup.toml"));
  REQUIRE(w.run());
  const auto* ana = w.server("smtp.a.example")->store().messages("ana@a.example");
  REQUIRE(ana);
  REQUIRE(ana->size() == 1);
  CHECK(ana->front().data.find("Status: 4.4.7") != std::string::npos);
  CHECK(ana->front().data.find("connection refused") != std::string::npos);
  // attempts: 1 + the lesson's three default retries
  int attempts = 0;
  for (const auto* q : all<sim::QueueEv>(w.trace())) attempts += q->op == "attempt";
  CHECK(attempts == 4);
}

TEST_CASE("a domain without DNS records bounces at once (NXDOMAIN)") {
  sim::World w(sim::parse_lesson(kBase + R"(
[[step]]
action = "send"
device = "pc.a.example"
to = "someone@nowhere.example"
subject = "Lost"
)",
                                 "nx.toml"));
  REQUIRE(w.run());
  const auto* ana = w.server("smtp.a.example")->store().messages("ana@a.example");
  REQUIRE(ana);
  REQUIRE(ana->size() == 1);
  CHECK(ana->front().data.find("NXDOMAIN") != std::string::npos);
}

TEST_CASE("a link outage makes the relay time out; the queue delivers once the link is back") {
  sim::World w(sim::parse_lesson(kBase + R"(
[[step]]
action = "link"
a = "smtp.a.example"
b = "mx.b.example"
up = false

[[step]]
action = "send"
device = "pc.a.example"
to = "bruno@b.example"
subject = "Through the outage"

[[step]]
action = "wait"
seconds = 45

[[step]]
action = "link"
a = "smtp.a.example"
b = "mx.b.example"
up = true
)",
                                 "outage.toml"));
  REQUIRE(w.run());
  std::vector<std::string> defers;
  for (const auto* q : all<sim::QueueEv>(w.trace()))
    if (q->op == "defer") defers.push_back(q->detail);
  REQUIRE(defers.size() == 1);
  CHECK(defers[0].find("timed out") != std::string::npos);
  bool dropped = false;
  for (const auto* n : all<sim::NoteEv>(w.trace())) dropped |= n->kind == "drop";
  CHECK(dropped);  // the SYN was lost on the down link
  CHECK(w.server("mx.b.example")->store().messages("bruno@b.example")->size() == 1);
}

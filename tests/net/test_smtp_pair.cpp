// A real Client talking to a real Server through an in-memory link.
#include <doctest/doctest.h>

#include <string>
#include <variant>

#include "net/smtp/client.hpp"
#include "net/smtp/sasl.hpp"
#include "smtp_test_util.hpp"

using namespace net::smtp;
using testutil::ServerRig;

namespace {

struct Link {
  ServerRig& rig;
  Client client;
  bool bytewise = false;
  size_t cut_after = SIZE_MAX;  // client→server bytes delivered before the line drops
  size_t c2s = 0;
  bool cut = false;
  std::string transcript;  // "C: ..." / "S: ..." raw bytes in order
  std::vector<std::string> client_writes;
  net::EngineEvents client_events, server_events;

  Link(ServerRig& r, ClientJob job) : rig(r), client(std::move(job)) {}

  void to_client(const std::string& bytes) {
    transcript += "S: " + bytes;
    if (!bytewise) {
      client.feed(bytes);
    } else {
      for (char c : bytes) client.feed(std::string_view(&c, 1));
    }
  }

  void to_server(std::string bytes) {
    client_writes.push_back(bytes);
    if (c2s + bytes.size() > cut_after) {
      bytes.resize(cut_after - c2s);
      cut = true;
    }
    c2s += bytes.size();
    transcript += "C: " + bytes;
    if (!bytewise) {
      rig.server.feed(bytes);
    } else {
      for (char c : bytes) rig.server.feed(std::string_view(&c, 1));
    }
  }

  void drain_events() {
    for (auto& e : client.take_events()) client_events.push_back(std::move(e));
    for (auto& e : rig.server.take_events()) server_events.push_back(std::move(e));
  }

  // Pumps bytes both ways until both sides are quiet, then closes like a driver would.
  void run() {
    rig.server.take_events();
    rig.server.on_connect("10.0.0.2", "laptop.sender.example");
    for (int guard = 0; guard < 1000; ++guard) {
      std::string s = rig.server.take_output();
      if (!s.empty()) to_client(s);
      std::string c = client.take_output();
      if (!c.empty() && !cut) to_server(c);
      drain_events();
      if (cut) {
        rig.server.on_disconnect();
        client.on_disconnect();
        break;
      }
      if (s.empty() && c.empty()) break;
    }
    if (rig.server.wants_close() && !client.done()) client.on_disconnect();
    if (client.done() && !rig.server.wants_close()) rig.server.on_disconnect();
    drain_events();
  }
};

std::vector<net::LineEvent> lines_of(const net::EngineEvents& ev) {
  std::vector<net::LineEvent> out;
  for (const auto& e : ev)
    if (auto* l = std::get_if<net::LineEvent>(&e)) out.push_back(*l);
  return out;
}

ServerConfig submission() {
  ServerConfig c;
  c.hostname = "smtp.sender.example";
  c.submission = true;
  return c;
}

ClientJob job(std::vector<std::string> rcpts, std::string msg = "Subject: hi\r\n\r\nHello\r\n") {
  ClientJob j;
  j.helo_name = "laptop.sender.example";
  j.mail_from = "ana@sender.example";
  j.rcpt_to = std::move(rcpts);
  j.message = std::move(msg);
  return j;
}

// What follows the trace fields the policy added.
std::string original_of(const std::string& stored) {
  size_t p = stored.find("\r\nReceived: ");
  REQUIRE(p != std::string::npos);
  p = stored.find("\r\n", p + 2);
  while (stored[p + 2] == ' ') p = stored.find("\r\n", p + 2);
  return stored.substr(p + 2);
}

void check_secrets_only_in_secret(const net::EngineEvents& ev,
                                  const std::vector<std::string>& secrets, int expected) {
  int seen = 0;
  for (const auto& l : lines_of(ev)) {
    for (const auto& s : secrets) {
      CHECK(l.meaning.find(s) == std::string::npos);
      if (l.text.find(s) != std::string::npos) {
        CHECK(l.secret.find(s) != std::string::npos);
        ++seen;
      }
    }
    if (!l.secret.empty()) CHECK(l.text.find(l.secret) != std::string::npos);
  }
  CHECK(seen == expected);
}

}  // namespace

TEST_CASE("pair: submission with AUTH PLAIN") {
  ServerRig rig(submission());
  auto j = job({"bob@recipient.example"});
  j.auth = Credentials{"ana", "s3cret!"};
  Link link(rig, j);
  link.run();
  const auto& o = link.client.outcome();
  CHECK(o.finished);
  CHECK(o.delivered);
  CHECK_FALSE(o.temporary);
  CHECK(o.last.code == 250);
  CHECK(o.error.empty());
  REQUIRE(o.rcpts.size() == 1);
  CHECK(o.rcpts[0].reply.code == 250);
  CHECK(link.client.done());
  CHECK(link.client.state() == ClientState::Done);
  CHECK(rig.server.state() == ServerState::Quit);
  std::string blob = encode_plain("ana", "s3cret!");
  CHECK(link.transcript.find("C: AUTH PLAIN " + blob + "\r\n") != std::string::npos);
  CHECK(link.transcript.find("S: 235 2.7.0") != std::string::npos);
  CHECK(link.transcript.find("C: QUIT\r\n") != std::string::npos);
  REQUIRE(rig.stored("bob@recipient.example") == 1);
  const auto& m = rig.store.messages("bob@recipient.example")->front().data;
  CHECK(m.find("with ESMTPA id") != std::string::npos);
  CHECK(original_of(m) == "Subject: hi\r\n\r\nHello\r\n");
  check_secrets_only_in_secret(link.client_events, {blob, "s3cret!"}, 1);
  check_secrets_only_in_secret(link.server_events, {blob, "s3cret!"}, 1);
}

TEST_CASE("pair: submission with AUTH LOGIN") {
  ServerConfig cfg = submission();
  cfg.auth_mechanisms = {"LOGIN"};
  ServerRig rig(cfg);
  auto j = job({"bob@recipient.example"});
  j.auth = Credentials{"ana@sender.example", "s3cret!"};
  Link link(rig, j);
  link.run();
  CHECK(link.client.outcome().delivered);
  std::string u = base64_encode("ana@sender.example"), p = base64_encode("s3cret!");
  CHECK(link.transcript.find("C: AUTH LOGIN\r\nS: 334 VXNlcm5hbWU6\r\nC: " + u +
                             "\r\nS: 334 UGFzc3dvcmQ6\r\nC: " + p + "\r\nS: 235 2.7.0") !=
        std::string::npos);
  CHECK(rig.stored("bob@recipient.example") == 1);
  check_secrets_only_in_secret(link.client_events, {u, p}, 2);
  check_secrets_only_in_secret(link.server_events, {u, p}, 2);
}

TEST_CASE("pair: wrong password is a permanent failure, nothing sent") {
  ServerRig rig(submission());
  auto j = job({"bob@recipient.example"});
  j.auth = Credentials{"ana", "guess"};
  Link link(rig, j);
  link.run();
  const auto& o = link.client.outcome();
  CHECK(o.finished);
  CHECK_FALSE(o.delivered);
  CHECK_FALSE(o.temporary);
  CHECK(o.last.code == 535);
  CHECK(o.error.find("login failed") != std::string::npos);
  CHECK(link.transcript.find("MAIL FROM") == std::string::npos);
  CHECK(rig.stored("bob@recipient.example") == 0);
}

TEST_CASE("pair: AUTH wanted but the server does not offer it") {
  ServerRig rig;  // port 25 role, no AUTH
  auto j = job({"bob@recipient.example"});
  j.auth = Credentials{"ana", "s3cret!"};
  Link link(rig, j);
  link.run();
  const auto& o = link.client.outcome();
  CHECK(o.finished);
  CHECK_FALSE(o.delivered);
  CHECK_FALSE(o.temporary);
  CHECK(o.error.find("does not offer AUTH") != std::string::npos);
  CHECK(link.transcript.find("C: AUTH") == std::string::npos);
  CHECK(link.transcript.find("C: QUIT\r\n") != std::string::npos);
}

TEST_CASE("pair: pipelined relay to three recipients, one rejected") {
  for (bool bytewise : {false, true}) {
    CAPTURE(bytewise);
    ServerRig rig;
    Link link(
        rig, job({"bob@recipient.example", "nobody@recipient.example", "carol@recipient.example"}));
    link.bytewise = bytewise;
    link.run();
    const auto& o = link.client.outcome();
    CHECK(o.delivered);
    CHECK_FALSE(o.temporary);
    REQUIRE(o.rcpts.size() == 3);
    CHECK(o.rcpts[0].addr == "bob@recipient.example");
    CHECK(o.rcpts[0].reply.code == 250);
    CHECK(o.rcpts[1].reply.code == 550);
    CHECK(o.rcpts[1].reply.enhanced == "5.1.1");
    CHECK(o.rcpts[2].reply.code == 250);
    // RFC 2920: MAIL, every RCPT and DATA in one write.
    REQUIRE(link.client_writes.size() >= 2);
    CHECK(link.client_writes[1] ==
          "MAIL FROM:<ana@sender.example> SIZE=22\r\nRCPT TO:<bob@recipient.example>\r\n"
          "RCPT TO:<nobody@recipient.example>\r\nRCPT TO:<carol@recipient.example>\r\nDATA\r\n");
    CHECK(rig.stored("bob@recipient.example") == 1);
    CHECK(rig.stored("carol@recipient.example") == 1);
    auto lines = lines_of(link.client_events);
    bool refused_meaning = false;
    for (const auto& l : lines)
      if (!l.sent && l.label == "550")
        refused_meaning = l.meaning.find("nobody@recipient.example") != std::string::npos;
    CHECK(refused_meaning);
  }
}

TEST_CASE("pair: transcripts are identical whether bytes arrive whole or one at a time") {
  std::string a, b;
  for (bool bytewise : {false, true}) {
    ServerRig rig(submission());
    auto j = job({"bob@recipient.example", "x@elsewhere.example"},
                 "Subject: s\r\n\r\n.\r\n..x\r\nend\r\n");
    j.auth = Credentials{"ana", "s3cret!"};
    Link link(rig, j);
    link.bytewise = bytewise;
    link.run();
    CHECK(link.client.outcome().delivered);
    (bytewise ? b : a) = link.transcript;
  }
  CHECK(a == b);
  CHECK(a.size() > 300);
}

TEST_CASE("pair: dot-stuffing round trip") {
  ServerRig rig;
  std::string msg = "Subject: dots\r\n\r\n.\r\n..x\r\n.hidden\r\nnormal\r\n. \r\n";
  Link link(rig, job({"bob@recipient.example"}, msg));
  link.run();
  CHECK(link.client.outcome().delivered);
  CHECK(link.transcript.find(
            "C: Subject: dots\r\n\r\n..\r\n...x\r\n..hidden\r\nnormal\r\n.. \r\n.\r\n") !=
        std::string::npos);
  REQUIRE(rig.stored("bob@recipient.example") == 1);
  CHECK(original_of(rig.store.messages("bob@recipient.example")->front().data) == msg);
}

TEST_CASE("pair: a message without a final CRLF and with bare LF still arrives whole") {
  ServerRig rig;
  Link link(rig, job({"bob@recipient.example"}, "Subject: lf\n\nline\n.dot"));
  link.run();
  CHECK(link.client.outcome().delivered);
  REQUIRE(rig.stored("bob@recipient.example") == 1);
  CHECK(original_of(rig.store.messages("bob@recipient.example")->front().data) ==
        "Subject: lf\r\n\r\nline\r\n.dot\r\n");
}

TEST_CASE("pair: message too big is refused at MAIL thanks to SIZE") {
  ServerConfig cfg;
  cfg.max_message_size = 100;
  ServerRig rig(cfg);
  Link link(
      rig, job({"bob@recipient.example"}, "Subject: big\r\n\r\n" + std::string(300, 'x') + "\r\n"));
  link.run();
  const auto& o = link.client.outcome();
  CHECK(o.finished);
  CHECK_FALSE(o.delivered);
  CHECK_FALSE(o.temporary);
  CHECK(o.last.code == 552);
  CHECK(o.last.enhanced == "5.3.4");
  CHECK(o.error.find("refused the sender") != std::string::npos);
  CHECK(link.transcript.find("S: 552 5.3.4 Message size exceeds fixed limit") != std::string::npos);
  // The pipelined RCPT and DATA were answered with 503 and no content was sent.
  CHECK(link.transcript.find("\r\n503 5.5.1 Error: need MAIL command") != std::string::npos);
  CHECK(link.transcript.find("xxxx") == std::string::npos);
  CHECK(rig.stored("bob@recipient.example") == 0);
}

TEST_CASE("pair: relay denied for every recipient is permanent") {
  ServerRig rig;
  Link link(rig, job({"x@elsewhere.example", "y@elsewhere.example"}));
  link.run();
  const auto& o = link.client.outcome();
  CHECK_FALSE(o.delivered);
  CHECK_FALSE(o.temporary);
  CHECK(o.error == "the server refused every recipient");
  REQUIRE(o.rcpts.size() == 2);
  CHECK(o.rcpts[1].reply.code == 554);
  CHECK(o.last.code == 554);
  CHECK(link.transcript.find("Subject") == std::string::npos);
}

TEST_CASE("pair: too many recipients is temporary for the extra ones") {
  ServerConfig cfg;
  cfg.max_recipients = 1;
  ServerRig rig(cfg);
  Link link(rig, job({"bob@recipient.example", "carol@recipient.example"}));
  link.run();
  const auto& o = link.client.outcome();
  CHECK(o.delivered);
  REQUIRE(o.rcpts.size() == 2);
  CHECK(o.rcpts[1].reply.code == 452);
  CHECK(rig.stored("bob@recipient.example") == 1);
  CHECK(rig.stored("carol@recipient.example") == 0);
}

TEST_CASE("pair: disconnect in the middle of DATA stores nothing") {
  ServerRig rig;
  std::string msg = "Subject: cut\r\n\r\nfirst line\r\nsecond line\r\n";
  // Find where the content starts in the client's byte stream, then cut inside it.
  Link probe(rig, job({"bob@recipient.example"}, msg));
  probe.run();
  size_t content = probe.transcript.find("C: Subject: cut");
  REQUIRE(content != std::string::npos);
  size_t offset = 0;
  for (const auto& w : probe.client_writes) {
    size_t at = w.find("Subject: cut");
    if (at != std::string::npos) {
      offset += at + 20;
      break;
    }
    offset += w.size();
  }
  ServerRig rig2;
  Link link(rig2, job({"bob@recipient.example"}, msg));
  link.cut_after = offset;
  link.run();
  CHECK(link.cut);
  CHECK(rig2.server.state() == ServerState::Quit);
  CHECK(rig2.stored("bob@recipient.example") == 0);
  const auto& o = link.client.outcome();
  CHECK(o.finished);
  CHECK_FALSE(o.delivered);
  CHECK(o.temporary);
  CHECK(o.error.find("connection was lost") != std::string::npos);
}

// The simulator turns off reporting what engines read (EngineIo::report_received): the same
// bytes must flow and the same message arrive; of the lines read, only those carrying a
// secret are reported (so the secret still reaches the trace).
TEST_CASE("pair: with report_received off, same exchange, only secret-bearing reads reported") {
  for (const char* mech : {"PLAIN", "LOGIN"}) {
    CAPTURE(mech);
    std::string transcripts[2];
    net::EngineEvents client_events[2], server_events[2];
    for (int quiet = 0; quiet < 2; ++quiet) {  // 0: reads not reported, 1: reported
      ServerConfig cfg = submission();
      cfg.auth_mechanisms = {mech};
      ServerRig rig(cfg);
      auto j = job({"bob@recipient.example"}, "Subject: hi\r\n\r\n.dot\r\nHello\r\n");
      j.auth = Credentials{"ana", "s3cret!"};
      Link link(rig, j);
      link.client.report_received(quiet == 1);
      rig.server.report_received(quiet == 1);
      CHECK(link.client.reports_received() == (quiet == 1));
      link.run();
      CHECK(link.client.outcome().delivered);
      CHECK(rig.stored("bob@recipient.example") == 1);
      transcripts[quiet] = link.transcript;
      client_events[quiet] = link.client_events;
      server_events[quiet] = link.server_events;
    }
    CHECK(transcripts[0] == transcripts[1]);
    auto sent = [](const net::EngineEvents& ev) {
      std::vector<std::string> out;
      for (const auto& l : lines_of(ev))
        if (l.sent) out.push_back(l.text + "|" + l.meaning);
      return out;
    };
    auto read = [](const net::EngineEvents& ev) {
      std::vector<net::LineEvent> out;
      for (const auto& l : lines_of(ev))
        if (!l.sent) out.push_back(l);
      return out;
    };
    CHECK(sent(client_events[0]) == sent(client_events[1]));
    CHECK(sent(server_events[0]) == sent(server_events[1]));
    CHECK(read(client_events[0]).empty());  // replies carry no secret
    CHECK_FALSE(read(client_events[1]).empty());
    const auto quiet_reads = read(server_events[0]);
    REQUIRE_FALSE(quiet_reads.empty());
    for (const auto& l : quiet_reads) CHECK_FALSE(l.secret.empty());
    std::size_t secret_reads = 0;
    for (const auto& l : read(server_events[1])) secret_reads += l.secret.empty() ? 0 : 1;
    CHECK(quiet_reads.size() == secret_reads);
  }
}

// Client behaviour against server replies our own Server never sends (old or odd
// servers, failures). The replies are fed as bytes, as a real server would write them.
#include <doctest/doctest.h>

#include <string>
#include <variant>

#include "net/smtp/client.hpp"
#include "net/smtp/sasl.hpp"

using namespace net::smtp;

namespace {

ClientJob job(std::vector<std::string> rcpts = {"bob@recipient.example"}) {
  ClientJob j;
  j.helo_name = "smtp.sender.example";
  j.mail_from = "ana@sender.example";
  j.rcpt_to = std::move(rcpts);
  j.message = "Subject: t\r\n\r\nbody\r\n";
  return j;
}

// Feeds `reply` (whole or one byte at a time) and returns what the client wrote.
std::string step(Client& c, std::string_view reply, bool bytewise = false) {
  if (bytewise) {
    for (char ch : reply) c.feed(std::string_view(&ch, 1));
  } else {
    c.feed(reply);
  }
  return c.take_output();
}

}  // namespace

TEST_CASE("client: greeting refused (554) fails permanently and sends QUIT") {
  Client c(job());
  CHECK(c.state() == ClientState::AwaitGreeting);
  CHECK(step(c, "554 5.7.1 go away\r\n") == "QUIT\r\n");
  CHECK(c.state() == ClientState::Quit);
  CHECK_FALSE(c.done());
  CHECK(step(c, "221 2.0.0 Bye\r\n") == "");
  CHECK(c.done());
  const auto& o = c.outcome();
  CHECK(o.finished);
  CHECK_FALSE(o.delivered);
  CHECK_FALSE(o.temporary);
  CHECK(o.last.code == 554);
  CHECK(o.error.find("did not accept the connection") != std::string::npos);
}

TEST_CASE("client: 421 at any point is temporary") {
  Client c(job());
  CHECK(step(c, "220 mx ESMTP\r\n") == "EHLO smtp.sender.example\r\n");
  CHECK(step(c, "421 4.3.2 shutting down\r\n") == "QUIT\r\n");
  c.on_disconnect();  // the server closed without answering QUIT
  CHECK(c.done());
  CHECK(c.outcome().temporary);
  CHECK(c.outcome().last.code == 421);
  CHECK_FALSE(c.outcome().delivered);
}

TEST_CASE("client: EHLO refused → HELO, then one command at a time") {
  for (bool bytewise : {false, true}) {
    CAPTURE(bytewise);
    Client c(job({"bob@recipient.example", "carol@recipient.example"}));
    step(c, "220 old.example SMTP\r\n", bytewise);
    CHECK(step(c, "502 5.5.2 what?\r\n", bytewise) == "HELO smtp.sender.example\r\n");
    CHECK(c.state() == ClientState::Helo);
    // No extensions: no SIZE, no pipelining.
    CHECK(step(c, "250 old.example\r\n", bytewise) == "MAIL FROM:<ana@sender.example>\r\n");
    CHECK(step(c, "250 ok\r\n", bytewise) == "RCPT TO:<bob@recipient.example>\r\n");
    CHECK(c.state() == ClientState::Rcpt);
    CHECK(step(c, "250 ok\r\n", bytewise) == "RCPT TO:<carol@recipient.example>\r\n");
    CHECK(step(c, "450 4.2.0 busy\r\n", bytewise) == "DATA\r\n");
    CHECK(c.state() == ClientState::Data);
    CHECK(step(c, "354 go\r\n", bytewise) == "Subject: t\r\n\r\nbody\r\n.\r\n");
    CHECK(c.state() == ClientState::Content);
    CHECK(step(c, "250 queued\r\n", bytewise) == "QUIT\r\n");
    CHECK(step(c, "221 bye\r\n", bytewise) == "");
    const auto& o = c.outcome();
    CHECK(o.delivered);
    CHECK(o.last.code == 250);
    CHECK(o.last.lines == std::vector<std::string>{"queued"});
    REQUIRE(o.rcpts.size() == 2);
    CHECK(o.rcpts[1].reply.code == 450);
  }
}

TEST_CASE("client: HELO-only server cannot do AUTH") {
  auto j = job();
  j.auth = Credentials{"ana", "pw"};
  Client c(j);
  step(c, "220 old\r\n");
  step(c, "500 unknown\r\n");
  CHECK(step(c, "250 old\r\n") == "QUIT\r\n");
  CHECK_FALSE(c.outcome().temporary);
  CHECK(c.outcome().error.find("cannot do AUTH") != std::string::npos);
}

TEST_CASE("client: AUTH LOGIN when only LOGIN is offered, old AUTH= syntax") {
  auto j = job();
  j.auth = Credentials{"ana", "pw"};
  Client c(j);
  step(c, "220 mx\r\n");
  CHECK(step(c, "250-mx\r\n250-AUTH=LOGIN\r\n250 8BITMIME\r\n") == "AUTH LOGIN\r\n");
  CHECK(c.state() == ClientState::Auth);
  CHECK(step(c, "334 VXNlcm5hbWU6\r\n") == base64_encode("ana") + "\r\n");
  CHECK(step(c, "334 UGFzc3dvcmQ6\r\n") == base64_encode("pw") + "\r\n");
  CHECK(step(c, "235 2.7.0 ok\r\n") == "MAIL FROM:<ana@sender.example>\r\n");
  // A secret never leaks into plain event text.
  for (const auto& e : c.take_events()) {
    if (auto* l = std::get_if<net::LineEvent>(&e)) {
      if (l->text == base64_encode("ana") || l->text == base64_encode("pw")) {
        CHECK(l->secret == l->text);
        CHECK(l->sent);
      }
    }
  }
}

TEST_CASE("client: unknown mechanisms only, and temporary AUTH failure") {
  auto j = job();
  j.auth = Credentials{"ana", "pw"};
  Client c(j);
  step(c, "220 mx\r\n");
  CHECK(step(c, "250-mx\r\n250 AUTH CRAM-MD5 GSSAPI\r\n") == "QUIT\r\n");
  CHECK(c.outcome().error.find("no login mechanism") != std::string::npos);

  Client d(j);
  step(d, "220 mx\r\n");
  CHECK(step(d, "250-mx\r\n250 AUTH PLAIN\r\n") ==
        "AUTH PLAIN " + encode_plain("ana", "pw") + "\r\n");
  CHECK(step(d, "454 4.7.0 try later\r\n") == "QUIT\r\n");
  CHECK(d.outcome().temporary);
  CHECK(d.outcome().last.code == 454);
}

TEST_CASE("client: PLAIN initial response answered with a challenge is cancelled") {
  auto j = job();
  j.auth = Credentials{"ana", "pw"};
  Client c(j);
  step(c, "220 mx\r\n");
  step(c, "250-mx\r\n250 AUTH PLAIN\r\n");
  CHECK(step(c, "334 \r\n") == "*\r\n");
  CHECK(step(c, "501 5.7.0 aborted\r\n") == "QUIT\r\n");
  CHECK_FALSE(c.outcome().delivered);
}

TEST_CASE("client: pipelining with SIZE and 8BITMIME; 354 after all RCPTs failed") {
  auto j = job({"x@a.example", "y@a.example"});
  j.message = "Subject: caf\xC3\xA9\r\n\r\nol\xC3\xA1\r\n";
  Client c(j);
  step(c, "220 mx\r\n");
  CHECK(step(c, "250-mx\r\n250-PIPELINING\r\n250-SIZE 1000\r\n250 8BITMIME\r\n") ==
        "MAIL FROM:<ana@sender.example> SIZE=" + std::to_string(j.message.size()) +
            " BODY=8BITMIME\r\nRCPT TO:<x@a.example>\r\nRCPT TO:<y@a.example>\r\nDATA\r\n");
  // Replies may arrive in any split; a broken server answers DATA with 354 anyway.
  CHECK(step(c, "250 ok\r\n550 no\r\n") == "");
  CHECK(step(c, "551 no\r\n354 go\r\n") == ".\r\n");
  CHECK(step(c, "554 no valid recipients\r\n") == "QUIT\r\n");
  const auto& o = c.outcome();
  CHECK_FALSE(o.delivered);
  CHECK_FALSE(o.temporary);
  CHECK(o.error == "the server refused every recipient");
}

TEST_CASE("client: all recipients deferred is temporary; DATA refused") {
  Client c(job({"x@a.example"}));
  step(c, "220 mx\r\n");
  step(c, "250 mx\r\n");  // EHLO without extensions: no pipelining
  step(c, "250 ok\r\n");
  CHECK(step(c, "451 4.3.0 greylisted\r\n") == "QUIT\r\n");
  CHECK(c.outcome().temporary);
  CHECK(c.outcome().last.code == 451);

  Client d(job({"x@a.example"}));
  step(d, "220 mx\r\n");
  step(d, "250 mx\r\n");
  step(d, "250 ok\r\n");
  CHECK(step(d, "250 ok\r\n") == "DATA\r\n");
  CHECK(step(d, "554 5.5.1 no\r\n") == "QUIT\r\n");
  CHECK(d.outcome().error.find("refused DATA") != std::string::npos);
}

TEST_CASE("client: content refused after the dot (permanent and temporary)") {
  for (int code : {552, 451}) {
    Client c(job());
    step(c, "220 mx\r\n");
    step(c, "250 mx\r\n");
    step(c, "250 ok\r\n");
    step(c, "250 ok\r\n");
    step(c, "354 go\r\n");
    CHECK(step(c, std::to_string(code) + " no\r\n") == "QUIT\r\n");
    CHECK_FALSE(c.outcome().delivered);
    CHECK(c.outcome().temporary == (code == 451));
    CHECK(c.outcome().last.code == code);
  }
}

TEST_CASE("client: malformed reply and early disconnect") {
  Client c(job());
  step(c, "220 mx\r\n");
  step(c, "HTTP/1.1 400 Bad Request\r\n");
  CHECK(c.done());
  CHECK(c.outcome().temporary);
  CHECK(c.outcome().error.find("not an SMTP reply") != std::string::npos);

  Client d(job());
  d.on_disconnect();
  CHECK(d.done());
  CHECK(d.outcome().finished);
  CHECK(d.outcome().temporary);
  CHECK(d.outcome().last.code == 0);

  // Delivered, then the server drops the line instead of answering QUIT: still delivered.
  Client e(job());
  step(e, "220 mx\r\n");
  step(e, "250 mx\r\n");
  step(e, "250 ok\r\n");
  step(e, "250 ok\r\n");
  step(e, "354 go\r\n");
  step(e, "250 2.0.0 queued\r\n");
  e.on_disconnect();
  CHECK(e.outcome().delivered);
  CHECK_FALSE(e.outcome().temporary);
  CHECK(e.outcome().last.code == 250);
}

TEST_CASE("client: null sender and no recipients") {
  auto j = job();
  j.mail_from = "";
  Client c(j);
  step(c, "220 mx\r\n");
  CHECK(step(c, "250 mx\r\n") == "MAIL FROM:<>\r\n");

  Client d(job({}));
  step(d, "220 mx\r\n");
  CHECK(step(d, "250 mx\r\n") == "QUIT\r\n");
  CHECK(d.outcome().error == "the message has no recipients");
}

TEST_CASE("client: events report every line with meaning, and the states") {
  Client c(job());
  step(c, "220 mx\r\n");
  step(c, "250-mx\r\n250 PIPELINING\r\n");
  step(c, "250 ok\r\n250 ok\r\n354 go\r\n250 queued\r\n221 bye\r\n");
  std::vector<std::string> states;
  int sent = 0, received = 0;
  for (const auto& e : c.take_events()) {
    if (auto* l = std::get_if<net::LineEvent>(&e)) {
      CHECK_FALSE(l->meaning.empty());
      CHECK_FALSE(l->rfc.empty());
      (l->sent ? sent : received)++;
    } else {
      const auto& s = std::get<net::StateEvent>(e);
      states.push_back(s.to);
    }
  }
  CHECK(states ==
        std::vector<std::string>{"Ehlo", "Mail", "Rcpt", "Data", "Content", "Quit", "Done"});
  CHECK(sent == 1 + 3 + 4 + 1);  // EHLO, MAIL/RCPT/DATA, 3 content lines + ".", QUIT
  CHECK(received == 1 + 2 + 5);
  CHECK(std::string(to_string(ClientState::Content)) == "Content");
}

TEST_CASE("client: SIZE counts the content as sent, CRLF lines without stuffing dots") {
  // Bare LF line ends, a dot line and no final line end: 39 octets as sent (RFC 1870 §3).
  ClientJob j = job();
  j.message = "Subject: x\n\nhello\n.dot\nno-newline";
  Client c(j);
  step(c, "220 mx ESMTP\r\n");
  std::string mail = step(c, "250-mx\r\n250 SIZE 1000\r\n");
  CHECK(mail == "MAIL FROM:<ana@sender.example> SIZE=39\r\n");
  CHECK(step(c, "250 ok\r\n") == "RCPT TO:<bob@recipient.example>\r\n");
  CHECK(step(c, "250 ok\r\n") == "DATA\r\n");
  std::string content = step(c, "354 go\r\n");
  CHECK(content == "Subject: x\r\n\r\nhello\r\n..dot\r\nno-newline\r\n.\r\n");
  CHECK(content.size() - 1 /* stuffing dot */ - 3 /* ".\r\n" */ == 39);
}

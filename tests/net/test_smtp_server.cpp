#include <doctest/doctest.h>

#include <string>
#include <variant>

#include "net/smtp/sasl.hpp"
#include "smtp_test_util.hpp"

using namespace net::smtp;
using testutil::ServerRig;
using testutil::split_lines;

namespace {

ServerConfig submission_cfg() {
  ServerConfig c;
  c.hostname = "smtp.sender.example";
  c.submission = true;
  return c;
}

const std::string kEhlo = "EHLO laptop.sender.example\r\n";
const std::string kMail = "MAIL FROM:<ana@sender.example>\r\n";
const std::string kRcptBob = "RCPT TO:<bob@recipient.example>\r\n";

std::vector<net::LineEvent> lines_of(const net::EngineEvents& ev) {
  std::vector<net::LineEvent> out;
  for (const auto& e : ev)
    if (auto* l = std::get_if<net::LineEvent>(&e)) out.push_back(*l);
  return out;
}

std::vector<std::string> states_of(const net::EngineEvents& ev) {
  std::vector<std::string> out;
  for (const auto& e : ev)
    if (auto* s = std::get_if<net::StateEvent>(&e)) out.push_back(s->from + ">" + s->to);
  return out;
}

}  // namespace

TEST_CASE("greeting is 220 with the host name") {
  Server::commands();  // the table is usable before any server exists
  ServerRig rig;
  net::store::Mailstore st;
  RecipientPolicy pol(st, "mx.recipient.example", [] { return int64_t{0}; });
  Server s({}, pol);
  s.on_connect("10.0.0.9", "");
  CHECK(s.take_output() == "220 mx.recipient.example ESMTP mailsim\r\n");
  CHECK(s.state() == ServerState::Connected);
  CHECK(s.envelope().peer_ip == "10.0.0.9");
}

TEST_CASE("EHLO advertises the extensions; AUTH only when offered") {
  ServerRig rig;
  CHECK(rig.send(kEhlo) ==
        "250-mx.recipient.example Hello laptop.sender.example\r\n250-PIPELINING\r\n"
        "250-SIZE 10485760\r\n250-8BITMIME\r\n250 ENHANCEDSTATUSCODES\r\n");
  CHECK(rig.server.state() == ServerState::Greeted);
  CHECK(rig.server.envelope().esmtp);
  CHECK(rig.server.envelope().helo == "laptop.sender.example");

  ServerRig sub(submission_cfg());
  auto out = sub.send(kEhlo);
  CHECK(out.find("250-AUTH PLAIN LOGIN\r\n") != std::string::npos);

  ServerConfig c;
  c.offer_auth = true;
  ServerRig offered(c);
  CHECK(offered.send(kEhlo).find("AUTH PLAIN LOGIN") != std::string::npos);
}

TEST_CASE("HELO greets without extensions; EHLO/HELO need a name") {
  ServerRig rig;
  CHECK(rig.send("HELO old.example\r\n") == "250 mx.recipient.example Hello old.example\r\n");
  CHECK_FALSE(rig.server.envelope().esmtp);
  CHECK(rig.send("EHLO\r\n") == "501 5.5.4 Syntax: EHLO hostname\r\n");
  CHECK(rig.send("HELO \r\n") == "501 5.5.4 Syntax: HELO hostname\r\n");
  CHECK(rig.send("EHLO a b\r\n") == "501 5.5.4 Syntax: EHLO hostname\r\n");
}

TEST_CASE("commands are case-insensitive") {
  ServerRig rig;
  CHECK(rig.send("ehlo x.example\r\n").substr(0, 4) == "250-");
  CHECK(rig.send("mail from:<ana@sender.example>\r\n") == "250 2.1.0 Sender OK\r\n");
  CHECK(rig.send("rcpt to:<BOB@Recipient.Example>\r\n") == "250 2.1.5 Ok\r\n");
}

TEST_CASE("a full transaction delivers with trace fields and dot-unstuffing") {
  ServerRig rig;
  rig.send(kEhlo);
  CHECK(rig.send(kMail) == "250 2.1.0 Sender OK\r\n");
  CHECK(rig.server.state() == ServerState::Mail);
  CHECK(rig.send(kRcptBob) == "250 2.1.5 Ok\r\n");
  CHECK(rig.server.state() == ServerState::Rcpt);
  CHECK(rig.send("DATA\r\n") == "354 End data with <CR><LF>.<CR><LF>\r\n");
  CHECK(rig.server.state() == ServerState::Data);
  CHECK(rig.send("Subject: hi\r\n\r\n..\r\n...x\r\n..hidden\r\nend\r\n") == "");
  CHECK(rig.send(".\r\n") == "250 2.0.0 Ok: queued as 00000001\r\n");
  CHECK(rig.server.state() == ServerState::Greeted);
  CHECK(rig.server.envelope().rcpt_to.empty());
  REQUIRE(rig.stored("bob@recipient.example") == 1);
  const auto& m = rig.store.messages("bob@recipient.example")->front();
  CHECK(m.uid == 1);
  CHECK(m.internal_date == testutil::kNow);
  CHECK(m.data ==
        "Return-Path: <ana@sender.example>\r\n"
        "Received: from laptop.sender.example (laptop.sender.example [10.0.0.2]) by\r\n"
        " mx.recipient.example with ESMTP id 00000001 for <bob@recipient.example>; Thu,\r\n"
        " 26 Nov 2026 09:00:00 +0000\r\n"
        "Subject: hi\r\n\r\n.\r\n..x\r\n.hidden\r\nend\r\n");
  // A second transaction on the same session.
  CHECK(rig.send(kMail + kRcptBob + "DATA\r\nx\r\n.\r\n") ==
        "250 2.1.0 Sender OK\r\n250 2.1.5 Ok\r\n354 End data with <CR><LF>.<CR><LF>\r\n"
        "250 2.0.0 Ok: queued as 00000002\r\n");
  CHECK(rig.stored("bob@recipient.example") == 2);
  CHECK(rig.store.messages("bob@recipient.example")->back().uid == 2);
}

TEST_CASE("null sender, MAIL syntax and parameters") {
  ServerRig rig;
  rig.send(kEhlo);
  CHECK(rig.send("MAIL FROM:ana@sender.example\r\n") ==
        "501 5.5.4 Syntax: MAIL FROM:<address>\r\n");
  CHECK(rig.send("MAIL ana@sender.example\r\n") == "501 5.5.4 Syntax: MAIL FROM:<address>\r\n");
  CHECK(rig.send("MAIL FROM:<ana@sender.example\r\n") ==
        "501 5.5.4 Syntax: MAIL FROM:<address>\r\n");
  CHECK(rig.send("MAIL FROM:<not an address>\r\n") == "501 5.1.7 Bad sender address syntax\r\n");
  CHECK(rig.send("MAIL FROM:<a@b> SIZE=abc\r\n") == "501 5.5.4 Bad SIZE parameter\r\n");
  CHECK(rig.send("MAIL FROM:<a@b> BODY=9BIT\r\n") == "501 5.5.4 Bad BODY parameter\r\n");
  CHECK(rig.send("MAIL FROM:<a@b> FOO=1\r\n") == "555 5.5.4 Unsupported option: FOO=1\r\n");
  CHECK(rig.send("MAIL FROM:<a@b> SIZE=10485761\r\n") ==
        "552 5.3.4 Message size exceeds fixed limit\r\n");
  CHECK(rig.server.state() == ServerState::Greeted);
  CHECK(rig.send("MAIL FROM:<> SIZE=100 BODY=8BITMIME\r\n") == "250 2.1.0 Sender OK\r\n");
  CHECK(rig.server.envelope().mail_from == "");
  CHECK(rig.server.envelope().declared_size == size_t{100});
  CHECK(rig.server.envelope().body_8bit);
  CHECK(rig.send("RSET\r\n") == "250 2.0.0 Ok\r\n");
  // Lenient: a space after the colon, source route dropped.
  CHECK(rig.send("MAIL FROM: <@relay.example:ana@sender.example> BODY=7BIT\r\n") ==
        "250 2.1.0 Sender OK\r\n");
  CHECK(rig.server.envelope().mail_from == "ana@sender.example");
  CHECK_FALSE(rig.server.envelope().body_8bit);
}

TEST_CASE("bad sequence of commands is 503 5.5.1") {
  ServerRig rig;
  CHECK(rig.send(kMail) == "503 5.5.1 Error: send HELO/EHLO first\r\n");
  CHECK(rig.send(kRcptBob) == "503 5.5.1 Error: send HELO/EHLO first\r\n");
  CHECK(rig.send("DATA\r\n") == "503 5.5.1 Error: send HELO/EHLO first\r\n");
  rig.send(kEhlo);
  CHECK(rig.send(kRcptBob) == "503 5.5.1 Error: need MAIL command\r\n");
  CHECK(rig.send("DATA\r\n") == "503 5.5.1 Error: need MAIL command\r\n");
  rig.send(kMail);
  CHECK(rig.send("DATA\r\n") == "503 5.5.1 Error: need RCPT command\r\n");
  CHECK(rig.send(kMail) == "503 5.5.1 Error: nested MAIL command\r\n");
  CHECK(rig.server.state() == ServerState::Mail);
}

TEST_CASE("RCPT: accepted, unknown user, relay denied, syntax, postmaster, limit") {
  ServerConfig cfg;
  cfg.max_recipients = 2;
  ServerRig rig(cfg);
  rig.send(kEhlo + kMail);
  CHECK(rig.send("RCPT TO:<nobody@recipient.example>\r\n") ==
        "550 5.1.1 <nobody@recipient.example>: Recipient address rejected: User unknown\r\n");
  CHECK(rig.server.state() == ServerState::Mail);
  CHECK(rig.send("RCPT TO:<x@elsewhere.example>\r\n") ==
        "554 5.7.1 <x@elsewhere.example>: Relay access denied\r\n");
  CHECK(rig.send("RCPT TO:<bad address>\r\n") == "501 5.1.3 Bad recipient address syntax\r\n");
  CHECK(rig.send("RCPT TO:<>\r\n") == "501 5.1.3 Bad recipient address syntax\r\n");
  CHECK(rig.send("RCPT bob@recipient.example\r\n") == "501 5.5.4 Syntax: RCPT TO:<address>\r\n");
  CHECK(rig.send("RCPT TO:<bob@recipient.example> NOTIFY=NEVER\r\n") ==
        "555 5.5.4 Unsupported option: NOTIFY=NEVER\r\n");
  CHECK(rig.send("RCPT TO:<Postmaster>\r\n") ==
        "550 5.1.1 <postmaster>: Recipient address rejected: User unknown\r\n");
  CHECK(rig.send(kRcptBob) == "250 2.1.5 Ok\r\n");
  CHECK(rig.send("RCPT TO:<carol@recipient.example>\r\n") == "250 2.1.5 Ok\r\n");
  CHECK(rig.send("RCPT TO:<ana@sender.example>\r\n") == "452 4.5.3 Error: too many recipients\r\n");
  CHECK(rig.server.envelope().rcpt_to.size() == 2);
  CHECK(rig.send("DATA\r\nhello\r\n.\r\n") ==
        "354 End data with <CR><LF>.<CR><LF>\r\n250 2.0.0 Ok: queued as 00000001\r\n");
  CHECK(rig.stored("bob@recipient.example") == 1);
  CHECK(rig.stored("carol@recipient.example") == 1);
  // Two recipients: no "for" clause.
  CHECK(rig.store.messages("carol@recipient.example")->front().data.find(" for <") ==
        std::string::npos);
}

TEST_CASE("DATA, RSET, NOOP, VRFY argument rules") {
  ServerRig rig;
  rig.send(kEhlo + kMail + kRcptBob);
  CHECK(rig.send("DATA now\r\n") == "501 5.5.4 Syntax: DATA\r\n");
  CHECK(rig.send("RSET all\r\n") == "501 5.5.4 Syntax: RSET\r\n");
  CHECK(rig.server.state() == ServerState::Rcpt);
  CHECK(rig.send("NOOP\r\n") == "250 2.0.0 Ok\r\n");
  CHECK(rig.send("NOOP anything\r\n") == "250 2.0.0 Ok\r\n");
  CHECK(rig.send("VRFY bob\r\n") ==
        "252 2.5.2 Cannot VRFY user, but will accept message and attempt delivery\r\n");
  CHECK(rig.send("VRFY\r\n") == "501 5.5.4 Syntax: VRFY address\r\n");
  CHECK(rig.server.state() == ServerState::Rcpt);
  CHECK(rig.send("RSET\r\n") == "250 2.0.0 Ok\r\n");
  CHECK(rig.server.state() == ServerState::Greeted);
  CHECK(rig.server.envelope().mail_from.empty());
  CHECK(rig.server.envelope().rcpt_to.empty());
  CHECK(rig.send("DATA\r\n") == "503 5.5.1 Error: need MAIL command\r\n");
  // RSET before EHLO keeps the Connected state.
  ServerRig fresh;
  CHECK(fresh.send("RSET\r\n") == "250 2.0.0 Ok\r\n");
  CHECK(fresh.server.state() == ServerState::Connected);
  CHECK(fresh.send("NOOP\r\n") == "250 2.0.0 Ok\r\n");
  CHECK(fresh.send("VRFY x\r\n").substr(0, 4) == "252 ");
}

TEST_CASE("EHLO in the middle of a transaction resets it") {
  ServerRig rig;
  rig.send(kEhlo + kMail + kRcptBob);
  rig.send("EHLO again.example\r\n");
  CHECK(rig.server.state() == ServerState::Greeted);
  CHECK(rig.server.envelope().rcpt_to.empty());
  CHECK(rig.server.envelope().helo == "again.example");
}

TEST_CASE("QUIT answers 221 and closes; later input is ignored") {
  ServerRig rig;
  rig.send(kEhlo);
  CHECK(rig.send("QUIT\r\nNOOP\r\n") == "221 2.0.0 mx.recipient.example Bye\r\n");
  CHECK(rig.server.wants_close());
  CHECK(rig.server.state() == ServerState::Quit);
  CHECK(rig.send("NOOP\r\n") == "");
}

TEST_CASE("HELP lists the commands and explains one") {
  ServerRig rig;
  CHECK(rig.send("HELP\r\n") ==
        "214-2.0.0 Commands: EHLO HELO AUTH MAIL RCPT DATA RSET VRFY HELP NOOP QUIT\r\n"
        "214 2.0.0 Send HELP <command> for details\r\n");
  auto out = split_lines(rig.send("HELP mail\r\n"));
  REQUIRE(out.size() == 3);
  CHECK(out[0] == "214-2.0.0 MAIL FROM:<address> [SIZE=n] [BODY=8BITMIME|7BIT]");
  CHECK(out[1].find("envelope sender") != std::string::npos);
  CHECK(out[2] == "214 2.0.0 See RFC 5321 section 4.1.1.2");
  CHECK(rig.send("HELP FOO\r\n") == "504 5.5.4 HELP topic unknown\r\n");
}

TEST_CASE("unknown commands, empty lines and over-long lines") {
  ServerRig rig;
  CHECK(rig.send("FOO bar\r\n") == "500 5.5.1 Error: command not recognized\r\n");
  CHECK(rig.send("\r\n") == "500 5.5.2 Error: bad syntax\r\n");
  CHECK(rig.send("NOOP " + std::string(2000, 'x') + "\r\nNOOP\r\n") ==
        "500 5.5.2 Error: line too long\r\n250 2.0.0 Ok\r\n");
  // An over-long line that is still arriving is answered once, then the rest skipped.
  CHECK(rig.send(std::string(1500, 'y')) == "500 5.5.2 Error: line too long\r\n");
  CHECK(rig.send(std::string(1500, 'y')) == "");
  CHECK(rig.send("\r\nNOOP\r\n") == "250 2.0.0 Ok\r\n");
  CHECK(rig.server.state() == ServerState::Connected);
}

TEST_CASE("too many bad commands: 421 4.7.0 and close") {
  ServerConfig cfg;
  cfg.max_bad_commands = 3;
  ServerRig rig(cfg);
  CHECK(rig.send("FOO\r\nBAR\r\n") ==
        "500 5.5.1 Error: command not recognized\r\n500 5.5.1 Error: command not recognized\r\n");
  CHECK_FALSE(rig.server.wants_close());
  CHECK(rig.send("BAZ\r\nNOOP\r\n") ==
        "500 5.5.1 Error: command not recognized\r\n"
        "421 4.7.0 mx.recipient.example Error: too many errors, closing connection\r\n");
  CHECK(rig.server.wants_close());
  CHECK(rig.server.state() == ServerState::Quit);
}

TEST_CASE("message bigger than the limit: read to the dot, 552, nothing stored") {
  ServerConfig cfg;
  cfg.max_message_size = 100;
  ServerRig rig(cfg);
  rig.send(kEhlo + kMail + kRcptBob + "DATA\r\n");
  std::string body;
  for (int i = 0; i < 20; ++i) body += "0123456789\r\n";
  CHECK(rig.send(body) == "");
  CHECK(rig.server.state() == ServerState::Data);
  CHECK(rig.send(".\r\n") ==
        "552 5.3.4 Error: message size exceeds fixed maximum message size\r\n");
  CHECK(rig.stored("bob@recipient.example") == 0);
  CHECK(rig.server.state() == ServerState::Greeted);
  // Exactly at the limit is fine (100 octets incl. CRLF).
  rig.send(kMail + kRcptBob + "DATA\r\n");
  std::string fits;
  for (int i = 0; i < 10; ++i) fits += "01234567\r\n";
  CHECK(rig.send(fits + ".\r\n") == "250 2.0.0 Ok: queued as 00000001\r\n");
  CHECK(rig.stored("bob@recipient.example") == 1);
}

TEST_CASE("over-long line inside DATA: 500 5.5.2 after the dot, nothing stored, in sync") {
  ServerRig rig;
  rig.send(kEhlo + kMail + kRcptBob + "DATA\r\n");
  CHECK(rig.send("Subject: x\r\n\r\n" + std::string(3000, 'z') + "\r\nmore\r\n") == "");
  CHECK(rig.server.state() == ServerState::Data);
  CHECK(rig.send(".\r\nNOOP\r\n") ==
        "500 5.5.2 Error: line too long; message not accepted\r\n250 2.0.0 Ok\r\n");
  CHECK(rig.stored("bob@recipient.example") == 0);
  CHECK(rig.server.state() == ServerState::Greeted);
  // A 998-character line (1000 with CRLF) is allowed (RFC 5321 §4.5.3.1.6).
  rig.send(kMail + kRcptBob + "DATA\r\n");
  CHECK(rig.send(std::string(998, 'a') + "\r\n.\r\n") == "250 2.0.0 Ok: queued as 00000001\r\n");
}

TEST_CASE("idle timeout: 421 4.4.2, transaction dropped") {
  ServerRig rig;
  rig.send(kEhlo + kMail + kRcptBob + "DATA\r\nSubject: half\r\n");
  rig.server.on_timeout();
  CHECK(rig.server.take_output() == "421 4.4.2 mx.recipient.example Error: timeout exceeded\r\n");
  CHECK(rig.server.wants_close());
  CHECK(rig.send("\r\n.\r\n") == "");
  CHECK(rig.stored("bob@recipient.example") == 0);
}

TEST_CASE("disconnect mid-DATA stores nothing") {
  ServerRig rig;
  rig.send(kEhlo + kMail + kRcptBob + "DATA\r\nSubject: half\r\n\r\nbody\r\n");
  rig.server.on_disconnect();
  CHECK(rig.server.state() == ServerState::Quit);
  CHECK(rig.server.take_output() == "");
  CHECK(rig.stored("bob@recipient.example") == 0);
  auto st = states_of(rig.server.take_events());
  CHECK(st.back() == "Data>Quit");
}

TEST_CASE("pipelined commands are answered in order") {
  ServerRig rig;
  CHECK(rig.send(kEhlo + kMail + "RCPT TO:<nobody@recipient.example>\r\n" + kRcptBob +
                 "DATA\r\nSubject: p\r\n\r\nhi\r\n.\r\nQUIT\r\n") ==
        "250-mx.recipient.example Hello laptop.sender.example\r\n250-PIPELINING\r\n"
        "250-SIZE 10485760\r\n250-8BITMIME\r\n250 ENHANCEDSTATUSCODES\r\n"
        "250 2.1.0 Sender OK\r\n"
        "550 5.1.1 <nobody@recipient.example>: Recipient address rejected: User unknown\r\n"
        "250 2.1.5 Ok\r\n354 End data with <CR><LF>.<CR><LF>\r\n"
        "250 2.0.0 Ok: queued as 00000001\r\n221 2.0.0 mx.recipient.example Bye\r\n");
  CHECK(rig.stored("bob@recipient.example") == 1);
}

TEST_CASE("submission: AUTH required before MAIL") {
  ServerRig rig(submission_cfg());
  rig.send(kEhlo);
  CHECK(rig.send(kMail) == "530 5.7.0 Authentication required\r\n");
  CHECK(rig.server.state() == ServerState::Greeted);
  CHECK(rig.send("AUTH PLAIN " + encode_plain("ana", "s3cret!") + "\r\n") ==
        "235 2.7.0 Authentication successful\r\n");
  CHECK(rig.server.envelope().auth_user == "ana@sender.example");
  CHECK(rig.send(kMail) == "250 2.1.0 Sender OK\r\n");
  // The recipient policy does not relay, even for an authenticated user (for now).
  CHECK(rig.send("RCPT TO:<x@elsewhere.example>\r\n") ==
        "554 5.7.1 <x@elsewhere.example>: Relay access denied\r\n");
  CHECK(rig.send(kRcptBob + "DATA\r\nhi\r\n.\r\n") ==
        "250 2.1.5 Ok\r\n354 End data with <CR><LF>.<CR><LF>\r\n"
        "250 2.0.0 Ok: queued as 00000001\r\n");
  CHECK(rig.store.messages("bob@recipient.example")->front().data.find("with ESMTPA id") !=
        std::string::npos);
}

TEST_CASE("AUTH PLAIN: initial response, challenge, login by address, failures") {
  ServerRig rig(submission_cfg());
  rig.send(kEhlo);
  CHECK(rig.send("AUTH PLAIN " + encode_plain("ana", "wrong") + "\r\n") ==
        "535 5.7.8 Error: authentication failed\r\n");
  CHECK(rig.server.envelope().auth_user.empty());
  CHECK(rig.send("AUTH PLAIN\r\n") == "334 \r\n");
  CHECK(rig.server.state() == ServerState::AuthWait);
  CHECK(rig.send(encode_plain("ana@sender.example", "s3cret!") + "\r\n") ==
        "235 2.7.0 Authentication successful\r\n");
  CHECK(rig.server.state() == ServerState::Greeted);
  CHECK(rig.send("AUTH PLAIN " + encode_plain("ana", "s3cret!") + "\r\n") ==
        "503 5.5.1 Error: already authenticated\r\n");
}

TEST_CASE("AUTH errors: bad base64, cancel, bad blob, mechanism, sequence") {
  ServerRig rig(submission_cfg());
  CHECK(rig.send("AUTH PLAIN " + encode_plain("ana", "s3cret!") + "\r\n") ==
        "503 5.5.1 Error: send HELO/EHLO first\r\n");
  rig.send(kEhlo);
  CHECK(rig.send("AUTH PLAIN !!notbase64\r\n") == "501 5.5.2 Cannot decode response\r\n");
  CHECK(rig.send("AUTH PLAIN\r\n*\r\n") == "334 \r\n501 5.7.0 Authentication aborted\r\n");
  CHECK(rig.server.state() == ServerState::Greeted);
  CHECK(rig.send("AUTH PLAIN\r\nabc\r\n") == "334 \r\n501 5.5.2 Cannot decode response\r\n");
  CHECK(rig.send("AUTH PLAIN " + base64_encode("no-nuls") + "\r\n") ==
        "501 5.5.2 Invalid PLAIN response\r\n");
  CHECK(rig.send("AUTH PLAIN " + base64_encode(std::string("carol\0ana\0s3cret!", 17)) + "\r\n") ==
        "535 5.7.8 Authentication credentials invalid\r\n");
  CHECK(rig.send("AUTH CRAM-MD5\r\n") == "504 5.5.4 Unrecognized authentication type\r\n");
  CHECK(rig.send("AUTH\r\n") == "501 5.5.4 Syntax: AUTH mechanism\r\n");
  CHECK(rig.server.envelope().auth_user.empty());
  // AUTH is not allowed inside a transaction.
  ServerConfig c;
  c.offer_auth = true;
  ServerRig mx(c);
  mx.send(kEhlo + kMail);
  CHECK(mx.send("AUTH LOGIN\r\n") == "503 5.5.1 Error: MAIL transaction in progress\r\n");
  // AUTH is refused where it is not offered.
  ServerRig plain;
  plain.send(kEhlo);
  CHECK(plain.send("AUTH LOGIN\r\n") == "503 5.5.1 Error: authentication not enabled\r\n");
}

TEST_CASE("AUTH LOGIN: user name and password challenges") {
  ServerRig rig(submission_cfg());
  rig.send(kEhlo);
  CHECK(rig.send("AUTH LOGIN\r\n") == "334 VXNlcm5hbWU6\r\n");
  CHECK(rig.send(base64_encode("ana") + "\r\n") == "334 UGFzc3dvcmQ6\r\n");
  CHECK(rig.send(base64_encode("bad") + "\r\n") == "535 5.7.8 Error: authentication failed\r\n");
  CHECK(rig.send("AUTH LOGIN\r\n" + base64_encode("ana") + "\r\n*\r\n") ==
        "334 VXNlcm5hbWU6\r\n334 UGFzc3dvcmQ6\r\n501 5.7.0 Authentication aborted\r\n");
  // With the user name as initial response.
  CHECK(rig.send("AUTH LOGIN " + base64_encode("ana") + "\r\n" + base64_encode("s3cret!") +
                 "\r\n") == "334 UGFzc3dvcmQ6\r\n235 2.7.0 Authentication successful\r\n");
  CHECK(rig.server.envelope().auth_user == "ana@sender.example");
}

TEST_CASE("credentials appear only in secret fields") {
  ServerRig rig(submission_cfg());
  std::string blob = encode_plain("ana", "s3cret!");
  std::string u = base64_encode("ana"), p = base64_encode("s3cret!");
  rig.send(kEhlo + "AUTH PLAIN " + blob + "\r\n");
  ServerRig rig2(submission_cfg());
  rig2.send(kEhlo + "AUTH LOGIN\r\n" + u + "\r\n" + p + "\r\n");
  auto ev = lines_of(rig.server.take_events());
  auto ev2 = lines_of(rig2.server.take_events());
  int secrets = 0;
  for (auto* list : {&ev, &ev2}) {
    for (const auto& e : *list) {
      for (const std::string& s : {blob, u, p}) {
        if (e.text.find(s) != std::string::npos) {
          CHECK(e.secret.find(s) != std::string::npos);
          CHECK_FALSE(e.sent);
          ++secrets;
        }
        CHECK(e.meaning.find(s) == std::string::npos);
      }
      if (!e.secret.empty()) CHECK(e.text.find(e.secret) != std::string::npos);
    }
  }
  CHECK(secrets == 3);
}

TEST_CASE("events: every parsed and sent line, with meaning and RFC; state changes") {
  ServerRig rig;
  rig.server.take_events();
  rig.send(kEhlo + kMail + kRcptBob + "DATA\r\nSubject: s\r\n\r\n..dot\r\n.\r\nQUIT\r\n");
  auto all = rig.server.take_events();
  auto lines = lines_of(all);
  for (const auto& l : lines) {
    CHECK_FALSE(l.meaning.empty());
    CHECK_FALSE(l.rfc.empty());
  }
  // EHLO (1 in) + 5 out, MAIL 2, RCPT 2, DATA 2, 4 data lines, "." + 250, QUIT 2.
  CHECK(lines.size() == 6 + 2 + 2 + 2 + 3 + 2 + 2);
  CHECK(lines[0].text == "EHLO laptop.sender.example");
  CHECK(lines[0].label == "EHLO");
  CHECK_FALSE(lines[0].sent);
  CHECK(lines[0].kind == net::LineKind::Command);
  CHECK(lines[2].meaning.find("PIPELINING") != std::string::npos);
  CHECK(lines[6].meaning.find("envelope sender") != std::string::npos);
  CHECK(lines[6].rfc == "RFC 5321 §4.1.1.2");
  CHECK(lines[7].sent);
  CHECK(lines[7].label == "250");
  CHECK(lines[7].kind == net::LineKind::Reply);
  CHECK(lines[12].kind == net::LineKind::Data);
  CHECK(lines[12].meaning.find("header") != std::string::npos);
  CHECK(lines[14].text == "..dot");
  CHECK(lines[14].rfc == "RFC 5321 §4.5.2");
  CHECK(lines[15].label == ".");
  CHECK(states_of(all) == std::vector<std::string>{"Connected>Greeted", "Greeted>Mail", "Mail>Rcpt",
                                                   "Rcpt>Data", "Data>Greeted", "Greeted>Quit"});
}

TEST_CASE("the command table drives the state diagram") {
  const auto& t = Server::commands();
  REQUIRE(t.size() == 11);
  for (const auto& c : t) {
    CHECK(std::string(c.rfc).find("RFC") == 0);
    CHECK_FALSE(c.allowed.empty());
    CHECK(std::string(c.help).size() > 20);
  }
  auto mail =
      std::find_if(t.begin(), t.end(), [](auto& c) { return std::string(c.verb) == "MAIL"; });
  REQUIRE(mail != t.end());
  CHECK(mail->allowed == std::vector<ServerState>{ServerState::Greeted});
  CHECK(std::string(to_string(ServerState::AuthWait)) == "AuthWait");
}

TEST_CASE("the server gives identical results when fed one byte at a time") {
  const std::vector<std::pair<ServerConfig, std::string>> sessions = {
      {{},
       kEhlo + kMail + "RCPT TO:<nobody@recipient.example>\r\n" + kRcptBob +
           "DATA\r\nSubject: a\r\n\r\n..\r\n.x\r\n" + std::string(1200, 'L') +
           "\r\n.\r\nFOO\r\n\r\nHELP\r\n" + kMail + kRcptBob + "DATA\nbare LF line\n.\nQUIT\r\n"},
      {submission_cfg(), kEhlo + kMail + "AUTH LOGIN\r\n" + base64_encode("ana") + "\r\n" +
                             base64_encode("s3cret!") + "\r\n" + kMail + kRcptBob +
                             "DATA\r\nx\r\n.\r\n" + std::string(5000, 'q') + "\r\nRSET\r\n"},
  };
  for (const auto& [cfg, input] : sessions) {
    ServerRig a(cfg), b(cfg);
    std::string out_a = a.send(input, false);
    std::string out_b = b.send(input, true);
    CHECK(out_a == out_b);
    CHECK(out_a.size() > 200);
    CHECK(a.server.state() == b.server.state());
    auto ea = lines_of(a.server.take_events());
    auto eb = lines_of(b.server.take_events());
    REQUIRE(ea.size() == eb.size());
    for (size_t i = 0; i < ea.size(); ++i) {
      CHECK(ea[i].text == eb[i].text);
      CHECK(ea[i].secret == eb[i].secret);
    }
    for (const auto& addr : a.store.addresses()) {
      REQUIRE(a.stored(addr) == b.stored(addr));
      for (size_t i = 0; i < a.stored(addr); ++i)
        CHECK((*a.store.messages(addr))[i].data == (*b.store.messages(addr))[i].data);
    }
  }
}

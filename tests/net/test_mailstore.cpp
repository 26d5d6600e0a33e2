#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "net/smtp/recipient_policy.hpp"
#include "net/store/mailstore.hpp"

using net::store::Change;
using net::store::Mailstore;

TEST_CASE("Mailstore accounts, authentication and domains") {
  Mailstore s;
  s.add_account({"Bob@Recipient.example", "bob", "pw"});
  CHECK(s.has_mailbox("bob@recipient.example"));
  CHECK(s.has_mailbox("BOB@RECIPIENT.EXAMPLE"));
  CHECK_FALSE(s.has_mailbox("bobby@recipient.example"));
  CHECK(s.is_local_domain("recipient.example"));
  CHECK(s.is_local_domain("RECIPIENT.Example"));
  CHECK_FALSE(s.is_local_domain("sender.example"));
  s.add_domain("Alias.Example");
  CHECK(s.is_local_domain("alias.example"));
  CHECK(s.authenticate("bob", "pw") == "Bob@Recipient.example");
  CHECK(s.authenticate("bob@recipient.example", "pw") == "Bob@Recipient.example");
  CHECK_FALSE(s.authenticate("bob", "PW"));
  CHECK_FALSE(s.authenticate("Bob", "pw"));  // logins are exact
  CHECK_FALSE(s.authenticate("nobody", "pw"));
  CHECK_FALSE(s.authenticate("", ""));
  CHECK(s.addresses() == std::vector<std::string>{"Bob@Recipient.example"});
}

TEST_CASE("Mailstore delivery: ascending UIDs, removal, change notifications") {
  Mailstore s;
  s.add_account({"a@x.example", "a", "p"});
  s.add_account({"b@x.example", "b", "p"});
  std::vector<Change> changes;
  s.on_change([&](const Change& c) { changes.push_back(c); });
  CHECK(s.deliver("a@x.example", "m1", 10) == 1);
  CHECK(s.deliver("A@X.EXAMPLE", "m22", 11) == 2);
  CHECK(s.deliver("b@x.example", "m3", 12) == 1);
  CHECK(s.deliver("c@x.example", "lost", 13) == 0);
  REQUIRE(s.messages("a@x.example"));
  CHECK(s.messages("a@x.example")->size() == 2);
  CHECK((*s.messages("a@x.example"))[1].data == "m22");
  CHECK((*s.messages("a@x.example"))[1].internal_date == 11);
  CHECK(s.messages("c@x.example") == nullptr);
  CHECK(s.remove("a@x.example", 1));
  CHECK_FALSE(s.remove("a@x.example", 1));
  CHECK_FALSE(s.remove("c@x.example", 1));
  // UIDs are never reused after a removal.
  CHECK(s.deliver("a@x.example", "m4", 14) == 3);
  CHECK(s.messages("a@x.example")->front().uid == 2);
  REQUIRE(changes.size() == 5);
  CHECK(changes[0].op == "deliver");
  CHECK(changes[0].address == "a@x.example");
  CHECK(changes[1].uid == 2);
  CHECK(changes[1].size == 3);
  CHECK(changes[3].op == "remove");
  CHECK(changes[3].uid == 1);
  CHECK(changes[3].size == 2);
  // Re-adding an account keeps its mail.
  s.add_account({"a@x.example", "a", "new"});
  CHECK(s.messages("a@x.example")->size() == 2);
  CHECK(s.authenticate("a", "new"));
}

TEST_CASE("RecipientPolicy decisions and delivery") {
  Mailstore s;
  s.add_account({"bob@recipient.example", "bob", "pw"});
  s.add_account({"carol@recipient.example", "carol", "pw"});
  int64_t now = 1795683600;
  net::smtp::RecipientPolicy p(s, "mx.recipient.example", [&] { return now; });
  net::smtp::Envelope env;
  env.helo = "smtp.sender.example";
  env.esmtp = true;
  env.peer_ip = "192.0.2.1";
  env.peer_host = "smtp.sender.example";
  env.mail_from = "ana@sender.example";
  CHECK(p.check_recipient(env, "bob@recipient.example").code == 250);
  CHECK(p.check_recipient(env, "bob@recipient.example").enhanced == "2.1.5");
  auto unknown = p.check_recipient(env, "zed@recipient.example");
  CHECK(unknown.code == 550);
  CHECK(unknown.enhanced == "5.1.1");
  auto relay = p.check_recipient(env, "x@other.example");
  CHECK(relay.code == 554);
  CHECK(relay.enhanced == "5.7.1");
  env.auth_user = "bob@recipient.example";
  CHECK(p.check_recipient(env, "x@other.example").code == 554);  // still no relaying
  env.auth_user.clear();
  CHECK(p.authenticate("bob", "pw") == "bob@recipient.example");
  CHECK_FALSE(p.authenticate("bob", "nope"));

  env.rcpt_to = {"bob@recipient.example", "carol@recipient.example", "BOB@recipient.example"};
  CHECK(p.next_id() == "00000001");
  auto r = p.accept_message(env, "Subject: t\r\n\r\nbody\r\n");
  CHECK(r.code == 250);
  CHECK(r.enhanced == "2.0.0");
  CHECK(r.lines == std::vector<std::string>{"Ok: queued as 00000001"});
  CHECK(p.next_id() == "00000002");
  REQUIRE(s.messages("bob@recipient.example")->size() == 1);  // duplicate rcpt: one copy
  REQUIRE(s.messages("carol@recipient.example")->size() == 1);
  CHECK(s.messages("bob@recipient.example")->front().data ==
        "Return-Path: <ana@sender.example>\r\n"
        "Received: from smtp.sender.example (smtp.sender.example [192.0.2.1]) by\r\n"
        " mx.recipient.example with ESMTP id 00000001; Thu, 26 Nov 2026 09:00:00 +0000\r\n"
        "Subject: t\r\n\r\nbody\r\n");

  // Null sender, HELO session, one recipient: "for" clause and "with SMTP".
  env.rcpt_to = {"carol@recipient.example"};
  env.mail_from = "";
  env.esmtp = false;
  now += 60;
  p.accept_message(env, "x\r\n");
  const auto& m = s.messages("carol@recipient.example")->back();
  CHECK(m.data.substr(0, 16) == "Return-Path: <>\r");
  CHECK(m.data.find("with SMTP id 00000002 for <carol@recipient.example>;") != std::string::npos);
  CHECK(m.internal_date == now);
}

TEST_CASE("Mailstore lock: one owner at a time (RFC 1939 section 8)") {
  Mailstore s;
  s.add_account({"bruno@recipient.example", "bruno", "pw"});
  CHECK_FALSE(s.locked("bruno@recipient.example"));
  CHECK(s.lock("Bruno@Recipient.example", 1));
  CHECK(s.locked("bruno@recipient.example"));
  CHECK(s.lock("bruno@recipient.example", 1));  // the owner may lock again
  CHECK_FALSE(s.lock("bruno@recipient.example", 2));
  s.unlock("bruno@recipient.example", 2);  // not the owner: no effect
  CHECK(s.locked("bruno@recipient.example"));
  s.unlock("bruno@recipient.example", 1);
  CHECK_FALSE(s.locked("bruno@recipient.example"));
  CHECK(s.lock("bruno@recipient.example", 2));
  CHECK_FALSE(s.lock("nobody@recipient.example", 3));
  CHECK_FALSE(s.lock("bruno@recipient.example", 0));
}

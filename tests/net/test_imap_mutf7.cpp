// Modified UTF-7 mailbox names (RFC 3501 §5.1.3): the codec, the server storing UTF-8 and
// answering in modified UTF-7, and the client decoding what it lists and encoding what it sends.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "imap_test_util.hpp"
#include "net/imap/client.hpp"
#include "net/imap/mutf7.hpp"

using namespace net::imap;
using imaptest::Rig;
using imaptest::Session;

namespace {

const char* kBob = "bob@recipient.example";

bool contains(const std::string& s, const std::string& part) {
  return s.find(part) != std::string::npos;
}

}  // namespace

TEST_SUITE("imap_mutf7") {
  TEST_CASE("encode and decode: known forms and round trips") {
    struct Case {
      const char* utf8;
      const char* wire;
    };
    const Case cases[] = {
        {"INBOX", "INBOX"},
        {"", ""},
        {"Entwürfe", "Entw&APw-rfe"},
        {"Корзина", "&BBoEPgRABDcEOAQ9BDA-"},
        {"日本語", "&ZeVnLIqe-"},
        {"a&b", "a&-b"},
        {"&", "&-"},
        {"~peter/mail/台北/日本語", "~peter/mail/&U,BTFw-/&ZeVnLIqe-"},  // RFC 3501 §5.1.3
        {"😀", "&2D3eAA-"},  // outside the BMP: a surrogate pair
        {"Ü&ä", "&ANw-&-&AOQ-"},
    };
    for (const auto& c : cases) {
      CAPTURE(c.utf8);
      CHECK(encode_mutf7(c.utf8) == c.wire);
      auto back = decode_mutf7(c.wire);
      REQUIRE(back);
      CHECK(*back == c.utf8);
    }
    // The wire form is 7-bit printable.
    for (char ch : encode_mutf7("Entwürfe/Корзина/日本語/😀 ok")) CHECK((ch >= 0x20 && ch <= 0x7e));
    CHECK(decode_mutf7(encode_mutf7("Entwürfe/Корзина/日本語/😀 ok")) ==
          std::string("Entwürfe/Корзина/日本語/😀 ok"));
  }

  TEST_CASE("malformed modified UTF-7 is rejected") {
    for (const char* bad : {
             "&Jjo",                // unterminated run
             "&",                   // lone shift
             "a&",                  // lone shift at the end
             "&AGE-",               // a run encoding ASCII "a"
             "&ACY-",               // a run encoding "&" itself
             "&Jj-",                // 12 bits: no whole UTF-16 unit
             "&Jjp-",               // leftover bits not zero
             "&Jjo=-",              // padding
             "&Jj/-",               // "/" instead of ","
             "&&-",                 // "&" inside a run
             "&2D0-",               // lone high surrogate
             "&3gA-",               // lone low surrogate
             "&U,BTFw-&ZeVnLIqe-",  // two adjacent runs must be one
             "Entw\xc3\xbcrfe",     // raw 8-bit
             "tab\there",           // control character
         }) {
      CAPTURE(bad);
      CHECK_FALSE(decode_mutf7(bad));
      std::string name = bad;  // the in-place form has its own path for names without "&"
      CHECK_FALSE(decode_mutf7_in_place(name));
    }
    for (const char* bad : {"del\x7f", "nul\x01", "\xff"}) {
      std::string name = bad;
      CHECK_FALSE(decode_mutf7_in_place(name));
      CHECK_FALSE(decode_mutf7(bad));
    }
    std::string plain = "Sent Items/2026 ~!";
    CHECK(decode_mutf7_in_place(plain));
    CHECK(plain == "Sent Items/2026 ~!");
    CHECK(encode_mutf7(plain) == plain);
    CHECK(decode_mutf7("&-&-") == std::string("&&"));
    CHECK(decode_mutf7("&-") == std::string("&"));
    CHECK(decode_mutf7("&ANw-&-&AOQ-") == std::string("Ü&ä"));
    CHECK(decode_mutf7("-&-") == std::string("-&"));
  }

  TEST_CASE("server: names arrive encoded, the store holds UTF-8, answers are encoded") {
    for (bool bw : {false, true}) {
      CAPTURE(bw);
      Rig rig;
      rig.two_messages();
      Session s(rig.store);
      s.login();
      std::string out = s.send("C1 CREATE Entw&APw-rfe\r\n", bw);
      CHECK(contains(out, "C1 OK"));
      CHECK(rig.store.folder(kBob, "Entwürfe"));
      out = s.send("C2 CREATE \"&BBoEPgRABDcEOAQ9BDA-/&ZeVnLIqe-\"\r\n", bw);
      CHECK(contains(out, "C2 OK"));
      CHECK(rig.store.folder(kBob, "Корзина/日本語"));
      out = s.send("C3 CREATE a&-b\r\n", bw);
      CHECK(contains(out, "C3 OK"));
      CHECK(rig.store.folder(kBob, "a&b"));

      out = s.send("L1 LIST \"\" \"*\"\r\n", bw);
      CHECK(contains(out, "Entw&APw-rfe\r\n"));
      CHECK(contains(out, "&BBoEPgRABDcEOAQ9BDA-/&ZeVnLIqe-\r\n"));
      CHECK(contains(out, "a&-b\r\n"));
      CHECK_FALSE(contains(out, "Entwürfe"));
      out = s.send("L2 LIST \"\" \"&BBoEPgRABDcEOAQ9BDA-/%\"\r\n", bw);
      CHECK(contains(out, "&BBoEPgRABDcEOAQ9BDA-/&ZeVnLIqe-\r\n"));
      CHECK(contains(out, "L2 OK"));

      out = s.send("U1 SUBSCRIBE Entw&APw-rfe\r\nU2 LSUB \"\" \"*\"\r\n", bw);
      CHECK(contains(out, "* LSUB () \"/\" Entw&APw-rfe\r\n"));

      out = s.send("T1 STATUS Entw&APw-rfe (MESSAGES)\r\n", bw);
      CHECK(contains(out, "* STATUS Entw&APw-rfe (MESSAGES 0)"));
      out = s.send("A1 APPEND Entw&APw-rfe {9}\r\n", bw);
      out += s.send("Subject:x\r\n", bw);
      CHECK(contains(out, "A1 OK"));
      CHECK(rig.store.folder(kBob, "Entwürfe")->messages.size() == 1);

      out = s.send("S1 SELECT INBOX\r\nM1 COPY 1 Entw&APw-rfe\r\nM2 MOVE 2 a&-b\r\n", bw);
      CHECK(contains(out, "M1 OK"));
      CHECK(contains(out, "M2 OK"));
      CHECK(rig.store.folder(kBob, "Entwürfe")->messages.size() == 2);
      CHECK(rig.store.folder(kBob, "a&b")->messages.size() == 1);

      out = s.send("R1 RENAME Entw&APw-rfe &ANw-bersicht\r\n", bw);
      CHECK(contains(out, "R1 OK"));
      CHECK(rig.store.folder(kBob, "Übersicht"));
      out = s.send("X1 SELECT &ANw-bersicht\r\n", bw);
      CHECK(contains(out, "* 2 EXISTS"));
      CHECK(contains(out, "X1 OK"));
      out = s.send("D1 DELETE a&-b\r\n", bw);
      CHECK(contains(out, "D1 OK"));
      CHECK_FALSE(rig.store.folder(kBob, "a&b"));

      // Malformed names: BAD with a clear text, nothing created.
      size_t folders_before = rig.store.folders(kBob).size();
      for (const char* cmd : {"B1 CREATE &Jjo\r\n", "B1 CREATE &AGE-\r\n", "B1 SELECT &Jjp-\r\n",
                              "B1 STATUS & (MESSAGES)\r\n", "B1 RENAME &ANw-bersicht &2D0-\r\n",
                              "B1 LIST \"\" &Jj-\r\n", "B1 COPY 1 &AGE-\r\n", "B1 DELETE &\r\n",
                              "B1 SUBSCRIBE &Jjo\r\n", "B1 APPEND &AGE- {1+}\r\nx\r\n"}) {
        CAPTURE(cmd);
        out = s.send(cmd, bw);
        CHECK(contains(out, "B1 BAD Mailbox name is not valid modified UTF-7"));
      }
      CHECK(rig.store.folder(kBob, "Übersicht"));
      CHECK(rig.store.folders(kBob).size() == folders_before);
    }
  }

  TEST_CASE("client and server: a UTF-8 folder is created, listed and used by its UTF-8 name") {
    for (bool bw : {false, true}) {
      CAPTURE(bw);
      Rig rig;
      rig.two_messages();
      ClientJob j;
      j.login = "bob";
      j.password = "bobpw";
      auto op = [](ClientOp::Kind k, std::string box, std::vector<std::uint32_t> uids = {}) {
        ClientOp o;
        o.kind = k;
        o.mailbox = std::move(box);
        o.uids = std::move(uids);
        return o;
      };
      using K = ClientOp::Kind;
      ClientOp app = op(K::Append, "Entwürfe");
      app.data = "Subject: draft\r\n\r\nbody\r\n";
      j.ops = {op(K::Create, "Entwürfe"), op(K::Create, "Корзина"),    app,
               op(K::Select, "INBOX"),    op(K::Move, "Корзина", {1}), op(K::SyncAll, "")};
      Server server(ServerConfig{}, rig.store, [] { return imaptest::kNow; });
      Client client(std::move(j));
      server.on_connect("10.0.0.2", "laptop.recipient.example");
      std::string transcript;
      for (int guard = 0; guard < 100000; ++guard) {
        std::string s = server.take_output();
        std::string c;
        if (!s.empty()) {
          transcript += "S: " + s;
          if (bw) {
            for (char ch : s) client.feed(std::string_view(&ch, 1));
          } else {
            client.feed(s);
          }
        }
        c = client.take_output();
        if (!c.empty() && !server.wants_close()) {
          transcript += "C: " + c;
          if (bw) {
            for (char ch : c) server.feed(std::string_view(&ch, 1));
          } else {
            server.feed(c);
          }
        }
        server.take_events();
        client.take_events();
        if (s.empty() && c.empty()) break;
      }
      if (server.wants_close() && !client.done()) client.on_disconnect();
      CAPTURE(transcript);
      const auto& o = client.outcome();
      CHECK(o.ok);
      // On the wire only modified UTF-7.
      CHECK(contains(transcript, "CREATE Entw&APw-rfe\r\n"));
      CHECK(contains(transcript, "CREATE &BBoEPgRABDcEOAQ9BDA-\r\n"));
      CHECK(contains(transcript, "UID MOVE 1 &BBoEPgRABDcEOAQ9BDA-\r\n"));
      CHECK(contains(transcript, "APPEND Entw&APw-rfe"));
      CHECK_FALSE(contains(transcript, "Entwürfe"));
      // In the store and in the outcome: UTF-8.
      REQUIRE(rig.store.folder(kBob, "Entwürfe"));
      CHECK(rig.store.folder(kBob, "Entwürfe")->messages.size() == 1);
      REQUIRE(rig.store.folder(kBob, "Корзина"));
      CHECK(rig.store.folder(kBob, "Корзина")->messages.size() == 1);
      REQUIRE(o.folders.count("Entwürfe"));
      REQUIRE(o.folders.count("Корзина"));
      CHECK(o.folders.at("Entwürfe").name == "Entwürfe");
      CHECK(o.folders.at("Entwürfe").messages.size() == 1);  // SyncAll selected it by name
      CHECK(o.folders.at("Корзина").messages.size() == 1);
      CHECK_FALSE(o.folders.count("Entw&APw-rfe"));
    }
  }
}

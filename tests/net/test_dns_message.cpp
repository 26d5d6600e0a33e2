#include <doctest/doctest.h>

#include <cstdint>
#include <stdexcept>
#include <string>

#include "net/dns/message.hpp"

using namespace net::dns;

namespace {

std::string bytes(std::initializer_list<int> v) {
  std::string s;
  for (int b : v) s.push_back(static_cast<char>(b));
  return s;
}

Message mx_answer() {
  Message m;
  m.id = 0xBEEF;
  m.response = true;
  m.aa = true;
  m.rd = true;
  m.questions.push_back({"recipient.example", Type::MX});
  m.answers.push_back({"recipient.example", Type::MX, 3600, "", 10, "mx.recipient.example"});
  m.answers.push_back({"recipient.example", Type::MX, 3600, "", 20, "backup.recipient.example"});
  m.additionals.push_back({"mx.recipient.example", Type::A, 300, "10.0.2.25", 0, ""});
  m.additionals.push_back({"backup.recipient.example", Type::A, 300, "10.0.3.25", 0, ""});
  return m;
}

}  // namespace

TEST_CASE("a query encodes to the RFC 1035 wire format, byte for byte") {
  Message q;
  q.id = 0x1234;
  q.rd = true;
  q.questions.push_back({"ab.example", Type::MX});
  const std::string wire = encode(q);
  const std::string expected =
      bytes({0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0}) +        // header: RD, QDCOUNT=1
      bytes({2, 'a', 'b', 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 0}) +  // QNAME
      bytes({0, 15, 0, 1});                                            // QTYPE=MX QCLASS=IN
  CHECK(wire == expected);
  auto back = decode(wire);
  REQUIRE(back);
  CHECK(back->id == 0x1234);
  CHECK_FALSE(back->response);
  CHECK(back->rd);
  REQUIRE(back->questions.size() == 1);
  CHECK(back->questions[0].name == "ab.example");
  CHECK(back->questions[0].type == Type::MX);
  CHECK(describe(*back) == "query MX ab.example?");
}

TEST_CASE("MX answer round trip with additionals") {
  const Message m = mx_answer();
  auto back = decode(encode(m));
  REQUIRE(back);
  CHECK(back->id == 0xBEEF);
  CHECK(back->response);
  CHECK(back->aa);
  CHECK(back->rd);
  CHECK_FALSE(back->ra);
  CHECK(back->rcode == kNoError);
  REQUIRE(back->answers.size() == 2);
  CHECK(back->answers[0].name == "recipient.example");
  CHECK(back->answers[0].type == Type::MX);
  CHECK(back->answers[0].ttl == 3600);
  CHECK(back->answers[0].preference == 10);
  CHECK(back->answers[0].exchange == "mx.recipient.example");
  CHECK(back->answers[1].preference == 20);
  CHECK(back->answers[1].exchange == "backup.recipient.example");
  REQUIRE(back->additionals.size() == 2);
  CHECK(back->additionals[0].name == "mx.recipient.example");
  CHECK(back->additionals[0].a == "10.0.2.25");
  CHECK(back->additionals[1].a == "10.0.3.25");
  CHECK(describe(*back) ==
        "answer: recipient.example MX 10 mx.recipient.example; recipient.example MX 20 "
        "backup.recipient.example; mx.recipient.example A 10.0.2.25; backup.recipient.example "
        "A 10.0.3.25");
}

TEST_CASE("the encoder compresses repeated names with pointers") {
  const std::string wire = encode(mx_answer());
  // "recipient.example" appears once in full (in the question at offset 12).
  CHECK(wire.find("\x09recipient\x07"
                  "example") == 12);
  CHECK(wire.find("\x09recipient\x07"
                  "example",
                  13) == std::string::npos);
  CHECK(wire.find(bytes({0xC0, 12})) != std::string::npos);
  CHECK(wire.size() < 120);
}

TEST_CASE("decoding hand-made compression pointers") {
  // Answer for a.b.example A 192.0.2.7, the owner name a pointer to the question name,
  // and an MX whose exchange is "mx" + pointer to "b.example" (offset 14).
  std::string wire = bytes({0, 7, 0x84, 0x00, 0, 1, 0, 2, 0, 0, 0, 0});
  wire += bytes({1, 'a', 1, 'b', 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 0, 0, 1, 0, 1});
  wire += bytes({0xC0, 12, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 192, 0, 2, 7});
  wire += bytes({0xC0, 14, 0, 15, 0, 1, 0, 0, 1, 0, 0, 7, 0, 5, 2, 'm', 'x', 0xC0, 14});
  auto m = decode(wire);
  REQUIRE(m);
  CHECK(m->aa);
  CHECK(m->response);
  REQUIRE(m->answers.size() == 2);
  CHECK(m->answers[0].name == "a.b.example");
  CHECK(m->answers[0].a == "192.0.2.7");
  CHECK(m->answers[0].ttl == 60);
  CHECK(m->answers[1].name == "b.example");
  CHECK(m->answers[1].preference == 5);
  CHECK(m->answers[1].exchange == "mx.b.example");
}

TEST_CASE("truncation at every length gives nullopt") {
  for (const Message& m : {mx_answer(), Message{}}) {
    const std::string wire = encode(m);
    for (std::size_t n = 0; n < wire.size(); ++n) {
      CAPTURE(n);
      CHECK_FALSE(decode(std::string_view(wire).substr(0, n)).has_value());
    }
    CHECK(decode(wire).has_value());
  }
}

TEST_CASE("pointer loops and bad labels give nullopt") {
  const std::string header = bytes({0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0});
  // Pointer to itself.
  CHECK_FALSE(decode(header + bytes({0xC0, 12, 0, 1, 0, 1})));
  // Forward pointer.
  CHECK_FALSE(decode(header + bytes({0xC0, 14, 0, 0, 1, 0, 1})));
  // Label, then a pointer back to that same label: a -> a -> a ...
  CHECK_FALSE(decode(header + bytes({1, 'a', 0xC0, 12, 0, 1, 0, 1})));
  // Two pointers pointing at each other (second name refers to the first and vice versa).
  std::string two = bytes({0, 1, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0});
  two += bytes({0xC0, 18, 0, 1, 0, 1, 0xC0, 12, 0, 1, 0, 1});
  CHECK_FALSE(decode(two));
  // Reserved label types 0x40 and 0x80.
  CHECK_FALSE(decode(header + bytes({0x41, 'a', 0, 0, 1, 0, 1})));
  CHECK_FALSE(decode(header + bytes({0x81, 'a', 0, 0, 1, 0, 1})));
  // A name longer than 255 octets.
  std::string longname = header;
  for (int i = 0; i < 5; ++i) {
    longname.push_back(63);
    longname += std::string(63, 'x');
  }
  longname += bytes({0, 0, 1, 0, 1});
  CHECK_FALSE(decode(longname));
  // An A record with RDLENGTH 5.
  std::string bad_a = bytes({0, 1, 0x80, 0, 0, 0, 0, 1, 0, 0, 0, 0});
  bad_a += bytes({1, 'a', 0, 0, 1, 0, 1, 0, 0, 0, 1, 0, 5, 1, 2, 3, 4, 5});
  CHECK_FALSE(decode(bad_a));
  // An MX whose exchange runs past RDLENGTH.
  std::string bad_mx = bytes({0, 1, 0x80, 0, 0, 0, 0, 1, 0, 0, 0, 0});
  bad_mx += bytes({1, 'a', 0, 0, 15, 0, 1, 0, 0, 0, 1, 0, 4, 0, 10, 1, 'b', 0});
  CHECK_FALSE(decode(bad_mx));
}

TEST_CASE("unknown record types and the authority section are skipped") {
  // NXDOMAIN with an SOA-like record (type 6) in the authority section, then an A additional.
  std::string wire = bytes({0, 9, 0x84, 0x03, 0, 1, 0, 0, 0, 1, 0, 1});
  wire += bytes({1, 'x', 0, 0, 1, 0, 1});
  wire += bytes({0, 0, 6, 0, 1, 0, 0, 0, 1, 0, 3, 'a', 'b', 'c'});
  wire += bytes({1, 'y', 0, 0, 1, 0, 1, 0, 0, 0, 1, 0, 4, 10, 0, 0, 1});
  auto m = decode(wire);
  REQUIRE(m);
  CHECK(m->rcode == kNxDomain);
  CHECK(m->answers.empty());
  REQUIRE(m->additionals.size() == 1);
  CHECK(m->additionals[0].a == "10.0.0.1");
  CHECK(describe(*m) == "answer: NXDOMAIN (x does not exist)");
}

TEST_CASE("garbage and mutated messages never crash") {
  std::uint64_t s = 12345;
  auto rnd = [&] {
    s ^= s << 13;
    s ^= s >> 7;
    s ^= s << 17;
    return s;
  };
  const std::string good = encode(mx_answer());
  int decoded = 0;
  for (int i = 0; i < 20000; ++i) {
    std::string w = good;
    const int flips = 1 + static_cast<int>(rnd() % 4);
    for (int k = 0; k < flips; ++k) w[rnd() % w.size()] = static_cast<char>(rnd() & 0xff);
    if (decode(w)) ++decoded;
    std::string g(rnd() % 64, '\0');
    for (char& c : g) c = static_cast<char>(rnd() & 0xff);
    (void)decode(g);
  }
  CHECK(decoded > 0);  // many single-byte changes still parse (ids, ttls…)
}

TEST_CASE("describe for students") {
  Message q;
  q.questions.push_back({"mx.recipient.example", Type::A});
  CHECK(describe(q) == "query A mx.recipient.example?");
  Message empty;
  empty.response = true;
  empty.questions.push_back({"recipient.example", Type::MX});
  CHECK(describe(empty) == "answer: no MX recipient.example records");
  Message fail = empty;
  fail.rcode = kServFail;
  CHECK(describe(fail) == "answer: SERVFAIL for MX recipient.example");
  CHECK(std::string(rcode_name(kNxDomain)) == "NXDOMAIN");
}

TEST_CASE("encode rejects names and addresses it cannot represent") {
  Message m;
  m.questions.push_back({"a..b", Type::A});
  CHECK_THROWS_AS(encode(m), std::invalid_argument);
  m.questions[0].name = std::string(64, 'x') + ".example";
  CHECK_THROWS_AS(encode(m), std::invalid_argument);
  m.questions[0].name = "ok.example.";  // a trailing dot is fine
  CHECK(decode(encode(m))->questions[0].name == "ok.example");
  m.answers.push_back({"ok.example", Type::A, 1, "10.0.0.256", 0, ""});
  CHECK_THROWS_AS(encode(m), std::invalid_argument);
  m.answers[0].a = "10.0.0";
  CHECK_THROWS_AS(encode(m), std::invalid_argument);
  m.answers[0].a = "10.0.0.1";
  CHECK(decode(encode(m))->answers[0].a == "10.0.0.1");
}

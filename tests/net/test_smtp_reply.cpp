#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "net/smtp/reply.hpp"

using net::smtp::Reply;
using net::smtp::ReplyParser;

namespace {

std::vector<Reply> parse_whole(std::string_view in, bool* err = nullptr) {
  ReplyParser p;
  p.feed(in);
  std::vector<Reply> out;
  while (auto r = p.next()) out.push_back(*r);
  if (err) *err = p.error();
  return out;
}

std::vector<Reply> parse_bytes(std::string_view in, bool* err = nullptr) {
  ReplyParser p;
  std::vector<Reply> out;
  for (char c : in) {
    p.feed(std::string_view(&c, 1));
    while (auto r = p.next()) out.push_back(*r);
  }
  if (err) *err = p.error();
  return out;
}

bool same(const Reply& a, const Reply& b) {
  return a.code == b.code && a.enhanced == b.enhanced && a.lines == b.lines;
}

void check_both(std::string_view in, const std::vector<Reply>& want, bool want_err = false) {
  bool e1 = false, e2 = false;
  auto a = parse_whole(in, &e1);
  auto b = parse_bytes(in, &e2);
  CHECK(e1 == want_err);
  CHECK(e2 == want_err);
  REQUIRE(a.size() == want.size());
  REQUIRE(b.size() == want.size());
  for (size_t i = 0; i < want.size(); ++i) {
    CHECK(same(a[i], want[i]));
    CHECK(same(b[i], want[i]));
  }
}

}  // namespace

TEST_CASE("Reply::wire single and multi line") {
  CHECK(Reply{250, "2.1.0", {"Sender OK"}}.wire() == "250 2.1.0 Sender OK\r\n");
  CHECK(Reply{220, "", {"mx.example ESMTP"}}.wire() == "220 mx.example ESMTP\r\n");
  CHECK(Reply{250, "", {"mx", "PIPELINING", "SIZE 100"}}.wire() ==
        "250-mx\r\n250-PIPELINING\r\n250 SIZE 100\r\n");
  CHECK(Reply{214, "2.0.0", {"a", "b"}}.wire() == "214-2.0.0 a\r\n214 2.0.0 b\r\n");
  CHECK(Reply{334, "", {""}}.wire() == "334 \r\n");
  CHECK(Reply{250, "", {}}.wire() == "250 \r\n");
}

TEST_CASE("ReplyParser parses single, multiline and pipelined replies") {
  check_both("220 mx.example ESMTP ready\r\n", {{220, "", {"mx.example ESMTP ready"}}});
  check_both("250-mx.example\r\n250-PIPELINING\r\n250-SIZE 1000\r\n250 8BITMIME\r\n",
             {{250, "", {"mx.example", "PIPELINING", "SIZE 1000", "8BITMIME"}}});
  check_both("250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n550 5.1.1 User unknown\r\n354 Go ahead\r\n",
             {{250, "2.1.0", {"Ok"}},
              {250, "2.1.5", {"Ok"}},
              {550, "5.1.1", {"User unknown"}},
              {354, "", {"Go ahead"}}});
}

TEST_CASE("ReplyParser enhanced codes") {
  // Enhanced code on every line is stripped from each.
  check_both("214-2.0.0 first\r\n214 2.0.0 second\r\n", {{214, "2.0.0", {"first", "second"}}});
  // The class must match the reply's first digit: "4.1.1" on a 550 is plain text.
  check_both("550 4.1.1 odd\r\n", {{550, "", {"4.1.1 odd"}}});
  // A version number is not an enhanced code.
  check_both("220 2.0 server\r\n", {{220, "", {"2.0 server"}}});
  check_both("250 2.0.0\r\n", {{250, "2.0.0", {""}}});
  // Bare code with no text, and a LF-only server.
  check_both("250\n", {{250, "", {""}}});
}

TEST_CASE("ReplyParser round-trips Reply::wire") {
  Reply r{250, "2.0.0", {"one", "two", "three"}};
  check_both(r.wire(), {r});
}

TEST_CASE("ReplyParser errors on malformed replies") {
  check_both("hello\r\n", {}, true);
  check_both("25\r\n", {}, true);
  check_both("250x ok\r\n", {}, true);
  check_both("650 bad class\r\n", {}, true);
  check_both("260 bad subject\r\n", {}, true);
  // Code changes inside a multiline reply (RFC 5321 §4.2.1).
  check_both("250-a\r\n251 b\r\n", {}, true);
  // A good reply before the junk is still delivered.
  check_both("250 ok\r\njunk\r\n", {{250, "", {"ok"}}}, true);
  check_both(std::string(5000, '2') + "\r\n", {}, true);
}

TEST_CASE("ReplyParser::last_lines gives the raw lines") {
  ReplyParser p;
  p.feed("250-2.0.0 a\r\n250 b\r\n");
  auto r = p.next();
  REQUIRE(r);
  CHECK(r->lines == std::vector<std::string>{"a", "b"});
  CHECK(p.last_lines() == std::vector<std::string>{"250-2.0.0 a", "250 b"});
}

TEST_CASE("describe_reply_code is plain language") {
  CHECK(net::smtp::describe_reply_code(354).find("single dot") != std::string::npos);
  CHECK(net::smtp::describe_reply_code(499).find("Temporary") != std::string::npos);
}

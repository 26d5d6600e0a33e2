#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "net/line_buffer.hpp"

using net::LineBuffer;

namespace {

struct Got {
  std::string text;
  bool too_long;
  bool operator==(const Got&) const = default;
};

std::vector<Got> drain(LineBuffer& b) {
  std::vector<Got> out;
  while (auto l = b.next()) out.push_back({l->text, l->too_long});
  return out;
}

std::vector<Got> whole(std::string_view in, size_t max) {
  LineBuffer b(max);
  b.feed(in);
  return drain(b);
}

std::vector<Got> bytewise(std::string_view in, size_t max) {
  LineBuffer b(max);
  std::vector<Got> out;
  for (char c : in) {
    b.feed(std::string_view(&c, 1));
    for (auto& g : drain(b)) out.push_back(g);
  }
  return out;
}

void check_both(std::string_view in, size_t max, const std::vector<Got>& want) {
  CHECK(whole(in, max) == want);
  CHECK(bytewise(in, max) == want);
}

}  // namespace

TEST_CASE("LineBuffer splits CRLF and bare LF lines") {
  check_both("EHLO a\r\nMAIL FROM:<x@y>\nQUIT\r\n", 100,
             {{"EHLO a", false}, {"MAIL FROM:<x@y>", false}, {"QUIT", false}});
}

TEST_CASE("LineBuffer keeps an unterminated tail buffered") {
  LineBuffer b(100);
  b.feed("NOOP\r\nQU");
  auto l = b.next();
  REQUIRE(l);
  CHECK(l->text == "NOOP");
  CHECK_FALSE(b.next());
  CHECK(b.buffered() == 2);
  b.feed("IT\r");
  CHECK_FALSE(b.next());
  CHECK(b.buffered() == 5);
  b.feed("\n");
  l = b.next();
  REQUIRE(l);
  CHECK(l->text == "QUIT");
  CHECK(b.buffered() == 0);
}

TEST_CASE("LineBuffer empty lines and lone CR inside a line") {
  check_both("\r\n\na\rb\r\n", 100, {{"", false}, {"", false}, {"a\rb", false}});
}

TEST_CASE("LineBuffer limit counts the CRLF") {
  // max 10 => 8 octets of text allowed.
  check_both("12345678\r\n", 10, {{"12345678", false}});
  check_both("12345678\n", 10, {{"12345678", false}});
  check_both("123456789\r\nok\r\n", 10, {{"12345678", true}, {"ok", false}});
  check_both("123456789\nok\n", 10, {{"12345678", true}, {"ok", false}});
}

TEST_CASE("LineBuffer reports an over-long line once and skips to its LF") {
  std::string big(5000, 'x');
  check_both(big + "\r\nNEXT\r\n", 100, {{std::string(98, 'x'), true}, {"NEXT", false}});
  // Without a terminator yet, the line is reported as soon as it cannot fit and the
  // buffer does not grow.
  LineBuffer b(100);
  b.feed(big);
  auto l = b.next();
  REQUIRE(l);
  CHECK(l->too_long);
  CHECK(b.buffered() == 0);
  b.feed(big);
  CHECK_FALSE(b.next());
  CHECK(b.buffered() == 0);
  b.feed("tail\r\nafter\r\n");
  l = b.next();
  REQUIRE(l);
  CHECK(l->text == "after");
  CHECK_FALSE(l->too_long);
}

TEST_CASE("LineBuffer handles many lines (compaction)") {
  std::string in;
  for (int i = 0; i < 3000; ++i) in += "line " + std::to_string(i) + "\r\n";
  auto got = whole(in, 1000);
  REQUIRE(got.size() == 3000);
  CHECK(got[2999].text == "line 2999");
  CHECK(bytewise(in, 1000) == got);
}

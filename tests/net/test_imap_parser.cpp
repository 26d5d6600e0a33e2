#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "net/imap/parser.hpp"
#include "net/imap/response.hpp"

using namespace net::imap;
using K = ReadResult::Kind;

namespace {

// Feeds the bytes whole or one at a time and collects every result.
std::vector<ReadResult> read_all(std::string_view bytes, bool bytewise, ReaderLimits lim = {}) {
  CommandReader r(lim);
  std::vector<ReadResult> out;
  auto drain = [&] {
    while (auto x = r.next()) out.push_back(std::move(*x));
  };
  if (bytewise) {
    for (char c : bytes) {
      r.feed(std::string_view(&c, 1));
      drain();
    }
  } else {
    r.feed(bytes);
    drain();
  }
  return out;
}

}  // namespace

TEST_CASE("IMAP reader: plain commands, CRLF or LF, whole or byte by byte") {
  for (bool bytewise : {false, true}) {
    CAPTURE(bytewise);
    auto out = read_all("a1 NOOP\r\nb2 CAPABILITY\nc3 LOGIN", bytewise);
    REQUIRE(out.size() == 2);
    CHECK(out[0].kind == K::Command);
    CHECK(out[0].tag == "a1");
    CHECK(out[0].text == "a1 NOOP");
    CHECK(out[1].text == "b2 CAPABILITY");
    REQUIRE(out[1].segments.size() == 1);
    CHECK(out[1].segments[0].text == "b2 CAPABILITY");
  }
}

TEST_CASE("IMAP reader: synchronising literal asks for a continuation, split across feeds") {
  for (bool bytewise : {false, true}) {
    CAPTURE(bytewise);
    auto out = read_all("A1 LOGIN {3}\r\nbob {5}\r\nbo\r\nb\r\nA2 NOOP\r\n", bytewise);
    REQUIRE(out.size() == 4);
    CHECK(out[0].kind == K::NeedContinuation);
    CHECK(out[0].tag == "A1");
    CHECK(out[0].literal_size == 3);
    CHECK(out[1].kind == K::NeedContinuation);
    CHECK(out[1].literal_size == 5);
    CHECK(out[2].kind == K::Command);
    CHECK(out[2].text == "A1 LOGIN {3}\r\nbob {5}\r\nbo\r\nb");
    REQUIRE(out[2].segments.size() == 5);
    CHECK(out[2].segments[1].literal);
    CHECK(out[2].segments[1].text == "bob");
    CHECK(out[2].segments[2].text == " {5}");
    CHECK(out[2].segments[3].text == "bo\r\nb");
    CHECK(out[2].segments[4].text == "");
    CHECK(out[3].text == "A2 NOOP");

    Cursor c(out[2].text);
    CHECK(c.atom() == "A1");
    CHECK(c.sp());
    CHECK(c.atom() == "LOGIN");
    CHECK(c.sp());
    CHECK(c.astring() == "bob");
    CHECK(c.sp());
    CHECK(c.astring() == "bo\r\nb");
    CHECK(c.at_end());
  }
}

TEST_CASE("IMAP reader: LITERAL+ needs no continuation") {
  for (bool bytewise : {false, true}) {
    auto out = read_all("A1 APPEND INBOX {4+}\r\nab\r\n\r\n", bytewise);
    REQUIRE(out.size() == 1);
    CHECK(out[0].kind == K::Command);
    CHECK(out[0].text == "A1 APPEND INBOX {4+}\r\nab\r\n");
  }
}

TEST_CASE("IMAP reader: over-long line and over-big literals are dropped, the stream survives") {
  ReaderLimits lim;
  lim.max_line = 64;
  lim.max_literal = 10;
  for (bool bytewise : {false, true}) {
    CAPTURE(bytewise);
    std::string longline = "X1 NOOP " + std::string(100, 'a') + "\r\n";
    auto out = read_all(longline + "X2 NOOP\r\n", bytewise, lim);
    REQUIRE(out.size() == 2);
    CHECK(out[0].kind == K::LineTooLong);
    CHECK(out[0].tag == "X1");
    CHECK(out[1].text == "X2 NOOP");

    out = read_all("X3 APPEND INBOX {11}\r\nX4 NOOP\r\n", bytewise, lim);
    REQUIRE(out.size() == 2);
    CHECK(out[0].kind == K::LiteralTooLong);
    CHECK_FALSE(out[0].non_sync);
    CHECK(out[0].tag == "X3");
    CHECK(out[1].text == "X4 NOOP");

    // A non-synchronising one arrives anyway: its octets are skipped.
    out = read_all("X5 APPEND INBOX {12+}\r\nX9 NOOP\r\nab\r\nX6 NOOP\r\n", bytewise, lim);
    REQUIRE(out.size() == 2);
    CHECK(out[0].kind == K::LiteralTooLong);
    CHECK(out[0].non_sync);
    CHECK(out[1].text == "X6 NOOP");
  }
}

TEST_CASE("IMAP cursor: atoms, quoted strings, flag lists, numbers") {
  Cursor c(R"(tag "a \"q\" \\ b" (\Seen $Work) 42 NIL)");
  CHECK(c.atom() == "tag");
  CHECK(c.sp());
  CHECK(c.astring() == R"(a "q" \ b)");
  CHECK(c.sp());
  auto fl = c.flag_list();
  REQUIRE(fl);
  CHECK(*fl == std::vector<std::string>{"\\Seen", "$Work"});
  CHECK(c.sp());
  CHECK(c.number() == 42u);
  CHECK(c.sp());
  CHECK(c.atom() == "NIL");
  CHECK(c.at_end());

  Cursor bad("\"unterminated");
  CHECK_FALSE(bad.string());
  CHECK(bad.pos() == 0);
  Cursor badlist("(\\Seen");
  CHECK_FALSE(badlist.flag_list());
  CHECK(badlist.pos() == 0);
  Cursor lit("{5}\r\nab");
  CHECK_FALSE(lit.literal());  // fewer octets than announced
}

TEST_CASE("IMAP sequence sets") {
  auto s = parse_sequence_set("1:3,5,7:*");
  REQUIRE(s);
  CHECK(s->contains(2, 10));
  CHECK_FALSE(s->contains(4, 10));
  CHECK(s->contains(9, 10));
  CHECK(s->contains(10, 10));
  auto rev = parse_sequence_set("4:2");
  CHECK(rev->contains(3, 9));
  auto star = parse_sequence_set("*");
  CHECK(star->contains(7, 7));
  CHECK_FALSE(star->contains(6, 7));
  CHECK_FALSE(parse_sequence_set(""));
  CHECK_FALSE(parse_sequence_set("0"));
  CHECK_FALSE(parse_sequence_set("1,"));
  CHECK_FALSE(parse_sequence_set("a"));
  CHECK_FALSE(parse_sequence_set("1:2:3"));
}

TEST_CASE("IMAP response quoting and dates") {
  CHECK(quote("hello") == "\"hello\"");
  CHECK(quote("a\"b\\c") == "\"a\\\"b\\\\c\"");
  CHECK(quote("two\r\nlines") == "{10}\r\ntwo\r\nlines");
  CHECK(quote("caf\xC3\xA9") == "{5}\r\ncaf\xC3\xA9");
  CHECK(astring("INBOX") == "INBOX");
  CHECK(astring("My Folder") == "\"My Folder\"");
  CHECK(astring("") == "\"\"");
  CHECK(flag_list({"\\Seen", "$Work"}) == "(\\Seen $Work)");
  CHECK(flag_list({}) == "()");
  CHECK(format_internal_date(1795683600) == "26-Nov-2026 09:00:00 +0000");
  CHECK(parse_internal_date("26-Nov-2026 09:00:00 +0000") == 1795683600);
  CHECK(parse_internal_date("26-Nov-2026 11:00:00 +0200") == 1795683600);
  CHECK(parse_internal_date(" 6-Nov-2026 09:00:00 +0000") == 1795683600 - 20 * 86400);
  CHECK_FALSE(parse_internal_date("26-Nox-2026 09:00:00 +0000"));
  CHECK_FALSE(parse_internal_date("26-Nov-2026 09:00 +0000"));
  CHECK(parse_search_date("26-Nov-2026") == 1795651200);
  CHECK(parse_search_date("1-Jan-1970") == 0);
  CHECK_FALSE(parse_search_date("2026-11-26"));
}

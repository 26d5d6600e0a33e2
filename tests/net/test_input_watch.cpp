#include <doctest/doctest.h>

#include <string>

#include "net/socket/input_watch.hpp"

using net::socket::InputWatch;

TEST_CASE("input watch: a line is partial until its LF, fed whole or byte by byte") {
  for (bool literals : {false, true}) {
    InputWatch w(literals);
    CHECK_FALSE(w.mid_line());
    for (char c : std::string("NOOP\r")) {
      w.fed(std::string(1, c));
      CHECK(w.mid_line());
    }
    w.fed("\n");
    CHECK_FALSE(w.mid_line());
    w.fed("A\r\nB");
    CHECK(w.mid_line());
    CHECK_FALSE(w.in_literal());
  }
}

TEST_CASE("input watch: IMAP literals, synchronizing and LITERAL+, hold line ends inside") {
  InputWatch w(true);
  w.fed("a1 APPEND INBOX {12}\r\n");
  CHECK(w.in_literal());
  CHECK(w.mid_line());
  w.fed("Subj\r\n\r\n");  // 8 of 12 octets, line ends included
  CHECK(w.in_literal());
  w.fed("body");  // the literal is complete; the command line is not
  CHECK_FALSE(w.in_literal());
  CHECK(w.mid_line());
  w.fed("\r\n");
  CHECK_FALSE(w.mid_line());
  // One byte at a time: "{3+}" split anywhere, then the literal and a second one.
  const std::string cmd = "a2 LOGIN {3+}\r\nana {2}\r\npw\r\n";
  bool was_literal = false;
  for (char c : cmd) {
    w.fed(std::string(1, c));
    was_literal = was_literal || w.in_literal();
  }
  CHECK(was_literal);
  CHECK_FALSE(w.in_literal());
  CHECK_FALSE(w.mid_line());
  // Not literals: braces elsewhere, or in a protocol without them.
  w.fed("a3 SEARCH TEXT \"{x}\"\r\n");
  CHECK_FALSE(w.in_literal());
  InputWatch smtp(false);
  smtp.fed("MAIL FROM:<a{5}@x>\r\n");
  CHECK_FALSE(smtp.in_literal());
  // {0}: an empty literal, nothing to wait for.
  w.fed("a4 LOGIN {0}\r\n");
  CHECK_FALSE(w.in_literal());
}

#include <doctest/doctest.h>

#include <string>

#include "net/message/message.hpp"

using namespace net::message;

namespace {

// Parsing is a whole-text operation; "one byte at a time" here means building the
// text byte by byte must not matter, so compare against a parse of a copy that was
// assembled incrementally (guards against views into temporaries).
Message parse_incremental(std::string_view s) {
  std::string acc;
  for (char c : s) acc.push_back(c);
  return Message::parse(acc);
}

void check_same(const Message& a, const Message& b) {
  REQUIRE(a.fields.size() == b.fields.size());
  for (size_t i = 0; i < a.fields.size(); ++i) {
    CHECK(a.fields[i].name == b.fields[i].name);
    CHECK(a.fields[i].value == b.fields[i].value);
    CHECK(a.fields[i].raw == b.fields[i].raw);
  }
  CHECK(a.body == b.body);
}

}  // namespace

TEST_CASE("Message::parse header and body") {
  std::string text =
      "From: Ana <ana@sender.example>\r\nTo: bob@recipient.example\r\nSubject: Hi\r\n\r\n"
      "Hello Bob\r\n\r\nBye\r\n";
  auto m = Message::parse(text);
  REQUIRE(m.fields.size() == 3);
  CHECK(m.fields[0].name == "From");
  CHECK(m.fields[0].value == "Ana <ana@sender.example>");
  CHECK(m.fields[0].raw == "From: Ana <ana@sender.example>");
  CHECK(m.get("subject") == "Hi");
  CHECK(m.get("SUBJECT") == "Hi");
  CHECK_FALSE(m.get("Cc"));
  CHECK(m.body == "Hello Bob\r\n\r\nBye\r\n");
  CHECK(m.serialize() == text);
  check_same(m, parse_incremental(text));
}

TEST_CASE("Message::parse normalises bare LF") {
  auto m = Message::parse("Subject: a\nX: b\n\nline1\nline2\n");
  CHECK(m.fields.size() == 2);
  CHECK(m.body == "line1\r\nline2\r\n");
  CHECK(m.serialize() == "Subject: a\r\nX: b\r\n\r\nline1\r\nline2\r\n");
}

TEST_CASE("Message::parse folded and obs-folded fields") {
  std::string text =
      "Subject: a very\r\n long subject\r\n\tcontinued\r\nX-Obs : spaced name\r\n\r\nbody";
  auto m = Message::parse(text);
  REQUIRE(m.fields.size() == 2);
  CHECK(m.fields[0].value == "a very long subject\tcontinued");
  CHECK(m.fields[0].raw == "Subject: a very\r\n long subject\r\n\tcontinued");
  CHECK(m.fields[1].name == "X-Obs");
  CHECK(m.fields[1].value == "spaced name");
  CHECK(m.body == "body");
  CHECK(m.serialize() == text.substr(0, text.size() - 4) + "body");
  check_same(m, parse_incremental(text));
}

TEST_CASE("Message::parse without separator, with junk lines, empty input") {
  auto a = Message::parse("Subject: only header\r\nX: y\r\n");
  CHECK(a.fields.size() == 2);
  CHECK(a.body.empty());

  auto b = Message::parse("Subject: s\r\nthis is not a header\r\nmore\r\n");
  REQUIRE(b.fields.size() == 1);
  CHECK(b.body == "this is not a header\r\nmore\r\n");

  auto c = Message::parse("");
  CHECK(c.fields.empty());
  CHECK(c.body.empty());
  CHECK(c.serialize() == "\r\n");

  auto d = Message::parse("\r\nbody only\r\n");
  CHECK(d.fields.empty());
  CHECK(d.body == "body only\r\n");

  // A continuation line before any field belongs to the body.
  auto e = Message::parse(" indented\r\nSubject: x\r\n");
  CHECK(e.fields.empty());
  CHECK(e.body == " indented\r\nSubject: x\r\n");

  // Field names may not contain spaces or start with a colon.
  auto f = Message::parse("Bad Name: x\r\n");
  CHECK(f.fields.empty());
  auto g = Message::parse(": x\r\n");
  CHECK(g.fields.empty());
}

TEST_CASE("Message get_all prepend append") {
  auto m = Message::parse("Received: one\r\nReceived: two\r\nSubject: s\r\n\r\nb\r\n");
  CHECK(m.get_all("received") == std::vector<std::string>{"one", "two"});
  m.prepend("Return-Path", "<a@b.example>");
  m.append("X-Tag", "t");
  CHECK(m.fields.front().raw == "Return-Path: <a@b.example>");
  CHECK(m.fields.back().raw == "X-Tag: t");
  CHECK(m.serialize() ==
        "Return-Path: <a@b.example>\r\nReceived: one\r\nReceived: two\r\nSubject: s\r\n"
        "X-Tag: t\r\n\r\nb\r\n");
}

TEST_CASE("header_values and header_value find what Message::parse finds") {
  const char* texts[] = {
      "From: Ana <ana@sender.example>\r\nTo: bob@recipient.example\r\nSubject: Hi\r\n\r\nbody",
      "Subject: a\nX: b\n\nSubject: not a field, the body\n",
      "Subject: a very\r\n long subject\r\n\tcontinued\r\nX-Obs : spaced name\r\n\r\nbody",
      "Received: one\r\nReceived: two\r\n folded\nSubject: s\r\n\r\nReceived: three\r\n",
      "Subject: s\r\nthis is not a header\r\nSubject: after junk\r\n",
      " indented\r\nSubject: x\r\n",
      "Subject: no line end",
      "Subject: cr at the end\r",
      "Subject: x\r\r\nTo: y\r\n",
      "",
      "\r\nSubject: body\r\n",
      "Bad Name: x\r\nSubject: y\r\n",
  };
  for (const char* t : texts) {
    CAPTURE(t);
    const auto m = Message::parse(t);
    for (const char* name : {"Subject", "subject", "RECEIVED", "To", "X-Obs", "From", "Cc"}) {
      CAPTURE(name);
      CHECK(header_values(t, name) == m.get_all(name));
      CHECK(header_value(t, name) == m.get(name));
    }
  }
  CHECK(header_values("Received: one\r\nReceived: two\r\n folded\r\n\r\n", "received") ==
        std::vector<std::string>{"one", "two folded"});
  CHECK_FALSE(header_value("\r\nSubject: in the body\r\n", "Subject"));
}

TEST_CASE("fold keeps lines within 78 and unfolds back") {
  std::string value;
  for (int i = 0; i < 30; ++i) value += "word" + std::to_string(i) + " ";
  value += "end";
  std::string f = fold("Received", value);
  size_t start = 0;
  int lines = 0;
  while (start <= f.size()) {
    size_t e = f.find("\r\n", start);
    std::string_view line(f.data() + start, (e == std::string::npos ? f.size() : e) - start);
    CHECK(line.size() <= 78);
    if (lines > 0) CHECK(line.front() == ' ');
    ++lines;
    if (e == std::string::npos) break;
    start = e + 2;
  }
  CHECK(lines >= 3);
  CHECK(unfold(f) == "Received: " + value);
  // Short values stay on one line; a long word cannot be broken.
  CHECK(fold("Subject", "hi") == "Subject: hi");
  std::string big(100, 'x');
  CHECK(fold("X", big) == "X: " + big);
  CHECK(fold("X", "a " + big) == "X: a\r\n " + big);
  // Double spaces survive and no line is whitespace only.
  CHECK(unfold(fold("X", std::string(70, 'a') + "  b", 20)) ==
        "X: " + std::string(70, 'a') + "  b");
  auto m = Message();
  m.prepend("Received", value);
  CHECK(m.fields[0].value == value);
  CHECK(m.fields[0].raw == f);
}

TEST_CASE("unfold") {
  CHECK(unfold("a\r\n b") == "a b");
  CHECK(unfold("a\r\n\tb") == "a\tb");
  CHECK(unfold("a\n b") == "a b");
  CHECK(unfold("a\r\nb") == "a\r\nb");
}

TEST_CASE("extract_address") {
  CHECK(extract_address("Ana <ana@sender.example>") == "ana@sender.example");
  CHECK(extract_address("<a@b>") == "a@b");
  CHECK(extract_address("a@b") == "a@b");
  CHECK(extract_address("  a@b  ") == "a@b");
  CHECK(extract_address("\"Silva, Ana <boss>\" <ana@x.example>") == "ana@x.example");
  CHECK(extract_address("ana@x.example (Ana Silva)") == "ana@x.example");
  CHECK(extract_address("<@relay.example:bob@y.example>") == "bob@y.example");
  CHECK(extract_address("\"odd local\"@x.example") == "\"odd local\"@x.example");
  CHECK(extract_address("a@[10.0.0.1]") == "a@[10.0.0.1]");
  CHECK(extract_address("<>") == "");
  CHECK_FALSE(extract_address("Ana"));
  CHECK_FALSE(extract_address("<ana>"));
  CHECK_FALSE(extract_address("<a@b"));
  CHECK_FALSE(extract_address("a b@c"));
  CHECK_FALSE(extract_address("a..b@c"));
  CHECK_FALSE(extract_address("a@b..c"));
  CHECK_FALSE(extract_address(".a@b"));
  CHECK_FALSE(extract_address("@b"));
  CHECK_FALSE(extract_address("a@"));
  CHECK_FALSE(extract_address(""));
  CHECK_FALSE(is_valid_address(std::string(65, 'a') + "@x"));
}

TEST_CASE("domain_of and local_part") {
  CHECK(domain_of("Ana@Sender.EXAMPLE") == "sender.example");
  CHECK(domain_of("noat") == "");
  CHECK(local_part("Ana@Sender.example") == "Ana");
  CHECK(local_part("\"a@b\"@c") == "\"a@b\"");
}

TEST_CASE("make_received and format_date") {
  ReceivedInfo r;
  r.from_helo = "laptop.sender.example";
  r.from_host = "laptop.sender.example";
  r.from_ip = "10.0.0.2";
  r.by_host = "smtp.sender.example";
  r.with = "ESMTPA";
  r.id = "1A2B";
  r.date = format_date(1795683600);
  CHECK(make_received(r) ==
        "from laptop.sender.example (laptop.sender.example [10.0.0.2]) by smtp.sender.example "
        "with ESMTPA id 1A2B; Thu, 26 Nov 2026 09:00:00 +0000");
  r.for_addr = "bob@recipient.example";
  r.from_host.clear();
  CHECK(make_received(r) ==
        "from laptop.sender.example (unknown [10.0.0.2]) by smtp.sender.example with ESMTPA id "
        "1A2B for <bob@recipient.example>; Thu, 26 Nov 2026 09:00:00 +0000");
  CHECK(format_date(0) == "Thu, 01 Jan 1970 00:00:00 +0000");
  CHECK(format_date(951868799) == "Tue, 29 Feb 2000 23:59:59 +0000");
  CHECK(format_date(-1) == "Wed, 31 Dec 1969 23:59:59 +0000");
}

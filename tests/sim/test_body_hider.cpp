// Hiding message bodies in a trace: the header stays, the body lines are replaced, commands
// and replies end a message; connections are independent.
#include <doctest/doctest.h>

#include "sim/trace.hpp"

using namespace sim;

namespace {

LineEv line(std::uint32_t conn, std::string text, bool data) {
  LineEv l;
  l.conn = conn;
  l.text = std::move(text);
  l.data = data;
  l.from_client = true;
  l.meaning = "m";
  return l;
}

std::vector<std::string> texts(const Trace& t) {
  std::vector<std::string> out;
  for (const auto& e : t.events()) out.push_back(std::get<LineEv>(e.p).text);
  return out;
}

}  // namespace

TEST_CASE("hidden bodies: header kept, body lines replaced, the terminator and replies kept") {
  Trace t;
  t.hide_message_bodies();
  t.append(0, line(1, "DATA", false));
  t.append(0, line(1, "Subject: secret plans", true));
  t.append(0, line(1, "", true));
  t.append(0, line(1, "the plans", true));
  t.append(0, line(1, "", true));  // an empty line inside the body is body too
  t.append(0, line(1, "more", true));
  t.append(0, line(1, ".", true));
  t.append(0, line(1, "250 OK", false));
  CHECK(texts(t) == std::vector<std::string>{"DATA", "Subject: secret plans", "",
                                             "(body line hidden: 9 bytes)",
                                             "(body line hidden: 0 bytes)",
                                             "(body line hidden: 4 bytes)", ".", "250 OK"});
  CHECK(std::get<LineEv>(t.events()[3].p).meaning.empty());
  CHECK(std::get<LineEv>(t.events()[1].p).meaning == "m");
}

TEST_CASE("hidden bodies: each connection has its own message; a reply ends it") {
  Trace t;
  t.hide_message_bodies();
  t.append(0, line(1, "H: 1", true));
  t.append(0, line(1, "", true));
  t.append(0, line(2, "H: 2", true));  // connection 2 is still in its header
  t.append(0, line(1, "body 1", true));
  t.append(0, line(2, "", true));
  t.append(0, line(2, "body 2", true));
  t.append(0, line(1, ")", false));       // e.g. the end of an IMAP FETCH
  t.append(0, line(1, "H: next", true));  // a new message: its header shows again
  CHECK(texts(t) == std::vector<std::string>{"H: 1", "", "H: 2", "(body line hidden: 6 bytes)", "",
                                             "(body line hidden: 6 bytes)", ")", "H: next"});
}

TEST_CASE("hidden bodies: off by default") {
  Trace t;
  t.append(0, line(1, "H: 1", true));
  t.append(0, line(1, "", true));
  t.append(0, line(1, "body", true));
  CHECK(texts(t).back() == "body");
}

#include <doctest/doctest.h>

#include <algorithm>
#include <string>

#include "sim/lesson.hpp"

using sim::LessonError;
using sim::parse_lesson;

namespace {

// A small valid world; tests append or replace pieces of it.
const std::string kHosts = R"([lesson]
id = "t"
title = "Test"

[[host]]
name = "pc"
role = "device"
account = "a@x.example"
server = "mx.x.example"

[[host]]
name = "mx.x.example"
role = "server"
domain = "x.example"

[[host]]
name = "ns"
role = "dns"

[[link]]
a = "pc"
b = "mx.x.example"

[[account]]
address = "a@x.example"
password = "pw"
)";

// Returns "line:col: message" of the error the text raises ("" when it loads).
std::string error_of(const std::string& text) {
  try {
    parse_lesson(text, "bad.toml");
  } catch (const LessonError& e) {
    return std::to_string(e.pos().line) + ":" + std::to_string(e.pos().column) + ": " + e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("a valid lesson loads with defaults filled in") {
  auto L = parse_lesson(kHosts + R"(
[[step]]
action = "send"
device = "pc"
to = ["b@y.example", "c@y.example"]
subject = "Hi"
narration.en = "Go"
narration.pt = "Vai"
)",
                        "ok.toml");
  CHECK(L.id == "t");
  REQUIRE(L.hosts.size() == 3);
  CHECK(L.hosts[1].domains == std::vector<std::string>{"x.example"});
  CHECK(L.hosts[0].ip != L.hosts[1].ip);  // automatic addresses are distinct
  CHECK(L.accounts[0].login == "a");      // login defaults to the local part
  REQUIRE(L.steps.size() == 1);
  CHECK(L.steps[0].to.size() == 2);
  CHECK(L.steps[0].narration.get("pt") == "Vai");
  CHECK(L.steps[0].narration.get("fr") == "Go");  // falls back to English
  CHECK(L.links[0].latency == 5 * sim::kMillisecond);
}

TEST_CASE("a TOML syntax error names line and column") {
  std::string text = kHosts + "\n[[step]]\naction = \"send\n";
  std::string err = error_of(text);
  CHECK(err.find("TOML syntax error") != std::string::npos);
  CHECK(err.find("bad.toml:") != std::string::npos);
  // the unterminated string is on the last line of the file
  auto lines = static_cast<int>(std::count(text.begin(), text.end(), '\n'));
  CHECK(err.rfind(std::to_string(lines) + ":", 0) == 0);
}

TEST_CASE("an unknown host in a link is reported where it is written") {
  std::string err = error_of(kHosts + "\n[[link]]\na = \"pc\"\nb = \"nowhere\"\n");
  CHECK(err.find("unknown host 'nowhere'") != std::string::npos);
  auto lines = static_cast<int>(std::count(kHosts.begin(), kHosts.end(), '\n'));
  CHECK(err.rfind(std::to_string(lines + 4) + ":5:", 0) == 0);
}

TEST_CASE("an unknown action is rejected with the list of actions") {
  std::string err = error_of(kHosts + "\n[[step]]\naction = \"teleport\"\n");
  CHECK(err.find("unknown action 'teleport'") != std::string::npos);
  CHECK(err.find(
            "send, wait, link, server, dns, mailbox, check, read, delete, move, flag, offline or "
            "online") != std::string::npos);
}

TEST_CASE("send steps with an HTML alternative and attachments") {
  auto L = parse_lesson(kHosts + R"(
[[step]]
action = "send"
device = "pc"
to = "b@y.example"
html = "<p>Hi</p>"

[[step.attachment]]
name = "a.txt"
content = "hello"
)",
                        "ok.toml");
  REQUIRE(L.steps.size() == 1);
  CHECK(L.steps[0].html == "<p>Hi</p>");
  REQUIRE(L.steps[0].attachments.size() == 1);
  CHECK(L.steps[0].attachments[0].type == "application/octet-stream");
  std::string err = error_of(kHosts + R"(
[[step]]
action = "send"
device = "pc"
to = "b@y.example"

[[step.attachment]]
name = "a.txt"
type = "text"
content = "x"
)");
  CHECK(err.find("'text' is not a MIME type") != std::string::npos);
  // The position is the bad value's: the 9th line after kHosts.
  const auto type_line = std::count(kHosts.begin(), kHosts.end(), '\n') + 9;
  CHECK(err.rfind(std::to_string(type_line) + ":", 0) == 0);
  CHECK(error_of(kHosts + "\n[[step]]\naction = \"send\"\ndevice = \"pc\"\nto = \"b@y\"\n"
                          "[[step.attachment]]\nname = \"a\"\n")
            .find("needs 'content'") != std::string::npos);
}

TEST_CASE("mail app settings and actions on devices") {
  auto L = parse_lesson(kHosts + R"(
[[step]]
action = "check"
device = "pc"

[[step]]
action = "move"
device = "pc"
subject = "Hi"
folder = "Archive"

[[step]]
action = "offline"
device = "pc"
)",
                        "ok.toml");
  REQUIRE(L.steps.size() == 3);
  CHECK(L.hosts[0].protocol == "imap");  // the default
  CHECK_FALSE(L.hosts[0].leave_on_server);
  CHECK(L.steps[1].subject == "Hi");
  CHECK(L.steps[1].folder == "Archive");

  std::string pop = kHosts;
  pop.replace(pop.find("server = \"mx.x.example\""), 0,
              "protocol = \"pop3\"\nleave_on_server = true\n");
  auto P = parse_lesson(pop, "pop.toml");
  CHECK(P.hosts[0].protocol == "pop3");
  CHECK(P.hosts[0].leave_on_server);

  std::string bad = kHosts;
  bad.replace(bad.find("server = \"mx.x.example\""), 0, "protocol = \"smoke\"\n");
  CHECK(error_of(bad).find("unknown protocol 'smoke' (use imap or pop3)") != std::string::npos);
  std::string flag = kHosts;
  flag.replace(flag.find("server = \"mx.x.example\""), 0, "keep_offline = \"yes\"\n");
  CHECK(error_of(flag).find("'keep_offline' must be true or false") != std::string::npos);
  CHECK(error_of(kHosts + "\n[[host]]\nname = \"r\"\nrole = \"router\"\nprotocol = \"pop3\"\n")
            .find("'protocol' is only for devices") != std::string::npos);
  CHECK(error_of(kHosts + "\n[[step]]\naction = \"read\"\ndevice = \"pc\"\n")
            .find("a read step needs 'subject'") != std::string::npos);
  CHECK(error_of(kHosts + "\n[[step]]\naction = \"move\"\ndevice = \"pc\"\nsubject = \"x\"\n")
            .find("a move step needs 'folder'") != std::string::npos);
  CHECK(error_of(kHosts + "\n[[step]]\naction = \"check\"\ndevice = \"ns\"\n")
            .find("is not a device") != std::string::npos);
  CHECK(error_of(kHosts + "\n[[step]]\naction = \"check\"\ndevice = \"pc\"\nsubject = \"x\"\n")
            .find("unknown key 'subject' in a check step") != std::string::npos);
}

TEST_CASE("lesson validation errors") {
  CHECK(error_of(kHosts + "\n[[step]]\naction = \"send\"\ndevice = \"ghost\"\nto = \"b@y\"\n")
            .find("unknown host 'ghost'") != std::string::npos);
  CHECK(
      error_of(kHosts + "\n[[step]]\naction = \"send\"\ndevice = \"mx.x.example\"\nto = \"b@y\"\n")
          .find("is not a device") != std::string::npos);
  CHECK(error_of(kHosts + "\n[[step]]\naction = \"send\"\ndevice = \"pc\"\n").find("needs 'to'") !=
        std::string::npos);
  CHECK(error_of(kHosts + "\n[[step]]\naction = \"send\"\ndevice = \"pc\"\nto = \"nobody\"\n")
            .find("not an e-mail address") != std::string::npos);
  CHECK(error_of(kHosts + "\n[[step]]\naction = \"wait\"\n").find("needs 'seconds'") !=
        std::string::npos);
  CHECK(error_of(kHosts + "\n[[step]]\naction = \"link\"\na = \"pc\"\nb = \"ns\"\nup = false\n")
            .find("no [[link]] joins") != std::string::npos);
  CHECK(error_of(kHosts + "\n[[step]]\naction = \"server\"\nhost = \"mx.x.example\"\n")
            .find("needs 'up = true'") != std::string::npos);
  CHECK(error_of(kHosts + "\n[[host]]\nname = \"pc\"\nrole = \"router\"\n").find("defined twice") !=
        std::string::npos);
  CHECK(error_of(kHosts + "\n[[host]]\nname = \"r\"\nrole = \"toaster\"\n")
            .find("unknown role 'toaster'") != std::string::npos);
  CHECK(error_of(kHosts + "\n[[host]]\nname = \"r\"\nrole = \"router\"\nip = \"10.0.0.300\"\n")
            .find("not an IPv4 address") != std::string::npos);
  CHECK(error_of(kHosts + "\n[[account]]\naddress = \"z@nowhere.example\"\npassword = \"p\"\n")
            .find("no server has domain 'nowhere.example'") != std::string::npos);
  CHECK(error_of(kHosts + "\n[[link]]\na = \"pc\"\nb = \"ns\"\nlatency = 3\n")
            .find("unknown key 'latency'") != std::string::npos);
  CHECK(error_of("[lesson]\nid = \"x\"\n").find("needs 'title'") != std::string::npos);
  CHECK(error_of("").find("missing [lesson]") != std::string::npos);
}

TEST_CASE("a missing lesson file is a LessonError naming the file") {
  try {
    sim::load_lesson("/nonexistent/dir/lesson.toml");
    FAIL("no error");
  } catch (const LessonError& e) {
    CHECK(std::string(e.what()) == "/nonexistent/dir/lesson.toml: cannot open the lesson file");
  }
}

TEST_CASE("send and check steps may type another password") {
  auto L = parse_lesson(kHosts + R"(
[[step]]
action = "send"
device = "pc"
to = "b@y.example"
password = "typo"

[[step]]
action = "check"
device = "pc"
password = "typo2"
)",
                        "ok.toml");
  REQUIRE(L.steps.size() == 2);
  CHECK(L.steps[0].password == "typo");
  CHECK(L.steps[1].password == "typo2");
  CHECK(error_of(kHosts + "\n[[step]]\naction = \"read\"\ndevice = \"pc\"\nsubject = \"x\"\n"
                          "password = \"p\"\n")
            .find("unknown key 'password' in a read step") != std::string::npos);
}

TEST_CASE("a link step may name its hosts in either order; the id is the [[link]]'s") {
  auto L = parse_lesson(kHosts +
                            "\n[[step]]\naction = \"link\"\na = \"mx.x.example\"\nb = \"pc\"\n"
                            "up = false\n",
                        "ok.toml");
  REQUIRE(L.steps.size() == 1);
  CHECK(L.steps[0].target == "pc<->mx.x.example");
  CHECK(L.link_id("mx.x.example<->pc") == "pc<->mx.x.example");
  CHECK(L.link_id("pc<->mx.x.example") == "pc<->mx.x.example");
  CHECK(L.link_id("pc<->ns").empty());
  CHECK(L.link_id("pc-mx.x.example").empty());
  CHECK(L.link("mx.x.example", "pc") == L.links.data());
}

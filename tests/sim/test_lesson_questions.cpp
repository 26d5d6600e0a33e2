// Lesson metadata, pause points, [[question]] and [[expect]]: loading, every error a teacher
// can make (with its position), and checking a lesson by running it.
#include <doctest/doctest.h>

#include <algorithm>
#include <string>

#include "sim/lesson.hpp"
#include "sim/lesson_check.hpp"

using sim::LessonError;
using sim::parse_lesson;

namespace {

// Two mail domains: pc (a@x.example, IMAP) sends to b@y.example, read on tab (IMAP).
const std::string kWorld = R"([lesson]
id = "q"
title.en = "Questions"
title.pt = "Perguntas"
level = "beginner"
minutes = 5

[[host]]
name = "pc"
role = "device"
account = "a@x.example"
server = "mx.x.example"

[[host]]
name = "tab"
role = "device"
account = "b@y.example"
server = "mx.y.example"

[[host]]
name = "mx.x.example"
role = "server"
domain = "x.example"

[[host]]
name = "mx.y.example"
role = "server"
domain = "y.example"

[[host]]
name = "ns"
role = "dns"

[[host]]
name = "net"
role = "router"

[[link]]
a = "pc"
b = "net"

[[link]]
a = "tab"
b = "net"

[[link]]
a = "mx.x.example"
b = "net"

[[link]]
a = "mx.y.example"
b = "net"

[[link]]
a = "ns"
b = "net"

[[account]]
address = "a@x.example"
password = "pw-a"

[[account]]
address = "b@y.example"
password = "pw-b"

[[step]]
action = "send"
device = "pc"
to = "b@y.example"
subject = "Hi"
narration.en = "Send"
narration.pt = "Enviar"

[[step]]
action = "wait"
seconds = 10
pause = true

[[step]]
action = "check"
device = "tab"

[[step]]
action = "read"
device = "tab"
subject = "Hi"
)";

std::size_t lines_of(const std::string& s) {
  return static_cast<std::size_t>(std::count(s.begin(), s.end(), '\n'));
}

// "line:col: message" of the error the text raises ("" when it loads).
std::string error_of(const std::string& text) {
  try {
    parse_lesson(text, "bad.toml");
  } catch (const LessonError& e) {
    return std::to_string(e.pos().line) + ":" + std::to_string(e.pos().column) + ": " + e.what();
  }
  return "";
}

bool has(const std::string& s, const std::string& part) {
  return s.find(part) != std::string::npos;
}

const std::string kChoice = R"(
[[question]]
after_step = 1
kind = "choice"
text.en = "Which port?"
text.pt = "Que porta?"
choices.en = ["25", "587"]
choices.pt = ["25", "587"]
answer = 1
explain.en = "Submission."
explain.pt = "Submissão."
)";

const std::string kPredict = R"(
[[question]]
after_step = 0
kind = "predict"
text.en = "What does the server say?"
text.pt = "O que diz o servidor?"
connection = "mx.x.example->mx.y.example:25"
command = "RCPT TO:<b@y.example>"
choices = ["250", "550"]
)";

}  // namespace

TEST_CASE("level, minutes, pause and questions load") {
  auto L = parse_lesson(kWorld + kChoice + kPredict, "ok.toml");
  CHECK(L.level == "beginner");
  CHECK(L.minutes == 5);
  CHECK(L.order == 0);  // not given
  REQUIRE(L.steps.size() == 4);
  CHECK_FALSE(L.steps[0].pause);
  CHECK(L.steps[1].pause);
  REQUIRE(L.questions.size() == 2);
  CHECK(L.questions[0].kind == "choice");
  CHECK(L.questions[0].after_step == 1);
  CHECK(L.questions[0].answer == 1);
  CHECK(L.questions[0].choices.get("pt")[1] == "587");
  CHECK(L.questions[0].explain.get("pt") == "Submissão.");
  CHECK(L.questions[1].kind == "predict");
  CHECK(L.questions[1].command == "RCPT TO:<b@y.example>");
  CHECK(L.questions[1].connection == "mx.x.example->mx.y.example:25");
  CHECK(L.missing_pt.empty());
}

TEST_CASE("lesson metadata errors") {
  CHECK(has(error_of(kWorld + "") /* valid */, ""));
  std::string text = kWorld;
  auto bad_level = text;
  bad_level.replace(bad_level.find("level = \"beginner\""), 18, "level = \"expert\"");
  std::string err = error_of(bad_level);
  CHECK(err.rfind("5:9:", 0) == 0);
  CHECK(has(err, "unknown level 'expert' (use beginner, intermediate or advanced)"));
  auto bad_minutes = text;
  bad_minutes.replace(bad_minutes.find("minutes = 5"), 11, "minutes = 0");
  CHECK(has(error_of(bad_minutes), "'minutes' must be between 1 and 600"));
  auto ordered = text;
  ordered.insert(ordered.find("minutes = 5") + 11, "\norder = 3");
  CHECK(parse_lesson(ordered, "ok.toml").order == 3);
  ordered.replace(ordered.find("order = 3"), 9, "order = 0");
  CHECK(has(error_of(ordered), "'order' must be between 1 and 999"));
  CHECK(has(error_of(kWorld + "\n[[step]]\naction = \"wait\"\nseconds = 1\npause = 1\n"),
            "'pause' must be true or false"));
}

TEST_CASE("question errors say how to fix them, at the right place") {
  const auto base = lines_of(kWorld);
  // answer out of range, reported on the answer's line
  std::string q = kChoice;
  q.replace(q.find("answer = 1"), 10, "answer = 2");
  std::string err = error_of(kWorld + q);
  CHECK(has(err, "answer = 2 is out of range: there are 2 choices, numbered from 0 (use 0 to 1)"));
  CHECK(err.rfind(std::to_string(base + 9) + ":", 0) == 0);
  // a missing answer, a missing text, a bad kind, an unknown key
  q = kChoice;
  q.replace(q.find("answer = 1"), 10, "");
  CHECK(has(error_of(kWorld + q), "needs 'answer'"));
  CHECK(has(error_of(kWorld + "\n[[question]]\nafter_step = 1\nkind = \"choice\"\n"
                              "choices = [\"a\", \"b\"]\nanswer = 0\n"),
            "[[question]] needs 'text'"));
  CHECK(has(error_of(kWorld + "\n[[question]]\nafter_step = 1\nkind = \"essay\"\ntext = \"?\"\n"),
            "unknown kind 'essay'"));
  err = error_of(kWorld +
                 "\n[[question]]\nafter_step = 1\nkind = \"choice\"\ntext = \"?\"\n"
                 "choices = [\"a\", \"b\"]\nanswer = 0\nhint = \"x\"\n");
  CHECK(has(err, "unknown key 'hint' in [[question]]"));
  CHECK(err.rfind(std::to_string(base + 8) + ":", 0) == 0);
  // after_step beyond the steps, or missing
  q = kChoice;
  q.replace(q.find("after_step = 1"), 14, "after_step = 9");
  CHECK(has(error_of(kWorld + q), "after_step = 9, but the lesson has 4 step(s) (use 0 to 4)"));
  q = kChoice;
  q.replace(q.find("after_step = 1"), 14, "");
  CHECK(has(error_of(kWorld + q), "needs 'after_step'"));
  // choices: too few, translations of a different length
  CHECK(has(error_of(kWorld + "\n[[question]]\nafter_step = 1\nkind = \"choice\"\ntext = \"?\"\n"
                              "choices = [\"a\"]\nanswer = 0\n"),
            "at least two options"));
  q = kChoice;
  q.replace(q.find("choices.pt = [\"25\", \"587\"]"), 26, "choices.pt = [\"25\"]");
  CHECK(has(error_of(kWorld + q), "choices.pt has 1 options but choices.en has 2"));
}

TEST_CASE("predict question errors") {
  std::string q = kPredict;
  CHECK(has(error_of(kWorld + q + "answer = 0\n"), "a predict question has no 'answer'"));
  q.replace(q.find("command = "), 33, "");
  CHECK(has(error_of(kWorld + q), "a predict question needs 'command'"));
  q = kPredict;
  q.replace(q.find("mx.x.example->"), 14, "mx.z.example->");
  CHECK(has(error_of(kWorld + q), "unknown host 'mx.z.example' in 'connection'"));
  q = kPredict;
  q.replace(q.find("->"), 2, "=>");
  CHECK(has(error_of(kWorld + q), "'connection' is \"client->server\""));
  q = kPredict;
  q.replace(q.find("\"550\""), 5, "\"oops\"");
  CHECK(has(error_of(kWorld + q), "'oops' is not a reply code"));
  CHECK(has(error_of(kWorld + kChoice + "command = \"DATA\"\n"),
            "'command' is only for kind = \"predict\" questions"));
}

TEST_CASE("expectation errors") {
  auto err = [&](const std::string& body) { return error_of(kWorld + "\n[[expect]]\n" + body); };
  CHECK(has(err("host = \"tab\"\n"), "an [[expect]] needs something to check"));
  CHECK(has(err("count = 1\n"), "which mailbox?"));
  CHECK(has(err("mailbox = \"z@y.example\"\ncount = 1\n"), "no [[account]] has the address"));
  CHECK(has(err("host = \"ns\"\nreply = \"250\"\n"), "'ns' is a dns host"));
  CHECK(has(err("host = \"tab\"\nmailbox = \"a@x.example\"\ncount = 1\n"),
            "device 'tab' reads b@y.example, not a@x.example"));
  CHECK(has(err("host = \"mx.x.example\"\nmailbox = \"b@y.example\"\ncount = 1\n"),
            "does not keep mail for y.example"));
  CHECK(has(err("host = \"tab\"\nseen = true\ncount = 1\n"), "'seen' is about one message"));
  CHECK(has(err("queue = \"lost\"\n"), "unknown queue event 'lost'"));
  CHECK(has(err("after_step = 5\nreply = \"250\"\n"), "after_step = 5, but the lesson has 4"));
  CHECK(has(err("overheard = \"pw\"\n"), "'overheard' needs a tapped link"));
  CHECK(has(err("reply = \"250\"\nwhatever = 1\n"), "unknown key 'whatever' in [[expect]]"));
  auto L = parse_lesson(kWorld +
                            "\n[[expect]]\nafter_step = 3\nhost = \"tab\"\n"
                            "subject = \"Hi\"\nseen = false\n",
                        "ok.toml");
  REQUIRE(L.expects.size() == 1);
  CHECK(L.expects[0].after_step == 3);
  CHECK(L.expects[0].folder == "INBOX");
  CHECK(L.expects[0].seen == false);
}

TEST_CASE("eavesdrop names a link of the lesson; [[mx]] none = true") {
  std::string text = kWorld;
  text.insert(text.find("\n\n[[host]]"), "\neavesdrop = \"net<->pc\"");
  auto L = parse_lesson(text, "ok.toml");
  CHECK(L.eavesdrop == "pc<->net");  // written as the [[link]] is
  std::string bad = kWorld;
  bad.insert(bad.find("\n\n[[host]]"), "\neavesdrop = \"pc<->ns\"");
  CHECK(has(error_of(bad), "'eavesdrop': no [[link]] joins 'pc' and 'ns'"));
  auto M = parse_lesson(kWorld + "\n[[mx]]\ndomain = \"y.example\"\nnone = true\n", "ok.toml");
  REQUIRE(M.mx.size() == 1);
  CHECK(M.mx[0].none);
  CHECK(has(error_of(kWorld + "\n[[mx]]\ndomain = \"y.example\"\nnone = true\nexchange = \"a\"\n"),
            "with none = true has no 'exchange'"));
  CHECK(has(error_of(kWorld + "\n[[mx]]\ndomain = \"y.example\"\n"), "needs 'exchange'"));
}

TEST_CASE("texts without Portuguese are listed for --strict") {
  auto L = parse_lesson(kWorld +
                            "\n[[question]]\nafter_step = 1\nkind = \"choice\"\n"
                            "text = \"English only\"\nchoices = [\"a\", \"b\"]\nanswer = 0\n",
                        "ok.toml");
  REQUIRE(L.missing_pt.size() == 2);
  CHECK(L.missing_pt[0].key == "text");
  CHECK(L.missing_pt[1].key == "choices");
  CHECK(L.missing_pt[0].pos.line == lines_of(kWorld) + 5);
  CHECK(L.questions[0].text.get("pt") == "English only");  // falls back to English
  auto strict = sim::check_lesson(L, {true});
  CHECK_FALSE(strict.ok());
  CHECK(has(strict.failures.at(0), "'text' has no Portuguese text"));
  auto lenient = sim::check_lesson(L, {false});
  CHECK(lenient.ok());
  CHECK(lenient.warnings.size() == 2);
}

TEST_CASE("check: predict answers come from the run, expectations are evaluated after steps") {
  auto L = parse_lesson(kWorld + kPredict + R"(
[[question]]
after_step = 0
kind = "predict"
text = "?"
command = "DATA"
connection = "pc->mx.x.example"

[[expect]]
after_step = 1
mailbox = "b@y.example"
count = 1

[[expect]]
after_step = 2
mailbox = "b@y.example"
subject = "Hi"
seen = false

[[expect]]
mailbox = "b@y.example"
subject = "Hi"
seen = true

[[expect]]
host = "tab"
subject = "Hi"
seen = true

[[expect]]
reply = "354"

[[expect]]
queue = "sent"
host = "mx.x.example"
)",
                        "ok.toml");
  auto r = sim::check_lesson(L);
  for (const auto& f : r.failures) MESSAGE(f);
  CHECK(r.ok());
  REQUIRE(r.predicts.size() == 2);
  CHECK(r.predicts[0].found);
  CHECK(r.predicts[0].code == "250");
  REQUIRE_FALSE(r.predicts[0].reply_lines.empty());
  CHECK(r.predicts[0].reply_lines[0].rfind("250 ", 0) == 0);
  CHECK(r.predicts[1].code == "354");  // pipelined MAIL, RCPT, DATA: replies in order
}

TEST_CASE("check: failures name the file, line and what was found") {
  const auto base = lines_of(kWorld);
  auto L = parse_lesson(kWorld + R"(
[[question]]
after_step = 2
kind = "predict"
text = "?"
command = "RCPT TO:<b@y.example>"

[[question]]
after_step = 0
kind = "predict"
text = "?"
command = "RCPT TO:<nobody@y.example>"

[[question]]
after_step = 0
kind = "predict"
text = "?"
command = "RCPT TO:<b@y.example>"
choices = ["550"]

[[expect]]
mailbox = "b@y.example"
count = 2

[[expect]]
after_step = 4
host = "tab"
subject = "Hi"
seen = false

[[expect]]
reply = "421"
)",
                        "ok.toml");
  auto r = sim::check_lesson(L);
  CHECK_FALSE(r.ok());
  REQUIRE(r.failures.size() == 6);
  auto all = [&] {
    std::string s;
    for (const auto& f : r.failures) s += f + "\n";
    return s;
  }();
  MESSAGE(all);
  // the question comes after the command was sent
  CHECK(has(all, "ok.toml:" + std::to_string(base + 6) +
                     ":11: 'RCPT TO:<b@y.example>' is sent "
                     "during step 1, before the question is asked (after_step = 2); use "
                     "after_step = 0 or earlier"));
  CHECK(has(all, "no client sends 'RCPT TO:<nobody@y.example>'"));
  CHECK(has(all, "the server really answers 250, which is not among the choices"));
  CHECK(has(all,
            "expected 2 message(s) in b@y.example INBOX on mx.y.example at the end, found 1 "
            "(\"Hi\")"));
  CHECK(has(all, "expected \"Hi\" in INBOX on tab to be unread after step 4, but it is read"));
  CHECK(has(all, "expected a server to reply 421 at the end, none did"));
}

TEST_CASE("reply codes of SMTP, POP3 and IMAP lines") {
  sim::LineEv l;
  l.from_client = false;
  l.proto = sim::Proto::Smtp;
  l.text = "250-PIPELINING";
  CHECK(sim::reply_code(l) == "250");
  l.proto = sim::Proto::Pop3;
  l.text = "-ERR [AUTH] no";
  CHECK(sim::reply_code(l) == "-ERR");
  l.proto = sim::Proto::Imap;
  l.text = "A4 NO [NONEXISTENT] no such folder";
  CHECK(sim::reply_code(l) == "NO");
  l.text = "* 3 EXISTS";
  CHECK(sim::reply_code(l).empty());
  l.from_client = true;
  l.text = "A4 OK";
  CHECK(sim::reply_code(l).empty());
}

// The Message anatomy and Compare views' models over the pop3-vs-imap lesson's real trace.
#include <doctest/doctest.h>

#include <algorithm>

#include "gui/compare_model.hpp"
#include "gui/i18n.hpp"
#include "gui/message_anatomy.hpp"
#include "gui/scene.hpp"
#include "sim/world.hpp"

using namespace mailsim;

namespace {

struct Run {
  sim::World world{
      sim::load_lesson(std::string(MAILSIM_SOURCE_DIR) + "/lessons/pop3-vs-imap.toml")};
  Scene scene;
  Run() {
    REQUIRE(world.run());
    scene = build_scene(world.lesson(), world.trace());
  }
  const sim::LineEv& line(std::size_t i) const { return std::get<sim::LineEv>(scene.event(i).p); }
  // Trace index of the first protocol line on a connection of `proto` whose text contains `s`.
  std::size_t find_line(sim::Proto proto, const std::string& s, std::size_t from = 0) const {
    for (std::size_t i : scene.lines)
      if (i >= from && line(i).proto == proto && line(i).text.find(s) != std::string::npos)
        return i;
    FAIL("no line with " << s);
    return 0;
  }
};

bool contains(const std::vector<std::string>& v, const std::string& s) {
  return std::any_of(v.begin(), v.end(),
                     [&](const std::string& x) { return x.find(s) != std::string::npos; });
}

}  // namespace

TEST_CASE("anatomy: an SMTP DATA transfer, its envelope and its lines") {
  Run r;
  // The first relay (sender's server -> recipient's MX) carries one Received: hop.
  const std::size_t data = r.find_line(sim::Proto::Smtp, "Received: from laptop");
  auto m = message_at(r.scene, data);
  REQUIRE(m);
  CHECK(m->proto == sim::Proto::Smtp);
  CHECK(m->command_text == "DATA");
  REQUIRE(m->envelope.size() == 2);
  CHECK(m->envelope[0].first.rfind("MAIL FROM:<ana@sender.example>", 0) == 0);
  CHECK(m->envelope[1].first == "RCPT TO:<bruno@recipient.example>");
  CHECK(m->text.find("\r\n.\r\n") == std::string::npos);  // the final dot is not the message
  CHECK(m->text.substr(m->text.size() - 5) == "Ana\r\n");
  CHECK(m->lines.front() == data);
  // Every line of the text is one data line of the trace.
  CHECK(static_cast<std::size_t>(std::count(m->text.begin(), m->text.end(), '\n')) ==
        m->lines.size());
  Anatomy a = dissect(*m);
  CHECK(a.get("subject") == "Lunch on Friday?");
  REQUIRE(a.hops.size() == 1);
  CHECK(a.hops[0].from.rfind("laptop.sender.example", 0) == 0);
  CHECK(a.hops[0].by == "smtp.sender.example");
  CHECK(a.hops[0].with.rfind("ESMTP", 0) == 0);  // ESMTPA, or ESMTPSA over TLS
  CHECK(a.hops[0].id == "S0001");
  CHECK(a.hops[0].for_addr == "<bruno@recipient.example>");
  CHECK(a.hops[0].date == "Thu, 26 Nov 2026 09:00:00 +0000");
  // The folded Received: field starts on the first data line; Subject on its own line.
  CHECK(m->lines[a.fields[0].line] == data);
  auto subject = std::find_if(a.fields.begin(), a.fields.end(),
                              [](const HeaderLine& f) { return f.name == "Subject"; });
  REQUIRE(subject != a.fields.end());
  CHECK(r.line(m->lines[subject->line]).text == "Subject: Lunch on Friday?");
  REQUIRE(a.parts.size() == 1);
  CHECK(a.parts[0].type == "text");
  CHECK(a.parts[0].encoding == "7bit");
  CHECK(a.parts[0].preview.rfind("Hi Bruno, Shall we have lunch", 0) == 0);
}

TEST_CASE("anatomy: an IMAP FETCH BODY[] literal, oldest hop first, and a MIME tree") {
  Run r;
  const std::size_t fetch = r.find_line(sim::Proto::Imap, "BODY[] {");
  auto m = message_at(r.scene, fetch);
  REQUIRE(m);
  CHECK(m->proto == sim::Proto::Imap);
  // The literal's octet count, "{724}" at the end of the FETCH line.
  const std::string& cmd = m->command_text;
  const auto open = cmd.rfind('{');
  REQUIRE(open != std::string::npos);
  CHECK(m->text.size() == std::stoul(cmd.substr(open + 1)));
  CHECK(m->text.substr(m->text.size() - 5) == "Ana\r\n");
  Anatomy a = dissect(*m);
  REQUIRE(a.hops.size() == 2);
  CHECK(a.hops[0].by == "smtp.sender.example");   // oldest: the submission server
  CHECK(a.hops[1].by == "mx.recipient.example");  // newest: the recipient's MX
  CHECK(a.get("Return-Path") == "<ana@sender.example>");

  // The invoice (multipart/mixed with a base64 attachment), as sent over SMTP.
  const std::size_t inv = r.find_line(sim::Proto::Smtp, "Subject: Invoice 2026-11");
  auto inv_m = message_at(r.scene, inv);
  REQUIRE(inv_m);
  Anatomy b = dissect(*inv_m);
  REQUIRE(b.parts.size() == 3);
  CHECK(b.parts[0].type == "multipart");
  CHECK(b.parts[0].subtype == "mixed");
  CHECK(b.parts[2].path == "2");
  CHECK(b.parts[2].encoding == "base64");
  CHECK(b.parts[2].disposition.find("attachment") != std::string::npos);
  CHECK(b.parts[2].preview.rfind("INVOICE 2026-11 Design work", 0) == 0);
}

TEST_CASE("anatomy: the cursor on a line that carries no message shows the last one passed") {
  Run r;
  const std::size_t fetch = r.find_line(sim::Proto::Imap, "BODY[] {");
  const std::size_t after = r.find_line(sim::Proto::Imap, "OK UID FETCH completed", fetch);
  // The tagged OK after the literal belongs to the same connection: its message.
  auto own = message_at(r.scene, after);
  REQUIRE(own);
  CHECK(own->lines.front() > fetch);
  // A later line of another connection (no message of its own) falls back to the last one
  // the cursor has passed; a selected line insists on its own connection.
  const std::size_t later = r.find_line(sim::Proto::Imap, "LOGOUT", after);
  if (!message_at(r.scene, later)) {
    auto near = message_near(r.scene, later, later + 1);
    REQUIRE(near);
    CHECK(near->lines.front() < later);
  }
  // Before its DATA, the first connection's greeting shows the message it will carry (the
  // view says the cursor has not reached it yet).
  auto ahead = message_near(r.scene, r.scene.lines.front(), r.scene.lines.front() + 1);
  REQUIRE(ahead);
  CHECK(ahead->lines.front() > r.scene.lines.front());
}

TEST_CASE("anatomy: decoding and Received parsing") {
  CHECK(decode_body("caf=C3=A9 =\r\nna", "quoted-printable") == "caf\xC3\xA9 na");
  CHECK(decode_body("SGVs\r\nbG8=\r\n", "base64") == "Hello");
  CHECK(decode_body("as is", "7bit") == "as is");
  auto h = parse_received(
      "from a.example (a.example [10.0.0.1]) by b.example with ESMTP id 7; "
      "Thu, 26 Nov 2026 09:00:00 +0000");
  CHECK(h.from == "a.example (a.example [10.0.0.1])");
  CHECK(h.by == "b.example");
  CHECK(h.id == "7");
  CHECK(h.date == "Thu, 26 Nov 2026 09:00:00 +0000");
}

TEST_CASE("compare: the cursor's step and the differences between the protocols") {
  Run r;
  set_language("en");
  CHECK(lesson_checks_mail(r.world.lesson()));
  CHECK(step_at(r.scene, 0) == 0);
  CHECK(step_at(r.scene, r.world.trace().size()) == r.world.lesson().steps.size());
  auto cmp = sim::run_compare(r.world.lesson(), "en");
  REQUIRE(cmp.runs.size() == 3);
  // Step 1: one message on the way; nothing differs yet.
  auto first = compare_differences(cmp, 0);
  CHECK(contains(first, "No differences"));
  // At the end, POP3 (delete) has emptied the server while IMAP keeps the messages.
  const std::size_t last = cmp.runs[0].size() - 1;
  auto end = compare_differences(cmp, last);
  CHECK(contains(end, "POP3 (delete): the server is empty"));
  CHECK(contains(end, "IMAP: the server still has"));
  CHECK(message_count(cmp.runs[2][last].places[0]) > 0);
  CHECK(message_count(cmp.runs[0][last].places[0]) == 0);
  set_language("pt");
  CHECK(contains(compare_differences(cmp, last), "o servidor está vazio"));
  CHECK(variant_label(1) == "POP3 (deixar uma cópia)");
  set_language("en");
}

// What a device's mail app writes: plain text, HTML alternative, attachments (MIME).
#include <doctest/doctest.h>

#include "net/base64.hpp"
#include "net/imap/envelope.hpp"
#include "net/message/message.hpp"
#include "sim/compose.hpp"

namespace {

sim::Draft draft() {
  sim::Draft d;
  d.from = "ana@sender.example";
  d.to = {"bruno@recipient.example", "carla@recipient.example"};
  d.subject = "Invoice";
  d.date = "Thu, 26 Nov 2026 09:00:00 +0000";
  d.message_id = "<1.7@laptop.sender.example>";
  d.text = "Hi,\nthe invoice.\n";
  return d;
}

}  // namespace

TEST_CASE("compose: plain text, 7bit, CRLF") {
  std::string m = sim::compose_message(draft());
  auto msg = net::message::Message::parse(m);
  CHECK(msg.get("To") == "bruno@recipient.example, carla@recipient.example");
  CHECK(msg.get("Content-Type") == "text/plain; charset=us-ascii");
  CHECK(msg.get("Content-Transfer-Encoding") == "7bit");
  CHECK(msg.body == "Hi,\r\nthe invoice.\r\n");
  CHECK(m.find('\n') == m.find("\r\n") + 1);  // no bare LF anywhere
  for (std::size_t i = 0; i < m.size(); ++i)
    if (m[i] == '\n') CHECK(m[i - 1] == '\r');
}

TEST_CASE("compose: UTF-8 text is 8bit with charset utf-8") {
  auto d = draft();
  d.text = "Olá, a fatura está em anexo.\n";
  auto msg = net::message::Message::parse(sim::compose_message(d));
  CHECK(msg.get("Content-Type") == "text/plain; charset=utf-8");
  CHECK(msg.get("Content-Transfer-Encoding") == "8bit");
}

TEST_CASE("compose: HTML alternative and an attachment make a MIME tree IMAP can describe") {
  auto d = draft();
  d.html = "<p>Hi,<br>the <b>invoice</b>.</p>";
  d.attachments = {{"invoice.txt", "text/plain", "Design work: 120 EUR\n"},
                   {"logo.png", "image/png", std::string("\x89PNG\r\n\x1a\n\0\0", 10)}};
  std::string m = sim::compose_message(d);
  auto root = net::imap::parse_mime(m);
  CHECK(root.type == "MULTIPART");
  CHECK(root.subtype == "MIXED");
  REQUIRE(root.parts.size() == 3);
  CHECK(root.parts[0].subtype == "ALTERNATIVE");
  REQUIRE(root.parts[0].parts.size() == 2);
  CHECK(root.parts[0].parts[0].subtype == "PLAIN");
  CHECK(root.parts[0].parts[1].subtype == "HTML");
  CHECK(root.parts[2].type == "IMAGE");
  // The attachment's bytes come back exactly from its base64 body.
  std::string b64;
  for (char c : root.parts[2].body)
    if (c != '\r' && c != '\n') b64 += c;
  auto decoded = net::base64_decode(b64);
  REQUIRE(decoded);
  CHECK(*decoded == d.attachments[1].content);
  for (std::size_t start = 0, end; (end = m.find("\r\n", start)) != std::string::npos;
       start = end + 2)
    CHECK(end - start <= 998);  // RFC 5322 §2.1.1
  std::string bs = net::imap::body_structure(m, true);
  CHECK(bs.find("\"ALTERNATIVE\"") != std::string::npos);
  CHECK(bs.find("(\"attachment\" (\"FILENAME\" \"invoice.txt\"))") != std::string::npos);
}

TEST_CASE("compose: only an attachment gives multipart/mixed with the text first") {
  auto d = draft();
  d.attachments = {{"a.txt", "text/plain", "x"}};
  auto root = net::imap::parse_mime(sim::compose_message(d));
  CHECK(root.subtype == "MIXED");
  REQUIRE(root.parts.size() == 2);
  CHECK(root.parts[0].subtype == "PLAIN");
}

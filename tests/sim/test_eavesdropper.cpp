// The eavesdropper's view of a link: everything in plaintext, only SNI and sizes with TLS.
#include <doctest/doctest.h>

#include <algorithm>

#include "sim/eavesdropper.hpp"
#include "sim/lesson.hpp"
#include "sim/world.hpp"

namespace {

const char* kLink = "laptop.sender.example<->smtp.sender.example";

sim::Lesson basics() {
  return sim::load_lesson(std::string(MAILSIM_SOURCE_DIR) + "/lessons/smtp-basics.toml");
}

const sim::Overheard* on_port(const std::vector<sim::Overheard>& v, std::uint16_t port) {
  for (const auto& o : v)
    if (o.server_port == port) return &o;
  return nullptr;
}

bool any_contains(const std::vector<std::string>& v, const std::string& part) {
  return std::any_of(v.begin(), v.end(),
                     [&](const std::string& s) { return s.find(part) != std::string::npos; });
}

}  // namespace

TEST_CASE("with STARTTLS the tap reads the greeting and EHLO, then only the server name") {
  sim::World w(basics());
  REQUIRE(w.run());
  auto seen = sim::eavesdrop(w.trace(), kLink);
  const auto* smtp = on_port(seen, 587);
  REQUIRE(smtp);
  CHECK(smtp->tls);
  CHECK(smtp->starttls);
  CHECK(smtp->sni == "smtp.sender.example");
  CHECK(smtp->credentials.empty());
  CHECK(smtp->subjects.empty());
  CHECK(any_contains(smtp->lines, "C: EHLO laptop.sender.example"));
  CHECK(any_contains(smtp->lines, "C: STARTTLS"));
  CHECK_FALSE(any_contains(smtp->lines, "MAIL FROM"));
  CHECK(smtp->tls_bytes > 1000);
  CHECK(sim::eavesdrop(w.trace(), "no<->such").empty());
}

TEST_CASE("without TLS the tap reads the password and the message") {
  sim::World w(sim::without_tls(basics()));
  w.trace().set_reveal_secrets(true);  // what the tap reads, unmasked: the point of the lesson
  REQUIRE(w.run());
  auto seen = sim::eavesdrop(w.trace(), kLink);
  const auto* smtp = on_port(seen, 587);
  REQUIRE(smtp);
  CHECK_FALSE(smtp->tls);
  CHECK(any_contains(smtp->credentials, "AUTH PLAIN: user ana, password ana-secret"));
  CHECK(any_contains(smtp->subjects, "Lunch on Friday?"));
  CHECK(any_contains(smtp->lines, "C: Shall we have lunch on Friday at noon?"));
}

TEST_CASE("masked traces say that a password crossed, without showing it") {
  sim::World w(sim::without_tls(basics()));
  REQUIRE(w.run());
  const auto seen = sim::eavesdrop(w.trace(), kLink);
  const auto* smtp = on_port(seen, 587);
  REQUIRE(smtp);
  CHECK(any_contains(smtp->credentials, "masked in this trace"));
  CHECK_FALSE(any_contains(smtp->credentials, "ana-secret"));
}

TEST_CASE("client_hello_sni survives truncated and garbage records") {
  sim::World w(basics());
  REQUIRE(w.run());
  // The real ClientHello from the trace: the first TLS record the laptop sent.
  std::string hello;
  for (const auto& e : w.trace().events())
    if (const auto* s = std::get_if<sim::SegmentEv>(&e.p))
      if (s->link == kLink && s->dport == 587 && !s->payload.empty() && s->payload[0] == 22) {
        hello = s->payload;
        break;
      }
  REQUIRE(!hello.empty());
  CHECK(sim::client_hello_sni(hello) == "smtp.sender.example");
  for (std::size_t n = 0; n < hello.size(); ++n) {
    std::string cut = hello.substr(0, n);
    std::string sni = sim::client_hello_sni(cut);
    CHECK((sni.empty() || sni == "smtp.sender.example"));
  }
  std::string junk(300, '\xff');
  junk[0] = 22;
  junk[5] = 1;
  CHECK(sim::client_hello_sni(junk).empty());
}

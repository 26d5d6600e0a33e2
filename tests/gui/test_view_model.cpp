// The view model behind the window: layout and time travel over a real lesson's trace.
#include <doctest/doctest.h>

#include "gui/scene.hpp"
#include "gui/timeline.hpp"
#include "sim/world.hpp"

using namespace mailsim;

namespace {

struct Fixture {
  sim::World world{sim::load_lesson(std::string(MAILSIM_SOURCE_DIR) + "/lessons/smtp-basics.toml")};
  Scene scene;
  Fixture() {
    REQUIRE(world.run());
    scene = build_scene(world.lesson(), world.trace());
  }
};

// What every view shows is a function of (cursor, upto): compare those.
std::pair<sim::Time, std::size_t> at(const ViewState& v) {
  return {v.cursor, v.upto};
}

}  // namespace

TEST_CASE("layout: mail flows left to right, DNS above the path, all inside the canvas") {
  Fixture f;
  const auto& s = f.scene;
  auto x = [&](const char* n) { return s.hosts[static_cast<std::size_t>(s.host_index(n))].x; };
  auto y = [&](const char* n) { return s.hosts[static_cast<std::size_t>(s.host_index(n))].y; };
  CHECK(x("laptop.sender.example") < x("smtp.sender.example"));
  CHECK(x("smtp.sender.example") < x("internet"));
  CHECK(x("internet") < x("mx.recipient.example"));
  CHECK(x("ns.example") == doctest::Approx(x("internet")));
  CHECK(y("ns.example") < y("internet"));
  for (const auto& h : s.hosts) {
    CHECK(h.x >= 0.0f);
    CHECK(h.x <= 1.0f);
    CHECK(h.y >= 0.0f);
    CHECK(h.y <= 1.0f);
  }
  CHECK(s.links.size() == 4);
  CHECK(s.lines.size() > 40);
}

TEST_CASE("stepping walks every protocol line once, in order, and back again exactly") {
  Fixture f;
  const auto& s = f.scene;
  ViewState v;
  std::vector<std::pair<sim::Time, std::size_t>> forward;
  for (std::size_t n = 1; n <= s.lines.size(); ++n) {
    step_forward(v, s);
    CHECK(lines_done(v, s) == n);
    CHECK(v.upto == s.lines[n - 1] + 1);
    forward.push_back(at(v));
  }
  for (std::size_t n = s.lines.size(); n > 1; --n) {
    step_back(v, s);
    CHECK(at(v) == forward[n - 2]);
  }
  step_back(v, s);
  CHECK(at(v) == std::make_pair(sim::Time{0}, std::size_t{0}));
}

TEST_CASE("seek by time includes every event of that instant; by line stops after the line") {
  Fixture f;
  const auto& s = f.scene;
  ViewState v;
  // The EHLO reply's lines share one instant: seeking that time passes all of them.
  sim::Time t = 0;
  for (auto i : s.lines)
    if (std::get<sim::LineEv>(s.event(i).p).text.rfind("250 ENHANCEDSTATUSCODES", 0) == 0) {
      t = s.event(i).t;
      break;
    }
  REQUIRE(t > 0);
  seek_time(v, s, t);
  for (std::size_t i = 0; i < s.trace->size(); ++i) CHECK((i < v.upto) == (s.event(i).t <= t));
  seek_line(v, s, 3);
  CHECK(lines_done(v, s) == 3);
  seek_line(v, s, 100000);  // past the end clamps to the last line
  CHECK(lines_done(v, s) == s.lines.size());
  seek_time(v, s, -5);  // clamps to the start, where the events of instant 0 have happened
  CHECK(v.cursor == 0);
  std::size_t at_zero = 0;
  while (at_zero < s.trace->size() && s.event(at_zero).t == 0) ++at_zero;
  CHECK(v.upto == at_zero);
}

TEST_CASE("playing advances with real time at the chosen speed and stops at the end") {
  Fixture f;
  const auto& s = f.scene;
  ViewState v;
  // Answered questions do not stop the playback (test_quiz.cpp checks the stops).
  for (std::size_t q = 0; q < s.lesson->questions.size(); ++q) v.answers[q] = 0;
  v.speed = 0.01;  // 10 simulated ms per real second
  v.playing = true;
  advance(v, s, 1.0);
  CHECK(v.cursor == 10 * sim::kMillisecond);
  advance(v, s, 1000.0);
  CHECK(v.cursor == s.end);
  CHECK_FALSE(v.playing);
  CHECK(v.upto == s.trace->size());
  ViewState paused;
  advance(paused, s, 5.0);
  CHECK(paused.cursor == 0);
}

TEST_CASE("segment labels name the first line carried or the TCP flags") {
  sim::SegmentEv seg;
  seg.sport = 49152;
  seg.dport = 587;
  seg.flags = sim::tcpflag::SYN;
  CHECK(std::string(segment_protocol(seg)) == "SMTP");
  CHECK(segment_label(seg).find("SYN") != std::string::npos);
  seg.payload = "MAIL FROM:<ana@sender.example> SIZE=505\r\nRCPT TO:<b@c>\r\n";
  CHECK(segment_label(seg, 20) == "MAIL FROM:<ana@se...");  // 20 characters
  seg.udp = true;
  seg.sport = 53;
  CHECK(std::string(segment_protocol(seg)) == "DNS");
  CHECK(segment_label(seg) == "DNS answer");
}

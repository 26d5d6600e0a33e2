#include <doctest/doctest.h>

#include "sim/trace.hpp"

using namespace sim;

TEST_CASE("trace appends with increasing seq and notifies listeners") {
  Trace tr;
  std::vector<std::uint64_t> seen;
  tr.on_append([&](const Event& e) { seen.push_back(e.seq); });
  tr.append(5, NoteEv{"h", "info", "one"});
  const Event& e = tr.append(7, NoteEv{"h", "info", "two"});
  CHECK(e.t == 7);
  CHECK(e.seq == 1);
  CHECK(tr.size() == 2);
  CHECK(seen == std::vector<std::uint64_t>{0, 1});
}

TEST_CASE("a listener may append to the trace") {
  Trace tr;
  tr.on_append([&](const Event& e) {
    if (std::get_if<NoteEv>(&e.p) && std::get<NoteEv>(e.p).kind == "step")
      tr.append(e.t, NoteEv{"h", "info", "echo"});
  });
  for (int i = 0; i < 50; ++i) tr.append(i, NoteEv{"h", "step", "s"});
  CHECK(tr.size() == 100);
}

TEST_CASE("secrets are scrubbed with equal-length masks") {
  Trace tr;
  tr.append(0,
            LineEv{1, Proto::Smtp, "a", "b", true, false, "AUTH PLAIN c2VjcmV0", "AUTH", "", ""});
  tr.add_secret("c2VjcmV0");
  tr.add_secret("");  // ignored
  SegmentEv seg;
  seg.payload = "AUTH PLAIN c2VjcmV0\r\nc2VjcmV0";
  tr.append(1, seg);
  tr.append(2,
            LineEv{1, Proto::Smtp, "a", "b", true, false, "AUTH PLAIN c2VjcmV0", "AUTH", "", ""});
  tr.append(3, NoteEv{"a", "info", "password c2VjcmV0"});
  // Before registration: untouched (only later occurrences are scrubbed).
  CHECK(std::get<LineEv>(tr.events()[0].p).text == "AUTH PLAIN c2VjcmV0");
  CHECK(std::get<SegmentEv>(tr.events()[1].p).payload == "AUTH PLAIN ********\r\n********");
  CHECK(std::get<LineEv>(tr.events()[2].p).text == "AUTH PLAIN ********");
  CHECK(std::get<NoteEv>(tr.events()[3].p).text == "password ********");

  tr.set_reveal_secrets(true);
  tr.append(4, NoteEv{"a", "info", "password c2VjcmV0"});
  CHECK(std::get<NoteEv>(tr.events()[4].p).text == "password c2VjcmV0");
}

TEST_CASE("overlapping secrets: the longer one is masked whole") {
  Trace tr;
  tr.add_secret("pass");
  tr.add_secret("password1");
  tr.append(0, NoteEv{"a", "info", "x password1 pass"});
  CHECK(std::get<NoteEv>(tr.events()[0].p).text == "x ********* ****");
}

TEST_CASE("append_masked scans a segment again only when a secret came since its epoch") {
  Trace tr;
  tr.add_secret("s3cret");
  const std::size_t epoch = tr.mask_epoch();
  CHECK(epoch != Trace::kNoEpoch);
  SegmentEv seg;
  seg.payload = "x s3cret";  // as if the producer had left it: its check is trusted
  tr.append_masked(0, SegmentEv(seg), epoch);
  CHECK(std::get<SegmentEv>(tr.events()[0].p).payload == "x s3cret");
  tr.append_masked(1, SegmentEv(seg), Trace::kNoEpoch);  // never checked
  CHECK(std::get<SegmentEv>(tr.events()[1].p).payload == "x ******");
  tr.add_secret("other");  // a new secret: the old check is stale
  CHECK(tr.mask_epoch() != epoch);
  tr.append_masked(2, SegmentEv(seg), epoch);
  CHECK(std::get<SegmentEv>(tr.events()[2].p).payload == "x ******");
  int told = 0;
  tr.on_append([&](const Event&) { ++told; });
  tr.append_masked(3, SegmentEv(seg), tr.mask_epoch());
  CHECK(told == 1);             // listeners hear of it either way
  tr.set_reveal_secrets(true);  // revealing: nothing is masked, so no check counts later
  CHECK(tr.mask_epoch() == Trace::kNoEpoch);
}

TEST_CASE("proto names and flags") {
  CHECK(std::string(to_string(Proto::Smtp)) == "SMTP");
  CHECK(proto_from_string("imap") == Proto::Imap);
  CHECK(proto_from_string("POP3") == Proto::Pop3);
  CHECK_FALSE(proto_from_string("http").has_value());
  CHECK(flags_to_string(tcpflag::SYN | tcpflag::ACK) == "SYN|ACK");
  CHECK(flags_to_string(tcpflag::PSH | tcpflag::ACK) == "PSH|ACK");
  CHECK(flags_to_string(0) == "");
}

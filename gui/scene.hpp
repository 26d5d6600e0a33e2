// What the views draw, prepared once from a lesson and its trace: host positions, links and
// indices into the trace. Views read the trace through this; they never touch an engine.
#pragma once

#include <cstddef>
#include <map>
#include <string>
#include <vector>

#include "gui/quiz.hpp"
#include "sim/lesson.hpp"
#include "sim/trace.hpp"

namespace mailsim {

struct SceneHost {
  std::string name, label, role, ip;
  float x = 0, y = 0;  // position in [0,1] x [0,1] of the network canvas
};

struct SceneLink {
  std::string id;
  int a = 0, b = 0;  // host indices
};

struct Scene {
  const sim::Lesson* lesson = nullptr;
  const sim::Trace* trace = nullptr;
  std::vector<SceneHost> hosts;
  std::vector<SceneLink> links;
  std::vector<std::size_t> lines;     // trace indices of protocol lines (LineEv)
  std::vector<std::size_t> segments;  // trace indices of segments (SegmentEv)
  std::vector<std::size_t> notes;     // trace indices of notes (NoteEv: steps, links)
  std::vector<std::size_t> changes;   // trace indices of mailbox and queue changes
  sim::Time end = 0;                  // time of the last event
  sim::Time max_flight = 0;           // longest time a segment spends on one link
  // TLS, worked out once: per segment (parallel to `segments`) "" when it travels in plain
  // text, else what it carries ("ClientHello", "ServerHello +5", or "TLS" for ciphertext);
  // per connection the trace indices of its TlsEv events, in order.
  std::vector<std::string> segment_tls;
  std::map<std::uint32_t, std::vector<std::size_t>> tls_events;
  Quiz quiz;  // the lesson's questions and pause points on this trace

  int host_index(const std::string& name) const;
  const sim::Event& event(std::size_t i) const { return trace->events()[i]; }
  // The indices in `list` (ascending) of events the cursor has passed (index < upto).
  static std::size_t passed(const std::vector<std::size_t>& list, std::size_t upto);
};

// "established TLSv1.3 TLS_AES_256_GCM_SHA384" -> {"TLSv1.3", "TLS_AES_256_GCM_SHA384"};
// false for any other TlsEv text.
bool tls_established(const std::string& what, std::string& version, std::string& cipher);
// The payload starts with a TLS record header (content type 20..23, major version 3).
bool looks_like_tls_record(const std::string& payload);

// Lays the hosts out in columns by their distance (in links) from the first device, so mail
// flows left to right: device, its server, the Internet, the recipient's server.
Scene build_scene(const sim::Lesson& lesson, const sim::Trace& trace);

// Protocol of a segment from its ports (for colours and labels).
const char* segment_protocol(const sim::SegmentEv& s);
// A short label for a segment: the first protocol line it carries, or its TCP flags.
std::string segment_label(const sim::SegmentEv& s, std::size_t max_chars = 34);

}  // namespace mailsim

// Shared by the fuzz targets in this folder (tests/fuzz/fuzz_<name>.cpp).
//
// A server engine must answer the same bytes however the input is split into reads, so
// each server target runs two sessions on the same input: one fed in one piece, one fed in
// small chunks of varying size, and aborts when their output differs. Both sessions are
// driven like the socket driver does: a held login reply (penalty_ms() > 0) is released
// at once with end_penalty() (no clock here), then the connection ends.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

namespace fuzz {

inline std::string_view as_text(const std::uint8_t* data, std::size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

// Feeds `input` to the engine whole (chunked=false) or in chunks of 1, 2, ... 7 octets
// (chunked=true); returns everything it wrote, including the greeting and the end.
template <class Engine>
std::string drive(Engine& e, std::string_view input, bool chunked) {
  std::string out;
  auto pump = [&] {
    if constexpr (requires { e.penalty_ms(); }) {
      while (e.penalty_ms() > 0) e.end_penalty();
    }
    out += e.take_output();
    e.take_events();
  };
  e.on_connect("192.0.2.7", "client.example");
  pump();
  std::size_t pos = 0, step = 0;
  while (pos < input.size() && !e.wants_close()) {
    std::size_t n = chunked ? std::min(input.size() - pos, step++ % 7 + 1) : input.size();
    e.feed(input.substr(pos, n));
    pos += n;
    pump();
  }
  if (!e.wants_close()) e.on_timeout();
  pump();
  e.on_disconnect();
  pump();
  return out;
}

// Aborts when the two outputs differ. With MAILSIM_FUZZ_PRINT set in the environment it
// also prints the server's output (to check what a seed file reaches).
inline void require_same(const std::string& whole, const std::string& chunked, const char* what) {
  if (std::getenv("MAILSIM_FUZZ_PRINT")) std::fwrite(whole.data(), 1, whole.size(), stderr);
  if (whole == chunked) return;
  std::size_t i = 0;
  while (i < whole.size() && i < chunked.size() && whole[i] == chunked[i]) ++i;
  std::fprintf(stderr, "%s: output differs at octet %zu when the input is split\n", what, i);
  std::abort();
}

}  // namespace fuzz

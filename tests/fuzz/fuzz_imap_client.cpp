// Fuzz target: IMAP server responses as the client side reads them —
// net::imap::ResponseReader (lines with literals, limits), parse_response / parse_value /
// parse_envelope, and the client engine (net::imap::Client) running a sync, store, move,
// append and idle job against whatever the "server" says. Like the server targets, the
// reader and the client must behave the same whether the input comes whole or in chunks.
#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz_util.hpp"
#include "net/imap/client.hpp"
#include "net/imap/response_reader.hpp"
#include "net/imap/value.hpp"

namespace {

// Everything the reader makes of the input, as text to compare.
std::string read_all(std::string_view input, bool chunked) {
  net::imap::ResponseReader reader({4096, 64 * 1024});
  std::string out;
  auto drain = [&] {
    while (auto item = reader.next()) {
      out += item->too_long ? "too-long " : "";
      out += item->raw + "\n";
      if (!item->response) continue;
      const auto& r = *item->response;
      out += std::to_string(static_cast<int>(r.kind)) + " " + r.tag + " " + r.status + " " +
             r.code + " " + r.name + " " + std::to_string(r.number) + "\n";
      for (const auto& v : r.data) {
        if (auto env = net::imap::parse_envelope(v)) out += env->subject.value_or("NIL") + "\n";
        for (const auto& item_v : v.items) net::imap::parse_envelope(item_v);
      }
    }
  };
  std::size_t pos = 0, step = 0;
  while (pos < input.size()) {
    std::size_t n = chunked ? std::min(input.size() - pos, step++ % 7 + 1) : input.size();
    reader.feed(input.substr(pos, n));
    pos += n;
    drain();
  }
  return out;
}

net::imap::ClientJob job() {
  using K = net::imap::ClientOp::Kind;
  net::imap::ClientJob j;
  j.login = "bob";
  j.password = "bobpw";
  j.fetch_bodies = true;
  j.ops.push_back({K::SyncAll, "", {}, "+FLAGS", {}, "", false});
  j.ops.push_back({K::Select, "INBOX", {}, "+FLAGS", {}, "", false});
  j.ops.push_back({K::Store, "", {1, 2}, "+FLAGS", {"\\Seen"}, "", false});
  j.ops.push_back({K::Move, "Trash", {1}, "+FLAGS", {}, "", false});
  j.ops.push_back({K::Append, "Sent", {}, "+FLAGS", {"\\Seen"}, "Subject: x\r\n\r\nhi\r\n", false});
  j.ops.push_back({K::Idle, "", {}, "+FLAGS", {}, "", false});
  j.ops.push_back({K::Expunge, "", {}, "+FLAGS", {}, "", false});
  return j;
}

std::string run_client(std::string_view input, bool chunked) {
  net::imap::Client c(job());
  std::string out;
  std::size_t pos = 0, step = 0;
  while (pos < input.size() && !c.done()) {
    std::size_t n = chunked ? std::min(input.size() - pos, step++ % 7 + 1) : input.size();
    c.feed(input.substr(pos, n));
    pos += n;
    out += c.take_output();
    c.take_events();
  }
  if (c.idling()) c.stop_idle();
  if (!c.done()) c.on_disconnect();
  out += c.take_output();
  c.take_events();
  out += c.outcome().ok ? "\nok" : "\nfailed: " + c.outcome().error;
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto input = fuzz::as_text(data, size);
  fuzz::require_same(read_all(input, false), read_all(input, true), "imap response reader");
  fuzz::require_same(run_client(input, false), run_client(input, true), "imap client");
  std::size_t pos = 0;
  net::imap::parse_values(input, pos);
  return 0;
}

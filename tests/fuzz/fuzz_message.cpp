// Fuzz target: the RFC 5322 message parser (net::message::Message::parse) and what reads
// a stored message: unfolding, address extraction, and IMAP's ENVELOPE, BODYSTRUCTURE and
// MIME tree (net/imap/envelope.hpp).
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "fuzz_util.hpp"
#include "net/imap/envelope.hpp"
#include "net/message/message.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto text = fuzz::as_text(data, size);
  auto m = net::message::Message::parse(text);
  std::string wire = m.serialize();
  net::message::Message::parse(wire);
  for (const auto& f : m.fields) {
    net::message::extract_address(f.value);
    // Documented: unfold(fold(n, v)) == "n: v" for a value without line breaks.
    if (f.value.find_first_of("\r\n") == std::string::npos) {
      std::string folded = net::message::fold(f.name, f.value);
      if (net::message::unfold(folded) != f.name + ": " + f.value) {
        std::fprintf(stderr, "fold/unfold round trip failed for %s\n", f.name.c_str());
        std::abort();
      }
    }
  }
  m.get("Subject");
  m.get_all("Received");
  net::imap::envelope(text);
  net::imap::body_structure(text, true);
  net::imap::body_structure(text, false);
  auto root = net::imap::parse_mime(text);
  net::imap::find_part(root, {1});
  net::imap::find_part(root, {2, 1});
  auto hb = net::imap::split_message(text);
  net::imap::header_fields(hb.header, {"FROM", "SUBJECT"}, false);
  net::imap::header_fields(hb.header, {"RECEIVED"}, true);
  return 0;
}

// Fuzz target: the DNS message decoder (net::dns::decode, RFC 1035 §4) — truncation,
// compression pointers (loops, forward jumps), label lengths. A message that decodes and
// can be encoded again must decode to the same description.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <stdexcept>
#include <string>

#include "fuzz_util.hpp"
#include "net/dns/message.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto m = net::dns::decode(fuzz::as_text(data, size));
  if (!m) return 0;
  std::string text = net::dns::describe(*m);
  std::string wire;
  try {
    wire = net::dns::encode(*m);
  } catch (const std::invalid_argument&) {
    return 0;  // a decoded name that cannot be written again (e.g. an empty label)
  }
  auto again = net::dns::decode(wire);
  if (!again || net::dns::describe(*again) != text) {
    std::fprintf(stderr, "dns: encode(decode(x)) does not decode to the same message\n");
    std::abort();
  }
  return 0;
}

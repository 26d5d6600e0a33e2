#include <doctest/doctest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "sim/rng.hpp"
#include "sim/secret_mask.hpp"

namespace {

// The rule, written the plain way: every secret, longest first, each occurrence left to
// right (not overlapping) becomes '*'.
std::string masked_plainly(std::string s, std::vector<std::string> secrets) {
  std::stable_sort(secrets.begin(), secrets.end(),
                   [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
  for (const auto& secret : secrets) {
    for (std::size_t pos = 0; (pos = s.find(secret, pos)) != std::string::npos;) {
      std::fill_n(s.begin() + static_cast<std::ptrdiff_t>(pos), secret.size(), '*');
      pos += secret.size();
    }
  }
  return s;
}

}  // namespace

TEST_CASE("SecretMask masks exactly what the plain rule masks (random texts and secrets)") {
  // A three-letter alphabet makes near misses (same first byte, same first two) common.
  sim::Rng rng(9);
  auto text = [&rng](std::size_t n) {
    std::string s;
    for (std::size_t i = 0; i < n; ++i) s += "abc"[rng.uniform(3)];
    return s;
  };
  for (int round = 0; round < 2000; ++round) {
    CAPTURE(round);
    std::vector<std::string> secrets;
    sim::SecretMask mask;
    const std::size_t k = 1 + rng.uniform(3);
    for (std::size_t i = 0; i < k; ++i) {
      std::string secret = text(1 + rng.uniform(4));
      if (std::find(secrets.begin(), secrets.end(), secret) == secrets.end())
        secrets.push_back(secret);
      mask.add(secret);
    }
    const std::string s = text(rng.uniform(24));
    std::string got = s;
    mask.apply(got);
    CAPTURE(s);
    CHECK(got == masked_plainly(s, secrets));
    CHECK(mask.found_in(s) == (got != s));
  }
}

TEST_CASE("SecretMask: a secret at the very end, longer than the text, or the whole text") {
  sim::SecretMask mask;
  mask.add("pw");
  std::string a = "user pw";
  mask.apply(a);
  CHECK(a == "user **");
  std::string b = "p";
  mask.apply(b);
  CHECK(b == "p");
  CHECK_FALSE(mask.found_in("p"));
  std::string c = "pw";
  mask.apply(c);
  CHECK(c == "**");
  CHECK(mask.found_in("xpw"));
  CHECK_FALSE(mask.found_in("pxw"));
}

#include <doctest/doctest.h>

#include <map>
#include <sstream>
#include <string>
#include <thread>
#include <unordered_set>
#include <vector>

#include "sim/sym.hpp"
#include "sim/trace.hpp"

using sim::Sym;

TEST_CASE("Sym: equal texts are one interned string, however they are given") {
  const std::string s = "mx.recipient.example";
  const Sym a = s;
  const Sym b = std::string_view("mx.recipient.example");
  const Sym c = "mx.recipient.example";
  CHECK(a == b);
  CHECK(b == c);
  CHECK(a.data() == c.data());  // the same storage, not a copy
  CHECK(a == s);
  CHECK(s == a);
  CHECK(a == "mx.recipient.example");
  CHECK(a == std::string_view("mx.recipient.example"));
  CHECK_FALSE(a == "mx.recipient.exampl");
  CHECK(a != Sym("other"));
  CHECK(a.size() == s.size());
  CHECK(a.str() == s);
}

TEST_CASE("Sym: the default is the empty text") {
  const Sym none;
  CHECK(none.empty());
  CHECK(none == Sym(""));
  CHECK(none == "");
  CHECK(none.c_str()[0] == '\0');
}

TEST_CASE("Sym: reads like a string") {
  const Sym rfc = "RFC 5321 §4.1.1.2";
  CHECK(rfc.starts_with("RFC "));
  CHECK(rfc.find("5321") == 4);
  CHECK(rfc.rfind(' ') == 8);
  CHECK(rfc.substr(0, 8) == "RFC 5321");
  CHECK(rfc[0] == 'R');
  CHECK(rfc + "!" == "RFC 5321 §4.1.1.2!");
  CHECK("see " + rfc == "see RFC 5321 §4.1.1.2");
  std::ostringstream out;
  out << rfc;
  CHECK(out.str() == "RFC 5321 §4.1.1.2");
  const std::string& as_string = rfc;
  CHECK(as_string == "RFC 5321 §4.1.1.2");
}

TEST_CASE("Sym: sorts by text and hashes by identity") {
  std::map<Sym, int> sorted{{"b", 2}, {"a", 1}, {"c", 3}};
  std::string order;
  for (const auto& [k, v] : sorted) order += k.str();
  CHECK(order == "abc");
  std::unordered_set<Sym> set{"x", "y", Sym(std::string("x"))};
  CHECK(set.size() == 2);
}

TEST_CASE("Sym: threads interning the same texts at once get the same strings") {
  constexpr int kTexts = 500;
  std::vector<std::vector<const char*>> seen(4);
  std::vector<std::thread> threads;
  for (auto& out : seen)
    threads.emplace_back([&out] {
      for (int i = 0; i < kTexts; ++i) out.push_back(Sym("sym-race-" + std::to_string(i)).data());
    });
  for (auto& t : threads) t.join();
  for (const auto& out : seen) CHECK(out == seen[0]);
}

TEST_CASE("a secret inside an interned meaning is masked in the trace") {
  sim::Trace tr;
  tr.add_secret("hunter2");
  sim::LineEv l;
  l.text = "PASS hunter2";
  l.meaning = "The client sends the password hunter2.";
  tr.append(0, l);
  const auto& got = std::get<sim::LineEv>(tr.events()[0].p);
  CHECK(got.meaning == "The client sends the password *******.");
  CHECK(got.text == "PASS *******");
  // A meaning without the secret is kept as the very same interned text.
  l.meaning = "The client sends its user name.";
  tr.append(1, l);
  CHECK(std::get<sim::LineEv>(tr.events()[1].p).meaning.data() == l.meaning.data());
}

#include <doctest/doctest.h>

#include <map>
#include <sstream>
#include <string>
#include <thread>
#include <unordered_set>
#include <vector>

#include "sim/sym.hpp"
#include "sim/sym_memo.hpp"
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
  CHECK(rfc + "!" == std::string("RFC 5321 §4.1.1.2!"));
  CHECK("see " + rfc == std::string("see RFC 5321 §4.1.1.2"));
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
  std::vector<std::vector<Sym>> seen(4);  // held, so every text stays interned
  std::vector<std::thread> threads;
  threads.reserve(seen.size());
  for (auto& out : seen)
    threads.emplace_back([&out] {
      out.reserve(kTexts);
      for (int i = 0; i < kTexts; ++i) out.emplace_back("sym-race-" + std::to_string(i));
    });
  for (auto& t : threads) t.join();
  for (const auto& out : seen) {
    REQUIRE(out.size() == kTexts);
    for (int i = 0; i < kTexts; ++i) CHECK(out[i].data() == seen[0][i].data());
  }
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

TEST_CASE("a meaning found clean is checked again once a new secret is registered") {
  sim::Trace tr;
  sim::LineEv l;
  l.text = "USER bruno";
  l.meaning = "The client names the mailbox of bruno, password s3cret-pw.";
  tr.append(0, l);  // no secret yet: the meaning is remembered as clean
  tr.append(1, l);
  tr.add_secret("s3cret-pw");
  tr.append(2, l);
  tr.set_reveal_secrets(true);
  tr.append(3, l);
  tr.set_reveal_secrets(false);
  tr.append(4, l);
  auto meaning = [&](std::size_t i) { return std::get<sim::LineEv>(tr.events()[i].p).meaning; };
  CHECK(meaning(1) == "The client names the mailbox of bruno, password s3cret-pw.");
  CHECK(meaning(2) == "The client names the mailbox of bruno, password *********.");
  CHECK(meaning(3) == "The client names the mailbox of bruno, password s3cret-pw.");
  CHECK(meaning(4) == "The client names the mailbox of bruno, password *********.");
  // Many distinct clean meanings (more than the verdict cache holds), then the secret in one
  // of the first: still masked.
  for (int i = 0; i < 2000; ++i) {  // the cache holds 512
    l.meaning = "meaning number " + std::to_string(i);
    tr.append(5, l);
  }
  tr.add_secret("number 7");
  l.meaning = "meaning number 7";
  CHECK(std::get<sim::LineEv>(tr.append(6, l).p).meaning == "meaning ********");
}

TEST_CASE("SymMemo gives the interned Sym of any text, colliding slots included") {
  sim::SymMemo memo;
  CHECK(memo.get("").empty());
  // Same length, first and last bytes: these share a slot and must not be confused.
  const std::string a = "The server accepts <aaaa@b.example> now.";
  const std::string b = "The server accepts <bbbb@b.example> now.";
  for (int round = 0; round < 3; ++round) {
    CHECK(memo.get(a) == sim::Sym(a));
    CHECK(memo.get(b) == sim::Sym(b));
    CHECK(memo.get(a).view() == a);
  }
  for (int i = 0; i < 2000; ++i) {
    const std::string t = "text " + std::to_string(i);
    const sim::Sym s = memo.get(t);
    CHECK(s == sim::Sym(t));
    CHECK(memo.get(t).data() == s.data());  // a hit returns the same interned text
  }
}

TEST_CASE("Sym: a text is freed with the last Sym that holds it") {
  const std::size_t before = Sym::interned_count();
  {
    Sym a = "sym-freed-" + std::to_string(before);
    Sym b = a;             // copied: one text
    Sym c = std::move(b);  // moved: the source is empty, still one text
    CHECK(b.empty());      // NOLINT(bugprone-use-after-move)
    CHECK(Sym::interned_count() == before + 1);
    a = Sym();  // c still holds it
    CHECK(Sym::interned_count() == before + 1);
    CHECK(c.view().starts_with("sym-freed-"));
  }
  CHECK(Sym::interned_count() == before);
  // Made-up texts that come and go (a server's clients' verbs) do not pile up.
  for (int i = 0; i < 1000; ++i) {
    sim::LineEv l;
    l.label = "VERB" + std::to_string(i);
  }
  CHECK(Sym::interned_count() == before);
}

TEST_CASE("Sym: threads copying and dropping shared texts keep the count right") {
  const std::size_t before = Sym::interned_count();
  {
    const Sym shared = "sym-shared-text";
    std::vector<std::thread> threads;
    threads.reserve(4);
    for (int t = 0; t < 4; ++t)
      threads.emplace_back([&shared, t] {
        for (int i = 0; i < 2000; ++i) {
          Sym copy = shared;                                     // counted copies
          Sym again = "sym-shared-text";                         // interned again
          Sym own = "sym-own-" + std::to_string(t * 7 + i % 3);  // last reference dropped often
          CHECK(copy == again);
        }
      });
    for (auto& th : threads) th.join();
    CHECK(Sym::interned_count() == before + 1);
  }
  CHECK(Sym::interned_count() == before);
}

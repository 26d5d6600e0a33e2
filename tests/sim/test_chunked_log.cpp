#include <doctest/doctest.h>

#include <algorithm>
#include <string>

#include "sim/chunked_log.hpp"
#include "sim/trace.hpp"

using namespace sim;

TEST_CASE("a chunked log keeps order and indices across many chunks") {
  ChunkedLog<std::string> log;
  CHECK(log.empty());
  const int n = 5000;  // several chunks of 1024 and a partial one
  for (int i = 0; i < n; ++i) log.push_back(std::to_string(i));
  REQUIRE(log.size() == static_cast<std::size_t>(n));
  CHECK(log.front() == "0");
  CHECK(log.back() == "4999");
  CHECK(log[1023] == "1023");
  CHECK(log[1024] == "1024");
  int k = 0;
  bool in_order = true;
  for (const auto& s : log) in_order = in_order && s == std::to_string(k++);
  CHECK(in_order);
  CHECK(k == n);
  CHECK(log.end() - log.begin() == n);
  CHECK(*(log.begin() + 2048) == "2048");
  CHECK((log.end() - 1)->size() == 4);
}

TEST_CASE("a reference into a chunked log survives later appends") {
  ChunkedLog<std::string> log;
  const std::string& first = log.push_back("first, long enough not to fit in the string itself");
  const std::string* where = &first;
  for (int i = 0; i < 3000; ++i) log.push_back("x");
  CHECK(&log[0] == where);
  CHECK(*where == "first, long enough not to fit in the string itself");
}

TEST_CASE("the trace's events can be searched by time across chunks") {
  Trace tr;
  for (int i = 0; i < 3000; ++i) tr.append(i / 3, NoteEv{"h", "info", std::to_string(i)});
  const auto& ev = tr.events();
  auto it = std::upper_bound(ev.begin(), ev.end(), Time{500},
                             [](Time t, const Event& e) { return t < e.t; });
  REQUIRE(it != ev.end());
  CHECK(it - ev.begin() == 1503);
  CHECK(it->seq == 1503);
  CHECK(std::get<NoteEv>(it->p).text == "1503");
}

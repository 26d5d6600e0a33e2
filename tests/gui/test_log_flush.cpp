#include <doctest/doctest.h>
#include <sys/stat.h>

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "gui/log_flush.hpp"

namespace {

// The bytes that reached the file itself (not stdio's buffer).
std::string on_disk(std::FILE* f) {
  struct stat st {};
  REQUIRE(::fstat(fileno(f), &st) == 0);
  std::string out(static_cast<std::size_t>(st.st_size), '\0');
  REQUIRE(::pread(fileno(f), out.data(), out.size(), 0) == static_cast<ssize_t>(out.size()));
  return out;
}

struct Rig {
  std::FILE* file = std::tmpfile();
  std::vector<std::function<void()>> posted;
  std::shared_ptr<mailsim::LoopFlushSink> sink = std::make_shared<mailsim::LoopFlushSink>(
      file, [this](std::function<void()> fn) { posted.push_back(std::move(fn)); });
  spdlog::logger logger{"test", sink};
  Rig() {
    REQUIRE(file);
    logger.set_pattern("%v");
    logger.flush_on(spdlog::level::warn);
  }
  ~Rig() { std::fclose(file); }
  void run_posted() {
    auto fns = std::move(posted);
    posted.clear();
    for (auto& fn : fns) fn();
  }
};

}  // namespace

TEST_CASE("LoopFlushSink: many lines, one flush posted to the loop") {
  Rig r;
  for (int i = 0; i < 100; ++i) r.logger.info("flags uid {}", i);
  CHECK(r.posted.size() == 1);
  CHECK(on_disk(r.file).empty());  // still in stdio's buffer
  r.run_posted();
  const std::string text = on_disk(r.file);
  CHECK(text.find("flags uid 0\n") == 0);
  CHECK(text.find("flags uid 99\n") != std::string::npos);
  CHECK(std::count(text.begin(), text.end(), '\n') == 100);
  // The next line asks for the next flush.
  r.logger.info("again");
  CHECK(r.posted.size() == 1);
  r.run_posted();
  CHECK(on_disk(r.file).size() == text.size() + 6);
}

TEST_CASE("LoopFlushSink: a warning is on disk at once") {
  Rig r;
  r.logger.info("before");
  r.logger.warn("disk full");
  CHECK(on_disk(r.file) == "before\ndisk full\n");
}

TEST_CASE("LoopFlushSink: a flush that runs after the sink is gone does nothing") {
  std::vector<std::function<void()>> posted;
  std::FILE* f = std::tmpfile();
  REQUIRE(f);
  {
    auto sink = std::make_shared<mailsim::LoopFlushSink>(
        f, [&](std::function<void()> fn) { posted.push_back(std::move(fn)); });
    spdlog::logger logger("gone", sink);
    logger.info("x");
  }
  REQUIRE(posted.size() == 1);
  posted[0]();  // must not touch the destroyed sink (ASan would say)
  std::fclose(f);
}

TEST_CASE("LoopFlushedLog installs its logger and puts the old one back") {
  auto before = spdlog::default_logger();
  std::vector<std::function<void()>> posted;
  {
    mailsim::LoopFlushedLog log([&](std::function<void()> fn) { posted.push_back(std::move(fn)); },
                                "%v");
    CHECK(spdlog::default_logger() != before);
    CHECK(spdlog::default_logger()->level() == before->level());
  }
  CHECK(spdlog::default_logger() == before);
}

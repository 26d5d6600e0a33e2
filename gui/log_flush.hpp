// serve's log, flushed once per turn of its event loop instead of once per line.
//
// A STORE over 10,000 messages logs 10,000 flag changes from one handler; flushing each
// line cost one write(2) per line (about a fifth of that STORE's time when the log is a
// file). The sink below writes every line into stdio's buffer at once and asks the loop,
// through `post`, to flush after the work at hand: the lines still appear as soon as the
// loop is done with what produced them, and a warning or an error is flushed at once. The
// trade-off: a death without unwinding (SIGKILL, SIGHUP, abort) loses the info lines of the
// loop's last turn, never a warning; and an error written to stderr may now appear before
// info lines still in stdout's buffer when both go to one terminal.
#pragma once

#include <spdlog/sinks/base_sink.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <cstdio>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace mailsim {

class LoopFlushSink : public spdlog::sinks::base_sink<std::mutex>,
                      public std::enable_shared_from_this<LoopFlushSink> {
 public:
  // `post` must queue its function for later (asio::post), never run it inline: log() holds
  // the sink's lock while posting and the flush takes it again.
  using Post = std::function<void(std::function<void()>)>;
  LoopFlushSink(std::FILE* out, Post post) : out_(out), post_(std::move(post)) {}

 protected:
  // spdlog's console sinks fflush every line themselves; this one leaves the lines in
  // stdio's buffer until the flush posted to the loop (or flush_on) runs.
  void sink_it_(const spdlog::details::log_msg& msg) override {
    spdlog::memory_buf_t line;
    formatter_->format(msg, line);
    std::fwrite(line.data(), 1, line.size(), out_);
    // One flush pending at a time; it may run on the loop after this sink is gone.
    if (!pending_.exchange(true))
      post_([weak = weak_from_this()] {
        if (auto self = weak.lock()) {
          self->pending_ = false;
          self->flush();
        }
      });
  }
  void flush_() override { std::fflush(out_); }

 private:
  std::FILE* out_;
  Post post_;
  std::atomic<bool> pending_{false};
};

// While it lives, the default logger writes to stdout through a LoopFlushSink with the old
// one's pattern; afterwards (before the loop it posts to is gone) the old logger is back.
class LoopFlushedLog {
 public:
  LoopFlushedLog(LoopFlushSink::Post post, const std::string& pattern)
      : previous_(spdlog::default_logger()) {
    auto sink = std::make_shared<LoopFlushSink>(stdout, std::move(post));
    auto logger = std::make_shared<spdlog::logger>(previous_->name(), std::move(sink));
    logger->set_pattern(pattern);
    logger->set_level(previous_->level());
    logger->flush_on(spdlog::level::warn);
    spdlog::set_default_logger(std::move(logger));
  }
  ~LoopFlushedLog() {
    spdlog::default_logger()->flush();
    std::fflush(stdout);
    spdlog::set_default_logger(previous_);
  }
  LoopFlushedLog(const LoopFlushedLog&) = delete;
  LoopFlushedLog& operator=(const LoopFlushedLog&) = delete;

 private:
  std::shared_ptr<spdlog::logger> previous_;
};

}  // namespace mailsim

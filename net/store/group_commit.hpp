// Group commit for `serve --maildir`: new message files are written and flushed on a worker
// thread, so that an fsync never stalls the event loop (and every other session with it).
//
// The loop thread submits jobs (a Maildir folder, a file name, the text); the worker takes
// every job queued so far as one batch: each file is written to tmp/, fsync'd and renamed
// into new/ (or cur/), then each directory the batch renamed into is fsync'd once. Only then
// are the batch's results handed back: `post` (thread-safe, e.g. asio::post onto the loop)
// schedules a call of take_results() on the loop thread, which runs each job's completion
// in submission order. Jobs that arrive while a batch is being flushed form the next batch,
// so N concurrent deliveries cost about one directory fsync rather than N.
//
// The rule of maildir.hpp holds for each file: fsync(file), rename, fsync(directory), then
// the completion (the 250 / OK) — never before.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "net/store/parallel_for.hpp"

namespace net::store {

class GroupCommit {
 public:
  struct Job {
    std::filesystem::path folder;  // has tmp/, new/, cur/
    std::string name;              // unique base name
    std::string info;              // "" → new/<name>, else cur/<name>:2,<info>
    std::string data;              // CRLF text (written with LF, as write_maildir_file does)
    std::int64_t mtime = 0;
    // Runs on the loop thread: ok, and the error text when not.
    std::function<void(bool ok, const std::string& error)> done;
  };
  // `post` must be callable from any thread and run its argument on the loop thread later.
  explicit GroupCommit(std::function<void(std::function<void()>)> post);
  ~GroupCommit();  // stop()
  GroupCommit(const GroupCommit&) = delete;
  GroupCommit& operator=(const GroupCommit&) = delete;

  void submit(Job job);  // loop thread
  // Loop thread: blocks until every submitted job is on disk, then runs the completions
  // not yet run. Afterwards nothing is in flight.
  void wait_idle();
  // Loop thread: runs the completions of finished batches (what `post` schedules).
  void take_results();
  bool busy() const { return in_flight_ > 0; }  // loop thread
  // Finishes the queued jobs and ends the worker; their completions are not run (the loop
  // may be gone). Idempotent.
  void stop();
  std::uint64_t batches() const;  // batches flushed so far (for tests and the log)

 private:
  struct Result {
    Job job;
    bool ok = false;
    std::string error;
  };
  void run();
  void flush_batch(std::vector<Result>& batch);

  std::function<void(std::function<void()>)> post_;
  mutable std::mutex mu_;
  std::condition_variable cv_;       // worker: jobs arrived or stop
  std::condition_variable idle_cv_;  // wait_idle: a batch finished
  std::deque<Job> queue_;
  std::deque<Result> results_;  // finished, completions not yet run (take_results)
  bool stop_ = false;
  bool working_ = false;
  std::uint64_t batches_ = 0;
  std::size_t in_flight_ = 0;  // submitted, completion not yet run (loop thread only)
  ParallelFor flushers_;       // the batch's fsyncs in parallel (before worker_: it uses them)
  std::thread worker_;
};

}  // namespace net::store

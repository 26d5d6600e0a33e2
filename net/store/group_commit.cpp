#include "net/store/group_commit.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <exception>
#include <map>
#include <string_view>
#include <utility>

#include "net/store/maildir.hpp"

namespace net::store {

namespace {
// fsyncs of one batch in flight at once (the worker and its helpers).
constexpr std::size_t kFlushThreads = 16;
}  // namespace

GroupCommit::GroupCommit(std::function<void(std::function<void()>)> post)
    : post_(std::move(post)), flushers_(kFlushThreads - 1), worker_([this] { run(); }) {}

GroupCommit::~GroupCommit() {
  stop();
}

void GroupCommit::stop() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (worker_.joinable()) worker_.join();
}

void GroupCommit::submit(Job job) {
  ++in_flight_;
  {
    std::lock_guard lock(mu_);
    queue_.push_back(std::move(job));
  }
  cv_.notify_one();
}

std::uint64_t GroupCommit::batches() const {
  std::lock_guard lock(mu_);
  return batches_;
}

void GroupCommit::run() {
  std::unique_lock lock(mu_);
  while (true) {
    cv_.wait(lock, [this] { return stop_ || !queue_.empty(); });
    if (queue_.empty()) return;  // stopping, nothing left
    std::vector<Result> batch;
    batch.reserve(queue_.size());
    for (auto& j : queue_) batch.push_back({std::move(j), false, {}});
    queue_.clear();
    working_ = true;
    lock.unlock();
    flush_batch(batch);
    lock.lock();
    working_ = false;
    ++batches_;
    const bool first = results_.empty();
    for (auto& r : batch) results_.push_back(std::move(r));
    idle_cv_.notify_all();
    // One scheduled take_results() collects every finished batch; none is posted once
    // stopping (the loop may be gone).
    if (first && !stop_) post_([this] { take_results(); });
  }
}

namespace {

std::string error_text(const char* what, const std::filesystem::path& p, int err) {
  return std::string(what) + " " + p.string() + ": " + std::strerror(err);
}

bool write_all(int fd, std::string_view s) {
  while (!s.empty()) {
    const ssize_t n = ::write(fd, s.data(), s.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return false;
    s.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

}  // namespace

// In phases, so that the disk works on the whole batch at once rather than one file after
// the other: (1) every file written to tmp/ (CRLF → LF) with its date, and its writeback
// started (sync_file_range); (2) each file fsync'd (several at once), closed and renamed into
// new/ or cur/; (3) each directory that gained a file fsync'd once. A job fails alone: its
// tmp file is removed.
void GroupCommit::flush_batch(std::vector<Result>& batch) {
  struct Open {
    Result* r;
    int fd;
    std::filesystem::path tmp, dst;
  };
  std::vector<Open> files;
  files.reserve(batch.size());
  for (auto& r : batch) {
    const Job& j = r.job;
    if (j.name.empty() || j.name.find_first_of("/:") != std::string::npos) {
      r.error = "bad Maildir file name '" + j.name + "'";
      continue;
    }
    Open o{
        &r, -1, j.folder / "tmp" / j.name,
        j.info.empty() ? j.folder / "new" / j.name : j.folder / "cur" / (j.name + ":2," + j.info)};
    const std::string body = crlf_to_lf(j.data);
    std::string().swap(r.job.data);  // free the text early
    o.fd = ::open(o.tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (o.fd < 0) {
      r.error = error_text("cannot create", o.tmp, errno);
      continue;
    }
    bool ok = write_all(o.fd, body);
    // Maildir readers take a file's mtime as its delivery date (IMAP INTERNALDATE).
    if (ok && j.mtime > 0) {
      const struct timespec times[2] = {{static_cast<time_t>(j.mtime), 0},
                                        {static_cast<time_t>(j.mtime), 0}};
      ok = ::futimens(o.fd, times) == 0;
    }
    if (!ok) {
      r.error = error_text("cannot write", o.tmp, errno);
      ::close(o.fd);
      ::unlink(o.tmp.c_str());
      continue;
    }
    (void)::sync_file_range(o.fd, 0, 0, SYNC_FILE_RANGE_WRITE);  // fsync reports failures
    files.push_back(std::move(o));
  }
  // Each file fsync'd, closed and renamed; the fsyncs run on up to kFlushThreads threads at
  // once (as Postfix's parallel cleanup processes do), so the disk serves them together
  // instead of one after the other. The threads stay for the next batch (flushers_).
  auto finish = [](Open& o) {
    // Maildir: the file must be on disk before it appears in new/ or cur/.
    int err = ::fsync(o.fd) == 0 ? 0 : errno;
    if (::close(o.fd) != 0 && err == 0) err = errno;
    if (err == 0 && ::rename(o.tmp.c_str(), o.dst.c_str()) != 0) err = errno;
    if (err != 0) {
      o.r->error = error_text("cannot store", o.tmp, err);
      ::unlink(o.tmp.c_str());
      return;
    }
    o.r->ok = true;
  };
  flushers_.run(files.size(), [&](std::size_t i) { finish(files[i]); });
  std::map<std::filesystem::path, std::vector<Result*>> dirs;
  for (auto& o : files)
    if (o.r->ok) dirs[o.dst.parent_path()].push_back(o.r);
  // ...and the renames must be on disk before anyone is told the message is stored.
  for (auto& [dir, rs] : dirs) {
    try {
      sync_dir(dir);
    } catch (const std::exception& e) {
      for (Result* r : rs) {
        r->ok = false;
        r->error = e.what();
      }
    }
  }
}

// One completion at a time, each taken from the shared queue: a completion may run more of
// its session's commands (IMAP pipelined after APPEND), and a store change among them waits
// (barrier -> wait_idle) and calls this again, which must first run the completions still
// queued here, so that the store takes the messages in the order it handed them out.
void GroupCommit::take_results() {
  while (true) {
    Result r;
    {
      std::lock_guard lock(mu_);
      if (results_.empty()) return;
      r = std::move(results_.front());
      results_.pop_front();
    }
    --in_flight_;
    if (r.job.done) r.job.done(r.ok, r.error);
  }
}

void GroupCommit::wait_idle() {
  {
    std::unique_lock lock(mu_);
    idle_cv_.wait(lock, [this] { return (queue_.empty() && !working_) || !worker_.joinable(); });
  }
  take_results();
}

}  // namespace net::store

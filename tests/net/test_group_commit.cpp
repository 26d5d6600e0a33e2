// serve --maildir's group commit (net/store/group_commit.hpp): deliveries are written by a
// worker thread, the SMTP engine holds its 250 (and everything pipelined after the ".")
// until the message is on disk, a failed write is answered 451 and leaves no message, and
// every other store change waits for the deliveries before it.
#include <doctest/doctest.h>
#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "net/smtp/recipient_policy.hpp"
#include "net/smtp/server.hpp"
#include "net/store/maildir_mirror.hpp"
#include "net/store/mailstore.hpp"
#include "temp_dir.hpp"

namespace fs = std::filesystem;
using net::store::MaildirMirror;
using net::store::Mailstore;

namespace {

const char* kA = "bruno@x.example";

using nettest::TempDir;

// What the event loop would run later; the tests run the completions through
// flush_commits() (or a barrier) instead, so the posted calls are only counted.
struct Posted {
  std::mutex mu;
  int count = 0;
};

struct Run {
  Mailstore store;
  std::unique_ptr<MaildirMirror> mirror;
  std::shared_ptr<Posted> posted = std::make_shared<Posted>();
  std::vector<std::string> errors;
  explicit Run(const fs::path& root) {
    store.set_uid_validity_base(5);
    store.add_account({kA, "bruno", "pw"});
    mirror = std::make_unique<MaildirMirror>(store, root, "mx", 77, [] { return 1700000000; });
    mirror->load();
    mirror->on_error([this](const std::string& e) { errors.push_back(e); });
    mirror->attach();
    mirror->start_group_commit([p = posted](std::function<void()>) {
      std::lock_guard lock(p->mu);
      ++p->count;
    });
  }
  std::size_t inbox() const { return store.messages(kA)->size(); }
};

std::size_t files_in(const fs::path& d) {
  std::size_t n = 0;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(d, ec)) n += e.is_regular_file() ? 1 : 0;
  return n;
}

const char* kMessage =
    "MAIL FROM:<ana@y.example>\r\nRCPT TO:<bruno@x.example>\r\nDATA\r\n"
    "Subject: hi\r\n\r\nbody\r\n.\r\n";

}  // namespace

TEST_CASE("group commit: 250 and the pipelined commands after it wait until the file is durable") {
  TempDir t;
  Run r(t.path);
  net::smtp::RecipientPolicy policy(r.store, "mx.x.example", [] { return 1700000000; });
  net::smtp::Server server({}, policy);
  int wakes = 0;
  server.on_wake([&] { ++wakes; });
  server.on_connect("10.0.0.2", "c.example");
  (void)server.take_output();
  server.feed("EHLO c.example\r\n");
  (void)server.take_output();

  server.feed(std::string(kMessage) + "NOOP\r\nQUIT\r\n");
  const std::string before = server.take_output();
  CHECK(before.find("354") != std::string::npos);
  CHECK(before.find("250 2.0.0") == std::string::npos);  // not durable yet: no 250
  CHECK(before.find("221") == std::string::npos);        // QUIT waits behind it
  CHECK(server.waiting());
  CHECK(r.inbox() == 0);  // not visible before it is on disk
  CHECK(wakes == 0);

  r.mirror->flush_commits();
  CHECK(wakes == 1);
  CHECK_FALSE(server.waiting());
  const std::string after = server.take_output();
  const auto ok = after.find("250 2.0.0 Ok: queued");
  const auto noop = after.find("250 2.0.0 Ok\r\n");
  const auto bye = after.find("221");
  REQUIRE(ok != std::string::npos);
  REQUIRE(noop != std::string::npos);
  REQUIRE(bye != std::string::npos);
  CHECK(ok < noop);
  CHECK(noop < bye);
  CHECK(server.wants_close());
  CHECK(r.inbox() == 1);
  CHECK(files_in(t.path / kA / "new") == 1);
  CHECK(r.mirror->path_of(kA, "INBOX", 1).parent_path() == t.path / kA / "new");
  CHECK(r.errors.empty());

  // What was acknowledged comes back after a restart.
  r.mirror.reset();
  Run again(t.path);
  CHECK(again.inbox() == 1);
}

TEST_CASE("group commit: a write that fails is answered 451 and leaves nothing behind") {
  TempDir t;
  Run r(t.path);
  r.store.deliver_later(kA, "Subject: one\r\n\r\nx\r\n", 1700000000, nullptr);
  r.mirror->flush_commits();  // the account's directories exist now
  REQUIRE(r.inbox() == 1);
  const fs::path newdir = t.path / kA / "new";
  fs::remove(newdir / fs::directory_iterator(newdir)->path().filename());
  fs::remove(newdir);
  {
    std::ofstream(newdir) << "not a directory";  // the rename into new/ fails (also as root)
  }

  net::smtp::RecipientPolicy policy(r.store, "mx.x.example", [] { return 1700000000; });
  net::smtp::Server server({}, policy);
  server.on_connect("10.0.0.2", "c.example");
  server.feed("EHLO c.example\r\n");
  (void)server.take_output();
  server.feed(kMessage);
  CHECK(server.take_output().find("451") == std::string::npos);
  r.mirror->flush_commits();
  CHECK(server.take_output().find("451 4.3.0") != std::string::npos);
  CHECK(r.inbox() == 1);  // the store kept only the first message
  CHECK(r.mirror->refused() == 1);
  CHECK(files_in(t.path / kA / "tmp") == 0);  // the tmp file is removed
  REQUIRE(r.errors.size() == 1);
  CHECK(r.errors[0].find("cannot") != std::string::npos);

  // The UID of the refused message is not handed out again.
  fs::remove(newdir);
  fs::create_directory(newdir);
  std::uint32_t uid = 0;
  r.store.deliver_later(kA, "Subject: three\r\n\r\nx\r\n", 1700000000,
                        [&](std::uint32_t u) { uid = u; });
  r.mirror->flush_commits();
  CHECK(uid == 3);
}

TEST_CASE("group commit: any other change first waits for the deliveries before it") {
  TempDir t;
  Run r(t.path);
  std::vector<std::uint32_t> done;
  for (int i = 0; i < 20; ++i)
    r.store.deliver_later(kA, "Subject: m\r\n\r\nx\r\n", 1700000000,
                          [&](std::uint32_t u) { done.push_back(u); });
  // A flag change is a store change like any other: the 20 deliveries are stored first, in
  // UID order, and the flag lands on a message that exists.
  REQUIRE(r.store.set_flags(kA, "INBOX", 20, {"\\Seen"}) == net::store::Status::Ok);
  REQUIRE(done.size() == 20);
  for (std::uint32_t i = 0; i < 20; ++i) CHECK(done[i] == i + 1);
  CHECK(r.inbox() == 20);
  CHECK(files_in(t.path / kA / "new") == 19);
  CHECK(files_in(t.path / kA / "cur") == 1);
  CHECK(r.mirror->commit_batches() >= 1);
  CHECK(r.mirror->commit_batches() <= 20);
}

TEST_CASE("group commit: a session that ends before its message is durable is not answered") {
  TempDir t;
  Run r(t.path);
  net::smtp::RecipientPolicy policy(r.store, "mx.x.example", [] { return 1700000000; });
  {
    net::smtp::Server server({}, policy);
    server.on_connect("10.0.0.2", "c.example");
    server.feed(std::string("EHLO c.example\r\n") + kMessage);
    server.on_disconnect();
  }  // the engine is gone; its completion must not touch it
  r.mirror->flush_commits();
  CHECK(r.inbox() == 1);  // the message itself was written (the client may send it again)
}

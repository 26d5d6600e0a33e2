// Maildir writer used by `mailsim serve --maildir`.
#include <doctest/doctest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include "net/store/maildir.hpp"
#include "temp_dir.hpp"

namespace fs = std::filesystem;
using net::store::MaildirError;
using net::store::write_maildir;

namespace {

using nettest::TempDir;

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

}  // namespace

TEST_CASE("maildir: message lands in new/ with LF line endings, tmp/ left empty") {
  TempDir d;
  const std::string data = "Subject: hi\r\n\r\nline 1\r\n.\r\nbare\rcr\nlf\r\nlast";
  auto p = write_maildir(d.path, "bruno@recipient.example", data, "1700000000.P1Q1.mx");
  CHECK(p == d.path / "bruno@recipient.example" / "new" / "1700000000.P1Q1.mx");
  CHECK(slurp(p) == "Subject: hi\n\nline 1\n.\nbare\rcr\nlf\nlast");
  CHECK(fs::is_directory(d.path / "bruno@recipient.example" / "cur"));
  CHECK(fs::is_empty(d.path / "bruno@recipient.example" / "tmp"));
}

TEST_CASE("maildir: two deliveries keep two files") {
  TempDir d;
  write_maildir(d.path, "a@x", "one\r\n", "1.P1Q1.h");
  write_maildir(d.path, "a@x", "two\r\n", "1.P1Q2.h");
  int n = 0;
  for ([[maybe_unused]] auto& e : fs::directory_iterator(d.path / "a@x" / "new")) ++n;
  CHECK(n == 2);
}

TEST_CASE("maildir: empty message is a valid empty file") {
  TempDir d;
  auto p = write_maildir(d.path, "a@x", "", "1.P1Q1.h");
  CHECK(fs::file_size(p) == 0);
}

TEST_CASE("maildir: unique name follows the convention and escapes / and :") {
  CHECK(net::store::maildir_unique_name(1700000000, 42, 7, "mx.recipient.example") ==
        "1700000000.P42Q7.mx.recipient.example");
  CHECK(net::store::maildir_unique_name(1, 2, 3, "a/b:c") == "1.P2Q3.a\\057b\\072c");
}

TEST_CASE("maildir: failures are clear errors") {
  TempDir d;
  SUBCASE("root is a regular file") {
    const fs::path file = d.path / "not-a-dir";
    std::ofstream(file) << "x";
    try {
      write_maildir(file, "a@x", "hello\r\n", "1.P1Q1.h");
      FAIL("expected MaildirError");
    } catch (const MaildirError& e) {
      const std::string what = e.what();
      CHECK(what.find("cannot create Maildir folder") != std::string::npos);
      CHECK(what.find(file.string()) != std::string::npos);
    }
  }
  SUBCASE("mailbox name that would escape the root") {
    CHECK_THROWS_AS(write_maildir(d.path, "../evil", "x", "1.P1Q1.h"), MaildirError);
    CHECK_THROWS_AS(write_maildir(d.path, "..", "x", "1.P1Q1.h"), MaildirError);
    CHECK_THROWS_AS(write_maildir(d.path, "", "x", "1.P1Q1.h"), MaildirError);
    CHECK(!fs::exists(d.path.parent_path() / "evil"));
  }
  SUBCASE("name already in tmp/ is refused, nothing lands in new/") {
    write_maildir(d.path, "a@x", "one", "dup");  // leaves new/dup
    std::ofstream(d.path / "a@x" / "tmp" / "dup2") << "stale";
    try {
      write_maildir(d.path, "a@x", "two", "dup2");
      FAIL("expected MaildirError");
    } catch (const MaildirError& e) {
      CHECK(std::string(e.what()).find("cannot create") != std::string::npos);
    }
    CHECK(!fs::exists(d.path / "a@x" / "new" / "dup2"));
  }
}

#include "net/store/maildir.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <system_error>

namespace net::store {
namespace fs = std::filesystem;

namespace {

[[noreturn]] void fail(const std::string& what, const fs::path& p, int err) {
  throw MaildirError(what + " " + p.string() + ": " + std::strerror(err));
}

void ensure_dir(const fs::path& p) {
  std::error_code ec;
  fs::create_directories(p, ec);
  if (ec) throw MaildirError("cannot create Maildir folder " + p.string() + ": " + ec.message());
  if (!fs::is_directory(p, ec)) fail("cannot create Maildir folder", p, ENOTDIR);
}

bool valid_folder_name(std::string_view s) {
  if (s.empty() || s == "." || s == "..") return false;
  for (char c : s) {
    if (c == '/' || c == '\0' || c == '\r' || c == '\n') return false;
  }
  return true;
}

}  // namespace

std::string crlf_to_lf(std::string_view data) {
  std::string out;
  out.reserve(data.size());
  for (std::size_t i = 0; i < data.size(); ++i) {
    if (data[i] == '\r' && i + 1 < data.size() && data[i + 1] == '\n') continue;
    out.push_back(data[i]);
  }
  return out;
}

std::string maildir_unique_name(std::int64_t unix_time, std::uint64_t pid, std::uint64_t seq,
                                std::string_view host) {
  std::string h;
  for (char c : host) {
    if (c == '/') {
      h += "\\057";
    } else if (c == ':') {
      h += "\\072";
    } else {
      h.push_back(c);
    }
  }
  if (h.empty()) h = "localhost";
  return std::to_string(unix_time) + ".P" + std::to_string(pid) + "Q" + std::to_string(seq) + "." +
         h;
}

fs::path write_maildir(const fs::path& root, std::string_view address, std::string_view data,
                       std::string_view unique_name) {
  if (!valid_folder_name(address)) {
    throw MaildirError("cannot deliver to Maildir: mailbox name '" + std::string(address) +
                       "' cannot be a folder name");
  }
  if (!valid_folder_name(unique_name)) {
    throw MaildirError("cannot deliver to Maildir: bad file name '" + std::string(unique_name) +
                       "'");
  }
  const fs::path box = root / std::string(address);
  for (const char* sub : {"tmp", "new", "cur"}) ensure_dir(box / sub);

  const fs::path tmp = box / "tmp" / std::string(unique_name);
  const fs::path dst = box / "new" / std::string(unique_name);
  const std::string body = crlf_to_lf(data);

  // O_EXCL: a name already taken in tmp/ means the caller's unique name is not unique.
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) fail("cannot create", tmp, errno);
  std::size_t off = 0;
  while (off < body.size()) {
    ssize_t n = ::write(fd, body.data() + off, body.size() - off);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int err = errno;
      ::close(fd);
      ::unlink(tmp.c_str());
      fail("cannot write", tmp, err);
    }
    off += static_cast<std::size_t>(n);
  }
  // Maildir: the file must be on disk before it appears in new/.
  int err = ::fsync(fd) == 0 ? 0 : errno;
  if (::close(fd) != 0 && err == 0) err = errno;
  if (err != 0) {
    ::unlink(tmp.c_str());
    fail("cannot flush", tmp, err);
  }
  if (::rename(tmp.c_str(), dst.c_str()) != 0) {
    err = errno;
    ::unlink(tmp.c_str());
    fail("cannot move message to", dst, err);
  }
  return dst;
}

}  // namespace net::store

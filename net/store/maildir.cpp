#include "net/store/maildir.hpp"

#include <fcntl.h>
#include <sys/stat.h>
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

std::string lf_to_crlf(std::string_view data) {
  std::string out;
  out.reserve(data.size() + data.size() / 32);
  for (std::size_t i = 0; i < data.size(); ++i) {
    if (data[i] == '\n' && (i == 0 || data[i - 1] != '\r')) out.push_back('\r');
    out.push_back(data[i]);
  }
  return out;
}

void sync_dir(const fs::path& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) fail("cannot open folder", dir, errno);
  int err = ::fsync(fd) == 0 ? 0 : errno;
  ::close(fd);
  if (err != 0) fail("cannot flush folder", dir, err);
}

void make_dir_durable(const fs::path& dir) {
  std::error_code ec;
  if (fs::is_directory(dir, ec)) return;
  const fs::path parent = dir.parent_path();
  if (!parent.empty() && parent != dir) make_dir_durable(parent);
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST)
    fail("cannot create Maildir folder", dir, errno);
  if (!fs::is_directory(dir, ec)) fail("cannot create Maildir folder", dir, ENOTDIR);
  if (!parent.empty()) sync_dir(parent);
}

void rename_durable(const fs::path& from, const fs::path& to) {
  if (::rename(from.c_str(), to.c_str()) != 0) fail("cannot rename to", to, errno);
  sync_dir(to.parent_path());
  if (from.parent_path() != to.parent_path()) sync_dir(from.parent_path());
}

void write_file_durable(const fs::path& file, std::string_view text) {
  const fs::path tmp = file.string() + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) fail("cannot create", tmp, errno);
  std::size_t off = 0;
  int err = 0;
  while (off < text.size() && err == 0) {
    ssize_t n = ::write(fd, text.data() + off, text.size() - off);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      err = errno;
    } else {
      off += static_cast<std::size_t>(n);
    }
  }
  if (err == 0 && ::fsync(fd) != 0) err = errno;
  if (::close(fd) != 0 && err == 0) err = errno;
  if (err != 0) {
    ::unlink(tmp.c_str());
    fail("cannot write", tmp, err);
  }
  if (::rename(tmp.c_str(), file.c_str()) != 0) {
    err = errno;
    ::unlink(tmp.c_str());
    fail("cannot replace", file, err);
  }
  sync_dir(file.parent_path());
}

fs::path write_maildir_file(const fs::path& folder, std::string_view name, std::string_view info,
                            std::string_view data, std::int64_t mtime) {
  if (!valid_folder_name(name) || name.find(':') != std::string_view::npos) {
    throw MaildirError("cannot write to Maildir: bad file name '" + std::string(name) + "'");
  }
  const fs::path tmp = folder / "tmp" / std::string(name);
  fs::path dst = info.empty() ? folder / "new" / std::string(name)
                              : folder / "cur" / (std::string(name) + ":2," + std::string(info));
  const std::string body = crlf_to_lf(data);

  // O_EXCL: a name already taken in tmp/ means the caller's unique name is not unique.
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) fail("cannot create", tmp, errno);
  auto give_up = [&](const char* what, int err) {
    ::close(fd);
    ::unlink(tmp.c_str());
    fail(what, tmp, err);
  };
  std::size_t off = 0;
  while (off < body.size()) {
    ssize_t n = ::write(fd, body.data() + off, body.size() - off);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) give_up("cannot write", errno);
    off += static_cast<std::size_t>(n);
  }
  // Maildir readers take a file's mtime as its delivery date (IMAP INTERNALDATE).
  if (mtime > 0) {
    const struct timespec times[2] = {{static_cast<time_t>(mtime), 0},
                                      {static_cast<time_t>(mtime), 0}};
    if (::futimens(fd, times) != 0) give_up("cannot set the date of", errno);
  }
  // Maildir: the file must be on disk before it appears in new/ or cur/.
  if (::fsync(fd) != 0) give_up("cannot flush", errno);
  if (::close(fd) != 0) {
    int err = errno;
    ::unlink(tmp.c_str());
    fail("cannot flush", tmp, err);
  }
  if (::rename(tmp.c_str(), dst.c_str()) != 0) {
    int err = errno;
    ::unlink(tmp.c_str());
    fail("cannot move message to", dst, err);
  }
  // ...and the rename itself must be on disk before anyone is told the message is stored.
  sync_dir(dst.parent_path());
  return dst;
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
  return write_maildir_file(box, unique_name, {}, data, 0);
}

}  // namespace net::store

#include "net/store/maildir_load.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <fstream>
#include <iterator>
#include <map>
#include <system_error>

#include "net/store/maildir.hpp"
#include "net/store/maildir_names.hpp"

namespace net::store {
namespace fs = std::filesystem;

namespace {

std::string slurp(const fs::path& p, bool& ok) {
  std::ifstream in(p, std::ios::binary);
  ok = static_cast<bool>(in);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

int64_t mtime_of(const fs::path& p) {
  struct stat st {};
  return ::stat(p.c_str(), &st) == 0 ? static_cast<int64_t>(st.st_mtime) : 0;
}

// Every entry of dir (sorted by name), or a MaildirError.
std::vector<fs::directory_entry> entries(const fs::path& dir) {
  std::error_code ec;
  std::vector<fs::directory_entry> out;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec))
    out.push_back(*it);
  if (ec) throw MaildirError("cannot read " + dir.string() + ": " + ec.message());
  std::sort(out.begin(), out.end(),
            [](const auto& a, const auto& b) { return a.path().filename() < b.path().filename(); });
  return out;
}

// tmp/ holds only writes that never finished (serve is the only writer): they go.
void clean_tmp(const fs::path& folder, std::vector<std::string>& warnings) {
  for (const auto& e : entries(folder / "tmp")) {
    std::error_code ec;
    fs::remove_all(e.path(), ec);
    if (ec) throw MaildirError("cannot remove " + e.path().string() + ": " + ec.message());
    warnings.push_back("removed unfinished " + e.path().string());
  }
  std::error_code ec;
  fs::remove(folder / (std::string(kUidListFile) + ".tmp"), ec);
}

DiskFolder load_folder(const std::string& name, const fs::path& dir,
                       std::vector<std::string>& warnings) {
  DiskFolder f;
  f.name = name;
  f.dir = dir;
  for (const char* sub : {"tmp", "new", "cur"}) make_dir_durable(dir / sub);
  clean_tmp(dir, warnings);
  std::string why;
  f.list = read_uid_list(dir, why);
  if (!f.list && fs::exists(dir / kUidListFile))
    warnings.push_back(why + ": a new UIDVALIDITY is given to " + name);

  std::vector<std::pair<fs::path, DiskMessage>> need_uid;  // with the file's current path
  std::map<uint32_t, std::size_t> by_uid;
  for (const char* sub : {"new", "cur"}) {
    for (const auto& e : entries(dir / sub)) {
      const std::string file = e.path().filename().string();
      std::error_code ec;
      if (file.front() == '.' || !e.is_regular_file(ec)) {
        warnings.push_back("skipped " + e.path().string() + " (not a message file)");
        continue;
      }
      auto n = parse_maildir_file_name(file);
      DiskMessage m;
      m.uid = n.uid;
      m.base = n.base;
      m.in_cur = std::string_view(sub) == "cur";
      m.info = m.in_cur ? n.info : std::string();
      m.file = file;
      bool ok = false;
      m.data = lf_to_crlf(slurp(e.path(), ok));
      if (!ok) throw MaildirError("cannot read " + e.path().string());
      m.mtime = mtime_of(e.path());
      if (m.uid != 0 && by_uid.count(m.uid) == 0) {
        by_uid[m.uid] = f.messages.size();
        f.messages.push_back(std::move(m));
      } else {
        need_uid.emplace_back(e.path(), std::move(m));
      }
    }
  }
  f.uid_next = f.list ? f.list->uid_next : 1;
  if (!f.messages.empty()) {
    uint32_t top = 0;
    for (const auto& m : f.messages) top = std::max(top, m.uid);
    f.uid_next = std::max(f.uid_next, top + 1);
  }
  // Mail put there by something else: the next UIDs, oldest first, written into the name.
  std::stable_sort(need_uid.begin(), need_uid.end(),
                   [](const auto& a, const auto& b) { return a.second.mtime < b.second.mtime; });
  for (auto& [from, m] : need_uid) {
    const std::string suffix = m.in_cur && !m.info.empty() ? ":2," + m.info : "";
    m.uid = f.uid_next++;
    m.base = maildir_base_with_uid(m.base, m.uid);
    m.file = m.base + suffix;
    rename_durable(from, from.parent_path() / m.file);
    warnings.push_back("gave UID " + std::to_string(m.uid) + " to " + from.string());
    f.messages.push_back(std::move(m));
  }
  std::sort(f.messages.begin(), f.messages.end(),
            [](const DiskMessage& a, const DiskMessage& b) { return a.uid < b.uid; });
  return f;
}

}  // namespace

AccountOnDisk load_maildir_account(const fs::path& root, const std::string& address) {
  AccountOnDisk out;
  const fs::path home = root / address;
  std::error_code ec;
  if (!fs::exists(home, ec)) return out;
  if (!fs::is_directory(home, ec))
    throw MaildirError("cannot load Maildir " + home.string() + ": not a directory");
  out.exists = true;
  out.folders.push_back(load_folder("INBOX", home, out.warnings));
  std::vector<DiskFolder> others;
  for (const auto& e : entries(home)) {
    const std::string file = e.path().filename().string();
    if (file.empty() || file.front() != '.' || !e.is_directory(ec)) continue;
    auto name = maildir_folder_name(file);
    if (!name || *name == "INBOX" || maildir_folder_dir(*name) != file) {
      out.warnings.push_back("skipped " + e.path().string() + " (not a folder name)");
      continue;
    }
    others.push_back(load_folder(*name, e.path(), out.warnings));
  }
  std::sort(others.begin(), others.end(),
            [](const DiskFolder& a, const DiskFolder& b) { return a.name < b.name; });
  for (auto& f : others) out.folders.push_back(std::move(f));

  bool ok = false;
  const std::string subs = slurp(home / kSubscriptionsFile, ok);
  if (ok) {
    std::vector<std::string> names;
    std::size_t start = 0;
    for (std::size_t i = 0; i < subs.size(); ++i) {
      if (subs[i] != '\n') continue;
      if (i > start) names.push_back(subs.substr(start, i - start));
      start = i + 1;
    }
    out.subscriptions = std::move(names);
  }
  return out;
}

}  // namespace net::store

// Reading one account's Maildir back at `serve --maildir` start-up (layout: maildir_names.hpp).
// Messages come back with CRLF line ends, their flags from the info suffix, their UID from
// the ",U=" field and their internal date from the file's mtime.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "net/store/maildir_uidlist.hpp"

namespace net::store {

inline constexpr const char* kSubscriptionsFile = "mailsim-subscriptions";

struct DiskMessage {
  uint32_t uid = 0;
  std::string base;  // file name up to ':'
  std::string info;  // flag letters ("" for new/)
  bool in_cur = false;
  std::string file;  // the file's name in new/ or cur/
  std::string data;  // CRLF
  int64_t mtime = 0;
};

struct DiskFolder {
  std::string name;                   // "INBOX", "Projects/2026"
  std::filesystem::path dir;          // the folder's Maildir (INBOX: the account directory)
  std::optional<UidList> list;        // as read; nullopt: missing or malformed
  uint32_t uid_next = 1;              // above the list's UIDNEXT and every file's UID
  std::vector<DiskMessage> messages;  // ascending UIDs
};

struct AccountOnDisk {
  bool exists = false;                                    // the account directory was there
  std::vector<DiskFolder> folders;                        // INBOX first, then by name
  std::optional<std::vector<std::string>> subscriptions;  // nullopt: no file
  std::vector<std::string> warnings;  // what was repaired or skipped, for the log
};

// Reads root/<address>. Repairs as it goes, so the directory is consistent afterwards:
// leftovers in tmp/ (interrupted writes) are deleted, a missing new/ cur/ tmp/ is created,
// and a file without a usable ",U=" (or with a UID another file of the folder already has)
// gets the next free UID and is renamed to carry it. Directories whose names are not
// folder names and entries that are not regular files are skipped with a warning.
// Throws MaildirError when the directory cannot be read or repaired.
AccountOnDisk load_maildir_account(const std::filesystem::path& root, const std::string& address);

}  // namespace net::store

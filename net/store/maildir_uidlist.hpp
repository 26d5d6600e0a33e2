// The per-folder list `serve --maildir` keeps next to new/ and cur/ ("mailsim-uidlist"):
//
//   mailsim-uidlist 1 V<uidvalidity> N<uidnext>
//   a $Label1
//   b project-x
//
// The first line carries the folder's UIDVALIDITY and UIDNEXT (RFC 3501 §2.3.1.1); each
// further line names the keyword of one info letter (a-z, in order). Message UIDs live in
// the file names (",U=<uid>", see maildir_names.hpp), so a delivery never rewrites this
// list: it is rewritten (tmp, fsync, rename, fsync of the folder) when a folder is made,
// when a keyword is first used and before a file whose UID is not below the recorded
// UIDNEXT is removed, so that no UID is ever handed out twice under one UIDVALIDITY.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace net::store {

inline constexpr const char* kUidListFile = "mailsim-uidlist";

struct UidList {
  uint32_t uid_validity = 0;
  uint32_t uid_next = 1;
  std::vector<std::string> keywords;  // keywords[i] is info letter 'a' + i
  bool operator==(const UidList&) const = default;
};

// nullopt when the text is not a well-formed list (unknown header, zero UIDVALIDITY,
// keyword lines out of order or malformed).
std::optional<UidList> parse_uid_list(std::string_view text);
std::string format_uid_list(const UidList& list);

// Reads folder/mailsim-uidlist: nullopt if missing or malformed (`why` says which).
std::optional<UidList> read_uid_list(const std::filesystem::path& folder, std::string& why);
// Writes folder/mailsim-uidlist atomically and durably. Throws MaildirError.
void write_uid_list(const std::filesystem::path& folder, const UidList& list);

}  // namespace net::store

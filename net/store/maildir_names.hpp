// How `serve --maildir` names things on disk (Maildir++ layout, see README "Durable serve"):
//
//   DIR/<address>/                   INBOX (new/ cur/ tmp/ and the folder's mailsim-uidlist)
//   DIR/<address>/.Sent/             folder "Sent"
//   DIR/<address>/.Projects.2026/    folder "Projects/2026" (IMAP delimiter "/" → ".")
//
// A '.', '/', '%' or control byte inside one level of a name is written %XX.
// A message file is "<unique>,U=<uid>" in new/, or "<unique>,U=<uid>:2,<info>" in cur/,
// where info holds the Maildir flag letters in ASCII order (https://cr.yp.to/proto/maildir.html):
// D \Draft, F \Flagged, P passed ($Forwarded, RFC 5550), R replied (\Answered), S \Seen,
// T trashed (\Deleted), then a-z for keywords numbered in the folder's uid list.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace net::store {

// "" for INBOX, ".Sent", ".Projects.2026"; empty optional if the name cannot be stored.
std::optional<std::string> maildir_folder_dir(std::string_view folder);
// The IMAP name of a Maildir++ directory (".Projects.2026" → "Projects/2026"); empty optional
// for anything that is not a folder directory (no leading '.', "." or "..", bad escapes).
std::optional<std::string> maildir_folder_name(std::string_view dir);

// One message file name taken apart.
struct MaildirFileName {
  std::string base;  // up to ':' (unique part and ",U=")
  uint32_t uid = 0;  // 0: no usable ",U=" in base
  std::string info;  // after ":2,", "" if none
};
MaildirFileName parse_maildir_file_name(std::string_view name);
// base with its ",U=" field set to uid (replaced if present, else appended).
std::string maildir_base_with_uid(std::string_view base, uint32_t uid);

// IMAP flags → info letters; a keyword gets the letter of its index in `keywords` (a new
// keyword is appended there when fewer than 26 are known, else it cannot be stored and is
// returned in `dropped`).
std::string maildir_info(const std::vector<std::string>& flags, std::vector<std::string>& keywords,
                         std::vector<std::string>* dropped = nullptr);
// Info letters → IMAP flags; unknown letters are ignored.
std::vector<std::string> maildir_flags(std::string_view info,
                                       const std::vector<std::string>& keywords);

}  // namespace net::store

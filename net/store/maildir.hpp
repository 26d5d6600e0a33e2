// Maildir delivery for `mailsim serve --maildir DIR`: one folder per mailbox address,
// each message written to tmp/ and then renamed into new/ so that a reader never sees a
// partial file (Maildir: https://cr.yp.to/proto/maildir.html).
//
// The message is stored with LF line endings, as qmail and Dovecot do by default: each
// CRLF received over SMTP becomes LF; a lone CR or LF is kept as it is.
//
// No clock is read here: the caller builds the unique file name (see maildir_unique_name).
#pragma once

#include <cstdint>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <string_view>

namespace net::store {

// Thrown when a mailbox folder or message file cannot be created or written; what()
// names the path and the operating system's reason.
class MaildirError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// "<unix_time>.P<pid>Q<seq>.<host>", the Maildir naming convention; '/' and ':' in host
// are written as "\057" and "\072" as the convention asks.
std::string maildir_unique_name(std::int64_t unix_time, std::uint64_t pid, std::uint64_t seq,
                                std::string_view host);

// Creates root/<address>/{tmp,new,cur} as needed, writes `data` (CRLF → LF) to
// tmp/<unique_name>, flushes it to disk, renames it to new/<unique_name> and flushes new/.
// Returns the final path. Throws MaildirError on any failure (the tmp file is removed).
// `address` must be usable as one folder name (no '/', not "." or "..", not empty).
std::filesystem::path write_maildir(const std::filesystem::path& root, std::string_view address,
                                    std::string_view data, std::string_view unique_name);

// CRLF → LF, the conversion write_maildir applies.
std::string crlf_to_lf(std::string_view data);
// LF → CRLF for a message read back from a Maildir (an existing CRLF stays as it is).
std::string lf_to_crlf(std::string_view data);

// Flushes a directory's entries (a rename or unlink in it) to disk. Throws MaildirError.
void sync_dir(const std::filesystem::path& dir);
// Creates dir and its missing parents, flushing each parent that gained an entry.
void make_dir_durable(const std::filesystem::path& dir);
// The durable write of one message into the Maildir folder `folder` (which has tmp/, new/,
// cur/): tmp/<name> written (CRLF → LF), its mtime set to `mtime` (the IMAP internal date),
// fsync'd, renamed to new/<name> (info empty) or cur/<name>:2,<info>, and that directory
// fsync'd. Returns the final path; throws MaildirError (the tmp file is removed).
std::filesystem::path write_maildir_file(const std::filesystem::path& folder, std::string_view name,
                                         std::string_view info, std::string_view data,
                                         std::int64_t mtime);
// Replaces `file` atomically and durably: file.tmp written, fsync'd, renamed over it, and
// the directory fsync'd. Throws MaildirError.
void write_file_durable(const std::filesystem::path& file, std::string_view text);
// rename(2) then fsync of both directories. Throws MaildirError.
void rename_durable(const std::filesystem::path& from, const std::filesystem::path& to);

}  // namespace net::store

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
// tmp/<unique_name>, flushes it to disk and renames it to new/<unique_name>.
// Returns the final path. Throws MaildirError on any failure (the tmp file is removed).
// `address` must be usable as one folder name (no '/', not "." or "..", not empty).
std::filesystem::path write_maildir(const std::filesystem::path& root, std::string_view address,
                                    std::string_view data, std::string_view unique_name);

// CRLF → LF, the conversion write_maildir applies.
std::string crlf_to_lf(std::string_view data);

}  // namespace net::store

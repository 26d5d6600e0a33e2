// One-line descriptions of messages for the trace's mailbox events (server and device
// stores use the same wording so the views can compare them).
#pragma once

#include <string>
#include <vector>

namespace sim {

// "From: ana@sender.example | Subject: Lunch on Friday?"
std::string mail_summary(const std::string& data);
// The same line from fields already known (a device's store keeps them).
std::string summary_line(const std::string& from, const std::string& subject);
// The header's Subject (unfolded) or "(none)".
std::string mail_subject(const std::string& data);
// The header's From or "?".
std::string mail_from(const std::string& data);
// "\Seen \Flagged"
std::string join_flags(const std::vector<std::string>& flags);

}  // namespace sim

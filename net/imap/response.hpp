// Building IMAP response text (RFC 3501 §4, §7): strings are sent as atoms, quoted
// strings or literals depending on their content, and dates in IMAP's own formats.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace net::imap {

// A quoted string when the text is short 7-bit without CR/LF, else a literal "{n}\r\n..."
// (RFC 3501 §4.3).
std::string quote(std::string_view s);
// NIL for nullopt, else quote() (RFC 3501 §4.5 nstring).
std::string nstring(const std::optional<std::string>& s);
// A mailbox name as astring: a bare atom when possible (RFC 3501 §9 mailbox).
std::string astring(std::string_view s);
// "(\Seen $Label)" (RFC 3501 §7.2.6 flag-list).
std::string flag_list(const std::vector<std::string>& flags);

// "17-Jul-1996 02:44:25 +0000" (RFC 3501 §9 date-time, without the quotes), UTC.
std::string format_internal_date(int64_t t);
// "17-Jul-1996 02:44:25 -0700" or with a one-digit day " 7-Jul-..."/"7-Jul-...".
std::optional<int64_t> parse_internal_date(std::string_view s);
// "1-Feb-1994" (RFC 3501 §9 date-text): the unix time of that day's 00:00 UTC.
std::optional<int64_t> parse_search_date(std::string_view s);
// Days since 1970-01-01 to (year, month 1..12, day) and back (proleptic Gregorian).
int64_t days_from_civil(int64_t y, unsigned m, unsigned d);

}  // namespace net::imap

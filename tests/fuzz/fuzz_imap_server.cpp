// Fuzz target: IMAP command input — net::imap::CommandReader (lines, synchronising and
// LITERAL+ literals, limits) and the server engine behind it (argument Cursor, every
// command, FETCH/SEARCH/STORE on a mailbox holding a plain and a MIME multipart message,
// IDLE and AUTHENTICATE continuations, the failed-login penalty released at once).
#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz_util.hpp"
#include "net/imap/parser.hpp"
#include "net/imap/server.hpp"
#include "net/store/mailstore.hpp"

namespace {

constexpr std::int64_t kNow = 1795683600;

const char* kPlain =
    "From: Ana <ana@sender.example>\r\nTo: bob@recipient.example\r\nSubject: Lunch\r\n"
    "Date: Thu, 26 Nov 2026 08:00:00 +0000\r\nMessage-ID: <1@sender.example>\r\n\r\n"
    "Shall we meet at noon?\r\n";
const char* kMime =
    "From: \"Carol C.\" <carol@recipient.example>\r\nTo: bob@recipient.example\r\n"
    "Subject: =?UTF-8?Q?Relat=C3=B3rio?=\r\nMIME-Version: 1.0\r\n"
    "Content-Type: multipart/mixed; boundary=\"b1\"\r\n\r\npreamble\r\n--b1\r\n"
    "Content-Type: text/plain; charset=utf-8\r\n\r\nSee attached.\r\n--b1\r\n"
    "Content-Type: message/rfc822\r\n\r\nSubject: inner\r\n\r\ninner body\r\n--b1\r\n"
    "Content-Type: application/pdf; name=r.pdf\r\nContent-Transfer-Encoding: base64\r\n"
    "Content-Disposition: attachment; filename=r.pdf\r\n\r\nJVBERi0=\r\n--b1--\r\n";

std::string run(std::string_view input, bool chunked) {
  net::store::Mailstore store;
  store.add_account({"bob@recipient.example", "bob", "bobpw"});
  store.deliver("bob@recipient.example", kPlain, kNow - 3600);
  store.deliver("bob@recipient.example", kMime, kNow);
  net::imap::ServerConfig cfg;
  cfg.limits.max_literal = 256 * 1024;
  cfg.starttls = true;  // no handshake follows: input after STARTTLS is discarded
  net::imap::Server server(cfg, store, [] { return kNow; });
  return fuzz::drive(server, input, chunked);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto input = fuzz::as_text(data, size);
  fuzz::require_same(run(input, false), run(input, true), "imap server");
  // The reader alone, with small limits so over-long lines and literals are reached.
  net::imap::CommandReader reader({64, 32});
  reader.feed(input);
  while (auto r = reader.next()) {
    if (r->kind != net::imap::ReadResult::Kind::Command) continue;
    net::imap::Cursor a(r->text);
    if (!a.atom() || !a.sp()) continue;  // tag
    a.atom();
    while (a.sp()) {
      if (!a.astring() && !a.flag_list() && !a.sequence_set() && a.word().empty()) break;
    }
  }
  return 0;
}

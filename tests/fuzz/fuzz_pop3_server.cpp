// Fuzz target: the POP3 server engine's input (net::pop3::Server::feed) — USER/PASS, APOP,
// AUTH PLAIN continuations, LIST/RETR/TOP/UIDL/DELE on a mailbox with three messages,
// over-long lines, the failed-login penalty (released at once) and STLS (offered; no
// handshake follows, so whatever comes after it is discarded, split or not).
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "fuzz_util.hpp"
#include "net/pop3/server.hpp"
#include "net/store/mailstore.hpp"

namespace {

std::string run(std::string_view input, bool chunked) {
  net::store::Mailstore store;
  store.add_account({"bob@recipient.example", "bob", "bobpw"});
  store.deliver("bob@recipient.example",
                "From: ana@sender.example\r\nSubject: one\r\n\r\nHi\r\n.leading dot\r\n.\r\n", 1);
  store.deliver("bob@recipient.example", "Subject: two\r\n\r\nline 1\r\nline 2\r\n", 2);
  store.deliver("bob@recipient.example", "Subject: three\r\n\r\n", 3);
  net::pop3::ServerConfig cfg;
  cfg.apop_process = 1896;
  cfg.apop_clock = 697170952;
  cfg.uidl_validity = 7;
  cfg.starttls = true;
  cfg.apop_secret = [](std::string_view login) -> std::optional<std::string> {
    if (login == "bob") return std::string("bobpw");
    return std::nullopt;
  };
  net::pop3::Server server(cfg, store);
  return fuzz::drive(server, input, chunked);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto input = fuzz::as_text(data, size);
  fuzz::require_same(run(input, false), run(input, true), "pop3 server");
  return 0;
}

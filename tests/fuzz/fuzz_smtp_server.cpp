// Fuzz target: the SMTP server engine's command input (net::smtp::Server::feed) — commands,
// AUTH exchanges, DATA with dot-stuffing, BDAT-less pipelining, over-long lines. The input
// is what a client sends; the recipient policy and store are real.
#include <cstddef>
#include <cstdint>

#include "fuzz_util.hpp"
#include "net/smtp/recipient_policy.hpp"
#include "net/smtp/server.hpp"
#include "net/store/mailstore.hpp"

namespace {

std::string run(std::string_view input, bool chunked) {
  net::store::Mailstore store;
  store.add_domain("recipient.example");
  store.add_account({"bob@recipient.example", "bob", "bobpw"});
  net::smtp::ServerConfig cfg;
  cfg.offer_auth = true;
  cfg.max_message_size = 64 * 1024;
  net::smtp::RecipientPolicy policy(store, cfg.hostname, [] { return std::int64_t{1795683600}; });
  net::smtp::Server server(cfg, policy);
  return fuzz::drive(server, input, chunked);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto input = fuzz::as_text(data, size);
  fuzz::require_same(run(input, false), run(input, true), "smtp server");
  return 0;
}

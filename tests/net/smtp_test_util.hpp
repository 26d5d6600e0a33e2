// Shared helpers for the SMTP tests: a real Mailstore + RecipientPolicy + Server.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "net/smtp/recipient_policy.hpp"
#include "net/smtp/server.hpp"
#include "net/store/mailstore.hpp"

namespace testutil {

inline constexpr int64_t kNow = 1795683600;  // Thu, 26 Nov 2026 09:00:00 +0000

struct ServerRig {
  net::store::Mailstore store;
  net::smtp::RecipientPolicy policy;
  net::smtp::Server server;

  explicit ServerRig(const net::smtp::ServerConfig& cfg = {})
      : policy(store, cfg.hostname, [] { return kNow; }), server(cfg, policy) {
    store.add_account({"bob@recipient.example", "bob", "bobpw"});
    store.add_account({"carol@recipient.example", "carol", "carolpw"});
    store.add_account({"ana@sender.example", "ana", "s3cret!"});
    server.on_connect("10.0.0.2", "laptop.sender.example");
    server.take_output();
  }

  // Feeds bytes (whole, or one byte at a time) and returns what the server wrote.
  std::string send(std::string_view bytes, bool bytewise = false) {
    if (!bytewise) {
      server.feed(bytes);
    } else {
      for (char c : bytes) server.feed(std::string_view(&c, 1));
    }
    return server.take_output();
  }

  size_t stored(std::string_view addr) const {
    auto* m = store.messages(addr);
    return m ? m->size() : 0;
  }
};

inline std::vector<std::string> split_lines(std::string_view s) {
  std::vector<std::string> out;
  size_t pos = 0;
  while (pos < s.size()) {
    size_t e = s.find("\r\n", pos);
    if (e == std::string_view::npos) {
      out.emplace_back(s.substr(pos));
      break;
    }
    out.emplace_back(s.substr(pos, e - pos));
    pos = e + 2;
  }
  return out;
}

}  // namespace testutil

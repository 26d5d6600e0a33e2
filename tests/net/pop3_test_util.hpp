// Shared helpers for the POP3 tests: a real Mailstore + pop3::Server.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "net/pop3/server.hpp"
#include "net/store/mailstore.hpp"

namespace pop3test {

// Header, a dot-starting body line, a lone dot line and a ".." line: dot-stuffing material.
inline const std::string kMsg1 =
    "From: ana@sender.example\r\nTo: bob@recipient.example\r\nSubject: one\r\n\r\n"
    "Hello Bob,\r\n.a line with a leading dot\r\n.\r\n..\r\nbye\r\n";
inline const std::string kMsg2 =
    "From: carol@recipient.example\r\nSubject: two\r\n\r\nline 1\r\nline 2\r\nline 3\r\n";
inline const std::string kMsg3 = "Subject: three\r\n\r\nshort\r\n";

inline net::pop3::ServerConfig config(std::uint64_t owner = 1) {
  net::pop3::ServerConfig c;
  c.hostname = "pop.recipient.example";
  c.apop_process = 1896;
  c.apop_clock = 697170952;
  c.lock_owner = owner;
  c.uidl_validity = 7;
  c.apop_secret = [](std::string_view login) -> std::optional<std::string> {
    if (login == "bob" || login == "bob@recipient.example") return std::string("bobpw");
    return std::nullopt;
  };
  return c;
}

inline void fill(net::store::Mailstore& store) {
  store.add_account({"bob@recipient.example", "bob", "bobpw"});
  store.add_account({"carol@recipient.example", "carol", "carolpw"});
  store.deliver("bob@recipient.example", kMsg1, 1);
  store.deliver("bob@recipient.example", kMsg2, 2);
  store.deliver("bob@recipient.example", kMsg3, 3);
}

struct Rig {
  net::store::Mailstore own;
  net::store::Mailstore& store;
  net::pop3::Server server;
  bool bytewise;
  std::string greeting;

  explicit Rig(bool bw = false, const net::pop3::ServerConfig& cfg = config())
      : store(own), server(cfg, own), bytewise(bw) {
    fill(own);
    start();
  }
  Rig(net::store::Mailstore& shared, bool bw, const net::pop3::ServerConfig& cfg)
      : store(shared), server(cfg, shared), bytewise(bw) {
    start();
  }
  void start() {
    server.on_connect("10.0.0.2", "laptop.sender.example");
    greeting = server.take_output();
  }

  // Feeds bytes (whole, or one byte at a time) and returns what the server wrote.
  std::string send(std::string_view bytes) {
    if (!bytewise) {
      server.feed(bytes);
    } else {
      for (char c : bytes) server.feed(std::string_view(&c, 1));
    }
    return server.take_output();
  }
  std::string login() { return send("USER bob\r\nPASS bobpw\r\n"); }
  std::size_t stored(std::string_view addr = "bob@recipient.example") const {
    auto* m = store.messages(addr);
    return m ? m->size() : 0;
  }
};

inline std::vector<net::LineEvent> lines_of(const net::EngineEvents& ev) {
  std::vector<net::LineEvent> out;
  for (const auto& e : ev)
    if (auto* l = std::get_if<net::LineEvent>(&e)) out.push_back(*l);
  return out;
}

inline std::vector<std::string> states_of(const net::EngineEvents& ev) {
  std::vector<std::string> out;
  for (const auto& e : ev)
    if (auto* s = std::get_if<net::StateEvent>(&e)) out.push_back(s->from + ">" + s->to);
  return out;
}

}  // namespace pop3test

// Shared helpers for the IMAP tests: a Mailstore with two accounts and IMAP sessions on it.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "net/imap/server.hpp"
#include "net/store/mailstore.hpp"

namespace imaptest {

inline constexpr int64_t kNow = 1795683600;  // Thu, 26 Nov 2026 09:00:00 +0000

inline const char* kMsg1 =
    "From: Ana <ana@sender.example>\r\n"
    "To: bob@recipient.example\r\n"
    "Subject: Lunch\r\n"
    "Date: Thu, 26 Nov 2026 08:00:00 +0000\r\n"
    "Message-ID: <1@sender.example>\r\n"
    "\r\n"
    "Shall we meet at noon?\r\n";
inline const char* kMsg2 =
    "From: \"Carol C.\" <carol@recipient.example>\r\n"
    "To: bob@recipient.example, ana@sender.example\r\n"
    "Subject: Report\r\n"
    "\r\n"
    "The quarterly report is attached.\r\nBye\r\n";

struct Session {
  net::imap::Server server;
  Session(net::store::Mailstore& store, const net::imap::ServerConfig& cfg = {})
      : server(cfg, store, [] { return kNow; }) {
    server.on_connect("10.0.0.2", "laptop.recipient.example");
    server.take_output();
    server.take_events();
  }
  std::string send(std::string_view bytes, bool bytewise = false) {
    if (!bytewise) {
      server.feed(bytes);
    } else {
      for (char c : bytes) server.feed(std::string_view(&c, 1));
    }
    return server.take_output();
  }
  void login() { send("L1 LOGIN bob bobpw\r\n"); }
  void select(std::string_view box = "INBOX") {
    login();
    send("S1 SELECT " + std::string(box) + "\r\n");
  }
};

struct Rig {
  net::store::Mailstore store;
  Rig() {
    store.add_account({"bob@recipient.example", "bob", "bobpw"});
    store.add_account({"carol@recipient.example", "carol", "carolpw"});
  }
  void two_messages() {
    store.deliver("bob@recipient.example", kMsg1, kNow - 3600);
    store.deliver("bob@recipient.example", kMsg2, kNow);
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

}  // namespace imaptest

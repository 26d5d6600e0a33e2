// Private to the IMAP client engine (net/imap/client*.cpp): the state behind
// net::imap::Client. client.cpp reads and describes responses and writes commands;
// client_ops.cpp turns each ClientOp into commands.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <set>
#include <string>
#include <vector>

#include "net/imap/client.hpp"
#include "net/imap/response_reader.hpp"

namespace net::imap {

// The most messages one folder may hold for this client (RFC 3501 sets no limit; real
// mailboxes stay far below): beyond it the session ends instead of allocating gigabytes.
inline constexpr std::uint32_t kMaxMessages = 5'000'000;

struct Client::Impl {
  using OnDone = std::function<void(const Response&)>;

  Impl(Client& client, ClientJob j) : c(client), job(std::move(j)) {}

  Client& c;
  ClientJob job;
  ResponseReader reader;

  // ---- the running command ----
  unsigned next_tag = 1;
  std::string tag;  // empty: no command running
  std::string verb, meaning, rfc;
  std::string wire;  // the command with literals inline, still to be written from wire_pos
  std::size_t wire_pos = 0;
  std::size_t literal_size = 0;               // Literal: octets waiting for "+"
  ClientState resume = ClientState::Command;  // the state to return to after a "+"
  std::vector<std::string> secrets;           // substrings to redact in this command's lines
  OnDone on_done;

  // ---- the session ----
  bool logged_in = false;
  bool tls = false;  // the session is encrypted
  bool failed = false;
  bool bye_seen = false;
  std::size_t op_index = 0;
  ClientOp::Kind op_kind = ClientOp::Kind::Noop;  // the op being run
  std::deque<std::function<void()>> todo;         // further commands of the running op

  // The folder that untagged EXISTS / EXPUNGE / FETCH refer to (selected or being selected)
  // and the UID of each sequence number there (0: not known yet).
  std::string active;
  bool read_only = false;
  std::vector<std::uint32_t> seq;
  bool catchup = false;  // messages arrived whose UIDs the client should fetch

  bool listing = false;                // SyncAll's LIST: collect the selectable folders
  std::vector<std::string> listed;     // in the server's order, each once
  std::set<std::string> listed_names;  // the same names, to look up (a LIST may be long)
  std::set<std::string> listed_empty;  // LIST-STATUS said: no messages, and gave UIDVALIDITY
  std::string status_of;               // the folder a running STATUS asks about
  bool status_seen = false;            // its "* STATUS" gave MESSAGES and a UIDVALIDITY

  bool idle = false;  // an IDLE command is running
  bool idle_done_sent = false, idle_stop = false, idle_change = false;

  // client.cpp
  void enter(ClientState s);
  bool has(std::string_view capability) const;
  void problem(std::string what);
  void fail(std::string what);   // records it, then LOGOUT
  void fatal(std::string what);  // records it and ends the session at once
  void finish();
  void command(const std::string& text, std::string verb_label, std::string what, std::string where,
               OnDone done, ClientState running = ClientState::Command);
  void push_wire();
  void emit(std::string text, LineKind kind, std::string label, std::string what,
            std::string where);
  void send_raw_line(const std::string& line, std::string label, std::string what,
                     std::string where, std::string secret = {});
  void on_item(const ReaderItem& item);
  void on_response(const Response& r);
  void on_untagged(const Response& r);
  void on_tagged(const Response& r);
  void on_continuation(const Response& r);
  void on_fetch(const Response& r);
  void on_status(const Response& r);
  void describe(const ReaderItem& item);
  FolderView* folder();
  void set_capabilities(const std::vector<Value>& atoms);
  void send_done();

  // client_ops.cpp
  void greeted(const Response& r);
  void secure();  // STARTTLS first when the job or the server asks for it, then login()
  void login();
  void advance();  // the next command: a catch-up FETCH, the op's next step, or LOGOUT
  void start_op(const ClientOp& op);
  // SyncAll's LIST: with_status asks the counters too (LIST-STATUS, RFC 5819); a server that
  // offers it but refuses the command is asked again without.
  void list_all(bool with_status);
  void logout();
  void select(const std::string& mailbox, bool examine);
  // SyncAll, per folder: SELECT for INBOX (or the selected one), else STATUS first and
  // SELECT only if it holds mail
  void peek(const std::string& mailbox);
  // INBOX, where new mail lands, and the selected folder, whose news come unasked (RFC 3501
  // §6.3.10): SyncAll opens them without asking their counters first.
  bool opened_always(const std::string& mailbox) const {
    return mailbox == "INBOX" || mailbox == active;
  }
  void fetch_new();
  bool need_selected(const char* what);
  void move(const ClientOp& op);
  void idle_start();
  std::string arg(const std::string& s) const;  // atom, quoted string or literal
  OnDone expect_ok(std::string what);           // NO/BAD become a problem
};

std::string uid_set(std::vector<std::uint32_t> uids);  // "1,3:5"; "1:*" when empty

}  // namespace net::imap

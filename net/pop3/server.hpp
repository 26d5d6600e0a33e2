// POP3 server engine (RFC 1939) with CAPA and response codes (RFC 2449), SASL PLAIN
// (RFC 5034, RFC 4616) and STLS (RFC 2595 §4). Sans-I/O: the driver feeds bytes and writes
// take_output().
//
// TLS is the driver's job: after the engine answered STLS with +OK, wants_tls() tells the
// driver to run the handshake; once it succeeded the driver calls on_tls_established() and
// from then on feeds decrypted bytes. Anything the client sent after STLS in the same burst
// is discarded, never executed under TLS (the command-injection flaw CVE-2011-0411). With
// auth_needs_tls, logins are refused before TLS ("-ERR [AUTH] Plaintext authentication
// disallowed ...", as Dovecot answers) and CAPA advertises neither USER nor SASL.
//
// Mailbox: the INBOX of store::Mailstore. At login the engine locks the mailbox
// (Mailstore::lock with cfg.lock_owner, RFC 1939 §8) and takes a snapshot of its messages;
// message numbers refer to that snapshot for the whole session, so mail delivered meanwhile
// is not visible (RFC 1939 §3). DELE only marks; marked messages are removed in the
// UPDATE state after QUIT (RFC 1939 §6). A dropped connection or an idle timeout removes
// nothing and releases the lock.
//
// Failed logins: after cfg.free_login_failures failed attempts, the reply to every further
// attempt is withheld for cfg.penalty_ms (RFC 1939 §13 suggests slowing guessing down). The
// engine has no clock, so it only reports the wait: penalty_ms() > 0 means "do not write
// anything more yet"; the driver waits that long and calls end_penalty(), which releases
// the held reply and processes any input that arrived meanwhile.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "net/engine_event.hpp"
#include "net/engine_io.hpp"

namespace net {
class LineBuffer;
struct Line;
}  // namespace net

namespace net::store {
class Mailstore;
}

namespace net::pop3 {

enum class ServerState {
  Authorization,  // greeting sent, waiting for USER/PASS, APOP or AUTH (RFC 1939 §4)
  Transaction,    // logged in, mailbox locked (RFC 1939 §5)
  Update,         // after QUIT: marked messages are removed (RFC 1939 §6)
  Closed,         // connection over
};
const char* to_string(ServerState s);

struct ServerConfig {
  std::string hostname = "pop.recipient.example";
  // APOP timestamp parts (RFC 1939 §7), from the driver: the greeting carries
  // "<apop_process.apop_clock@hostname>"; both should differ per connection.
  std::uint64_t apop_process = 1;
  std::uint64_t apop_clock = 0;
  // Owner id for Mailstore::lock; unique per session (e.g. the connection id). Not 0.
  std::uint64_t lock_owner = 1;
  // Part of every UIDL ("<validity>.<uid>"); 0 uses the INBOX's UIDVALIDITY from the store
  // (the same number IMAP shows). Set it when the store's UIDs may start again from 1.
  std::uint32_t uidl_validity = 0;
  // APOP needs the shared secret in clear: returns the password for a login (or address),
  // or nullopt. Without it APOP always fails.
  std::function<std::optional<std::string>(std::string_view login)> apop_secret;
  // Command lines longer than this (octets incl. CRLF) get -ERR; the session survives.
  // RFC 2449 §4 lets commands reach 255 octets; we accept up to the 512 of a response.
  std::size_t max_line = 512;
  int free_login_failures = 3;  // then every login attempt's reply waits penalty_ms
  int penalty_ms = 2000;
  int max_bad_commands = 20;  // then -ERR and close
  std::string implementation = "mailsim";
  bool starttls = false;  // offer STLS (the driver holds a certificate), RFC 2595 §4
  bool tls = false;       // the connection is encrypted from the start (995, RFC 8314)
  // USER/PASS, APOP and AUTH neither advertised nor accepted before TLS. Off only when a
  // lesson shows plaintext on purpose.
  bool auth_needs_tls = false;
  // RETR and TOP: one Data event per message line, each with its meaning (header field,
  // body line, doubled dot), as the simulator shows them. Off: one Data event for the whole
  // body (its text holds the lines, CRLF between them) and one for the "." line; the bytes
  // sent are the same. `mailsim serve` turns it off when it records no trace.
  bool body_line_events = true;
};

// Appends `data` (a message, lines ended by CRLF or LF) to `out` as the body of a
// multi-line response: each line ended by CRLF, a line starting with "." sent with one more
// "." in front, then the terminating ".\r\n" (RFC 1939 §3). A last line without a line end
// is sent as a whole line. With top_lines, only the header, the empty line and that many
// body lines (TOP, RFC 1939 §7). `line`, if set, is called with every line as sent (without
// its CRLF), whether it was dot-stuffed and whether it is past the header. Returns the
// number of lines before the ".".
std::size_t append_dot_stuffed(
    std::string& out, std::string_view data, std::optional<std::size_t> top_lines,
    const std::function<void(std::string_view line, bool stuffed, bool in_body)>& line);

struct CommandInfo {
  const char* verb;
  const char* syntax;
  const char* help;  // one plain-language sentence (also the meaning shown to students)
  const char* rfc;
  std::vector<ServerState> allowed;
};

class Server : public net::EngineIo {
 public:
  Server(ServerConfig cfg, store::Mailstore& store);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  void on_connect(std::string peer_ip, std::string peer_host);  // queues the +OK greeting
  void feed(std::string_view bytes);
  bool wants_close() const { return close_; }  // close after flushing output
  void on_disconnect();  // peer vanished: nothing is deleted, the lock is released
  void on_timeout();     // autologout (RFC 1939 §3): -ERR, close, nothing deleted
  bool wants_tls() const { return tls_wait_; }  // +OK sent to STLS: run the handshake now
  void on_tls_established();                    // encrypted from now on; the client re-issues CAPA
  bool tls_active() const { return tls_; }

  // Failed-login penalty (see the top of this file).
  int penalty_ms() const { return holding_ ? cfg_.penalty_ms : 0; }
  void end_penalty();

  ServerState state() const { return state_; }
  const std::string& user() const { return address_; }         // mailbox address once logged in
  const std::string& timestamp() const { return timestamp_; }  // "<n.m@host>" for APOP

  // "<validity>.<uid>": the UIDL of a store message (RFC 1939 §7; chars 0x21-0x7E).
  static std::string uidl_of(std::uint32_t validity, std::uint32_t uid);

  // The one command table (the GUI draws the state diagram from it).
  static const std::vector<CommandInfo>& commands();

 private:
  struct Entry;
  struct Msg {
    std::uint32_t uid = 0;
    std::size_t size = 0;
    bool deleted = false;
  };

  void enter_state(ServerState s);
  void ok(const std::string& text, std::string_view meaning, std::string_view rfc);
  void err(const std::string& text, std::string_view meaning, std::string_view rfc);
  void reply_line(const std::string& line, std::string meaning, std::string rfc);
  void data_line(const std::string& line, std::string meaning, std::string rfc);
  // The event of a data line whose bytes are already in out_ (data_line writes both).
  void data_event(std::string line, std::string meaning, std::string rfc);
  void send_body(std::string_view data, std::optional<std::size_t> top_lines);
  // A command read, as a LineEvent (sent=false); with report_received off (EngineIo) only
  // one that carries a secret. Views: skipped lines copy nothing.
  void parsed(std::string_view text, std::string_view label, std::string_view meaning,
              std::string_view rfc, std::string_view secret = {});
  void bad(const std::string& text, std::string_view meaning, std::string_view rfc);
  void process();
  void on_line(const Line& line);
  void on_command(const Line& line);
  void on_auth_line(const Line& line);
  void login(const std::optional<std::string>& address, std::string_view how);
  void fail_login(std::string_view meaning);
  void hold_if_penalized();
  void release();
  // Parses a message number; on failure sends -ERR and returns nullopt.
  std::optional<std::size_t> msg_arg(std::string_view arg, bool allow_deleted = false);
  const std::string* body_of(const Msg& m);
  std::size_t live_count() const;
  std::size_t live_size() const;

  // Command handlers (server_commands.cpp).
  void cmd_user(std::string_view args);
  void cmd_pass(std::string_view args);
  void cmd_apop(std::string_view args);
  void cmd_auth(std::string_view args);
  void cmd_capa(std::string_view args);
  void cmd_stat(std::string_view args);
  void cmd_list(std::string_view args);
  void cmd_retr(std::string_view args);
  void cmd_dele(std::string_view args);
  void cmd_noop(std::string_view args);
  void cmd_rset(std::string_view args);
  void cmd_quit(std::string_view args);
  void cmd_top(std::string_view args);
  void cmd_uidl(std::string_view args);
  void cmd_stls(std::string_view args);
  bool refuse_plaintext_login();  // auth_needs_tls before TLS: -ERR [AUTH], true
  static const Entry* find(std::string_view verb);

  ServerConfig cfg_;
  store::Mailstore& store_;
  std::unique_ptr<LineBuffer> lines_;
  ServerState state_ = ServerState::Authorization;
  std::string peer_ip_, peer_host_;
  std::string timestamp_;
  bool close_ = false;
  bool connected_ = false;
  int bad_commands_ = 0;
  bool tls_ = false;       // the session is encrypted
  bool tls_wait_ = false;  // +OK sent to STLS, the handshake has not finished

  // AUTHORIZATION
  std::string user_;        // from USER
  bool auth_wait_ = false;  // AUTH PLAIN sent "+ ", waiting for the response line
  int failed_logins_ = 0;
  bool holding_ = false;  // a login reply is withheld (penalty)
  std::string held_out_;
  EngineEvents held_events_;

  // TRANSACTION
  std::string address_;
  bool locked_ = false;
  std::vector<Msg> msgs_;       // the snapshot taken at login; index = number - 1
  std::uint32_t validity_ = 0;  // for UIDL
};

}  // namespace net::pop3

// IMAP4rev1 client engine (RFC 3501) for a device's mail app: log in, run a list of
// operations (sync folders, fetch bodies, store flags, move, expunge, append, idle), LOG OUT.
// Sans-I/O: the driver feeds the server's bytes and writes take_output().
//
// The engine keeps a model of what the server told it: the folders (LIST), and for the
// selected folder the UID of every sequence number, so untagged EXISTS / EXPUNGE / FETCH
// responses sent because of other sessions (RFC 3501 §7.3.1, §7.4.1) update the outcome the
// same way the client's own commands do. Messages whose UIDs it does not know yet (after
// SELECT, or announced by EXISTS) are looked up with one UID FETCH before the next op. One
// command at a time; literals are sent non-synchronising when the server announces LITERAL+
// (RFC 7888), otherwise the engine waits for the "+" continuation (RFC 3501 §7.5).
//
// TLS (RFC 3501 §6.2.1, RFC 9051, RFC 8314): with TlsMode::Required the client sends
// STARTTLS before logging in; after the server's OK wants_tls() asks the driver for the
// handshake, and the driver calls on_tls_established() (the client asks CAPABILITY again,
// then logs in) or on_tls_failed(why) (the session ends, no password sent). A server that
// offers no STARTTLS, or greets with PREAUTH in plaintext, gets LOGOUT instead.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "net/engine_event.hpp"
#include "net/engine_io.hpp"

namespace net::imap {

enum class ClientAuth { Login, SaslPlain };  // LOGIN, or AUTHENTICATE PLAIN (SASL-IR if offered)

// How the client uses TLS.
enum class TlsMode {
  None,           // plaintext, STARTTLS never sent (LOGINDISABLED then ends the session)
  Opportunistic,  // STARTTLS when the server offers it (or says LOGINDISABLED), else plaintext
  Required,       // STARTTLS or give up: the password never crosses the network readable
  Implicit,       // the driver encrypts from the first byte (port 993); no STARTTLS
};

struct ClientOp {
  enum class Kind {
    SyncAll,    // LIST "" "*" (with RETURN (STATUS ...) when the server has LIST-STATUS),
                //   then for every selectable folder (STATUS first, or the counters the
                //   LIST gave, but for INBOX; an empty folder ends there) SELECT + UID FETCH 1:* of
                // (UID FLAGS RFC822.SIZE INTERNALDATE ENVELOPE), plus BODY.PEEK[] when
                // ClientJob::fetch_bodies; fills ClientOutcome::folders. Afterwards the
                // selected folder is the last one opened (usually INBOX): Select first.
    Select,     // SELECT mailbox (read-write)
    Examine,    // EXAMINE mailbox (read-only)
    FetchBody,  // UID FETCH uids BODY[] (sets \Seen) or BODY.PEEK[] when peek
    Store,      // UID STORE uids <store_mode> (flags); store_mode "+FLAGS", "-FLAGS", "FLAGS"
    Move,       // UID MOVE uids mailbox (RFC 6851); without MOVE: UID COPY, +FLAGS \Deleted,
                // UID EXPUNGE (RFC 4315) or EXPUNGE
    Expunge,    // EXPUNGE (UID EXPUNGE uids when uids is not empty and UIDPLUS is offered)
    Append,     // APPEND mailbox (flags) {n} data
    Create,     // CREATE mailbox
    Idle,       // IDLE (RFC 2177) until the server reports a change or stop_idle(); DONE
    Noop,       // NOOP: lets the server report changes
  };
  Kind kind = Kind::Noop;
  std::string mailbox;              // Select/Examine/Append/Create: the folder; Move: target
                                    // (UTF-8; sent in modified UTF-7, RFC 3501 §5.1.3)
  std::vector<std::uint32_t> uids;  // FetchBody/Store/Move/Expunge; empty: all messages
  std::string store_mode = "+FLAGS";
  std::vector<std::string> flags;  // Store/Append
  std::string data;                // Append: the message, CRLF line ends
  bool peek = false;               // FetchBody
};

struct ClientJob {
  std::string login, password;
  ClientAuth auth = ClientAuth::Login;
  TlsMode tls = TlsMode::None;
  bool fetch_bodies = false;  // SyncAll also downloads every message (offline use)
  std::vector<ClientOp> ops;  // run in order after login; LOGOUT follows the last one
};

struct MessageView {
  std::uint32_t uid = 0;
  std::vector<std::string> flags;
  std::size_t size = 0;             // RFC822.SIZE
  std::string internal_date;        // as sent, e.g. "26-Nov-2026 09:00:00 +0000"
  std::string subject, from;        // from ENVELOPE (from: "name <addr>" or "addr")
  std::optional<std::string> data;  // BODY[] / BODY.PEEK[] bytes, exact
};

struct FolderView {
  std::string name;
  std::vector<std::string> attributes;  // from LIST, e.g. "\HasNoChildren" "\Sent"
  std::uint32_t uid_validity = 0, uid_next = 0, exists = 0;
  std::map<std::uint32_t, MessageView> messages;  // by UID: what the client knows now
  std::vector<std::uint32_t> expunged;            // UIDs the server reported expunged
};

struct ClientOutcome {
  bool finished = false;
  bool ok = false;  // logged in, every op's command completed OK, LOGOUT answered
  std::vector<std::string> capabilities;      // as last announced (upper-case)
  std::map<std::string, FolderView> folders;  // by name; selected folders carry messages
                                              // (names decoded to UTF-8)
  std::vector<std::uint32_t> appended_uids;   // one per Append: APPENDUID (RFC 4315), else 0
  std::vector<std::string> errors;            // every NO/BAD/problem, in order
  std::string error;                          // the first problem, or empty
};

enum class ClientState {
  AwaitGreeting,
  Capability,
  StartTls,  // STARTTLS sent, waiting for its OK
  Tls,       // OK received: the driver runs the handshake
  Login,     // LOGIN or AUTHENTICATE sent
  Ready,     // authenticated, choosing the next command
  Command,   // a tagged command is running
  Literal,   // waiting for "+" before sending a literal
  Idling,    // IDLE accepted, waiting for a change or stop_idle()
  Logout,
  Done
};
const char* to_string(ClientState s);

class Client : public net::EngineIo {
 public:
  explicit Client(ClientJob job);
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  void feed(std::string_view bytes);                         // server responses
  bool done() const { return state_ == ClientState::Done; }  // the driver then closes
  void on_disconnect();                                      // connection lost before done
  void stop_idle();  // sends DONE when idling (e.g. the driver's timer ran out)
  bool idling() const { return state_ == ClientState::Idling; }
  bool wants_tls() const { return state_ == ClientState::Tls; }  // run the handshake now
  void on_tls_established();                   // CAPABILITY again, encrypted (RFC 3501 §6.2.1)
  void on_tls_failed(const std::string& why);  // the handshake failed: give up, done
  bool tls_active() const;
  const ClientOutcome& outcome() const { return outcome_; }
  ClientState state() const { return state_; }

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  ClientState state_ = ClientState::AwaitGreeting;
  ClientOutcome outcome_;
};

}  // namespace net::imap

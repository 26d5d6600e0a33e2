// POP3 client engine (RFC 1939, CAPA RFC 2449, AUTH PLAIN RFC 5034) for a device's mail
// app: log in, find the new messages, download them, optionally delete them, QUIT.
// Sans-I/O: the driver feeds the server's bytes and writes take_output().
//
// Steps: greeting, CAPA, [STLS, TLS handshake, CAPA again], login (USER/PASS, APOP or AUTH
// PLAIN), STAT, UIDL, LIST, then RETR (and DELE when deleting) for each message to
// download, QUIT. One command at a time. Mode::ListOnly downloads nothing: after LIST it
// sends "TOP n 0" for the newest message (its header only, RFC 1939 §7) when CAPA offers
// TOP, then QUIT.
//
// TLS (RFC 2595 §4, RFC 8314): with TlsMode::Required the client sends STLS after CAPA and,
// once the server said +OK, wants_tls() asks the driver for the handshake; the driver
// calls on_tls_established() (the client asks CAPA again, then logs in) or
// on_tls_failed(why) (the session ends, no password sent). A server that does not offer
// STLS gets QUIT instead of the password.
#pragma once

#include <cstddef>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "net/engine_event.hpp"
#include "net/engine_io.hpp"

namespace net {
class LineBuffer;
}

namespace net::pop3 {

enum class AuthMethod { UserPass, Apop, SaslPlain };

// How the client uses TLS.
enum class TlsMode {
  None,      // plaintext, STLS never sent
  Required,  // STLS or give up: the password never crosses the network in plaintext
  Implicit,  // the driver encrypts from the first byte (port 995); no STLS
};

enum class Mode {
  DownloadAll,    // retrieve every message, leave them on the server
  LeaveOnServer,  // retrieve only messages whose UIDL is not in known_uidls; delete nothing
  Delete,         // retrieve every message and delete it (removed when QUIT succeeds)
  ListOnly,       // retrieve nothing: STAT, UIDL, LIST, and TOP n 0 of the newest message
};

struct ClientJob {
  std::string login, password;
  AuthMethod auth = AuthMethod::UserPass;
  TlsMode tls = TlsMode::None;
  Mode mode = Mode::Delete;
  std::set<std::string> known_uidls;  // LeaveOnServer: already downloaded, skipped
};

struct Downloaded {
  std::size_t number = 0;  // message number in the session
  std::string uidl;        // empty when the server has no UIDL
  std::string data;        // exact bytes, dot-unstuffed, CRLF line ends
};

struct Listed {
  std::size_t number = 0;  // message number in the session
  std::size_t octets = 0;  // from LIST
  std::string uidl;        // empty when the server has no UIDL
};

struct ClientOutcome {
  bool finished = false;
  bool ok = false;  // logged in, every RETR/DELE succeeded, QUIT answered +OK
  std::size_t mailbox_messages = 0, mailbox_octets = 0;  // from STAT
  std::vector<Downloaded> messages;
  std::vector<Listed> listing;             // every message LIST reported, in order
  std::size_t top_number = 0;              // ListOnly: the message TOP n 0 was sent for, or 0
  std::vector<std::string> top_lines;      // its header lines (dot-unstuffed) and the empty line
  std::vector<std::string> deleted_uidls;  // marked with DELE (removed if ok)
  std::vector<std::string> errors;         // every -ERR or problem, in order
  std::string error;                       // the first problem, or empty
};

enum class ClientState {
  AwaitGreeting,
  Capa,
  Stls,  // STLS sent, waiting for +OK
  Tls,   // +OK received: the driver runs the handshake
  User,
  Pass,
  Apop,
  Auth,
  Stat,
  Uidl,
  List,
  Retr,
  Top,  // ListOnly: TOP n 0 sent
  Dele,
  Quit,
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
  void on_disconnect();  // connection lost before done: nothing deleted
  bool wants_tls() const { return state_ == ClientState::Tls; }  // run the handshake now
  void on_tls_established();                   // CAPA again, encrypted (RFC 2595 §4)
  void on_tls_failed(const std::string& why);  // the handshake failed: give up, done
  bool tls_active() const { return tls_; }
  const ClientOutcome& outcome() const { return outcome_; }
  ClientState state() const { return state_; }

 private:
  void enter_state(ClientState s);
  void send_line(const std::string& line, std::string label, std::string meaning, std::string rfc,
                 std::string secret = {}, bool multi = false);
  void on_status(const std::string& line);
  void on_multi_line(const std::string& line);
  // Received lines described for students; built only when they are reported.
  LineEvent status_line_event(const std::string& line) const;
  LineEvent multi_line_event(const std::string& line) const;
  void on_multi_end();
  void problem(std::string what);
  void fail(std::string what);  // fatal: QUIT and finish
  void after_capa();            // STLS when TLS is required and not active yet, else the login
  void start_login();
  void after_login();
  void next_message();
  void top_newest();
  void quit();
  void finish();

  ClientJob job_;
  std::unique_ptr<LineBuffer> lines_;
  ClientState state_ = ClientState::AwaitGreeting;
  ClientOutcome outcome_;

  bool multi_expected_ = false;  // the current command's +OK starts a multi-line body
  bool in_multi_ = false;
  bool multi_in_body_ = false;
  std::vector<std::string> multi_lines_;  // CAPA / UIDL / LIST lines
  std::string multi_data_;                // RETR content
  std::string timestamp_;                 // APOP timestamp from the greeting
  bool sasl_plain_ = false;
  bool has_uidl_ = false;
  bool has_top_ = false;  // CAPA listed TOP
  bool stls_ = false;     // CAPA listed STLS
  bool tls_ = false;      // the session is encrypted
  bool failed_ = false;

  std::vector<std::string> uidls_;  // index = number - 1
  std::vector<std::size_t> todo_;   // message numbers still to download
  std::size_t current_ = 0;         // message being retrieved / deleted
};

}  // namespace net::pop3

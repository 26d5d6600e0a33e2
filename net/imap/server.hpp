// IMAP4rev1 server engine (RFC 3501) with LITERAL+ (RFC 7888), SASL-IR (RFC 4959), ID
// (RFC 2971), ENABLE (RFC 5161), IDLE (RFC 2177), NAMESPACE (RFC 2342), MOVE (RFC 6851),
// UNSELECT (RFC 3691),
// UIDPLUS (RFC 4315), SPECIAL-USE (RFC 6154), CHILDREN (RFC 3348) and the response codes
// of RFC 5530. Sans-I/O like the SMTP server: the driver feeds bytes, writes
// take_output() and turns take_events() into trace events.
//
// Several sessions share one net::store::Mailstore. Each session keeps its own view of
// the selected mailbox (the UIDs in sequence-number order) and queues the store's change
// events; it reports them as untagged EXISTS / EXPUNGE / FETCH (FLAGS) only when RFC 3501
// §7 allows: before the tagged completion of a command (EXPUNGE never while answering
// FETCH, STORE or SEARCH, §7.4.1) and at once while the client idles. has_output() tells
// the driver that a change made by another session produced bytes to write.
//
// Failed logins (as in net::pop3::Server): after cfg.free_login_failures failed LOGIN or
// AUTHENTICATE attempts, the tagged reply to every further attempt is withheld for
// cfg.penalty_ms, which slows password guessing down. The engine has no clock, so it only
// reports the wait: penalty_ms() > 0 means "do not write anything more yet"; the driver
// waits that long (a timer, never a sleep) and calls end_penalty(), which releases the held
// reply and processes any commands that arrived meanwhile.
//
// STARTTLS (RFC 3501 §6.2.1, RFC 9051 §6.2.1): after "OK Begin TLS negotiation now"
// wants_tls() tells the driver to run the handshake; once it succeeded the driver calls
// on_tls_established() and feeds decrypted bytes. Whatever the client pipelined after
// STARTTLS is discarded (CVE-2011-0411); the client must ask CAPABILITY again. With
// auth_needs_tls the capabilities before TLS say LOGINDISABLED instead of AUTH=PLAIN and
// LOGIN / AUTHENTICATE get "NO [PRIVACYREQUIRED]" (RFC 5530 §3).
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "net/engine_event.hpp"
#include "net/engine_io.hpp"
#include "net/imap/parser.hpp"

namespace net::store {
class Mailstore;
struct Change;
struct Folder;
struct StoredMessage;
}  // namespace net::store

namespace net::imap {

enum class State { NotAuthenticated, Authenticated, Selected, Logout };  // RFC 3501 §3
const char* to_string(State s);

struct ServerConfig {
  std::string hostname = "imap.recipient.example";
  ReaderLimits limits;          // 8 KiB lines, 10 MiB literals by default
  int max_bad_commands = 20;    // then "* BYE" and close
  int free_login_failures = 3;  // then every login attempt's reply waits penalty_ms
  int penalty_ms = 2000;
  bool starttls = false;  // offer STARTTLS (the driver holds a certificate)
  bool tls = false;       // the connection is encrypted from the start (993, RFC 8314)
  // LOGIN and AUTHENTICATE refused before TLS (LOGINDISABLED, RFC 3501 §6.2.3). Off only
  // when a lesson shows plaintext on purpose.
  bool auth_needs_tls = false;
  // FETCH answers stop once this many bytes of output are waiting and go on in
  // resume_fetch(), which the driver calls when they are written: a FETCH 1:* BODY[] over a
  // big mailbox streams instead of being built whole in memory first. Later commands wait
  // in the reader meanwhile (answered in order, RFC 3501 §5.5). 0: the whole answer at once
  // (the simulator, which never calls resume_fetch).
  std::size_t fetch_chunk = 0;
};

struct CommandInfo {
  const char* verb;
  const char* syntax;
  const char* help;  // one plain-language sentence (also the meaning shown to students)
  const char* rfc;
  std::vector<State> allowed;
};

class Server : public net::EngineIo {
 public:
  // unix_now gives the INTERNALDATE of appended messages that carry no date.
  Server(ServerConfig cfg, store::Mailstore& store, std::function<int64_t()> unix_now);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  void on_connect(std::string peer_ip, std::string peer_host);  // queues "* OK" greeting
  void feed(std::string_view bytes);
  bool wants_close() const { return close_; }  // close after flushing output
  void on_disconnect();
  void on_timeout();  // "* BYE" autologout (RFC 3501 §5.4) and close
  void shutdown();    // "* BYE" the server is going down, and close (RFC 3501 §7.1.5)
  State state() const { return state_; }
  const std::string& user() const { return user_; }         // address once logged in
  const std::string& mailbox() const { return selected_; }  // selected folder name
  bool idling() const { return !idle_tag_.empty(); }
  bool wants_tls() const { return tls_wait_; }  // STARTTLS answered OK: run the handshake
  void on_tls_established();                    // encrypted from now on (RFC 3501 §6.2.1)
  bool tls_active() const { return tls_; }

  // Failed-login penalty (see the top of this file).
  int penalty_ms() const { return holding_ ? cfg_.penalty_ms : 0; }
  void end_penalty();

  // A reply given outside feed(): APPEND's OK once the group commit made the message
  // durable (serve --maildir). The engine then calls cb; the driver writes take_output().
  void on_wake(std::function<void()> cb) { wake_ = std::move(cb); }
  bool waiting() const { return !append_tag_.empty(); }  // an APPEND waits for the disk
  // A FETCH is answered in parts (ServerConfig::fetch_chunk): the driver writes what
  // take_output() gave, then calls resume_fetch() for the next part.
  bool fetch_paused() const { return fetch_ != nullptr; }
  void resume_fetch();

  static const std::vector<CommandInfo>& commands();
  // What CAPABILITY says now: STARTTLS while it is offered and TLS is not active,
  // LOGINDISABLED instead of AUTH=PLAIN while logins wait for TLS.
  std::string capabilities() const;

 private:
  struct Entry;
  struct FetchJob;
  struct Pending {
    std::string op;  // "new", "expunge", "flags"
    uint32_t uid = 0;
  };

  void enter_state(State s);
  // A whole response without its final CRLF (literals inline); split into trace lines. By
  // value: a one-line response (the usual kind) moves its strings into its event.
  void write(std::string text, std::string label, std::string meaning, std::string rfc);
  void untagged(std::string text, std::string meaning, std::string rfc = "RFC 3501 §7");
  // The command's lines as LineEvents (sent=false). With report_received off (EngineIo),
  // only a line carrying the credentials is reported, as an event with no text but its
  // secret, so that the driver masks them.
  void parsed(const std::vector<Segment>& segs, std::string_view label, std::string_view meaning,
              std::string_view rfc, std::string_view secret = {});
  // Tagged completion, sent by dispatch() after pending updates.
  void ok(std::string text) { result_ = {"OK", std::move(text)}; }
  void no(std::string text) { result_ = {"NO", std::move(text)}; }
  void bad(std::string text) { result_ = {"BAD", std::move(text)}; }
  void finish(const std::string& tag);
  void finish_later(const std::string& tag, bool allow_expunge);  // after on_command()
  void bye(const std::string& text, const std::string& meaning, const std::string& rfc);

  void on_read(ReadResult r);
  void on_command(const ReadResult& r);
  void on_auth_line(const ReadResult& r);
  void on_idle_line(const ReadResult& r);
  void login_as(const std::string& address, const std::string& tag, const char* how);
  // A login attempt with readable credentials: held back when past the free failures.
  void hold_if_penalized();
  void drop_held();

  // Store changes -> pending untagged responses.
  void on_change(const store::Change& c);
  void flush_updates(bool allow_expunge);
  void select_folder(const std::string& name, bool read_only);
  void unselect();
  const store::Folder* current() const;
  uint32_t seq_of(uint32_t uid) const;  // 0 if not in the view
  // Sequence numbers or UIDs of the view that a set names, ascending, as UIDs.
  std::vector<uint32_t> resolve(const SequenceSet& set, bool by_uid) const;
  std::string flags_of(const store::StoredMessage& m) const;
  bool is_recent(uint32_t uid) const { return recent_.count(uid) != 0; }
  void claim_recent();  // new messages become \Recent here unless read-only

  // Handlers (server_commands.cpp, server_mailbox.cpp, server_list.cpp, server_messages.cpp,
  // fetch.cpp, search.cpp). `a` is positioned just after the command name.
  void cmd_capability(const std::string& tag, Cursor& a);
  void cmd_noop(const std::string& tag, Cursor& a);
  void cmd_logout(const std::string& tag, Cursor& a);
  void cmd_login(const std::string& tag, Cursor& a);
  void cmd_authenticate(const std::string& tag, Cursor& a);
  void cmd_starttls(const std::string& tag, Cursor& a);
  bool refuse_plaintext_login();  // auth_needs_tls before TLS: NO [PRIVACYREQUIRED], true
  void cmd_enable(const std::string& tag, Cursor& a);
  void cmd_id(const std::string& tag, Cursor& a);
  void cmd_list(const std::string& tag, Cursor& a);
  void cmd_namespace(const std::string& tag, Cursor& a);
  void cmd_lsub(const std::string& tag, Cursor& a);
  void cmd_status(const std::string& tag, Cursor& a);
  // "(MESSAGES UIDNEXT ...)" at `a`, upper case; nullopt after setting BAD on a syntax error
  // or an unknown item (server_list.cpp).
  std::optional<std::vector<std::string>> status_items(Cursor& a);
  // "* STATUS name (item value ...)" (RFC 3501 §7.2.4); in_list: sent by LIST-STATUS.
  void send_status(const store::Folder& f, const std::vector<std::string>& items, bool in_list);
  void cmd_select(const std::string& tag, Cursor& a);
  void cmd_examine(const std::string& tag, Cursor& a);
  void cmd_create(const std::string& tag, Cursor& a);
  void cmd_delete(const std::string& tag, Cursor& a);
  void cmd_rename(const std::string& tag, Cursor& a);
  void cmd_subscribe(const std::string& tag, Cursor& a);
  void cmd_unsubscribe(const std::string& tag, Cursor& a);
  void cmd_append(const std::string& tag, Cursor& a);
  void cmd_check(const std::string& tag, Cursor& a);
  void cmd_close(const std::string& tag, Cursor& a);
  void cmd_unselect(const std::string& tag, Cursor& a);
  void cmd_expunge(const std::string& tag, Cursor& a);
  void cmd_idle(const std::string& tag, Cursor& a);
  void cmd_uid(const std::string& tag, Cursor& a);
  void cmd_fetch(const std::string& tag, Cursor& a) { do_fetch(tag, a, false); }
  void cmd_store(const std::string&, Cursor& a) { do_store(a, false); }
  void cmd_copy(const std::string&, Cursor& a) { do_copy(a, false, false); }
  void cmd_move(const std::string&, Cursor& a) { do_copy(a, false, true); }
  void cmd_search(const std::string&, Cursor& a) { do_search(a, false); }
  void do_fetch(const std::string& tag, Cursor& a, bool by_uid);
  bool fetch_some(FetchJob& job);  // true once every message of the job is answered
  void fetch_one(const FetchJob& job, uint32_t uid);
  void do_store(Cursor& a, bool by_uid);
  void do_copy(Cursor& a, bool by_uid, bool move);
  void do_search(Cursor& a, bool by_uid);
  void do_expunge(const std::set<uint32_t>* only);
  // APPEND's answer once Mailstore::append_later is done (uid 0: not stored).
  void append_done(uint32_t validity, uint32_t uid);
  static const Entry* find(std::string_view verb);

  ServerConfig cfg_;
  store::Mailstore& store_;
  std::function<int64_t()> now_;
  std::uint64_t listener_ = 0;
  CommandReader reader_;
  State state_ = State::NotAuthenticated;
  bool close_ = false;
  int bad_commands_ = 0;
  bool tls_ = false;       // the session is encrypted
  bool tls_wait_ = false;  // STARTTLS answered OK, the handshake has not finished
  std::string peer_ip_, peer_host_;

  std::string user_;
  std::string selected_;
  bool read_only_ = false;
  bool examine_ = false;        // cmd_select is running for EXAMINE
  std::vector<uint32_t> view_;  // UIDs of the selected folder as this client knows them
  std::set<uint32_t> recent_;   // \Recent in this session (RFC 3501 §2.3.2)
  std::deque<Pending> pending_;
  bool muted_ = false;             // our own flag changes: reported by the command itself
  bool allow_expunge_now_ = true;  // false while answering FETCH / STORE / SEARCH
  std::string idle_tag_;
  std::string auth_tag_;  // AUTHENTICATE waiting for the client's response
  struct Result {
    std::string status, text;
  };
  std::optional<Result> result_;

  // APPEND waiting for Mailstore::append_later: its tag; later commands wait in the reader.
  std::string append_tag_;
  bool in_append_ = false;  // append_later() is running: an answer now goes out with the command
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);  // for late callbacks
  std::function<void()> wake_;
  // A FETCH answered in parts (cfg_.fetch_chunk); later commands wait in the reader.
  std::shared_ptr<FetchJob> fetch_;  // shared_ptr: FetchJob is complete only in fetch.cpp

  int failed_logins_ = 0;
  bool holding_ = false;  // a login reply is withheld (penalty); write() goes to held_*
  std::string held_out_;
  EngineEvents held_events_;
};

}  // namespace net::imap

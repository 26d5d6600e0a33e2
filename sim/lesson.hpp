// A lesson file (TOML) turned into plain data. Loading validates everything a teacher can
// get wrong and reports it as "file:line:col: message" so the file can be fixed quickly.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "sim/time.hpp"

namespace sim {

// A text in several languages; English is the fallback.
struct Text {
  std::map<std::string, std::string> by_lang;
  const std::string& get(const std::string& lang) const;
  bool empty() const { return by_lang.empty(); }
};

struct SourcePos {
  std::string file;
  std::uint32_t line = 0, column = 0;
};

class LessonError : public std::runtime_error {
 public:
  LessonError(SourcePos pos, const std::string& message);
  const SourcePos& pos() const { return pos_; }

 private:
  SourcePos pos_;
};

struct LessonHost {
  std::string name;
  std::string ip;
  std::string role;                  // "device", "server", "dns", "router"
  std::string label;                 // e.g. "Ana's laptop"
  std::vector<std::string> domains;  // servers: the mail domains they receive for
  std::string account;               // devices: the address whose mail app runs here
  std::string server;                // devices: the host they submit to and read mail from
  // devices: how the mail app reads mail. "imap" keeps mail on the server; "pop3"
  // downloads it, deleting it from the server unless leave_on_server is set.
  std::string protocol = "imap";
  bool leave_on_server = false;  // POP3 "leave a copy on the server" (deduplicated by UIDL)
  bool keep_offline = false;     // IMAP: download every body when checking (offline use)
  // devices: "starttls" (587/110/143 + STARTTLS or STLS, the default), "tls" (implicit TLS
  // on 465/995/993) or "none" (plaintext: the password crosses the network readable).
  std::string security = "starttls";
  // servers: TLS offered (STARTTLS on 25/587, STLS on 110, STARTTLS on 143; implicit TLS on
  // 465/995/993); logins only after TLS unless plaintext_auth; a self-signed certificate
  // that devices refuse.
  bool tls = true;
  bool plaintext_auth = false;
  bool self_signed = false;
  SourcePos pos;
};

struct LessonLink {
  std::string a, b;
  Time latency = 5 * kMillisecond;
  SourcePos pos;
};

struct LessonAccount {
  std::string address;
  std::string login;  // defaults to the local part
  std::string password;
  SourcePos pos;
};

struct LessonMx {
  std::string domain, exchange;
  std::uint16_t preference = 10;
  bool none = false;  // the domain has no MX record (mail goes to its A record, RFC 5321 §5.1)
  SourcePos pos;
};

struct LessonStep {
  // "send", "wait", "link", "server", "dns", "mailbox"; mail app actions on a device:
  // "check", "read", "delete", "move", "flag", "offline", "online"
  std::string action;
  Text narration;
  SourcePos pos;
  // send and the mail app actions
  std::string device;
  std::string folder;  // move: the destination folder
  bool pause = false;  // the GUI stops after this step (a pause point)
  std::vector<std::string> to;
  std::string subject;  // send: the new message's; read/delete/move/flag: which message
  std::string body;
  std::string html;  // send: an HTML alternative of the body (multipart/alternative)
  // send/check: the password typed this time instead of the account's (a typo: 535, -ERR,
  // NO). Masked in traces like every lesson password.
  std::string password;
  struct Attachment {
    std::string name, type, content;  // file name, MIME type, the file's bytes
  };
  std::vector<Attachment> attachments;  // send: multipart/mixed parts, base64-encoded
  // wait
  Time duration = 0;
  // link: up/down; server: stop/start a port; dns: the DNS server fails (up = false) or
  // answers again (up = true) for a domain and the names under it ("" = every name);
  // mailbox: an account's mailbox is full (up = false) or has room again (up = true).
  std::string target;  // link id, host name, domain (dns) or address (mailbox)
  bool up = true;
  std::uint16_t port = 0;
  // dns: "servfail" (RFC 1035 rcode 2) or "timeout" (no answer at all); mailbox:
  // "temporary" (452 4.2.2 to RCPT) or "permanent" (552 5.2.2 to the message), RFC 3463.
  std::string mode;
};

// A list of strings in several languages (a choice question's options); English is the
// fallback.
struct TextList {
  std::map<std::string, std::vector<std::string>> by_lang;
  const std::vector<std::string>& get(const std::string& lang) const;
  bool empty() const { return by_lang.empty(); }
};

// A question the GUI asks when the lesson pauses after a step.
//  kind "choice": pick one of `choices`; `answer` is the right index.
//  kind "predict": "what will the server answer to `command`?" The expected reply is not
//  written in the file: it is what the real engine answered in the run (see
//  sim/lesson_check.hpp), so a lesson can never teach a wrong code. `choices` (optional)
//  are the reply codes offered, e.g. ["250", "550"].
struct LessonQuestion {
  std::string kind;            // "choice" or "predict"
  std::size_t after_step = 0;  // 1-based step after which it is asked; 0: before the first
  Text text;
  TextList choices;        // choice: the options; predict: reply codes (en only)
  int answer = -1;         // choice: index into choices
  Text explain;            // shown after the answer
  std::string command;     // predict: the protocol line it is about, as the client sends it
  std::string connection;  // predict, optional: "client->server" or "client->server:port"
  SourcePos pos, command_pos;
};

// An assertion about the world after a step (or at the end), checked by `mailsim check`.
// Mail state: `host` (a server or a device; default: the server of `mailbox`'s domain),
// `mailbox` (an address), `folder` (default INBOX), `count`, `subject` (present, or absent
// with present = false), `seen` (of that subject). Trace: `reply` (a reply code some server
// sent, e.g. "550"), `note_contains` (a narration/note line), `queue` (an MTA queue event:
// enqueue, defer, sent, bounce), `overheard` (text the lesson's eavesdropper reads).
struct LessonExpect {
  std::size_t after_step = 0;  // 1-based; 0 (not written) means at the end of the lesson
  std::string host, mailbox, folder = "INBOX";
  std::optional<long long> count;
  std::string subject;
  bool present = true;
  std::optional<bool> seen;
  std::string reply;
  std::string note_contains;
  std::string queue;
  // What the eavesdropper on [lesson] eavesdrop reads: text found in the readable lines,
  // credentials, subjects or TLS server names (absent with present = false).
  std::string overheard;
  SourcePos pos;
};

// A text written in English only (strict checks want Portuguese too).
struct MissingTranslation {
  SourcePos pos;
  std::string key;  // e.g. "question.text"
};

struct Lesson {
  std::string file;
  std::string id;
  Text title;
  Text summary;
  std::uint64_t seed = 1;
  std::int64_t start_unix = 1795683600;  // 2026-11-26 09:00:00 UTC: the clock shown in headers
  std::vector<LessonHost> hosts;
  std::vector<LessonLink> links;
  std::vector<LessonAccount> accounts;
  std::vector<LessonMx> mx;  // extra or overriding MX records; servers' domains get one by default
  std::vector<Time> retry_schedule = {1 * kMinute, 5 * kMinute, 15 * kMinute};
  std::vector<LessonStep> steps;
  std::string level;      // "beginner", "intermediate", "advanced" ("" when not given)
  int minutes = 0;        // how long the lesson takes a student (0: not given)
  int order = 0;          // position in the course (`mailsim lessons` lists by it); 0: last
  std::string eavesdrop;  // a link id "a<->b" the lesson taps (what the eavesdropper reads)
  std::vector<LessonQuestion> questions;
  std::vector<LessonExpect> expects;
  std::vector<MissingTranslation> missing_pt;  // for `mailsim check --strict`

  const LessonHost* host(const std::string& name) const;
  // The [[link]] joining a and b, written in either order; nullptr if none.
  const LessonLink* link(const std::string& a, const std::string& b) const;
  // "a<->b" in either order → the link's id as the network knows it ("x<->y" in the order
  // [[link]] wrote it), or "" when no link joins them or the text is not "host<->host".
  std::string link_id(const std::string& spec) const;
};

// The same lesson with TLS switched off everywhere and plaintext logins allowed: what the
// flow looked like before TLS (the eavesdropper lessons compare both).
Lesson without_tls(Lesson lesson);

// Throws LessonError on any problem (syntax, unknown host, unknown action, missing field).
Lesson load_lesson(const std::string& path);
Lesson parse_lesson(const std::string& text, const std::string& file_name);

}  // namespace sim

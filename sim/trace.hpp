// The trace: the append-only log of typed events that every view and exporter reads.
// Nothing else is a source of truth for the GUI, the transcript or the JSON export.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "sim/chunked_log.hpp"
#include "sim/secret_mask.hpp"
#include "sim/sym.hpp"
#include "sim/sym_memo.hpp"
#include "sim/time.hpp"

namespace sim {

enum class Proto : std::uint8_t { None, Tcp, Udp, Dns, Smtp, Pop3, Imap };
const char* to_string(Proto p);  // "TCP", "SMTP", … ("NONE" for None)
// Inverse of to_string (case-insensitive); nullopt for unknown names.
std::optional<Proto> proto_from_string(std::string_view s);

// TCP header flag bits, as in the TCP header (RFC 9293 §3.1).
namespace tcpflag {
constexpr std::uint8_t FIN = 0x01, SYN = 0x02, RST = 0x04, PSH = 0x08, ACK = 0x10;
}
// "SYN|ACK", "PSH|ACK", "FIN|ACK", … ("" for no flags).
std::string flags_to_string(std::uint8_t flags);

// One segment (or UDP datagram) crossing one link, sent at the event's time.
struct SegmentEv {
  Sym link;            // link id
  Sym from, to;        // hosts at the two ends of this hop
  Sym src_ip, dst_ip;  // end-to-end addresses
  std::uint16_t sport = 0, dport = 0;
  bool udp = false;
  std::uint32_t seq = 0, ack = 0;
  std::uint8_t flags = 0;
  std::uint32_t conn = 0;  // connection id (0 for datagrams)
  Time arrive = 0;         // when it reaches `to`
  std::string payload;     // bytes carried (credentials scrubbed)
};

// A connection opened, was refused, closed or reset.
struct ConnEv {
  std::uint32_t conn = 0;
  Sym op;              // "open", "established", "refused", "close", "reset"
  Sym client, server;  // host names
  std::uint16_t client_port = 0, server_port = 0;
  Proto proto = Proto::Tcp;  // application protocol expected on the server port
};

// One protocol line, recorded when its sender wrote it.
struct LineEv {
  std::uint32_t conn = 0;
  Proto proto = Proto::None;
  Sym from, to;             // host that sent the line, host it goes to
  bool from_client = true;  // C: or S:
  bool data = false;        // message content (DATA), not a command or reply
  std::string text;         // without CRLF (credentials scrubbed)
  Sym label;                // verb or reply code
  Sym meaning;
  Sym rfc;
};

// An engine's protocol state changed.
struct StateEv {
  Sym host;
  std::uint32_t conn = 0;
  Proto proto = Proto::None;
  Sym role;  // "client" or "server"
  Sym from, to;
};

// A mailbox gained or lost a message.
struct MailboxEv {
  Sym host;
  Sym mailbox;  // address, e.g. bruno@recipient.example
  // Servers: the store's change ("deliver", "append", "remove", "expunge", "flags",
  // "create", "delete", "rename"). Devices (their local store): "add", "remove", "flags",
  // "cache" (the body is now on the device), "renumber" (a message moved with uid 0 got
  // its server UID, given in `uid`).
  Sym op;
  std::uint32_t uid = 0;
  std::uint64_t size = 0;
  std::string summary;   // "From: … | Subject: …"
  Sym folder = "INBOX";  // IMAP folder / the device's local folder
  Sym flags;             // the message's flags after the change, space-separated
  bool cached = false;   // devices: the whole message is on the device
};
// +1 when the op adds a message to the folder, -1 when it takes one away, else 0.
int mailbox_delta(std::string_view op);

// A mail queue changed (MTA work).
struct QueueEv {
  Sym host;
  std::string id;  // queue id
  Sym op;          // "enqueue", "attempt", "defer", "sent", "bounce", "drop"
  std::string detail;
};

// A narration or marker (lesson step, action start, note from a component).
struct NoteEv {
  Sym host;
  Sym kind;  // "step", "action", "info", "error"
  std::string text;
};

// TLS on a connection, as the endpoint that wrote it saw it: a handshake message or alert
// by name (the ciphertext itself travels in SegmentEv payloads), or the outcome:
// "established TLSv1.3 TLS_AES_256_GCM_SHA384" / "failed: <why>".
struct TlsEv {
  std::uint32_t conn = 0;
  Sym from, to;  // host that wrote it, host it goes to
  Sym what;      // "ClientHello", "Certificate", "Alert: bad certificate", …
  std::uint64_t bytes = 0;
};

using Payload = std::variant<SegmentEv, ConnEv, LineEv, StateEv, MailboxEv, QueueEv, NoteEv, TlsEv>;

struct Event {
  Event() = default;
  // From any of Payload's alternatives (or a Payload): lets the trace build an event in its
  // place in the log (parenthesised aggregate initialisation would need clang 16).
  template <class Ev>
  Event(Time time, std::uint64_t position, Ev&& payload)
      : t(time), seq(position), p(std::forward<Ev>(payload)) {}

  Time t = 0;
  std::uint64_t seq = 0;  // position in the trace; ties in time keep this order
  Payload p;
};

// Millions of events are kept: a larger event is that many more pages to fault in and fill
// (issue 9: 248 bytes with std::string fields, 128 with the repeated ones interned).
static_assert(sizeof(Event) <= 128, "keep the trace event small: intern repeated text (Sym)");

// Chunks, not one vector: see sim/chunked_log.hpp.
using EventLog = ChunkedLog<Event>;

class BodyHider;

class Trace {
 public:
  // Appends at time t; secrets registered so far are scrubbed from text and payload.
  // `ev` is one of Payload's alternatives (or a Payload), moved straight into the event's
  // place in the log: no intermediate Payload or Event is built and moved again.
  template <class Ev>
  const Event& append(Time t, Ev&& ev) {
    const auto seq = static_cast<std::uint64_t>(events_.size());
    return appended(events_.emplace_back(t, seq, std::forward<Ev>(ev)));
  }
  // A segment whose payload its producer already masked, or found clean, when mask_epoch()
  // was `epoch`: it is not scanned again unless a secret was registered since.
  const Event& append_masked(Time t, SegmentEv&& ev, std::size_t epoch);
  // Names the secrets registered so far; no value while revealing (nothing is masked then, so
  // nothing counts as masked for later).
  static constexpr std::size_t kNoEpoch = static_cast<std::size_t>(-1);
  std::size_t mask_epoch() const { return secrets_.reveal() ? kNoEpoch : secrets_.size(); }
  // Any later occurrence of this string in recorded text is replaced by '*' of equal length
  // (equal length keeps TCP sequence numbers consistent).
  void add_secret(std::string secret);
  void set_reveal_secrets(bool reveal) { secrets_.set_reveal(reveal); }
  // From now on the body lines of messages are recorded as "(body line hidden: N bytes)"
  // (sim/body_hider.hpp): for traces of real mail whose content must not be kept.
  void hide_message_bodies();
  // `s` with the registered secrets masked (unchanged when revealing). Lets a producer
  // scrub a whole buffer before splitting it, so no secret escapes across a split.
  std::string scrubbed(std::string s) const {
    scrub(s);
    return s;
  }
  // Whether scrubbed(s) would change s.
  bool has_secret(std::string_view s) const { return secrets_.found_in(s); }

  // Sym(text) through a memo: for recorders whose texts recur (labels, meanings, states).
  Sym sym(std::string_view text) { return memo_.get(text); }

  const EventLog& events() const { return events_; }
  std::size_t size() const { return events_.size(); }

  // Called after every append (live views, streaming exporters).
  void on_append(std::function<void(const Event&)> cb) { listeners_.push_back(std::move(cb)); }

 private:
  void scrub(std::string& s) const { secrets_.apply(s); }
  // Scrubs the event just stored and tells the listeners.
  const Event& appended(Event& e);
  const Event& notify(Event& e);
  // A line's meaning with the secrets masked; most meanings are checked once (clean_).
  void scrub_meaning(Sym& meaning);
  EventLog events_;
  SecretMask secrets_;
  SymMemo memo_;
  // Meanings found free of secrets, by a hash of their address (a Sym is unique per text);
  // valid while the secrets registered number clean_secrets_.
  std::array<Sym, 512> clean_;
  std::size_t clean_secrets_ = 0;
  std::vector<std::function<void(const Event&)>> listeners_;
  std::shared_ptr<BodyHider> hider_;  // set by hide_message_bodies()
};

}  // namespace sim

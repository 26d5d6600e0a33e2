// Values in IMAP server responses (RFC 3501 §4, §9): atoms, numbers, quoted strings,
// literals, NIL and parenthesized lists, parsed into one generic tree so the client can
// read FETCH items, LIST answers and response codes without a parser per response. Also
// the ENVELOPE structure (RFC 3501 §7.4.2) decoded from such a tree.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace net::imap {

struct Value {
  enum class Kind { Nil, Atom, Number, String, List };
  Kind kind = Kind::Nil;
  std::string text;  // Atom (as sent, e.g. "\Seen", "BODY[]"), Number digits, String decoded
  std::uint64_t number = 0;  // Number
  std::vector<Value> items;  // List

  bool is_nil() const { return kind == Kind::Nil; }
  bool is_list() const { return kind == Kind::List; }
  // String, Atom or Number as text; nullopt for NIL and lists (RFC 3501 nstring).
  std::optional<std::string> str() const;
};

// Parses one value of `text` (literals inline as "{n}\r\n" + n octets, as ResponseReader
// hands them over) starting at `pos`; on success `pos` is just after it. Atoms may carry a
// bracketed section and a partial ("BODY[HEADER.FIELDS (SUBJECT)]<0>") and flags a leading
// backslash ("\Seen", "\*").
std::optional<Value> parse_value(std::string_view text, std::size_t& pos);
// Every value of `text` separated by spaces, stopping at the first thing that is not one.
std::vector<Value> parse_values(std::string_view text, std::size_t pos = 0);

struct Address {
  std::optional<std::string> name, adl, mailbox, host;
  // "Name <mailbox@host>", or "mailbox@host" without a name.
  std::string display() const;
};

struct Envelope {
  std::optional<std::string> date, subject;
  std::vector<Address> from, sender, reply_to, to, cc, bcc;
  std::optional<std::string> in_reply_to, message_id;
};

// "(date subject from sender reply-to to cc bcc in-reply-to message-id)"; nullopt when the
// value is not a list of ten items.
std::optional<Envelope> parse_envelope(const Value& v);

}  // namespace net::imap

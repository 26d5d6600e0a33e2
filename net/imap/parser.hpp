// IMAP command syntax (RFC 3501 §9): reading whole commands off the wire with their
// literals, and a cursor over one command's arguments.
//
// CommandReader splits incoming bytes into commands. A command is one or more lines:
// a line ending in a literal announcement "{n}" (synchronising: the client waits for a
// "+" continuation, RFC 3501 §7.5) or "{n+}" (non-synchronising, LITERAL+ RFC 7888) is
// followed by exactly n octets and then the rest of the command. The reader returns the
// command with its literals inline, exactly as on the wire minus the final CRLF, so the
// argument Cursor can parse "{n}\r\n<n octets>" where a string may stand. It works the
// same whether bytes arrive all at once or one at a time.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace net::imap {

struct ReaderLimits {
  size_t max_line = 8192;                 // one line of a command, CRLF included
  size_t max_literal = 10 * 1024 * 1024;  // one literal's octets
};

// One piece of a command as it came over the wire, for the trace.
struct Segment {
  bool literal = false;
  std::string text;  // a line without CRLF, or a literal's octets
};

struct ReadResult {
  enum class Kind {
    Command,           // text/segments hold a whole command
    NeedContinuation,  // a synchronising literal was announced: send "+ ..." now
    LineTooLong,       // a line exceeded max_line; the command was dropped
    LiteralTooLong,    // a literal exceeded max_literal; the command was dropped
  };
  Kind kind = Kind::Command;
  std::string tag;   // the command's tag when it could be read ("*" otherwise)
  std::string text;  // Command: literals inline as "{n}\r\n" + octets; no final CRLF
  std::vector<Segment> segments;
  size_t literal_size = 0;  // NeedContinuation, LiteralTooLong
  bool non_sync = false;    // LiteralTooLong: the client is sending it anyway
};

class CommandReader {
 public:
  explicit CommandReader(ReaderLimits limits = {});
  void feed(std::string_view bytes);
  std::optional<ReadResult> next();
  size_t buffered() const { return buf_.size() - pos_; }
  // Off: ReadResult::segments stays empty (a reader whose lines nobody records copies each
  // line once instead of twice).
  void keep_segments(bool on) { keep_segments_ = on; }
  // Drops everything held (a partial command and complete ones) and returns it as it came:
  // STARTTLS discards what the client sent before the handshake (RFC 3501 §6.2.1).
  std::string discard();

 private:
  enum class Mode { Line, Literal, SkipLine, SkipLiteral };
  void compact();
  std::string take_tag() const;

  ReaderLimits limits_;
  std::string buf_;
  size_t pos_ = 0;
  Mode mode_ = Mode::Line;
  size_t remaining_ = 0;  // Literal / SkipLiteral
  std::string cur_;       // the command so far
  std::vector<Segment> segments_;
  bool keep_segments_ = true;
};

// "{123}" or "{123+}" at the end of a line: the size and whether it is non-synchronising.
struct LiteralMark {
  size_t size = 0;
  bool non_sync = false;
};
std::optional<LiteralMark> literal_at_end(std::string_view line);

// A sequence set (RFC 3501 §9 sequence-set): numbers, ranges a:b, "*" for the largest.
struct SeqRange {
  uint32_t lo = 0, hi = 0;  // 0 stands for "*"
};
struct SequenceSet {
  std::vector<SeqRange> ranges;
  // Whether n is in the set when "*" means star (the largest number in use).
  bool contains(uint32_t n, uint32_t star) const;
};
std::optional<SequenceSet> parse_sequence_set(std::string_view text);

// Cursor over one command's arguments. Every method either consumes what it parsed and
// returns it, or returns nullopt/false and leaves the position unchanged.
class Cursor {
 public:
  explicit Cursor(std::string_view text) : s_(text) {}
  bool at_end() const { return pos_ >= s_.size(); }
  char peek() const { return at_end() ? '\0' : s_[pos_]; }
  bool eat(char c);
  bool sp() { return eat(' '); }
  // atom (RFC 3501 §9 ATOM-CHAR+); with_bracket also accepts ']' (astring).
  std::optional<std::string> atom(bool with_bracket = false);
  std::optional<std::string> quoted();
  std::optional<std::string> literal();
  std::optional<std::string> string();  // quoted or literal
  std::optional<std::string> astring();
  // list-mailbox: atom chars plus the wildcards % and *, or a string (RFC 3501 §6.3.8).
  std::optional<std::string> list_mailbox();
  std::optional<uint32_t> number();                     // nz or zero, up to 2^32-1
  std::optional<std::string> flag();                    // "\Seen", "\*" or a keyword atom
  std::optional<std::vector<std::string>> flag_list();  // "(" [flag *(SP flag)] ")"
  std::optional<SequenceSet> sequence_set();
  // Up to (not including) the next space or ')' — for keywords like "BODY.PEEK[HEADER]".
  std::string_view word();
  std::string_view rest() const { return s_.substr(pos_); }
  size_t pos() const { return pos_; }
  void set_pos(size_t p) { pos_ = p; }

 private:
  std::string_view s_;
  size_t pos_ = 0;
};

// ATOM-CHAR: any CHAR except atom-specials "(" ")" "{" SP CTL "%" "*" DQUOTE "\" "]"
// (RFC 3501 §9). A table, inline: the parsers ask it for every octet of every atom.
inline constexpr std::array<bool, 256> kAtomChars = [] {
  std::array<bool, 256> t{};
  for (std::size_t c = 0x21; c < 0x7f; ++c) t[c] = true;
  for (unsigned char c : std::string_view("(){%*\"\\]")) t[c] = false;
  return t;
}();
inline bool is_atom_char(char c) {
  return kAtomChars[static_cast<unsigned char>(c)];
}

std::string to_upper(std::string_view s);
bool iequals(std::string_view a, std::string_view b);

}  // namespace net::imap

// FETCH and UID FETCH (RFC 3501 §6.4.5, §6.4.8, §7.4.2): parsing the data items and
// building the untagged FETCH responses. A non-PEEK body section sets \Seen.
#include <algorithm>
#include <memory>

#include "net/imap/envelope.hpp"
#include "net/imap/response.hpp"
#include "net/imap/server.hpp"
#include "net/store/mailstore.hpp"

namespace net::imap {

namespace {

enum class Item {
  Flags,
  Uid,
  InternalDate,
  Size,
  Envelope,
  BodyStructure,
  Body,     // BODY without a section: the non-extensible BODYSTRUCTURE
  Section,  // BODY[...] / BODY.PEEK[...] / RFC822 / RFC822.HEADER / RFC822.TEXT
};

struct FetchItem {
  Item kind = Item::Flags;
  bool peek = false;
  std::string name;            // the item's name in the response, e.g. "BODY[HEADER]" or "RFC822"
  std::vector<uint32_t> path;  // part numbers, e.g. {2, 1} for "2.1"
  std::string spec;            // "", "HEADER", "TEXT", "HEADER.FIELDS", "HEADER.FIELDS.NOT", "MIME"
  std::vector<std::string> fields;
  bool partial = false;
  uint32_t origin = 0, length = 0;
};

// "[section]<a.b>" after BODY or BODY.PEEK (RFC 3501 §9 section, partial).
bool parse_section(Cursor& a, FetchItem& it) {
  if (!a.eat('[')) return false;
  size_t start = a.pos();
  std::string_view w = a.word();
  // word() stops at ' ' or '(' — the section name ends at ']' inside it.
  size_t close = w.find(']');
  std::string spec(w.substr(0, close));
  a.set_pos(start + (close == std::string_view::npos ? w.size() : close));
  spec = to_upper(spec);
  // A part path "1.2." before the section text (RFC 3501 §6.4.5).
  std::string text = spec;
  while (!text.empty() && text.front() >= '0' && text.front() <= '9') {
    size_t dot = text.find('.');
    std::string num = text.substr(0, dot);
    for (char ch : num)
      if (ch < '0' || ch > '9') return false;
    if (num.size() > 5 || std::stoul(num) == 0) return false;
    it.path.push_back(static_cast<uint32_t>(std::stoul(num)));
    text = dot == std::string::npos ? "" : text.substr(dot + 1);
    if (dot != std::string::npos && text.empty()) return false;
  }
  if (text == "HEADER.FIELDS" || text == "HEADER.FIELDS.NOT") {
    if (!a.sp() || !a.eat('(')) return false;
    while (!a.eat(')')) {
      auto f = a.astring();
      if (!f) return false;
      it.fields.push_back(to_upper(*f));
      a.sp();
    }
    if (it.fields.empty()) return false;
  } else if (!text.empty() && text != "HEADER" && text != "TEXT" &&
             !(text == "MIME" && !it.path.empty())) {
    return false;
  }
  if (!a.eat(']')) return false;
  it.spec = text;
  it.name = "BODY[" + spec;
  if (!it.fields.empty()) {
    it.name += " (";
    for (size_t i = 0; i < it.fields.size(); ++i) it.name += (i ? " " : "") + it.fields[i];
    it.name += ")";
  }
  it.name += "]";
  if (a.eat('<')) {
    auto o = a.number();
    if (!o || !a.eat('.')) return false;
    auto l = a.number();
    if (!l || *l == 0 || !a.eat('>')) return false;
    it.partial = true;
    it.origin = *o;
    it.length = *l;
  }
  return true;
}

bool parse_item(Cursor& a, std::vector<FetchItem>& out) {
  size_t start = a.pos();
  std::string w = to_upper(a.word());
  size_t bracket = w.find('[');
  if (bracket != std::string::npos) {
    a.set_pos(start + bracket);
    w.resize(bracket);
  }
  FetchItem it;
  if (w == "FLAGS") {
    it.kind = Item::Flags;
  } else if (w == "UID") {
    it.kind = Item::Uid;
  } else if (w == "INTERNALDATE") {
    it.kind = Item::InternalDate;
  } else if (w == "RFC822.SIZE") {
    it.kind = Item::Size;
  } else if (w == "ENVELOPE") {
    it.kind = Item::Envelope;
  } else if (w == "BODYSTRUCTURE") {
    it.kind = Item::BodyStructure;
  } else if (w == "RFC822" || w == "RFC822.HEADER" || w == "RFC822.TEXT") {
    it.kind = Item::Section;
    it.name = w;
    it.spec = w == "RFC822" ? "" : w == "RFC822.HEADER" ? "HEADER" : "TEXT";
    it.peek = w == "RFC822.HEADER";
  } else if ((w == "BODY" || w == "BODY.PEEK") && a.peek() == '[') {
    it.kind = Item::Section;
    it.peek = w == "BODY.PEEK";
    if (!parse_section(a, it)) return false;
  } else if (w == "BODY") {
    it.kind = Item::Body;
  } else {
    return false;
  }
  out.push_back(std::move(it));
  return true;
}

std::optional<std::vector<FetchItem>> parse_items(Cursor& a) {
  std::vector<FetchItem> out;
  size_t start = a.pos();
  std::string w = to_upper(a.word());
  // Macros (RFC 3501 §6.4.5).
  auto add = [&](std::initializer_list<const char*> names) {
    for (const char* n : names) {
      Cursor c(n);
      parse_item(c, out);
    }
  };
  if (w == "ALL") {
    add({"FLAGS", "INTERNALDATE", "RFC822.SIZE", "ENVELOPE"});
    return out;
  }
  if (w == "FAST") {
    add({"FLAGS", "INTERNALDATE", "RFC822.SIZE"});
    return out;
  }
  if (w == "FULL") {
    add({"FLAGS", "INTERNALDATE", "RFC822.SIZE", "ENVELOPE", "BODY"});
    return out;
  }
  a.set_pos(start);
  if (a.eat('(')) {
    while (true) {
      if (!parse_item(a, out)) return std::nullopt;
      if (a.eat(')')) break;
      if (!a.sp()) return std::nullopt;
    }
    return out;
  }
  if (!parse_item(a, out)) return std::nullopt;
  return out;
}

// The message's cached FETCH views (parsed once per message, not once per FETCH).
store::StoredMessage::Derived& derived(const store::StoredMessage& m) {
  if (!m.derived) m.derived = std::make_shared<store::StoredMessage::Derived>();
  return *m.derived;
}

std::string section_data(const FetchItem& it, std::string_view msg) {
  std::string data;
  std::string_view target = msg;  // the message whose HEADER / TEXT is meant
  if (!it.path.empty()) {
    MimePart root = parse_mime(msg);
    const MimePart* p = find_part(root, it.path);
    if (!p) return {};  // no such part: an empty string
    if (it.spec.empty()) {
      data = std::string(p->body);
    } else if (it.spec == "MIME") {
      data = std::string(p->header);
    } else if (p->encapsulated()) {
      target = p->body;
    } else {
      return {};  // HEADER / TEXT of a part that is not a message
    }
  }
  if (data.empty() && (it.path.empty() || (!it.spec.empty() && it.spec != "MIME"))) {
    HeaderBody hb = split_message(target);
    if (it.spec.empty()) {
      data = std::string(target);
    } else if (it.spec == "HEADER") {
      data = std::string(hb.header);
    } else if (it.spec == "TEXT") {
      data = std::string(hb.body);
    } else if (it.spec == "HEADER.FIELDS") {
      data = header_fields(hb.header, it.fields, false);
    } else if (it.spec == "HEADER.FIELDS.NOT") {
      data = header_fields(hb.header, it.fields, true);
    }
  }
  if (it.partial) {
    if (it.origin >= data.size()) return {};
    data = data.substr(it.origin, it.length);
  }
  return data;
}

}  // namespace

void Server::do_fetch(Cursor& a, bool by_uid) {
  allow_expunge_now_ = by_uid;  // no EXPUNGE while answering FETCH (RFC 3501 §7.4.1)
  std::optional<SequenceSet> set;
  if (!a.sp() || !(set = a.sequence_set()) || !a.sp())
    return bad("Syntax: FETCH sequence-set items");
  auto items = parse_items(a);
  if (!items || !a.at_end()) return bad("Invalid FETCH data items");
  if (!by_uid) {
    for (const auto& r : set->ranges)
      if (r.lo > view_.size() || r.hi > view_.size() || ((r.lo == 0 || r.hi == 0) && view_.empty()))
        return bad("Invalid message sequence number");
  }
  bool sets_seen = false;
  for (const auto& it : *items) sets_seen = sets_seen || (it.kind == Item::Section && !it.peek);
  for (uint32_t uid : resolve(*set, by_uid)) {
    const store::Folder* f = current();
    const store::StoredMessage* m = f ? f->find(uid) : nullptr;
    if (!m) continue;  // expunged meanwhile; the EXPUNGE comes later
    bool flags_changed = false;
    if (sets_seen && !read_only_ && !m->has_flag("\\Seen")) {
      auto flags = m->flags;
      flags.push_back("\\Seen");
      muted_ = true;
      store_.set_flags(user_, selected_, uid, std::move(flags));
      muted_ = false;
      m = current()->find(uid);
      flags_changed = true;
    }
    std::string out;
    auto put = [&](const std::string& s) {
      if (!out.empty()) out += ' ';
      out += s;
    };
    bool has_uid = false, has_flags = false;
    for (const auto& it : *items) {
      has_uid = has_uid || it.kind == Item::Uid;
      has_flags = has_flags || it.kind == Item::Flags;
    }
    if (by_uid && !has_uid) put("UID " + std::to_string(uid));  // RFC 3501 §6.4.8
    for (const auto& it : *items) {
      switch (it.kind) {
        case Item::Flags:
          put("FLAGS " + flags_of(*m));
          break;
        case Item::Uid:
          put("UID " + std::to_string(uid));
          break;
        case Item::InternalDate:
          put("INTERNALDATE \"" + format_internal_date(m->internal_date) + "\"");
          break;
        case Item::Size:
          put("RFC822.SIZE " + std::to_string(m->data.size()));
          break;
        case Item::Envelope:
          if (derived(*m).envelope.empty()) m->derived->envelope = envelope(m->data);
          put("ENVELOPE " + m->derived->envelope);
          break;
        case Item::BodyStructure:
          if (derived(*m).body_structure.empty())
            m->derived->body_structure = body_structure(m->data, true);
          put("BODYSTRUCTURE " + m->derived->body_structure);
          break;
        case Item::Body:
          if (derived(*m).body.empty()) m->derived->body = body_structure(m->data, false);
          put("BODY " + m->derived->body);
          break;
        case Item::Section: {
          std::string data = section_data(it, m->data);
          std::string name = it.name;
          if (it.partial) name += "<" + std::to_string(it.origin) + ">";
          // Always a literal: message text may hold CR, LF or 8-bit octets (RFC 3501 §4.3).
          name += " {";
          name += std::to_string(data.size());
          name += "}\r\n";
          name += data;
          put(name);
          break;
        }
      }
    }
    // An implicit \Seen is reported with the data (RFC 3501 §6.4.5).
    if (flags_changed && !has_flags) put("FLAGS " + flags_of(*m));
    untagged("* " + std::to_string(seq_of(uid)) + " FETCH (" + out + ")",
             "The data the client asked for about message " + std::to_string(seq_of(uid)) + ".",
             "RFC 3501 §7.4.2");
  }
  ok(std::string(by_uid ? "UID " : "") + "FETCH completed");
}

}  // namespace net::imap

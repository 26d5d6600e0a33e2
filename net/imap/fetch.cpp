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

// The octets of a body section: a view into the message, or into `own` when they have to
// be built (HEADER.FIELDS). No copy of the message for BODY[] and its parts.
std::string_view section_data(const FetchItem& it, std::string_view msg, std::string& own) {
  std::string_view data;
  bool found = false;
  std::string_view target = msg;  // the message whose HEADER / TEXT is meant
  if (!it.path.empty()) {
    MimePart root = parse_mime(msg);
    const MimePart* p = find_part(root, it.path);
    if (!p) return {};  // no such part: an empty string
    if (it.spec.empty()) {
      data = p->body;
      found = true;
    } else if (it.spec == "MIME") {
      data = p->header;
      found = true;
    } else if (p->encapsulated()) {
      target = p->body;
    } else {
      return {};  // HEADER / TEXT of a part that is not a message
    }
  }
  if (!found) {
    HeaderBody hb = split_message(target);
    if (it.spec.empty()) {
      data = target;
    } else if (it.spec == "HEADER") {
      data = hb.header;
    } else if (it.spec == "TEXT") {
      data = hb.body;
    } else if (it.spec == "HEADER.FIELDS") {
      own = header_fields(hb.header, it.fields, false);
      data = own;
    } else if (it.spec == "HEADER.FIELDS.NOT") {
      own = header_fields(hb.header, it.fields, true);
      data = own;
    }
  }
  if (it.partial) {
    if (it.origin >= data.size()) return {};
    data = data.substr(it.origin, it.length);
  }
  return data;
}

}  // namespace

// One FETCH command: what to send for which messages, and how far the answer got.
struct Server::FetchJob {
  std::string tag;
  bool by_uid = false;
  bool sets_seen = false;  // a non-PEEK body section: \Seen is set (RFC 3501 §6.4.5)
  bool has_uid = false, has_flags = false;
  std::vector<FetchItem> items;
  std::vector<uint32_t> uids;
  std::size_t next = 0;  // index into uids of the next message to answer
};

void Server::do_fetch(const std::string& tag, Cursor& a, bool by_uid) {
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
  auto job = std::make_shared<FetchJob>();
  job->tag = tag;
  job->by_uid = by_uid;
  for (const auto& it : *items) {
    job->sets_seen = job->sets_seen || (it.kind == Item::Section && !it.peek);
    job->has_uid = job->has_uid || it.kind == Item::Uid;
    job->has_flags = job->has_flags || it.kind == Item::Flags;
  }
  job->items = std::move(*items);
  job->uids = resolve(*set, by_uid);
  if (fetch_some(*job)) {
    ok(std::string(by_uid ? "UID " : "") + "FETCH completed");
    return;
  }
  fetch_ = std::move(job);  // no result yet: on_command() sends nothing, the reader waits
}

bool Server::fetch_some(FetchJob& job) {
  while (job.next < job.uids.size()) {
    if (cfg_.fetch_chunk > 0 && out_.size() >= cfg_.fetch_chunk) return false;
    fetch_one(job, job.uids[job.next++]);
  }
  return true;
}

void Server::resume_fetch() {
  if (!fetch_) return;
  if (close_) {  // BYE (timeout, shutdown) went out meanwhile: the rest is not owed
    fetch_.reset();
    return;
  }
  allow_expunge_now_ = fetch_->by_uid;
  if (!fetch_some(*fetch_)) return;
  const auto job = std::move(fetch_);
  ok(std::string(job->by_uid ? "UID " : "") + "FETCH completed");
  finish_later(job->tag, job->by_uid);
}

// The untagged FETCH response for one message (RFC 3501 §7.4.2).
void Server::fetch_one(const FetchJob& job, uint32_t uid) {
  const bool by_uid = job.by_uid;
  const auto& items = job.items;
  const bool sets_seen = job.sets_seen;
  const store::Folder* f = current();
  const store::StoredMessage* m = f ? f->find(uid) : nullptr;
  if (!m) return;  // expunged meanwhile; the EXPUNGE comes later
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
  // The whole response is built in one string: "* n FETCH (" then the items.
  const std::string seq = std::to_string(seq_of(uid));
  std::string out = "* " + seq + " FETCH (";
  const std::size_t first = out.size();
  auto item = [&]() -> std::string& {  // starts the next item, returns the string to append to
    if (out.size() > first) out += ' ';
    return out;
  };
  auto put = [&](std::string_view s) { item() += s; };
  const bool has_uid = job.has_uid, has_flags = job.has_flags;
  if (by_uid && !has_uid) put("UID " + std::to_string(uid));  // RFC 3501 §6.4.8
  for (const auto& it : items) {
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
        item() += "ENVELOPE ";
        out += m->derived->envelope;
        break;
      case Item::BodyStructure:
        if (derived(*m).body_structure.empty())
          m->derived->body_structure = body_structure(m->data, true);
        item() += "BODYSTRUCTURE ";
        out += m->derived->body_structure;
        break;
      case Item::Body:
        if (derived(*m).body.empty()) m->derived->body = body_structure(m->data, false);
        item() += "BODY ";
        out += m->derived->body;
        break;
      case Item::Section: {
        std::string own;
        const std::string_view data = section_data(it, m->data, own);
        item() += it.name;
        if (it.partial) out += "<" + std::to_string(it.origin) + ">";
        // Always a literal: message text may hold CR, LF or 8-bit octets (RFC 3501 §4.3).
        out += " {";
        out += std::to_string(data.size());
        out += "}\r\n";
        out += data;
        break;
      }
    }
  }
  // An implicit \Seen is reported with the data (RFC 3501 §6.4.5).
  if (flags_changed && !has_flags) put("FLAGS " + flags_of(*m));
  out += ')';
  untagged(std::move(out), "The data the client asked for about message " + seq + ".",
           "RFC 3501 §7.4.2");
}

}  // namespace net::imap

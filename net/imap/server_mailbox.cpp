// Mailbox-level IMAP commands (RFC 3501 §6.3): SELECT, EXAMINE, CREATE, DELETE, RENAME,
// SUBSCRIBE, UNSUBSCRIBE, LIST (with SPECIAL-USE, RFC 6154), LSUB, STATUS, APPEND.
#include "net/imap/mutf7.hpp"
#include "net/imap/response.hpp"
#include "net/imap/server.hpp"
#include "net/store/mailstore.hpp"

#include <memory>
#include <utility>

namespace net::imap {

namespace {

// LIST wildcards (RFC 3501 §6.3.8): "*" matches anything, "%" anything but the delimiter.
bool wild_match(std::string_view p, std::string_view n) {
  if (p.empty()) return n.empty();
  if (p.front() == '*' || p.front() == '%') {
    for (size_t i = 0; i <= n.size(); ++i) {
      if (wild_match(p.substr(1), n.substr(i))) return true;
      if (i < n.size() && p.front() == '%' && n[i] == store::Mailstore::kDelimiter) return false;
    }
    return false;
  }
  return !n.empty() && p.front() == n.front() && wild_match(p.substr(1), n.substr(1));
}

bool name_matches(const std::string& pattern, const std::string& name) {
  // INBOX is case-insensitive: compare the pattern's own case-folded INBOX prefix.
  return wild_match(store::canonical_folder(pattern), name) ||
         (name == "INBOX" && wild_match(to_upper(pattern), name));
}

std::string status_text(store::Status s) {
  switch (s) {
    case store::Status::NoFolder:
      return "[NONEXISTENT] Mailbox does not exist";
    case store::Status::AlreadyExists:
      return "[ALREADYEXISTS] Mailbox already exists";
    case store::Status::HasChildren:
      return "[INUSE] Mailbox has inferior mailboxes";
    case store::Status::BadName:
      return "[CANNOT] Invalid mailbox name";
    case store::Status::WriteFailed:  // RFC 5530 §3: the disk refused; nothing was changed
      return "[UNAVAILABLE] Could not write the change to disk; nothing was changed";
    default:
      return std::string("[SERVERBUG] ") + store::to_string(s);
  }
}

}  // namespace

void Server::cmd_select(const std::string&, Cursor& a) {
  std::optional<std::string> name;
  if (!a.sp() || !(name = a.astring()) || !a.at_end()) return bad("Syntax: SELECT mailbox");
  if (!decode_mutf7_in_place(*name)) return bad(kBadMutf7Text);
  unselect();  // a failed SELECT leaves no mailbox selected (RFC 3501 §6.3.1)
  const store::Folder* f = store_.folder(user_, *name);
  if (!f) return no("[NONEXISTENT] Mailbox does not exist");
  if (f->noselect) return no("[CANNOT] Mailbox cannot be selected");
  select_folder(f->name, examine_);
  f = current();
  claim_recent();
  uint32_t first_unseen = 0;
  for (size_t i = 0; i < f->messages.size() && first_unseen == 0; ++i)
    if (!f->messages[i].has_flag("\\Seen")) first_unseen = static_cast<uint32_t>(i + 1);
  untagged("* " + std::to_string(view_.size()) + " EXISTS",
           "The mailbox holds " + std::to_string(view_.size()) + " messages.", "RFC 3501 §7.3.1");
  untagged("* " + std::to_string(recent_.size()) + " RECENT",
           "How many messages are new: no session has seen them before (\\Recent).",
           "RFC 3501 §7.3.2");
  if (first_unseen)
    untagged("* OK [UNSEEN " + std::to_string(first_unseen) + "] First unseen message",
             "The first message not yet read.", "RFC 3501 §7.1");
  untagged("* OK [UIDVALIDITY " + std::to_string(f->uid_validity) + "] UIDs valid",
           "While this number stays the same, a message's UID never changes: clients may cache "
           "by UID.",
           "RFC 3501 §2.3.1.1");
  untagged("* OK [UIDNEXT " + std::to_string(f->uid_next) + "] Predicted next UID",
           "The UID the next new message will get.", "RFC 3501 §2.3.1.1");
  untagged("* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)",
           "The flags messages in this mailbox can have.", "RFC 3501 §7.2.6");
  untagged(
      "* OK [PERMANENTFLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft \\*)] Flags "
      "permitted",
      "The flags the client may change for good; \\* means new keywords too.", "RFC 3501 §7.1");
  ok("[READ-WRITE] SELECT completed");
}

void Server::cmd_examine(const std::string& tag, Cursor& a) {
  examine_ = true;
  cmd_select(tag, a);
  examine_ = false;
  if (state_ == State::Selected) {
    read_only_ = true;
    ok("[READ-ONLY] EXAMINE completed");
  }
}

void Server::cmd_create(const std::string&, Cursor& a) {
  std::optional<std::string> name;
  if (!a.sp() || !(name = a.astring()) || !a.at_end()) return bad("Syntax: CREATE mailbox");
  if (!decode_mutf7_in_place(*name)) return bad(kBadMutf7Text);
  auto s = store_.create_folder(user_, *name);
  if (s != store::Status::Ok) return no(status_text(s));
  ok("CREATE completed");
}

void Server::cmd_delete(const std::string&, Cursor& a) {
  std::optional<std::string> name;
  if (!a.sp() || !(name = a.astring()) || !a.at_end()) return bad("Syntax: DELETE mailbox");
  if (!decode_mutf7_in_place(*name)) return bad(kBadMutf7Text);
  if (store::canonical_folder(*name) == "INBOX") return no("[CANNOT] INBOX cannot be deleted");
  bool was_selected = !selected_.empty() && store::canonical_folder(*name) == selected_;
  auto s = store_.delete_folder(user_, *name);
  if (s != store::Status::Ok) return no(status_text(s));
  if (was_selected) unselect();
  ok("DELETE completed");
}

void Server::cmd_rename(const std::string&, Cursor& a) {
  std::optional<std::string> from, to;
  if (!a.sp() || !(from = a.astring()) || !a.sp() || !(to = a.astring()) || !a.at_end())
    return bad("Syntax: RENAME old-name new-name");
  if (!decode_mutf7_in_place(*from) || !decode_mutf7_in_place(*to)) return bad(kBadMutf7Text);
  auto s = store_.rename_folder(user_, *from, *to);
  if (s != store::Status::Ok) return no(status_text(s));
  ok("RENAME completed");
}

void Server::cmd_subscribe(const std::string&, Cursor& a) {
  std::optional<std::string> name;
  if (!a.sp() || !(name = a.astring()) || !a.at_end()) return bad("Syntax: SUBSCRIBE mailbox");
  if (!decode_mutf7_in_place(*name)) return bad(kBadMutf7Text);
  auto s = store_.set_subscribed(user_, *name, true);
  if (s != store::Status::Ok) return no(status_text(s));
  ok("SUBSCRIBE completed");
}

void Server::cmd_unsubscribe(const std::string&, Cursor& a) {
  std::optional<std::string> name;
  if (!a.sp() || !(name = a.astring()) || !a.at_end()) return bad("Syntax: UNSUBSCRIBE mailbox");
  if (!decode_mutf7_in_place(*name)) return bad(kBadMutf7Text);
  auto s = store_.set_subscribed(user_, *name, false);
  if (s == store::Status::WriteFailed) return no(status_text(s));
  if (s != store::Status::Ok) return no("[NONEXISTENT] Not subscribed to that mailbox");
  ok("UNSUBSCRIBE completed");
}

void Server::cmd_list(const std::string&, Cursor& a) {
  const char* syntax = "Syntax: LIST [(SPECIAL-USE)] reference pattern [RETURN (SPECIAL-USE)]";
  if (!a.sp()) return bad(syntax);
  bool only_special = false;
  // Selection options (RFC 5258 §3, RFC 6154 §5.1): only SPECIAL-USE is understood.
  if (a.eat('(')) {
    while (!a.eat(')')) {
      auto opt = a.atom();
      if (!opt) return bad(syntax);
      if (!iequals(*opt, "SPECIAL-USE")) return bad("Unsupported LIST selection option " + *opt);
      only_special = true;
      a.sp();
    }
    if (!a.sp()) return bad(syntax);
  }
  std::optional<std::string> ref, pat;
  if (!(ref = a.astring()) || !a.sp() || !(pat = a.list_mailbox())) return bad(syntax);
  if (a.sp()) {
    // RETURN (SPECIAL-USE): the attributes are always returned anyway.
    auto kw = a.atom();
    if (!kw || !iequals(*kw, "RETURN") || !a.sp() || !a.eat('(')) return bad(syntax);
    while (!a.eat(')')) {
      auto opt = a.atom();
      if (!opt) return bad(syntax);
      a.sp();
    }
  }
  if (!a.at_end()) return bad(syntax);
  if (!decode_mutf7_in_place(*ref) || !decode_mutf7_in_place(*pat)) return bad(kBadMutf7Text);
  if (pat->empty()) {
    // The hierarchy delimiter and root (RFC 3501 §6.3.8).
    untagged("* LIST (\\Noselect) \"/\" \"\"", "The server's hierarchy delimiter is \"/\".",
             "RFC 3501 §7.2.2");
    return ok("LIST completed");
  }
  std::string pattern = *ref + *pat;
  auto all = store_.folders(user_);
  for (const auto* f : all) {
    if (!name_matches(pattern, f->name)) continue;
    if (only_special && f->special_use.empty()) continue;
    bool children = false;
    for (const auto* g : all)
      children = children || (g->name.size() > f->name.size() + 1 &&
                              g->name.compare(0, f->name.size(), f->name) == 0 &&
                              g->name[f->name.size()] == store::Mailstore::kDelimiter);
    std::string attrs = children ? "\\HasChildren" : "\\HasNoChildren";
    if (f->noselect) attrs.insert(0, "\\Noselect ");
    if (!f->special_use.empty()) attrs += " " + f->special_use;
    std::string line = "* LIST (";
    line += attrs;
    line += ") \"/\" ";
    line += astring(encode_mutf7(f->name));
    untagged(line,
             f->special_use.empty()
                 ? "One mailbox that matches: its attributes, delimiter and name."
                 : "A mailbox with a special use (" + f->special_use +
                       "): clients put such messages there.",
             f->special_use.empty() ? "RFC 3501 §7.2.2" : "RFC 6154 §2");
  }
  ok("LIST completed");
}

void Server::cmd_namespace(const std::string&, Cursor& a) {
  if (!a.at_end()) return bad("NAMESPACE takes no arguments");
  // One personal namespace with no prefix; no other users' or shared ones (RFC 2342 §5).
  untagged("* NAMESPACE ((\"\" \"/\")) NIL NIL",
           "Every mailbox is personal, names have no prefix and \"/\" separates levels.",
           "RFC 2342 §5");
  ok("NAMESPACE completed");
}

void Server::cmd_lsub(const std::string&, Cursor& a) {
  std::optional<std::string> ref, pat;
  if (!a.sp() || !(ref = a.astring()) || !a.sp() || !(pat = a.list_mailbox()) || !a.at_end())
    return bad("Syntax: LSUB reference pattern");
  if (!decode_mutf7_in_place(*ref) || !decode_mutf7_in_place(*pat)) return bad(kBadMutf7Text);
  std::string pattern = *ref + *pat;
  for (const auto& name : store_.subscriptions(user_)) {
    if (!name_matches(pattern, name)) continue;
    const store::Folder* f = store_.folder(user_, name);
    untagged("* LSUB (" + std::string(!f || f->noselect ? "\\Noselect" : "") + ") \"/\" " +
                 astring(encode_mutf7(name)),
             "One subscribed mailbox that matches.", "RFC 3501 §7.2.3");
  }
  ok("LSUB completed");
}

void Server::cmd_status(const std::string&, Cursor& a) {
  const char* syntax = "Syntax: STATUS mailbox (MESSAGES UNSEEN UIDNEXT UIDVALIDITY RECENT)";
  std::optional<std::string> name;
  if (!a.sp() || !(name = a.astring()) || !a.sp() || !a.eat('(')) return bad(syntax);
  std::vector<std::string> items;
  while (!a.eat(')')) {
    auto item = a.atom();
    if (!item) return bad(syntax);
    items.push_back(to_upper(*item));
    a.sp();
  }
  if (!a.at_end() || items.empty()) return bad(syntax);
  if (!decode_mutf7_in_place(*name)) return bad(kBadMutf7Text);
  const store::Folder* f = store_.folder(user_, *name);
  if (!f) return no("[NONEXISTENT] Mailbox does not exist");
  if (f->noselect) return no("[CANNOT] Mailbox cannot be selected");
  std::string out;
  for (const auto& item : items) {
    uint64_t v = 0;
    if (item == "MESSAGES") {
      v = f->messages.size();
    } else if (item == "RECENT") {
      v = store_.unclaimed_recent(user_, f->name).size();
      if (f->name == selected_) v += recent_.size();
    } else if (item == "UIDNEXT") {
      v = f->uid_next;
    } else if (item == "UIDVALIDITY") {
      v = f->uid_validity;
    } else if (item == "UNSEEN") {
      for (const auto& m : f->messages) v += m.has_flag("\\Seen") ? 0 : 1;
    } else {
      return bad("Unknown STATUS item " + item);
    }
    if (!out.empty()) out += ' ';
    out += item + " " + std::to_string(v);
  }
  untagged("* STATUS " + astring(encode_mutf7(f->name)) + " (" + out + ")",
           "The counters of mailbox " + f->name + ", without opening it.", "RFC 3501 §7.2.4");
  ok("STATUS completed");
}

void Server::cmd_append(const std::string& tag, Cursor& a) {
  const char* syntax = "Syntax: APPEND mailbox [(flags)] [\"date-time\"] literal";
  std::optional<std::string> name;
  if (!a.sp() || !(name = a.astring()) || !a.sp()) return bad(syntax);
  std::vector<std::string> flags;
  if (a.peek() == '(') {
    auto fl = a.flag_list();
    if (!fl || !a.sp()) return bad(syntax);
    for (const auto& f : *fl) {
      if (store::canonical_flag(f).empty()) return bad("Invalid flag " + f);
      flags.push_back(f);
    }
  }
  int64_t date = now_ ? now_() : 0;
  if (a.peek() == '"') {
    auto d = a.quoted();
    std::optional<int64_t> t = d ? parse_internal_date(*d) : std::nullopt;
    if (!t || !a.sp()) return bad("Invalid date-time; expected \"dd-Mon-yyyy hh:mm:ss +zzzz\"");
    date = *t;
  }
  auto data = a.literal();
  if (!data || !a.at_end()) return bad(syntax);
  if (!decode_mutf7_in_place(*name)) return bad(kBadMutf7Text);
  const store::Folder* f = store_.folder(user_, *name);
  if (!f || f->noselect) return no("[TRYCREATE] Mailbox does not exist");
  const uint32_t validity = f->uid_validity;
  // serve --maildir: the message is written by the group commit worker (as SMTP's are) and
  // the OK waits until its file and directory are fsync'd, without stalling the loop. Until
  // then later commands wait in the reader: their replies come after this one (RFC 3501 §5.5
  // lets a server run commands in order). Without a commit hook the answer comes at once.
  append_tag_ = tag;
  in_append_ = true;
  store_.append_later(user_, *name, std::move(*data), flags, date,
                      [this, alive = std::weak_ptr<bool>(alive_), validity](uint32_t uid) {
                        if (!alive.expired()) append_done(validity, uid);
                      });
  in_append_ = false;
}

void Server::append_done(uint32_t validity, uint32_t uid) {
  if (append_tag_.empty()) return;
  const std::string tag = std::exchange(append_tag_, std::string());
  if (uid == 0) {
    // RFC 5530 §3: the disk refused it; nothing was stored, the client may try again.
    no("[UNAVAILABLE] APPEND failed: the message could not be stored");
  } else {
    ok("[APPENDUID " + std::to_string(validity) + " " + std::to_string(uid) + "] APPEND completed");
  }
  if (in_append_) return;  // answered at once: on_command() sends it
  if (close_) {            // the session ended meanwhile: nobody to tell
    result_.reset();
    return;
  }
  finish_later(tag, true);
  if (wake_) wake_();
}

}  // namespace net::imap

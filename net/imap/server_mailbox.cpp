// Mailbox-level IMAP commands (RFC 3501 §6.3): SELECT, EXAMINE, CREATE, DELETE, RENAME,
// SUBSCRIBE, UNSUBSCRIBE, NAMESPACE, STATUS, APPEND. LIST and LSUB: server_list.cpp.
#include "net/imap/mutf7.hpp"
#include "net/imap/response.hpp"
#include "net/imap/server.hpp"
#include "net/store/mailstore.hpp"

#include <memory>
#include <utility>

namespace net::imap {

namespace {

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

void Server::cmd_namespace(const std::string&, Cursor& a) {
  if (!a.at_end()) return bad("NAMESPACE takes no arguments");
  // One personal namespace with no prefix; no other users' or shared ones (RFC 2342 §5).
  untagged("* NAMESPACE ((\"\" \"/\")) NIL NIL",
           "Every mailbox is personal, names have no prefix and \"/\" separates levels.",
           "RFC 2342 §5");
  ok("NAMESPACE completed");
}

void Server::cmd_status(const std::string&, Cursor& a) {
  const char* syntax = "Syntax: STATUS mailbox (MESSAGES UNSEEN UIDNEXT UIDVALIDITY RECENT)";
  std::optional<std::string> name;
  if (!a.sp() || !(name = a.astring()) || !a.sp()) return bad(syntax);
  auto items = status_items(a);
  if (!items) return;
  if (!a.at_end()) return bad(syntax);
  if (!decode_mutf7_in_place(*name)) return bad(kBadMutf7Text);
  const store::Folder* f = store_.folder(user_, *name);
  if (!f) return no("[NONEXISTENT] Mailbox does not exist");
  if (f->noselect) return no("[CANNOT] Mailbox cannot be selected");
  send_status(*f, *items, false);
  ok("STATUS completed");
}

void Server::send_status(const store::Folder& f, const std::vector<std::string>& items,
                         bool in_list) {
  std::string out = "* STATUS " + astring(encode_mutf7(f.name)) + " (";
  for (std::size_t i = 0; i < items.size(); ++i) {
    const std::string& item = items[i];
    uint64_t v = 0;
    if (item == "MESSAGES") {
      v = f.messages.size();
    } else if (item == "RECENT") {
      v = store_.unclaimed_recent(user_, f.name).size();
      if (f.name == selected_) v += recent_.size();
    } else if (item == "UIDNEXT") {
      v = f.uid_next;
    } else if (item == "UIDVALIDITY") {
      v = f.uid_validity;
    } else {  // UNSEEN: status_items() lets nothing else through
      for (const auto& m : f.messages) v += m.has_flag("\\Seen") ? 0 : 1;
    }
    if (i) out += ' ';
    out += item + " " + std::to_string(v);
  }
  out += ')';
  untagged(std::move(out),
           in_list ? "The counters of mailbox " + f.name + ", sent with its LIST line."
                   : "The counters of mailbox " + f.name + ", without opening it.",
           in_list ? "RFC 5819 §2" : "RFC 3501 §7.2.4");
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

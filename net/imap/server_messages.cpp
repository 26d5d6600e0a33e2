// Message-level IMAP commands that change things: STORE (RFC 3501 §6.4.6), COPY
// (§6.4.7) and MOVE (RFC 6851), each also as a UID command (§6.4.8), with the UIDPLUS
// COPYUID response code (RFC 4315 §3).
#include <algorithm>

#include "net/imap/mutf7.hpp"
#include "net/imap/response.hpp"
#include "net/imap/server.hpp"
#include "net/store/mailstore.hpp"

namespace net::imap {

namespace {

// "1:3,7" for 1 2 3 7 (RFC 4315 uid-set), keeping the given order's runs.
std::string uid_set(const std::vector<uint32_t>& uids) {
  std::string out;
  size_t i = 0;
  while (i < uids.size()) {
    size_t j = i;
    while (j + 1 < uids.size() && uids[j + 1] == uids[j] + 1) ++j;
    if (!out.empty()) out += ',';
    out += std::to_string(uids[i]);
    if (j > i) out += ":" + std::to_string(uids[j]);
    i = j + 1;
  }
  return out;
}

}  // namespace

// Sequence numbers beyond the mailbox are a client error (RFC 3501 §9 seq-number).
static bool valid_sequence(const SequenceSet& set, size_t count) {
  for (const auto& r : set.ranges) {
    if ((r.lo == 0 || r.hi == 0) && count == 0) return false;
    if (r.lo > count || r.hi > count) return false;
  }
  return true;
}

void Server::do_store(Cursor& a, bool by_uid) {
  allow_expunge_now_ = by_uid;  // no EXPUNGE while answering STORE (RFC 3501 §7.4.1)
  const char* syntax = "Syntax: STORE sequence-set (+|-)FLAGS[.SILENT] (flags)";
  std::optional<SequenceSet> set;
  std::optional<std::string> item;
  if (!a.sp() || !(set = a.sequence_set()) || !a.sp()) return bad(syntax);
  char mode = '=';
  if (a.eat('+')) {
    mode = '+';
  } else if (a.eat('-')) {
    mode = '-';
  }
  if (!(item = a.atom()) || !a.sp()) return bad(syntax);
  std::string it = to_upper(*item);
  bool silent = it == "FLAGS.SILENT";
  if (it != "FLAGS" && !silent) return bad(syntax);
  std::vector<std::string> flags;
  if (a.peek() == '(') {
    auto fl = a.flag_list();
    if (!fl) return bad(syntax);
    flags = std::move(*fl);
  } else {
    while (true) {
      auto f = a.flag();
      if (!f) return bad(syntax);
      flags.push_back(std::move(*f));
      if (a.at_end()) break;
      if (!a.sp()) return bad(syntax);
    }
  }
  if (!a.at_end()) return bad(syntax);
  for (const auto& f : flags)
    if (store::canonical_flag(f).empty()) return bad("Invalid flag " + f);
  if (!by_uid && !valid_sequence(*set, view_.size())) return bad("Invalid message sequence number");
  if (read_only_) return no("[READ-ONLY] Mailbox is read-only");
  // One batch: with serve --maildir the renamed files' directories are fsync'd once, at its
  // end, before the tagged OK (not once per message).
  struct Batch {
    store::Mailstore& s;
    explicit Batch(store::Mailstore& m) : s(m) { s.begin_batch(); }
    ~Batch() { s.end_batch(); }
    Batch(const Batch&) = delete;
    Batch& operator=(const Batch&) = delete;
  };
  std::optional<Batch> batch;
  batch.emplace(store_);
  std::size_t failed = 0;
  for (uint32_t uid : resolve(*set, by_uid)) {
    const store::StoredMessage* m = current() ? current()->find(uid) : nullptr;
    if (!m) continue;  // expunged by another session, not yet reported
    std::vector<std::string> next;
    if (mode == '=') {
      next = flags;
    } else {
      next = m->flags;
      for (const auto& f : flags) {
        std::string c = store::canonical_flag(f);
        auto pos = std::find_if(next.begin(), next.end(),
                                [&](const std::string& x) { return iequals(x, c); });
        if (mode == '+' && pos == next.end()) next.push_back(c);
        if (mode == '-' && pos != next.end()) next.erase(pos);
      }
    }
    muted_ = true;
    if (store_.set_flags(user_, selected_, uid, std::move(next)) == store::Status::WriteFailed)
      ++failed;  // the old flags stay, on disk as here
    muted_ = false;
    if (silent) continue;
    m = current()->find(uid);
    std::string text = "* " + std::to_string(seq_of(uid)) + " FETCH (";
    if (by_uid) text += "UID " + std::to_string(uid) + " ";
    text += "FLAGS " + flags_of(*m) + ")";
    untagged(text, "The message's flags after the change.", "RFC 3501 §6.4.6");
  }
  batch.reset();  // everything durable before the OK
  // RFC 5530 §3: UNAVAILABLE, a subsystem (here the disk) failed; try again later.
  if (failed > 0)
    return no("[UNAVAILABLE] STORE failed: the flags of " + std::to_string(failed) +
              " message(s) could not be written to disk; they keep their old flags");
  ok(std::string(by_uid ? "UID " : "") + "STORE completed");
}

void Server::do_copy(Cursor& a, bool by_uid, bool move) {
  const char* verb = move ? "MOVE" : "COPY";
  std::optional<SequenceSet> set;
  std::optional<std::string> dest;
  if (!a.sp() || !(set = a.sequence_set()) || !a.sp() || !(dest = a.astring()) || !a.at_end())
    return bad(std::string("Syntax: ") + verb + " sequence-set mailbox");
  if (!decode_mutf7_in_place(*dest)) return bad(kBadMutf7Text);
  if (!by_uid && !valid_sequence(*set, view_.size())) return bad("Invalid message sequence number");
  const store::Folder* to = store_.folder(user_, *dest);
  if (!to || to->noselect) return no("[TRYCREATE] Mailbox does not exist");
  if (move && read_only_) return no("[READ-ONLY] Mailbox is read-only");
  uint32_t validity = to->uid_validity;
  std::string to_name = to->name;
  std::vector<uint32_t> src, dst;
  std::string prefix = by_uid ? "UID " : "";
  // RFC 4315 §3: the destination's UIDVALIDITY, the source UIDs and the new ones.
  auto copyuid = [&] {
    return "[COPYUID " + std::to_string(validity) + " " + uid_set(src) + " " + uid_set(dst) + "]";
  };
  // MOVE: COPYUID goes in an untagged OK before the EXPUNGEs (RFC 6851 §4.3), also when a later
  // message stops the command: the client learns where the moved ones went.
  auto report_moved = [&] {
    if (!src.empty())
      untagged("* OK " + copyuid() + " Moved",
               "Where the moved messages now are: the new mailbox's UIDVALIDITY, old and new UIDs.",
               "RFC 6851 §4.3");
  };
  const std::vector<uint32_t> uids = resolve(*set, by_uid);
  if (!move) {
    // RFC 3501 §6.4.7: a COPY that fails MUST leave the destination as it was, so that a
    // client that tries again gets no duplicates: the store takes back the copies made.
    uint32_t failed = 0;
    std::size_t left = 0;
    const std::vector<uint32_t> made =
        store_.copy_all(user_, selected_, uids, to_name, &failed, &left);
    if (failed != 0) {
      std::string text = "[UNAVAILABLE] COPY stopped: the message with UID ";
      text += std::to_string(failed);
      text += " could not be stored; ";
      if (left == 0) {
        text += "nothing was copied";
      } else {
        text += std::to_string(left);
        text += " message(s) copied before it could not be removed again and stay in ";
        text += to_name;
      }
      return no(text);
    }
    for (std::size_t i = 0; i < made.size(); ++i) {
      if (made[i] == 0) continue;  // expunged meanwhile
      src.push_back(uids[i]);
      dst.push_back(made[i]);
    }
    return ok((src.empty() ? "" : copyuid() + " ") + prefix + "COPY completed");
  }
  for (uint32_t uid : uids) {
    bool source_kept = false;
    const uint32_t nu = store_.move(user_, selected_, uid, to_name, &source_kept);
    if (source_kept) {
      // RFC 6851 §3.3: a message is moved or unaffected, never lost, and SHOULD NOT end up in
      // both mailboxes. The copy was durable but the source could not be removed (serve
      // --maildir: its file could not be unlinked), so the store took the copy back and the
      // message is unaffected; NO [UNAVAILABLE] (RFC 5530 §3) says the disk failed. Only if the
      // copy could not be taken back either is it in both, and the NO says so.
      report_moved();
      std::string text = "[UNAVAILABLE] MOVE stopped: the message with UID ";
      text += std::to_string(uid);
      text += " could not be removed from ";
      text += selected_;
      if (nu == 0) {
        text += "; it stays there and was not moved";
      } else {
        text += " and is now also in ";
        text += to_name;
        text += " as UID ";
        text += std::to_string(nu);
      }
      if (!src.empty()) text += " (" + std::to_string(src.size()) + " moved before it)";
      return no(text);
    }
    if (nu == 0) {
      const store::Folder* from = store_.folder(user_, selected_);
      if (!from || !from->find(uid)) continue;  // expunged meanwhile: nothing to move
      // The store refused the copy (serve --maildir: it could not be written to disk); the
      // message is unaffected, those before it are moved (RFC 6851 §3.3 allows that).
      report_moved();
      return no("[UNAVAILABLE] MOVE stopped: the message with UID " + std::to_string(uid) +
                " could not be stored" +
                (src.empty() ? "" : " (" + std::to_string(src.size()) + " moved before it)"));
    }
    src.push_back(uid);
    dst.push_back(nu);
  }
  report_moved();
  ok(prefix + "MOVE completed");
}

}  // namespace net::imap

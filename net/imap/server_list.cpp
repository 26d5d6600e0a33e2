// Listing mailboxes: LIST (RFC 3501 §6.3.8) with LIST-EXTENDED (RFC 5258), SPECIAL-USE
// (RFC 6154 §5) and LIST-STATUS (RFC 5819), and LSUB (RFC 3501 §6.3.9).
//
//   LIST [(selection options)] reference (pattern | (pattern ...)) [RETURN (return options)]
//
// Selection: SUBSCRIBED (subscribed names, even of mailboxes that no longer exist), REMOTE
// (accepted: there are no remote mailboxes, RFC 2193), RECURSIVEMATCH (also a mailbox whose
// descendant is selected but not matched by a pattern, marked CHILDINFO), SPECIAL-USE.
// Return: SUBSCRIBED (\Subscribed), CHILDREN and SPECIAL-USE (always sent anyway), and
// STATUS (items): a "* STATUS" after the LIST line of each selectable mailbox, so a client
// learns every folder's counters in one round trip instead of one STATUS per folder.
#include "net/imap/mutf7.hpp"
#include "net/imap/response.hpp"
#include "net/imap/server.hpp"
#include "net/store/mailstore.hpp"

#include <algorithm>

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

bool is_inferior(const std::string& child, const std::string& parent) {
  return child.size() > parent.size() + 1 && child.compare(0, parent.size(), parent) == 0 &&
         child[parent.size()] == store::Mailstore::kDelimiter;
}

const char* const kListSyntax =
    "Syntax: LIST [(SUBSCRIBED REMOTE RECURSIVEMATCH SPECIAL-USE)] reference pattern|(patterns) "
    "[RETURN (SUBSCRIBED CHILDREN SPECIAL-USE STATUS (items))]";

// What one LIST command asks for.
struct ListQuery {
  bool subscribed = false;          // selection SUBSCRIBED
  bool recursive = false;           // selection RECURSIVEMATCH
  bool special = false;             // selection SPECIAL-USE
  bool ret_subscribed = false;      // \Subscribed in the answer (implied by selection SUBSCRIBED)
  std::vector<std::string> status;  // RETURN (STATUS (items)), upper case
};

// One name LIST may answer with: a mailbox, or (SUBSCRIBED) a subscribed name without one.
struct Candidate {
  std::string name;
  const store::Folder* folder = nullptr;
};

}  // namespace

// "(" item *(SP item) ")": known STATUS items (RFC 3501 §6.3.10), upper case. On a syntax
// error or an unknown item the command's BAD is set and nullopt returned.
std::optional<std::vector<std::string>> Server::status_items(Cursor& a) {
  if (!a.eat('(')) {
    bad("Syntax: STATUS items are a list: (MESSAGES UNSEEN UIDNEXT UIDVALIDITY RECENT)");
    return std::nullopt;
  }
  std::vector<std::string> items;
  while (!a.eat(')')) {
    auto item = a.atom();
    if (!item || (a.peek() != ')' && !a.sp())) {
      bad("Syntax: STATUS items are a list: (MESSAGES UNSEEN UIDNEXT UIDVALIDITY RECENT)");
      return std::nullopt;
    }
    std::string up = to_upper(*item);
    if (up != "MESSAGES" && up != "RECENT" && up != "UIDNEXT" && up != "UIDVALIDITY" &&
        up != "UNSEEN") {
      bad("Unknown STATUS item " + *item);
      return std::nullopt;
    }
    items.push_back(std::move(up));
  }
  if (items.empty()) {
    bad("STATUS needs at least one item: MESSAGES UNSEEN UIDNEXT UIDVALIDITY RECENT");
    return std::nullopt;
  }
  return items;
}

void Server::cmd_list(const std::string&, Cursor& a) {
  if (!a.sp()) return bad(kListSyntax);
  ListQuery q;
  // Selection options (RFC 5258 §3; SPECIAL-USE: RFC 6154 §5.1).
  if (a.eat('(')) {
    while (!a.eat(')')) {
      auto opt = a.atom();
      if (!opt || (a.peek() != ')' && !a.sp())) return bad(kListSyntax);
      const std::string o = to_upper(*opt);
      if (o == "SUBSCRIBED") {
        q.subscribed = q.ret_subscribed = true;
      } else if (o == "RECURSIVEMATCH") {
        q.recursive = true;
      } else if (o == "SPECIAL-USE") {
        q.special = true;
      } else if (o != "REMOTE") {
        return bad("Unknown LIST selection option " + *opt);
      }
    }
    // RFC 5258 §3: alone (or with REMOTE only) it has nothing to recurse on.
    if (q.recursive && !q.subscribed && !q.special)
      return bad("RECURSIVEMATCH needs another selection option, such as SUBSCRIBED");
    if (!a.sp()) return bad(kListSyntax);
  }
  std::optional<std::string> ref = a.astring();
  if (!ref || !a.sp()) return bad(kListSyntax);
  std::vector<std::string> patterns;
  if (a.eat('(')) {  // several patterns (RFC 5258 §3): a mailbox matching any is listed once
    do {
      auto p = a.list_mailbox();
      if (!p) return bad(kListSyntax);
      patterns.push_back(std::move(*p));
    } while (a.sp());
    if (!a.eat(')')) return bad(kListSyntax);
  } else {
    auto p = a.list_mailbox();
    if (!p) return bad(kListSyntax);
    patterns.push_back(std::move(*p));
  }
  if (a.sp()) {
    auto kw = a.atom();
    if (!kw || !iequals(*kw, "RETURN") || !a.sp() || !a.eat('(')) return bad(kListSyntax);
    while (!a.eat(')')) {
      auto opt = a.atom();
      if (!opt) return bad(kListSyntax);
      const std::string o = to_upper(*opt);
      if (o == "SUBSCRIBED") {
        q.ret_subscribed = true;
      } else if (o == "STATUS") {  // RFC 5819 §2
        if (!a.sp()) return bad(kListSyntax);
        auto items = status_items(a);
        if (!items) return;
        q.status = std::move(*items);
      } else if (o != "CHILDREN" && o != "SPECIAL-USE") {  // both always returned here
        return bad("Unknown LIST return option " + *opt);
      }
      if (a.peek() != ')' && !a.sp()) return bad(kListSyntax);
    }
  }
  if (!a.at_end()) return bad(kListSyntax);
  if (!decode_mutf7_in_place(*ref)) return bad(kBadMutf7Text);
  for (auto& p : patterns)
    if (!decode_mutf7_in_place(p)) return bad(kBadMutf7Text);
  if (patterns.size() == 1 && patterns[0].empty()) {
    // The hierarchy delimiter and root (RFC 3501 §6.3.8).
    untagged("* LIST (\\Noselect) \"/\" \"\"", "The server's hierarchy delimiter is \"/\".",
             "RFC 3501 §7.2.2");
    return ok("LIST completed");
  }
  for (auto& p : patterns) p.insert(0, *ref);
  auto matches = [&](const std::string& name) {
    return std::any_of(patterns.begin(), patterns.end(),
                       [&](const std::string& p) { return name_matches(p, name); });
  };

  const auto all = store_.folders(user_);
  std::vector<std::string> subs;  // sorted
  if (q.ret_subscribed) subs = store_.subscriptions(user_);
  auto subscribed = [&](const std::string& name) {
    return std::binary_search(subs.begin(), subs.end(), name);
  };
  std::vector<Candidate> cands;
  cands.reserve(all.size());
  for (const auto* f : all) cands.push_back({f->name, f});
  if (q.subscribed) {  // subscribed names whose mailbox is gone are listed \NonExistent
    for (const auto& s : subs)
      if (!store_.folder(user_, s)) cands.push_back({s, nullptr});
  }
  auto selected = [&](const Candidate& c) {
    return (!q.subscribed || subscribed(c.name)) &&
           (!q.special || (c.folder && !c.folder->special_use.empty()));
  };

  for (const auto& c : cands) {
    if (!matches(c.name)) continue;
    // RECURSIVEMATCH (RFC 5258 §3.5): a selected descendant the patterns do not reach shows
    // up as CHILDINFO on this mailbox, so a client listing one level sees where it is.
    bool childinfo = false;
    if (q.recursive) {
      for (const auto& d : cands)
        childinfo = childinfo || (is_inferior(d.name, c.name) && selected(d) && !matches(d.name));
    }
    const bool chosen = selected(c);
    if (!chosen && !childinfo) continue;
    bool children = false;
    for (const auto* g : all) children = children || is_inferior(g->name, c.name);
    std::string line = "* LIST (";
    if (!c.folder) {
      line += "\\NonExistent ";  // implies \Noselect (RFC 5258 §3.4)
    } else if (c.folder->noselect) {
      line += "\\Noselect ";
    }
    if (q.ret_subscribed && subscribed(c.name)) line += "\\Subscribed ";
    line += children ? "\\HasChildren" : "\\HasNoChildren";
    if (c.folder && !c.folder->special_use.empty()) line += " " + c.folder->special_use;
    line += ") \"/\" ";
    line += astring(encode_mutf7(c.name));
    std::string meaning;
    const char* rfc = "RFC 3501 §7.2.2";
    if (!chosen) {
      line += " (\"CHILDINFO\" (";
      line += q.subscribed ? "\"SUBSCRIBED\"" : "";
      line += q.subscribed && q.special ? " " : "";
      line += q.special ? "\"SPECIAL-USE\"" : "";
      line += "))";
      meaning = "Not itself chosen, but a folder below it is (CHILDINFO).";
      rfc = "RFC 5258 §3.5";
    } else if (!c.folder) {
      meaning = "A subscribed name whose mailbox no longer exists.";
      rfc = "RFC 5258 §3.4";
    } else if (!c.folder->special_use.empty()) {
      meaning = "A mailbox with a special use (" + c.folder->special_use +
                "): clients put such messages there.";
      rfc = "RFC 6154 §2";
    } else {
      meaning = "One mailbox that matches: its attributes, delimiter and name.";
    }
    untagged(std::move(line), std::move(meaning), rfc);
    // RFC 5819 §2: counters only for a mailbox that was chosen and can be selected.
    if (chosen && !q.status.empty() && c.folder && !c.folder->noselect)
      send_status(*c.folder, q.status, true);
  }
  ok("LIST completed");
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

}  // namespace net::imap

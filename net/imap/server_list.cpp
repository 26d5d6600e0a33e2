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
#include <set>
#include <string>
#include <vector>

namespace net::imap {

namespace {

// LIST wildcards (RFC 3501 §6.3.8): "*" matches anything, "%" anything but the delimiter.
// Row by row over the pattern, O(pattern x name): a backtracking matcher takes exponential
// time on a run of wildcards ("%%%...%x": one short command would stall `mailsim serve`).
bool wild_match(std::string_view p, std::string_view n) {
  // Fast paths for what clients send most: everything, or one name without wildcards.
  if (p == "*") return true;
  if (p.find_first_of("*%") == std::string_view::npos) return p == n;
  // A name shorter than the pattern's literal characters cannot match.
  std::size_t literal = 0;
  for (char c : p) literal += (c != '*' && c != '%');
  if (literal > n.size()) return false;
  // row[j]: the pattern so far matches the first j characters of the name.
  std::vector<unsigned char> row(n.size() + 1, 0), next(n.size() + 1);
  row[0] = 1;
  char prev = 0;
  for (char c : p) {
    if (c == '*') {
      if (prev == '*') continue;  // "**" is "*"
      unsigned char any = 0;
      for (std::size_t j = 0; j <= n.size(); ++j) next[j] = any = any | row[j];
    } else if (c == '%') {
      if (prev == '%' || prev == '*') {
        prev = c;
        continue;  // "%%" is "%", "*%" is "*"
      }
      next[0] = row[0];
      for (std::size_t j = 1; j <= n.size(); ++j)
        next[j] = row[j] | (next[j - 1] & (n[j - 1] != store::Mailstore::kDelimiter));
    } else {
      next[0] = 0;
      for (std::size_t j = 1; j <= n.size(); ++j) next[j] = row[j - 1] & (n[j - 1] == c);
    }
    row.swap(next);
    prev = c;
  }
  return row[n.size()] != 0;
}

// One LIST/LSUB pattern, reference prepended, prepared once for every name it is tried on.
struct ListPattern {
  std::string canonical;  // an "inbox" prefix in INBOX's case (RFC 3501 §5.1)
  std::string upper;      // INBOX is case-insensitive: its own case-folded form
  explicit ListPattern(const std::string& full)
      : canonical(store::canonical_folder(full)), upper(to_upper(full)) {}
  bool matches(const std::string& name) const {
    return wild_match(canonical, name) || (name == "INBOX" && wild_match(upper, name));
  }
};

// Every proper superior of `name` ("a/b/c": "a", "a/b").
template <typename F>
void for_each_superior(const std::string& name, F f) {
  for (std::size_t i = name.find(store::Mailstore::kDelimiter); i != std::string::npos;
       i = name.find(store::Mailstore::kDelimiter, i + 1))
    f(name.substr(0, i));
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

// One name LIST may answer with: a mailbox; with SUBSCRIBED, a subscribed name whose mailbox
// is gone; with RECURSIVEMATCH, a missing superior of a chosen one.
struct Candidate {
  std::string name;
  const store::Folder* folder = nullptr;
  bool matched = false;  // by one of the patterns
};

}  // namespace

// "(" item *(SP item) ")": known STATUS items (RFC 3501 §6.3.10), upper case. On a syntax
// error or an unknown item the command's BAD is set and nullopt returned.
std::optional<std::vector<std::string>> Server::status_items(Cursor& a) {
  const char* syntax =
      "Syntax: STATUS items are a list: (MESSAGES UNSEEN UIDNEXT UIDVALIDITY RECENT)";
  if (!a.eat('(')) {
    bad(syntax);
    return std::nullopt;
  }
  std::vector<std::string> items;
  while (!a.eat(')')) {
    auto item = a.atom();
    if (!item || (a.peek() != ')' && !a.sp())) {
      bad(syntax);
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
  bool extended = false;  // RFC 5258 syntax: options or a pattern list
  // Selection options (RFC 5258 §3; SPECIAL-USE: RFC 6154 §5.1).
  if (a.eat('(')) {
    extended = true;
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
    extended = true;
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
    extended = true;
    while (!a.eat(')')) {
      auto opt = a.atom();
      if (!opt) return bad(kListSyntax);
      const std::string o = to_upper(*opt);
      if (o == "SUBSCRIBED") {
        q.ret_subscribed = true;
      } else if (o == "STATUS") {  // RFC 5819 §2
        if (!q.status.empty()) return bad("LIST RETURN names STATUS twice");
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
  if (!extended && patterns[0].empty()) {
    // The hierarchy delimiter and root (RFC 3501 §6.3.8); not part of the extended syntax,
    // where an empty pattern is the reference alone (as Dovecot answers it).
    untagged("* LIST (\\Noselect) \"/\" \"\"", "The server's hierarchy delimiter is \"/\".",
             "RFC 3501 §7.2.2");
    return ok("LIST completed");
  }
  std::vector<ListPattern> pats;
  pats.reserve(patterns.size());
  for (const auto& p : patterns) pats.emplace_back(*ref + p);
  auto matches = [&](const std::string& name) {
    return std::any_of(pats.begin(), pats.end(),
                       [&](const ListPattern& p) { return p.matches(name); });
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
  // Sets of names, each built in one pass (no pair of mailboxes is compared): superiors of an
  // existing mailbox (\HasChildren), and with RECURSIVEMATCH (RFC 5258 §3.5) superiors of a
  // chosen name the patterns do not reach, which get CHILDINFO so that a client listing one
  // level sees where they are; such a superior that does not exist is listed \NonExistent.
  std::set<std::string> parents, childinfo;
  for (const auto* f : all)
    for_each_superior(f->name, [&](std::string p) { parents.insert(std::move(p)); });
  for (auto& c : cands) c.matched = matches(c.name);
  if (q.recursive) {
    for (const auto& d : cands)
      if (!d.matched && selected(d))
        for_each_superior(d.name, [&](std::string p) { childinfo.insert(std::move(p)); });
    std::set<std::string> known;
    for (const auto& c : cands) known.insert(c.name);
    for (const auto& name : childinfo)
      if (!known.count(name) && matches(name)) cands.push_back({name, nullptr, true});
  }

  for (const auto& c : cands) {
    if (!c.matched) continue;
    const bool chosen = selected(c);
    const bool info = childinfo.count(c.name) != 0;
    if (!chosen && !info) continue;
    const bool sub = subscribed(c.name);
    std::string line = "* LIST (";
    if (!c.folder) {
      line += "\\NonExistent ";  // implies \Noselect (RFC 5258 §3.4)
    } else if (c.folder->noselect) {
      line += "\\Noselect ";
    }
    if (q.ret_subscribed && sub) line += "\\Subscribed ";
    line += parents.count(c.name) ? "\\HasChildren" : "\\HasNoChildren";
    if (c.folder && !c.folder->special_use.empty()) line += " " + c.folder->special_use;
    line += ") \"/\" ";
    line += astring(encode_mutf7(c.name));
    std::string meaning;
    const char* rfc = "RFC 3501 §7.2.2";
    if (info) {
      line += " (\"CHILDINFO\" (";
      line += q.subscribed ? "\"SUBSCRIBED\"" : "";
      line += q.subscribed && q.special ? " " : "";
      line += q.special ? "\"SPECIAL-USE\"" : "";
      line += "))";
      meaning = chosen ? "A chosen mailbox; a folder below it, not listed here, is chosen too "
                         "(CHILDINFO)."
                       : "Not itself chosen, but a folder below it is (CHILDINFO).";
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
  const ListPattern pattern(*ref + *pat);
  for (const auto& name : store_.subscriptions(user_)) {
    if (!pattern.matches(name)) continue;
    const store::Folder* f = store_.folder(user_, name);
    untagged("* LSUB (" + std::string(!f || f->noselect ? "\\Noselect" : "") + ") \"/\" " +
                 astring(encode_mutf7(name)),
             "One subscribed mailbox that matches.", "RFC 3501 §7.2.3");
  }
  ok("LSUB completed");
}

}  // namespace net::imap

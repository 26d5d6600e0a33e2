#include "gui/mail_fold.hpp"

#include <algorithm>
#include <memory>

namespace mailsim {

namespace {

using Places = std::map<std::string, FoldedPlace>;

FoldedPlace& place_of(Places& places, const std::string& mailbox, const std::string& host,
                      bool device) {
  auto& p = places[mailbox + " on " + host];
  if (p.host.empty()) {
    p.host = host;
    p.mailbox = mailbox;
    p.device = device;
    p.folders["INBOX"];
  }
  return p;
}

// Every account's mailbox on its server and every device's store, all empty.
Places initial(const Scene& scene) {
  Places places;
  const sim::Lesson& L = *scene.lesson;
  for (const auto& a : L.accounts) {
    const std::string domain = a.address.substr(a.address.find('@') + 1);
    for (const auto& h : L.hosts)
      if (std::find(h.domains.begin(), h.domains.end(), domain) != h.domains.end())
        place_of(places, a.address, h.name, false);
  }
  for (const auto& h : L.hosts)
    if (h.role == "device") place_of(places, h.account, h.name, true);
  return places;
}

// Applies the k-th change of the scene.
void apply(const Scene& scene, Places& places, std::size_t k) {
  const sim::Lesson& L = *scene.lesson;
  const std::size_t i = scene.changes[k];
  const auto* m = std::get_if<sim::MailboxEv>(&scene.event(i).p);
  if (!m) return;
  const auto* h = L.host(m->host);
  auto& p = place_of(places, m->mailbox, m->host, h && h->role == "device");
  if (m->op == "create") {
    p.folders[m->folder];
    return;
  }
  if (m->op == "delete") {
    p.folders.erase(m->folder);
    return;
  }
  if (m->op == "rename") {  // folder is "old -> new"
    auto arrow = m->folder.find(" -> ");
    if (arrow == std::string::npos) return;
    std::string from = m->folder.substr(0, arrow), to = m->folder.substr(arrow + 4);
    auto node = p.folders.extract(from);
    if (!node.empty()) {
      node.key() = to;
      p.folders.insert(std::move(node));
    }
    if (from == "INBOX") p.folders["INBOX"];
    return;
  }
  auto& list = p.folders[m->folder];
  auto find = [&](std::uint32_t uid) {
    return std::find_if(list.begin(), list.end(),
                        [&](const FoldedMessage& x) { return x.uid == uid; });
  };
  const int delta = sim::mailbox_delta(m->op);
  if (delta > 0) {
    list.push_back({m->uid, m->size, m->summary, m->flags, m->cached || !p.device, i});
  } else if (delta < 0) {
    if (auto it = find(m->uid); it != list.end()) list.erase(it);
  } else if (m->op == "flags" || m->op == "cache") {
    if (auto it = find(m->uid); it != list.end()) {
      it->flags = m->flags;
      it->cached = m->cached || !p.device;
      it->since = i;
    }
  } else if (m->op == "renumber") {
    auto it = std::find_if(list.begin(), list.end(), [&](const FoldedMessage& x) {
      return x.uid == 0 && x.summary == m->summary;
    });
    if (it != list.end()) it->uid = m->uid;
  }
}

// Snapshots of the whole state, so that a fold at any cursor replays only the changes since
// the nearest one before it. Made once per trace (the scene of an open document does not
// change) and kept for the next frames. A snapshot is taken once max(kEvery, a part of the
// state's size) changes have passed since the last: a snapshot costs the state's size, so spacing
// them by it keeps all of them together proportional to the number of changes, and a fold still
// costs about one copy of the state. (Every kEvery changes, whatever the size, grew with the square
// of the trace: `bench sim` at 100,000 flows, 1.1 million changes, ran out of 24 GB.)
constexpr std::size_t kEvery = 256;
// A quarter of the state's size: snapshots then hold at most about four copies per change,
// and a fold replays at most a quarter of the state's size in changes (replaying a change
// costs more than copying a message).
constexpr std::size_t kSpacing = 4;

// Places, folders and messages: what copying the state costs.
std::size_t state_size(const Places& places) {
  std::size_t n = 0;
  for (const auto& [key, p] : places) {
    n += 1 + p.folders.size();
    for (const auto& [name, list] : p.folders) n += list.size();
  }
  return n;
}

struct Checkpoints {
  const sim::Trace* trace = nullptr;
  std::size_t changes = 0;
  std::vector<std::size_t> after;  // after[j]: how many changes snapshot j has applied
  std::vector<Places> at;
};

const Checkpoints& checkpoints(const Scene& scene) {
  static thread_local std::unique_ptr<Checkpoints> cache;
  if (!cache || cache->trace != scene.trace || cache->changes != scene.changes.size()) {
    auto c = std::make_unique<Checkpoints>();
    c->trace = scene.trace;
    c->changes = scene.changes.size();
    Places places = initial(scene);
    c->after.push_back(0);
    c->at.push_back(places);
    std::size_t since = 0, due = kEvery;
    for (std::size_t k = 0; k < scene.changes.size(); ++k) {
      apply(scene, places, k);
      if (++since < due) continue;
      const std::size_t size = state_size(places);
      if (since >= size / kSpacing) {
        c->after.push_back(k + 1);
        c->at.push_back(places);
        since = 0;
        due = kEvery;
      } else {
        due = size / kSpacing;  // look again once that many have passed
      }
    }
    cache = std::move(c);
  }
  return *cache;
}

}  // namespace

std::map<std::string, FoldedPlace> fold_mailboxes(const Scene& scene, std::size_t upto) {
  const std::size_t passed = Scene::passed(scene.changes, upto);
  const auto& cp = checkpoints(scene);
  // The last snapshot at or before `passed` (the first one, after no change, always is).
  const std::size_t j =
      static_cast<std::size_t>(std::upper_bound(cp.after.begin(), cp.after.end(), passed) -
                               cp.after.begin()) -
      1;
  Places places = cp.at[j];
  for (std::size_t k = cp.after[j]; k < passed; ++k) apply(scene, places, k);
  return places;
}

std::map<std::string, FoldedPlace> fold_mailboxes_from_start(const Scene& scene, std::size_t upto) {
  const std::size_t passed = Scene::passed(scene.changes, upto);
  Places places = initial(scene);
  for (std::size_t k = 0; k < passed; ++k) apply(scene, places, k);
  return places;
}

}  // namespace mailsim

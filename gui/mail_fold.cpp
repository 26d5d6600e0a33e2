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

// Snapshots after every kEvery changes, so a fold at any cursor replays at most kEvery
// changes: seeking in a long trace stays as cheap as in a short one. Made once per trace
// (the scene of an open document does not change) and kept for the next frames.
constexpr std::size_t kEvery = 256;

struct Checkpoints {
  const sim::Trace* trace = nullptr;
  std::size_t changes = 0;
  std::vector<Places> at;  // at[j]: the state after j * kEvery changes
};

const Checkpoints& checkpoints(const Scene& scene) {
  static thread_local std::unique_ptr<Checkpoints> cache;
  if (!cache || cache->trace != scene.trace || cache->changes != scene.changes.size()) {
    auto c = std::make_unique<Checkpoints>();
    c->trace = scene.trace;
    c->changes = scene.changes.size();
    Places places = initial(scene);
    c->at.push_back(places);
    for (std::size_t k = 0; k < scene.changes.size(); ++k) {
      apply(scene, places, k);
      if ((k + 1) % kEvery == 0) c->at.push_back(places);
    }
    cache = std::move(c);
  }
  return *cache;
}

}  // namespace

std::map<std::string, FoldedPlace> fold_mailboxes(const Scene& scene, std::size_t upto) {
  const std::size_t passed = Scene::passed(scene.changes, upto);
  const auto& cp = checkpoints(scene);
  const std::size_t j = std::min(passed / kEvery, cp.at.size() - 1);
  Places places = cp.at[j];
  for (std::size_t k = j * kEvery; k < passed; ++k) apply(scene, places, k);
  return places;
}

}  // namespace mailsim

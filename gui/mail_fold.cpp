#include "gui/mail_fold.hpp"

#include <algorithm>

namespace mailsim {

std::map<std::string, FoldedPlace> fold_mailboxes(const Scene& scene, std::size_t upto) {
  std::map<std::string, FoldedPlace> places;
  auto place = [&](const std::string& mailbox, const std::string& host,
                   bool device) -> FoldedPlace& {
    auto& p = places[mailbox + " on " + host];
    if (p.host.empty()) {
      p.host = host;
      p.mailbox = mailbox;
      p.device = device;
      p.folders["INBOX"];
    }
    return p;
  };
  const sim::Lesson& L = *scene.lesson;
  for (const auto& a : L.accounts) {
    const std::string domain = a.address.substr(a.address.find('@') + 1);
    for (const auto& h : L.hosts)
      if (std::find(h.domains.begin(), h.domains.end(), domain) != h.domains.end())
        place(a.address, h.name, false);
  }
  for (const auto& h : L.hosts)
    if (h.role == "device") place(h.account, h.name, true);

  const std::size_t passed = Scene::passed(scene.changes, upto);
  for (std::size_t k = 0; k < passed; ++k) {
    const std::size_t i = scene.changes[k];
    const auto* m = std::get_if<sim::MailboxEv>(&scene.event(i).p);
    if (!m) continue;
    const auto* h = L.host(m->host);
    auto& p = place(m->mailbox, m->host, h && h->role == "device");
    if (m->op == "create") {
      p.folders[m->folder];
      continue;
    }
    if (m->op == "delete") {
      p.folders.erase(m->folder);
      continue;
    }
    if (m->op == "rename") {  // folder is "old -> new"
      auto arrow = m->folder.find(" -> ");
      if (arrow == std::string::npos) continue;
      std::string from = m->folder.substr(0, arrow), to = m->folder.substr(arrow + 4);
      auto node = p.folders.extract(from);
      if (!node.empty()) {
        node.key() = to;
        p.folders.insert(std::move(node));
      }
      if (from == "INBOX") p.folders["INBOX"];
      continue;
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
  return places;
}

}  // namespace mailsim

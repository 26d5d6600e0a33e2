// Loading what the window shows: a lesson (run at once) or a JSON-lines trace; exporting the
// trace; listing the lessons of a directory.
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <set>
#include <sstream>

#include "gui/app.hpp"
#include "gui/capture_open.hpp"
#include "gui/i18n.hpp"
#include "sim/trace_json.hpp"

namespace mailsim {

namespace {

// A trace file has no lesson: recover the hosts (with a role guessed from the ports they
// serve or use) and the links from the events, so the network view can still draw them.
void recover_topology(Document& d) {
  std::vector<std::string> order;
  std::map<std::string, sim::LessonHost> hosts;
  auto use = [&](const std::string& name) -> sim::LessonHost* {
    if (name.empty()) return nullptr;
    auto [it, fresh] = hosts.try_emplace(name);
    if (fresh) {
      it->second.name = it->second.label = name;
      it->second.role = "router";
      order.push_back(name);
    }
    return &it->second;
  };
  auto is_mail_port = [](std::uint16_t p) {
    return p == 25 || p == 587 || p == 465 || p == 110 || p == 995 || p == 143 || p == 993;
  };
  std::map<std::uint32_t, std::pair<std::string, std::string>> conns;  // client, server
  std::set<std::string> link_ids;
  for (const auto& e : d.loaded.events()) {
    if (const auto* c = std::get_if<sim::ConnEv>(&e.p)) {
      auto* client = use(c->client);
      auto* server = use(c->server);
      conns[c->conn] = {c->client, c->server};
      if (server && is_mail_port(c->server_port)) server->role = "server";
      if (client && c->server_port != 25 && is_mail_port(c->server_port) &&
          client->role != "server")
        client->role = "device";
    } else if (const auto* s = std::get_if<sim::SegmentEv>(&e.p)) {
      use(s->from);
      use(s->to);
      if (!s->from.empty() && !s->to.empty() && !link_ids.count(s->link)) {
        link_ids.insert(s->link);
        const bool known = std::any_of(d.lesson.links.begin(), d.lesson.links.end(), [&](auto& l) {
          return (l.a == s->from && l.b == s->to) || (l.a == s->to && l.b == s->from);
        });
        if (!known) {
          sim::LessonLink l;
          l.a = s->from;
          l.b = s->to;
          d.lesson.links.push_back(l);
        }
      }
    } else if (const auto* l = std::get_if<sim::LineEv>(&e.p)) {
      use(l->from);
      use(l->to);
      // A DNS answer comes from the DNS server (lines name the two ends, not the hops).
      if (l->proto == sim::Proto::Dns && !l->from_client) use(l->from)->role = "dns";
    }
  }
  // Addresses: a segment's source address is its sending host's when that host is an end of
  // the exchange (a TCP connection's client or server; a DNS server answering, a resolver
  // asking), not a router forwarding it.
  for (const auto& e : d.loaded.events()) {
    const auto* s = std::get_if<sim::SegmentEv>(&e.p);
    if (!s || s->from.empty() || !hosts[s->from].ip.empty()) continue;
    bool end = false;
    if (s->udp) {
      end = (s->sport == 53 && hosts[s->from].role == "dns") ||
            (s->dport == 53 && hosts[s->from].role != "router");
    } else if (auto it = conns.find(s->conn); it != conns.end()) {
      end = it->second.first == s->from || it->second.second == s->from;
    }
    if (end) hosts[s->from].ip = s->src_ip;
  }
  for (const auto& n : order) {
    hosts[n].label = tr(("role." + hosts[n].role).c_str());  // in the language at load time
    d.lesson.hosts.push_back(hosts[n]);
  }
}

}  // namespace

std::unique_ptr<Document> open_lesson_document(const std::string& path, std::string& error,
                                               bool without_tls) {
  auto d = std::make_unique<Document>();
  try {
    auto lesson = sim::load_lesson(path);
    if (without_tls) lesson = sim::without_tls(std::move(lesson));
    d->world = std::make_unique<sim::World>(std::move(lesson));
    d->without_tls = without_tls;
  } catch (const sim::LessonError& e) {
    error = e.what();
    return nullptr;
  } catch (const std::exception& e) {
    error = path + ": " + e.what();
    return nullptr;
  }
  d->world->run();
  d->path = path;
  d->scene = build_scene(d->world->lesson(), d->world->trace());
  return d;
}

std::unique_ptr<Document> open_trace_document(const std::string& path, std::string& error) {
  std::ifstream stream(path, std::ios::binary);
  if (!stream) {
    error = path + ": cannot open";
    return nullptr;
  }
  std::string text((std::istreambuf_iterator<char>(stream)), std::istreambuf_iterator<char>());
  // A writer appends whole lines; what follows the last newline is still being written.
  if (auto nl = text.rfind('\n'); nl != std::string::npos) text.resize(nl + 1);
  std::istringstream in(text);
  auto d = std::make_unique<Document>();
  try {
    if (sim::is_capture_path(path))
      load_capture(path, d->loaded);  // a .pcap/.pcapng: what it shows is rebuilt from TCP
    else
      for (auto& e : sim::read_jsonl(in)) d->loaded.append(e.t, std::move(e.p));
  } catch (const std::exception& e) {
    error = path + ": " + e.what();
    return nullptr;
  }
  d->path = path;
  d->is_trace = true;
  const std::string file = std::filesystem::path(path).filename().string();
  d->lesson.file = path;
  d->lesson.id = file;
  for (const auto& lang : languages()) {
    char title[512];
    std::snprintf(title, sizeof title, tr("nar.trace_title", lang.code), file.c_str());
    d->lesson.title.by_lang[lang.code] = title;
    d->lesson.summary.by_lang[lang.code] = tr("nar.trace_summary", lang.code);
  }
  recover_topology(*d);
  d->scene = build_scene(d->lesson, d->loaded);
  return d;
}

bool export_trace(const Document& doc, const std::string& path, std::string& error) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) {
    error = path + ": cannot write";
    return false;
  }
  sim::write_jsonl(doc.trace(), out);
  out.flush();
  if (!out) {
    error = path + ": write failed";
    return false;
  }
  return true;
}

std::vector<LessonEntry> list_lessons(const std::string& dir) {
  std::vector<LessonEntry> out;
  std::error_code ec;
  for (const auto& f : std::filesystem::directory_iterator(dir, ec)) {
    if (f.path().extension() != ".toml") continue;
    try {
      out.push_back({f.path().string(), sim::load_lesson(f.path().string()).title});
    } catch (const std::exception&) {
      // A broken lesson is reported when it is opened, not while listing.
    }
  }
  std::sort(out.begin(), out.end(),
            [](const LessonEntry& a, const LessonEntry& b) { return a.path < b.path; });
  return out;
}

}  // namespace mailsim

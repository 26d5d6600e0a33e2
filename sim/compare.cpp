#include "sim/compare.hpp"

#include <algorithm>
#include <set>

#include "net/message/message.hpp"
#include "net/store/mailstore.hpp"
#include "sim/device.hpp"
#include "sim/mail_server.hpp"
#include "sim/mail_summary.hpp"
#include "sim/world.hpp"

namespace sim {

const std::vector<Variant>& compare_variants() {
  static const std::vector<Variant> v = {
      {"pop3-delete", "POP3 (delete)", "pop3", false},
      {"pop3-keep", "POP3 (leave a copy)", "pop3", true},
      {"imap", "IMAP", "imap", false},
  };
  return v;
}

namespace {

std::string replace_all(std::string s, const std::string& from, const std::string& to) {
  if (from.empty()) return s;
  for (std::size_t p = s.find(from); p != std::string::npos; p = s.find(from, p + to.size()))
    s.replace(p, from.size(), to);
  return s;
}

// Host names in notes read better as the lesson's labels ("Bruno's phone").
std::string with_labels(std::string s, const Lesson& L) {
  for (const auto& h : L.hosts)
    if (h.role == "device") s = replace_all(s, h.name, h.label);
  return s;
}

PlaceView server_view(World& w, const std::string& address) {
  PlaceView v;
  v["INBOX"];
  auto* server = w.server_for_domain(net::message::domain_of(address));
  if (!server) return v;
  for (const auto* f : server->store().folders(address)) {
    if (f->messages.empty()) continue;
    auto& list = v[f->name];
    for (const auto& m : f->messages)
      list.push_back({mail_subject(m.data), m.has_flag("\\Seen"), m.has_flag("\\Flagged"), true});
  }
  return v;
}

PlaceView device_view(const Device& d) {
  PlaceView v;
  v["INBOX"];
  for (const auto& m : d.store().messages())
    v[m.folder].push_back({m.subject, m.seen, m.flagged, m.data.has_value()});
  return v;
}

}  // namespace

CompareResult run_compare(const Lesson& lesson, const std::string& lang,
                          const std::function<void(const Variant&, World&)>& after_run) {
  CompareResult r;
  std::vector<std::string> accounts;
  for (const auto& h : lesson.hosts)
    if (h.role == "device" &&
        std::find(accounts.begin(), accounts.end(), h.account) == accounts.end())
      accounts.push_back(h.account);
  // Only accounts that read mail on some device matter; senders' servers are not compared.
  std::vector<std::string> readers;
  for (const auto& a : accounts) {
    bool reads = std::any_of(lesson.steps.begin(), lesson.steps.end(), [&](const LessonStep& s) {
      const auto* h = lesson.host(s.device);
      return s.action == "check" && h && h->account == a;
    });
    if (reads) readers.push_back(a);
  }
  for (const auto& a : readers) r.places.push_back((lang == "pt" ? "servidor: " : "server: ") + a);
  for (const auto& h : lesson.hosts)
    if (h.role == "device") {
      bool reader = std::find(readers.begin(), readers.end(), h.account) != readers.end();
      if (reader) r.places.push_back(h.label);
    }

  std::set<std::string> seen_subjects;
  auto note_subject = [&](const std::string& s) {
    if (seen_subjects.insert(s).second) r.subjects.push_back(s);
  };
  for (const auto& s : lesson.steps)
    if (s.action == "send") note_subject(s.subject);

  for (const auto& variant : compare_variants()) {
    Lesson L = lesson;
    for (auto& h : L.hosts)
      if (h.role == "device") {
        h.protocol = variant.protocol;
        h.leave_on_server = variant.leave_on_server;
      }
    World world(L);
    std::vector<StepSnapshot> snaps;
    std::size_t from = 0;
    world.on_step_done = [&](std::size_t i) {
      StepSnapshot snap;
      snap.step = "step " + std::to_string(i + 1) + "/" + std::to_string(L.steps.size());
      const auto& ev = world.trace().events();
      for (std::size_t k = from; k < ev.size(); ++k) {
        const auto* n = std::get_if<NoteEv>(&ev[k].p);
        if (!n) continue;
        if (n->kind == "action") snap.step += ": " + with_labels(n->text, L);
        if (n->kind == "error") {
          const auto* h = L.host(n->host);
          snap.problems.push_back((h ? h->label + ": " : std::string()) + n->text);
        }
      }
      from = ev.size();
      for (const auto& a : readers) snap.places.push_back(server_view(world, a));
      for (const auto* d : world.devices())
        if (std::find(readers.begin(), readers.end(), d->host().account) != readers.end())
          snap.places.push_back(device_view(*d));
      for (const auto& p : snap.places)
        for (const auto& [folder, list] : p)
          for (const auto& m : list) note_subject(m.subject);
      snaps.push_back(std::move(snap));
    };
    world.run();
    if (after_run) after_run(variant, world);
    r.runs.push_back(std::move(snaps));
  }
  return r;
}

namespace {

std::string letter(const CompareResult& r, const std::string& subject) {
  auto it = std::find(r.subjects.begin(), r.subjects.end(), subject);
  std::size_t k = static_cast<std::size_t>(it - r.subjects.begin());
  if (k < 26) return std::string(1, static_cast<char>('A' + k));
  return "M" + std::to_string(k + 1);
}

std::string cell(const CompareResult& r, const PlaceView& v) {
  std::string out;
  for (const auto& [folder, list] : v) {
    if (folder != "INBOX" && list.empty()) continue;
    std::string part = folder + ":";
    if (list.empty()) part += " -";
    for (const auto& m : list) {
      part += " " + letter(r, m.subject);
      if (!m.seen) part += "*";
      if (m.flagged) part += "!";
      if (!m.body) part += "~";
    }
    out += (out.empty() ? "" : "; ") + part;
  }
  return out;
}

// Display width in code points (the tables may hold Portuguese text).
std::size_t width(const std::string& s) {
  std::size_t n = 0;
  for (unsigned char c : s)
    if ((c & 0xC0) != 0x80) ++n;
  return n;
}

}  // namespace

void write_compare(const CompareResult& r, std::ostream& out, TableFormat format,
                   const std::string& lang) {
  const bool pt = lang == "pt";
  out << (pt ? "Mensagens: " : "Messages: ");
  for (std::size_t k = 0; k < r.subjects.size(); ++k)
    out << (k ? ", " : "") << letter(r, r.subjects[k]) << " = \"" << r.subjects[k] << "\"";
  out << "\n"
      << (pt ? "Marcas: A* por ler, A! com bandeira, A~ só os cabeçalhos estão no dispositivo; "
               "as pastas além de INBOX aparecem pelo nome.\n"
             : "Marks: A* unread, A! flagged, A~ only the headers are on the device; folders "
               "other than INBOX are named.\n");
  if (r.runs.empty()) return;
  const auto& variants = compare_variants();
  for (std::size_t step = 0; step < r.runs[0].size(); ++step) {
    std::vector<std::vector<std::string>> rows;
    std::vector<std::string> head = {pt ? "onde" : "where"};
    for (const auto& v : variants) head.push_back(v.label);
    rows.push_back(head);
    for (std::size_t p = 0; p < r.places.size(); ++p) {
      std::vector<std::string> row = {r.places[p]};
      for (std::size_t v = 0; v < r.runs.size(); ++v)
        row.push_back(step < r.runs[v].size() ? cell(r, r.runs[v][step].places[p]) : "?");
      rows.push_back(row);
    }
    bool any_problem = false;
    std::vector<std::string> notes = {pt ? "avisos" : "notes"};
    for (std::size_t v = 0; v < r.runs.size(); ++v) {
      std::string n;
      if (step < r.runs[v].size())
        for (const auto& p : r.runs[v][step].problems) n += (n.empty() ? "" : "; ") + p;
      any_problem |= !n.empty();
      notes.push_back(n);
    }
    if (any_problem) rows.push_back(notes);

    out << "\n"
        << (format == TableFormat::Markdown ? "### " : "== ") << r.runs[0][step].step << "\n\n";
    std::vector<std::size_t> w(rows[0].size(), 3);
    for (const auto& row : rows)
      for (std::size_t c = 0; c < row.size(); ++c) w[c] = std::max(w[c], width(row[c]));
    for (std::size_t i = 0; i < rows.size(); ++i) {
      out << "|";
      for (std::size_t c = 0; c < rows[i].size(); ++c)
        out << " " << rows[i][c] << std::string(w[c] - width(rows[i][c]), ' ') << " |";
      out << "\n";
      if (i == 0) {
        out << "|";
        for (std::size_t c = 0; c < rows[i].size(); ++c) out << std::string(w[c] + 2, '-') << "|";
        out << "\n";
      }
    }
  }
}

}  // namespace sim

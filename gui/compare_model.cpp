#include "gui/compare_model.hpp"

#include <algorithm>
#include <initializer_list>
#include <map>

#include "gui/i18n.hpp"

namespace mailsim {

namespace {

// `pattern` with each "%s" replaced by the next argument (interface strings are patterns).
std::string fill(const char* pattern, std::initializer_list<std::string> args) {
  std::string out;
  auto arg = args.begin();
  for (const char* p = pattern; *p; ++p) {
    if (p[0] == '%' && p[1] == 's' && arg != args.end()) {
      out += *arg++;
      ++p;
    } else {
      out += *p;
    }
  }
  return out;
}

std::string join(const std::vector<std::string>& parts) {
  std::string out;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    if (i) out += i + 1 == parts.size() ? tr("cmp.and") : ", ";
    out += parts[i];
  }
  return out;
}

// How a message looks in one place, or "" when it is not there.
std::string status(const sim::PlaceView& v, const std::string& subject) {
  for (const auto& [folder, list] : v)
    for (const auto& m : list) {
      if (m.subject != subject) continue;
      std::string s = tr(m.seen ? "cmp.st.read" : "cmp.st.unread");
      if (m.flagged) s += tr("cmp.st.flagged");
      if (!m.body) s += tr("cmp.st.headers_only");
      if (folder != "INBOX") s += fill(tr("cmp.st.in_folder"), {folder});
      return s;
    }
  return "";
}

}  // namespace

bool lesson_checks_mail(const sim::Lesson& lesson) {
  return std::any_of(lesson.steps.begin(), lesson.steps.end(), [&](const sim::LessonStep& s) {
    const auto* h = lesson.host(s.device);
    return s.action == "check" && h && h->role == "device";
  });
}

std::size_t step_at(const Scene& scene, std::size_t upto) {
  std::size_t n = 0;
  const std::size_t passed = Scene::passed(scene.notes, upto);
  for (std::size_t k = 0; k < passed; ++k)
    if (const auto* e = std::get_if<sim::NoteEv>(&scene.event(scene.notes[k]).p);
        e && e->kind == "step")
      ++n;
  return n;
}

std::string variant_label(std::size_t variant) {
  const auto& v = sim::compare_variants();
  if (variant >= v.size()) return "?";
  const std::string& id = v[variant].id;
  if (id == "pop3-delete") return tr("cmp.v.pop3-delete");
  if (id == "pop3-keep") return tr("cmp.v.pop3-keep");
  if (id == "imap") return tr("cmp.v.imap");
  return v[variant].label;
}

bool is_server_place(const std::string& place) {
  return place.rfind("server: ", 0) == 0 || place.rfind("servidor: ", 0) == 0;
}

std::string place_label(const std::string& place) {
  if (!is_server_place(place)) return place;
  return fill(tr("cmp.server"), {place.substr(place.find(": ") + 2)});
}

std::size_t message_count(const sim::PlaceView& v) {
  std::size_t n = 0;
  for (const auto& [folder, list] : v) n += list.size();
  return n;
}

std::vector<std::string> compare_differences(const sim::CompareResult& r, std::size_t step) {
  std::vector<std::string> out;
  bool differs = false;
  const std::size_t nv = r.runs.size();
  auto snap = [&](std::size_t v) -> const sim::StepSnapshot* {
    return step < r.runs[v].size() ? &r.runs[v][step] : nullptr;
  };
  for (std::size_t p = 0; p < r.places.size(); ++p) {
    const std::string where = place_label(r.places[p]);
    if (is_server_place(r.places[p])) {
      // What the server holds in each run, runs with the same count together.
      std::vector<std::pair<std::size_t, std::vector<std::string>>> groups;
      for (std::size_t v = 0; v < nv; ++v) {
        const auto* s = snap(v);
        if (!s || p >= s->places.size()) continue;
        const std::size_t n = message_count(s->places[p]);
        auto it =
            std::find_if(groups.begin(), groups.end(), [&](const auto& g) { return g.first == n; });
        if (it == groups.end()) {
          groups.push_back({n, {}});
          it = groups.end() - 1;
        }
        it->second.push_back(variant_label(v));
      }
      auto count = [](std::size_t n) {
        return fill(tr(n == 1 ? "cmp.one_message" : "cmp.n_messages"), {std::to_string(n)});
      };
      if (groups.empty()) continue;
      if (groups.size() == 1) {
        const std::size_t n = groups[0].first;
        out.push_back(fill(tr("cmp.server_same"),
                           {where, n == 0 ? std::string(tr("cmp.nothing")) : count(n)}));
        continue;
      }
      std::string text = where + ".";
      for (std::size_t g = 0; g < groups.size(); ++g) {
        const std::size_t n = groups[g].first;
        text +=
            std::string(g ? "; " : " ") + join(groups[g].second) + ": " +
            (n == 0 ? std::string(tr("cmp.server_empty")) : fill(tr("cmp.server_has"), {count(n)}));
      }
      out.push_back(text);
      differs = true;
      continue;
    }
    // Each message whose presence or state on this device differs between the runs.
    for (const auto& subject : r.subjects) {
      std::vector<std::string> st(nv);
      for (std::size_t v = 0; v < nv; ++v)
        if (const auto* s = snap(v); s && p < s->places.size())
          st[v] = status(s->places[p], subject);
      if (std::all_of(st.begin(), st.end(), [&](const std::string& x) { return x == st[0]; }))
        continue;
      // Group the runs by what they show.
      std::vector<std::pair<std::string, std::vector<std::string>>> groups;
      for (std::size_t v = 0; v < nv; ++v) {
        auto it = std::find_if(groups.begin(), groups.end(),
                               [&](const auto& g) { return g.first == st[v]; });
        if (it == groups.end()) {
          groups.push_back({st[v], {}});
          it = groups.end() - 1;
        }
        it->second.push_back(variant_label(v));
      }
      const bool one_present = std::count_if(groups.begin(), groups.end(),
                                             [](const auto& g) { return !g.first.empty(); }) == 1;
      if (one_present && groups.size() == 2) {
        const auto& g = groups[0].first.empty() ? groups[1] : groups[0];
        out.push_back(fill(tr("cmp.only_with"), {where, subject, g.first, join(g.second)}));
        differs = true;
        continue;
      }
      std::vector<std::string> parts;
      parts.reserve(groups.size());
      for (const auto& g : groups)
        parts.push_back(
            fill(tr("cmp.status_with"),
                 {g.first.empty() ? std::string(tr("cmp.st.absent")) : g.first, join(g.second)}));
      std::string text = fill(tr("cmp.message_differs"), {where, subject});
      for (std::size_t g = 0; g < parts.size(); ++g) text += (g ? "; " : " ") + parts[g];
      out.push_back(text);
      differs = true;
    }
  }
  for (std::size_t v = 0; v < nv; ++v)
    if (const auto* s = snap(v))
      for (const auto& pr : s->problems) {
        out.push_back(fill(tr("cmp.problem"), {variant_label(v), pr}));
        differs = true;
      }
  if (!differs) out.push_back(tr("cmp.no_differences"));
  return out;
}

}  // namespace mailsim

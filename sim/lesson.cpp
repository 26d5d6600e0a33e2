#include "sim/lesson.hpp"

#include <toml++/toml.h>
#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>

namespace sim {

const std::string& Text::get(const std::string& lang) const {
  static const std::string kEmpty;
  if (auto it = by_lang.find(lang); it != by_lang.end()) return it->second;
  if (auto it = by_lang.find("en"); it != by_lang.end()) return it->second;
  return by_lang.empty() ? kEmpty : by_lang.begin()->second;
}

const std::vector<std::string>& TextList::get(const std::string& lang) const {
  static const std::vector<std::string> kEmpty;
  if (auto it = by_lang.find(lang); it != by_lang.end()) return it->second;
  if (auto it = by_lang.find("en"); it != by_lang.end()) return it->second;
  return by_lang.empty() ? kEmpty : by_lang.begin()->second;
}

static std::string format_error(const SourcePos& p, const std::string& msg) {
  std::ostringstream s;
  s << p.file;
  if (p.line > 0) s << ':' << p.line << ':' << p.column;
  s << ": " << msg;
  return s.str();
}

LessonError::LessonError(SourcePos pos, const std::string& message)
    : std::runtime_error(format_error(pos, message)), pos_(std::move(pos)) {}

const LessonHost* Lesson::host(const std::string& name) const {
  for (const auto& h : hosts)
    if (h.name == name) return &h;
  return nullptr;
}

const LessonLink* Lesson::link(const std::string& a, const std::string& b) const {
  for (const auto& l : links)
    if ((l.a == a && l.b == b) || (l.a == b && l.b == a)) return &l;
  return nullptr;
}

std::string Lesson::link_id(const std::string& spec) const {
  auto sep = spec.find("<->");
  if (sep == std::string::npos) return {};
  const LessonLink* l = link(spec.substr(0, sep), spec.substr(sep + 3));
  return l ? l->a + "<->" + l->b : std::string();
}

namespace {

// Reads one lesson; every accessor knows the file so errors carry a position.
class Reader {
 public:
  Reader(std::string file, std::vector<MissingTranslation>* missing)
      : file_(std::move(file)), missing_(missing) {}

  SourcePos pos(const toml::node& n) const {
    const auto& s = n.source();
    return {file_, static_cast<std::uint32_t>(s.begin.line),
            static_cast<std::uint32_t>(s.begin.column)};
  }

  [[noreturn]] void fail(const toml::node& n, const std::string& msg) const {
    throw LessonError(pos(n), msg);
  }

  // Unknown keys are almost always typos; say which keys are allowed.
  void only_keys(const toml::table& t, std::initializer_list<const char*> allowed,
                 const char* what) const {
    std::set<std::string> ok(allowed.begin(), allowed.end());
    for (const auto& [k, v] : t) {
      if (!ok.count(std::string(k.str()))) {
        std::string list;
        for (const auto* a : allowed) list += std::string(list.empty() ? "" : ", ") + a;
        throw LessonError(pos(v), "unknown key '" + std::string(k.str()) + "' in " + what +
                                      " (allowed: " + list + ")");
      }
    }
  }

  std::string str(const toml::table& t, const char* key, const char* what, bool required,
                  std::string def = {}) const {
    const toml::node* n = t.get(key);
    if (!n) {
      if (required) throw LessonError(pos(t), std::string(what) + " needs '" + key + "'");
      return def;
    }
    if (!n->is_string()) fail(*n, std::string("'") + key + "' must be a string");
    return std::string(*n->value<std::string>());
  }

  std::int64_t integer(const toml::table& t, const char* key, std::int64_t def, std::int64_t lo,
                       std::int64_t hi) const {
    const toml::node* n = t.get(key);
    if (!n) return def;
    if (!n->is_integer()) fail(*n, std::string("'") + key + "' must be an integer");
    auto v = *n->value<std::int64_t>();
    if (v < lo || v > hi)
      fail(*n, std::string("'") + key + "' must be between " + std::to_string(lo) + " and " +
                   std::to_string(hi));
    return v;
  }

  // A text is either a plain string (English) or a table { en = "...", pt = "..." }.
  Text text(const toml::table& t, const char* key) const {
    Text out;
    const toml::node* n = t.get(key);
    if (!n) return out;
    if (n->is_string()) {
      out.by_lang["en"] = *n->value<std::string>();
    } else if (const auto* tt = n->as_table()) {
      for (const auto& [lang, v] : *tt) {
        if (!v.is_string())
          fail(v, std::string("'") + key + "." + std::string(lang.str()) + "' must be a string");
        if (lang.str() != "en" && lang.str() != "pt")
          fail(v, "unsupported language '" + std::string(lang.str()) + "' (use en or pt)");
        out.by_lang[std::string(lang.str())] = *v.value<std::string>();
      }
    } else {
      fail(*n, std::string("'") + key + "' must be a string or a table of languages");
    }
    if (missing_ && out.by_lang.count("en") && !out.by_lang.count("pt"))
      missing_->push_back({pos(*n), key});
    return out;
  }

  bool boolean(const toml::table& t, const char* key, bool def) const {
    const toml::node* n = t.get(key);
    if (!n) return def;
    if (!n->is_boolean()) fail(*n, std::string("'") + key + "' must be true or false");
    return *n->value<bool>();
  }

  std::vector<std::string> strings(const toml::table& t, const char* key) const {
    std::vector<std::string> out;
    const toml::node* n = t.get(key);
    if (!n) return out;
    if (n->is_string()) return {std::string(*n->value<std::string>())};
    const auto* arr = n->as_array();
    if (!arr) fail(*n, std::string("'") + key + "' must be a string or a list of strings");
    for (const auto& v : *arr) {
      if (!v.is_string()) fail(v, std::string("'") + key + "' must contain only strings");
      out.emplace_back(*v.value<std::string>());
    }
    return out;
  }

  // Each [[name]] array of tables, with a clear error when it is something else.
  template <typename F>
  void each_table(const toml::table& root, const char* name, F&& f) const {
    const toml::node* n = root.get(name);
    if (!n) return;
    const auto* arr = n->as_array();
    if (!arr) fail(*n, std::string("'") + name + "' must be written as [[" + name + "]] tables");
    for (const auto& v : *arr) {
      const auto* t = v.as_table();
      if (!t) fail(v, std::string("each '") + name + "' must be a table");
      f(*t);
    }
  }

  // A list of strings, or a table of such lists by language ({ en = [...], pt = [...] }).
  TextList text_list(const toml::table& t, const char* key) const {
    TextList out;
    const toml::node* n = t.get(key);
    if (!n) return out;
    auto list = [&](const toml::node& v, const std::string& name) {
      const auto* arr = v.as_array();
      if (!arr) fail(v, "'" + name + "' must be a list of strings, like [\"yes\", \"no\"]");
      std::vector<std::string> items;
      for (const auto& e : *arr) {
        if (!e.is_string()) fail(e, "'" + name + "' must contain only strings");
        items.emplace_back(*e.value<std::string>());
      }
      return items;
    };
    if (const auto* tt = n->as_table()) {
      for (const auto& [lang, v] : *tt) {
        std::string l(lang.str());
        if (l != "en" && l != "pt") fail(v, "unsupported language '" + l + "' (use en or pt)");
        out.by_lang[l] = list(v, std::string(key) + "." + l);
      }
      if (!out.by_lang.count("en")) fail(*n, std::string("'") + key + "' needs an 'en' list");
    } else {
      out.by_lang["en"] = list(*n, key);
    }
    return out;
  }

 private:
  std::string file_;
  std::vector<MissingTranslation>* missing_ = nullptr;
};

bool valid_ipv4(const std::string& ip) {
  int parts = 0;
  std::istringstream in(ip);
  std::string part;
  while (std::getline(in, part, '.')) {
    if (part.empty() || part.size() > 3 ||
        part.find_first_not_of("0123456789") != std::string::npos)
      return false;
    if (std::stoi(part) > 255) return false;
    ++parts;
  }
  return parts == 4 && ip.back() != '.';
}

Time parse_ms(const Reader& r, const toml::table& t, const char* key, Time def) {
  return r.integer(t, key, def / kMillisecond, 0, 7LL * 24 * 3600 * 1000) * kMillisecond;
}

}  // namespace

Lesson parse_lesson(const std::string& text, const std::string& file_name) {
  Lesson L;
  Reader r(file_name, &L.missing_pt);
  toml::table root;
  try {
    root = toml::parse(text, file_name);
  } catch (const toml::parse_error& e) {
    const auto& s = e.source();
    throw LessonError({file_name, static_cast<std::uint32_t>(s.begin.line),
                       static_cast<std::uint32_t>(s.begin.column)},
                      "TOML syntax error: " + std::string(e.description()));
  }
  r.only_keys(root, {"lesson", "host", "link", "account", "mx", "step", "question", "expect"},
              "the lesson file");

  L.file = file_name;
  const auto* meta = root["lesson"].as_table();
  if (!meta) throw LessonError({file_name, 1, 1}, "missing [lesson] table with id and title");
  r.only_keys(*meta,
              {"id", "title", "summary", "seed", "start", "retry_minutes", "level", "minutes",
               "order", "eavesdrop"},
              "[lesson]");
  L.id = r.str(*meta, "id", "[lesson]", true);
  L.title = r.text(*meta, "title");
  if (L.title.empty()) throw LessonError(r.pos(*meta), "[lesson] needs 'title'");
  L.summary = r.text(*meta, "summary");
  L.seed = static_cast<std::uint64_t>(r.integer(*meta, "seed", 1, 0, INT64_MAX));
  L.start_unix = r.integer(*meta, "start", L.start_unix, 0, 4102444800);
  L.level = r.str(*meta, "level", "[lesson]", false);
  if (!L.level.empty() && L.level != "beginner" && L.level != "intermediate" &&
      L.level != "advanced")
    r.fail(*meta->get("level"),
           "unknown level '" + L.level + "' (use beginner, intermediate or advanced)");
  L.minutes = static_cast<int>(r.integer(*meta, "minutes", 0, 1, 600));
  L.order = static_cast<int>(r.integer(*meta, "order", 0, 1, 999));
  if (const auto* rm = meta->get("retry_minutes")) {
    const auto* arr = rm->as_array();
    if (!arr || arr->empty()) r.fail(*rm, "'retry_minutes' must be a non-empty list of minutes");
    L.retry_schedule.clear();
    for (const auto& v : *arr) {
      if (!v.is_integer() || *v.value<std::int64_t>() <= 0)
        r.fail(v, "'retry_minutes' must contain positive integers");
      L.retry_schedule.push_back(*v.value<std::int64_t>() * kMinute);
    }
  }

  std::set<std::string> names, ips;
  int auto_ip = 10;
  r.each_table(root, "host", [&](const toml::table& t) {
    r.only_keys(
        t,
        {"name", "ip", "role", "label", "domain", "domains", "account", "server", "protocol",
         "leave_on_server", "keep_offline", "security", "tls", "plaintext_auth", "self_signed"},
        "[[host]]");
    LessonHost h;
    h.pos = r.pos(t);
    h.name = r.str(t, "name", "[[host]]", true);
    h.role = r.str(t, "role", "[[host]]", true);
    static const std::set<std::string> roles = {"device", "server", "dns", "router"};
    if (!roles.count(h.role))
      r.fail(*t.get("role"), "unknown role '" + h.role + "' (use device, server, dns or router)");
    h.ip = r.str(t, "ip", "[[host]]", false, "10.0.0." + std::to_string(auto_ip++));
    if (!valid_ipv4(h.ip))
      r.fail(t.get("ip") ? *t.get("ip") : t, "'" + h.ip + "' is not an IPv4 address");
    h.label = r.str(t, "label", "[[host]]", false, h.name);
    h.domains = r.strings(t, "domains");
    for (auto& d : r.strings(t, "domain")) h.domains.push_back(d);
    h.account = r.str(t, "account", "[[host]]", false);
    h.server = r.str(t, "server", "[[host]]", false);
    h.protocol = r.str(t, "protocol", "[[host]]", false, "imap");
    if (h.protocol != "imap" && h.protocol != "pop3")
      r.fail(*t.get("protocol"), "unknown protocol '" + h.protocol + "' (use imap or pop3)");
    h.leave_on_server = r.boolean(t, "leave_on_server", false);
    h.keep_offline = r.boolean(t, "keep_offline", false);
    h.security = r.str(t, "security", "[[host]]", false, "starttls");
    if (h.security != "starttls" && h.security != "tls" && h.security != "none")
      r.fail(*t.get("security"),
             "unknown security '" + h.security + "' (use starttls, tls or none)");
    h.tls = r.boolean(t, "tls", true);
    h.plaintext_auth = r.boolean(t, "plaintext_auth", false);
    h.self_signed = r.boolean(t, "self_signed", false);
    if (h.role != "server")
      for (const char* k : {"tls", "plaintext_auth", "self_signed"})
        if (t.get(k)) r.fail(*t.get(k), std::string("'") + k + "' is only for servers");
    if (h.role != "device")
      for (const char* k : {"protocol", "leave_on_server", "keep_offline", "account", "security"})
        if (t.get(k)) r.fail(*t.get(k), std::string("'") + k + "' is only for devices");
    if (!names.insert(h.name).second) r.fail(t, "host '" + h.name + "' is defined twice");
    if (!ips.insert(h.ip).second) r.fail(t, "address " + h.ip + " is used by two hosts");
    if (h.role == "device" && (h.account.empty() || h.server.empty()))
      r.fail(t, "device '" + h.name +
                    "' needs 'account' (its address) and 'server' (its mail server)");
    if (h.role == "server" && h.domains.empty())
      r.fail(t, "server '" + h.name + "' needs 'domain' (the mail domain it serves)");
    L.hosts.push_back(std::move(h));
  });
  if (L.hosts.empty()) throw LessonError({file_name, 1, 1}, "the lesson has no [[host]]");
  if (std::count_if(L.hosts.begin(), L.hosts.end(), [](auto& h) { return h.role == "dns"; }) != 1)
    throw LessonError({file_name, 1, 1}, "the lesson needs exactly one host with role = \"dns\"");

  auto need_host = [&](const toml::table& t, const char* key, const char* what) {
    std::string name = r.str(t, key, what, true);
    if (!L.host(name)) r.fail(*t.get(key), "unknown host '" + name + "'");
    return name;
  };

  r.each_table(root, "link", [&](const toml::table& t) {
    r.only_keys(t, {"a", "b", "latency_ms"}, "[[link]]");
    LessonLink l;
    l.pos = r.pos(t);
    l.a = need_host(t, "a", "[[link]]");
    l.b = need_host(t, "b", "[[link]]");
    if (l.a == l.b) r.fail(t, "a link needs two different hosts");
    l.latency = parse_ms(r, t, "latency_ms", l.latency);
    L.links.push_back(std::move(l));
  });

  std::set<std::string> addresses;
  r.each_table(root, "account", [&](const toml::table& t) {
    r.only_keys(t, {"address", "login", "password"}, "[[account]]");
    LessonAccount a;
    a.pos = r.pos(t);
    a.address = r.str(t, "address", "[[account]]", true);
    auto at = a.address.find('@');
    if (at == std::string::npos || at == 0 || at + 1 == a.address.size())
      r.fail(*t.get("address"), "'" + a.address + "' is not an e-mail address (name@domain)");
    a.login = r.str(t, "login", "[[account]]", false, a.address.substr(0, at));
    a.password = r.str(t, "password", "[[account]]", true);
    std::string domain = a.address.substr(at + 1);
    bool served = std::any_of(L.hosts.begin(), L.hosts.end(), [&](auto& h) {
      return std::find(h.domains.begin(), h.domains.end(), domain) != h.domains.end();
    });
    if (!served) r.fail(*t.get("address"), "no server has domain '" + domain + "'");
    if (!addresses.insert(a.address).second)
      r.fail(t, "account '" + a.address + "' is defined twice");
    L.accounts.push_back(std::move(a));
  });

  for (const auto& h : L.hosts) {
    if (h.role != "device") continue;
    if (!addresses.count(h.account))
      throw LessonError(h.pos, "device '" + h.name + "' uses account '" + h.account +
                                   "', which no [[account]] defines");
    const auto* s = L.host(h.server);
    if (!s || s->role != "server")
      throw LessonError(h.pos, "device '" + h.name + "' names server '" + h.server +
                                   "', which is not a host with role = \"server\"");
  }

  r.each_table(root, "mx", [&](const toml::table& t) {
    r.only_keys(t, {"domain", "exchange", "preference", "none"}, "[[mx]]");
    LessonMx m;
    m.pos = r.pos(t);
    m.domain = r.str(t, "domain", "[[mx]]", true);
    m.none = r.boolean(t, "none", false);
    if (m.none && (t.get("exchange") || t.get("preference")))
      r.fail(t,
             "an [[mx]] with none = true has no 'exchange' or 'preference' (the domain has "
             "no MX record at all)");
    m.exchange = r.str(t, "exchange", "[[mx]]", !m.none);
    m.preference = static_cast<std::uint16_t>(r.integer(t, "preference", 10, 0, 65535));
    L.mx.push_back(std::move(m));
  });

  auto need_device = [&](const toml::table& t, const std::string& action) {
    std::string what = "a " + action + " step";
    std::string name = need_host(t, "device", what.c_str());
    if (L.host(name)->role != "device")
      r.fail(*t.get("device"), "'" + name + "' is not a device (role = \"device\")");
    return name;
  };

  // A name the DNS server answers for (or a parent of one): hosts, mail domains, [[mx]].
  auto dns_knows = [&](const std::string& domain) {
    auto under = [&](const std::string& name) {
      if (name.size() < domain.size()) return false;
      const std::size_t at = name.size() - domain.size();
      if (name.compare(at, domain.size(), domain) != 0) return false;
      return at == 0 || name[at - 1] == '.';
    };
    for (const auto& h : L.hosts) {
      if (under(h.name)) return true;
      for (const auto& d : h.domains)
        if (under(d)) return true;
    }
    for (const auto& m : L.mx)
      if (under(m.domain)) return true;
    return false;
  };

  r.each_table(root, "step", [&](const toml::table& t) {
    LessonStep s;
    s.pos = r.pos(t);
    s.action = r.str(t, "action", "[[step]]", true);
    s.narration = r.text(t, "narration");
    s.pause = r.boolean(t, "pause", false);
    if (s.action == "send") {
      r.only_keys(t,
                  {"action", "narration", "pause", "device", "to", "subject", "body", "html",
                   "attachment", "password"},
                  "a send step");
      s.password = r.str(t, "password", "a send step", false);
      s.device = need_host(t, "device", "a send step");
      if (L.host(s.device)->role != "device")
        r.fail(*t.get("device"), "'" + s.device + "' is not a device (role = \"device\")");
      s.to = r.strings(t, "to");
      if (s.to.empty()) r.fail(t, "a send step needs 'to' (one address or a list)");
      for (const auto& a : s.to)
        if (a.find('@') == std::string::npos)
          r.fail(*t.get("to"), "'" + a + "' is not an e-mail address");
      s.subject = r.str(t, "subject", "a send step", false, "(no subject)");
      s.body = r.str(t, "body", "a send step", false, "");
      s.html = r.str(t, "html", "a send step", false, "");
      r.each_table(t, "attachment", [&](const toml::table& a) {
        r.only_keys(a, {"name", "type", "content"}, "[[step.attachment]]");
        LessonStep::Attachment att;
        att.name = r.str(a, "name", "[[step.attachment]]", true);
        att.type = r.str(a, "type", "[[step.attachment]]", false, "application/octet-stream");
        if (att.type.find('/') == std::string::npos)
          r.fail(*a.get("type"), "'" + att.type + "' is not a MIME type (like text/plain)");
        att.content = r.str(a, "content", "[[step.attachment]]", true);
        s.attachments.push_back(std::move(att));
      });
    } else if (s.action == "wait") {
      r.only_keys(t, {"action", "narration", "pause", "seconds"}, "a wait step");
      s.duration = r.integer(t, "seconds", 0, 0, 7 * 24 * 3600) * kSecond;
      if (!t.get("seconds")) r.fail(t, "a wait step needs 'seconds'");
    } else if (s.action == "link") {
      r.only_keys(t, {"action", "narration", "pause", "a", "b", "up"}, "a link step");
      std::string a = need_host(t, "a", "a link step"), b = need_host(t, "b", "a link step");
      const LessonLink* joined = L.link(a, b);
      if (!joined) r.fail(t, "no [[link]] joins '" + a + "' and '" + b + "'");
      // The network knows the link by the order [[link]] wrote it, whatever order the step
      // uses (a step written "b, a" used to name a link the network did not have).
      s.target = joined->a + "<->" + joined->b;
      const toml::node* up = t.get("up");
      if (!up || !up->is_boolean())
        r.fail(up ? *up : t, "a link step needs 'up = true' or 'up = false'");
      s.up = *up->value<bool>();
    } else if (s.action == "server") {
      r.only_keys(t, {"action", "narration", "pause", "host", "port", "up"}, "a server step");
      s.target = need_host(t, "host", "a server step");
      if (L.host(s.target)->role != "server")
        r.fail(*t.get("host"), "'" + s.target + "' is not a server");
      s.port = static_cast<std::uint16_t>(r.integer(t, "port", 25, 1, 65535));
      const toml::node* up = t.get("up");
      if (!up || !up->is_boolean())
        r.fail(up ? *up : t, "a server step needs 'up = true' or 'up = false'");
      s.up = *up->value<bool>();
    } else if (s.action == "dns") {
      r.only_keys(t, {"action", "narration", "pause", "domain", "up", "failure"}, "a dns step");
      s.target = r.str(t, "domain", "a dns step", false);
      if (t.get("domain") && !dns_knows(s.target))
        r.fail(*t.get("domain"), "the DNS server has no name '" + s.target +
                                     "' or under it (it knows the hosts, the servers' "
                                     "domains and the [[mx]] domains)");
      const toml::node* up = t.get("up");
      if (!up || !up->is_boolean())
        r.fail(up ? *up : t,
               "a dns step needs 'up = false' (the DNS server fails) or 'up = true' (it "
               "answers again)");
      s.up = *up->value<bool>();
      s.mode = r.str(t, "failure", "a dns step", false, "servfail");
      if (s.mode != "servfail" && s.mode != "timeout")
        r.fail(*t.get("failure"), "unknown failure '" + s.mode + "' (use servfail or timeout)");
      if (s.up && t.get("failure"))
        r.fail(*t.get("failure"),
               "'failure' says how the DNS server fails: use it with up = false");
    } else if (s.action == "mailbox") {
      r.only_keys(t, {"action", "narration", "pause", "mailbox", "full", "permanent"},
                  "a mailbox step");
      s.target = r.str(t, "mailbox", "a mailbox step", true);
      if (!addresses.count(s.target))
        r.fail(*t.get("mailbox"), "no [[account]] has the address '" + s.target + "'");
      const toml::node* full = t.get("full");
      if (!full || !full->is_boolean())
        r.fail(full ? *full : t,
               "a mailbox step needs 'full = true' (the mailbox is over its quota) or "
               "'full = false' (it has room again)");
      s.up = !*full->value<bool>();
      const bool permanent = r.boolean(t, "permanent", false);
      if (s.up && t.get("permanent"))
        r.fail(*t.get("permanent"), "'permanent' goes with full = true");
      s.mode = permanent ? "permanent" : "temporary";
    } else if (s.action == "check") {
      r.only_keys(t, {"action", "narration", "pause", "device", "password"}, "a check step");
      s.device = need_device(t, s.action);
      s.password = r.str(t, "password", "a check step", false);
    } else if (s.action == "offline" || s.action == "online") {
      r.only_keys(t, {"action", "narration", "pause", "device"},
                  ("a " + s.action + " step").c_str());
      s.device = need_device(t, s.action);
    } else if (s.action == "read" || s.action == "delete" || s.action == "flag") {
      r.only_keys(t, {"action", "narration", "pause", "device", "subject"},
                  ("a " + s.action + " step").c_str());
      s.device = need_device(t, s.action);
      s.subject = r.str(t, "subject", ("a " + s.action + " step").c_str(), true);
    } else if (s.action == "move") {
      r.only_keys(t, {"action", "narration", "pause", "device", "subject", "folder"},
                  "a move step");
      s.device = need_device(t, s.action);
      s.subject = r.str(t, "subject", "a move step", true);
      s.folder = r.str(t, "folder", "a move step", true);
      if (s.folder.empty() || s.folder == "INBOX")
        r.fail(*t.get("folder"), "move needs a folder other than INBOX");
    } else {
      r.fail(*t.get("action"), "unknown action '" + s.action +
                                   "' (use send, wait, link, server, dns, mailbox, check, read, "
                                   "delete, move, flag, offline or online)");
    }
    L.steps.push_back(std::move(s));
  });

  if (const auto* tap = meta->get("eavesdrop")) {
    std::string link = r.str(*meta, "eavesdrop", "[lesson]", false);
    auto sep = link.find("<->");
    if (sep == std::string::npos)
      r.fail(*tap, "'eavesdrop' names a link as \"host<->host\", like \"" +
                       (L.links.empty() ? std::string("a<->b")
                                        : L.links.front().a + "<->" + L.links.front().b) +
                       "\"");
    L.eavesdrop = L.link_id(link);
    if (L.eavesdrop.empty())
      r.fail(*tap, "'eavesdrop': no [[link]] joins '" + link.substr(0, sep) + "' and '" +
                       link.substr(sep + 3) + "'");
  }

  const auto nsteps = static_cast<std::int64_t>(L.steps.size());
  auto after_step = [&](const toml::table& t, const char* what, bool required, std::int64_t lo) {
    const toml::node* n = t.get("after_step");
    if (!n) {
      if (required)
        r.fail(t, std::string(what) + " needs 'after_step' (the step it follows, 1 to " +
                      std::to_string(nsteps) + "; 0 for before the first step)");
      return std::size_t{0};
    }
    if (!n->is_integer()) r.fail(*n, "'after_step' must be an integer");
    auto v = *n->value<std::int64_t>();
    if (v < lo || v > nsteps)
      r.fail(*n, "after_step = " + std::to_string(v) + ", but the lesson has " +
                     std::to_string(nsteps) + " step(s) (use " + std::to_string(lo) + " to " +
                     std::to_string(nsteps) + ")");
    return static_cast<std::size_t>(v);
  };

  r.each_table(root, "question", [&](const toml::table& t) {
    r.only_keys(
        t, {"after_step", "kind", "text", "choices", "answer", "explain", "command", "connection"},
        "[[question]]");
    LessonQuestion q;
    q.pos = r.pos(t);
    q.kind = r.str(t, "kind", "[[question]]", true);
    if (q.kind != "choice" && q.kind != "predict")
      r.fail(*t.get("kind"), "unknown kind '" + q.kind +
                                 "' (use \"choice\" for a multiple-choice question or "
                                 "\"predict\" for \"what will the server reply?\")");
    q.after_step = after_step(t, "[[question]]", true, 0);
    q.text = r.text(t, "text");
    if (q.text.empty() || q.text.get("en").empty())
      r.fail(t, "[[question]] needs 'text' (text.en and text.pt: the question itself)");
    q.explain = r.text(t, "explain");
    q.choices = r.text_list(t, "choices");
    if (q.kind == "choice") {
      for (const char* k : {"command", "connection"})
        if (t.get(k))
          r.fail(*t.get(k), std::string("'") + k + "' is only for kind = \"predict\" questions");
      const auto& en = q.choices.get("en");
      if (en.size() < 2)
        r.fail(t.get("choices") ? *t.get("choices") : t,
               "a choice question needs 'choices' with at least two options "
               "(choices.en = [\"...\", \"...\"])");
      if (q.choices.by_lang.count("pt") && q.choices.by_lang.at("pt").size() != en.size())
        r.fail(*t.get("choices"), "choices.pt has " +
                                      std::to_string(q.choices.by_lang.at("pt").size()) +
                                      " options but choices.en has " + std::to_string(en.size()) +
                                      " (translate every option, in the same order)");
      const toml::node* a = t.get("answer");
      if (!a) r.fail(t, "a choice question needs 'answer' (the right option, counting from 0)");
      if (!a->is_integer()) r.fail(*a, "'answer' must be an integer (counting from 0)");
      auto v = *a->value<std::int64_t>();
      if (v < 0 || v >= static_cast<std::int64_t>(en.size()))
        r.fail(*a, "answer = " + std::to_string(v) + " is out of range: there are " +
                       std::to_string(en.size()) + " choices, numbered from 0 (use 0 to " +
                       std::to_string(en.size() - 1) + ")");
      q.answer = static_cast<int>(v);
      if (!q.choices.by_lang.count("pt"))
        L.missing_pt.push_back({r.pos(*t.get("choices")), "choices"});
    } else {
      if (t.get("answer"))
        r.fail(*t.get("answer"),
               "a predict question has no 'answer': the expected reply is the one the server "
               "really sends in the run (remove 'answer')");
      q.command = r.str(t, "command", "a predict question", true);
      q.command_pos = r.pos(*t.get("command"));
      if (q.command.empty() || q.command.find_first_of("\r\n") != std::string::npos)
        r.fail(*t.get("command"),
               "'command' must be one protocol line, like \"RCPT TO:<bruno@recipient.example>\"");
      q.connection = r.str(t, "connection", "a predict question", false);
      if (!q.connection.empty()) {
        auto arrow = q.connection.find("->");
        if (arrow == std::string::npos)
          r.fail(*t.get("connection"),
                 "'connection' is \"client->server\" or \"client->server:port\", like "
                 "\"smtp.sender.example->mx.recipient.example:25\"");
        std::string client = q.connection.substr(0, arrow), server = q.connection.substr(arrow + 2);
        if (auto colon = server.rfind(':'); colon != std::string::npos) {
          std::string port = server.substr(colon + 1);
          if (port.empty() || port.size() > 5 ||
              port.find_first_not_of("0123456789") != std::string::npos)
            r.fail(*t.get("connection"), "'" + port + "' is not a port number");
          server.resize(colon);
        }
        for (const auto& h : {client, server})
          if (!L.host(h)) r.fail(*t.get("connection"), "unknown host '" + h + "' in 'connection'");
      }
      if (q.choices.by_lang.count("pt"))
        r.fail(*t.get("choices"),
               "a predict question's choices are reply codes, the same in every language: write "
               "choices = [\"250\", \"550\"]");
      for (const auto& c : q.choices.get("en")) {
        static const std::set<std::string> words = {"+OK", "-ERR", "OK", "NO", "BAD", "+"};
        bool code = c.size() == 3 && c.find_first_not_of("0123456789") == std::string::npos;
        if (!code && !words.count(c))
          r.fail(*t.get("choices"), "'" + c +
                                        "' is not a reply code (SMTP: 250, 550, ...; POP3: +OK, "
                                        "-ERR; IMAP: OK, NO, BAD)");
      }
    }
    L.questions.push_back(std::move(q));
  });

  r.each_table(root, "expect", [&](const toml::table& t) {
    r.only_keys(t,
                {"after_step", "host", "mailbox", "folder", "count", "subject", "present", "seen",
                 "reply", "note_contains", "queue", "overheard"},
                "[[expect]]");
    LessonExpect x;
    x.pos = r.pos(t);
    x.after_step = after_step(t, "[[expect]]", false, 1);
    x.host = r.str(t, "host", "[[expect]]", false);
    x.mailbox = r.str(t, "mailbox", "[[expect]]", false);
    x.folder = r.str(t, "folder", "[[expect]]", false, "INBOX");
    if (t.get("count")) x.count = r.integer(t, "count", 0, 0, 100000);
    x.subject = r.str(t, "subject", "[[expect]]", false);
    x.present = r.boolean(t, "present", true);
    if (t.get("seen")) x.seen = r.boolean(t, "seen", false);
    x.reply = r.str(t, "reply", "[[expect]]", false);
    x.note_contains = r.str(t, "note_contains", "[[expect]]", false);
    x.queue = r.str(t, "queue", "[[expect]]", false);
    x.overheard = r.str(t, "overheard", "[[expect]]", false);
    if (!x.overheard.empty() && x.after_step)
      r.fail(*t.get("after_step"),
             "'overheard' is checked on the whole run: remove after_step from this [[expect]]");
    if (!x.overheard.empty() && L.eavesdrop.empty())
      r.fail(*t.get("overheard"),
             "'overheard' needs a tapped link: add eavesdrop = \"host<->host\" to [lesson]");
    const bool mail_state = x.count || !x.subject.empty();
    if (!mail_state && x.reply.empty() && x.note_contains.empty() && x.queue.empty() &&
        x.overheard.empty())
      r.fail(t,
             "an [[expect]] needs something to check: count, subject, reply, note_contains, "
             "queue or overheard");
    if (t.get("present") && x.subject.empty() && x.overheard.empty())
      r.fail(*t.get("present"),
             "'present' says whether 'subject' (or 'overheard') is there: add subject = \"...\"");
    if (!x.subject.empty() && !x.overheard.empty())
      r.fail(*t.get("overheard"), "write 'subject' and 'overheard' in two [[expect]] tables");
    if (x.seen && x.subject.empty())
      r.fail(*t.get("seen"), "'seen' is about one message: add subject = \"...\"");
    if (x.seen && !x.present)
      r.fail(*t.get("seen"), "a message that is not present is neither seen nor unseen");
    if (x.count && !x.subject.empty())
      r.fail(*t.get("count"), "write 'count' and 'subject' in two [[expect]] tables");
    const LessonHost* h = nullptr;
    if (!x.host.empty()) {
      h = L.host(x.host);
      if (!h) r.fail(*t.get("host"), "unknown host '" + x.host + "'");
      if (h->role != "server" && h->role != "device")
        r.fail(*t.get("host"),
               "'" + x.host + "' is a " + h->role + " host; use a server or a device");
    }
    if (!x.mailbox.empty()) {
      auto at = x.mailbox.find('@');
      if (at == std::string::npos)
        r.fail(*t.get("mailbox"), "'" + x.mailbox + "' is not an e-mail address");
      if (!addresses.count(x.mailbox))
        r.fail(*t.get("mailbox"), "no [[account]] has the address '" + x.mailbox + "'");
      std::string domain = x.mailbox.substr(at + 1);
      if (h && h->role == "device" && h->account != x.mailbox)
        r.fail(*t.get("mailbox"),
               "device '" + x.host + "' reads " + h->account + ", not " + x.mailbox);
      if (h && h->role == "server" &&
          std::find(h->domains.begin(), h->domains.end(), domain) == h->domains.end())
        r.fail(*t.get("mailbox"), "server '" + x.host + "' does not keep mail for " + domain);
    }
    if (mail_state && x.mailbox.empty() && !(h && h->role == "device"))
      r.fail(t, "which mailbox? add mailbox = \"name@domain\" (or host = a device)");
    if (t.get("folder") && !mail_state)
      r.fail(*t.get("folder"), "'folder' goes with count or subject");
    if (!x.queue.empty()) {
      static const std::set<std::string> ops = {"enqueue", "attempt", "connect", "next-mx",
                                                "defer",   "sent",    "bounce",  "drop"};
      if (!ops.count(x.queue))
        r.fail(*t.get("queue"), "unknown queue event '" + x.queue +
                                    "' (use enqueue, attempt, connect, next-mx, defer, sent, "
                                    "bounce or drop)");
    }
    L.expects.push_back(std::move(x));
  });
  return L;
}

Lesson without_tls(Lesson lesson) {
  for (auto& h : lesson.hosts) {
    if (h.role == "server") {
      h.tls = false;
      h.plaintext_auth = true;
    }
    if (h.role == "device") h.security = "none";
  }
  return lesson;
}

Lesson load_lesson(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw LessonError({path, 0, 0}, "cannot open the lesson file");
  std::ostringstream s;
  s << in.rdbuf();
  return parse_lesson(s.str(), path);
}

}  // namespace sim

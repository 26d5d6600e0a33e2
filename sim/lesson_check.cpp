#include "sim/lesson_check.hpp"

#include <algorithm>
#include <cctype>
#include <map>
#include <optional>
#include <sstream>

#include "sim/device.hpp"
#include "sim/eavesdropper.hpp"
#include "sim/mail_server.hpp"
#include "sim/mail_summary.hpp"
#include "sim/world.hpp"

namespace sim {

namespace {

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string trim(const std::string& s) {
  auto b = s.find_first_not_of(" \t");
  if (b == std::string::npos) return {};
  return s.substr(b, s.find_last_not_of(" \t") - b + 1);
}

std::string first_word(const std::string& s) {
  return s.substr(0, s.find(' '));
}

std::string where(const SourcePos& p) {
  std::ostringstream s;
  s << p.file;
  if (p.line) s << ':' << p.line << ':' << p.column;
  return s.str();
}

// Does the client line say `command`? IMAP lines start with a tag the author cannot know.
bool same_command(const LineEv& l, const std::string& command) {
  std::string want = lower(trim(command)), text = lower(trim(l.text));
  if (text == want) return true;
  if (l.proto == Proto::Imap) {
    auto sp = text.find(' ');
    return sp != std::string::npos && text.substr(sp + 1) == want;
  }
  return false;
}

// "client->server[:port]" as written in a predict question.
struct ConnFilter {
  std::string client, server;
  std::uint16_t port = 0;
};

std::optional<ConnFilter> parse_filter(const std::string& s) {
  auto arrow = s.find("->");
  if (arrow == std::string::npos) return std::nullopt;
  ConnFilter f;
  f.client = s.substr(0, arrow);
  f.server = s.substr(arrow + 2);
  if (auto colon = f.server.rfind(':'); colon != std::string::npos) {
    f.port = static_cast<std::uint16_t>(std::stoul(f.server.substr(colon + 1)));
    f.server = f.server.substr(0, colon);
  }
  return f;
}

const LineEv* line_at(const Trace& trace, std::size_t i) {
  return std::get_if<LineEv>(&trace.events()[i].p);
}

// The reply to the client line at `cmd` on its connection: the lines of the matching reply.
// SMTP and POP3 answer commands in order (pipelined commands too), after a greeting; IMAP
// answers with the command's tag.
std::vector<std::size_t> reply_to(const Trace& trace, std::size_t cmd) {
  const LineEv& c = *line_at(trace, cmd);
  const auto& evs = trace.events();
  std::vector<std::size_t> out;
  if (c.proto == Proto::Imap) {
    std::string tag = first_word(c.text) + " ";
    for (std::size_t i = cmd + 1; i < evs.size(); ++i) {
      const auto* l = line_at(trace, i);
      if (!l || l->conn != c.conn || l->from_client || l->data) continue;
      if (l->text.rfind(tag, 0) == 0) {
        out.push_back(i);
        break;
      }
    }
    return out;
  }
  // Number the client's commands and the server's replies on this connection.
  std::size_t command_no = 0;
  bool counting = true;
  std::size_t reply_no = 0;
  std::vector<std::size_t> group;
  for (std::size_t i = 0; i < evs.size(); ++i) {
    const auto* l = line_at(trace, i);
    if (!l || l->conn != c.conn) continue;
    if (l->from_client) {
      // A lone "." ends SMTP DATA content: the server replies to it like to a command.
      if (counting && i < cmd && (!l->data || l->text == ".")) ++command_no;
      if (i == cmd) counting = false;
      continue;
    }
    if (l->data) continue;
    if (c.proto == Proto::Smtp) {
      if (l->text.size() < 3) continue;
      group.push_back(i);
      bool last = l->text.size() == 3 || l->text[3] != '-';
      if (!last) continue;
    } else {
      if (l->text.rfind("+OK", 0) != 0 && l->text.rfind("-ERR", 0) != 0 &&
          l->text.rfind('+', 0) != 0)
        continue;  // a multi-line response's body
      group.push_back(i);
    }
    // reply 0 is the greeting; command k (from 0) gets reply k + 1
    if (reply_no == command_no + 1 && i > cmd) return group;
    ++reply_no;
    group.clear();
  }
  return {};
}

// The step (1-based) whose run produced trace event `i`, from the "step N/M" notes.
std::size_t step_of(const Trace& trace, std::size_t i) {
  std::size_t step = 0;
  for (std::size_t k = 0; k <= i && k < trace.size(); ++k)
    if (const auto* n = std::get_if<NoteEv>(&trace.events()[k].p); n && n->kind == "step") ++step;
  return step;
}

}  // namespace

std::string reply_code(const LineEv& l) {
  if (l.from_client || l.data) return {};
  const std::string& t = l.text;
  switch (l.proto) {
    case Proto::Smtp:
      if (t.size() >= 3 && std::isdigit(static_cast<unsigned char>(t[0])) &&
          std::isdigit(static_cast<unsigned char>(t[1])) &&
          std::isdigit(static_cast<unsigned char>(t[2])))
        return t.substr(0, 3);
      return {};
    case Proto::Pop3:
      if (t.rfind("+OK", 0) == 0) return "+OK";
      if (t.rfind("-ERR", 0) == 0) return "-ERR";
      if (t.rfind('+', 0) == 0) return "+";
      return {};
    case Proto::Imap: {
      if (t.rfind('+', 0) == 0) return "+";
      auto sp = t.find(' ');
      if (sp == std::string::npos) return {};
      std::string word = first_word(t.substr(sp + 1));
      for (const char* w : {"OK", "NO", "BAD", "BYE", "PREAUTH"})
        if (word == w) return word;
      return {};
    }
    default:
      return {};
  }
}

PredictAnswer resolve_predict(const Trace& trace, const LessonQuestion& q, std::size_t from) {
  PredictAnswer a;
  std::optional<ConnFilter> filter;
  if (!q.connection.empty()) filter = parse_filter(q.connection);
  std::map<std::uint32_t, std::uint16_t> server_port;
  const auto& evs = trace.events();
  for (std::size_t i = 0; i < evs.size(); ++i) {
    if (const auto* c = std::get_if<ConnEv>(&evs[i].p); c && c->op == "open")
      server_port[c->conn] = c->server_port;
    if (i < from) continue;
    const auto* l = line_at(trace, i);
    if (!l || !l->from_client || l->data || !same_command(*l, q.command)) continue;
    if (l->proto != Proto::Smtp && l->proto != Proto::Pop3 && l->proto != Proto::Imap) continue;
    if (filter) {
      if (l->from != filter->client || l->to != filter->server) continue;
      if (filter->port && server_port[l->conn] != filter->port) continue;
    }
    auto reply = reply_to(trace, i);
    if (reply.empty()) {
      a.error = "the server never answered '" + q.command + "' (connection #" +
                std::to_string(l->conn) + ")";
      continue;
    }
    a.found = true;
    a.conn = l->conn;
    a.command_event = i;
    a.reply_events = reply;
    for (auto k : reply) a.reply_lines.push_back(line_at(trace, k)->text);
    a.code = reply_code(*line_at(trace, reply.back()));
    a.error.clear();
    return a;
  }
  if (a.error.empty())
    a.error = "no client sends '" + q.command + "'" +
              (q.connection.empty() ? std::string() : " on " + q.connection);
  return a;
}

namespace {

// Evaluates one expectation against the world as it is now and the trace up to `end`.
std::vector<std::string> evaluate(World& world, const LessonExpect& x, std::size_t end) {
  std::vector<std::string> fail;
  const std::string at = where(x.pos) + ": ";
  const std::string when =
      x.after_step ? " after step " + std::to_string(x.after_step) : " at the end";
  const Trace& trace = world.trace();
  end = std::min(end, trace.size());

  if (x.count || !x.subject.empty()) {
    struct Msg {
      std::string subject;
      bool seen;
    };
    std::vector<Msg> msgs;
    std::string place;
    const Device* dev = x.host.empty() ? nullptr : world.device(x.host);
    if (dev) {
      place = x.folder + " on " + x.host;
      for (const auto& m : dev->store().messages())
        if (m.folder == x.folder) msgs.push_back({m.subject, m.seen});
    } else {
      MailServer* srv = nullptr;
      if (!x.host.empty())
        srv = world.server(x.host);
      else
        srv = world.server_for_domain(x.mailbox.substr(x.mailbox.find('@') + 1));
      if (!srv) {
        fail.push_back(at + "no server keeps mail for " + x.mailbox);
        return fail;
      }
      place = x.mailbox + " " + x.folder + " on " + srv->name();
      if (const auto* f = srv->store().folder(x.mailbox, x.folder))
        for (const auto& m : f->messages)
          msgs.push_back({mail_subject(m.data), m.has_flag("\\Seen")});
    }
    auto list = [&] {
      std::string s;
      for (const auto& m : msgs) s += (s.empty() ? "\"" : ", \"") + m.subject + "\"";
      return s.empty() ? std::string("nothing") : s;
    };
    if (x.count && static_cast<long long>(msgs.size()) != *x.count)
      fail.push_back(at + "expected " + std::to_string(*x.count) + " message(s) in " + place +
                     when + ", found " + std::to_string(msgs.size()) + " (" + list() + ")");
    if (!x.subject.empty()) {
      auto it = std::find_if(msgs.begin(), msgs.end(), [&](const Msg& m) {
        return m.subject.find(x.subject) != std::string::npos;
      });
      if (x.present && it == msgs.end())
        fail.push_back(at + "expected a message \"" + x.subject + "\" in " + place + when +
                       ", found " + list());
      if (!x.present && it != msgs.end())
        fail.push_back(at + "expected no message \"" + x.subject + "\" in " + place + when +
                       ", but it is there");
      if (x.seen && it != msgs.end() && it->seen != *x.seen)
        fail.push_back(at + "expected \"" + x.subject + "\" in " + place + " to be " +
                       (*x.seen ? "read (\\Seen)" : "unread") + when + ", but it is " +
                       (it->seen ? "read" : "unread"));
    }
  }
  if (!x.reply.empty()) {
    bool seen = false;
    for (std::size_t i = 0; i < end && !seen; ++i) {
      const auto* l = line_at(trace, i);
      if (!l || l->from_client || l->data) continue;
      if (!x.host.empty() && world.server(x.host) && l->from != x.host) continue;
      seen =
          reply_code(*l) == x.reply || (!reply_code(*l).empty() && l->text.rfind(x.reply, 0) == 0);
    }
    if (!seen)
      fail.push_back(at + "expected a server to reply " + x.reply +
                     (x.host.empty() ? "" : " (" + x.host + ")") + when + ", none did");
  }
  if (!x.note_contains.empty()) {
    bool seen = false;
    for (std::size_t i = 0; i < end && !seen; ++i)
      if (const auto* n = std::get_if<NoteEv>(&trace.events()[i].p))
        seen = n->text.find(x.note_contains) != std::string::npos;
    if (!seen)
      fail.push_back(at + "expected a note containing \"" + x.note_contains + "\"" + when +
                     ", there is none (see `mailsim run`)");
  }
  if (!x.queue.empty()) {
    bool seen = false;
    for (std::size_t i = 0; i < end && !seen; ++i)
      if (const auto* qe = std::get_if<QueueEv>(&trace.events()[i].p))
        seen = qe->op == x.queue && (x.host.empty() || qe->host == x.host);
    if (!seen)
      fail.push_back(at + "expected a queue event '" + x.queue + "'" +
                     (x.host.empty() ? "" : " on " + x.host) + when + ", there is none");
  }
  if (!x.overheard.empty()) {
    bool seen = false;
    const std::string& link = world.lesson().eavesdrop;
    for (const auto& o : eavesdrop(trace, link)) {
      auto has = [&](const std::string& s) { return s.find(x.overheard) != std::string::npos; };
      seen = seen || has(o.sni) || std::any_of(o.lines.begin(), o.lines.end(), has) ||
             std::any_of(o.credentials.begin(), o.credentials.end(), has) ||
             std::any_of(o.subjects.begin(), o.subjects.end(), has);
    }
    if (x.present && !seen)
      fail.push_back(at + "expected the eavesdropper on " + link + " to read \"" + x.overheard +
                     "\"" + when + ", it does not (see `mailsim run --eavesdrop " + link + "`)");
    if (!x.present && seen)
      fail.push_back(at + "expected the eavesdropper on " + link + " not to read \"" + x.overheard +
                     "\"" + when + ", but it does");
  }
  return fail;
}

}  // namespace

CheckReport check_lesson(const Lesson& lesson, const CheckOptions& options) {
  CheckReport r;
  for (const auto& m : lesson.missing_pt) {
    std::string msg = where(m.pos) + ": '" + m.key + "' has no Portuguese text (add " + m.key +
                      ".pt; English is shown meanwhile)";
    (options.strict ? r.failures : r.warnings).push_back(msg);
  }

  World world(lesson);
  const std::size_t n = lesson.steps.size();
  // boundary[k]: the trace size when step k (1-based) had finished; boundary[0] = 0.
  std::vector<std::size_t> boundary(n + 1, 0);
  world.on_step_done = [&](std::size_t i) {
    boundary[i + 1] = world.trace().size();
    for (const auto& x : lesson.expects)
      if (x.after_step == i + 1)
        for (auto& f : evaluate(world, x, world.trace().size())) r.failures.push_back(f);
  };
  r.finished = world.run();
  if (!r.finished)
    r.failures.push_back(where({lesson.file, 0, 0}) +
                         ": the lesson did not finish (a limit stopped the run)");
  for (const auto& x : lesson.expects)
    if (x.after_step == 0)
      for (auto& f : evaluate(world, x, world.trace().size())) r.failures.push_back(f);

  for (const auto& q : lesson.questions) {
    if (q.kind != "predict") {
      r.predicts.emplace_back();
      continue;
    }
    auto a = resolve_predict(world.trace(), q, boundary[q.after_step]);
    const std::string at = where(q.command_pos) + ": ";
    if (!a.found) {
      auto earlier = resolve_predict(world.trace(), q, 0);
      if (earlier.found) {
        std::size_t step = step_of(world.trace(), earlier.command_event);
        r.failures.push_back(
            at + "'" + q.command + "' is sent during step " + std::to_string(step) +
            ", before the question is asked (after_step = " + std::to_string(q.after_step) +
            "); use after_step = " + std::to_string(step ? step - 1 : 0) + " or earlier");
      } else {
        r.failures.push_back(at + "predict: " + a.error +
                             " in the run: write the command exactly as `mailsim run` shows it "
                             "after \"C:\" (without an IMAP tag)");
      }
    } else if (a.code.empty()) {
      r.failures.push_back(at + "the reply to '" + q.command + "' (\"" + a.reply_lines.back() +
                           "\") carries no reply code");
    } else {
      const auto& codes = q.choices.get("en");
      if (!codes.empty() && std::find(codes.begin(), codes.end(), a.code) == codes.end())
        r.failures.push_back(at + "the server really answers " + a.code +
                             ", which is not among the choices; add it");
    }
    r.predicts.push_back(std::move(a));
  }
  return r;
}

}  // namespace sim

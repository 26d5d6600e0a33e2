#include "gui/handout.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdio>
#include <filesystem>
#include <sstream>
#include <vector>

#include "gui/sequence_layout.hpp"
#include "gui/sequence_svg.hpp"
#include "sim/lesson_check.hpp"
#include "sim/transcript.hpp"

namespace mailsim {

namespace {

// The handout's own words, in English and Portuguese (lesson texts carry their own).
struct Words {
  const char* step;  // "Step %zu of %zu"
  const char* before;
  const char* predict;
  const char* transcript;
  const char* after;
  const char* answer;
  const char* answer_key;
  const char* answer_key_note;
  const char* hosts;
  const char *host, *address, *role;
  const char* diagram;
  const char* diagram_note;
  const char* right;           // "Right answer:"
  const char* server_replied;  // "The server answered:"
  const char* command;         // "Command:"
  const char* question;        // "Question %zu"
  const char* masked;
  const char* shown;
  const char* generated;  // "Made with mailsim from %s (seed %llu)."
  const char* level;
  const char* minutes;  // "%d minutes"
  const char* inside_tls;
  const char* no_lines;
  const char* on_wire;
  const char* meaning;
};

const Words kEn{"Step %zu of %zu",
                "Before you start",
                "Predict before you read on",
                "What crossed the network",
                "Questions",
                "Answer",
                "Answer key",
                "Try the questions first.",
                "The hosts",
                "Host",
                "Address",
                "Role",
                "Sequence diagram",
                "Time runs down the page (milliseconds on the left); each arrow is one command "
                "or reply.",
                "Right answer:",
                "The server answered:",
                "Command:",
                "Question %zu",
                "Passwords are masked (****).",
                "Passwords are shown (--show-secrets).",
                "Made with mailsim from %s (seed %llu).",
                "Level:",
                "%d minutes",
                "inside TLS: encrypted on the wire",
                "(nothing on the wire in this step)",
                "On the wire",
                "What it means"};

const Words kPt{"Passo %zu de %zu",
                "Antes de começar",
                "Preveja antes de continuar",
                "O que passou na rede",
                "Perguntas",
                "Resposta",
                "Respostas",
                "Tente responder primeiro.",
                "As máquinas",
                "Máquina",
                "Endereço",
                "Papel",
                "Diagrama de sequência",
                "O tempo corre de cima para baixo (milissegundos à esquerda); cada seta é um "
                "comando ou uma resposta.",
                "Resposta certa:",
                "O servidor respondeu:",
                "Comando:",
                "Pergunta %zu",
                "As palavras-passe estão escondidas (****).",
                "As palavras-passe estão visíveis (--show-secrets).",
                "Feito com o mailsim a partir de %s (semente %llu).",
                "Nível:",
                "%d minutos",
                "dentro de TLS: cifrado na rede",
                "(nada passou na rede neste passo)",
                "Na rede",
                "O que quer dizer"};

template <typename... A>
std::string format(const char* fmt, A... args) {
  char buf[512];
  std::snprintf(buf, sizeof buf, fmt, args...);
  return buf;
}

std::string html_escape(const std::string& s) {
  return xml_escape(s);
}

// Paragraphs of a narration (blank lines separate them).
std::vector<std::string> paragraphs(const std::string& text) {
  std::vector<std::string> out;
  std::string cur;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (line.find_first_not_of(" \t\r") == std::string::npos) {
      if (!cur.empty()) out.push_back(cur), cur.clear();
      continue;
    }
    if (!cur.empty()) cur += ' ';
    cur += line;
  }
  if (!cur.empty()) out.push_back(cur);
  return out;
}

// Markdown text: characters that would start emphasis, links, HTML or code are escaped.
std::string md_escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (std::string_view("\\`*_[]<>#|").find(c) != std::string_view::npos) out += '\\';
    out += c;
  }
  return out;
}

// A code fence longer than any run of backticks inside the block.
std::string fence_for(const std::string& block) {
  std::size_t run = 0, best = 0;
  for (char c : block) {
    run = c == '`' ? run + 1 : 0;
    best = std::max(best, run);
  }
  return std::string(std::max<std::size_t>(3, best + 1), '`');
}

// The lesson's level in the handout's language (the words `mailsim lessons` uses).
std::string level_name(const std::string& level, const std::string& lang) {
  if (lang != "pt") return level;
  if (level == "beginner") return "iniciação";
  if (level == "intermediate") return "intermédio";
  if (level == "advanced") return "avançado";
  return level;
}

// A host's role in the handout's language.
std::string role_name(const std::string& role, const std::string& lang) {
  if (lang != "pt") return role;
  if (role == "device") return "dispositivo";
  if (role == "server") return "servidor";
  if (role == "router") return "encaminhador";
  if (role == "dns") return "servidor DNS";
  return role;
}

std::string letter(std::size_t i) {
  return std::string(1, static_cast<char>('A' + static_cast<int>(i % 26)));
}

// A question with its number and its right answer, worked out once.
struct Question {
  const sim::LessonQuestion* q;
  std::size_t number;              // 1-based, in the order the lesson asks them
  std::string answer;              // "B. 587 (submission, with login)" or "250"
  std::vector<std::string> reply;  // predict: the lines the server sent
};

const char kLockSvg[] =
    "<svg class=\"lock\" viewBox=\"0 0 10 12\" width=\"9\" height=\"11\" aria-hidden=\"true\">"
    "<path d=\"M2.5 6V4a2.5 2.5 0 0 1 5 0v2\" fill=\"none\" stroke=\"currentColor\" "
    "stroke-width=\"1.5\"/><rect x=\"0.5\" y=\"5.5\" width=\"9\" height=\"6\" rx=\"1\" "
    "fill=\"currentColor\"/></svg>";

const char kCss[] = R"(
:root { --ink: #1d2330; --muted: #5f646e; --rule: #d9dde4; --paper: #ffffff; --soft: #f4f6f9;
  --smtp: #1858be; --pop3: #aa5a00; --imap: #14783c; --dns: #783cb4; --tls: #7a5d00; }
* { box-sizing: border-box; }
body { margin: 0; background: var(--soft); color: var(--ink);
  font: 16px/1.55 "DejaVu Sans", "Segoe UI", Roboto, Helvetica, Arial, sans-serif; }
main { max-width: 60rem; margin: 0 auto; padding: 2.2rem 2.5rem 3rem; background: var(--paper);
  box-shadow: 0 0 0 1px var(--rule); }
header { border-bottom: 3px solid var(--smtp); padding-bottom: 1rem; margin-bottom: 1.5rem; }
h1 { font-size: 1.8rem; line-height: 1.25; margin: 0 0 .4rem; }
h2 { font-size: 1.3rem; margin: 2.2rem 0 .6rem; padding-bottom: .25rem;
  border-bottom: 1px solid var(--rule); }
h3 { font-size: 1.02rem; margin: 1.3rem 0 .5rem; color: var(--muted);
  text-transform: uppercase; letter-spacing: .04em; }
.summary { font-size: 1.08rem; margin: .2rem 0 .6rem; }
.meta { color: var(--muted); font-size: .9rem; margin: 0; }
.meta span + span::before { content: " · "; }
table { border-collapse: collapse; width: 100%; font-size: .92rem; }
th, td { text-align: left; vertical-align: top; padding: .3rem .5rem; }
th { border-bottom: 2px solid var(--rule); font-weight: 600; }
.hosts td { border-bottom: 1px solid var(--rule); }
code, .mono { font-family: "DejaVu Sans Mono", Consolas, monospace; font-size: .86em; }
figure { margin: 1rem 0; }
figure .diagram { overflow-x: auto; border: 1px solid var(--rule); border-radius: 6px; }
figure svg.mailsim-sequence { display: block; }
figcaption { color: var(--muted); font-size: .88rem; margin-top: .4rem; }
.narration p { margin: .5rem 0; }
.question { border-left: 4px solid var(--smtp); background: #f3f7fe; padding: .6rem .9rem;
  margin: .8rem 0; border-radius: 0 6px 6px 0; }
.question .qtext { margin: 0 0 .35rem; font-weight: 600; }
.question ol { margin: .2rem 0 .4rem; padding-left: 1.6rem; list-style: upper-alpha; }
details.answer summary { cursor: pointer; color: var(--smtp); font-size: .92rem; }
details.answer div { padding: .3rem 0 0; }
table.transcript { margin: .4rem 0 0; font-size: .84rem; }
table.transcript td { border-bottom: 1px solid #eceef2; }
table.transcript th { font-size: .8rem; color: var(--muted); font-weight: 600; }
table.transcript td.t { color: var(--muted); white-space: nowrap; width: 4.5rem; text-align: right;
  font-family: "DejaVu Sans Mono", Consolas, monospace; font-size: .78rem; }
table.transcript td.line { font-family: "DejaVu Sans Mono", Consolas, monospace; width: 50%;
  word-break: break-word; border-left: 3px solid transparent; }
table.transcript td.m { color: #3a4150; }
table.transcript .rfc { color: var(--muted); font-size: .85em; white-space: nowrap; }
table.transcript .rfc a { color: inherit; }
tr.smtp td.line { border-left-color: #4a90f0; color: var(--smtp); }
tr.pop3 td.line { border-left-color: #f09230; color: var(--pop3); }
tr.imap td.line { border-left-color: #34b268; color: var(--imap); }
tr.dns td.line { border-left-color: #aa74e8; color: var(--dns); }
tr.event td.line { color: var(--muted); font-style: italic; }
tr.tls td.line { color: var(--tls); }
tr.server td.line { padding-left: 1.4rem; }
svg.lock { color: var(--tls); margin-right: .3rem; vertical-align: -1px; }
.empty { color: var(--muted); font-style: italic; }
.key li { margin: .45rem 0; }
.key .right { font-weight: 600; }
footer { margin-top: 2.5rem; color: var(--muted); font-size: .85rem;
  border-top: 1px solid var(--rule); padding-top: .6rem; }
@media print {
  body { background: none; font-size: 11pt; }
  main { box-shadow: none; max-width: none; padding: 0; }
  h2 { break-after: avoid; }
  .question, tr, figure { break-inside: avoid; }
  details.answer { display: none; }
  figure .diagram { overflow: visible; border: none; }
  figure svg.mailsim-sequence { max-width: 100%; height: auto; }
  section.key { break-before: page; }
  a { color: inherit; text-decoration: none; }
}
)";

}  // namespace

std::string rfc_url(const std::string& rfc) {
  // "RFC <number>", then anything (a section sign and its number).
  unsigned number = 0;
  if (rfc.rfind("RFC ", 0) != 0) return "";
  const char* const end = rfc.data() + rfc.size();
  const auto [after, ec] = std::from_chars(rfc.data() + 4, end, number);
  if (ec != std::errc() || number == 0) return "";
  std::string url = "https://www.rfc-editor.org/rfc/rfc" + std::to_string(number);
  const std::string rest(after, end);
  const auto sect = rest.find("\xC2\xA7");  // §
  if (sect != std::string::npos) {
    std::string s;
    for (std::size_t i = sect + 2;
         i < rest.size() && (std::isdigit(static_cast<unsigned char>(rest[i])) || rest[i] == '.');
         ++i)
      s += rest[i];
    while (!s.empty() && s.back() == '.') s.pop_back();
    if (!s.empty()) url += "#section-" + s;
  }
  return url;
}

Handout make_handout(const sim::Lesson& lesson, const Scene& scene, const HandoutOptions& o) {
  const Words& w = o.lang == "pt" ? kPt : kEn;
  const sim::Trace& trace = *scene.trace;
  Handout out;
  const std::string title = lesson.title.get(o.lang);
  SequenceSvgOptions svg_opt;
  svg_opt.title = title;
  out.svg = sequence_svg(scene, layout_sequence(scene), svg_opt);
  SequenceSvgOptions inline_opt;  // the page has the title already
  const std::string inline_svg = sequence_svg(scene, layout_sequence(scene), inline_opt);

  // The step markers split the transcript: rows before the first belong to no step.
  sim::TranscriptOptions topt;
  topt.lesson = &lesson;
  topt.lang = o.lang;
  const auto rows = sim::transcript_rows(trace, topt);
  const std::vector<bool> in_tls = lines_inside_tls(trace);
  const std::size_t nsteps = lesson.steps.size();
  std::vector<std::size_t> marker;  // trace index of each step's marker
  for (const auto& r : rows)
    if (r.step) marker.push_back(r.index);
  std::vector<std::vector<const sim::TranscriptRow*>> per_step(nsteps + 1);
  {
    std::size_t k = 0;  // 0: before the first step
    for (const auto& r : rows) {
      if (r.step) {
        k = std::min(k + 1, nsteps);
        continue;
      }
      per_step[k].push_back(&r);
    }
  }

  // Questions in the order they are asked, with their answers.
  std::vector<Question> questions;
  for (const auto& q : lesson.questions) {
    Question item{&q, 0, {}, {}};
    if (q.kind == "predict") {
      const std::size_t from = q.after_step == 0              ? 0
                               : q.after_step < marker.size() ? marker[q.after_step]
                                                              : trace.size();
      sim::PredictAnswer a = sim::resolve_predict(trace, q, from);
      if (!a.found) a = sim::resolve_predict(trace, q, 0);
      item.answer = a.found ? a.code : "?";
      item.reply = a.reply_lines;
    } else if (q.answer >= 0) {
      const auto& choices = q.choices.get(o.lang);
      const auto i = static_cast<std::size_t>(q.answer);
      item.answer = letter(i) + ". " + (i < choices.size() ? choices[i] : std::string());
    }
    questions.push_back(std::move(item));
  }
  std::stable_sort(questions.begin(), questions.end(), [](const Question& a, const Question& b) {
    return a.q->after_step < b.q->after_step;
  });
  for (std::size_t i = 0; i < questions.size(); ++i) questions[i].number = i + 1;
  // Step k shows the questions asked before it (after step k - 1); those asked after the
  // last step close the handout.
  auto asked_after = [&](std::size_t step) {
    std::vector<const Question*> v;
    for (const auto& q : questions)
      if (step >= nsteps ? q.q->after_step >= nsteps : q.q->after_step == step) v.push_back(&q);
    return v;
  };

  // ---- HTML
  std::ostringstream h;
  auto esc = [](const std::string& s) { return html_escape(s); };
  auto html_question = [&](const Question& item) {
    const auto& q = *item.q;
    h << "<div class=\"question\" id=\"q" << item.number << "\"><p class=\"qtext\">"
      << esc(format(w.question, item.number)) << ". " << esc(q.text.get(o.lang)) << "</p>\n";
    if (q.kind == "predict" && !q.command.empty())
      h << "<p>" << esc(w.command) << " <code>" << esc(q.command) << "</code></p>\n";
    const auto& choices = q.choices.get(o.lang);
    if (!choices.empty()) {
      h << "<ol>";
      for (const auto& c : choices) h << "<li>" << esc(c) << "</li>";
      h << "</ol>\n";
    }
    h << "<details class=\"answer\"><summary>" << esc(w.answer) << "</summary><div><span "
      << "class=\"right\">" << esc(w.right) << " " << esc(item.answer) << "</span>";
    if (!q.explain.empty()) h << " " << esc(q.explain.get(o.lang));
    h << "</div></details></div>\n";
  };
  auto html_rows = [&](const std::vector<const sim::TranscriptRow*>& rs) {
    if (rs.empty()) {
      h << "<p class=\"empty\">" << esc(w.no_lines) << "</p>\n";
      return;
    }
    h << "<table class=\"transcript\"><thead><tr><th>ms</th><th>" << esc(w.on_wire) << "</th><th>"
      << esc(w.meaning) << "</th></tr></thead><tbody>\n";
    for (const auto* r : rs) {
      const sim::Event& ev = trace.events()[r->index];
      std::string cls = "event";
      const auto* line = std::get_if<sim::LineEv>(&ev.p);
      if (line) {
        cls = sim::to_string(line->proto);
        std::transform(cls.begin(), cls.end(), cls.begin(),
                       [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
        cls += line->from_client ? " client" : " server";
      } else if (std::holds_alternative<sim::TlsEv>(ev.p)) {
        cls = "event tls";
      }
      const bool locked = r->index < in_tls.size() && in_tls[r->index];
      char ms[32];
      std::snprintf(ms, sizeof ms, "%.3f", static_cast<double>(ev.t) / 1000.0);
      h << "<tr class=\"" << cls << "\"><td class=\"t\">" << ms << "</td><td class=\"line\""
        << (line && !line->data ? "" : " colspan=\"2\"") << ">" << (locked ? kLockSvg : "")
        << esc(r->text) << "</td>";
      if (!line || line->data) {
        h << "</tr>\n";
        continue;
      }
      h << "<td class=\"m\">" << esc(r->meaning);
      if (!r->rfc.empty()) {
        const std::string url = rfc_url(r->rfc);
        h << " <span class=\"rfc\">";
        if (!url.empty())
          h << "<a href=\"" << esc(url) << "\">" << esc(r->rfc) << "</a>";
        else
          h << esc(r->rfc);
        h << "</span>";
      }
      h << "</td></tr>\n";
    }
    h << "</tbody></table>\n";
  };

  h << "<!DOCTYPE html>\n<html lang=\"" << esc(o.lang) << "\">\n<head>\n<meta charset=\"utf-8\">\n"
    << "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
    << "<title>" << esc(title) << "</title>\n<style>" << kCss
    << "</style>\n</head>\n<body>\n<main>\n"
    << "<header>\n<h1>" << esc(title) << "</h1>\n";
  if (!lesson.summary.empty())
    h << "<p class=\"summary\">" << esc(lesson.summary.get(o.lang)) << "</p>\n";
  h << "<p class=\"meta\">";
  if (!lesson.level.empty())
    h << "<span>" << esc(w.level) << " " << esc(level_name(lesson.level, o.lang)) << "</span>";
  if (lesson.minutes > 0) h << "<span>" << esc(format(w.minutes, lesson.minutes)) << "</span>";
  h << "<span class=\"mono\">" << esc(lesson.id) << "</span><span>"
    << esc(o.secrets_shown ? w.shown : w.masked) << "</span></p>\n</header>\n";

  h << "<section class=\"hosts\">\n<h2>" << esc(w.hosts) << "</h2>\n<table><thead><tr><th>"
    << esc(w.host) << "</th><th></th><th>" << esc(w.address) << "</th><th>" << esc(w.role)
    << "</th></tr></thead><tbody>\n";
  for (const auto& host : lesson.hosts)
    h << "<tr><td>" << esc(host.label) << "</td><td class=\"mono\">" << esc(host.name)
      << "</td><td class=\"mono\">" << esc(host.ip) << "</td><td>"
      << esc(role_name(host.role, o.lang)) << "</td></tr>\n";
  h << "</tbody></table>\n</section>\n";

  h << "<section class=\"sequence\">\n<h2>" << esc(w.diagram) << "</h2>\n<figure><div "
    << "class=\"diagram\">\n"
    << inline_svg << "</div><figcaption>" << esc(w.diagram_note) << "</figcaption></figure>\n"
    << "</section>\n";

  if (!per_step[0].empty()) {
    h << "<section class=\"step\" id=\"step0\">\n<h2>" << esc(w.before) << "</h2>\n";
    html_rows(per_step[0]);
    h << "</section>\n";
  }
  for (std::size_t k = 1; k <= nsteps; ++k) {
    h << "<section class=\"step\" id=\"step" << k << "\">\n<h2>" << esc(format(w.step, k, nsteps))
      << "</h2>\n<div class=\"narration\">";
    for (const auto& p : paragraphs(lesson.steps[k - 1].narration.get(o.lang)))
      h << "<p>" << esc(p) << "</p>";
    h << "</div>\n";
    if (const auto qs = asked_after(k - 1); !qs.empty()) {
      h << "<h3>" << esc(w.predict) << "</h3>\n";
      for (const Question* q : qs) html_question(*q);
    }
    h << "<h3>" << esc(w.transcript) << "</h3>\n";
    html_rows(per_step[k]);
    h << "</section>\n";
  }
  if (const auto qs = asked_after(nsteps); !qs.empty()) {
    h << "<section class=\"questions\" id=\"questions\">\n<h2>" << esc(w.after) << "</h2>\n";
    for (const Question* q : qs) html_question(*q);
    h << "</section>\n";
  }
  if (!questions.empty()) {
    h << "<section class=\"key\" id=\"answers\">\n<h2>" << esc(w.answer_key) << "</h2>\n<p "
      << "class=\"empty\">" << esc(w.answer_key_note) << "</p>\n<ol class=\"key\">\n";
    for (const auto& item : questions) {
      h << "<li value=\"" << item.number << "\"><span class=\"right\">" << esc(item.answer)
        << "</span>";
      if (!item.reply.empty()) {
        h << " &mdash; " << esc(w.server_replied) << " ";
        for (std::size_t i = 0; i < item.reply.size(); ++i)
          h << (i ? " / " : "") << "<code>" << esc(item.reply[i]) << "</code>";
      }
      if (!item.q->explain.empty()) h << "<br>" << esc(item.q->explain.get(o.lang));
      h << "</li>\n";
    }
    h << "</ol>\n</section>\n";
  }
  h << "<footer>"
    << esc(format(w.generated, std::filesystem::path(lesson.file).filename().string().c_str(),
                  static_cast<unsigned long long>(lesson.seed)))
    << "</footer>\n</main>\n</body>\n</html>\n";
  out.html = h.str();

  // ---- Markdown
  std::ostringstream m;
  auto md_rows = [&](const std::vector<const sim::TranscriptRow*>& rs) {
    if (rs.empty()) {
      m << "*" << md_escape(w.no_lines) << "*\n\n";
      return;
    }
    std::string block;
    for (const auto* r : rs) {
      const bool locked = r->index < in_tls.size() && in_tls[r->index];
      block += r->stamp + (locked ? " [TLS] " : "       ") + r->text + "\n";
      if (!r->meaning.empty())
        block += std::string(r->stamp.size() + 7, ' ') + "    ; " + r->meaning +
                 (r->rfc.empty() ? "" : " [" + r->rfc + "]") + "\n";
    }
    const std::string f = fence_for(block);
    m << f << "text\n" << block << f << "\n\n";
  };
  auto md_question = [&](const Question& item) {
    const auto& q = *item.q;
    m << "**" << md_escape(format(w.question, item.number)) << ".** "
      << md_escape(q.text.get(o.lang)) << "\n\n";
    if (q.kind == "predict" && !q.command.empty())
      m << md_escape(w.command) << " `" << q.command << "`\n\n";
    const auto& choices = q.choices.get(o.lang);
    for (std::size_t i = 0; i < choices.size(); ++i)
      m << "- " << letter(i) << ". " << md_escape(choices[i]) << "\n";
    if (!choices.empty()) m << "\n";
  };
  m << "# " << md_escape(title) << "\n\n";
  if (!lesson.summary.empty()) m << md_escape(lesson.summary.get(o.lang)) << "\n\n";
  m << "*";
  if (!lesson.level.empty())
    m << md_escape(w.level) << " " << md_escape(level_name(lesson.level, o.lang)) << " · ";
  if (lesson.minutes > 0) m << md_escape(format(w.minutes, lesson.minutes)) << " · ";
  m << md_escape(lesson.id) << " · " << md_escape(o.secrets_shown ? w.shown : w.masked) << "*\n\n";
  m << "## " << md_escape(w.hosts) << "\n\n| " << w.host << " | | " << w.address << " | " << w.role
    << " |\n|---|---|---|---|\n";
  for (const auto& host : lesson.hosts)
    m << "| " << md_escape(host.label) << " | `" << host.name << "` | `" << host.ip << "` | "
      << md_escape(role_name(host.role, o.lang)) << " |\n";
  m << "\n## " << md_escape(w.diagram) << "\n\n![" << md_escape(w.diagram) << "](" << o.svg_name
    << ")\n\n"
    << md_escape(w.diagram_note) << "\n\n";
  if (!per_step[0].empty()) {
    m << "## " << md_escape(w.before) << "\n\n";
    md_rows(per_step[0]);
  }
  for (std::size_t k = 1; k <= nsteps; ++k) {
    m << "## " << md_escape(format(w.step, k, nsteps)) << "\n\n";
    for (const auto& p : paragraphs(lesson.steps[k - 1].narration.get(o.lang)))
      m << md_escape(p) << "\n\n";
    if (const auto qs = asked_after(k - 1); !qs.empty()) {
      m << "### " << md_escape(w.predict) << "\n\n";
      for (const Question* q : qs) md_question(*q);
    }
    m << "### " << md_escape(w.transcript) << "\n\n";
    md_rows(per_step[k]);
  }
  if (const auto qs = asked_after(nsteps); !qs.empty()) {
    m << "## " << md_escape(w.after) << "\n\n";
    for (const Question* q : qs) md_question(*q);
  }
  if (!questions.empty()) {
    m << "## " << md_escape(w.answer_key) << "\n\n";
    for (const auto& item : questions) {
      m << item.number << ". **" << md_escape(item.answer) << "**";
      if (!item.reply.empty()) {
        m << " — " << md_escape(w.server_replied);
        for (std::size_t i = 0; i < item.reply.size(); ++i)
          m << (i ? " / " : " ") << "`" << item.reply[i] << "`";
      }
      if (!item.q->explain.empty())
        m << (item.reply.empty() ? " — " : ". ") << md_escape(item.q->explain.get(o.lang));
      m << "\n";
    }
    m << "\n";
  }
  m << "---\n\n*"
    << md_escape(format(w.generated, std::filesystem::path(lesson.file).filename().string().c_str(),
                        static_cast<unsigned long long>(lesson.seed)))
    << "*\n";
  out.markdown = m.str();
  return out;
}

}  // namespace mailsim

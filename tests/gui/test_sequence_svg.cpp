// The ladder diagram without ImGui: its layout (lifelines, one arrow per protocol line, folded
// handshakes, padlocks inside TLS), its SVG (well-formed, escaped) and the handout built on it.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <string>
#include <vector>

#include "gui/handout.hpp"
#include "gui/i18n.hpp"
#include "gui/scene.hpp"
#include "gui/sequence_layout.hpp"
#include "gui/sequence_svg.hpp"
#include "sim/world.hpp"

using namespace mailsim;

namespace {

// A small XML well-formedness check: every tag closes in order, attributes are quoted, no
// bare '<' or '&' outside a tag or an entity. Returns "" or what is wrong.
std::string xml_problem(const std::string& x) {
  std::vector<std::string> open;
  std::size_t i = 0;
  while (i < x.size()) {
    if (x[i] == '&') {
      const auto semi = x.find(';', i);
      if (semi == std::string::npos || semi - i > 8) return "bare & at " + std::to_string(i);
      const std::string ent = x.substr(i, semi - i + 1);
      if (ent != "&amp;" && ent != "&lt;" && ent != "&gt;" && ent != "&quot;" && ent != "&apos;")
        return "unknown entity " + ent;
      i = semi + 1;
      continue;
    }
    if (x[i] == '>') return "bare > at " + std::to_string(i);
    if (x[i] != '<') {
      ++i;
      continue;
    }
    if (x.compare(i, 2, "<?") == 0 || x.compare(i, 4, "<!--") == 0) {
      i = x.find('>', i);
      if (i == std::string::npos) return "unclosed declaration";
      ++i;
      continue;
    }
    const bool closing = x[i + 1] == '/';
    std::size_t j = i + (closing ? 2 : 1);
    std::string name;
    while (j < x.size() && (std::isalnum(static_cast<unsigned char>(x[j])) || x[j] == '-' ||
                            x[j] == ':' || x[j] == '_'))
      name += x[j++];
    if (name.empty()) return "bare < at " + std::to_string(i);
    // Attributes: name="value" (no '<' inside values).
    bool self_closing = false;
    for (;;) {
      while (j < x.size() && std::isspace(static_cast<unsigned char>(x[j]))) ++j;
      if (j >= x.size()) return "unclosed tag " + name;
      if (x[j] == '>') break;
      if (x.compare(j, 2, "/>") == 0) {
        self_closing = true;
        ++j;
        break;
      }
      if (closing) return "attribute in a closing tag " + name;
      const auto eq = x.find('=', j);
      if (eq == std::string::npos || eq + 1 >= x.size() || (x[eq + 1] != '"' && x[eq + 1] != '\''))
        return "unquoted attribute in " + name;
      const auto end = x.find(x[eq + 1], eq + 2);
      if (end == std::string::npos) return "unclosed attribute in " + name;
      if (x.find('<', eq + 2) < end) return "'<' in an attribute of " + name;
      j = end + 1;
    }
    i = j + 1;
    if (closing) {
      if (open.empty() || open.back() != name) return "</" + name + "> closes nothing open";
      open.pop_back();
    } else if (!self_closing) {
      open.push_back(name);
    }
  }
  return open.empty() ? "" : "<" + open.back() + "> never closed";
}

std::size_t count(const std::string& hay, const std::string& needle) {
  std::size_t n = 0;
  for (auto p = hay.find(needle); p != std::string::npos; p = hay.find(needle, p + 1)) ++n;
  return n;
}

// A hand-made trace between two hosts: connect, a greeting with characters XML must escape,
// STARTTLS, the handshake, a login inside TLS, three lines of message content, close.
struct Hand {
  sim::Trace trace;
  Scene scene;
  Hand() {
    scene.hosts = {{"client.example", "The \"client\"", "device", "10.0.0.1", 0.0f, 0.5f},
                   {"server.example", "Server <&>", "server", "10.0.0.2", 1.0f, 0.5f},
                   {"idle.example", "Idle", "server", "10.0.0.3", 0.5f, 0.5f}};
    scene.trace = &trace;
    sim::Time t = 0;
    auto line = [&](bool c2s, const std::string& text, bool data = false) {
      sim::LineEv l;
      l.conn = 1;
      l.proto = sim::Proto::Smtp;
      l.from = c2s ? "client.example" : "server.example";
      l.to = c2s ? "server.example" : "client.example";
      l.from_client = c2s;
      l.data = data;
      l.text = text;
      trace.append(t += 1000, l);
    };
    auto tls = [&](bool c2s, const std::string& what) {
      sim::TlsEv e;
      e.conn = 1;
      e.from = c2s ? "client.example" : "server.example";
      e.to = c2s ? "server.example" : "client.example";
      e.what = what;
      e.bytes = what.rfind("established", 0) == 0 ? 0 : 100;
      trace.append(t += 1000, e);
    };
    sim::ConnEv open;
    open.conn = 1;
    open.op = "open";
    open.client = "client.example";
    open.server = "server.example";
    open.server_port = 587;
    trace.append(t, open);
    line(false, "220 <server> & \"friends\" 'welcome'");
    line(true, "STARTTLS");
    line(false, "220 go ahead");
    tls(true, "ClientHello");
    tls(false, "ServerHello");
    tls(false, "Finished");
    tls(true, "established TLSv1.3 TLS_AES_256_GCM_SHA384");
    tls(false, "established TLSv1.3 TLS_AES_256_GCM_SHA384");
    line(true, "AUTH PLAIN ****");
    line(false, "235 ok");
    line(true, "DATA");
    line(false, "354 go");
    line(true, "Subject: a < b", true);
    line(true, "", true);
    line(true, ".", true);
    line(false, "250 queued");
    sim::ConnEv close = open;
    close.op = "close";
    trace.append(t += 1000, close);
  }
};

}  // namespace

TEST_CASE("xml_escape: markup characters, control bytes and broken UTF-8") {
  CHECK(xml_escape("a<b & \"c\" 'd'>") == "a&lt;b &amp; &quot;c&quot; &apos;d&apos;&gt;");
  CHECK(xml_escape("ação §4.1 \xF0\x9F\x93\xA7") == "ação §4.1 \xF0\x9F\x93\xA7");  // kept
  CHECK(xml_escape("tab\there") == "tab\there");
  CHECK(xml_escape(std::string("nul\0x", 5)) == "nul\xEF\xBF\xBDx");
  CHECK(xml_escape("\x1b[0m") == "\xEF\xBF\xBD[0m");
  CHECK(xml_escape("\xFF") == "\xEF\xBF\xBD");
  CHECK(xml_escape("\xC0\xAF") == "\xEF\xBF\xBD\xEF\xBF\xBD");                  // overlong '/'
  CHECK(xml_escape("\xED\xA0\x80") == "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");  // surrogate
  CHECK(xml_escape("cut \xC3") == "cut \xEF\xBF\xBD");  // truncated sequence at the end
  CHECK(xml_problem("<a x=\"1\"><b/>t &amp; u</a>").empty());
  CHECK_FALSE(xml_problem("<a><b></a>").empty());  // the checker itself can fail
  CHECK_FALSE(xml_problem("<a>1 < 2</a>").empty());
}

TEST_CASE("layout: lifelines for the hosts that talk, one arrow per line, handshakes folded") {
  set_language("en");
  Hand h;
  const SequenceLayout l = layout_sequence(h.scene);
  REQUIRE(l.columns.size() == 2);  // idle.example never talks: no lifeline
  CHECK(l.columns[0] == 0);
  CHECK(l.columns[1] == 1);
  using K = SeqArrow::Kind;
  std::vector<K> kinds;
  for (const auto& a : l.arrows) kinds.push_back(a.kind);
  const std::vector<K> want = {K::Connect, K::Line, K::Line, K::Line,    K::Tls,  K::Line,
                               K::Line,    K::Line, K::Line, K::Content, K::Line, K::Close};
  CHECK(kinds == want);
  REQUIRE(l.arrows.size() == want.size());
  // Directions: commands go right (client -> server), replies left.
  CHECK(l.arrows[1].from == 1);
  CHECK(l.arrows[1].to == 0);
  CHECK(l.arrows[2].from == 0);
  CHECK(l.arrows[2].to == 1);
  // The TLS handshake: five events, one arrow from the client, named after its version.
  CHECK(l.arrows[4].from == 0);
  CHECK(l.arrows[4].to == 1);
  CHECK(l.arrows[4].label.find("TLSv1.3") != std::string::npos);
  CHECK_FALSE(l.arrows[4].failed);
  // Padlocks only after the handshake.
  for (std::size_t i = 0; i < 5; ++i) CHECK_FALSE(l.arrows[i].locked);
  for (std::size_t i = 5; i <= 10; ++i) CHECK(l.arrows[i].locked);
  CHECK(l.arrows[9].lines == 3);
  CHECK(l.arrows[9].label == "message content (3 lines)");
  CHECK(l.arrows[0].label == "TCP connect :587 (SYN, SYN-ACK, ACK)");
}

TEST_CASE("SVG: well-formed, escaped, one arrow group per row, a padlock per locked row") {
  set_language("en");
  Hand h;
  const SequenceLayout l = layout_sequence(h.scene);
  SequenceSvgOptions opt;
  opt.title = "Title with <tags> & \"quotes\"";
  const std::string svg = sequence_svg(h.scene, l, opt);
  CHECK(xml_problem(svg) == "");
  CHECK(svg.rfind("<svg xmlns=\"http://www.w3.org/2000/svg\"", 0) == 0);
  CHECK(count(svg, "<g class=\"arrow\"") == l.arrows.size());
  std::size_t locked = 0;
  for (const auto& a : l.arrows) locked += a.locked;
  CHECK(count(svg, "<g class=\"lock\"") == locked + 1);  // + the legend's
  CHECK(svg.find("220 &lt;server&gt; &amp; &quot;friends&quot; &apos;welcome&apos;") !=
        std::string::npos);
  CHECK(svg.find("<server>") == std::string::npos);
  CHECK(svg.find("Server &lt;&amp;&gt;") != std::string::npos);
  CHECK(svg.find("The &quot;client&quot;") != std::string::npos);
  CHECK(svg.find("Title with &lt;tags&gt; &amp; &quot;quotes&quot;") != std::string::npos);
  CHECK(svg.find("Idle") == std::string::npos);
  // Nothing fetched from outside: the only URL is the SVG namespace.
  CHECK(count(svg, "http") == 1);
  CHECK(svg.find("href") == std::string::npos);
}

TEST_CASE("layout of a real lesson: every protocol line has its arrow, every connection one") {
  set_language("en");
  sim::World world(sim::load_lesson(std::string(MAILSIM_SOURCE_DIR) + "/lessons/smtp-basics.toml"));
  REQUIRE(world.run());
  const Scene scene = build_scene(world.lesson(), world.trace());
  const SequenceLayout l = layout_sequence(scene);
  std::size_t lines = 0, opens = 0, tls_conns = 0, data_runs = 0;
  std::uint32_t data_conn = 0;
  std::map<std::uint32_t, bool> tls;
  for (const auto& e : world.trace().events()) {
    if (const auto* line = std::get_if<sim::LineEv>(&e.p)) {
      if (!line->data) ++lines;
      if (line->data && data_conn != line->conn) ++data_runs;
      data_conn = line->data ? line->conn : 0;
    }
    if (const auto* c = std::get_if<sim::ConnEv>(&e.p)) opens += c->op == "open";
    if (const auto* t = std::get_if<sim::TlsEv>(&e.p); t && !tls[t->conn]) tls[t->conn] = true;
  }
  tls_conns = tls.size();
  std::size_t line_arrows = 0, content = 0, connects = 0, tls_arrows = 0;
  for (const auto& a : l.arrows) {
    line_arrows += a.kind == SeqArrow::Kind::Line;
    content += a.kind == SeqArrow::Kind::Content;
    connects += a.kind == SeqArrow::Kind::Connect;
    tls_arrows += a.kind == SeqArrow::Kind::Tls;
  }
  CHECK(line_arrows == lines);
  CHECK(content == data_runs);
  CHECK(connects == opens);
  CHECK(tls_arrows == tls_conns);
  CHECK(tls_conns >= 3);         // submission, relay and IMAP APPEND all use STARTTLS
  CHECK(l.columns.size() == 4);  // the router never speaks
  // AUTH crosses inside TLS; the first EHLO does not.
  bool auth_locked = false, first_ehlo_locked = true;
  for (const auto& a : l.arrows) {
    if (a.label.rfind("AUTH PLAIN", 0) == 0) auth_locked = a.locked;
    if (a.label.rfind("EHLO", 0) == 0 && first_ehlo_locked) first_ehlo_locked = a.locked;
  }
  CHECK(auth_locked);
  CHECK_FALSE(first_ehlo_locked);
  const std::string svg = sequence_svg(scene, l);
  CHECK(xml_problem(svg) == "");
  CHECK(svg.find("ana-secret") == std::string::npos);
  // Arrows in trace order, so the window can binary-search the current one.
  for (std::size_t i = 1; i < l.arrows.size(); ++i)
    CHECK(l.arrows[i - 1].index < l.arrows[i].index);
}

TEST_CASE("handout: narration, questions with answers, transcript, diagram; no password") {
  sim::World world(sim::load_lesson(std::string(MAILSIM_SOURCE_DIR) + "/lessons/smtp-basics.toml"));
  REQUIRE(world.run());
  const Scene scene = build_scene(world.lesson(), world.trace());
  for (const std::string lang : {"en", "pt"}) {
    set_language(lang);
    HandoutOptions opt;
    opt.lang = lang;
    const Handout h = make_handout(world.lesson(), scene, opt);
    CAPTURE(lang);
    const std::string narration = lang == "en" ? "Ana presses Send." : "A Ana carrega em Enviar.";
    CHECK(h.html.find(narration) != std::string::npos);
    CHECK(h.markdown.find(narration) != std::string::npos);
    CHECK(h.html.find("AUTH PLAIN ****") != std::string::npos);
    CHECK(h.html.find("ana-secret") == std::string::npos);
    CHECK(h.markdown.find("ana-secret") == std::string::npos);
    CHECK(h.html.find("AGFuYQBhbmEtc2VjcmV0") == std::string::npos);
    // The choice question's right answer (587) and the predict answers from the run.
    CHECK(h.html.find(lang == "en" ? "B. 587 (submission, with login)"
                                   : "B. 587 (submissão, com autenticação)") != std::string::npos);
    CHECK(h.html.find("<code>354 End data with &lt;CR&gt;&lt;LF&gt;.&lt;CR&gt;&lt;LF&gt;</code>") !=
          std::string::npos);
    CHECK(count(h.html, "<div class=\"question\"") == world.lesson().questions.size());
    CHECK(count(h.html, "class=\"mailsim-sequence\"") == 1);
    CHECK(h.html.find("src=") == std::string::npos);
    CHECK(h.html.find("<link") == std::string::npos);
    CHECK(h.html.find("RFC 5321 §4.1.1.1") != std::string::npos);
    CHECK(xml_problem(h.svg) == "");
    CHECK(h.markdown.find("](sequence.svg)") != std::string::npos);
    CHECK(count(h.markdown, "```text\n") * 2 == count(h.markdown, "```"));
  }
  set_language("en");
}

TEST_CASE("rfc_url: a section link, or nothing for text that names no RFC") {
  CHECK(rfc_url("RFC 5321 §4.1.1.1") == "https://www.rfc-editor.org/rfc/rfc5321#section-4.1.1.1");
  CHECK(rfc_url("RFC 1939") == "https://www.rfc-editor.org/rfc/rfc1939");
  CHECK(rfc_url("see the README").empty());
}

TEST_CASE("write_sequence_svg: the file the window's File menu writes, or an error") {
  set_language("en");
  Hand h;
  const std::string dir = std::filesystem::temp_directory_path().string();
  const std::string out = dir + "/mailsim-test-sequence.svg";
  std::string error;
  CHECK(write_sequence_svg(h.scene, out, {"A title", true}, error) == 12);
  std::ifstream f(out, std::ios::binary);
  const std::string text((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  CHECK(xml_problem(text) == "");
  CHECK(text.find("A title") != std::string::npos);
  CHECK(count(text, "<g class=\"arrow\"") == 12);
  std::filesystem::remove(out);
  CHECK(write_sequence_svg(h.scene, dir + "/no-such-dir/x.svg", {}, error) == -1);
  CHECK(error.find("cannot write") != std::string::npos);
}

TEST_CASE("layout: a failed TLS handshake is one arrow marked failed, and nothing is locked") {
  set_language("en");
  sim::Trace trace;
  Scene scene;
  scene.hosts = {{"c", "C", "device", "10.0.0.1", 0.0f, 0.5f},
                 {"s", "S", "server", "10.0.0.2", 1.0f, 0.5f}};
  scene.trace = &trace;
  sim::ConnEv open;
  open.conn = 7;
  open.op = "open";
  open.client = "c";
  open.server = "s";
  open.server_port = 465;
  trace.append(0, open);
  trace.append(1, sim::TlsEv{7, "c", "s", "ClientHello", 300});
  trace.append(2, sim::TlsEv{7, "c", "s", "failed: certificate verify failed", 0});
  trace.append(3, sim::TlsEv{7, "s", "c", "failed: alert unknown ca", 0});  // the other end
  sim::LineEv after;
  after.conn = 7;
  after.proto = sim::Proto::Smtp;
  after.from = "c";
  after.to = "s";
  after.text = "QUIT";
  trace.append(4, after);
  const SequenceLayout l = layout_sequence(scene);
  REQUIRE(l.arrows.size() == 3);
  CHECK(l.arrows[1].kind == SeqArrow::Kind::Tls);
  CHECK(l.arrows[1].failed);
  CHECK(l.arrows[1].label == "TLS failed: certificate verify failed");
  CHECK_FALSE(l.arrows[2].locked);
  const std::string svg = sequence_svg(scene, l);
  CHECK(xml_problem(svg) == "");
  CHECK(svg.find("#d64545") != std::string::npos);  // drawn in the refusal colour
}

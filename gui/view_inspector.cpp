// Inspector: the selected packet or line (or the current line): raw bytes as hex and text,
// the parsed line with its meaning and RFC section, and the server's state machine for that
// connection, drawn from the engine's own command table, with the current state lit.
#include <algorithm>
#include <cctype>
#include <cstdio>
#include <string>

#include "gui/i18n.hpp"
#include "gui/views.hpp"
#include "net/imap/server.hpp"
#include "net/pop3/server.hpp"
#include "net/smtp/server.hpp"
#include "sim/engine_trace.hpp"

namespace mailsim {

namespace {

void hex_dump(const std::string& bytes) {
  const std::size_t row_count = (bytes.size() + 15) / 16;  // 16 bytes a row, the last partial
  const float rows = static_cast<float>(row_count);
  // Room for the rows, the padding and the horizontal scrollbar (which must not cover a row).
  const ImGuiStyle& st = ImGui::GetStyle();
  const float h = std::min(px(160.0f), rows * ImGui::GetTextLineHeightWithSpacing() +
                                           st.WindowPadding.y * 2 + st.ScrollbarSize);
  ImGui::PushFont(mono_font());
  ImGui::BeginChild("hex", ImVec2(0, h), true, ImGuiWindowFlags_HorizontalScrollbar);
  ImGuiListClipper clip;
  clip.Begin(static_cast<int>((bytes.size() + 15) / 16));
  while (clip.Step())
    for (int row = clip.DisplayStart; row < clip.DisplayEnd; ++row) {
      char line[100];
      int n = std::snprintf(line, sizeof line, "%04x  ", row * 16);
      std::string text;
      for (std::size_t i = static_cast<std::size_t>(row) * 16;
           i < static_cast<std::size_t>(row) * 16 + 16; ++i) {
        if (i < bytes.size()) {
          auto c = static_cast<unsigned char>(bytes[i]);
          n += std::snprintf(line + n, sizeof line - static_cast<std::size_t>(n), "%02x ", c);
          text += std::isprint(c) ? static_cast<char>(c) : '.';
        } else {
          n += std::snprintf(line + n, sizeof line - static_cast<std::size_t>(n), "   ");
        }
      }
      ImGui::Text("%s %s", line, text.c_str());
    }
  ImGui::EndChild();
  ImGui::PopFont();
}

// A server's states and what each allows, from the engine's own command table (SMTP:
// net::smtp::Server::commands(), POP3: net::pop3::Server::commands(), IMAP:
// net::imap::Server::commands()), with the connection's current state lit.
template <typename State, typename Commands, typename Name>
void state_machine(const char* title, State last, const Commands& commands, Name name,
                   const std::string& current) {
  ImGui::TextDisabled("%s", title);
  ImGui::PushFont(mono_font());
  // Two columns: the state, and the commands it allows (wrapped at the panel's edge).
  if (ImGui::BeginTable("machine", 2, ImGuiTableFlags_SizingFixedFit)) {
    ImGui::TableSetupColumn("state", ImGuiTableColumnFlags_WidthFixed);
    ImGui::TableSetupColumn("commands", ImGuiTableColumnFlags_WidthStretch);
    for (int i = 0; i <= static_cast<int>(last); ++i) {
      auto st = static_cast<State>(i);
      std::string allowed;
      for (const auto& c : commands)
        for (auto a : c.allowed)
          if (a == st) allowed += std::string(allowed.empty() ? "" : " ") + c.verb;
      bool here = current == name(st);
      ImGui::TableNextRow();
      if (here) ImGui::PushStyleColor(ImGuiCol_Text, palette().fresh);
      ImGui::TableSetColumnIndex(0);
      ImGui::PushTextWrapPos(-1.0f);  // the state's name never wraps
      ImGui::Text("%s %s", here ? ">" : " ", name(st));
      ImGui::PopTextWrapPos();
      ImGui::TableSetColumnIndex(1);
      ImGui::PushTextWrapPos(0);
      ImGui::TextUnformatted(allowed.empty() ? tr("insp.no_commands") : allowed.c_str());
      ImGui::PopTextWrapPos();
      if (here) ImGui::PopStyleColor();
    }
    ImGui::EndTable();
  }
  ImGui::PopFont();
}

void server_state_machine(sim::Proto proto, const std::string& current) {
  switch (proto) {
    case sim::Proto::Smtp:
      state_machine(
          tr("insp.machine"), net::smtp::ServerState::Quit, net::smtp::Server::commands(),
          [](net::smtp::ServerState s) { return net::smtp::to_string(s); }, current);
      break;
    case sim::Proto::Pop3:
      state_machine(
          tr("insp.machine_pop3"), net::pop3::ServerState::Closed, net::pop3::Server::commands(),
          [](net::pop3::ServerState s) { return net::pop3::to_string(s); }, current);
      break;
    case sim::Proto::Imap:
      state_machine(
          tr("insp.machine_imap"), net::imap::State::Logout, net::imap::Server::commands(),
          [](net::imap::State s) { return net::imap::to_string(s); }, current);
      break;
    default:
      break;
  }
}

class InspectorView : public View {
 public:
  InspectorView() : View("Inspector") {}
  std::string print_state() const override { return state_; }

 protected:
  // Text wraps at the panel's edge; hex dumps and the state machine keep their columns.
  void draw_content(ViewContext& ctx) override {
    ImGui::PushTextWrapPos(0);
    state_ = "insp_event=none";
    body(ctx);
    ImGui::PopTextWrapPos();
  }

 private:
  void body(ViewContext& ctx) {
    const Scene& s = ctx.scene;
    std::size_t idx;
    if (ctx.state.selected && *ctx.state.selected < s.trace->size()) {
      idx = *ctx.state.selected;
    } else {
      // Nothing selected: inspect the last protocol line the cursor has passed.
      std::size_t last = SIZE_MAX;
      for (auto i : s.lines)
        if (i < ctx.state.upto) last = i;
      if (last == SIZE_MAX) {
        ImGui::TextDisabled("%s", tr("insp.hint"));
        return;
      }
      idx = last;
    }
    const sim::Event& e = s.event(idx);
    std::uint32_t conn = 0;
    ImGui::Text(tr("insp.event"), idx, static_cast<double>(e.t) / 1000.0);
    if (const auto* seg = std::get_if<sim::SegmentEv>(&e.p)) {
      conn = seg->conn;
      ImGui::Text(tr("insp.segment"), segment_protocol(*seg), seg->link.c_str(), seg->from.c_str(),
                  seg->to.c_str());
      ImGui::Text("%s:%u -> %s:%u  %s", seg->src_ip.c_str(), seg->sport, seg->dst_ip.c_str(),
                  seg->dport, seg->udp ? "UDP" : sim::flags_to_string(seg->flags).c_str());
      if (!seg->udp)
        ImGui::Text(tr("insp.seq_ack"), seg->seq, seg->ack,
                    static_cast<double>(seg->arrive) / 1000.0);
      ImGui::Text(tr("insp.payload"), seg->payload.size());
      if (!seg->payload.empty()) hex_dump(seg->payload);
    } else if (const auto* l = std::get_if<sim::LineEv>(&e.p)) {
      conn = l->conn;
      ImGui::Text(tr("insp.line"), sim::to_string(l->proto), l->from.c_str(), l->to.c_str(),
                  tr(l->from_client ? "insp.c2s" : "insp.s2c"));
      ImGui::PushTextWrapPos(0);
      ImGui::PushFont(mono_font());
      ImGui::TextColored(protocol_text_colour(sim::to_string(l->proto)), "%s", l->text.c_str());
      ImGui::PopFont();
      if (!l->label.empty())
        ImGui::Text(tr(l->from_client ? "insp.command" : "insp.reply"), l->label.c_str());
      if (!l->meaning.empty()) ImGui::Text(tr("insp.meaning"), l->meaning.c_str());
      if (!l->rfc.empty()) ImGui::TextDisabled(tr("insp.rule"), l->rfc.c_str());
      ImGui::PopTextWrapPos();
      hex_dump(l->text + "\r\n");
    } else if (const auto* tls = std::get_if<sim::TlsEv>(&e.p)) {
      conn = tls->conn;
      ImGui::Text(tr("insp.tls_msg"), tls->what.c_str(), tls->from.c_str(), tls->to.c_str(),
                  static_cast<unsigned long long>(tls->bytes));
    } else {
      ImGui::TextDisabled("%s", tr("insp.no_bytes"));
    }
    state_ = "insp_event=" + std::to_string(idx);
    if (conn == 0) return;
    tls_section(s, conn, ctx.state.upto);
    // The server engine's state on this connection at the cursor, folded from the trace.
    std::string server_state = "Connected";
    sim::Proto proto = sim::Proto::None;
    bool changed = false;
    for (std::size_t i = 0; i < ctx.state.upto && i < s.trace->size(); ++i) {
      if (const auto* st = std::get_if<sim::StateEv>(&s.event(i).p);
          st && st->conn == conn && st->role == "server") {
        server_state = st->to;
        proto = st->proto;
        changed = true;
      }
      if (const auto* l = std::get_if<sim::LineEv>(&s.event(i).p);
          l && l->conn == conn && proto == sim::Proto::None)
        proto = l->proto;
    }
    // Before its first change the engine is in its first state.
    if (!changed && proto == sim::Proto::Pop3)
      server_state = net::pop3::to_string(net::pop3::ServerState::Authorization);
    if (!changed && proto == sim::Proto::Imap)
      server_state = net::imap::to_string(net::imap::State::NotAuthenticated);
    ImGui::Separator();
    ImGui::Text(tr("insp.conn_state"), conn, server_state.c_str());
    std::string word = server_state;
    std::replace(word.begin(), word.end(), ' ', '_');
    state_ += " insp_conn=" + std::to_string(conn) + " insp_state=" + word;
    server_state_machine(proto, server_state);
  }

  // The connection's TLS as far as the cursor: the handshake messages, then the version and
  // cipher suite once established (nothing for a connection that never used TLS).
  void tls_section(const Scene& s, std::uint32_t conn, std::size_t upto) {
    auto it = s.tls_events.find(conn);
    if (it == s.tls_events.end()) return;
    ImGui::Separator();
    ImGui::Text(tr("insp.tls"), conn);
    std::string version, cipher, failed, seen, chain, verify;
    bool resumed = false;
    for (std::size_t i : it->second) {
      if (i >= upto) break;
      const auto& m = std::get<sim::TlsEv>(s.event(i).p);
      if (tls_established(m.what, version, cipher)) continue;
      if (m.bytes == 0 && m.what == sim::kTlsResumedNote) {
        resumed = true;
        continue;
      }
      if (m.what.rfind("failed: ", 0) == 0) failed = m.what.substr(8);
      // What the client learnt about the server's certificates (sim::record_tls_peer).
      if (m.bytes == 0 &&
          (m.what.rfind("certificate ", 0) == 0 || m.what.rfind("issuer: ", 0) == 0)) {
        chain += (chain.empty() ? "" : "\n") + m.what;
        continue;
      }
      if (m.bytes == 0 && m.what.rfind("verify: ", 0) == 0) {
        verify = m.what.substr(8);
        continue;
      }
      seen += (seen.empty() ? "" : "\n") + m.from + " -> " + m.what;
    }
    if (seen.empty()) {
      ImGui::TextDisabled("%s", tr("insp.tls_none"));
      return;
    }
    ImGui::TextDisabled("%s", tr("insp.tls_seen"));
    ImGui::PushFont(mono_font());
    ImGui::TextUnformatted(seen.c_str());
    ImGui::PopFont();
    if (!version.empty()) {
      state_ += " insp_tls=" + version + " insp_chain=" +
                std::to_string(std::count(chain.begin(), chain.end(), '\n') + !chain.empty()) +
                " insp_verify=" + (verify.empty() ? "none" : verify);
      ImGui::Text(tr("insp.tls_version"), version.c_str());
      ImGui::Text(tr("insp.tls_cipher"), cipher.c_str());
      ImGui::TextUnformatted(tr("insp.tls_established"));
      if (resumed) {
        state_ += " insp_tls_resumed=1";
        ImGui::TextWrapped("%s", tr("insp.tls_resumed"));
      }
      if (!chain.empty()) {
        ImGui::TextDisabled("%s", tr("insp.tls_chain"));
        ImGui::PushFont(mono_font());
        ImGui::TextUnformatted(chain.c_str());
        ImGui::PopFont();
      }
      if (!verify.empty())
        ImGui::TextColored(verify == "ok" ? palette().line_server
                                          : ImGui::ColorConvertU32ToFloat4(palette().link_down),
                           tr("insp.tls_verify"), verify.c_str());
    } else if (!failed.empty()) {
      ImGui::TextColored(ImGui::ColorConvertU32ToFloat4(palette().link_down), tr("insp.tls_failed"),
                         failed.c_str());
    } else {
      ImGui::TextDisabled("%s", tr("insp.tls_pending"));
    }
  }

  std::string state_;  // what the last frame showed, for --print-state
};

}  // namespace

std::unique_ptr<View> make_inspector_view() {
  return std::make_unique<InspectorView>();
}

}  // namespace mailsim

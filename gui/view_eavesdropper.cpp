// Eavesdropper: what someone tapping one link (the lesson's [lesson] eavesdrop, or a link
// picked here) has read up to the cursor: the readable lines, credentials and subjects of
// plaintext sessions; for TLS only the server name (SNI) and byte counts.
#include <string>
#include <vector>

#include "gui/i18n.hpp"
#include "gui/views.hpp"
#include "sim/eavesdropper.hpp"

namespace mailsim {

namespace {

class EavesdropperView : public View {
 public:
  EavesdropperView() : View("Eavesdropper") {}

  std::string print_state() const override {
    if (!drawn_) return "";
    int tls = 0, creds = 0;
    for (const auto& o : seen_) {
      tls += o.tls ? 1 : 0;
      creds += static_cast<int>(o.credentials.size());
    }
    std::string link = link_;
    for (auto& c : link)
      if (c == ' ') c = '_';
    return "eav_link=" + (link.empty() ? std::string("none") : link) +
           " eav_conns=" + std::to_string(seen_.size()) + " eav_tls=" + std::to_string(tls) +
           " eav_credentials=" + std::to_string(creds);
  }

 protected:
  void draw_content(ViewContext& ctx) override {
    const Scene& s = ctx.scene;
    drawn_ = true;
    const std::string fixed = s.lesson ? s.lesson->eavesdrop : "";
    if (fixed.empty()) {
      // No tap in the lesson: any link may be picked.
      if (picked_.empty() && !s.links.empty()) picked_ = s.links.front().id;
      ImGui::SetNextItemWidth(px(320));
      if (ImGui::BeginCombo(tr("eav.pick"), picked_.c_str())) {
        for (const auto& l : s.links)
          if (ImGui::Selectable(l.id.c_str(), l.id == picked_)) picked_ = l.id;
        ImGui::EndCombo();
      }
    }
    update(s, fixed.empty() ? picked_ : fixed, ctx.state.upto);
    ImGui::PushTextWrapPos(0);
    ImGui::TextDisabled(tr("eav.intro"), link_.c_str());
    if (seen_.empty()) ImGui::TextDisabled("%s", tr("eav.none"));
    for (const auto& o : seen_) {
      ImGui::PushID(static_cast<int>(o.conn));
      ImGui::Separator();
      ImGui::Text(tr("eav.conn"), o.conn, o.client_ip.c_str(), o.server_ip.c_str(),
                  static_cast<unsigned>(o.server_port));
      ImGui::Indent();
      ImGui::Text(tr("eav.plain_bytes"), static_cast<unsigned long long>(o.plain_bytes));
      if (o.tls) {
        ImGui::Text(tr("eav.tls"), static_cast<unsigned long long>(o.tls_bytes));
        if (o.starttls) ImGui::TextUnformatted(tr("eav.starttls"));
        if (!o.sni.empty()) ImGui::Text(tr("eav.sni"), o.sni.c_str());
      }
      const ImVec4 alarm = ImGui::ColorConvertU32ToFloat4(palette().link_down);
      if (!o.credentials.empty()) {
        ImGui::TextColored(alarm, "%s", tr("eav.credentials"));
        bool masked = false;
        ImGui::PushFont(mono_font());
        for (const auto& c : o.credentials) {
          ImGui::BulletText("%s", c.c_str());
          masked = masked || c.find('*') != std::string::npos;
        }
        ImGui::PopFont();
        if (masked) ImGui::TextDisabled("%s", tr("eav.masked"));
      }
      if (!o.subjects.empty()) {
        ImGui::TextColored(alarm, "%s", tr("eav.subjects"));
        for (const auto& sub : o.subjects) ImGui::BulletText("%s", sub.c_str());
      }
      if (o.tls && o.credentials.empty() && o.subjects.empty())
        ImGui::TextColored(palette().fresh, "%s", tr("eav.only_meta"));
      if (!o.lines.empty() && ImGui::TreeNode("lines", tr("eav.lines"), o.lines.size())) {
        ImGui::PushFont(mono_font());
        for (const auto& l : o.lines) ImGui::TextUnformatted(l.c_str());
        ImGui::PopFont();
        ImGui::TreePop();
      }
      ImGui::Unindent();
      ImGui::PopID();
    }
    ImGui::PopTextWrapPos();
  }

 private:
  // Runs the tap over the link's segments the cursor has passed; only when the link or the
  // cursor moved, and only over that link's segments (listed once per link).
  void update(const Scene& s, const std::string& link, std::size_t upto) {
    if (link != link_) {
      link_ = link;
      on_link_.clear();
      for (std::size_t i : s.segments)
        if (std::get<sim::SegmentEv>(s.event(i).p).link == link) on_link_.push_back(i);
      upto_ = SIZE_MAX;
    }
    const std::size_t n = Scene::passed(on_link_, upto);
    if (n == upto_) return;
    upto_ = n;
    sim::Trace prefix;
    for (std::size_t k = 0; k < n; ++k)
      prefix.append(s.event(on_link_[k]).t, s.event(on_link_[k]).p);
    seen_ = sim::eavesdrop(prefix, link_);
  }

  bool drawn_ = false;
  std::string picked_, link_;
  std::vector<std::size_t> on_link_;  // trace indices of the segments on link_
  std::size_t upto_ = SIZE_MAX;       // how many of them seen_ was computed from
  std::vector<sim::Overheard> seen_;
};

}  // namespace

std::unique_ptr<View> make_eavesdropper_view() {
  return std::make_unique<EavesdropperView>();
}

}  // namespace mailsim

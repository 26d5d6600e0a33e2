#include "sim/trace.hpp"

#include <algorithm>
#include <iterator>

#include "sim/body_hider.hpp"

namespace sim {

// std::lower_bound and friends over the log must stay logarithmic.
static_assert(std::random_access_iterator<EventLog::const_iterator>);

const char* to_string(Proto p) {
  switch (p) {
    case Proto::None:
      return "NONE";
    case Proto::Tcp:
      return "TCP";
    case Proto::Udp:
      return "UDP";
    case Proto::Dns:
      return "DNS";
    case Proto::Smtp:
      return "SMTP";
    case Proto::Pop3:
      return "POP3";
    case Proto::Imap:
      return "IMAP";
  }
  return "?";
}

std::optional<Proto> proto_from_string(std::string_view s) {
  auto eq = [](std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
      char x = a[i], y = b[i];
      if (x >= 'a' && x <= 'z') x = static_cast<char>(x - 'a' + 'A');
      if (y >= 'a' && y <= 'z') y = static_cast<char>(y - 'a' + 'A');
      if (x != y) return false;
    }
    return true;
  };
  for (Proto p :
       {Proto::None, Proto::Tcp, Proto::Udp, Proto::Dns, Proto::Smtp, Proto::Pop3, Proto::Imap}) {
    if (eq(s, to_string(p))) return p;
  }
  return std::nullopt;
}

std::string flags_to_string(std::uint8_t flags) {
  std::string out;
  auto add = [&](std::uint8_t bit, const char* name) {
    if (!(flags & bit)) return;
    if (!out.empty()) out += '|';
    out += name;
  };
  add(tcpflag::SYN, "SYN");
  add(tcpflag::FIN, "FIN");
  add(tcpflag::RST, "RST");
  add(tcpflag::PSH, "PSH");
  add(tcpflag::ACK, "ACK");
  return out;
}

void Trace::add_secret(std::string secret) {
  secrets_.add(std::move(secret));
}

int mailbox_delta(std::string_view op) {
  if (op == "deliver" || op == "append" || op == "add") return 1;
  if (op == "remove" || op == "expunge") return -1;
  return 0;
}

void Trace::hide_message_bodies() {
  if (!hider_) hider_ = std::make_shared<BodyHider>();
}

void Trace::scrub_meaning(Sym& meaning) {
  if (meaning.empty() || secrets_.reveal()) return;
  if (clean_secrets_ != secrets_.size()) {  // a new secret: every verdict is stale
    clean_.fill(Sym());
    clean_secrets_ = secrets_.size();
  }
  // Heap addresses share their low bits: take the high bits of a multiplicative hash.
  const std::uint64_t h = static_cast<std::uint64_t>(meaning.hash()) * 0x9E3779B97F4A7C15ULL;
  Sym& slot = clean_[h >> 55];  // 512 slots
  static_assert(std::tuple_size_v<decltype(clean_)> == 512);
  if (slot == meaning) return;
  if (!secrets_.found_in(meaning)) {
    slot = meaning;
    return;
  }
  std::string masked = meaning;
  scrub(masked);
  meaning = masked;
}

const Event& Trace::appended(Event& e) {
  std::visit(
      [this](auto& ev) {
        using T = std::decay_t<decltype(ev)>;
        if constexpr (std::is_same_v<T, SegmentEv>) {
          scrub(ev.payload);
        } else if constexpr (std::is_same_v<T, LineEv>) {
          if (hider_) hider_->apply(ev);
          scrub(ev.text);
          scrub_meaning(ev.meaning);
        } else if constexpr (std::is_same_v<T, MailboxEv>) {
          scrub(ev.summary);
        } else if constexpr (std::is_same_v<T, QueueEv>) {
          scrub(ev.detail);
        } else if constexpr (std::is_same_v<T, NoteEv>) {
          scrub(ev.text);
        }
      },
      e.p);
  return notify(e);
}

const Event& Trace::append_masked(Time t, SegmentEv&& ev, std::size_t epoch) {
  const auto seq = static_cast<std::uint64_t>(events_.size());
  Event& e = events_.emplace_back(t, seq, std::move(ev));
  if (epoch == kNoEpoch || epoch != mask_epoch()) return appended(e);
  return notify(e);
}

const Event& Trace::notify(Event& e) {
  // Chunked storage never moves an event, so this reference survives listeners that
  // append in turn. A listener may register another listener (which can reallocate the
  // list): index it.
  for (std::size_t i = 0; i < listeners_.size(); ++i) {
    auto cb = listeners_[i];
    cb(e);
  }
  return e;
}

}  // namespace sim

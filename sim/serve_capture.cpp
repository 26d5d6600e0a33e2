#include "sim/serve_capture.hpp"

#include <algorithm>
#include <stdexcept>
#include <utility>

namespace sim {

namespace {

// A client line longer than this is passed on unmasked-by-line (binary garbage, a huge
// literal without line ends); credentials are far shorter.
constexpr std::size_t kMaxHeld = 64 * 1024;

std::ofstream open_capture(const std::string& path) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  if (!f) throw std::runtime_error("cannot write the capture " + path);
  return f;
}

}  // namespace

ServeCapture::ServeCapture(const std::string& path, std::int64_t start_unix_us, Options opt)
    : file_(open_capture(path)),
      start_us_(start_unix_us),
      writer_(file_, std::move(opt.smtp_ports)) {
  mask_.set_reveal(opt.reveal_secrets);
  for (auto& s : opt.secrets) mask_.add(std::move(s));
  file_.flush();
  if (!file_) throw std::runtime_error("cannot write the capture " + path);
}

void ServeCapture::opened(std::uint32_t conn, Time t, const std::string& client_ep,
                          const std::string& server_ep) {
  Conn c;
  auto sink = [this](Time at, const SegmentEv& s) {
    writer_.write(s, start_us_ + at);
    file_.flush();  // each packet reaches the file at once: a killed server leaves it whole
  };
  auto scrub = [this](std::string s) {
    mask_.apply(s);
    return s;
  };
  c.wire = std::make_unique<LiveWire>(sink, scrub, conn, client_ep, server_ep);
  // Its own initial sequence numbers per connection (Knuth's multiplicative hash of the
  // count), so a client port used again later is a new connection, not a retransmission.
  const std::uint32_t isn = ++opened_ * 2654435761u;
  c.wire->set_isn(isn, isn ^ 0x5a5a5a5au);
  c.wire->connected(t, client_ep, server_ep);
  conns_[conn] = std::move(c);
}

void ServeCapture::add_secret(const std::string& secret) {
  mask_.add(secret);
}

void ServeCapture::tls_started(std::uint32_t conn) {
  auto it = conns_.find(conn);
  if (it != conns_.end()) it->second.tls = true;
}

void ServeCapture::bytes(std::uint32_t conn, Time t, bool from_client, std::string_view data) {
  auto it = conns_.find(conn);
  if (it == conns_.end()) return;
  Conn& c = it->second;
  if (!from_client || data.empty()) {
    if (from_client) release_held(c, t);  // the client's FIN comes after all it sent
    c.wire->chunk(t, from_client, data);
    return;
  }
  c.held.append(data);
  if (c.tls || c.held.size() > kMaxHeld) {
    release_held(c, t);
    return;
  }
  // Plaintext: pass on whole lines only; the rest waits for its line end.
  const auto lf = c.held.rfind('\n');
  if (lf == std::string::npos) return;
  std::string rest = c.held.substr(lf + 1);
  c.held.resize(lf + 1);
  release_held(c, t);
  c.held = std::move(rest);
}

void ServeCapture::closed(std::uint32_t conn, Time t) {
  auto it = conns_.find(conn);
  if (it == conns_.end()) return;
  release_held(it->second, t);
  it->second.wire->close(t);
  conns_.erase(it);
}

void ServeCapture::release_held(Conn& c, Time t) {
  if (c.held.empty()) return;
  c.wire->chunk(t, true, c.held);
  c.held.clear();
}

}  // namespace sim

#include "sim/eavesdropper.hpp"

#include <map>

#include "net/base64.hpp"

namespace sim {

namespace {

std::uint32_t u16(const std::string& s, std::size_t i) {
  return (static_cast<std::uint8_t>(s[i]) << 8) | static_cast<std::uint8_t>(s[i + 1]);
}

// A TLS record starts with content type 20..23 and version 3.x (RFC 8446 §5.1).
bool tls_record_at(const std::string& s, std::size_t i) {
  return i + 3 <= s.size() && static_cast<std::uint8_t>(s[i]) >= 20 &&
         static_cast<std::uint8_t>(s[i]) <= 23 && s[i + 1] == 3 &&
         static_cast<std::uint8_t>(s[i + 2]) <= 4;
}

// What a plaintext line gives away.
void read_line(Overheard& o, bool from_client, const std::string& line, bool& in_data,
               bool& await_login_user, bool& await_login_pass) {
  o.lines.push_back((from_client ? "C: " : "S: ") + line);
  // Message content crosses in SMTP DATA, IMAP APPEND and FETCH literals, POP3 RETR: its
  // Subject: field is readable whichever way it goes.
  if (line.rfind("Subject: ", 0) == 0) o.subjects.push_back(line.substr(9));
  if (!from_client) {
    if (line.rfind("354", 0) == 0) in_data = true;
    return;
  }
  if (in_data) {
    if (line == ".") in_data = false;
    return;
  }
  auto upper = [](std::string s) {
    for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return s;
  };
  const std::string u = upper(line);
  if (await_login_pass) {
    await_login_pass = false;
    o.credentials.push_back("AUTH LOGIN password (base64): " + line);
    return;
  }
  if (await_login_user) {
    await_login_user = false;
    await_login_pass = true;
    auto user = net::base64_decode(line);
    o.credentials.push_back("AUTH LOGIN user: " + (user ? *user : line));
    return;
  }
  if (u.rfind("AUTH PLAIN ", 0) == 0 || u.find(" AUTHENTICATE PLAIN ") != std::string::npos) {
    std::string b64 = line.substr(line.rfind(' ') + 1);
    if (b64.find_first_not_of('*') == std::string::npos) {
      o.credentials.push_back(
          "AUTH PLAIN: user name and password, only base64-encoded (masked in this trace; "
          "--show-secrets shows what the eavesdropper reads)");
      return;
    }
    auto plain = net::base64_decode(b64);
    if (plain) {
      // authzid \0 authcid \0 password (RFC 4616)
      auto a = plain->find('\0'), b = plain->find('\0', a + 1);
      if (a != std::string::npos && b != std::string::npos)
        o.credentials.push_back("AUTH PLAIN: user " + plain->substr(a + 1, b - a - 1) +
                                ", password " + plain->substr(b + 1));
    } else {
      o.credentials.push_back("AUTH PLAIN (base64): " + b64);
    }
  } else if (u == "AUTH LOGIN") {
    await_login_user = true;
  } else if (u.rfind("USER ", 0) == 0) {
    o.credentials.push_back("POP3 user: " + line.substr(5));
  } else if (u.rfind("PASS ", 0) == 0) {
    o.credentials.push_back("POP3 password: " + line.substr(5));
  } else if (auto p = u.find(" LOGIN "); p < 12) {  // npos is not < 12
    o.credentials.push_back("IMAP LOGIN: " + line.substr(p + 7));
  } else if (u.rfind("STARTTLS", 0) == 0 || u == "STLS" ||
             u.find(" STARTTLS") != std::string::npos) {
    o.starttls = true;
  }
}

}  // namespace

std::string client_hello_sni(const std::string& r) {
  // record header (5) + handshake header (4) + version (2) + random (32)
  if (r.size() < 43 || r[0] != 22 || r[5] != 1) return {};
  std::size_t i = 43;
  if (i >= r.size()) return {};
  i += 1 + static_cast<std::uint8_t>(r[i]);  // session id
  if (i + 2 > r.size()) return {};
  i += 2 + u16(r, i);  // cipher suites
  if (i >= r.size()) return {};
  i += 1 + static_cast<std::uint8_t>(r[i]);  // compression methods
  if (i + 2 > r.size()) return {};
  const std::size_t end = std::min(r.size(), i + 2 + u16(r, i));
  i += 2;
  while (i + 4 <= end) {
    const std::uint32_t type = u16(r, i), len = u16(r, i + 2);
    i += 4;
    if (type == 0 && i + 5 <= end) {  // server_name: list length, name type 0, name length
      const std::uint32_t n = u16(r, i + 3);
      if (i + 5 + n <= end) return r.substr(i + 5, n);
      return {};
    }
    i += len;
  }
  return {};
}

std::vector<Overheard> eavesdrop(const Trace& trace, const std::string& link) {
  struct Tap {
    Overheard o;
    std::string pending[2];  // bytes not yet a whole line: [0] client→server, [1] back
    bool encrypted[2] = {false, false};
    bool in_data = false, login_user = false, login_pass = false;
  };
  std::map<std::uint32_t, Tap> taps;
  std::vector<std::uint32_t> order;
  for (const auto& e : trace.events()) {
    const auto* s = std::get_if<SegmentEv>(&e.p);
    if (!s || s->link != link || s->udp || s->payload.empty()) continue;
    auto [it, fresh] = taps.try_emplace(s->conn);
    Tap& t = it->second;
    Overheard& o = t.o;
    if (fresh) {
      order.push_back(s->conn);
      o.conn = s->conn;
      // The client is the side with the ephemeral (higher) port.
      const bool up = s->sport > s->dport;
      o.client_ip = up ? s->src_ip : s->dst_ip;
      o.server_ip = up ? s->dst_ip : s->src_ip;
      o.server_port = up ? s->dport : s->sport;
    }
    const int dir = s->src_ip == o.client_ip ? 0 : 1;
    if (t.encrypted[dir]) {
      o.tls_bytes += s->payload.size();
      continue;
    }
    std::string& b = t.pending[dir];
    b += s->payload;
    std::size_t i = 0;
    while (i < b.size()) {
      if (tls_record_at(b, i)) {  // from here on this direction is ciphertext
        t.encrypted[dir] = o.tls = true;
        if (dir == 0 && o.sni.empty()) o.sni = client_hello_sni(b.substr(i));
        o.tls_bytes += b.size() - i;
        i = b.size();
        break;
      }
      std::size_t nl = b.find("\r\n", i);
      if (nl == std::string::npos) break;  // wait for the rest of the line
      o.plain_bytes += nl + 2 - i;
      read_line(o, dir == 0, b.substr(i, nl - i), t.in_data, t.login_user, t.login_pass);
      i = nl + 2;
    }
    b.erase(0, i);
  }
  std::vector<Overheard> out;
  out.reserve(order.size());
  for (auto conn : order) out.push_back(std::move(taps[conn].o));
  return out;
}

}  // namespace sim

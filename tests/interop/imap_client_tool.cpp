// Test-only tool: runs mailsim's own IMAP client engine (net::imap::Client) over a real TCP
// connection (net::socket::run_client), so interop tests can point it at a real server such
// as Dovecot.
//
//   imap_client_tool HOST PORT LOGIN PASSWORD [--auth login|plain] [--fetch-bodies]
//                    [--out DIR] [--timeout SECONDS] OP...
//
// OPs, run in order after the login (UIDS: "1,3,5"; FLAGS: "\Seen,$Work"):
//   sync | select:BOX | examine:BOX | fetch:UIDS | peek:UIDS | store:MODE:FLAGS:UIDS
//   (MODE +FLAGS, -FLAGS or FLAGS) | move:BOX:UIDS | expunge[:UIDS] | append:BOX:FILE[:FLAGS]
//   | create:BOX | idle | noop
//
// Prints the transcript ("C: ..." / "S: ..." lines, flushed as they happen, credentials
// masked, literal octets summarised), then the model the client built: "# folder ...",
// "# message FOLDER UID size=N flags=(...) subject=... from=..." lines, "# expunged FOLDER
// UID", "# appended UID", errors and the outcome. With --out each downloaded message is
// written byte-exact to DIR/<folder>/<uid>.eml ('/' in a folder name becomes '_').
// Exit status: 0 ok, 1 not ok (or no session), 2 bad arguments.
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <variant>
#include <vector>

#include "net/imap/client.hpp"
#include "net/socket/client_runner.hpp"

namespace {

using net::imap::ClientOp;

int usage(const std::string& why) {
  std::cerr << "imap_client_tool: " << why << "\n"
            << "usage: imap_client_tool HOST PORT LOGIN PASSWORD [--auth login|plain]\n"
            << "       [--fetch-bodies] [--out DIR] [--timeout S] OP...\n";
  return 2;
}

std::string masked(std::string text, const std::string& secret) {
  if (secret.empty()) return text;
  for (auto p = text.find(secret); p != std::string::npos; p = text.find(secret, p + 1))
    text.replace(p, secret.size(), std::string(secret.size(), '*'));
  return text;
}

bool parse_int(const std::string& s, long lo, long hi, long& out) {
  char* end = nullptr;
  out = std::strtol(s.c_str(), &end, 10);
  return !s.empty() && *end == '\0' && out >= lo && out <= hi;
}

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::stringstream ss(s);
  for (std::string item; std::getline(ss, item, sep);) out.push_back(item);
  return out;
}

bool parse_uids(const std::string& s, std::vector<std::uint32_t>& out) {
  for (const auto& item : split(s, ',')) {
    long n = 0;
    if (!parse_int(item, 1, 0xffffffffL, n)) return false;
    out.push_back(static_cast<std::uint32_t>(n));
  }
  return true;
}

// One OP argument; an error message when it cannot be read.
std::string parse_op(const std::string& a, ClientOp& op) {
  std::vector<std::string> p = split(a, ':');
  if (p.empty()) return "empty op";
  const std::string& k = p[0];
  using K = ClientOp::Kind;
  auto need = [&](std::size_t lo, std::size_t hi) { return p.size() >= lo && p.size() <= hi; };
  if (k == "sync" && need(1, 1)) {
    op.kind = K::SyncAll;
  } else if ((k == "select" || k == "examine" || k == "create") && need(2, 2)) {
    op.kind = k == "select" ? K::Select : k == "examine" ? K::Examine : K::Create;
    op.mailbox = p[1];
  } else if ((k == "fetch" || k == "peek") && need(2, 2)) {
    op.kind = K::FetchBody;
    op.peek = k == "peek";
    if (!parse_uids(p[1], op.uids)) return "bad UIDs in " + a;
  } else if (k == "store" && need(4, 4)) {
    op.kind = K::Store;
    op.store_mode = p[1];
    op.flags = split(p[2], ',');
    if (!parse_uids(p[3], op.uids)) return "bad UIDs in " + a;
  } else if (k == "move" && need(3, 3)) {
    op.kind = K::Move;
    op.mailbox = p[1];
    if (!parse_uids(p[2], op.uids)) return "bad UIDs in " + a;
  } else if (k == "expunge" && need(1, 2)) {
    op.kind = K::Expunge;
    if (p.size() == 2 && !parse_uids(p[1], op.uids)) return "bad UIDs in " + a;
  } else if (k == "append" && need(3, 4)) {
    op.kind = K::Append;
    op.mailbox = p[1];
    std::ifstream f(p[2], std::ios::binary);
    if (!f) return "cannot read " + p[2];
    op.data.assign(std::istreambuf_iterator<char>(f), {});
    if (p.size() == 4) op.flags = split(p[3], ',');
  } else if (k == "idle" && need(1, 1)) {
    op.kind = K::Idle;
  } else if (k == "noop" && need(1, 1)) {
    op.kind = K::Noop;
  } else {
    return "unknown op " + a;
  }
  return {};
}

std::string joined(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : " ") + s;
  return out;
}

// The runner's view of an imap::Client.
class ImapClientEngine final : public net::socket::ClientEngine {
 public:
  explicit ImapClientEngine(net::imap::Client& c) : c_(c) {}
  void feed(std::string_view bytes) override { c_.feed(bytes); }
  std::string take_output() override { return c_.take_output(); }
  net::EngineEvents take_events() override { return c_.take_events(); }
  bool done() const override { return c_.done(); }
  void on_disconnect() override { c_.on_disconnect(); }

 private:
  net::imap::Client& c_;
};

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> pos;
  net::imap::ClientJob job;
  std::string out_dir;
  long timeout = 30;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto value = [&]() -> const char* { return i + 1 < argc ? argv[++i] : nullptr; };
    if (a == "--auth") {
      const char* v = value();
      std::string m = v ? v : "";
      if (m == "login") {
        job.auth = net::imap::ClientAuth::Login;
      } else if (m == "plain") {
        job.auth = net::imap::ClientAuth::SaslPlain;
      } else {
        return usage("--auth needs login or plain");
      }
    } else if (a == "--fetch-bodies") {
      job.fetch_bodies = true;
    } else if (a == "--out") {
      const char* v = value();
      if (!v) return usage("--out needs a folder");
      out_dir = v;
    } else if (a == "--timeout") {
      const char* v = value();
      if (!v || !parse_int(v, 1, 3600, timeout)) return usage("--timeout needs 1-3600");
    } else if (a.size() > 2 && a.rfind("--", 0) == 0) {
      return usage("unknown option " + a);
    } else {
      pos.push_back(a);
    }
  }
  if (pos.size() < 4) return usage("expected HOST PORT LOGIN PASSWORD");
  long port = 0;
  if (!parse_int(pos[1], 1, 65535, port)) return usage("bad port " + pos[1]);
  job.login = pos[2];
  job.password = pos[3];
  for (std::size_t i = 4; i < pos.size(); ++i) {
    ClientOp op;
    std::string err = parse_op(pos[i], op);
    if (!err.empty()) return usage(err);
    job.ops.push_back(std::move(op));
  }

  net::imap::Client client(job);
  ImapClientEngine engine(client);
  net::socket::ClientRunOptions opt;
  opt.host = pos[0];
  opt.port = static_cast<std::uint16_t>(port);
  opt.timeout_s = static_cast<int>(timeout);
  opt.on_event = [](const net::EngineEvent& ev) {
    if (const auto* l = std::get_if<net::LineEvent>(&ev)) {
      const char* who = l->sent ? "C: " : "S: ";
      if (l->kind == net::LineKind::Data) {
        std::cout << who << "(literal, " << l->text.size() << " octets)" << std::endl;
      } else {
        std::cout << who << masked(l->text, l->secret) << std::endl;
      }
    } else if (const auto* s = std::get_if<net::StateEvent>(&ev)) {
      std::cout << "# state " << s->from << " -> " << s->to << std::endl;
    }
  };
  const auto res = net::socket::run_client(engine, opt);

  const auto& out = client.outcome();
  if (!res.error.empty()) std::cout << "# session error: " << res.error << "\n";
  std::cout << "# capabilities " << joined(out.capabilities) << "\n";
  for (const auto& [name, f] : out.folders) {
    std::cout << "# folder " << name << " exists=" << f.exists << " uidvalidity=" << f.uid_validity
              << " uidnext=" << f.uid_next << " attributes=(" << joined(f.attributes) << ")\n";
    for (const auto& [uid, m] : f.messages) {
      std::cout << "# message " << name << " " << uid << " size=" << m.size << " flags=("
                << joined(m.flags) << ") date=" << m.internal_date << " subject=" << m.subject
                << " from=" << m.from;
      if (m.data) std::cout << " data=" << m.data->size();
      std::cout << "\n";
      if (m.data && !out_dir.empty()) {
        std::string dir_name = name;
        for (char& ch : dir_name)
          if (ch == '/') ch = '_';
        std::filesystem::path dir = std::filesystem::path(out_dir) / dir_name;
        std::filesystem::create_directories(dir);
        std::ofstream file(dir / (std::to_string(uid) + ".eml"), std::ios::binary);
        file << *m.data;
      }
    }
    for (auto uid : f.expunged) std::cout << "# expunged " << name << " " << uid << "\n";
  }
  for (auto uid : out.appended_uids) std::cout << "# appended " << uid << "\n";
  for (const auto& e : out.errors) std::cout << "# error: " << e << "\n";
  std::cout << "# outcome: " << (out.ok ? "ok" : "failed") << std::endl;
  return out.ok ? 0 : 1;
}

// Test-only tool: downloads mail with mailsim's own POP3 client engine (net::pop3::Client)
// over a real TCP connection (net::socket::run_client), so interop tests can point it at a
// real server such as Dovecot.
//
//   pop3_client_tool HOST PORT LOGIN PASSWORD [--auth user|apop|plain]
//                    [--mode all|keep|delete] [--known UIDL[,UIDL...]] [--out DIR]
//                    [--timeout SECONDS]
//
// Prints the transcript ("C: ..." / "S: ..." lines, credentials masked; message lines are
// not printed), one "# message N uidl U bytes B" line per download and the outcome. With
// --out each message is written byte-exact to DIR/N.eml. Exit status: 0 ok, 1 not ok (or
// no session), 2 bad arguments.
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <variant>
#include <vector>

#include "net/pop3/client.hpp"
#include "net/socket/client_runner.hpp"

namespace {

int usage(const std::string& why) {
  std::cerr << "pop3_client_tool: " << why << "\n"
            << "usage: pop3_client_tool HOST PORT LOGIN PASSWORD [--auth user|apop|plain]\n"
            << "       [--mode all|keep|delete] [--known UIDL,...] [--out DIR] [--timeout S]\n";
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

// The runner's view of a pop3::Client.
class Pop3ClientEngine final : public net::socket::ClientEngine {
 public:
  explicit Pop3ClientEngine(net::pop3::Client& c) : c_(c) {}
  void feed(std::string_view bytes) override { c_.feed(bytes); }
  std::string take_output() override { return c_.take_output(); }
  net::EngineEvents take_events() override { return c_.take_events(); }
  bool done() const override { return c_.done(); }
  void on_disconnect() override { c_.on_disconnect(); }

 private:
  net::pop3::Client& c_;
};

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> pos;
  net::pop3::ClientJob job;
  std::string out_dir;
  long timeout = 30;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto value = [&](const char* what) -> const char* {
      if (i + 1 >= argc) return nullptr;
      (void)what;
      return argv[++i];
    };
    if (a == "--auth") {
      const char* v = value("--auth");
      std::string m = v ? v : "";
      if (m == "user") {
        job.auth = net::pop3::AuthMethod::UserPass;
      } else if (m == "apop") {
        job.auth = net::pop3::AuthMethod::Apop;
      } else if (m == "plain") {
        job.auth = net::pop3::AuthMethod::SaslPlain;
      } else {
        return usage("--auth needs user, apop or plain");
      }
    } else if (a == "--mode") {
      const char* v = value("--mode");
      std::string m = v ? v : "";
      if (m == "all") {
        job.mode = net::pop3::Mode::DownloadAll;
      } else if (m == "keep") {
        job.mode = net::pop3::Mode::LeaveOnServer;
      } else if (m == "delete") {
        job.mode = net::pop3::Mode::Delete;
      } else {
        return usage("--mode needs all, keep or delete");
      }
    } else if (a == "--known") {
      const char* v = value("--known");
      if (!v) return usage("--known needs a list");
      std::stringstream ss(v);
      for (std::string item; std::getline(ss, item, ',');)
        if (!item.empty()) job.known_uidls.insert(item);
    } else if (a == "--out") {
      const char* v = value("--out");
      if (!v) return usage("--out needs a folder");
      out_dir = v;
    } else if (a == "--timeout") {
      const char* v = value("--timeout");
      if (!v || !parse_int(v, 1, 3600, timeout)) return usage("--timeout needs 1-3600");
    } else if (a.size() > 2 && a.rfind("--", 0) == 0) {
      return usage("unknown option " + a);
    } else {
      pos.push_back(a);
    }
  }
  if (pos.size() != 4) return usage("expected 4 arguments, got " + std::to_string(pos.size()));
  long port = 0;
  if (!parse_int(pos[1], 1, 65535, port)) return usage("bad port " + pos[1]);
  job.login = pos[2];
  job.password = pos[3];

  net::pop3::Client client(job);
  Pop3ClientEngine engine(client);
  net::socket::ClientRunOptions opt;
  opt.host = pos[0];
  opt.port = static_cast<std::uint16_t>(port);
  opt.timeout_s = static_cast<int>(timeout);
  opt.on_event = [](const net::EngineEvent& ev) {
    if (const auto* l = std::get_if<net::LineEvent>(&ev)) {
      if (l->kind == net::LineKind::Data) return;
      std::cout << (l->sent ? "C: " : "S: ") << masked(l->text, l->secret) << "\n";
    } else if (const auto* s = std::get_if<net::StateEvent>(&ev)) {
      std::cout << "# state " << s->from << " -> " << s->to << "\n";
    }
  };
  const auto res = net::socket::run_client(engine, opt);

  const auto& out = client.outcome();
  if (!res.error.empty()) std::cout << "# session error: " << res.error << "\n";
  for (const auto& m : out.messages) {
    std::cout << "# message " << m.number << " uidl " << m.uidl << " bytes " << m.data.size()
              << "\n";
    if (!out_dir.empty()) {
      std::ofstream f(out_dir + "/" + std::to_string(m.number) + ".eml", std::ios::binary);
      f << m.data;
    }
  }
  for (const auto& e : out.errors) std::cout << "# error: " << e << "\n";
  std::cout << "# outcome: " << (out.ok ? "ok" : "failed") << "\n";
  return out.ok ? 0 : 1;
}

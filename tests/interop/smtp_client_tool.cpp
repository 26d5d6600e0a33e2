// Test-only tool: sends one message with mailsim's own SMTP client engine
// (net::smtp::Client) over a real TCP connection (net::socket::run_client), so interop
// tests can point it at a real server such as Postfix.
//
//   smtp_client_tool HOST PORT FROM RCPT[,RCPT...] MESSAGE_FILE|-
//                    [--auth USER PASS] [--helo NAME] [--timeout SECONDS]
//
// Prints the transcript ("C: ..." / "S: ..." lines, credentials masked) and the outcome.
// Exit status: 0 delivered, 1 not delivered (or no session), 2 bad arguments.
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>
#include <string>
#include <variant>
#include <vector>

#include "net/smtp/client.hpp"
#include "net/socket/client_runner.hpp"

namespace {

int usage(const std::string& why) {
  std::cerr << "smtp_client_tool: " << why << "\n"
            << "usage: smtp_client_tool HOST PORT FROM RCPT[,RCPT...] MESSAGE_FILE|-\n"
            << "                        [--auth USER PASS] [--helo NAME] [--timeout SECONDS]\n";
  return 2;
}

std::vector<std::string> split_commas(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream ss(s);
  for (std::string item; std::getline(ss, item, ',');)
    if (!item.empty()) out.push_back(item);
  return out;
}

// Every occurrence of `secret` becomes '*' (the engine marks credentials this way).
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

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> pos;
  net::smtp::ClientJob job;
  job.helo_name = "client.mailsim.test";
  long timeout = 30;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--auth") {
      if (i + 2 >= argc) return usage("--auth needs USER and PASS");
      job.auth = net::smtp::Credentials{argv[i + 1], argv[i + 2]};
      i += 2;
    } else if (a == "--helo") {
      if (i + 1 >= argc) return usage("--helo needs a name");
      job.helo_name = argv[++i];
    } else if (a == "--timeout") {
      if (i + 1 >= argc || !parse_int(argv[i + 1], 1, 3600, timeout))
        return usage("--timeout needs a number of seconds (1-3600)");
      ++i;
    } else if (a.size() > 2 && a.rfind("--", 0) == 0) {
      return usage("unknown option " + a);
    } else {
      pos.push_back(a);
    }
  }
  if (pos.size() != 5) return usage("expected 5 arguments, got " + std::to_string(pos.size()));
  long port = 0;
  if (!parse_int(pos[1], 1, 65535, port)) return usage("bad port " + pos[1]);
  job.mail_from = pos[2];
  job.rcpt_to = split_commas(pos[3]);
  if (job.rcpt_to.empty()) return usage("no recipient");
  if (pos[4] == "-") {
    job.message.assign(std::istreambuf_iterator<char>(std::cin), {});
  } else {
    std::ifstream f(pos[4], std::ios::binary);
    if (!f) return usage("cannot read " + pos[4]);
    job.message.assign(std::istreambuf_iterator<char>(f), {});
  }

  net::smtp::Client client(std::move(job));
  net::socket::SmtpClientEngine engine(client);
  net::socket::ClientRunOptions opt;
  opt.host = pos[0];
  opt.port = static_cast<std::uint16_t>(port);
  opt.timeout_s = static_cast<int>(timeout);
  opt.on_connected = [](const std::string& local, const std::string& peer) {
    std::cout << "# connected " << local << " -> " << peer << "\n";
  };
  opt.on_event = [](const net::EngineEvent& ev) {
    if (const auto* l = std::get_if<net::LineEvent>(&ev)) {
      std::cout << (l->sent ? "C: " : "S: ") << masked(l->text, l->secret) << "\n";
    } else if (const auto* s = std::get_if<net::StateEvent>(&ev)) {
      std::cout << "# state " << s->from << " -> " << s->to << "\n";
    }
  };
  const auto res = net::socket::run_client(engine, opt);

  const auto& out = client.outcome();
  if (!res.error.empty()) std::cout << "# session error: " << res.error << "\n";
  for (const auto& r : out.rcpts)
    std::cout << "# rcpt <" << r.addr << ">: " << r.reply.summary() << "\n";
  if (out.last.code != 0) std::cout << "# last reply: " << out.last.summary() << "\n";
  if (out.delivered) {
    std::cout << "# outcome: delivered\n";
  } else {
    std::cout << "# outcome: not delivered (" << (out.temporary ? "temporary" : "permanent")
              << "): " << (res.connected && !out.error.empty() ? out.error : res.error) << "\n";
  }
  std::cout << "# bytes sent " << res.bytes_sent << ", received " << res.bytes_received << "\n";
  return out.delivered ? 0 : 1;
}

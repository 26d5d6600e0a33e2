// `mailsim live URL`: our client engines against a real server, over a real socket
// (net/socket/client_runner.hpp), with TLS verified against the system's CAs. A short, safe
// script per protocol (nothing is deleted or changed on the server):
//   smtp:// smtps://  EHLO, STARTTLS when offered (or required with --starttls), AUTH with
//                     --user, and with --send one message; without --send no MAIL is sent
//   pop3:// pop3s://  CAPA, login, STAT, UIDL, LIST, then TOP n 0 (the header only) of the
//                     newest message when the server offers TOP, QUIT; never RETR or DELE
//   imap:// imaps://  CAPABILITY, login, EXAMINE INBOX (read-only) with a UID FETCH of the
//                     envelopes, optionally IDLE for --idle seconds, LOGOUT
// The session is recorded as a sim::Trace: printed as the transcript (like `mailsim run`) and,
// with --trace, written as JSON lines. Credentials are redacted unless --show-secrets.
// The bytes that crossed the socket (ciphertext under TLS) become TCP segments in the trace
// (sim/live_wire.hpp), so --pcap writes a capture Wireshark reads, with the same redaction.
#include <termios.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "gui/commands.hpp"
#include "net/imap/client.hpp"
#include "net/pop3/client.hpp"
#include "net/smtp/client.hpp"
#include "net/socket/client_runner.hpp"
#include "net/tls/context.hpp"
#include "sim/engine_trace.hpp"
#include "sim/live_wire.hpp"
#include "sim/pcap.hpp"
#include "sim/trace.hpp"
#include "sim/trace_json.hpp"
#include "sim/transcript.hpp"

namespace mailsim {
namespace {

struct LiveOptions {
  std::string url;
  std::string user;
  bool starttls = false;
  std::string send_file, from;
  std::vector<std::string> to;
  std::string ca_file;
  bool insecure = false;
  std::string trace;
  std::string pcap, keylog;
  bool show_secrets = false;
  bool hide_bodies = false;
  bool explain = false;
  int timeout = 15;
  int idle = 0;
};

struct Target {
  std::string scheme;  // smtp smtps pop3 pop3s imap imaps
  std::string host;
  std::uint16_t port = 0;
  bool implicit = false;
  sim::Proto proto = sim::Proto::None;
};

std::optional<Target> parse_url(const std::string& url, bool has_user, std::string& why) {
  const auto sep = url.find("://");
  if (sep == std::string::npos) {
    why = "expected a URL like imaps://mail.example.org or smtp://127.0.0.1:2525";
    return std::nullopt;
  }
  Target t;
  t.scheme = url.substr(0, sep);
  for (auto& c : t.scheme) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  std::string rest = url.substr(sep + 3);
  if (const auto slash = rest.find('/'); slash != std::string::npos) rest.resize(slash);
  if (rest.find('@') != std::string::npos) {
    why =
        "put the user name in --user, not in the URL (and the password never on the command line)";
    return std::nullopt;
  }
  std::string port;
  if (!rest.empty() && rest.front() == '[') {  // [::1]:993
    const auto close = rest.find(']');
    if (close == std::string::npos) {
      why = "unclosed [ in the host";
      return std::nullopt;
    }
    t.host = rest.substr(1, close - 1);
    if (close + 1 < rest.size() && rest[close + 1] == ':') port = rest.substr(close + 2);
  } else {
    const auto colon = rest.rfind(':');
    t.host = rest.substr(0, colon);
    if (colon != std::string::npos) port = rest.substr(colon + 1);
  }
  if (t.host.empty()) {
    why = "the URL has no host";
    return std::nullopt;
  }
  struct Known {
    const char* scheme;
    int port;
    bool implicit;
    sim::Proto proto;
  };
  // RFC 8314 §7: 465, 993, 995 are implicit TLS; 587 is submission (RFC 6409).
  const Known known[] = {{"smtp", has_user ? 587 : 25, false, sim::Proto::Smtp},
                         {"smtps", 465, true, sim::Proto::Smtp},
                         {"pop3", 110, false, sim::Proto::Pop3},
                         {"pop3s", 995, true, sim::Proto::Pop3},
                         {"imap", 143, false, sim::Proto::Imap},
                         {"imaps", 993, true, sim::Proto::Imap}};
  bool found = false;
  for (const auto& k : known) {
    if (t.scheme != k.scheme) continue;
    found = true;
    t.port = static_cast<std::uint16_t>(k.port);
    t.implicit = k.implicit;
    t.proto = k.proto;
  }
  if (!found) {
    why = "unknown scheme '" + t.scheme + "' (smtp, smtps, pop3, pop3s, imap or imaps)";
    return std::nullopt;
  }
  if (!port.empty()) {
    try {
      const int p = std::stoi(port);
      if (p < 1 || p > 65535 || std::to_string(p) != port) throw std::out_of_range("port");
      t.port = static_cast<std::uint16_t>(p);
    } catch (const std::exception&) {
      why = "bad port '" + port + "'";
      return std::nullopt;
    }
  }
  return t;
}

// MAILSIM_PASSWORD, else a prompt on the terminal without echo.
std::optional<std::string> get_password(const std::string& user) {
  if (const char* env = std::getenv("MAILSIM_PASSWORD")) return std::string(env);
  if (!::isatty(STDIN_FILENO)) return std::nullopt;
  std::cerr << "Password for " << user << ": " << std::flush;
  termios old{};
  const bool tty = ::tcgetattr(STDIN_FILENO, &old) == 0;
  if (tty) {
    termios quiet = old;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    ::tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
  }
  std::string pw;
  std::getline(std::cin, pw);
  if (tty) ::tcsetattr(STDIN_FILENO, TCSANOW, &old);
  std::cerr << "\n";
  return pw;
}

// The engine as the runner drives it, plus what a live session needs: Ctrl-C says goodbye
// (the engine's own goodbye when it can, else QUIT / LOGOUT written here and the server's
// answer recorded), and IDLE ends after --idle seconds.
template <class E>
class LiveEngine final : public net::socket::ClientEngineFor<E> {
 public:
  LiveEngine(E& e, sim::Proto proto, int idle_s)
      : net::socket::ClientEngineFor<E>(e), proto_(proto), idle_s_(idle_s) {}

  void feed(std::string_view bytes) override {
    if (!bye_) return this->e_.feed(bytes);
    buf_.append(bytes);
    for (auto eol = buf_.find('\n'); eol != std::string::npos; eol = buf_.find('\n')) {
      std::string line = buf_.substr(0, eol);
      buf_.erase(0, eol + 1);
      if (!line.empty() && line.back() == '\r') line.pop_back();
      net::LineEvent ev;
      ev.sent = false;
      ev.kind = net::LineKind::Reply;
      ev.text = line;
      ev.label = line.substr(0, line.find(' '));
      ev.meaning = "The server answers the goodbye.";
      extra_.push_back(ev);
      const bool last = proto_ == sim::Proto::Smtp ? line.size() >= 4 && line[3] == ' '
                        : proto_ == sim::Proto::Pop3
                            ? line.rfind("+OK", 0) == 0 || line.rfind("-ERR", 0) == 0
                            : line.rfind("Z ", 0) == 0;
      if (last) bye_done_ = true;
    }
  }
  std::string take_output() override {
    std::string out = this->e_.take_output();
    out += raw_;
    raw_.clear();
    return out;
  }
  net::EngineEvents take_events() override {
    auto ev = this->e_.take_events();
    for (auto& x : extra_) ev.push_back(std::move(x));
    extra_.clear();
    return ev;
  }
  bool done() const override { return this->e_.done() || bye_done_; }
  void on_disconnect() override {
    if (!bye_) this->e_.on_disconnect();
  }
  void interrupt() override {
    if (this->e_.done() || bye_) return;
    if constexpr (requires(E & e) { e.stop_idle(); }) {
      if (this->e_.idling()) {  // IDLE is the last op: DONE, then the engine logs out
        this->e_.stop_idle();
        return;
      }
    }
    bye_ = true;
    const char* line = proto_ == sim::Proto::Imap ? "Z LOGOUT" : "QUIT";
    raw_ = std::string(line) + "\r\n";
    net::LineEvent ev;
    ev.sent = true;
    ev.kind = net::LineKind::Command;
    ev.text = line;
    ev.label = proto_ == sim::Proto::Imap ? "LOGOUT" : "QUIT";
    ev.meaning = "Interrupted (Ctrl-C): the client says goodbye.";
    extra_.push_back(ev);
  }
  int timer_ms() const override {
    if constexpr (requires(E & e) { e.stop_idle(); }) {
      if (idle_s_ > 0 && !idle_over_ && this->e_.idling()) {
        if (!idle_since_) idle_since_ = std::chrono::steady_clock::now();
        const auto left =
            std::chrono::seconds(idle_s_) - (std::chrono::steady_clock::now() - *idle_since_);
        return static_cast<int>(std::max<std::int64_t>(
            0, std::chrono::duration_cast<std::chrono::milliseconds>(left).count()));
      }
    }
    return -1;
  }
  void on_timer() override {
    if constexpr (requires(E & e) { e.stop_idle(); }) {
      if (this->e_.idling()) {
        idle_over_ = true;
        this->e_.stop_idle();
      }
    }
  }

 private:
  sim::Proto proto_;
  int idle_s_;
  mutable std::optional<std::chrono::steady_clock::time_point> idle_since_;
  bool idle_over_ = false;
  bool bye_ = false, bye_done_ = false;
  std::string raw_, buf_;
  net::EngineEvents extra_;
};

// The POP3/IMAP engines learn STLS/STARTTLS (ClientJob::tls, wants_tls()); until then
// implicit TLS still works because the runner encrypts from the first byte.
template <class Job, class Engine>
constexpr bool kSpeaksStartTls = requires(Job& j, Engine& e) {
  j.tls;
  e.wants_tls();
};

// Tells the engine how TLS is used: implicit (the driver encrypts from the first byte) or
// STARTTLS required (never the password in plaintext).
template <class Job>
void set_tls_mode(Job& job, bool implicit, bool starttls) {
  if constexpr (requires { job.tls; }) {
    using M = decltype(job.tls);
    if (implicit)
      job.tls = M::Implicit;
    else if (starttls)
      job.tls = M::Required;
  }
}

// Records the session in the trace (time: microseconds since the start).
class Recorder {
 public:
  Recorder(sim::Trace& trace, const Target& t) : trace_(trace) {
    ctx_.conn = 1;
    ctx_.proto = t.proto;
    ctx_.host = "mailsim";
    ctx_.peer = t.host;
    ctx_.client = true;
  }
  sim::Time now() const {
    return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() -
                                                                 start_)
        .count();
  }
  void engine(const net::EngineEvent& ev) {
    sim::record_engine_events(trace_, now(), ctx_, {ev}, true);
  }
  void tls(const net::tls::HandshakeEvent& e) {
    trace_.append(now(), sim::TlsEv{ctx_.conn, e.sent ? ctx_.host : ctx_.peer,
                                    e.sent ? ctx_.peer : ctx_.host, e.what, e.bytes});
  }
  void tls_up(const net::tls::Info& i) {
    tls_note("established " + i.version + " " + i.cipher);
    sim::record_tls_peer(trace_, now(), ctx_, i);
    version_ = i.version;
  }
  void tls_note(const std::string& what) {
    trace_.append(now(), sim::TlsEv{ctx_.conn, ctx_.peer, ctx_.host, what, 0});
  }
  void conn(const std::string& op, std::uint16_t local_port, std::uint16_t port) {
    sim::ConnEv ev;
    ev.conn = ctx_.conn;
    ev.op = op;
    ev.client = ctx_.host;
    ev.server = ctx_.peer;
    ev.client_port = local_port;
    ev.server_port = port;
    ev.proto = ctx_.proto;
    trace_.append(now(), ev);
  }
  void note(const std::string& kind, const std::string& text) {
    trace_.append(now(), sim::NoteEv{ctx_.host, kind, text});
  }
  const std::string& tls_version() const { return version_; }

 private:
  sim::Trace& trace_;
  sim::EngineContext ctx_;
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
  std::string version_;
};

std::uint16_t port_of(const std::string& endpoint) {
  const auto colon = endpoint.rfind(':');
  try {
    return static_cast<std::uint16_t>(std::stoi(endpoint.substr(colon + 1)));
  } catch (const std::exception&) {
    return 0;
  }
}

std::string local_name() {
  char buf[256] = {};
  if (::gethostname(buf, sizeof buf - 1) != 0 || !buf[0]) return "localhost";
  return buf;
}

int live(const LiveOptions& o) {
  std::string why;
  auto target = parse_url(o.url, !o.user.empty(), why);
  if (!target) {
    std::cerr << "mailsim live: bad URL '" << o.url << "': " << why << "\n";
    return 2;
  }
  const Target& t = *target;
  if (t.proto != sim::Proto::Smtp && o.user.empty()) {
    std::cerr << "mailsim live: " << t.scheme << ":// needs --user NAME (the password comes "
              << "from MAILSIM_PASSWORD or a prompt)\n";
    return 2;
  }
  if (!o.send_file.empty() && t.proto != sim::Proto::Smtp) {
    std::cerr << "mailsim live: --send works with smtp:// and smtps:// only\n";
    return 2;
  }
  if (!o.send_file.empty() && (o.from.empty() || o.to.empty())) {
    std::cerr << "mailsim live: --send needs --from ADDRESS and --to ADDRESS\n";
    return 2;
  }
  if (o.starttls && t.implicit) {
    std::cerr << "mailsim live: --starttls is for " << (t.scheme.substr(0, 4)) << "://; "
              << t.scheme << ":// is encrypted from the first byte\n";
    return 2;
  }
  if (!o.keylog.empty() && (o.pcap.empty() || !o.show_secrets)) {
    // The keys decrypt everything inside TLS, the password included.
    std::cerr << "mailsim live: --keylog goes with --pcap (it decrypts that capture) and "
                 "--show-secrets (it reveals the password inside TLS)\n";
    return 2;
  }
  if (o.hide_bodies && !o.pcap.empty()) {
    // A capture holds the bytes as they crossed the wire: the bodies could not be hidden.
    std::cerr << "mailsim live: --hide-bodies cannot go with --pcap (a capture keeps every "
                 "byte that crossed the network); leave one of them out\n";
    return 2;
  }
  std::string message;
  if (!o.send_file.empty()) {
    std::ifstream f(o.send_file, std::ios::binary);
    if (!f) {
      std::cerr << "mailsim live: cannot read --send " << o.send_file << "\n";
      return 2;
    }
    std::string raw((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
    for (std::size_t i = 0; i < raw.size(); ++i) {  // CRLF line ends, as on the wire
      if (raw[i] == '\n' && (i == 0 || raw[i - 1] != '\r')) message += '\r';
      message += raw[i];
    }
  }

  std::string password;
  if (!o.user.empty()) {
    auto pw = get_password(o.user);
    if (!pw) {
      std::cerr << "mailsim live: no password: set MAILSIM_PASSWORD or run on a terminal to "
                   "be asked\n";
      return 2;
    }
    password = *pw;
  }

  std::shared_ptr<net::tls::Context> tls;
  try {
    net::tls::ClientTrust trust;
    trust.system_store = true;
    trust.ca_file = o.ca_file;
    trust.verify = !o.insecure;
    tls = net::tls::Context::client(trust);
  } catch (const std::exception& e) {
    std::cerr << "mailsim live: " << e.what() << "\n";
    return 2;
  }
  std::vector<std::string> key_log;  // SSLKEYLOGFILE lines, with --keylog
  if (!o.keylog.empty())
    tls->set_keylog([&key_log](const std::string& l) { key_log.push_back(l); });
  if (o.insecure)
    std::cerr << "mailsim live: warning: --insecure: the server's certificate is NOT verified; "
                 "anyone on the path could read and change this session\n";

  sim::Trace trace;
  trace.set_reveal_secrets(o.show_secrets);
  if (o.hide_bodies) trace.hide_message_bodies();
  if (!password.empty()) trace.add_secret(password);
  Recorder rec(trace, t);
  const std::int64_t start_unix = std::chrono::duration_cast<std::chrono::seconds>(
                                      std::chrono::system_clock::now().time_since_epoch())
                                      .count();
  sim::LiveWire wire(trace, 1, "mailsim", t.host);

  net::socket::ClientRunOptions ro;
  ro.host = t.host;
  ro.port = t.port;
  ro.timeout_s = o.timeout + std::max(o.idle, 0);
  ro.tls = tls;
  ro.tls_implicit = t.implicit;
  ro.handle_signals = true;
  ro.on_event = [&](const net::EngineEvent& ev) { rec.engine(ev); };
  ro.on_connected = [&](const std::string& local, const std::string& peer) {
    rec.conn("open", port_of(local), t.port);
    wire.connected(rec.now(), local, peer);
  };
  ro.on_wire = [&](bool sent, std::string_view bytes) { wire.chunk(rec.now(), sent, bytes); };
  ro.on_tls_event = [&](const net::tls::HandshakeEvent& e) { rec.tls(e); };
  ro.on_tls_established = [&](const net::tls::Info& i) { rec.tls_up(i); };

  net::socket::ClientRunResult res;
  std::string failure;  // the engine's own account of what went wrong
  bool pop3_starttls_missing = false, imap_starttls_missing = false;
  if (t.proto == sim::Proto::Smtp) {
    net::smtp::ClientJob job;
    job.helo_name = local_name();
    job.tls = t.implicit ? net::smtp::TlsMode::Implicit
              : (o.starttls || !o.user.empty() || !message.empty())
                  ? net::smtp::TlsMode::Required  // never credentials or mail in plaintext
                  : net::smtp::TlsMode::Opportunistic;
    if (o.insecure && !t.implicit && !o.starttls && o.user.empty() && message.empty())
      job.tls = net::smtp::TlsMode::Opportunistic;
    if (!o.user.empty()) job.auth = net::smtp::Credentials{o.user, password};
    job.mail_from = o.from;
    job.rcpt_to = o.to;
    job.message = message;
    net::smtp::Client client(job);
    LiveEngine<net::smtp::Client> engine(client, t.proto, 0);
    res = net::socket::run_client(engine, ro);
    const auto& out = client.outcome();
    if (message.empty()) {
      // No MAIL without --send: the engine stops at "no recipients" after EHLO/AUTH.
      if (out.error != "the message has no recipients") failure = out.error;
    } else if (!out.delivered) {
      failure = out.error.empty() ? "the message was not accepted" : out.error;
    } else {
      rec.note("info", "message accepted: " + out.last.text());
    }
  } else if (t.proto == sim::Proto::Pop3) {
    net::pop3::ClientJob job;
    job.login = o.user;
    job.password = password;
    job.mode = net::pop3::Mode::ListOnly;  // nothing is downloaded or deleted
    set_tls_mode(job, t.implicit, o.starttls);
    net::pop3::Client client(job);
    LiveEngine<net::pop3::Client> engine(client, t.proto, 0);
    if constexpr (!kSpeaksStartTls<net::pop3::ClientJob, net::pop3::Client>) {
      pop3_starttls_missing = o.starttls;
    }
    if (pop3_starttls_missing) {
      std::cerr << "mailsim live: the POP3 client engine does not speak STLS yet; use pop3s://\n";
      return 2;
    }
    if (!t.implicit && !o.starttls)
      std::cerr << "mailsim live: warning: pop3:// without --starttls sends the password "
                   "unencrypted\n";
    res = net::socket::run_client(engine, ro);
    const auto& out = client.outcome();
    if (!out.ok)
      failure = out.error.empty() ? "the session did not end cleanly" : out.error;
    else
      rec.note("info", std::to_string(out.mailbox_messages) + " message(s), " +
                           std::to_string(out.mailbox_octets) + " octets; " +
                           (out.top_number ? "header of message " + std::to_string(out.top_number) +
                                                 " read with TOP (" +
                                                 std::to_string(out.top_lines.size()) + " lines); "
                                           : std::string()) +
                           "nothing downloaded or deleted");
  } else {
    net::imap::ClientJob job;
    job.login = o.user;
    job.password = password;
    net::imap::ClientOp examine;
    examine.kind = net::imap::ClientOp::Kind::Examine;  // read-only (RFC 3501 §6.3.2)
    examine.mailbox = "INBOX";
    job.ops.push_back(examine);
    if (o.idle > 0) {
      net::imap::ClientOp idle;
      idle.kind = net::imap::ClientOp::Kind::Idle;
      job.ops.push_back(idle);
    }
    set_tls_mode(job, t.implicit, o.starttls);
    net::imap::Client client(job);
    LiveEngine<net::imap::Client> engine(client, t.proto, o.idle);
    if constexpr (!kSpeaksStartTls<net::imap::ClientJob, net::imap::Client>) {
      imap_starttls_missing = o.starttls;
    }
    if (imap_starttls_missing) {
      std::cerr << "mailsim live: the IMAP client engine does not speak STARTTLS yet; use "
                   "imaps://\n";
      return 2;
    }
    if (!t.implicit && !o.starttls)
      std::cerr << "mailsim live: warning: imap:// without --starttls sends the password "
                   "unencrypted\n";
    res = net::socket::run_client(engine, ro);
    const auto& out = client.outcome();
    if (!out.ok) {
      failure = out.error.empty() ? "the session did not end cleanly" : out.error;
    } else if (auto it = out.folders.find("INBOX"); it != out.folders.end()) {
      rec.note("info", "INBOX: " + std::to_string(it->second.exists) + " message(s), " +
                           std::to_string(it->second.messages.size()) + " envelope(s) fetched");
    }
  }
  if (res.connected) {
    wire.close(rec.now());
    rec.conn("close", 0, t.port);
  }

  sim::write_transcript(trace, std::cout, {o.explain, false, nullptr, "en"});
  if (!rec.tls_version().empty()) std::cout << "-- TLS: " << rec.tls_version() << "\n";

  if (!o.trace.empty()) {
    std::ofstream f(o.trace, std::ios::binary | std::ios::trunc);
    if (!f) {
      std::cerr << "mailsim live: cannot write " << o.trace << "\n";
      return 1;
    }
    sim::write_jsonl(trace, f);
    std::cerr << "mailsim live: wrote " << trace.size() << " trace events to " << o.trace << "\n";
  }
  if (!o.pcap.empty()) {
    if (!wire.up()) {
      std::cerr << "mailsim live: no connection was made: no capture written to " << o.pcap << "\n";
    } else {
      std::ofstream f(o.pcap, std::ios::binary | std::ios::trunc);
      if (!f) {
        std::cerr << "mailsim live: cannot write " << o.pcap << "\n";
        return 1;
      }
      const std::size_t n = sim::write_pcap(trace, wire.lesson(start_unix), f);
      std::cerr << "mailsim live: wrote " << n << " packets to " << o.pcap
                << (o.show_secrets ? "" : " (credentials redacted)") << "\n";
    }
  }
  if (!o.keylog.empty()) {
    std::ofstream k(o.keylog, std::ios::binary | std::ios::trunc);
    if (!k) {
      std::cerr << "mailsim live: cannot write " << o.keylog << "\n";
      return 1;
    }
    for (const auto& line : key_log) k << line << "\n";
    std::cerr << "mailsim live: wrote " << key_log.size() << " TLS secrets to " << o.keylog
              << " (Wireshark: TLS preference \"(Pre)-Master-Secret log\")\n";
  }

  std::string error;
  if (!res.tls_error.empty()) {
    error = "TLS with " + t.host + " failed: " + res.tls_error;
    if (res.tls_error.find("verif") != std::string::npos)
      error += " (trust the server's CA with --ca-file FILE, or skip the check with --insecure)";
  } else if (res.interrupted) {
    error = "interrupted";
  } else if (!res.error.empty()) {
    error = res.error;
    if (!failure.empty() && res.connected) error += " (" + failure + ")";
  } else if (!failure.empty()) {
    error = failure;
  }
  if (!error.empty()) {
    std::cerr << "mailsim live: error: " << trace.scrubbed(error) << "\n";
    return res.interrupted ? 130 : 1;
  }
  return 0;
}

}  // namespace

void register_live(CLI::App& app, int& rc) {
  auto o = std::make_shared<LiveOptions>();
  auto* cmd = app.add_subcommand(
      "live",
      "Talk to a real mail server with mailsim's own client engines and show the transcript:\n"
      "a short, safe script (nothing is deleted; POP3 downloads no message, only the newest\n"
      "one's header with TOP). URL: smtp:// smtps:// pop3:// pop3s://\n"
      "imap:// imaps:// HOST[:PORT]. The password comes from MAILSIM_PASSWORD or a prompt.");
  cmd->add_option("url", o->url,
                  "smtp://, smtps://, pop3://, pop3s://, imap:// or imaps://HOST[:PORT]")
      ->required();
  cmd->add_option("--user", o->user, "Login name (AUTH for SMTP, required for POP3/IMAP)");
  cmd->add_flag("--starttls", o->starttls,
                "Require STARTTLS (STLS for POP3) on smtp://, pop3://, imap:// and give up if "
                "the server does not offer it; SMTP uses STARTTLS whenever offered anyway");
  cmd->add_option("--send", o->send_file,
                  "SMTP: send this RFC 5322 message file (needs --from and --to)")
      ->type_name("FILE");
  cmd->add_option("--from", o->from, "SMTP envelope sender (MAIL FROM) for --send");
  cmd->add_option("--to", o->to, "SMTP envelope recipient (RCPT TO) for --send; repeatable");
  cmd->add_option("--ca-file", o->ca_file,
                  "Also trust the CAs in this PEM file (besides the system's CAs)")
      ->type_name("FILE");
  cmd->add_flag("--insecure", o->insecure,
                "Do not verify the server's certificate (prints a warning; only for tests)");
  cmd->add_option("--trace", o->trace,
                  "Write the session (lines, TLS handshake, connection) as JSON lines to FILE")
      ->type_name("FILE.jsonl");
  cmd->add_option("--pcap", o->pcap,
                  "Write the bytes that crossed the socket (ciphertext under TLS) as a libpcap "
                  "capture for Wireshark/tshark; TCP handshake and sequence numbers are "
                  "synthesized, credentials redacted unless --show-secrets; IPv4 or IPv6, as "
                  "the session ran")
      ->type_name("FILE.pcap");
  cmd->add_option("--keylog", o->keylog,
                  "With --pcap and --show-secrets: write the TLS session keys (SSLKEYLOGFILE "
                  "format) so Wireshark can decrypt the capture")
      ->type_name("FILE");
  cmd->add_flag("--hide-bodies", o->hide_bodies,
                "Record message bodies as \"(body line hidden: N bytes)\" in the transcript "
                "and trace (headers stay)");
  cmd->add_flag("--show-secrets", o->show_secrets,
                "Show passwords and AUTH data in the transcript and trace (default: redacted)");
  cmd->add_flag("--explain", o->explain, "Add each line's meaning and RFC section");
  cmd->add_option("--timeout", o->timeout,
                  "Give up after this many seconds (resolve, connect and the session)")
      ->capture_default_str()
      ->check(CLI::Range(1, 3600));
  cmd->add_option("--idle", o->idle, "IMAP: stay in IDLE this many seconds before LOGOUT")
      ->check(CLI::Range(0, 3600));
  cmd->callback([o, &rc] { rc = live(*o); });
}

}  // namespace mailsim

// `mailsim serve`: the same SMTP server engine the simulator runs, on a real TCP socket,
// so real clients (smtplib, curl, swaks, Thunderbird) can send mail to it. Delivered mail
// is kept in memory and, with --maildir, loaded from and written through to a Maildir
// (net::store::MaildirMirror: durable before 250/OK, flags, folders and UIDs kept across
// restarts). With --pop3 the POP3 engine serves the same mailboxes.
// With --imap the IMAP engine serves them too. All listeners share one event loop on the
// main thread, so the store needs no lock.
#include <unistd.h>

#include <spdlog/spdlog.h>
#include <CLI/CLI.hpp>
#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "gui/commands.hpp"
#include "gui/log_flush.hpp"
#include "net/smtp/recipient_policy.hpp"
#include "net/socket/engines.hpp"
#include "net/socket/listener.hpp"
#include "net/store/maildir_mirror.hpp"
#include "net/store/mailstore.hpp"
#include "net/tls/cert_authority.hpp"
#include "net/tls/context.hpp"
#include "sim/mail_summary.hpp"
#include "sim/serve_capture.hpp"
#include "sim/trace.hpp"
#include "sim/trace_json.hpp"

namespace mailsim {
namespace {

struct ServeOptions {
  int port = -1;
  int pop3_port = -1;  // -1: no POP3
  int imap_port = -1;  // -1: no IMAP
  std::string bind = "127.0.0.1";
  std::string domain = "recipient.example";
  std::string hostname;  // default mx.<domain>
  std::vector<std::string> users;
  std::string maildir;
  std::string trace;
  std::size_t max_size = 10 * 1024 * 1024;
  bool submission = false;
  int idle_timeout = 0;    // 0: each protocol's own default (kSmtpIdle, kPop3Idle, kImapIdle)
  int line_timeout = 300;  // a whole command line (RFC 5321 §4.5.3.2.7's five minutes)
  int data_timeout = 600;  // a whole DATA transfer or literal (§4.5.3.2.6's ten minutes)
  std::size_t max_connections = 50;
  std::size_t max_per_ip = 20;
  bool verbose = false;
  // TLS (RFC 8314, RFC 3207): a certificate from files, or one made at start.
  std::string tls_cert, tls_key;
  bool tls_auto = false;
  std::string ca_out;
  int smtps_port = -1, pop3s_port = -1, imaps_port = -1;  // implicit TLS ports
  bool allow_plaintext_auth = false;
  std::string pcap, keylog;  // the bytes of every connection; the TLS keys that decrypt them
  bool show_secrets = false;
};

struct User {
  std::string name, password;
};

// Idle timers without --idle-timeout: RFC 5321 §4.5.3.2.7 (a server waits at least 5 minutes
// for the next command), RFC 1939 §3 (POP3 autologout at least 10 minutes), RFC 3501 §5.4
// (IMAP autologout at least 30 minutes; an IDLE client re-issues IDLE within 29, RFC 2177).
constexpr int kSmtpIdle = 300;
constexpr int kPop3Idle = 600;
constexpr int kImapIdle = 1800;

int idle_timeout(const ServeOptions& o, int fallback) {
  return o.idle_timeout > 0 ? o.idle_timeout : fallback;
}

bool valid_local_part(const std::string& s) {
  if (s.empty() || s.size() > 64) return false;  // RFC 5321 §4.5.3.1.1
  for (char c : s) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '.' || c == '_' || c == '-' || c == '+';
    if (!ok) return false;
  }
  return s.front() != '.' && s.back() != '.';
}

// "NAME:PASSWORD" (the password may itself contain ':').
std::optional<User> parse_user(const std::string& s, std::string& why) {
  const auto colon = s.find(':');
  if (colon == std::string::npos) {
    why = "expected NAME:PASSWORD";
    return std::nullopt;
  }
  User u{s.substr(0, colon), s.substr(colon + 1)};
  if (!valid_local_part(u.name)) {
    why = "NAME must be a plain mailbox name (letters, digits, . _ - +), e.g. bruno";
    return std::nullopt;
  }
  if (u.password.empty()) {
    why = "the password is empty";
    return std::nullopt;
  }
  return u;
}

// Replaces every occurrence of `secret` with '*' of the same length (as sim::Trace does).
void redact(std::string& s, const std::string& secret) {
  if (secret.empty()) return;
  for (auto pos = s.find(secret); pos != std::string::npos; pos = s.find(secret, pos)) {
    s.replace(pos, secret.size(), std::string(secret.size(), '*'));
    pos += secret.size();
  }
}

// RecipientPolicy plus the Maildir: when a copy cannot be written, the client gets a
// temporary failure (451, RFC 5321 §4.2.2) instead of a 250 for mail the user cannot see.
// `refused` counts the deliveries the Maildir mirror could not write.
class MaildirPolicy : public net::smtp::ServerPolicy {
 public:
  MaildirPolicy(net::smtp::RecipientPolicy& inner, std::function<std::uint64_t()> refused)
      : inner_(inner), refused_(std::move(refused)) {}
  std::optional<std::string> authenticate(const std::string& login,
                                          const std::string& password) override {
    return inner_.authenticate(login, password);
  }
  net::smtp::Reply check_sender(const net::smtp::Envelope& env, const std::string& addr) override {
    return inner_.check_sender(env, addr);
  }
  net::smtp::Reply check_recipient(const net::smtp::Envelope& env,
                                   const std::string& addr) override {
    return inner_.check_recipient(env, addr);
  }
  net::smtp::Reply accept_message(const net::smtp::Envelope& env, std::string message) override {
    const std::uint64_t before = refused_();
    auto r = inner_.accept_message(env, std::move(message));  // Maildir written meanwhile
    if (r.positive() && refused_() != before) {
      return {451, "4.3.0", {"Error: cannot write the message to the Maildir; try later"}};
    }
    return r;
  }
  // With the group commit the store itself reports a failed write (451 4.3.0).
  void accept_message_later(const net::smtp::Envelope& env, std::string message,
                            Done done) override {
    inner_.accept_message_later(env, std::move(message), std::move(done));
  }

 private:
  net::smtp::RecipientPolicy& inner_;
  std::function<std::uint64_t()> refused_;
};

// The trace's record of one store change.
sim::MailboxEv mailbox_event(const std::string& host, const net::store::Change& c,
                             std::string summary) {
  sim::MailboxEv ev;
  ev.host = host;
  ev.mailbox = c.address;
  ev.op = c.op;
  ev.uid = c.uid;
  ev.size = static_cast<std::uint64_t>(c.size);
  ev.summary = std::move(summary);
  ev.folder = c.op == "rename" ? c.folder + " -> " + c.new_name : c.folder;
  return ev;
}

// Appends trace events as JSON lines; time is microseconds since serve started.
class TraceFile {
 public:
  TraceFile(const std::string& path, std::chrono::steady_clock::time_point start) : start_(start) {
    if (path.empty()) return;
    out_.open(path, std::ios::out | std::ios::app | std::ios::binary);
    if (!out_) throw std::runtime_error("cannot open trace file " + path);
    enabled_ = true;
  }
  bool enabled() const { return enabled_; }
  sim::Time now() const {
    return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() -
                                                                 start_)
        .count();
  }
  void append(sim::Payload p) {
    if (!enabled_) return;
    sim::Event ev{now(), seq_++, std::move(p)};
    out_ << sim::to_json_line(ev) << '\n';
    out_.flush();  // a reader (or a test) sees each event at once
  }

 private:
  std::ofstream out_;
  std::chrono::steady_clock::time_point start_;
  std::uint64_t seq_ = 0;
  bool enabled_ = false;

 public:
  // --pcap: what the listeners' wire taps write to (null without it), same clock as the trace.
  std::unique_ptr<sim::ServeCapture> capture;
  bool reveal_secrets = false;  // --show-secrets
};

std::string endpoint(const std::string& ip, std::uint16_t port) {
  return (ip.find(':') == std::string::npos ? ip : "[" + ip + "]") + ":" + std::to_string(port);
}

// Logs and traces one listener's connections, lines and state changes. Log lines start
// with `prefix` ("conn", "pop3 conn"); trace connection ids are offset by `conn_base` so that
// the protocols' ids never clash.
void log_and_trace(net::socket::Listener& listener, const std::string& prefix,
                   std::uint32_t conn_base, sim::Proto proto, const std::string& hostname,
                   TraceFile& trace, const std::vector<User>& users, bool verbose) {
  auto peer_of = [](const net::socket::ConnectionInfo& c) {
    return c.peer_ip + ":" + std::to_string(c.peer_port);
  };
  listener.on_connection([=, &trace](const net::socket::ConnectionInfo& c, bool opened) {
    spdlog::info("{} {} {} {}{}", prefix, c.id, opened ? "from" : "closed", peer_of(c),
                 c.refused ? " (refused: too many connections)" : "");
    sim::ConnEv ev;
    ev.conn = conn_base + c.id;
    ev.op = opened ? (c.refused ? "refused" : "open") : "close";
    ev.client = c.peer_ip;
    ev.server = hostname;
    ev.client_port = c.peer_port;
    ev.server_port = c.local_port;
    ev.proto = proto;
    trace.append(std::move(ev));
    if (!trace.capture) return;
    if (opened) {
      trace.capture->opened(conn_base + c.id, trace.now(), endpoint(c.peer_ip, c.peer_port),
                            endpoint(c.local_ip, c.local_port));
    } else {
      trace.capture->closed(conn_base + c.id, trace.now());
    }
  });
  listener.on_wire(
      [=, &trace](const net::socket::ConnectionInfo& c, bool sent, std::string_view bytes) {
        if (trace.capture) trace.capture->bytes(conn_base + c.id, trace.now(), !sent, bytes);
      });
  std::vector<std::string> passwords;
  passwords.reserve(users.size());
  for (const auto& u : users) passwords.push_back(u.password);
  listener.on_event([=, &trace](const net::socket::ConnectionInfo& c, const net::EngineEvent& e) {
    // Nothing records lines or states (no --trace, --verbose or --pcap): build nothing.
    if (!trace.enabled() && !verbose && !trace.capture) return;
    if (const auto* le = std::get_if<net::LineEvent>(&e)) {
      sim::LineEv l;
      l.conn = conn_base + c.id;
      l.proto = proto;
      l.from = le->sent ? hostname : c.peer_ip;
      l.to = le->sent ? c.peer_ip : hostname;
      l.from_client = !le->sent;
      l.data = le->kind == net::LineKind::Data;
      l.text = le->text;
      l.label = le->label;
      if (trace.reveal_secrets || le->secret.empty()) {
        l.meaning = le->meaning;
      } else {
        std::string meaning = le->meaning;
        redact(meaning, le->secret);
        l.meaning = meaning;
      }
      l.rfc = le->rfc;
      // Credentials never reach the log, the trace or the capture (unless --show-secrets): the
      // engine marks them, and known passwords are masked in commands too in case a client
      // sends one in the clear.
      if (trace.capture) trace.capture->add_secret(le->secret);
      if (!trace.reveal_secrets) redact(l.text, le->secret);
      if (!l.data && !trace.reveal_secrets) {
        for (const auto& p : passwords) redact(l.text, p);
      }
      if (verbose) spdlog::info("{} {} {} {}", prefix, c.id, le->sent ? "S:" : "C:", l.text);
      trace.append(std::move(l));
    } else if (const auto* se = std::get_if<net::StateEvent>(&e)) {
      if (verbose) spdlog::info("{} {} state {} → {}", prefix, c.id, se->from, se->to);
      trace.append(sim::StateEv{hostname, conn_base + c.id, proto, "server", se->from, se->to});
    }
  });
  listener.on_error([=](const net::socket::ConnectionInfo& c, const std::string& what) {
    spdlog::error("{} {} {}: {}", prefix, c.id, peer_of(c), what);
  });
  listener.on_tls([=, &trace](const net::socket::ConnectionInfo& c, const net::socket::TlsNote& n) {
    const bool outcome = n.what.rfind("established", 0) == 0 || n.what.rfind("failed", 0) == 0;
    if (verbose || outcome) spdlog::info("{} {} TLS {}", prefix, c.id, n.what);
    if (trace.capture) trace.capture->tls_started(conn_base + c.id);
    trace.append(sim::TlsEv{conn_base + c.id, n.sent ? hostname : c.peer_ip,
                            n.sent ? c.peer_ip : hostname, n.what, n.bytes});
  });
}

// Turns on TLS in a POP3/IMAP engine's configuration, whatever names its fields have once
// the engine speaks TLS (the driver's part works without them: implicit TLS from the first
// byte). `implicit`: 993/995; else STARTTLS/STLS offered.
template <class Cfg>
void enable_tls(Cfg& c, bool implicit, bool auth_needs_tls) {
  if constexpr (requires { c.tls = true; }) c.tls = implicit;
  if constexpr (requires { c.starttls = true; }) c.starttls = !implicit;
  if constexpr (requires { c.stls = true; }) c.stls = !implicit;
  if constexpr (requires { c.auth_needs_tls = true; }) c.auth_needs_tls = auth_needs_tls;
  if constexpr (requires { c.login_needs_tls = true; }) c.login_needs_tls = auth_needs_tls;
}

// --pop3: the POP3 listener over the same store (log prefix "pop3 conn", trace ids offset
// by kPop3ConnBase). Throws net::socket::ListenError.
constexpr std::uint32_t kPop3ConnBase = 1000000;

constexpr std::uint32_t kPop3sConnBase = 4000000;

std::unique_ptr<net::socket::Listener> make_pop3_listener(
    net::socket::EventLoop& loop, const ServeOptions& o, const std::string& hostname,
    const std::string& domain, net::store::Mailstore& store, TraceFile& trace,
    const std::vector<User>& users, int port, const net::socket::TlsConfig& tls) {
  net::pop3::ServerConfig cfg;
  cfg.hostname = hostname;
  // Without --maildir UIDs start again at 1 in a new serve process: a new validity keeps
  // UIDLs unique. With it, UIDs persist and INBOX's UIDVALIDITY (0 here) keeps UIDLs stable.
  if (o.maildir.empty()) {
    cfg.uidl_validity =
        static_cast<std::uint32_t>(std::chrono::duration_cast<std::chrono::seconds>(
                                       std::chrono::system_clock::now().time_since_epoch())
                                       .count());
  }
  // APOP needs the clear-text secret (RFC 1939 §7): login name or full address.
  cfg.apop_secret = [users, domain](std::string_view login) -> std::optional<std::string> {
    std::string l(login);
    for (char& ch : l) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    for (const auto& u : users) {
      std::string full = u.name + "@" + domain;
      for (char& ch : full) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
      if (login == u.name || l == full) return u.password;
    }
    return std::nullopt;
  };
  // A RETR's lines one event each only for a trace or the log; else one event per body.
  cfg.body_line_events = !o.trace.empty() || o.verbose;
  if (tls.ctx) enable_tls(cfg, tls.implicit, !o.allow_plaintext_auth);
  net::socket::ListenerOptions po;
  po.bind = o.bind;
  po.port = static_cast<std::uint16_t>(port);
  po.max_connections = o.max_connections;
  po.max_per_ip = o.max_per_ip;
  po.idle_timeout_s = idle_timeout(o, kPop3Idle);
  po.line_timeout_s = o.line_timeout;
  po.data_timeout_s = o.data_timeout;
  auto pop3 = std::make_unique<net::socket::Listener>(
      loop, po, net::socket::pop3_protocol(std::move(cfg), store, tls));
  log_and_trace(*pop3, tls.implicit ? "pop3s conn" : "pop3 conn",
                tls.implicit ? kPop3sConnBase : kPop3ConnBase, sim::Proto::Pop3, hostname, trace,
                users, o.verbose);
  return pop3;
}

// --imap: the IMAP listener over the same store, logged and traced like POP3 (log prefix
// "imap conn", trace ids offset by kImapConnBase). Throws net::socket::ListenError.
constexpr std::uint32_t kImapConnBase = 2000000;

constexpr std::uint32_t kImapsConnBase = 5000000;

std::unique_ptr<net::socket::Listener> make_imap_listener(
    net::socket::EventLoop& loop, const ServeOptions& o, const std::string& hostname,
    net::store::Mailstore& store, TraceFile& trace, const std::vector<User>& users, int port,
    const net::socket::TlsConfig& tls) {
  net::imap::ServerConfig cfg;
  cfg.hostname = hostname;
  // An APPEND carries the message as one literal: --max-size bounds every literal, and a
  // bigger one is refused before its octets are sent (RFC 7888 §4, [TOOBIG] RFC 5530).
  cfg.limits.max_literal = o.max_size;
  // A FETCH answer goes out in parts of about this size while the next part is built, so
  // FETCH 1:* BODY[] over a big mailbox streams (ServerConfig::fetch_chunk).
  cfg.fetch_chunk = 256 * 1024;
  if (tls.ctx) enable_tls(cfg, tls.implicit, !o.allow_plaintext_auth);
  net::socket::ListenerOptions io;
  io.bind = o.bind;
  io.port = static_cast<std::uint16_t>(port);
  io.max_connections = o.max_connections;
  io.max_per_ip = o.max_per_ip;
  io.idle_timeout_s = idle_timeout(o, kImapIdle);
  io.line_timeout_s = o.line_timeout;
  io.data_timeout_s = o.data_timeout;
  auto imap = std::make_unique<net::socket::Listener>(
      loop, io, net::socket::imap_protocol(std::move(cfg), store, tls));
  log_and_trace(*imap, tls.implicit ? "imaps conn" : "imap conn",
                tls.implicit ? kImapsConnBase : kImapConnBase, sim::Proto::Imap, hostname, trace,
                users, o.verbose);
  return imap;
}

std::string read_file(const std::string& path, const char* what) {
  std::ifstream f(path, std::ios::binary);
  if (!f) throw std::runtime_error("cannot read " + std::string(what) + " " + path);
  std::string s((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  if (s.find("-----BEGIN") == std::string::npos)
    throw std::runtime_error(std::string(what) + " " + path + " is not a PEM file");
  return s;
}

// The server's TLS context from --tls-cert/--tls-key or --tls-auto (null without TLS), or
// nullopt after printing why the options are unusable (exit 2).
std::optional<std::shared_ptr<net::tls::Context>> make_tls(const ServeOptions& o,
                                                           const std::string& hostname) {
  auto bad = [](const std::string& why) -> std::optional<std::shared_ptr<net::tls::Context>> {
    std::cerr << "mailsim serve: " << why << "\n";
    return std::nullopt;
  };
  const bool files = !o.tls_cert.empty() || !o.tls_key.empty();
  if (files && o.tls_auto) return bad("give either --tls-cert/--tls-key or --tls-auto, not both");
  if (files && (o.tls_cert.empty() || o.tls_key.empty()))
    return bad("--tls-cert and --tls-key go together (the certificate and its private key)");
  if (!o.ca_out.empty() && !o.tls_auto)
    return bad("--ca-out needs --tls-auto (it writes the CA that --tls-auto makes)");
  const bool implicit_ports = o.smtps_port >= 0 || o.pop3s_port >= 0 || o.imaps_port >= 0;
  if (!files && !o.tls_auto) {
    if (implicit_ports)
      return bad(
          "--smtps/--pop3s/--imaps need a certificate: --tls-cert FILE --tls-key FILE "
          "or --tls-auto");
    return std::shared_ptr<net::tls::Context>();
  }
  try {
    net::tls::Pem pem;
    if (files) {
      pem.chain = read_file(o.tls_cert, "--tls-cert");
      pem.cert = pem.chain;
      pem.key = read_file(o.tls_key, "--tls-key");
    } else {
      // A CA made now (P-256, which every real client accepts) and a certificate from it for
      // the names clients use to reach this server.
      net::tls::CertAuthority ca("mailsim serve CA", net::tls::KeyType::EcP256);
      std::vector<std::string> names = {hostname, "localhost", "127.0.0.1"};
      if (o.bind != "127.0.0.1" && o.bind != "0.0.0.0" && o.bind != "::") names.push_back(o.bind);
      pem = ca.issue(names, 30);
      if (!o.ca_out.empty()) {
        std::ofstream f(o.ca_out, std::ios::binary | std::ios::trunc);
        if (!(f << ca.cert_pem()) || !f.flush())
          throw std::runtime_error("cannot write --ca-out " + o.ca_out);
        std::cout << "mailsim: wrote the CA certificate to " << o.ca_out
                  << " (clients trust it with e.g. curl --cacert " << o.ca_out << ")" << std::endl;
      }
    }
    return net::tls::Context::server(pem);
  } catch (const std::exception& e) {
    return bad(e.what());
  }
}

constexpr std::uint32_t kSmtpsConnBase = 3000000;
constexpr const char* kLogPattern = "[%H:%M:%S.%e] %v";

int serve(const ServeOptions& o) {
  const auto start = std::chrono::steady_clock::now();
  spdlog::set_pattern(kLogPattern);
  spdlog::flush_on(spdlog::level::info);

  std::vector<User> users;
  for (const auto& spec : o.users) {
    std::string why;
    auto u = parse_user(spec, why);
    if (!u) {
      std::cerr << "mailsim serve: bad --user '" << spec.substr(0, spec.find(':'))
                << (spec.find(':') == std::string::npos ? "" : ":…") << "': " << why << "\n";
      return 2;
    }
    for (const auto& other : users) {
      if (other.name == u->name) {
        std::cerr << "mailsim serve: --user " << u->name << " given twice\n";
        return 2;
      }
    }
    users.push_back(*u);
  }
  const std::string hostname = o.hostname.empty() ? "mx." + o.domain : o.hostname;

  net::store::Mailstore store;
  // A new serve process starts UIDs again at 1: a new UIDVALIDITY tells IMAP clients to
  // forget what they cached (RFC 3501 §2.3.1.1).
  store.set_uid_validity_base(
      static_cast<std::uint32_t>(std::chrono::duration_cast<std::chrono::seconds>(
                                     std::chrono::system_clock::now().time_since_epoch())
                                     .count()));
  store.add_domain(o.domain);
  for (const auto& u : users) store.add_account({u.name + "@" + o.domain, u.name, u.password});

  std::unique_ptr<TraceFile> trace;
  std::unique_ptr<net::store::MaildirMirror> mirror;
  try {
    trace = std::make_unique<TraceFile>(o.trace, start);
    if (!o.maildir.empty()) {
      // Mail, flags, folders and UIDs from the last run; then every change goes to disk.
      mirror = std::make_unique<net::store::MaildirMirror>(
          store, o.maildir, hostname, static_cast<std::uint64_t>(::getpid()), [] {
            return static_cast<std::int64_t>(
                std::chrono::duration_cast<std::chrono::seconds>(
                    std::chrono::system_clock::now().time_since_epoch())
                    .count());
          });
      for (const auto& w : mirror->load()) spdlog::warn("Maildir: {}", w);
      mirror->on_error([](const std::string& what) { spdlog::error("{}", what); });
      mirror->attach();
    }
  } catch (const std::exception& e) {
    std::cerr << "mailsim serve: " << e.what() << "\n";
    return 1;
  }

  // Every change: a log line and a trace event (the mirror writes the Maildir).
  store.on_change([&](const net::store::Change& c) {
    if (c.op == "remove" || (c.op == "expunge" && c.folder == "INBOX")) {
      spdlog::info("removed from {}: uid {}, {} bytes", c.address, c.uid, c.size);
      trace->append(mailbox_event(hostname, c, {}));
      return;
    }
    if (c.op != "deliver") {  // IMAP: append, expunge, flags, create, delete, rename, ...
      std::string what = "folder " + c.folder;
      if (!c.new_name.empty()) what += " → " + c.new_name;
      spdlog::info("{} {}: {}{}", c.op, c.address, what,
                   c.uid ? " uid " + std::to_string(c.uid) : std::string());
      trace->append(mailbox_event(hostname, c, what));
      return;
    }
    const net::store::Folder* inbox = store.folder(c.address, "INBOX");
    const net::store::StoredMessage* msg = inbox ? inbox->find(c.uid) : nullptr;
    const auto file =
        mirror ? mirror->path_of(c.address, c.folder, c.uid) : std::filesystem::path();
    spdlog::info("delivered to {}: uid {}, {} bytes{}", c.address, c.uid, c.size,
                 file.empty() ? std::string() : " → " + file.string());
    trace->append(mailbox_event(hostname, c, msg ? sim::mail_summary(msg->data) : std::string()));
  });

  net::smtp::RecipientPolicy recipients(store, hostname, [] {
    return static_cast<std::int64_t>(std::chrono::duration_cast<std::chrono::seconds>(
                                         std::chrono::system_clock::now().time_since_epoch())
                                         .count());
  });

  auto tls_ctx = make_tls(o, hostname);
  if (!tls_ctx) return 2;
  const std::shared_ptr<net::tls::Context> tls = *tls_ctx;
  std::ofstream keylog;
  if (!o.keylog.empty()) {
    // The keys decrypt everything inside TLS, passwords included: that cannot be masked.
    if (!tls || !o.show_secrets) {
      std::cerr << "mailsim serve: --keylog needs TLS (--tls-auto or --tls-cert) and "
                   "--show-secrets (the keys reveal the passwords sent inside TLS)\n";
      return 2;
    }
    keylog.open(o.keylog, std::ios::binary | std::ios::trunc);
    if (!keylog) {
      std::cerr << "mailsim serve: cannot write --keylog " << o.keylog << "\n";
      return 1;
    }
    tls->set_keylog([&keylog](const std::string& line) { keylog << line << "\n" << std::flush; });
  }

  net::smtp::ServerConfig cfg;
  MaildirPolicy policy(recipients, [&mirror] { return mirror ? mirror->refused() : 0; });
  cfg.hostname = hostname;
  cfg.submission = o.submission;
  cfg.offer_auth = !users.empty();
  cfg.max_message_size = o.max_size;
  // With a certificate the SMTP port offers STARTTLS (RFC 3207) and keeps AUTH for encrypted
  // sessions (538 5.7.11, RFC 4954 §6) unless --allow-plaintext-auth.
  cfg.starttls = tls != nullptr;
  cfg.auth_needs_tls = tls != nullptr && !o.allow_plaintext_auth;
  net::smtp::ServerConfig smtps_cfg = cfg;  // 465: implicit TLS, submission (RFC 8314 §3.3)
  smtps_cfg.starttls = false;
  smtps_cfg.tls = true;
  smtps_cfg.submission = true;
  smtps_cfg.offer_auth = true;
  net::socket::ListenerOptions lo;
  lo.bind = o.bind;
  lo.port = static_cast<std::uint16_t>(o.port);
  lo.max_connections = o.max_connections;
  lo.max_per_ip = o.max_per_ip;
  lo.idle_timeout_s = idle_timeout(o, kSmtpIdle);
  lo.line_timeout_s = o.line_timeout;
  lo.data_timeout_s = o.data_timeout;

  // One event loop on this thread serves every listener (and so every store access).
  net::socket::EventLoop loop;
  // From here the log is flushed once per turn of the loop, not once per line.
  LoopFlushedLog flushed_log([&loop](std::function<void()> fn) { loop.post(std::move(fn)); },
                             kLogPattern);
  std::unique_ptr<net::socket::Listener> listener;
  try {
    listener = std::make_unique<net::socket::Listener>(
        loop, lo, net::socket::smtp_protocol(std::move(cfg), policy, {tls, false}));
  } catch (const std::exception& e) {
    std::cerr << "mailsim serve: " << e.what() << "\n";
    return 1;
  }
  log_and_trace(*listener, "conn", 0, sim::Proto::Smtp, hostname, *trace, users, o.verbose);

  std::string names;
  for (const auto& u : users) names += (names.empty() ? "" : ", ") + u.name;
  std::cout << "mailsim: SMTP on " << listener->local_address() << " for " << o.domain
            << " (users: " << (names.empty() ? "none" : names) << ")" << std::endl;
  if (users.empty()) {
    spdlog::warn("no --user given: every local recipient will be refused (550)");
  }

  if (tls) std::cout << "mailsim: SMTP offers STARTTLS" << std::endl;

  std::unique_ptr<net::socket::Listener> smtps;
  if (o.smtps_port >= 0) {
    net::socket::ListenerOptions so = lo;
    so.port = static_cast<std::uint16_t>(o.smtps_port);
    try {
      smtps = std::make_unique<net::socket::Listener>(
          loop, so, net::socket::smtp_protocol(std::move(smtps_cfg), policy, {tls, true}));
    } catch (const std::exception& e) {
      std::cerr << "mailsim serve: " << e.what() << "\n";
      return 1;
    }
    log_and_trace(*smtps, "smtps conn", kSmtpsConnBase, sim::Proto::Smtp, hostname, *trace, users,
                  o.verbose);
    std::cout << "mailsim: SMTPS (implicit TLS, submission) on " << smtps->local_address()
              << std::endl;
  }

  // POP3 and IMAP, plain (STLS/STARTTLS once the engines offer it) and implicit TLS.
  std::vector<std::unique_ptr<net::socket::Listener>> readers;
  auto add_reader = [&](bool imap, int port, bool implicit) {
    if (port < 0) return true;
    if (implicit && !tls) return true;
    const net::socket::TlsConfig t{tls, implicit};
    try {
      readers.push_back(
          imap ? make_imap_listener(loop, o, hostname, store, *trace, users, port, t)
               : make_pop3_listener(loop, o, hostname, o.domain, store, *trace, users, port, t));
    } catch (const std::exception& e) {
      std::cerr << "mailsim serve: " << e.what() << "\n";
      return false;
    }
    std::cout << "mailsim: " << (imap ? "IMAP" : "POP3") << (implicit ? "S (implicit TLS)" : "")
              << " on " << readers.back()->local_address() << std::endl;
    return true;
  };
  if (!add_reader(false, o.pop3_port, false) || !add_reader(false, o.pop3s_port, true) ||
      !add_reader(true, o.imap_port, false) || !add_reader(true, o.imaps_port, true))
    return 1;

  if (!o.pcap.empty()) {
    sim::ServeCapture::Options co;
    co.reveal_secrets = o.show_secrets;
    for (const auto& u : users) co.secrets.push_back(u.password);
    co.smtp_ports.insert(listener->port());
    if (smtps) co.smtp_ports.insert(smtps->port());
    try {
      trace->capture = std::make_unique<sim::ServeCapture>(
          o.pcap,
          std::chrono::duration_cast<std::chrono::microseconds>(
              std::chrono::system_clock::now().time_since_epoch())
                  .count() -
              trace->now(),
          std::move(co));
    } catch (const std::exception& e) {
      std::cerr << "mailsim serve: " << e.what() << "\n";
      return 1;
    }
    std::cout << "mailsim: capturing every connection to " << o.pcap
              << (o.show_secrets ? "" : " (passwords masked)") << std::endl;
  }
  trace->reveal_secrets = o.show_secrets;
  // Deliveries are written and fsync'd on a worker thread, many per fsync (group commit);
  // the worker ends before the loop it reports to.
  if (mirror)
    mirror->start_group_commit([&loop](std::function<void()> fn) { loop.post(std::move(fn)); });
  loop.run();
  if (trace->capture) spdlog::info("wrote {} packets to {}", trace->capture->packets(), o.pcap);
  if (mirror) mirror->stop_group_commit();
  spdlog::info("stopped");
  return 0;
}

}  // namespace

void register_serve(CLI::App& app, int& rc) {
  auto o = std::make_shared<ServeOptions>();
  auto* cmd = app.add_subcommand(
      "serve",
      "Run the real SMTP server engine on a TCP port, so real mail clients (Python smtplib,\n"
      "curl, swaks, Thunderbird) can send mail to local mailboxes. Stop with Ctrl-C.");
  cmd->add_option("--smtp", o->port,
                  "TCP port for SMTP (25 needs root; 0 picks a free port, printed when ready)")
      ->required()
      ->check(CLI::Range(0, 65535));
  cmd->add_option("--pop3", o->pop3_port,
                  "Also serve the same mailboxes over POP3 on this TCP port (RFC 1939; 0 picks "
                  "a free port, printed when ready)")
      ->check(CLI::Range(0, 65535));
  cmd->add_option("--imap", o->imap_port,
                  "Also serve the same mailboxes over IMAP on this TCP port (RFC 3501; 0 picks "
                  "a free port, printed when ready)")
      ->check(CLI::Range(0, 65535));
  cmd->add_option("--bind", o->bind,
                  "IP address to listen on (default 127.0.0.1; 0.0.0.0 or :: for all)")
      ->capture_default_str();
  cmd->add_option("--domain", o->domain, "Mail domain of the local mailboxes")
      ->capture_default_str();
  cmd->add_option("--user", o->users,
                  "Mailbox NAME@DOMAIN with login NAME (or the full address) and PASSWORD, as "
                  "NAME:PASSWORD; repeat for more users")
      ->type_name("NAME:PASSWORD");
  cmd->add_option("--maildir", o->maildir,
                  "Keep the mailboxes in DIR/<address>/ (Maildir, folders as .Name): loaded at "
                  "start, every message on disk (fsync) before 250/OK, flags, folders and UIDs "
                  "kept across restarts")
      ->type_name("DIR");
  cmd->add_option("--max-size", o->max_size,
                  "Largest message accepted, in bytes (advertised as SIZE, RFC 1870); also the "
                  "largest IMAP literal (APPEND)")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  cmd->add_option("--trace", o->trace,
                  "Append every protocol line, state change, connection and delivery to "
                  "FILE as JSON lines (passwords redacted)")
      ->type_name("FILE.jsonl");
  cmd->add_option("--hostname", o->hostname,
                  "Server name in the greeting and Received headers (default mx.<domain>)");
  cmd->add_flag("--submission", o->submission,
                "Act as a submission server (port 587 role): AUTH required before MAIL");
  cmd->add_option("--idle-timeout", o->idle_timeout,
                  "Seconds a client may stay silent before the server says goodbye (SMTP 421 "
                  "4.4.2, POP3 -ERR, IMAP * BYE Autologout) and closes; default 300 for SMTP "
                  "(RFC 5321 §4.5.3.2), 600 for POP3 (RFC 1939 §3), 1800 for IMAP, IDLE "
                  "included (RFC 3501 §5.4); a value given applies to all three. Only a "
                  "complete command restarts it; see --line-timeout and --data-timeout")
      ->check(CLI::Range(1, 86400));
  cmd->add_option("--line-timeout", o->line_timeout,
                  "Seconds a client may take to send one whole command line (or TLS "
                  "handshake), from its first byte; bytes that do not end the line do not "
                  "extend it, so a client sending a byte a second is told goodbye (421 4.4.2, "
                  "-ERR, * BYE) and closed (RFC 5321 §4.5.3.2)")
      ->capture_default_str()
      ->check(CLI::Range(1, 86400));
  cmd->add_option("--data-timeout", o->data_timeout,
                  "Seconds a client may take to send a whole SMTP DATA message (from the 354 "
                  "to the final '.') or a whole IMAP literal (e.g. APPEND's message), however "
                  "steadily the bytes come (RFC 5321 §4.5.3.2.6's ten minutes)")
      ->capture_default_str()
      ->check(CLI::Range(1, 86400));
  cmd->add_option("--max-connections", o->max_connections,
                  "Simultaneous sessions per port; more get 421 4.7.0 (POP3 -ERR, IMAP * BYE) "
                  "and are closed")
      ->capture_default_str()
      ->check(CLI::Range(1, 10000));
  cmd->add_option("--max-per-ip", o->max_per_ip,
                  "Simultaneous sessions from one client address over all ports; more get "
                  "\"421 4.7.0 Too many connections from your address\" (POP3 -ERR [SYS/TEMP], "
                  "IMAP * BYE) and are closed")
      ->capture_default_str()
      ->check(CLI::Range(1, 10000));
  cmd->add_flag("-v,--verbose", o->verbose, "Log every command, reply and state change");
  cmd->add_option("--tls-cert", o->tls_cert,
                  "Server certificate (PEM; the leaf first, then any intermediates) for TLS: "
                  "STARTTLS on --smtp and the --smtps/--pop3s/--imaps ports")
      ->type_name("FILE");
  cmd->add_option("--tls-key", o->tls_key, "Private key of --tls-cert (PEM)")->type_name("FILE");
  cmd->add_flag("--tls-auto", o->tls_auto,
                "Make a CA and a certificate from it (P-256) at start, for --hostname, "
                "localhost and 127.0.0.1; save the CA with --ca-out so clients can trust it");
  cmd->add_option("--ca-out", o->ca_out,
                  "With --tls-auto: write the CA certificate (PEM) here, e.g. for curl --cacert")
      ->type_name("FILE");
  cmd->add_option("--smtps", o->smtps_port,
                  "Also serve SMTP with implicit TLS on this port (465 role, RFC 8314: TLS from "
                  "the first byte, submission with AUTH); needs a certificate")
      ->check(CLI::Range(0, 65535));
  cmd->add_option("--pop3s", o->pop3s_port,
                  "Also serve POP3 with implicit TLS on this port (995 role); needs a certificate")
      ->check(CLI::Range(0, 65535));
  cmd->add_option("--imaps", o->imaps_port,
                  "Also serve IMAP with implicit TLS on this port (993 role); needs a certificate")
      ->check(CLI::Range(0, 65535));
  cmd->add_option("--pcap", o->pcap,
                  "Write the bytes that crossed every accepted socket (ciphertext under TLS) to "
                  "FILE as a libpcap capture for Wireshark/tshark, packet by packet as they "
                  "pass (a killed server leaves a readable file); TCP handshakes, sequence "
                  "numbers and FINs are synthesized around the real bytes; passwords masked "
                  "unless --show-secrets (only outside TLS: ciphertext cannot be masked)")
      ->type_name("FILE.pcap");
  cmd->add_option("--keylog", o->keylog,
                  "With TLS and --show-secrets: write each TLS session's keys to FILE "
                  "(SSLKEYLOGFILE format) so Wireshark/tshark can decrypt the capture "
                  "(-o tls.keylog_file:FILE); they reveal everything sent inside TLS")
      ->type_name("FILE");
  cmd->add_flag("--show-secrets", o->show_secrets,
                "Keep passwords and AUTH data in the --pcap capture, the --trace file and the "
                "log (default: masked with '*')");
  cmd->add_flag("--allow-plaintext-auth", o->allow_plaintext_auth,
                "With TLS configured, still accept AUTH/LOGIN on unencrypted sessions (default: "
                "538 5.7.11, encryption required, RFC 4954 §6)");
  cmd->callback([o, &rc] { rc = serve(*o); });
}

}  // namespace mailsim

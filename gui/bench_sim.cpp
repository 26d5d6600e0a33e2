// `mailsim bench sim`: a benchmark, not a test. (1) Simulator throughput: complete mail
// flows — submission with AUTH on 587 (STARTTLS), an MX lookup, the relay on 25, then three
// IMAP devices syncing and one POP3 device downloading — in one world, headless, trace on;
// flows and events per second and heap bytes per trace event, for growing flow counts.
// (2) Time travel: random seeks in the resulting trace and the Mail state fold there.
#include <unistd.h>

#include <ctime>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "gui/heap_usage.hpp"
#include "gui/mail_fold.hpp"
#include "gui/scene.hpp"
#include "gui/timeline.hpp"
#include "gui/view_state.hpp"
#include "sim/lesson.hpp"
#include "sim/rng.hpp"
#include "sim/world.hpp"

namespace mailsim {

namespace {

using Clock = std::chrono::steady_clock;

double ms_since(Clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
}

// CPU seconds of this process: on a shared machine the wall clock also counts the time
// other programs held the cores.
double cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

// Memory the kernel could give us now (MemAvailable), in bytes; 0 if unknown.
std::size_t available_memory() {
  std::ifstream f("/proc/meminfo");
  std::string line;
  const std::string_view key = "MemAvailable:";
  while (std::getline(f, line)) {
    if (line.rfind(key, 0) != 0) continue;
    std::size_t i = key.size();
    while (i < line.size() && line[i] == ' ') ++i;
    std::size_t kb = 0;
    if (std::from_chars(line.data() + i, line.data() + line.size(), kb).ec != std::errc{}) return 0;
    return kb * 1024;
  }
  return 0;
}

// One world, `flows` times: Ana sends, then three IMAP devices and a POP3 one check mail.
std::string flow_lesson(int flows, bool tls) {
  std::ostringstream s;
  s << "[lesson]\nid = \"bench\"\ntitle = \"bench\"\n";
  auto host = [&](const char* name, const char* ip, const char* role, const char* extra) {
    s << "\n[[host]]\nname = \"" << name << "\"\nip = \"" << ip << "\"\nrole = \"" << role << "\"\n"
      << extra;
  };
  const char* sec = tls ? "" : "security = \"none\"\n";
  const std::string srv = tls ? "" : "tls = false\nplaintext_auth = true\n";
  host("pc", "10.0.1.10", "device",
       (std::string("account = \"ana@a.example\"\nserver = \"smtp.a.example\"\n") + sec).c_str());
  host("smtp.a.example", "10.0.1.25", "server", ("domain = \"a.example\"\n" + srv).c_str());
  host("ns", "10.0.9.53", "dns", "");
  host("mx.b.example", "10.0.2.25", "server", ("domain = \"b.example\"\n" + srv).c_str());
  const char* devices[] = {"phone", "laptop", "tablet", "old"};
  const char* ips[] = {"10.0.3.1", "10.0.3.2", "10.0.3.3", "10.0.3.4"};
  for (int i = 0; i < 4; ++i)
    host(devices[i], ips[i], "device",
         (std::string("account = \"bruno@b.example\"\nserver = \"mx.b.example\"\nprotocol = \"") +
          (i == 3 ? "pop3" : "imap") + "\"\n" + sec)
             .c_str());
  auto link = [&](const char* a, const char* b) {
    s << "\n[[link]]\na = \"" << a << "\"\nb = \"" << b << "\"\nlatency_ms = 2\n";
  };
  link("pc", "smtp.a.example");
  link("smtp.a.example", "ns");
  link("smtp.a.example", "mx.b.example");
  for (auto* d : devices) link(d, "mx.b.example");
  s << "\n[[account]]\naddress = \"ana@a.example\"\npassword = \"pw-a\"\n"
    << "\n[[account]]\naddress = \"bruno@b.example\"\npassword = \"pw-b\"\n";
  for (int f = 0; f < flows; ++f) {
    s << "\n[[step]]\naction = \"send\"\ndevice = \"pc\"\nto = \"bruno@b.example\"\n"
      << "subject = \"Flow " << f << "\"\nbody = \"Hello number " << f << "\"\n"
      << "\n[[step]]\naction = \"wait\"\nseconds = 1\n";
    for (auto* d : devices) s << "\n[[step]]\naction = \"check\"\ndevice = \"" << d << "\"\n";
  }
  return s.str();
}

struct Percentiles {
  double median = 0, p99 = 0, max = 0;
};

Percentiles percentiles(std::vector<double> v) {
  if (v.empty()) return {};
  std::sort(v.begin(), v.end());
  return {v[v.size() / 2], v[std::min(v.size() - 1, v.size() * 99 / 100)], v.back()};
}

struct Options {
  // The curve: 100 to 100,000 flows. Sizes whose trace would not fit in the memory
  // available are skipped (with the estimate printed), not attempted.
  std::vector<int> flows = {100, 1000, 10000, 100000};
  bool no_tls = false;
  int seeks = 2000;
};

int run(const Options& o) {
  std::printf(
      "mailsim bench sim: one flow = submission (587%s, AUTH) + MX lookup + relay on 25 "
      "+ 3 IMAP syncs + 1 POP3 download\n",
      o.no_tls ? "" : ", STARTTLS");
  std::printf("allocator: %s\n", allocator_name().c_str());
  // bytes/event: with glibc's malloc the small heap blocks in use (the events' strings, the
  // world's nodes), and all B/event adds the large blocks malloc maps on its own (the trace's
  // chunks); with mimalloc (heap_usage.hpp) the first is unknown ("-") and the second is the
  // resident set's growth.
  std::printf("%8s %10s %12s %12s %14s %12s %12s %10s %14s\n", "flows", "seconds", "flows/s",
              "events", "events/s", "bytes/event", "all B/event", "cpu s", "flows/cpu-s");
  // Time travel runs over the largest trace of at most kTravelFlows flows (the views' case:
  // a trace a student opens), not over the curve's biggest world.
  constexpr int kTravelFlows = 1000;
  std::unique_ptr<sim::World> last;
  double bytes_per_flow = 0;  // heap one flow costs (trace and world), from the last run
  for (int flows : o.flows) {
    if (bytes_per_flow > 0) {
      const double need = bytes_per_flow * flows;
      const std::size_t avail = available_memory();
      if (avail && need > 0.8 * static_cast<double>(avail)) {
        std::printf(
            "%8d  skipped: its world and trace need about %.1f GB (%.0f bytes per flow); "
            "%.1f GB available\n",
            flows, need / 1e9, bytes_per_flow, static_cast<double>(avail) / 1e9);
        continue;
      }
    }
    auto lesson = sim::parse_lesson(flow_lesson(flows, !o.no_tls), "bench.toml");
    const HeapUsage m0 = heap_usage();
    auto t0 = Clock::now();
    const double c0 = cpu_seconds();
    auto world = std::make_unique<sim::World>(std::move(lesson));
    sim::RunLimits limits;
    limits.max_events = 1'000'000'000;
    bool ok = world->run(limits);
    const double secs = ms_since(t0) / 1000;
    const double cpu = cpu_seconds() - c0;
    const HeapUsage m1 = heap_usage();
    const auto heap = static_cast<double>(m1.small) - static_cast<double>(m0.small);
    const double all = static_cast<double>(m1.all) - static_cast<double>(m0.all);
    bytes_per_flow = all / flows;
    const std::size_t events = world->trace().size();
    const auto n = static_cast<double>(events);
    char small[32] = "-";  // unknown on mimalloc
    if (m1.small_known) std::snprintf(small, sizeof small, "%.0f", heap / n);
    std::printf("%8d %10.2f %12.0f %12zu %14.0f %12s %12.0f %10.2f %14.0f%s\n", flows, secs,
                flows / secs, events, n / secs, small, all / n, cpu, flows / cpu,
                ok ? "" : "  (did not finish!)");
    std::fflush(stdout);
    if (!last || flows <= kTravelFlows) last = std::move(world);
  }
  if (!last) return 0;

  // Time travel: what a frame does when the cursor jumps.
  Scene scene = build_scene(last->lesson(), last->trace());
  ViewState v;
  sim::Rng rng(42);
  std::vector<double> seek_ms, fold_ms;
  // The first fold builds the scene's mailbox checkpoints once; timed on its own so the
  // percentiles below are the cost of a jump, not of that one-time build.
  auto t_first = Clock::now();
  if (fold_mailboxes(scene, last->trace().size()).empty()) std::printf("(empty fold)\n");
  const double first_fold_ms = ms_since(t_first);
  for (int i = 0; i < o.seeks; ++i) {
    const std::size_t to = rng.uniform(last->trace().size());
    auto t0 = Clock::now();
    seek_event(v, scene, to);
    seek_ms.push_back(ms_since(t0));
    if (i % 10 == 0) {
      auto t1 = Clock::now();
      auto places = fold_mailboxes(scene, v.upto);
      fold_ms.push_back(ms_since(t1));
      if (places.empty()) std::printf("(empty fold)\n");
    }
  }
  auto s = percentiles(seek_ms), f = percentiles(fold_ms);
  std::printf(
      "time travel on %zu events: seek median %.4f ms, p99 %.4f ms, max %.4f ms (%d seeks)\n",
      last->trace().size(), s.median, s.p99, s.max, o.seeks);
  std::printf(
      "mail state fold at the cursor: median %.3f ms, p99 %.3f ms, max %.3f ms (%zu folds; the "
      "first, which builds the checkpoints, %.3f ms)\n",
      f.median, f.p99, f.max, fold_ms.size(), first_fold_ms);
  return 0;
}

}  // namespace

void register_bench_sim(CLI::App& bench, int& rc) {
  auto o = std::make_shared<Options>();
  auto* cmd = bench.add_subcommand(
      "sim",
      "Simulator throughput (complete mail flows per second, events per second, bytes per "
      "trace event) and time-travel latency (random seeks)");
  cmd->add_option("--flows", o->flows,
                  "Flow counts to run, one world each (default: the curve 100 1000 10000 100000)")
      ->check(CLI::Range(1, 1'000'000));
  cmd->add_flag("--no-tls", o->no_tls, "Plaintext everywhere (measures the engines without TLS)");
  cmd->add_option("--seeks", o->seeks, "Random seeks for the time-travel figure")
      ->check(CLI::Range(1, 10'000'000));
  cmd->callback([o, &rc] { rc = run(*o); });
}

}  // namespace mailsim

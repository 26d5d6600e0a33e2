#include "gui/live_process.hpp"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace mailsim {

std::vector<std::string> live_arguments(const LiveRequest& r, const std::string& trace_path) {
  std::vector<std::string> a = {"live",     r.url,       "--trace",
                                trace_path, "--timeout", std::to_string(r.timeout_seconds)};
  if (!r.user.empty()) a.insert(a.end(), {"--user", r.user});
  if (r.starttls) a.push_back("--starttls");
  if (r.insecure) a.push_back("--insecure");
  if (!r.ca_file.empty()) a.insert(a.end(), {"--ca-file", r.ca_file});
  if (r.idle_seconds > 0) a.insert(a.end(), {"--idle", std::to_string(r.idle_seconds)});
  return a;
}

std::string self_executable() {
  std::error_code ec;
  auto p = std::filesystem::read_symlink("/proc/self/exe", ec);
  return ec ? std::string() : p.string();
}

std::unique_ptr<LiveProcess> LiveProcess::start(const std::string& program, const LiveRequest& r,
                                                std::string& error) {
  if (r.url.empty()) {
    error = "no server URL";
    return nullptr;
  }
  std::unique_ptr<LiveProcess> p(new LiveProcess);
  // A private file name in the temporary directory for the trace and one for the output.
  std::string dir = std::filesystem::temp_directory_path().string();
  std::string tmpl = dir + "/mailsim-live-XXXXXX";
  std::vector<char> name(tmpl.begin(), tmpl.end());
  name.push_back('\0');
  const int fd = ::mkstemp(name.data());
  if (fd < 0) {
    error = "cannot create a file in " + dir + ": " + std::strerror(errno);
    return nullptr;
  }
  ::close(fd);
  const std::string base(name.data());
  p->trace_path_ = base + ".jsonl";
  p->log_path_ = base + ".log";
  std::filesystem::remove(base);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);  // never a prompt
  posix_spawn_file_actions_addopen(&actions, 1, p->log_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                   0600);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);

  std::vector<std::string> env_strings;
  for (char** e = environ; *e; ++e)
    if (std::strncmp(*e, "MAILSIM_PASSWORD=", 17) != 0) env_strings.emplace_back(*e);
  if (!r.password.empty()) env_strings.push_back("MAILSIM_PASSWORD=" + r.password);
  std::vector<char*> envp;
  envp.reserve(env_strings.size() + 1);
  for (auto& s : env_strings) envp.push_back(s.data());
  envp.push_back(nullptr);

  auto args = live_arguments(r, p->trace_path_);
  args.insert(args.begin(), program);
  std::vector<char*> argv;
  argv.reserve(args.size() + 1);
  for (auto& s : args) argv.push_back(s.data());
  argv.push_back(nullptr);

  const int rc =
      ::posix_spawn(&p->pid_, program.c_str(), &actions, nullptr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) {
    error = "cannot start " + program + ": " + std::strerror(rc);
    return nullptr;
  }
  return p;
}

bool LiveProcess::running() {
  if (pid_ < 0) return false;
  int status = 0;
  const pid_t r = ::waitpid(pid_, &status, WNOHANG);
  if (r == 0) return true;
  exit_code_ = r == pid_ && WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  pid_ = -1;
  return false;
}

void LiveProcess::stop() {
  if (pid_ > 0) ::kill(pid_, SIGINT);
}

std::string LiveProcess::output() const {
  std::ifstream in(log_path_, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  std::string s = ss.str();
  return s.size() > 4096 ? s.substr(s.size() - 4096) : s;
}

LiveProcess::~LiveProcess() {
  if (pid_ > 0) {
    ::kill(pid_, SIGTERM);
    int status = 0;
    ::waitpid(pid_, &status, 0);
  }
  std::error_code ec;
  std::filesystem::remove(log_path_, ec);
}

}  // namespace mailsim

// The window's Live tab runs `mailsim live` (this same program) as a child process, so a
// slow or stuck server never freezes the window, and shows the trace it writes. The password
// reaches the child through MAILSIM_PASSWORD in its environment, never its command line
// (which every user of the machine can read in /proc).
#pragma once

#include <sys/types.h>

#include <memory>
#include <string>
#include <vector>

namespace mailsim {

struct LiveRequest {
  std::string url;  // smtp:// smtps:// pop3:// pop3s:// imap:// imaps://HOST[:PORT]
  std::string user, password;
  std::string ca_file;  // extra CA certificates (PEM); "" for the system's only
  bool starttls = false;
  bool insecure = false;  // do not verify the certificate (the child prints a warning)
  int idle_seconds = 0;   // IMAP: IDLE this long before LOGOUT
  int timeout_seconds = 15;
};

// The arguments after the program name for `mailsim live` (no password among them).
std::vector<std::string> live_arguments(const LiveRequest& r, const std::string& trace_path);

class LiveProcess {
 public:
  // Starts the child; nullptr and a reason when it cannot be started. `program` is the
  // mailsim executable.
  static std::unique_ptr<LiveProcess> start(const std::string& program, const LiveRequest& r,
                                            std::string& error);
  ~LiveProcess();  // stops a child still running and waits for it
  LiveProcess(const LiveProcess&) = delete;
  LiveProcess& operator=(const LiveProcess&) = delete;

  bool running();                               // false once the child has exited (reaped here)
  int exit_code() const { return exit_code_; }  // valid once !running(); -1 if killed
  void stop();  // SIGINT: the child ends its session with LOGOUT/QUIT
  const std::string& trace_path() const { return trace_path_; }
  std::string output() const;  // what the child printed (stdout and stderr), last 4 KiB

 private:
  LiveProcess() = default;
  pid_t pid_ = -1;
  int exit_code_ = -1;
  std::string trace_path_, log_path_;
};

// This program's own path (/proc/self/exe), or "" when it cannot be read.
std::string self_executable();

}  // namespace mailsim

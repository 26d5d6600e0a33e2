"""Helpers shared by the interop scripts in this folder (stdlib only).

- check()/ok()/not_ok() print "ok - name" or "not ok - name: why"; summary() prints the final
  "# N passed, N failed" line and returns the exit status.
- MailsimServer runs one `mailsim serve` (output to a log file, never a pipe that could fill)
  and waits for its ready lines; stop() is SIGTERM, a bounded wait, then SIGKILL, by PID.
- RealMail starts and stops the private Postfix + Dovecot of tests/fixtures/real-mail.sh.
- setup_failed(), clean_up() (the work folder), free_port(), listener(), wait_until(), joined().

The scripts import it by path: `sys.path.insert(0, os.path.dirname(__file__))`.
"""

import os
import random
import re
import shutil
import signal
import socket
import subprocess
import time

HOST = "127.0.0.1"

failures = []
passes = 0


def ok(name):
    global passes
    passes += 1
    print("ok - " + name, flush=True)


def not_ok(name, why):
    failures.append(name)
    print("not ok - %s: %s" % (name, str(why).replace("\n", "\\n")), flush=True)


def check(name, fn, timed=False):
    """Runs fn(); an exception or a returned string means failure. `timed` prints the time."""
    t0 = time.monotonic()
    try:
        why = fn()
    except Exception as e:  # noqa: BLE001 - a test reports every kind of failure
        why = "%s: %s" % (type(e).__name__, e)
    if why:
        not_ok(name, why)
    else:
        ok(name)
    if timed:
        print("#   %.2f s" % (time.monotonic() - t0), flush=True)


def summary(suffix=""):
    """Prints "# N passed, N failed<suffix>"; returns the exit status (1 when any failed)."""
    print("# %d passed, %d failed%s" % (passes, len(failures), suffix))
    return 1 if failures else 0


def setup_failed(e):
    not_ok("setup", "%s: %s" % (type(e).__name__, e))


def clean_up(workdir, keep, note="# kept "):
    """Removes workdir, unless asked to keep it or a check failed: then prints note + path."""
    if keep or failures:
        print(note + workdir)
    else:
        shutil.rmtree(workdir, ignore_errors=True)


def free_port(host=HOST):
    """A port nothing listens on (bound once, then closed)."""
    s = socket.socket()
    s.bind((host, 0))
    port = s.getsockname()[1]
    s.close()
    return port


def listener(host=HOST, backlog=1):
    """A listening socket on an ephemeral port that never accepts (the kernel backlog does)."""
    s = socket.socket()
    s.bind((host, 0))
    s.listen(backlog)
    return s


def wait_until(fn, timeout, interval=0.05):
    """Calls fn() until it returns something truthy (returned) or `timeout` s pass (None)."""
    deadline = time.monotonic() + timeout
    while True:
        value = fn()
        if value:
            return value
        if time.monotonic() > deadline:
            return None
        time.sleep(interval)


def joined(lines):
    return b"".join(l + b"\r\n" for l in lines)


class MailsimServer:
    """One `mailsim serve` process with args `args`, logging to `log_path`."""

    def __init__(self, args, log_path):
        self.args = args
        self.log_path = log_path
        self.proc = None

    def start_and_wait(self, ready, timeout=30):
        """Starts the server and waits for every regex in `ready`; returns their matches."""
        self.log = open(self.log_path, "wb")
        self.proc = subprocess.Popen(self.args, stdin=subprocess.DEVNULL, stdout=self.log,
                                     stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            text = self.read_log()
            found = [r.search(text) for r in ready]
            if all(found):
                return found
            if self.proc.poll() is not None:
                raise RuntimeError("server exited with %s before it was ready:\n%s" %
                                   (self.proc.returncode, text))
            time.sleep(0.05)
        raise RuntimeError("server not ready after %ss:\n%s" % (timeout, self.read_log()))

    def read_log(self):
        with open(self.log_path, "rb") as f:
            return f.read().decode("utf-8", "replace")

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def stop(self, timeout=15):
        """SIGTERM, bounded wait, then SIGKILL. Returns the exit status."""
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=timeout)
        self.log.close()
        return self.proc.returncode

    def stop_checked(self):
        """stop(); a non-zero exit status is the failed check "clean stop"."""
        rc = self.stop()
        if rc not in (0, None):
            not_ok("clean stop", "exit status %s\n%s" % (rc, self.read_log()[-3000:]))


def parse_env(path):
    """The `export KEY=value` lines of the fixture's env file."""
    env = {}
    with open(path) as f:
        for line in f:
            m = re.match(r"export (\w+)=(.*)$", line.strip())
            if m:
                env[m.group(1)] = m.group(2)
    return env


class RealMail:
    """The private Postfix + Dovecot of tests/fixtures/real-mail.sh (needs root)."""

    def __init__(self, script, workdir):
        self.script = script
        self.dir = os.path.join(workdir, "rm")
        self.env = {}
        self.started = False

    def start(self, extra_env=None):
        """Starts the fixture on a random port base; returns its stderr notes."""
        last = ""
        for _ in range(6):  # another test may hold the ports: try other bases
            base = random.randrange(20, 60) * 1000 + random.randrange(0, 10) * 10
            env = dict(os.environ, REAL_MAIL_PORT_BASE=str(base), **(extra_env or {}))
            p = subprocess.run(["bash", self.script, "start", self.dir], env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=60)
            last = p.stderr.decode("utf-8", "replace")
            if p.returncode == 0:
                self.started = True
                self.env = parse_env(p.stdout.decode().strip())
                return last.strip()
            if p.returncode != 3:
                break
        raise RuntimeError("fixture start failed: " + last)

    def stop(self):
        if self.started:
            subprocess.run(["bash", self.script, "stop", self.dir], timeout=60,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            self.started = False

    def port(self):
        return int(self.env["SMTP_PORT"])

    def new_dir(self, user):
        return os.path.join(self.env["MAILDIR_ROOT"], user, "Maildir", "new")

    def flush_queue(self):
        subprocess.run(["postqueue", "-c", self.env["POSTFIX_CONF"], "-f"], timeout=30,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def log_tail(self, n=40):
        out = []
        for key in ("POSTFIX_LOG", "DOVECOT_LOG"):
            try:
                with open(self.env[key], "rb") as f:
                    lines = f.read().decode("utf-8", "replace").splitlines()[-n:]
                out.append("# --- %s ---\n%s" % (key, "\n".join(lines)))
            except (KeyError, OSError):
                pass
        return "\n".join(out)

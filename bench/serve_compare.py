#!/usr/bin/env python3
"""serve_compare.py -- `mailsim serve` side by side with real servers, in one run.

Starts, on loopback high ports and in one temporary folder:
  * a private Postfix + Dovecot (tests/fixtures/real-mail.sh), Postfix told to put every
    accepted message on hold (so it only receives: smtpd -> cleanup -> queue file,
    fsync'd before 250, like mailsim's Maildir; nothing is delivered while we measure);
  * Postfix's smtp-sink (accepts and stores nothing: the upper bound);
  * `mailsim serve --maildir` twice: an empty one for SMTP, one pre-filled with the same
    N messages that Dovecot serves, for IMAP and POP3.
Then runs the same load against each and prints, per phase, the figure for mailsim, the
peer's, and the ratio (peer time / mailsim time: above 1 means mailsim is faster).

  SMTP  smtp-source -s SESSIONS -m N -l SIZE -d (persistent sessions; no pipelining),
        --smtp-runs times per server, alternating between them; the median is shown
  IMAP  one client (this file, raw sockets): LOGIN, SELECT, FETCH 1:* ENVELOPE,
        FETCH 1:* BODY.PEEK[], SEARCH SUBJECT, SEARCH BODY, STORE +FLAGS/-FLAGS on all
  POP3  the same kind of client: USER/PASS, UIDL, RETR 1..N one by one, QUIT

The IMAP and POP3 client runs ROUNDS times per server (the first pass is cold: Dovecot
builds its index); the table shows the last round. The client's own CPU time is printed so
that one can tell when the client, not the server, is the bottleneck.

Needs root (Postfix's master) and Debian 12's postfix, dovecot-imapd, dovecot-pop3d,
dovecot-lmtpd. Exit status: 0 every figure measured, 1 a run failed or a count was
wrong, 2 bad setup, 77 not root (the CTest smoke entry reports a skip).

  bench/serve_compare.py --mailsim build/release/gui/mailsim            # 10,000 messages
  bench/serve_compare.py --mailsim build/release/gui/mailsim --quick    # smoke run
"""

import argparse
import os
import pwd
import random
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURE = os.path.join(HERE, "..", "tests", "fixtures", "real-mail.sh")
DOMAIN = "example.test"
USER, PASSWORD = "alice", "secret"


def die(code, msg):
    print(f"serve_compare: {msg}", file=sys.stderr)
    sys.exit(code)


def wait_port(port, proc=None, timeout=15.0):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if proc is not None and proc.poll() is not None:
            die(1, f"server for port {port} exited with {proc.returncode}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.02)
    die(1, f"port {port} did not open within {timeout} s")


def free_port():
    """A port nobody listens on now, chosen by the kernel (fixed offsets from the fixture's
    base can collide with other programs' ephemeral ports, 32768-60999 on Linux)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def port_free(port):
    try:
        socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
        return False
    except OSError:
        return True


# ------------------------------------------------------------------ messages
def make_message(i, size):
    """An RFC 5322 message of about SIZE bytes of body, LF line endings (as on disk)."""
    head = (
        f"Return-Path: <sender{i % 97}@bench.example>\n"
        f"From: Sender {i % 97} <sender{i % 97}@bench.example>\n"
        f"To: Alice <{USER}@{DOMAIN}>\n"
        f"Subject: Benchmark message {i}\n"
        f"Date: Thu, 26 Nov 2026 12:{i // 60 % 60:02d}:{i % 60:02d} +0000\n"
        f"Message-ID: <bench.{i}@bench.example>\n"
        "MIME-Version: 1.0\n"
        "Content-Type: text/plain; charset=us-ascii\n\n"
    )
    line = f"Line of benchmark text for message {i}, token needle{i}.".ljust(75, "x") + "\n"
    body = (line * (size // len(line) + 1))[:size]
    return (head + body).encode()


def fill_maildir(root, n, size, owner=None):
    """N messages in ROOT/new (and empty cur, tmp), named as another MDA would."""
    for sub in ("new", "cur", "tmp"):
        os.makedirs(os.path.join(root, sub), exist_ok=True)
    base = 1764158400
    for i in range(1, n + 1):
        path = os.path.join(root, "new", f"{base + i}.M{i}P1.bench")
        with open(path, "wb") as f:
            f.write(make_message(i, size))
    if owner is not None:
        for dirpath, dirs, files in os.walk(root):
            os.chown(dirpath, *owner)
            for name in files:
                os.chown(os.path.join(dirpath, name), *owner)


def count_files(path):
    return sum(len(files) for _, _, files in os.walk(path))


# ------------------------------------------------------------------ IMAP client
class Conn:
    """A loopback TCP connection with a read buffer; minimal, so the client stays cheap."""

    def __init__(self, port):
        self.s = socket.create_connection(("127.0.0.1", port), timeout=120)
        self.s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buf = bytearray()
        self.pos = 0
        self.received = 0

    def more(self):
        if self.pos > 1 << 20:
            del self.buf[: self.pos]
            self.pos = 0
        chunk = self.s.recv(1 << 20)
        if not chunk:
            raise ConnectionError("server closed the connection")
        self.received += len(chunk)
        self.buf += chunk

    def line(self):
        while True:
            i = self.buf.find(b"\r\n", self.pos)
            if i >= 0:
                out = bytes(self.buf[self.pos : i])
                self.pos = i + 2
                return out
            self.more()

    def skip(self, n):
        while len(self.buf) - self.pos < n:
            self.more()
        self.pos += n

    def send(self, data):
        self.s.sendall(data)

    def close(self):
        self.s.close()


class Imap:
    def __init__(self, port):
        self.c = Conn(port)
        self.tag = 0
        greeting = self.c.line()
        if not greeting.startswith(b"* OK"):
            raise RuntimeError(f"IMAP greeting: {greeting!r}")

    def cmd(self, text):
        """Send TEXT; return (untagged line count by type, tagged status line)."""
        self.tag += 1
        tag = f"b{self.tag}".encode()
        self.c.send(tag + b" " + text.encode() + b"\r\n")
        counts = {}
        while True:
            line = self.c.line()
            # A line may end in literals ({n}): skip their bytes, read the line's rest.
            first = line
            while line.endswith(b"}"):
                j = line.rfind(b"{")
                self.c.skip(int(line[j + 1 : -1].rstrip(b"+")))
                line = self.c.line()
            if first.startswith(tag + b" "):
                if not first.startswith(tag + b" OK"):
                    raise RuntimeError(f"{text!r}: {first!r}")
                return counts, first
            if first.startswith(b"* "):
                parts = first.split(b" ", 3)
                key = parts[2] if len(parts) > 2 and parts[1].isdigit() else parts[1]
                counts[key] = counts.get(key, 0) + 1
                if key == b"SEARCH":
                    counts["search_hits"] = len(first.split()) - 2

    def close(self):
        try:
            self.cmd("LOGOUT")
        except (RuntimeError, OSError):
            pass
        self.c.close()


def imap_round(port, n):
    """Phase name -> seconds; checks the counts each phase must return."""
    out = {}
    t = time.perf_counter()
    im = Imap(port)
    im.cmd(f"LOGIN {USER} {PASSWORD}")
    out["IMAP LOGIN"] = time.perf_counter() - t

    def phase(name, text, check):
        t0 = time.perf_counter()
        counts, _ = im.cmd(text)
        out[name] = time.perf_counter() - t0
        if not check(counts):
            raise RuntimeError(f"{name}: unexpected answer {counts}")

    phase("IMAP SELECT", "SELECT INBOX", lambda c: c.get(b"EXISTS") == 1)
    # (EXISTS must say N: checked through FETCH's count below)
    phase("IMAP FETCH 1:* ENVELOPE", "FETCH 1:* (ENVELOPE)", lambda c: c.get(b"FETCH") == n)
    phase("IMAP FETCH 1:* BODY.PEEK[]", "FETCH 1:* (BODY.PEEK[])", lambda c: c.get(b"FETCH") == n)
    want = sum(1 for i in range(1, n + 1) if "message 7" in f"benchmark message {i}")
    phase(
        "IMAP SEARCH SUBJECT",
        'SEARCH SUBJECT "message 7"',
        lambda c: c.get("search_hits") == want,
    )
    phase("IMAP SEARCH BODY", f'SEARCH BODY "needle{n}"', lambda c: c.get("search_hits") == 1)
    t0 = time.perf_counter()
    im.cmd("STORE 1:* +FLAGS.SILENT (\\Flagged)")
    im.cmd("STORE 1:* -FLAGS.SILENT (\\Flagged)")
    out["IMAP STORE +/-\\Flagged"] = time.perf_counter() - t0
    im.close()
    return out


def pop3_round(port, n):
    out = {}
    c = Conn(port)
    t = time.perf_counter()

    def ok(line):
        if not line.startswith(b"+OK"):
            raise RuntimeError(f"POP3: {line!r}")

    def multiline():
        """Up to and past the terminating CRLF.CRLF (c.pos is at the first line's CRLF)."""
        scanned = 0  # bytes after c.pos already searched (more() may move the buffer)
        while True:
            i = c.buf.find(b"\r\n.\r\n", c.pos + scanned)
            if i >= 0:
                c.pos = i + 5
                return
            scanned = max(0, len(c.buf) - c.pos - 4)
            c.more()

    ok(c.line())
    c.send(f"USER {USER}\r\n".encode())
    ok(c.line())
    c.send(f"PASS {PASSWORD}\r\n".encode())
    ok(c.line())
    out["POP3 login"] = time.perf_counter() - t
    t = time.perf_counter()
    c.send(b"UIDL\r\n")
    first = c.line()
    ok(first)
    start = c.pos
    c.pos -= 2  # the terminator search starts at the first line's CRLF
    multiline()
    lines = c.buf[start : c.pos].count(b"\r\n") - 1
    if lines != n:
        raise RuntimeError(f"UIDL listed {lines} messages, not {n}")
    out["POP3 UIDL"] = time.perf_counter() - t
    t = time.perf_counter()
    for i in range(1, n + 1):
        c.send(b"RETR %d\r\n" % i)
        ok(c.line())
        c.pos -= 2
        multiline()
    out["POP3 RETR 1..N"] = time.perf_counter() - t
    c.send(b"QUIT\r\n")
    ok(c.line())
    c.close()
    return out


# ------------------------------------------------------------------ servers
class Bench:
    def __init__(self, args):
        self.args = args
        self.tmp = tempfile.mkdtemp(prefix="sc.", dir="/tmp")
        os.chmod(self.tmp, 0o755)
        self.procs = []
        self.env = None
        self.results = []  # (phase, unit, mailsim value, peer name, peer value, higher_is_better)

    # Postfix + Dovecot from the fixture, on a free port base.
    def start_fixture(self):
        for attempt in range(5):
            base = self.args.port_base or random.randrange(30000, 39000, 100)
            env = dict(os.environ, REAL_MAIL_PORT_BASE=str(base), REAL_MAIL_DOMAIN=DOMAIN)
            r = subprocess.run(
                [FIXTURE, "start", os.path.join(self.tmp, "real")],
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            if r.returncode == 3 and not self.args.port_base:
                continue
            if r.returncode != 0:
                die(1 if r.returncode == 1 else 2, f"real-mail.sh start: {r.stderr.strip()}")
            self.base = base
            self.env = {}
            for line in open(r.stdout.strip()):
                if line.startswith("export "):
                    k, _, v = line[7:].strip().partition("=")
                    self.env[k] = v
            return
        die(2, "no free port base found")

    def postfix_hold(self):
        """Every accepted message goes on hold: Postfix receives and queues, delivers nothing.
        Postfix's master is restarted for it (after a reload, idle smtpd processes would
        still serve a connection or two with the old settings)."""
        conf, d = self.env["POSTFIX_CONF"], self.env["REAL_MAIL_DIR"]
        subprocess.run(
            ["postconf", "-c", conf, "-e",
             "smtpd_end_of_data_restrictions = check_client_access static:HOLD"],
            check=True,
        )
        old = time.time() - 60  # Postfix waits 2.5 s at start when main.cf is younger than 2 s
        os.utime(os.path.join(conf, "main.cf"), (old, old))
        pid = int(self.env["POSTFIX_PID"])
        os.kill(pid, signal.SIGTERM)
        port = int(self.env["SMTP_PORT"])
        end = time.monotonic() + 10
        while time.monotonic() < end and os.path.exists(f"/proc/{pid}") and not port_free(port):
            time.sleep(0.05)
        while time.monotonic() < end and not port_free(port):
            time.sleep(0.05)
        log = open(os.path.join(d, "log", "postfix-master.log"), "a")
        master = subprocess.Popen(
            ["/usr/lib/postfix/sbin/master", "-c", conf, "-s"],
            stdin=subprocess.DEVNULL, stdout=log, stderr=log, start_new_session=True,
        )
        self.env["POSTFIX_PID"] = str(master.pid)
        with open(os.path.join(d, "postfix.pid"), "w") as f:  # real-mail.sh stop reads it
            f.write(f"{master.pid}\n")
        wait_port(port, master)

    def hold_count(self):
        q = subprocess.run(
            ["postconf", "-c", self.env["POSTFIX_CONF"], "-h", "queue_directory"],
            check=True, stdout=subprocess.PIPE, text=True,
        ).stdout.strip()
        return count_files(os.path.join(q, "hold"))

    def mailsim(self, name, smtp, imap=None, pop3=None):
        d = os.path.join(self.tmp, name)
        os.makedirs(d, exist_ok=True)
        cmd = [self.args.mailsim, "serve", "--smtp", str(smtp), "--domain", DOMAIN,
               "--user", f"{USER}:{PASSWORD}", "--maildir", d, "--max-connections", "100"]
        if imap:
            cmd += ["--imap", str(imap)]
        if pop3:
            cmd += ["--pop3", str(pop3)]
        log = open(os.path.join(self.tmp, name + ".log"), "w")
        p = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        self.procs.append(p)
        wait_port(smtp, p, timeout=120)
        for port in (imap, pop3):
            if port:
                wait_port(port, p)
        return p, d

    def smtp_sink(self, port):
        p = subprocess.Popen(
            ["smtp-sink", "-u", "postfix", f"127.0.0.1:{port}", "256"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL,
        )
        self.procs.append(p)
        wait_port(port, p)
        return p

    def perf_start(self, proc, name):
        """With --perf DIR: `perf record -g` on that mailsim process until perf_stop."""
        if not self.args.perf:
            return None
        os.makedirs(self.args.perf, exist_ok=True)
        out = os.path.join(self.args.perf, name + ".perf")
        p = subprocess.Popen(["perf", "record", "-g", "-o", out, "-p", str(proc.pid)],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(0.5)
        return p

    @staticmethod
    def perf_stop(p):
        if p is not None:
            p.send_signal(signal.SIGINT)
            p.wait(timeout=60)

    def stop(self):
        for p in self.procs:
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
        for p in self.procs:
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                p.kill()
        if self.env:
            subprocess.run([FIXTURE, "stop", self.env["REAL_MAIL_DIR"]],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if not self.args.keep:
            shutil.rmtree(self.tmp, ignore_errors=True)
        else:
            print(f"serve_compare: kept {self.tmp}", file=sys.stderr)

    # ------------------------------------------------------------ SMTP
    def smtp_source(self, port, n):
        a = self.args
        cmd = ["smtp-source", "-s", str(a.sessions), "-m", str(n), "-l", str(a.size), "-d",
               "-f", f"bench@bench.example", "-t", f"{USER}@{DOMAIN}", "-M", "bench.example",
               f"127.0.0.1:{port}"]
        t = time.perf_counter()
        r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        dt = time.perf_counter() - t
        if r.returncode != 0:
            die(1, f"smtp-source against port {port} failed: {r.stderr.strip()[:500]}")
        return dt

    def run_smtp(self):
        a, n = self.args, self.args.messages
        sink_port, ms_port, pf_port = free_port(), free_port(), int(self.env["SMTP_PORT"])
        self.smtp_sink(sink_port)
        ms_proc, md = self.mailsim("smtp-maildir", ms_port)
        self.postfix_hold()
        # One message each first: connections, processes and caches warm; checks the setup.
        for port in (sink_port, ms_port, pf_port):
            self.smtp_source_one(port)
        # The runs alternate between the servers, so a change in the machine's load (or in
        # its disk's fsync latency) during the benchmark falls on all three; median of each.
        runs = {"sink": [], "pf": [], "ms": []}
        for r in range(a.smtp_runs):
            before_pf, before_ms = self.hold_count(), count_files(md)
            runs["sink"].append(self.smtp_source(sink_port, n))
            runs["pf"].append(self.smtp_source(pf_port, n))
            perf = self.perf_start(ms_proc, "smtp") if r == 0 else None
            runs["ms"].append(self.smtp_source(ms_port, n))
            self.perf_stop(perf)
            got_pf, got_ms = self.hold_count() - before_pf, count_files(md) - before_ms
            if got_pf != n or got_ms != n:
                die(1, f"stored {got_ms} (mailsim) and {got_pf} (Postfix) messages, not {n}")
            print(f"  SMTP run {r + 1}: msg/s mailsim {n / runs['ms'][-1]:,.0f}, Postfix "
                  f"{n / runs['pf'][-1]:,.0f}, smtp-sink {n / runs['sink'][-1]:,.0f}", flush=True)
        t_sink, t_pf, t_ms = (statistics.median(runs[k]) for k in ("sink", "pf", "ms"))
        label = f"SMTP accept {n} x {a.size} B, {a.sessions} sessions"
        if a.smtp_runs > 1:
            label += f", median of {a.smtp_runs}"
        self.results.append((label, "msg/s", n / t_ms, "Postfix smtpd", n / t_pf, True))
        self.results.append((label, "msg/s", n / t_ms, "smtp-sink", n / t_sink, True))

    def smtp_source_one(self, port):
        subprocess.run(
            ["smtp-source", "-m", "1", "-l", "100", "-f", "bench@bench.example",
             "-t", f"{USER}@{DOMAIN}", "-M", "bench.example", f"127.0.0.1:{port}"],
            check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )

    # ------------------------------------------------------------ IMAP / POP3
    def run_mailbox(self):
        a, n = self.args, self.args.messages
        t = time.perf_counter()
        mail = pwd.getpwnam("mail")
        dov = os.path.join(self.env["MAILDIR_ROOT"], USER)
        os.makedirs(dov, exist_ok=True)
        os.chown(dov, mail.pw_uid, mail.pw_gid)
        fill_maildir(os.path.join(dov, "Maildir"), n, a.size, (mail.pw_uid, mail.pw_gid))
        msdir = os.path.join(self.tmp, "mbox-maildir")
        fill_maildir(os.path.join(msdir, f"{USER}@{DOMAIN}"), n, a.size)
        fill_s = time.perf_counter() - t
        t = time.perf_counter()
        imap_port, pop3_port = free_port(), free_port()
        ms_proc, _ = self.mailsim("mbox-maildir", free_port(), imap_port, pop3_port)
        load_s = time.perf_counter() - t
        print(f"(wrote {n} messages into both Maildirs in {fill_s:.2f} s; mailsim serve "
              f"started on them in {load_s:.2f} s)", flush=True)
        servers = [("mailsim", imap_port, pop3_port),
                   ("Dovecot", int(self.env["IMAP_PORT"]), int(self.env["POP3_PORT"]))]
        last = {}
        for name, ip, pp in servers:
            for r in range(a.rounds):
                last_ms = name == "mailsim" and r == a.rounds - 1
                perf = self.perf_start(ms_proc, "imap-pop3") if last_ms else None
                c0 = time.process_time()
                w0 = time.perf_counter()
                fig = imap_round(ip, n)
                fig.update(pop3_round(pp, n))
                self.perf_stop(perf)
                cpu, wall = time.process_time() - c0, time.perf_counter() - w0
                kind = "cold" if r == 0 else "warm"
                print(f"  {name} round {r + 1} ({kind}): "
                      + ", ".join(f"{k.split(' ', 1)[1]} {v:.3f} s" for k, v in fig.items())
                      + f"; client CPU {cpu:.2f} s of {wall:.2f} s", flush=True)
                last[name] = fig
        for phase in last["mailsim"]:
            if "login" in phase.lower():
                continue
            ms, dv = last["mailsim"][phase], last["Dovecot"][phase]
            self.results.append((phase, "s", ms, "Dovecot", dv, False))

    def table(self):
        print()
        print(f"{'phase':44} {'mailsim':>14} {'peer':>26} {'ratio':>7}")
        for phase, unit, ms, peer, pv, higher in self.results:
            ratio = ms / pv if higher else (pv / ms if ms > 0 else float("inf"))
            fmt = (lambda v: f"{v:,.0f} {unit}") if unit == "msg/s" else (lambda v: f"{v:.4f} {unit}")
            print(f"{phase:44} {fmt(ms):>14} {peer + ' ' + fmt(pv):>26} {ratio:7.2f}")
        print("ratio: mailsim speed / peer speed (above 1.00: mailsim is faster)")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--mailsim", required=True, help="the mailsim executable (a Release build)")
    ap.add_argument("--messages", type=int, default=10000)
    ap.add_argument("--size", type=int, default=4096, help="message body bytes")
    ap.add_argument("--sessions", type=int, default=20, help="parallel SMTP sessions")
    ap.add_argument("--rounds", type=int, default=2, help="IMAP/POP3 passes per server")
    ap.add_argument("--smtp-runs", type=int, default=3,
                    help="smtp-source runs per server, alternating; the median is shown")
    ap.add_argument("--quick", action="store_true", help="smoke run: 200 messages, 4 sessions")
    ap.add_argument("--only", choices=["smtp", "mailbox"], help="run one half")
    ap.add_argument("--port-base", type=int, default=0)
    ap.add_argument("--keep", action="store_true", help="keep the temporary folder")
    ap.add_argument("--perf", metavar="DIR",
                    help="profile mailsim under the SMTP load and the last IMAP+POP3 round with "
                         "perf record -g: DIR/smtp.perf, DIR/imap-pop3.perf")
    a = ap.parse_args()
    if a.quick:
        a.messages, a.sessions, a.rounds, a.smtp_runs = 200, 4, 1, 1
    if os.geteuid() != 0:
        print("serve_compare: needs root (Postfix's master runs as root)", file=sys.stderr)
        sys.exit(77)
    for tool in ("smtp-source", "smtp-sink", "postconf", "dovecot"):
        if shutil.which(tool) is None and not os.path.exists(f"/usr/sbin/{tool}"):
            die(2, f"missing {tool} (apt-get install postfix dovecot-imapd dovecot-pop3d)")
    os.environ["PATH"] = "/usr/sbin:/usr/bin:/sbin:/bin:" + os.environ.get("PATH", "")
    a.mailsim = os.path.abspath(a.mailsim)
    b = Bench(a)
    try:
        print(f"serve_compare: {a.messages} messages of {a.size} B; mailsim {a.mailsim}; "
              f"{os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f}", flush=True)
        b.start_fixture()
        if a.only in (None, "smtp"):
            b.run_smtp()
        if a.only in (None, "mailbox"):
            b.run_mailbox()
        b.table()
    finally:
        b.stop()
    want = (2 if a.only != "mailbox" else 0) + (8 if a.only != "smtp" else 0)
    if len(b.results) != want:
        die(1, f"{len(b.results)} figures, expected {want}")
    print(f"serve_compare: {len(b.results)} figures measured")


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Load test: >= 200 concurrent SMTP, POP3 and IMAP (IDLE) clients against one `mailsim serve`.

One server (`--smtp 0 --pop3 0 --imap 0 --maildir TMP`, 50 users) is driven for --seconds
(default 60) by raw-socket client threads, all on loopback:

- SMTP submitters keep a session open and send messages with unique Message-IDs to random
  users (a new session every few messages); a message counts as acknowledged once its 250
  arrived.
- IMAP watchers (two per user) LOGIN, SELECT INBOX and IDLE; on "* N EXISTS" they leave IDLE
  (DONE), FETCH the new messages' Message-ID and IDLE again (RFC 2177).
- POP3 readers (one per user, so no maildrop lock is contended, RFC 1939 §8) log in, STAT,
  UIDL, RETR the newest message and QUIT without deleting, again and again.

Every client thread, on its first session, meets the others at a rendezvous after its first
command (EHLO, PASS, SELECT) and holds that connection open until all have arrived: the
connections open at that moment are the concurrency figure, so it does not depend on how many
submitters and readers happen to be between sessions when the counter is sampled.

Any unexpected reply is a protocol error. At the end every acknowledged Message-ID must be in
its user's INBOX exactly once (IMAP FETCH and the Maildir files), nothing else may be there,
and each watcher must have seen exactly its user's acknowledged messages. The server's VmRSS
is sampled every second: the last third's average must stay within a factor of the middle
third's. Throughput and latency percentiles per command are printed.

Each submitter waits up to --think seconds (default 3) between messages, which keeps the
offered load (~40 messages/s) near what one event loop that fsyncs every message before its
250 sustains on a shared CI disk; --think 0 measures saturation instead.

Usage: serve_load_interop.py --mailsim PATH [--seconds 60] [--smtp-clients 80]
       [--imap-per-user 2] [--think 3] [--keep]
"""

import argparse
import os
import random
import re
import socket
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from mailtest import HOST, MailsimServer, check, clean_up, not_ok, setup_failed, summary  # noqa: E402

DOMAIN = "load.example"
USERS = ["u%02d" % i for i in range(50)]
PASSWORD = "pw-load"
IO_TIMEOUT = 60  # a reply slower than this is an error (the server is single-threaded)
RENDEZVOUS_TIMEOUT = 30  # every client thread reaches the rendezvous within this


def address(user):
    return user + "@" + DOMAIN


class ProtocolError(Exception):
    pass


class Stats:
    """Latency samples per (protocol, command), errors, and open-connection counts."""

    def __init__(self):
        self.lock = threading.Lock()
        self.samples = {}
        self.errors = []
        self.open_now = 0
        self.open_max = 0
        self.commands = 0

    def sample(self, key, seconds):
        with self.lock:
            self.samples.setdefault(key, []).append(seconds)
            self.commands += 1

    def error(self, what):
        with self.lock:
            self.errors.append(what)

    def opened(self, delta):
        with self.lock:
            self.open_now += delta
            self.open_max = max(self.open_max, self.open_now)


class Rendezvous:
    """All client threads once at the same point, each holding an open, served connection."""

    def __init__(self, parties, stats):
        self.stats = stats
        self.open_at = None  # connections open when the last thread arrived
        self.missing = 0  # threads that ended before arriving
        self.barrier = threading.Barrier(parties, action=self._arrived)

    def _arrived(self):
        with self.stats.lock:
            self.open_at = self.stats.open_now

    def join(self):
        """Waits for the others (bounded); a broken or timed-out rendezvous leaves open_at None."""
        try:
            self.barrier.wait(timeout=RENDEZVOUS_TIMEOUT)
        except threading.BrokenBarrierError:
            pass

    def give_up(self):
        """A thread that will never arrive releases the others at once (the check then fails)."""
        self.missing += 1
        self.barrier.abort()


class Conn:
    """A raw line connection that times each command and counts itself as open."""

    def __init__(self, port, stats, proto):
        self.stats, self.proto = stats, proto
        t0 = time.monotonic()
        self.s = socket.create_connection((HOST, port), timeout=IO_TIMEOUT)
        t1 = time.monotonic()
        self.buf = b""
        self.open = True
        stats.opened(+1)
        self.greeting = self.line()
        stats.sample((proto, "TCP connect"), t1 - t0)
        stats.sample((proto, "greeting"), time.monotonic() - t1)

    def line(self):
        while b"\r\n" not in self.buf:
            chunk = self.s.recv(65536)
            if not chunk:
                raise ProtocolError("%s: connection closed by the server; got %r" %
                                    (self.proto, self.buf[:200]))
            self.buf += chunk
        line, self.buf = self.buf.split(b"\r\n", 1)
        return line

    def send(self, data):
        self.s.sendall(data)

    def close(self):
        if self.open:
            self.open = False
            self.stats.opened(-1)
            self.s.close()


# SMTP -------------------------------------------------------------------------------------


class Ledger:
    """What the submitters sent and what the server acknowledged (250 after the final dot)."""

    def __init__(self):
        self.lock = threading.Lock()
        self.acked = {u: set() for u in USERS}  # user -> Message-IDs
        self.sending = {u: set() for u in USERS}  # user -> Message-IDs, final dot sent
        self.sent_at = {}  # Message-ID -> monotonic time of the final dot
        self.count = 0

    def begin(self, user, mid):
        with self.lock:
            self.sending[user].add(mid)
            self.sent_at[mid] = time.monotonic()

    def add(self, user, mid):
        with self.lock:
            self.acked[user].add(mid)
            self.count += 1

    def of(self, user):
        with self.lock:
            return set(self.acked[user])

    def known(self, user, mid):
        """Sent to `user` (maybe not yet acknowledged: the 250 may still be on its way)."""
        with self.lock:
            return mid in self.sending[user]


def smtp_reply(c):
    """(code, lines) of one SMTP reply."""
    lines = []
    while True:
        l = c.line()
        lines.append(l)
        if len(l) < 4 or l[3:4] != b"-":
            return int(l[:3]), lines


def smtp_cmd(c, cmd, want, label):
    t0 = time.monotonic()
    c.send(cmd + b"\r\n")
    code, lines = smtp_reply(c)
    c.stats.sample(("SMTP", label), time.monotonic() - t0)
    if code != want:
        raise ProtocolError("SMTP %s: %r" % (label, lines))
    return lines


def submitter(n, port, stats, ledger, stop, think, meet):
    rng = random.Random(n)
    seq = 0
    met = False
    while not stop.is_set():
        c = None
        try:
            c = Conn(port, stats, "SMTP")
            if not c.greeting.startswith(b"220"):
                raise ProtocolError("SMTP greeting %r" % c.greeting)
            smtp_cmd(c, b"EHLO load%d.example" % n, 250, "EHLO")
            if not met:
                met = True
                meet.join()
            for _ in range(rng.randint(3, 8)):
                if stop.is_set():
                    break
                user = rng.choice(USERS)
                seq += 1
                mid = "<load.%d.%d.%d@sender.example>" % (n, seq, rng.getrandbits(32))
                smtp_cmd(c, b"MAIL FROM:<sender%d@sender.example>" % n, 250, "MAIL")
                smtp_cmd(c, b"RCPT TO:<%s>" % address(user).encode(), 250, "RCPT")
                smtp_cmd(c, b"DATA", 354, "DATA")
                body = ("From: <sender%d@sender.example>\r\nTo: <%s>\r\nSubject: load %d.%d\r\n"
                        "Message-ID: %s\r\n\r\nLoad test message %d from submitter %d.\r\n"
                        % (n, address(user), n, seq, mid, seq, n)).encode()
                ledger.begin(user, mid)
                smtp_cmd(c, body + b".", 250, "end of DATA")
                ledger.add(user, mid)
                if think:
                    time.sleep(rng.uniform(0, think))
            smtp_cmd(c, b"QUIT", 221, "QUIT")
        except (OSError, ProtocolError, ValueError) as e:
            stats.error("submitter %d: %s: %s" % (n, type(e).__name__, e))
            stop.wait(1)
        finally:
            if c:
                c.close()
    if not met:  # stopped before it ever met the others
        meet.give_up()


# IMAP -------------------------------------------------------------------------------------

EXISTS = re.compile(rb"^\* (\d+) EXISTS$")
# Untagged lines an IDLE watcher may get besides EXISTS: RECENT, and flag changes (POP3 RETR
# sets \Seen on the shared store). EXPUNGE would mean a message was lost: nobody deletes.
QUIET = re.compile(rb"^\* (\d+ RECENT|\d+ FETCH \(|OK)")
MSGID = re.compile(rb"^Message-ID: *(<[^>]*>)", re.I | re.M)


class Watcher:
    """One IMAP connection that IDLEs on a user's INBOX and fetches what arrives."""

    def __init__(self, user, port, stats, ledger):
        self.user, self.port, self.stats, self.ledger = user, port, stats, ledger
        self.seen = []  # Message-IDs in the order fetched
        self.n = 0
        self.exists = 0  # the last EXISTS heard
        self.tag = 0
        self.push_latency = []

    def cmd(self, c, text, label):
        """Sends a tagged command; returns the untagged lines; raises unless OK."""
        self.tag += 1
        tag = b"a%d" % self.tag
        t0 = time.monotonic()
        c.send(tag + b" " + text + b"\r\n")
        lines = []
        while True:
            l = c.line()
            m = re.search(rb"\{(\d+)\}$", l)
            if m:  # a literal follows: keep its octets with this line
                size = int(m.group(1))
                while len(c.buf) < size:
                    chunk = c.s.recv(65536)
                    if not chunk:
                        raise ProtocolError("IMAP: closed inside a literal")
                    c.buf += chunk
                l, c.buf = l + b"\r\n" + c.buf[:size], c.buf[size:]
                l += c.line()
            m = EXISTS.match(l)
            if m:
                self.exists = int(m.group(1))
            if l.startswith(tag + b" "):
                self.stats.sample(("IMAP", label), time.monotonic() - t0)
                if not l.startswith(tag + b" OK"):
                    raise ProtocolError("IMAP %s: %r" % (label, l))
                return lines
            lines.append(l)

    def fetch_new(self, c, upto):
        if upto <= self.n:
            return
        lines = self.cmd(c, b"FETCH %d:%d (BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)])" %
                         (self.n + 1, upto), "FETCH")
        got = []
        for l in lines:
            if b" FETCH (" in l and b"BODY[" in l:
                m = MSGID.search(l)
                if not m:
                    raise ProtocolError("IMAP FETCH without a Message-ID: %r" % l[:200])
                got.append(m.group(1).decode())
        if len(got) != upto - self.n:
            raise ProtocolError("IMAP FETCH %d:%d gave %d messages" % (self.n + 1, upto, len(got)))
        now = time.monotonic()
        with self.ledger.lock:
            for mid in got:
                t = self.ledger.sent_at.get(mid)
                if t is not None:
                    self.push_latency.append(now - t)
        self.seen += got
        self.n = upto

    def run(self, stop, senders_done, grace_end, meet):
        c = None
        met = False
        try:
            c = Conn(self.port, self.stats, "IMAP")
            if not c.greeting.startswith(b"* OK"):
                raise ProtocolError("IMAP greeting %r" % c.greeting)
            self.cmd(c, b"LOGIN %s %s" % (self.user.encode(), PASSWORD.encode()), "LOGIN")
            self.cmd(c, b"SELECT INBOX", "SELECT")
            met = True
            meet.join()
            while True:
                while self.exists > self.n:  # also EXISTS heard during another command
                    self.fetch_new(c, self.exists)
                if senders_done.is_set():  # every acknowledged message is known now
                    if len(self.seen) >= len(self.ledger.of(self.user)) or \
                            time.monotonic() > grace_end[0]:
                        break
                self.tag += 1
                tag = b"a%d" % self.tag
                t0 = time.monotonic()
                c.send(tag + b" IDLE\r\n")
                exists = None
                while True:  # news may come before the continuation
                    l = c.line()
                    m = EXISTS.match(l)
                    if m:
                        exists = int(m.group(1))
                    elif l.startswith(b"+ "):
                        break
                    elif not QUIET.match(l):
                        raise ProtocolError("IMAP IDLE: %r" % l)
                self.stats.sample(("IMAP", "IDLE (+ idling)"), time.monotonic() - t0)
                c.s.settimeout(0.5)
                try:
                    while exists is None and not stop.is_set():
                        try:
                            l = c.line()
                        except socket.timeout:
                            continue
                        m = EXISTS.match(l)
                        if m:
                            exists = int(m.group(1))
                        elif not QUIET.match(l):
                            raise ProtocolError("IMAP during IDLE: %r" % l)
                finally:
                    c.s.settimeout(IO_TIMEOUT)
                t0 = time.monotonic()
                c.send(b"DONE\r\n")
                while True:
                    l = c.line()
                    m = EXISTS.match(l)
                    if m:
                        exists = int(m.group(1))
                    elif l.startswith(tag + b" "):
                        if not l.startswith(tag + b" OK"):
                            raise ProtocolError("IMAP IDLE end: %r" % l)
                        break
                    elif not QUIET.match(l):
                        raise ProtocolError("IMAP after DONE: %r" % l)
                self.stats.sample(("IMAP", "DONE"), time.monotonic() - t0)
                if exists is not None:
                    self.exists = max(self.exists, exists)
                elif stop.is_set():  # the load is over: poll for what is still coming
                    self.cmd(c, b"NOOP", "NOOP")
                    stop.wait(0.2)
            self.cmd(c, b"LOGOUT", "LOGOUT")
        except (OSError, ProtocolError, ValueError) as e:
            self.stats.error("IMAP watcher %s: %s: %s" % (self.user, type(e).__name__, e))
        finally:
            if not met:  # it ends here: nobody should wait for it
                meet.give_up()
            if c:
                c.close()


# POP3 -------------------------------------------------------------------------------------


def pop3_cmd(c, text, label, multiline=False):
    t0 = time.monotonic()
    c.send(text + b"\r\n")
    first = c.line()
    if not first.startswith(b"+OK"):
        raise ProtocolError("POP3 %s: %r" % (label, first))
    body = []
    if multiline:
        while True:
            l = c.line()
            if l == b".":
                break
            body.append(l[1:] if l.startswith(b"..") else l)
    c.stats.sample(("POP3", label), time.monotonic() - t0)
    return first, body


def pop3_reader(user, port, stats, ledger, stop, problems, meet):
    rng = random.Random(user)
    last_count = 0
    met = False
    while not stop.is_set():
        c = None
        try:
            c = Conn(port, stats, "POP3")
            if not c.greeting.startswith(b"+OK"):
                raise ProtocolError("POP3 greeting %r" % c.greeting)
            pop3_cmd(c, b"USER " + user.encode(), "USER")
            pop3_cmd(c, b"PASS " + PASSWORD.encode(), "PASS")
            if not met:
                met = True
                meet.join()
            first, _ = pop3_cmd(c, b"STAT", "STAT")
            count = int(first.split()[1])
            _, lines = pop3_cmd(c, b"UIDL", "UIDL", multiline=True)
            uids = [l.split()[1] for l in lines]
            if len(uids) != count or len(set(uids)) != count:
                raise ProtocolError("POP3 UIDL: %d lines, %d distinct, STAT %d" %
                                    (len(uids), len(set(uids)), count))
            if count < last_count:
                raise ProtocolError("POP3 maildrop shrank from %d to %d" % (last_count, count))
            last_count = count
            if count:
                _, msg = pop3_cmd(c, b"RETR %d" % rng.randint(1, count), "RETR", multiline=True)
                m = MSGID.search(b"\r\n".join(msg))
                if not m or not ledger.known(user, m.group(1).decode()):
                    problems.append("POP3 %s: RETR gave a message not acknowledged for it: %r"
                                    % (user, m and m.group(1)))
            pop3_cmd(c, b"QUIT", "QUIT")
        except (OSError, ProtocolError, ValueError) as e:
            stats.error("POP3 reader %s: %s: %s" % (user, type(e).__name__, e))
        finally:
            if c:
                c.close()
        stop.wait(rng.uniform(0.1, 0.5))
    if not met:  # stopped before it ever met the others
        meet.give_up()


# Server and checks ------------------------------------------------------------------------


class Server(MailsimServer):
    SMTP_READY = re.compile(r"mailsim: SMTP on (\S+):(\d+) for")
    POP3_READY = re.compile(r"mailsim: POP3 on (\S+):(\d+)")
    IMAP_READY = re.compile(r"mailsim: IMAP on (\S+):(\d+)")

    def __init__(self, mailsim, workdir):
        self.maildir = os.path.join(workdir, "Maildir")
        args = [mailsim, "serve", "--smtp", "0", "--pop3", "0", "--imap", "0", "--bind", HOST,
                "--domain", DOMAIN, "--maildir", self.maildir,
                "--max-connections", "1000", "--max-per-ip", "1000"]
        for u in USERS:
            args += ["--user", u + ":" + PASSWORD]
        super().__init__(args, os.path.join(workdir, "server.log"))

    def start(self):
        s, p, i = self.start_and_wait([self.SMTP_READY, self.POP3_READY, self.IMAP_READY])
        self.smtp_port, self.pop3_port, self.imap_port = (int(s.group(2)), int(p.group(2)),
                                                          int(i.group(2)))

    def rss_kb(self):
        try:
            with open("/proc/%d/status" % self.proc.pid) as f:
                for l in f:
                    if l.startswith("VmRSS:"):
                        return int(l.split()[1])
        except OSError:
            pass
        return None


def percentile(xs, p):
    xs = sorted(xs)
    k = min(len(xs) - 1, max(0, int(round(p / 100.0 * (len(xs) - 1)))))
    return xs[k]


def report_latency(stats, push):
    print("# latency in ms: %-28s %7s %7s %7s %7s %7s" % ("command", "count", "p50", "p90",
                                                          "p99", "max"))
    rows = sorted(stats.samples.items())
    rows.append((("IMAP", "SMTP dot -> IDLE EXISTS+FETCH"), push))
    for (proto, label), xs in rows:
        if not xs:
            continue
        print("#   %-4s %-32s %7d %7.1f %7.1f %7.1f %7.1f" % (
            proto, label, len(xs), 1000 * percentile(xs, 50), 1000 * percentile(xs, 90),
            1000 * percentile(xs, 99), 1000 * max(xs)))


def imap_inbox_ids(port, user):
    stats = Stats()
    w = Watcher(user, port, stats, Ledger())
    c = Conn(port, stats, "IMAP")
    try:
        w.cmd(c, b"LOGIN %s %s" % (user.encode(), PASSWORD.encode()), "LOGIN")
        w.cmd(c, b"EXAMINE INBOX", "EXAMINE")
        w.fetch_new(c, w.exists)
        w.cmd(c, b"LOGOUT", "LOGOUT")
    finally:
        c.close()
    return w.seen


def maildir_ids(maildir, user):
    out = []
    home = os.path.join(maildir, address(user))
    for sub in ("new", "cur"):
        d = os.path.join(home, sub)
        for name in (os.listdir(d) if os.path.isdir(d) else []):
            with open(os.path.join(d, name), "rb") as f:
                m = MSGID.search(f.read())
            out.append(m.group(1).decode() if m else "(none in %s)" % name)
    return out


def compare(where, got, want):
    """None when `got` holds each of `want` exactly once and nothing else."""
    dup = len(got) - len(set(got))
    lost = want - set(got)
    extra = set(got) - want
    if dup or lost or extra:
        return "%s: %d duplicated, %d lost (e.g. %s), %d unexpected (e.g. %s)" % (
            where, dup, len(lost), sorted(lost)[:3], len(extra), sorted(extra)[:3])
    return None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--mailsim", required=True)
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--smtp-clients", type=int, default=80)
    ap.add_argument("--imap-per-user", type=int, default=2)
    ap.add_argument("--think", type=float, default=3.0,
                    help="a submitter waits up to this many seconds between messages (the "
                    "default keeps the offered load below what one fsync'ing loop sustains)")
    ap.add_argument("--keep", action="store_true")
    a = ap.parse_args()

    workdir = tempfile.mkdtemp(prefix="mailsim-load-")
    # Under AddressSanitizer (the CI build) freed blocks sit in a quarantine of 256 MB before
    # reuse, which looks like growth in VmRSS: a small one keeps RSS close to live memory.
    os.environ["ASAN_OPTIONS"] = ":".join(
        o for o in (os.environ.get("ASAN_OPTIONS", ""), "quarantine_size_mb=16") if o)
    srv = Server(a.mailsim, workdir)
    try:
        srv.start()
    except Exception as e:  # noqa: BLE001
        setup_failed(e)
        return summary()
    print("# SMTP %d, POP3 %d, IMAP %d; %d users, %d submitters, %d IMAP watchers, %d POP3 "
          "readers, %.0f s" % (srv.smtp_port, srv.pop3_port, srv.imap_port, len(USERS),
                               a.smtp_clients, a.imap_per_user * len(USERS), len(USERS),
                               a.seconds), flush=True)

    stats, ledger = Stats(), Ledger()
    stop = threading.Event()
    senders_done = threading.Event()
    grace_end = [0.0]
    problems = []
    rss = []  # (seconds since start, kB)
    watchers = [Watcher(u, srv.imap_port, stats, ledger)
                for u in USERS for _ in range(a.imap_per_user)]
    meet = Rendezvous(len(watchers) + len(USERS) + a.smtp_clients, stats)
    threads = [threading.Thread(target=w.run, args=(stop, senders_done, grace_end, meet))
               for w in watchers]
    threads += [threading.Thread(target=pop3_reader,
                                 args=(u, srv.pop3_port, stats, ledger, stop, problems, meet))
                for u in USERS]
    senders = [threading.Thread(target=submitter,
                                args=(n, srv.smtp_port, stats, ledger, stop, a.think, meet))
               for n in range(a.smtp_clients)]
    threads += senders
    for t in threads:
        t.daemon = True
    t_start = time.monotonic()
    for t in threads:  # a ramp of ~2 s rather than one burst of SYNs
        t.start()
        time.sleep(2.0 / len(threads))
    while time.monotonic() - t_start < a.seconds:
        time.sleep(1)
        rss.append((time.monotonic() - t_start, srv.rss_kb()))
        if not srv.alive():
            break
    stop.set()
    t_load = time.monotonic() - t_start
    for t in senders:  # they finish the message in hand
        t.join(timeout=2 * IO_TIMEOUT)
    grace_end[0] = time.monotonic() + 30
    senders_done.set()
    for t in threads:
        t.join(timeout=max(1, grace_end[0] + 30 - time.monotonic()))
    hung = sum(t.is_alive() for t in threads)

    check("server alive after the load", lambda: None if srv.alive() else
          "exited with %s" % srv.proc.returncode)
    check("no client thread hung", lambda: "%d threads still running" % hung if hung else None)
    check(">= 200 concurrent connections (at the rendezvous)", lambda:
          "the rendezvous never completed: %d client threads ended before it, %d were "
          "waiting" % (meet.missing, meet.barrier.n_waiting)
          if meet.open_at is None else None if meet.open_at >= 200 else
          "%d open at the rendezvous" % meet.open_at)
    check("zero protocol errors", lambda: "%d errors, e.g.: %s" % (
        len(stats.errors), " | ".join(stats.errors[:5])) if stats.errors else None)
    check("POP3 readers retrieved only acknowledged messages",
          lambda: " | ".join(problems[:5]) if problems else None)
    check("messages were delivered", lambda: None if ledger.count >= 100 else
          "only %d acknowledged" % ledger.count)

    def watchers_saw_all():
        bad = []
        for w in watchers:
            why = compare("watcher " + w.user, w.seen, ledger.of(w.user))
            if why:
                bad.append(why)
        return " | ".join(bad[:5]) if bad else None

    check("every IDLE watcher saw each of its user's acknowledged messages exactly once",
          watchers_saw_all)

    def store_exact():
        bad = []
        for u in USERS:
            want = ledger.of(u)
            for where, got in (("IMAP " + u, imap_inbox_ids(srv.imap_port, u)),
                               ("Maildir " + u, maildir_ids(srv.maildir, u))):
                why = compare(where, got, want)
                if why:
                    bad.append(why)
        return " | ".join(bad[:5]) if bad else None

    check("every acknowledged Message-ID is stored exactly once (IMAP FETCH and Maildir), "
          "nothing lost, duplicated or extra", store_exact)

    samples = [kb for _, kb in rss if kb]
    third = len(samples) // 3

    def memory_stable():
        if third < 2:
            return "only %d RSS samples" % len(samples)
        mid = sum(samples[third:2 * third]) / third
        last = sum(samples[2 * third:]) / len(samples[2 * third:])
        print("# RSS (MB): first %.1f, middle-third avg %.1f, last-third avg %.1f, max %.1f" % (
            samples[0] / 1024, mid / 1024, last / 1024, max(samples) / 1024))
        return None if last <= 1.5 * mid else "RSS grew from %.1f MB to %.1f MB" % (
            mid / 1024, last / 1024)

    check("memory stable (last-third RSS within 1.5x of the middle third)", memory_stable)

    push = [x for w in watchers for x in w.push_latency]
    print("# %d messages acknowledged in %.1f s: %.1f messages/s; %d commands: %.1f commands/s;"
          " %s connections open at the rendezvous, max %d at once" % (
              ledger.count, t_load, ledger.count / t_load, stats.commands,
              stats.commands / t_load, meet.open_at, stats.open_max))
    report_latency(stats, push)

    srv.stop_checked()
    if stats.errors or problems:
        with open(os.path.join(workdir, "client-errors.txt"), "w") as f:
            f.write("\n".join(stats.errors + problems))
    clean_up(workdir, a.keep)
    return summary()


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Interop test: real POP3 clients against `mailsim serve --smtp 0 --pop3 0`.

Mail goes in through smtplib on the SMTP port and comes out through Python's poplib, raw
sockets (AUTH PLAIN, RFC 5034), curl and fetchmail on the POP3 port of the same process.
Each check prints "ok - name" or "not ok - name: why"; the exit status is non-zero when any
check fails. Servers started here are always stopped by their PID.

Usage: pop3_serve_interop.py --mailsim PATH/TO/mailsim [--keep]
Needs python3 (stdlib only), curl and fetchmail on PATH: a missing tool is a failure.
"""

import argparse
import base64
import hashlib
import os
import poplib
import re
import shutil
import smtplib
import socket
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from mailtest import (  # noqa: E402
    HOST, MailsimServer, check, clean_up, joined, not_ok, setup_failed, summary, wait_until,
)

DOMAIN = "recipient.example"
BRUNO = "bruno@" + DOMAIN
PASSWORD = "secret"
IO_TIMEOUT = 15


class Server(MailsimServer):
    SMTP_READY = re.compile(r"mailsim: SMTP on (\S+):(\d+) for")
    POP3_READY = re.compile(r"mailsim: POP3 on (\S+):(\d+)")

    def __init__(self, mailsim, workdir, name):
        self.dir = os.path.join(workdir, name)
        os.makedirs(self.dir)
        self.maildir = os.path.join(self.dir, "Maildir")
        self.trace = os.path.join(self.dir, "trace.jsonl")
        super().__init__([mailsim, "serve", "--smtp", "0", "--pop3", "0", "--bind", HOST,
                          "--domain", DOMAIN, "--user", "bruno:" + PASSWORD,
                          "--user", "alice:wonderland", "--maildir", self.maildir,
                          "--trace", self.trace, "-v"],
                         os.path.join(self.dir, "server.log"))

    def start(self, ready_timeout=30):
        s, p = self.start_and_wait([self.SMTP_READY, self.POP3_READY], ready_timeout)
        self.smtp_port, self.pop3_port = int(s.group(2)), int(p.group(2))

    def maildir_files(self, address=BRUNO):
        out = []
        for sub in ("new", "cur"):
            d = os.path.join(self.maildir, address, sub)
            if os.path.isdir(d):
                out += [os.path.join(d, f) for f in sorted(os.listdir(d))]
        return out

    # ---- helpers ----
    def deliver(self, body, subject, to=BRUNO):
        msg = ("From: sender@sender.example\r\nTo: %s\r\nSubject: %s\r\n\r\n%s" %
               (to, subject, body)).encode()
        with smtplib.SMTP(HOST, self.smtp_port, timeout=IO_TIMEOUT) as c:
            c.sendmail("sender@sender.example", [to], msg)
        return msg

    def pop(self, login=True):
        m = poplib.POP3(HOST, self.pop3_port, timeout=IO_TIMEOUT)
        if login:
            m.user("bruno")
            m.pass_(PASSWORD)
        return m


# Body lines that need dot-stuffing on the way out of POP3.
TRICKY = ".leading dot\r\n..two dots\r\n.\r\n. space\r\nlast line\r\n"


def poplib_checks(srv):
    sent = [srv.deliver(TRICKY, "one"), srv.deliver("second message\r\n", "two"),
            srv.deliver("third\r\n", "three")]
    files = srv.maildir_files()
    stored = [open(f, "rb").read().replace(b"\n", b"\r\n") for f in files]

    def user_pass_stat_list():
        m = srv.pop()
        try:
            count, size = m.stat()
            if count != 3:
                return "STAT says %d messages" % count
            if size != sum(len(s) for s in stored):
                return "STAT size %d != %d" % (size, sum(len(s) for s in stored))
            resp, lines, _ = m.list()
            want = [("%d %d" % (i + 1, len(s))).encode() for i, s in enumerate(stored)]
            if lines != want:
                return "LIST %r != %r" % (lines, want)
            if m.list(2) != ("+OK 2 %d" % len(stored[1])).encode():
                return "LIST 2: %r" % m.list(2)
        finally:
            m.quit()

    def retr_byte_exact():
        m = srv.pop()
        try:
            for i in range(3):
                resp, lines, octets = m.retr(i + 1)
                got = joined(lines)
                if got != stored[i]:
                    return "RETR %d: %r != Maildir %r" % (i + 1, got, stored[i])
                if not got.endswith(sent[i]):
                    return "RETR %d does not end with the bytes sent over SMTP" % (i + 1)
        finally:
            m.quit()

    def top():
        m = srv.pop()
        try:
            header = stored[0].split(b"\r\n\r\n", 1)[0] + b"\r\n\r\n"
            got = joined(m.top(1, 0)[1])
            if got != header:
                return "TOP 1 0: %r" % got
            got = joined(m.top(1, 2)[1])
            if got != header + b".leading dot\r\n..two dots\r\n":
                return "TOP 1 2: %r" % got
        finally:
            m.quit()

    def uidl_stable():
        m = srv.pop()
        first = m.uidl()[1]
        one = m.uidl(2)
        m.quit()
        m = srv.pop()
        second = m.uidl()[1]
        m.quit()
        if first != second or len(first) != 3:
            return "UIDL changed between sessions: %r / %r" % (first, second)
        for line in first:
            uid = line.split(b" ", 1)[1]
            if not all(0x21 <= c <= 0x7E for c in uid):
                return "UIDL not printable: %r" % uid
        if one != b"+OK " + first[1]:
            return "UIDL 2: %r" % one

    def apop():
        m = srv.pop(login=False)
        ts = re.search(rb"<[^>]+@[^>]+>", m.getwelcome())
        if not ts:
            return "no APOP timestamp in %r" % m.getwelcome()
        resp = m.apop("bruno", PASSWORD)
        m.quit()
        if not resp.startswith(b"+OK"):
            return resp
        m = srv.pop(login=False)
        try:
            m.apop("bruno", "wrong")
            return "wrong APOP digest accepted"
        except poplib.error_proto as e:
            if e.args[0] != b"-ERR [AUTH] Authentication failed":
                return e.args[0]
        finally:
            m.quit()

    def auth_plain():
        blob = base64.b64encode(b"\0bruno\0" + PASSWORD.encode()).decode()
        m = srv.pop(login=False)
        if m._shortcmd("AUTH PLAIN " + blob) [:3] != b"+OK":
            return "AUTH PLAIN with initial response refused"
        m.quit()
        m = srv.pop(login=False)
        m._putcmd("AUTH PLAIN")
        if m._getline()[0] != b"+ ":
            return "no empty challenge"
        if not m._shortcmd(blob).startswith(b"+OK"):
            return "AUTH PLAIN after the challenge refused"
        m.quit()
        m = srv.pop(login=False)
        resp, lines, _ = m._longcmd("AUTH")
        m.quit()
        if lines != [b"PLAIN"]:
            return "AUTH list: %r" % lines

    def capa():
        m = srv.pop(login=False)
        caps = m.capa()
        m.quit()
        for need in ("TOP", "UIDL", "USER", "SASL", "RESP-CODES", "AUTH-RESP-CODE",
                     "PIPELINING", "IMPLEMENTATION"):
            if need not in caps:
                return "CAPA lacks %s: %r" % (need, caps)
        if caps["SASL"] != ["PLAIN"]:
            return "SASL %r" % caps["SASL"]

    def wrong_password():
        m = srv.pop(login=False)
        m.user("bruno")
        try:
            m.pass_("nope")
            return "wrong password accepted"
        except poplib.error_proto as e:
            if e.args[0] != b"-ERR [AUTH] Authentication failed":
                return e.args[0]
        finally:
            m.quit()
        if PASSWORD in srv.read_log() or "nope" in srv.read_log():
            return "a password reached the log"

    def in_use():
        a = srv.pop()
        b = srv.pop(login=False)
        try:
            b.user("bruno")
            b.pass_(PASSWORD)
            return "second session logged in"
        except poplib.error_proto as e:
            if e.args[0] != b"-ERR [IN-USE] Mailbox is locked by another POP3 session":
                return e.args[0]
        finally:
            a.quit()
        b.user("bruno")
        if not b.pass_(PASSWORD).startswith(b"+OK"):
            return "lock not released after QUIT"
        b.quit()

    def dele_disconnect_keeps():
        closed = re.compile(r"pop3 conn \d+ closed")
        m = srv.pop()
        m.dele(1)
        before = len(closed.findall(srv.read_log()))
        m.sock.shutdown(socket.SHUT_RDWR)  # no QUIT: no UPDATE state
        m.close()
        if not wait_until(lambda: len(closed.findall(srv.read_log())) != before, IO_TIMEOUT):
            return "the server did not notice the dropped connection"
        m = srv.pop()  # also proves the lock was released
        count = m.stat()[0]
        m.quit()
        if count != 3 or len(srv.maildir_files()) != 3:
            return "messages lost after a dropped connection: %d" % count

    def rset_undeletes():
        m = srv.pop()
        m.dele(1)
        m.dele(2)
        m.rset()
        m.quit()
        m = srv.pop()
        count = m.stat()[0]
        m.quit()
        if count != 3:
            return "RSET did not undelete: %d" % count

    def long_line():
        s = socket.create_connection((HOST, srv.pop3_port), timeout=IO_TIMEOUT)
        f = s.makefile("rb")
        f.readline()
        s.sendall(b"NOOP " + b"x" * 600 + b"\r\nCAPA\r\n")
        err = f.readline()
        nxt = f.readline()
        s.sendall(b"QUIT\r\n")
        s.close()
        if not err.startswith(b"-ERR Command line too long"):
            return "long line: %r" % err
        if not nxt.startswith(b"+OK Capability"):
            return "session did not survive: %r" % nxt

    def bad_commands():
        s = socket.create_connection((HOST, srv.pop3_port), timeout=IO_TIMEOUT)
        f = s.makefile("rb")
        f.readline()
        got = []
        for cmd, want in ((b"XYZZY", b"-ERR Unknown command: XYZZY"), (b"USER", b"-ERR Syntax"),
                          (b"STAT", b"-ERR STAT is not allowed before login"),
                          (b"USER bruno", b"+OK"), (b"PASS " + PASSWORD.encode(), b"+OK"),
                          (b"RETR x", b"-ERR Invalid message number"), (b"TOP 1", b"-ERR Syntax"),
                          (b"LIST 1 2", b"-ERR Syntax"), (b"STAT", b"+OK 3 ")):
            s.sendall(cmd + b"\r\n")
            line = f.readline()
            got.append(line)
            if not line.startswith(want):
                s.close()
                return "%r gave %r (want %r…)" % (cmd, line, want)
        s.sendall(b"QUIT\r\n")
        f.readline()
        s.close()

    def dele_quit_removes():
        m = srv.pop()
        m.dele(3)
        resp = m.quit()
        if b"1 messages deleted" not in resp:
            return "QUIT: %r" % resp
        m = srv.pop()
        count = m.stat()[0]
        m.quit()
        if count != 2:
            return "after DELE+QUIT %d messages" % count
        if len(srv.maildir_files()) != 2:
            return "Maildir still has %d files" % len(srv.maildir_files())

    def penalty():
        s = socket.create_connection((HOST, srv.pop3_port), timeout=IO_TIMEOUT)
        f = s.makefile("rb")
        f.readline()
        times = []
        for _ in range(4):
            t0 = time.monotonic()
            s.sendall(b"USER bruno\r\nPASS wrong\r\n")
            f.readline()
            line = f.readline()
            times.append(time.monotonic() - t0)
            if line != b"-ERR [AUTH] Authentication failed\r\n":
                return "reply %r" % line
        s.sendall(b"USER bruno\r\nPASS " + PASSWORD.encode() + b"\r\n")
        f.readline()
        t0 = time.monotonic()
        good = f.readline()
        good_time = time.monotonic() - t0
        s.sendall(b"QUIT\r\n")
        f.readline()
        s.close()
        if max(times[:3]) > 1.0:
            return "the first three failures were slow: %r" % times
        if times[3] < 1.8 or good_time < 1.8:
            return "no penalty after three failures: %r, %.2f" % (times, good_time)
        if not good.startswith(b"+OK Logged in"):
            return "right password refused after the penalty: %r" % good

    check("poplib USER/PASS, STAT, LIST", user_pass_stat_list)
    check("poplib RETR byte-exact (dot-stuffing round trip) vs SMTP input and Maildir",
          retr_byte_exact)
    check("poplib TOP", top)
    check("poplib UIDL stable and printable", uidl_stable)
    check("poplib CAPA", capa)
    check("poplib APOP (and wrong digest)", apop)
    check("raw AUTH PLAIN with/without initial response, AUTH list", auth_plain)
    check("wrong password: -ERR [AUTH], no password in the log", wrong_password)
    check("second concurrent session: -ERR [IN-USE]", in_use)
    check("after three failed logins replies wait about 2 s (penalty)", penalty)
    check("DELE then dropped connection deletes nothing", dele_disconnect_keeps)
    check("RSET undeletes", rset_undeletes)
    check("command line over 512 octets: -ERR, session survives", long_line)
    check("unknown command and bad syntax: -ERR, session survives", bad_commands)
    check("DELE then QUIT removes (store and Maildir file)", dele_quit_removes)


def run(cmd, timeout=60, env=None):
    return subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, timeout=timeout, env=env)


def curl_checks(srv):
    if not shutil.which("curl"):
        not_ok("curl", "curl is not installed")
        return
    url = "pop3://%s:%d/" % (HOST, srv.pop3_port)
    auth = ["-u", "bruno:" + PASSWORD]

    def listing():
        m = srv.pop()
        want = joined(m.list()[1])
        m.quit()
        r = run(["curl", "-sS", "--max-time", "20"] + auth + [url])
        if r.returncode != 0:
            return "curl exit %d: %s" % (r.returncode, r.stderr)
        if r.stdout != want:
            return "%r != %r" % (r.stdout, want)

    def retrieve():
        m = srv.pop()
        want = joined(m.retr(1)[1])
        m.quit()
        r = run(["curl", "-sS", "--max-time", "20"] + auth + [url + "1"])
        if r.returncode != 0:
            return "curl exit %d: %s" % (r.returncode, r.stderr)
        if r.stdout != want:
            return "%r != %r" % (r.stdout, want)

    def delete():
        m = srv.pop()
        before = m.stat()[0]
        m.quit()
        r = run(["curl", "-sS", "--max-time", "20", "-X", "DELE", "-I"] + auth + [url + "1"])
        if r.returncode != 0:
            return "curl exit %d: %s" % (r.returncode, r.stderr)
        m = srv.pop()
        after = m.stat()[0]
        m.quit()
        if after != before - 1:
            return "%d messages before, %d after" % (before, after)

    check("curl pop3:// list", listing)
    check("curl pop3://…/1 retrieves the exact message", retrieve)
    check("curl -X DELE -I deletes", delete)


def fetchmail_checks(srv, workdir):
    if not shutil.which("fetchmail"):
        not_ok("fetchmail", "fetchmail is not installed")
        return

    def fetch():
        home = os.path.join(workdir, "fetchmail-home")
        os.makedirs(home, exist_ok=True)
        out = os.path.join(home, "delivered")
        sent = srv.deliver("fetched by fetchmail\r\n.dot line\r\n", "fetchmail")
        m = srv.pop()
        count = m.stat()[0]
        want = joined(m.retr(count)[1])
        m.quit()
        rc = os.path.join(home, "fetchmailrc")
        with open(rc, "w") as f:
            f.write("set no syslog\n"
                    "poll %s with proto POP3 port %d auth password\n"
                    "  user \"bruno\" there with password \"%s\" is \"%s\" here\n"
                    "  fetchall sslproto ''\n"
                    "  mda \"/bin/sh -c 'cat >> %s'\"\n" %
                    (HOST, srv.pop3_port, PASSWORD, os.environ.get("USER", "root"), out))
        os.chmod(rc, 0o600)
        env = dict(os.environ, HOME=home)
        r = run(["fetchmail", "-f", rc, "--nodetach", "-v", "--idfile",
                 os.path.join(home, "ids")], env=env)
        if r.returncode != 0:
            return "fetchmail exit %d: %s %s" % (r.returncode, r.stdout[-2000:], r.stderr[-2000:])
        got = open(out, "rb").read()
        # fetchmail writes LF line ends and adds its own Received field after Return-Path.
        rest = want.split(b"\r\n", 1)[1]
        if rest.replace(b"\r\n", b"\n") not in got:
            return "fetchmail output lacks the message: %r" % got[-500:]
        if not sent.replace(b"\r\n", b"\n").endswith(b".dot line\n"):
            return "test bug"
        m = srv.pop()
        left = m.stat()[0]
        m.quit()
        if left != 0:
            return "fetchmail should have deleted everything; %d left" % left

    check("fetchmail retrieves (USER/PASS) and deletes", fetch)


def trace_checks(srv):
    def trace():
        text = open(srv.trace, encoding="utf-8").read()
        if '"POP3"' not in text and '"pop3"' not in text:
            return "no POP3 events in the trace"
        if PASSWORD in text:
            return "the password is in the trace"
        if '"remove"' not in text:
            return "no remove mailbox event"

    check("trace has POP3 lines, a remove event and no password", trace)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--mailsim", required=True)
    ap.add_argument("--keep", action="store_true")
    args = ap.parse_args()
    workdir = tempfile.mkdtemp(prefix="mailsim-pop3-interop-")
    srv = Server(args.mailsim, workdir, "main")
    try:
        srv.start()
        poplib_checks(srv)
        curl_checks(srv)
        fetchmail_checks(srv, workdir)
        trace_checks(srv)
    except Exception as e:  # noqa: BLE001
        setup_failed(e)
    finally:
        srv.stop_checked()
        clean_up(workdir, args.keep)
    return summary()


if __name__ == "__main__":
    sys.exit(main())

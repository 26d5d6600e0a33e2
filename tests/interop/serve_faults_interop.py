#!/usr/bin/env python3
"""Fault test: misbehaving clients against `mailsim serve` (SMTP, POP3, IMAP, with TLS).

Clients that vanish mid-command, mid-literal, mid-DATA and mid-TLS-handshake; STARTTLS then
garbage; slow clients (one byte a second) while another client's latency is measured;
oversized lines and binary garbage; a connection flood from one address beyond --max-per-ip;
and the idle timers (RFC 5321 §4.5.3.2, RFC 1939 §3, RFC 3501 §5.4) with a small
--idle-timeout. After each fault the server must still be running and serve a normal session
(smtplib, imaplib, poplib) correctly. Every wait is bounded.

Usage: serve_faults_interop.py --mailsim PATH/TO/mailsim [--keep]
Needs python3 (stdlib only).
"""

import argparse
import imaplib
import os
import poplib
import random
import re
import smtplib
import socket
import ssl
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from mailtest import HOST, MailsimServer, check, clean_up, setup_failed, summary  # noqa: E402

DOMAIN = "faults.example"
BRUNO = "bruno@" + DOMAIN
PASSWORD = "pw-faults"
IO_TIMEOUT = 15
MAX_PER_IP = 10


class Server(MailsimServer):
    READY = {name: re.compile(r"mailsim: %s on (\S+):(\d+)" % re.escape(name))
             for name in ("SMTP", "POP3", "IMAP", "SMTPS (implicit TLS, submission)",
                          "IMAPS (implicit TLS)")}

    def __init__(self, mailsim, workdir, name, extra, tls):
        self.maildir = os.path.join(workdir, name + "-Maildir")
        args = [mailsim, "serve", "--smtp", "0", "--pop3", "0", "--imap", "0", "--bind", HOST,
                "--domain", DOMAIN, "--user", "bruno:" + PASSWORD, "--maildir", self.maildir,
                "--max-size", "100000"] + list(extra)
        self.tls = tls
        if tls:
            args += ["--tls-auto", "--smtps", "0", "--imaps", "0", "--allow-plaintext-auth"]
        super().__init__(args, os.path.join(workdir, name + ".log"))

    def start(self):
        names = ["SMTP", "POP3", "IMAP"]
        if self.tls:
            names += ["SMTPS (implicit TLS, submission)", "IMAPS (implicit TLS)"]
        found = self.start_and_wait([self.READY[n] for n in names])
        ports = [int(m.group(2)) for m in found]
        self.smtp, self.pop3, self.imap = ports[:3]
        if self.tls:
            self.smtps, self.imaps = ports[3:]

    def rss_kb(self):
        with open("/proc/%d/status" % self.proc.pid) as f:
            for l in f:
                if l.startswith("VmRSS:"):
                    return int(l.split()[1])
        return 0

    def stored_with(self, marker):
        """Maildir files (any folder, tmp/ included) that contain `marker`."""
        out = []
        for root, _dirs, files in os.walk(self.maildir):
            for name in files:
                with open(os.path.join(root, name), "rb") as f:
                    if marker in f.read():
                        out.append(os.path.join(root, name))
        return out


class Raw:
    def __init__(self, port, timeout=IO_TIMEOUT):
        self.s = socket.create_connection((HOST, port), timeout=timeout)
        self.buf = b""

    def send(self, data):
        self.s.sendall(data)

    def line(self, timeout=IO_TIMEOUT):
        self.s.settimeout(timeout)
        while b"\r\n" not in self.buf:
            chunk = self.s.recv(65536)
            if not chunk:
                raise EOFError("connection closed; got %r" % self.buf[:200])
            self.buf += chunk
        line, self.buf = self.buf.split(b"\r\n", 1)
        return line.decode("latin-1")

    def reply(self):
        """An SMTP reply's last line."""
        while True:
            l = self.line()
            if l[3:4] != "-":
                return l

    def closed_by_peer(self, timeout=10):
        """True once the server closed (EOF or reset) within `timeout` s; input is dropped."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.s.settimeout(max(0.1, deadline - time.monotonic()))
            try:
                chunk = self.s.recv(65536)
            except socket.timeout:
                return False
            except OSError:
                return True
            if not chunk:
                return True
        return False

    def close(self):
        self.s.close()


def smtp_session(port):
    r = Raw(port)
    l = r.line()
    if not l.startswith("220"):
        raise AssertionError("SMTP greeting %r" % l)
    r.send(b"EHLO faults.example\r\n")
    if not r.reply().startswith("250"):
        raise AssertionError("EHLO refused")
    return r


def imap_session(port, login=True):
    r = Raw(port)
    l = r.line()
    if not l.startswith("* OK"):
        raise AssertionError("IMAP greeting %r" % l)
    if login:
        r.send(b"L LOGIN bruno " + PASSWORD.encode() + b"\r\n")
        while True:
            l = r.line()
            if l.startswith("L "):
                break
        if not l.startswith("L OK"):
            raise AssertionError("IMAP LOGIN: %r" % l)
    return r


def pop3_session(port, login=True):
    r = Raw(port)
    l = r.line()
    if not l.startswith("+OK"):
        raise AssertionError("POP3 greeting %r" % l)
    if login:
        for cmd in (b"USER bruno", b"PASS " + PASSWORD.encode()):
            r.send(cmd + b"\r\n")
            l = r.line()
            if not l.startswith("+OK"):
                raise AssertionError("POP3 %s: %r" % (cmd.split()[0], l))
    return r


def inbox_count(srv):
    m = imaplib.IMAP4(HOST, srv.imap, timeout=IO_TIMEOUT)
    try:
        m.login("bruno", PASSWORD)
        typ, data = m.select("INBOX", readonly=True)
        if typ != "OK":
            raise AssertionError("SELECT: %r" % data)
        return int(data[0])
    finally:
        m.logout()


SEQ = [0]


def healthy(srv):
    """None when the server runs and a normal session works on each protocol: smtplib
    delivers a message, imaplib finds it exactly once, poplib counts it."""
    if not srv.alive():
        return "server exited with %s" % srv.proc.returncode
    SEQ[0] += 1
    mid = "<healthy.%d.%d@faults.example>" % (SEQ[0], random.getrandbits(32))
    msg = ("From: <s@sender.example>\r\nTo: <%s>\r\nSubject: healthy %d\r\nMessage-ID: %s\r\n"
           "\r\nStill serving.\r\n" % (BRUNO, SEQ[0], mid)).encode()
    with smtplib.SMTP(HOST, srv.smtp, timeout=IO_TIMEOUT) as c:
        refused = c.sendmail("s@sender.example", [BRUNO], msg)
        if refused:
            return "smtplib refused: %r" % refused
    m = imaplib.IMAP4(HOST, srv.imap, timeout=IO_TIMEOUT)
    try:
        m.login("bruno", PASSWORD)
        typ, data = m.select("INBOX", readonly=True)
        n = int(data[0])
        typ, data = m.fetch("1:%d" % n, "(BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)])")
        if typ != "OK":
            return "imaplib FETCH: %r" % data
        ids = [re.search(rb"<[^>]*>", part[1]).group(0).decode() for part in data
               if isinstance(part, tuple)]
        if ids.count(mid) != 1:
            return "the message is in INBOX %d times (%d messages)" % (ids.count(mid), n)
    finally:
        m.logout()
    p = poplib.POP3(HOST, srv.pop3, timeout=IO_TIMEOUT)
    try:
        p.user("bruno")
        p.pass_(PASSWORD)
        count, _ = p.stat()
        if count != n:
            return "POP3 STAT %d, IMAP EXISTS %d" % (count, n)
    finally:
        p.quit()
    return None


def after(srv, name, fn):
    """Runs the fault check, then checks the server still serves a normal session."""
    check(name, fn)
    check("after: " + name + " → server alive and a normal session works",
          lambda: healthy(srv))


# Faults -----------------------------------------------------------------------------------


def vanishing(srv):
    def mid_command():
        for port, part in ((srv.smtp, b"MAIL FROM:<half@sender.ex"),
                           (srv.imap, b"a1 LOGIN bru"),
                           (srv.pop3, b"USE")):
            s = socket.create_connection((HOST, port), timeout=IO_TIMEOUT)
            s.recv(1024)
            s.sendall(part)
            s.close()
        return None

    after(srv, "vanish mid-command (half a line, then close) on SMTP, IMAP and POP3",
          mid_command)

    def mid_literal():
        before = inbox_count(srv)
        for literal in (b"{100}", b"{100+}"):
            r = imap_session(srv.imap)
            r.send(b"A APPEND INBOX " + literal + b"\r\n")
            if literal == b"{100}":
                l = r.line()
                if not l.startswith("+"):
                    return "APPEND {100}: no continuation but %r" % l
            r.send(b"Subject: x\r")  # 10 of the 100 octets
            r.close()
        time.sleep(0.3)
        n = inbox_count(srv)
        return None if n == before else "INBOX went from %d to %d messages" % (before, n)

    after(srv, "vanish mid-literal (APPEND {100} / {100+}, 10 octets, close): nothing stored",
          mid_literal)

    def mid_data():
        before = inbox_count(srv)
        r = smtp_session(srv.smtp)
        for cmd, code in ((b"MAIL FROM:<s@sender.example>", "250"),
                          (b"RCPT TO:<%s>" % BRUNO.encode(), "250"), (b"DATA", "354")):
            r.send(cmd + b"\r\n")
            l = r.reply()
            if not l.startswith(code):
                return "%s: %r" % (cmd, l)
        r.send(b"Subject: vanished-mid-data-marker\r\n\r\nhalf a mess")
        r.close()
        time.sleep(0.3)
        found = srv.stored_with(b"vanished-mid-data-marker")
        if found:
            return "partial message stored: %r" % found
        n = inbox_count(srv)
        return None if n == before else "INBOX went from %d to %d messages" % (before, n)

    after(srv, "vanish mid-DATA: no message stored", mid_data)


def client_hello():
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    inb, outb = ssl.MemoryBIO(), ssl.MemoryBIO()
    obj = ctx.wrap_bio(inb, outb, server_hostname="localhost")
    try:
        obj.do_handshake()
    except ssl.SSLWantReadError:
        pass
    return outb.read()


def tls_faults(srv):
    def half_hello():
        hello = client_hello()
        if len(hello) < 100 or hello[0] != 0x16:
            return "not a ClientHello: %r" % hello[:10]
        for port in (srv.smtps, srv.imaps):
            s = socket.create_connection((HOST, port), timeout=IO_TIMEOUT)
            s.sendall(hello[:len(hello) // 2])
            s.close()
        # And half a ClientHello, then silence: the connection costs one slot until the
        # client goes; the others are served meanwhile.
        s = socket.create_connection((HOST, srv.smtps), timeout=IO_TIMEOUT)
        s.sendall(hello[:len(hello) // 2])
        why = healthy(srv)
        s.close()
        return why

    after(srv, "vanish mid-TLS-handshake (half a ClientHello to --smtps and --imaps)",
          half_hello)

    def starttls_garbage():
        garbage = b"GET / HTTP/1.0\r\n\r\n" + random.Random(7).randbytes(3000)
        r = smtp_session(srv.smtp)
        r.send(b"STARTTLS\r\n")
        l = r.reply()
        if not l.startswith("220"):
            return "SMTP STARTTLS: %r" % l
        r.send(garbage)
        if not r.closed_by_peer():
            return "SMTP: connection still open after garbage instead of a ClientHello"
        r.close()
        r = imap_session(srv.imap, login=False)
        r.send(b"T STARTTLS\r\n")
        l = r.line()
        if not l.startswith("T OK"):
            return "IMAP STARTTLS: %r" % l
        r.send(garbage)
        if not r.closed_by_peer():
            return "IMAP: connection still open after garbage instead of a ClientHello"
        r.close()
        return None

    after(srv, "STARTTLS then garbage (SMTP, IMAP): the server closes the connection",
          starttls_garbage)


def slow_clients(srv):
    def slow():
        results = {}

        def trickle(name, port, command):
            try:
                r = Raw(port, timeout=30)
                r.line()
                for b in command:
                    r.send(bytes([b]))
                    time.sleep(1)
                t0 = time.monotonic()
                l = r.line(timeout=10)
                results[name] = (l, time.monotonic() - t0)
                r.close()
            except Exception as e:  # noqa: BLE001
                results[name] = ("%s: %s" % (type(e).__name__, e), 0)

        slow_ones = [
            threading.Thread(target=trickle, args=("SMTP", srv.smtp, b"NOOP\r\n")),
            threading.Thread(target=trickle, args=("IMAP", srv.imap, b"s NOOP\r\n")),
            threading.Thread(target=trickle, args=("POP3", srv.pop3, b"CAPA\r\n")),
        ]
        for t in slow_ones:
            t.start()
        latencies = []
        while any(t.is_alive() for t in slow_ones):
            t0 = time.monotonic()
            r = smtp_session(srv.smtp)
            r.send(b"NOOP\r\n")
            r.reply()
            r.send(b"QUIT\r\n")
            r.reply()
            r.close()
            latencies.append(time.monotonic() - t0)
            time.sleep(0.2)
        for t in slow_ones:
            t.join(30)
        print("#   meanwhile %d SMTP sessions (greeting, EHLO, NOOP, QUIT): max %.0f ms, "
              "median %.0f ms" % (len(latencies), 1000 * max(latencies),
                                  1000 * sorted(latencies)[len(latencies) // 2]))
        for name, expect in (("SMTP", "250"), ("IMAP", "s OK"), ("POP3", "+OK")):
            line, _ = results.get(name, ("no result", 0))
            if not line.startswith(expect):
                return "%s slow client got %r" % (name, line)
        if len(latencies) < 10:
            return "only %d other sessions during the slow ones" % len(latencies)
        if max(latencies) > 2.0:
            return "another client waited %.1f s while slow clients trickled" % max(latencies)
        return None

    after(srv, "slow clients (one byte a second) are served and do not block others", slow)


def bad_input(srv):
    def oversized():
        r = smtp_session(srv.smtp)
        r.send(b"NOOP " + b"x" * 2000 + b"\r\n")  # RFC 5321 §4.5.3.1.4: 512 for a command
        l = r.reply()
        if not l.startswith("500"):
            return "SMTP 2000-octet line: %r" % l
        r.send(b"NOOP\r\n")
        l = r.reply()
        if not l.startswith("250"):
            return "SMTP NOOP after the long line: %r" % l
        # A message line over 1000 octets (RFC 5321 §4.5.3.1.6): the message is refused.
        for cmd, code in ((b"MAIL FROM:<s@sender.example>", "250"),
                          (b"RCPT TO:<%s>" % BRUNO.encode(), "250"), (b"DATA", "354")):
            r.send(cmd + b"\r\n")
            l = r.reply()
            if not l.startswith(code):
                return "%s: %r" % (cmd, l)
        r.send(b"Subject: long-line-marker\r\n\r\n" + b"y" * 5000 + b"\r\n.\r\n")
        l = r.reply()
        if not l.startswith("5"):
            return "SMTP DATA with a 5000-octet line: %r" % l
        r.close()
        if srv.stored_with(b"long-line-marker"):
            return "the message with a 5000-octet line was stored"

        r = imap_session(srv.imap)
        r.send(b"o NOOP " + b"x" * 100000 + b"\r\n")
        l = r.line()
        if not (" BAD" in l or l.startswith("* BYE")):
            return "IMAP 100000-octet line: %r" % l
        if " BAD" in l:
            r.send(b"o2 NOOP\r\n")
            while True:
                l = r.line()
                if l.startswith("o2 "):
                    break
            if not l.startswith("o2 OK"):
                return "IMAP NOOP after the long line: %r" % l
        r.close()

        r = pop3_session(srv.pop3, login=False)
        r.send(b"USER " + b"x" * 600 + b"\r\n")
        l = r.line()
        if not l.startswith("-ERR"):
            return "POP3 600-octet line: %r" % l
        r.close()

        # A megabyte without a line end: the server must not keep it all.
        rss0 = srv.rss_kb()
        for port in (srv.smtp, srv.imap, srv.pop3):
            s = socket.create_connection((HOST, port), timeout=IO_TIMEOUT)
            s.recv(1024)
            try:
                s.sendall(b"z" * (1 << 20) + b"\r\n")
            except OSError:
                pass  # closed by the server: fine
            s.close()
        time.sleep(0.3)
        grew = (srv.rss_kb() - rss0) / 1024
        print("#   RSS after 1 MB lines: %+.1f MB" % grew)
        return None

    after(srv, "oversized lines: SMTP 500, IMAP BAD, POP3 -ERR; a 1 MB line is survived",
          oversized)

    def garbage():
        junk = b"\x00\xff\xfe\x80\x01garbage\x00\xff\r\n"
        r = smtp_session(srv.smtp)
        r.send(junk)
        l = r.reply()
        if not l[:1] == "5":
            return "SMTP garbage: %r" % l
        r.close()
        r = imap_session(srv.imap)
        r.send(junk)
        l = r.line()
        if " BAD" not in l:
            return "IMAP garbage: %r" % l
        r.close()
        r = pop3_session(srv.pop3)
        r.send(junk)
        l = r.line()
        if not l.startswith("-ERR"):
            return "POP3 garbage: %r" % l
        r.close()
        rng = random.Random(42)
        for port in (srv.smtp, srv.imap, srv.pop3, srv.smtps, srv.imaps):
            s = socket.create_connection((HOST, port), timeout=IO_TIMEOUT)
            try:
                for _ in range(16):
                    s.sendall(rng.randbytes(4096))
            except OSError:
                pass
            s.close()
        return None

    after(srv, "binary garbage (NUL, 0xFF; 64 KB random on every port): error replies",
          garbage)


def flood(srv):
    def per_ip():
        held = []
        try:
            replies = []
            for _ in range(MAX_PER_IP + 40):
                r = Raw(srv.smtp)
                held.append(r)
                replies.append(r.line())
            ok = [l for l in replies if l.startswith("220")]
            refused = [l for l in replies if l.startswith("421 4.7.0 Too many connections from")]
            if len(ok) != MAX_PER_IP or len(refused) != 40:
                return "%d greeted, %d refused: %r" % (len(ok), len(refused), replies[-1])
            still_open = [r for r, l in zip(held, replies) if l.startswith("421")
                          and not r.closed_by_peer(5)]
            if still_open:
                return "%d refused connections left open" % len(still_open)
            # The limit counts every port: IMAP and POP3 from this address are refused too.
            r = Raw(srv.imap)
            l = r.line()
            r.close()
            if not l.startswith("* BYE Too many connections"):
                return "IMAP over the limit: %r" % l
            r = Raw(srv.pop3)
            l = r.line()
            r.close()
            if not l.startswith("-ERR [SYS/TEMP] Too many connections"):
                return "POP3 over the limit: %r" % l
        finally:
            for r in held:
                r.close()
        time.sleep(0.5)
        return None

    after(srv, "connection flood beyond --max-per-ip %d: 421 4.7.0 / * BYE / -ERR [SYS/TEMP] "
               "to the excess, closed" % MAX_PER_IP, per_ip)

    def churn():
        rss0 = srv.rss_kb()
        held = []
        try:
            for i in range(3000):
                port = (srv.smtp, srv.imap, srv.pop3)[i % 3]
                s = socket.socket()
                s.settimeout(IO_TIMEOUT)
                s.connect((HOST, port))
                held.append(s)
                if len(held) >= 300:  # keep 300 open at a time, the oldest go first
                    held.pop(0).close()
        finally:
            for s in held:
                s.close()
        time.sleep(3)
        rss1 = srv.rss_kb()
        print("#   RSS before the flood %.1f MB, after 3000 connections (300 open at a "
              "time) %.1f MB" % (rss0 / 1024, rss1 / 1024))
        return None if rss1 - rss0 < 100 * 1024 else "RSS grew by %.1f MB" % (
            (rss1 - rss0) / 1024)

    after(srv, "a flood of 3000 connections (300 held at once): server alive, RSS bounded",
          churn)


def timeouts(mailsim, workdir):
    srv = Server(mailsim, workdir, "timeouts", ["--idle-timeout", "2"], tls=False)
    try:
        srv.start()
    except Exception as e:  # noqa: BLE001
        setup_failed(e)
        return

    def goodbye(r, expect, started):
        l = r.line(timeout=15)
        waited = time.monotonic() - started
        if not l.startswith(expect):
            return "got %r instead of %r" % (l, expect)
        if waited < 1.5:
            return "goodbye after %.1f s with --idle-timeout 2" % waited
        if not r.closed_by_peer():
            return "connection still open after %r" % l
        return None

    def smtp_idle():
        r = smtp_session(srv.smtp)
        return goodbye(r, "421 4.4.2", time.monotonic())

    check("SMTP silent client: 421 4.4.2 … timeout, then close (RFC 5321 §4.5.3.2)", smtp_idle)

    def smtp_idle_in_data():
        r = smtp_session(srv.smtp)
        for cmd in (b"MAIL FROM:<s@sender.example>", b"RCPT TO:<%s>" % BRUNO.encode(),
                    b"DATA"):
            r.send(cmd + b"\r\n")
            r.reply()
        r.send(b"Subject: timed-out-data-marker\r\n\r\npart")
        why = goodbye(r, "421 4.4.2", time.monotonic())
        if why:
            return why
        return "stored: %r" % srv.stored_with(b"timed-out-data") if srv.stored_with(
            b"timed-out-data") else None

    check("SMTP silent mid-DATA: 421 4.4.2, nothing stored", smtp_idle_in_data)

    def imap_idle():
        r = imap_session(srv.imap, login=False)
        why = goodbye(r, "* BYE Autologout; idle for too long", time.monotonic())
        if why:
            return "before login: " + why
        r = imap_session(srv.imap)
        r.send(b"i SELECT INBOX\r\n")
        while not r.line().startswith("i "):
            pass
        r.send(b"i2 IDLE\r\n")
        if not r.line().startswith("+"):
            return "no IDLE continuation"
        why = goodbye(r, "* BYE Autologout; idle for too long", time.monotonic())
        return "in IDLE: " + why if why else None

    check("IMAP silent client (before login; in IDLE): * BYE Autologout, then close "
          "(RFC 3501 §5.4)", imap_idle)

    def pop3_idle():
        r = pop3_session(srv.pop3)
        return goodbye(r, "-ERR [SYS/TEMP] Autologout", time.monotonic())

    check("POP3 silent client: -ERR [SYS/TEMP] Autologout, then close (RFC 1939 §3)", pop3_idle)

    def active_not_cut():
        r = smtp_session(srv.smtp)
        for _ in range(5):
            time.sleep(1)
            r.send(b"NOOP\r\n")
            l = r.reply()
            if not l.startswith("250"):
                return "NOOP after %r" % l
        r.close()
        return None

    check("a client that sends a command every second is not timed out", active_not_cut)
    check("after the timeouts: server alive and a normal session works", lambda: healthy(srv))
    srv.stop_checked()


def dribble(r, data, interval, limit=15):
    """Sends `data` one byte every `interval` s, round and round, until the server writes a
    line; returns (line or None, seconds from the first byte)."""
    t0 = time.monotonic()
    i = 0
    while time.monotonic() - t0 < limit:
        try:
            r.send(data[i % len(data):i % len(data) + 1])
        except OSError as e:
            return "send failed: %s" % e, time.monotonic() - t0
        i += 1
        try:
            return r.line(timeout=interval), time.monotonic() - t0
        except socket.timeout:
            continue
        except EOFError as e:
            return str(e), time.monotonic() - t0
    return None, time.monotonic() - t0


def deadlines(mailsim, workdir):
    """--line-timeout / --data-timeout: partial input does not extend them (the idle timer is
    30 s here, so a goodbye within a few seconds can only come from these deadlines)."""
    line_s, data_s = 2, 3
    srv = Server(mailsim, workdir, "deadlines", ["--idle-timeout", "30", "--line-timeout",
                                                  str(line_s), "--data-timeout", str(data_s)],
                 tls=False)
    try:
        srv.start()
    except Exception as e:  # noqa: BLE001
        setup_failed(e)
        return

    def cut(r, data, interval, expect, deadline):
        line, waited = dribble(r, data, interval)
        print("#   %r after %.1f s (deadline %d s)" % (line, waited, deadline))
        if line is None or not line.startswith(expect):
            return "got %r after %.1f s instead of %r" % (line, waited, expect)
        if not deadline - 0.5 <= waited <= deadline + 3:
            return "goodbye after %.1f s with a %d s deadline" % (waited, deadline)
        if not r.closed_by_peer():
            return "connection still open after %r" % line
        return None

    check("SMTP command line sent a byte a second: 421 4.4.2 at --line-timeout, then close",
          lambda: cut(smtp_session(srv.smtp), b"NOOP NOOP NOOP", 1, "421 4.4.2", line_s))
    check("IMAP command line sent a byte a second: * BYE at --line-timeout, then close",
          lambda: cut(imap_session(srv.imap), b"a NOOP NOOP NOOP", 1, "* BYE", line_s))
    check("POP3 command line sent a byte a second: -ERR at --line-timeout, then close",
          lambda: cut(pop3_session(srv.pop3), b"STAT STAT STAT", 1, "-ERR", line_s))

    def smtp_data():
        r = smtp_session(srv.smtp)
        for cmd in (b"MAIL FROM:<s@sender.example>", b"RCPT TO:<%s>" % BRUNO.encode(),
                    b"DATA"):
            r.send(cmd + b"\r\n")
            r.reply()
        why = cut(r, b"Subject: dribble-data-marker\r\n", 0.3, "421 4.4.2", data_s)
        if why:
            return why
        return "stored" if srv.stored_with(b"dribble-data-marker") else None

    check("SMTP DATA of whole lines, a byte every 0.3 s: 421 4.4.2 at --data-timeout, nothing "
          "stored", smtp_data)

    def imap_literal():
        r = imap_session(srv.imap)
        r.send(b"a APPEND INBOX {100000}\r\n")
        if not r.line().startswith("+"):
            return "no continuation for the literal"
        return cut(r, b"Subject: dribble\r\n", 0.3, "* BYE", data_s)

    check("IMAP literal (APPEND) sent a byte every 0.3 s: * BYE at --data-timeout", imap_literal)

    def slow_but_complete():
        r = smtp_session(srv.smtp)
        t0 = time.monotonic()
        for _ in range(3):  # each line takes 1 s of the 2 s, together well past 2 s
            r.send(b"NO")
            time.sleep(1)
            r.send(b"OP\r\n")
            l = r.reply()
            if not l.startswith("250"):
                return "NOOP sent in two halves answered %r" % l
        for cmd in (b"MAIL FROM:<s@sender.example>", b"RCPT TO:<%s>" % BRUNO.encode(),
                    b"DATA"):
            r.send(cmd + b"\r\n")
            r.reply()
        for part in (b"Subject: slow-complete-marker\r\n",
                     b"Message-ID: <slow-data@faults.example>\r\n", b"\r\n", b"line one\r\n",
                     b"line two\r\n"):
            r.send(part)
            time.sleep(0.5)  # 2 s in all, under --data-timeout
        r.send(b".\r\n")
        l = r.reply()
        if not l.startswith("250"):
            return "the slow DATA got %r" % l
        i = imap_session(srv.imap)
        msg = (b"Subject: slow-literal\r\nMessage-ID: <slow-literal@faults.example>\r\n"
               b"\r\nhi\r\n")
        i.send(b"b APPEND INBOX {%d}\r\n" % len(msg))
        if not i.line().startswith("+"):
            return "no continuation"
        for k in range(0, len(msg), 8):
            i.send(msg[k:k + 8])
            time.sleep(0.2)  # under 2 s in all
        i.send(b"\r\n")
        l = i.line()
        if not l.startswith("b OK"):
            return "the slow APPEND got %r" % l
        print("#   slow but complete: %.1f s of commands, DATA and APPEND, none cut"
              % (time.monotonic() - t0))
        r.send(b"QUIT\r\n")
        r.reply()
        return None

    check("slow but complete lines, DATA and literal within their deadlines are not cut",
          slow_but_complete)
    check("after the deadlines: server alive and a normal session works", lambda: healthy(srv))
    srv.stop_checked()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--mailsim", required=True)
    ap.add_argument("--keep", action="store_true")
    a = ap.parse_args()
    workdir = tempfile.mkdtemp(prefix="mailsim-faults-")
    srv = Server(a.mailsim, workdir, "faults", ["--max-per-ip", str(MAX_PER_IP)], tls=True)
    try:
        srv.start()
    except Exception as e:  # noqa: BLE001
        setup_failed(e)
        return summary()
    try:
        check("a normal session works at the start", lambda: healthy(srv))
        vanishing(srv)
        tls_faults(srv)
        slow_clients(srv)
        bad_input(srv)
        flood(srv)
    finally:
        srv.stop_checked()
    timeouts(a.mailsim, workdir)
    deadlines(a.mailsim, workdir)
    clean_up(workdir, a.keep)
    return summary()


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Interop test: real SMTP clients against `mailsim serve`.

Starts the real mailsim binary on an ephemeral loopback port with a temporary Maildir and
drives it with Python's smtplib, curl, swaks and a raw socket. Each check prints
"ok - name" or "not ok - name: why"; the exit status is non-zero when any check fails.
The servers started here are always stopped (by their PID), whatever happens.

Usage: smtp_serve_interop.py --mailsim PATH/TO/mailsim [--keep]
Needs python3 (stdlib only), curl and swaks on PATH: a missing tool is a failure.
"""

import argparse
import base64
import json
import os
import re
import shutil
import signal
import smtplib
import socket
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from mailtest import (  # noqa: E402
    HOST, MailsimServer, check, failures, listener, not_ok, ok, summary, wait_until,
)

DOMAIN = "recipient.example"
BRUNO = "bruno@" + DOMAIN
ALICE = "alice@" + DOMAIN
NOBODY = "nobody@" + DOMAIN
PASSWORD = "secret"
SENDER = "sender@sender.example"
IO_TIMEOUT = 15  # seconds, for every socket and client run (ASan builds are slow)


class Server(MailsimServer):
    """One `mailsim serve` process; output goes to a log file (never a pipe that could fill)."""

    READY = re.compile(r"mailsim: SMTP on (\S+):(\d+) for (\S+)")

    def __init__(self, mailsim, workdir, name, extra=()):
        self.dir = os.path.join(workdir, name)
        os.makedirs(self.dir)
        self.maildir = os.path.join(self.dir, "Maildir")
        self.trace = os.path.join(self.dir, "trace.jsonl")
        super().__init__([mailsim, "serve", "--smtp", "0", "--bind", HOST, "--domain", DOMAIN,
                          "--user", "bruno:" + PASSWORD, "--user", "alice:wonderland",
                          "--user", "carol:carol-pw",
                          "--maildir", self.maildir, "--trace", self.trace] + list(extra),
                         os.path.join(self.dir, "server.log"))
        self.port = None

    def start(self, ready_timeout=30):
        (m,) = self.start_and_wait([self.READY], ready_timeout)
        self.port = int(m.group(2))

    # Maildir helpers -------------------------------------------------------------------
    def new_files(self, address):
        d = os.path.join(self.maildir, address, "new")
        if not os.path.isdir(d):
            return set()
        return {os.path.join(d, f) for f in os.listdir(d)}

    def all_files(self):
        out = []
        for root, _dirs, files in os.walk(self.maildir):
            out += [os.path.join(root, f) for f in files]
        return out

    def wait_new_file(self, address, before, timeout=5):
        """The single file that appeared in address's new/ since `before`."""

        def one_added():
            added = self.new_files(address) - before
            if len(added) > 1:
                raise AssertionError("%d new files for %s, expected 1" % (len(added), address))
            return added

        added = wait_until(one_added, timeout)
        if not added:
            raise AssertionError("no new Maildir file for %s" % address)
        with open(added.pop(), "rb") as f:
            return f.read()


def split_message(data):
    """(header block, body) of a stored message: Maildir files use LF line endings."""
    head, sep, body = data.partition(b"\n\n")
    if not sep:
        raise AssertionError("stored message has no header/body separator: %r" % data[:200])
    return head, body


def check_added_headers(data):
    head, _ = split_message(data)
    lines = head.split(b"\n")
    if not lines[0].startswith(b"Return-Path:"):
        return "first header is not Return-Path: %r" % lines[0]
    if not re.search(rb"^Received: ", head, re.M):
        return "no Received header in %r" % head
    if b"\r" in data:
        return "stored message still has CR characters (Maildir files use LF)"
    return None


def expect_body(data, expected):
    why = check_added_headers(data)
    if why:
        return why
    _, body = split_message(data)
    if body != expected:
        return "body %r, expected %r" % (body, expected)
    return None


# Raw socket client -----------------------------------------------------------------------
class Raw:
    def __init__(self, port):
        self.sock = socket.create_connection((HOST, port), timeout=IO_TIMEOUT)
        self.buf = b""

    def send(self, data):
        self.sock.sendall(data)

    def line(self):
        while b"\r\n" not in self.buf:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise EOFError("connection closed; pending %r" % self.buf)
            self.buf += chunk
        line, _, self.buf = self.buf.partition(b"\r\n")
        return line.decode("utf-8", "replace")

    def reply(self):
        """(code, [lines]) of one possibly multi-line reply (RFC 5321 §4.2.1)."""
        lines = []
        while True:
            ln = self.line()
            lines.append(ln)
            if len(ln) < 4 or ln[3] != "-":
                return int(ln[:3]), lines

    def cmd(self, text):
        self.send(text.encode() + b"\r\n")
        return self.reply()

    def expect(self, text, code):
        got, lines = self.cmd(text)
        if got != code:
            raise AssertionError("%r → %s, expected %d" % (text[:60], lines, code))
        return lines

    def closed_by_peer(self, timeout=5):
        self.sock.settimeout(timeout)
        try:
            return self.buf == b"" and self.sock.recv(1) == b""
        except ConnectionResetError:
            return True
        finally:
            self.sock.settimeout(IO_TIMEOUT)

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass


def greeted(port):
    r = Raw(port)
    code, lines = r.reply()
    if code != 220:
        raise AssertionError("greeting %s" % lines)
    r.expect("EHLO client.example", 250)
    return r


def run(cmd, input_bytes=None):
    return subprocess.run(cmd, input=input_bytes, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, timeout=IO_TIMEOUT * 2)


# The checks ------------------------------------------------------------------------------
def smtplib_checks(srv):
    port = srv.port

    def ehlo_features():
        with smtplib.SMTP(HOST, port, timeout=IO_TIMEOUT) as s:
            code, _ = s.ehlo("client.example")
            if code != 250:
                return "EHLO → %d" % code
            missing = [f for f in ("pipelining", "size", "8bitmime", "enhancedstatuscodes",
                                   "auth") if not s.has_extn(f)]
            if missing:
                return "EHLO lacks %s: %r" % (missing, s.esmtp_features)
            mechs = s.esmtp_features["auth"].upper().split()
            if "PLAIN" not in mechs or "LOGIN" not in mechs:
                return "AUTH mechanisms %r" % mechs
        return None

    check("smtplib: EHLO advertises PIPELINING SIZE 8BITMIME ENHANCEDSTATUSCODES AUTH",
          ehlo_features)

    def auth(mech, login, initial_response_ok=True):
        with smtplib.SMTP(HOST, port, timeout=IO_TIMEOUT) as s:
            s.ehlo("client.example")
            s.user, s.password = login, PASSWORD
            obj = s.auth_plain if mech == "PLAIN" else s.auth_login
            code, resp = s.auth(mech, obj, initial_response_ok=initial_response_ok)
            if code != 235:
                return "AUTH %s → %d %r" % (mech, code, resp)
        return None

    check("smtplib: AUTH PLAIN bruno/secret → 235", lambda: auth("PLAIN", "bruno"))
    check("smtplib: AUTH PLAIN without initial response → 235",
          lambda: auth("PLAIN", "bruno", initial_response_ok=False))
    check("smtplib: AUTH LOGIN bruno/secret → 235", lambda: auth("LOGIN", "bruno"))
    check("smtplib: AUTH LOGIN without initial response → 235",
          lambda: auth("LOGIN", "bruno", initial_response_ok=False))
    check("smtplib: AUTH PLAIN with the full address as login → 235",
          lambda: auth("PLAIN", BRUNO))

    def wrong_password():
        with smtplib.SMTP(HOST, port, timeout=IO_TIMEOUT) as s:
            s.ehlo("client.example")
            try:
                s.login("bruno", "not-the-password")
            except smtplib.SMTPAuthenticationError as e:
                if e.smtp_code != 535:
                    return "expected 535, got %d" % e.smtp_code
                return None
            return "login with a wrong password succeeded"

    check("smtplib: wrong password → 535", wrong_password)

    # Multi-recipient message with one unknown recipient and dot-stuffing edge cases.
    # smtplib stuffs leading dots and adds the CRLF missing after the last line (RFC 5321
    # §4.5.2), so the server must store exactly the original plus that CRLF.
    body = b".\r\n..\r\n.x\r\nmiddle line\r\n. \r\nlast line without newline"
    msg = (b"From: Sender <" + SENDER.encode() + b">\r\nTo: bruno, alice\r\n"
           b"Subject: dot stuffing\r\n\r\n" + body)
    expected = body.replace(b"\r\n", b"\n") + b"\n"

    def sendmail_multi():
        before_b, before_a = srv.new_files(BRUNO), srv.new_files(ALICE)
        with smtplib.SMTP(HOST, port, timeout=IO_TIMEOUT) as s:
            s.ehlo("client.example")
            s.login("bruno", PASSWORD)
            refused = s.sendmail(SENDER, [BRUNO, NOBODY, ALICE], msg)
        if set(refused) != {NOBODY} or refused[NOBODY][0] != 550:
            return "refused %r, expected {%s: (550, ...)}" % (refused, NOBODY)
        for addr, before in ((BRUNO, before_b), (ALICE, before_a)):
            why = expect_body(srv.wait_new_file(addr, before), expected)
            if why:
                return "%s: %s" % (addr, why)
        if srv.new_files(NOBODY):
            return "a Maildir appeared for the refused recipient"
        return None

    check("smtplib: sendmail to 3 recipients, unknown one refused 550, dot-stuffed body "
          "stored exactly for both", sendmail_multi)

    def stored_headers():
        files = sorted(srv.new_files(BRUNO))
        if not files:
            return "no file"
        with open(files[-1], "rb") as f:
            data = f.read()
        head, _ = split_message(data)
        if not re.search(rb"^Return-Path: <" + re.escape(SENDER.encode()) + rb">$", head,
                         re.M):
            return "Return-Path is not <%s>: %r" % (SENDER, head)
        if not re.search(rb"^Subject: dot stuffing$", head, re.M):
            return "original headers not kept: %r" % head
        return None

    check("smtplib: stored message has Return-Path <sender> and keeps original headers",
          stored_headers)


def raw_pipelining_check(srv):
    def pipelined():
        before_b, before_a = srv.new_files(BRUNO), srv.new_files(ALICE)
        r = greeted(srv.port)
        try:
            # RFC 2920: the whole envelope in one write; replies come back in order.
            r.send(("MAIL FROM:<%s>\r\nRCPT TO:<%s>\r\nRCPT TO:<%s>\r\nRCPT TO:<%s>\r\n"
                    "DATA\r\n" % (SENDER, BRUNO, NOBODY, ALICE)).encode())
            codes = [r.reply()[0] for _ in range(5)]
            if codes != [250, 250, 550, 250, 354]:
                return "pipelined replies %r, expected [250, 250, 550, 250, 354]" % codes
            # Stuffed lines as a client sends them; the server must remove one dot.
            r.send(b"Subject: raw\r\n\r\n..\r\n...\r\n..x\r\nx.\r\n\r\nend\r\n.\r\nQUIT\r\n")
            code, lines = r.reply()
            if code != 250:
                return "end of data → %s" % lines
            code, lines = r.reply()
            if code != 221:
                return "QUIT → %s" % lines
        finally:
            r.close()
        expected = b".\n..\n.x\nx.\n\nend\n"
        for addr, before in ((BRUNO, before_b), (ALICE, before_a)):
            why = expect_body(srv.wait_new_file(addr, before), expected)
            if why:
                return "%s: %s" % (addr, why)
        return None

    check("raw socket: pipelined MAIL/RCPT×3/DATA, replies in order, body unstuffed exactly",
          pipelined)

    def large_message():
        # ~600 KB in many writes: exercises partial reads and long DATA in the driver.
        lines = [(".%05d " % i if i % 7 == 0 else "%05d " % i) + "y" * 70 for i in range(8000)]
        body = "\r\n".join(lines) + "\r\n"
        before = srv.new_files(BRUNO)
        with smtplib.SMTP(HOST, srv.port, timeout=IO_TIMEOUT) as s:
            s.sendmail(SENDER, [BRUNO], ("Subject: big\r\n\r\n" + body).encode())
        return expect_body(srv.wait_new_file(BRUNO, before), body.replace("\r\n", "\n").encode())

    check("smtplib: 600 KB message with dot lines stored exactly", large_message)

    def too_big():
        # No SIZE parameter: the server finds out while receiving DATA (RFC 1870 §6.3: 552).
        before = srv.new_files(BRUNO)
        r = greeted(srv.port)
        try:
            r.expect("MAIL FROM:<%s>" % SENDER, 250)
            r.expect("RCPT TO:<%s>" % BRUNO, 250)
            r.expect("DATA", 354)
            chunk = ("z" * 98 + "\r\n").encode() * 1000  # 100 KB
            r.send(b"Subject: too big\r\n\r\n")
            for _ in range(12):
                r.send(chunk)
            code, lines = r.cmd(".")
            if code != 552:
                return "1.2 MB message with --max-size 1000000 → %s, expected 552" % lines
            r.expect("NOOP", 250)
            r.expect("QUIT", 221)
        finally:
            r.close()
        if srv.new_files(BRUNO) - before:
            return "the oversized message was stored"
        return None

    check("raw: message over --max-size → 552 after DATA, nothing stored", too_big)


def curl_checks(srv):
    def curl_plain():
        before = srv.new_files(BRUNO)
        # No CRLF after the last line: curl adds it before the final "." (RFC 5321 §4.1.1.4).
        body = "Hello from curl\r\n.one leading dot\r\n..two\r\n.\r\nUTF-8: ação\r\nend"
        msg = ("From: <%s>\r\nTo: <%s>\r\nSubject: curl\r\n\r\n%s" % (SENDER, BRUNO, body))
        p = run(["curl", "-sS", "--max-time", str(IO_TIMEOUT), "smtp://%s:%d/client.example"
                 % (HOST, srv.port), "--mail-from", SENDER, "--mail-rcpt", BRUNO,
                 "--upload-file", "-"], msg.encode())
        if p.returncode != 0:
            return "curl exit %d: %s" % (p.returncode, p.stdout.decode(errors="replace"))
        # curl stuffs leading dots itself; the server removes exactly one.
        return expect_body(srv.wait_new_file(BRUNO, before),
                           body.replace("\r\n", "\n").encode() + b"\n")

    check("curl: smtp:// upload without AUTH delivers, body stored exactly", curl_plain)

    def curl_auth(mech):
        before = srv.new_files(BRUNO)
        body = "curl with AUTH %s\r\n" % mech
        msg = "Subject: curl auth\r\n\r\n" + body
        p = run(["curl", "-sS", "--max-time", str(IO_TIMEOUT), "smtp://%s:%d" % (HOST, srv.port),
                 "--user", "bruno:" + PASSWORD, "--login-options", "AUTH=" + mech,
                 "--mail-from", BRUNO, "--mail-rcpt", BRUNO, "--upload-file", "-"],
                msg.encode())
        if p.returncode != 0:
            return "curl exit %d: %s" % (p.returncode, p.stdout.decode(errors="replace"))
        return expect_body(srv.wait_new_file(BRUNO, before), body.replace("\r\n", "\n").encode())

    check("curl: --user bruno:secret with AUTH=PLAIN delivers", lambda: curl_auth("PLAIN"))
    check("curl: --user bruno:secret with AUTH=LOGIN delivers", lambda: curl_auth("LOGIN"))

    def curl_relay():
        p = run(["curl", "-sS", "--max-time", str(IO_TIMEOUT), "smtp://%s:%d" % (HOST, srv.port),
                 "--mail-from", SENDER, "--mail-rcpt", "someone@elsewhere.example",
                 "--upload-file", "-"], b"Subject: relay\r\n\r\nno\r\n")
        if p.returncode == 0:
            return "curl succeeded relaying to another domain"
        if b"554" not in p.stdout:
            return "curl failed without a 554: %s" % p.stdout.decode(errors="replace")
        return None

    check("curl: relay to another domain is refused with 554", curl_relay)


def swaks_checks(srv):
    def swaks(extra, to=BRUNO):
        before = srv.new_files(to)
        p = run(["swaks", "--server", "%s:%d" % (HOST, srv.port), "--to", to, "--from", SENDER,
                 "--helo", "client.example", "--timeout", str(IO_TIMEOUT)] + extra)
        out = p.stdout.decode(errors="replace")
        if p.returncode != 0:
            raise AssertionError("swaks exit %d:\n%s" % (p.returncode, out))
        return srv.wait_new_file(to, before)

    def swaks_body():
        # swaks' template puts blank lines after %BODY%; the text itself must arrive intact.
        data = swaks(["--header", "Subject: swaks test", "--body", "swaks body line one"])
        why = check_added_headers(data)
        if why:
            return why
        head, body = split_message(data)
        if not body.startswith(b"swaks body line one\n") or body.strip(b"\n") != \
                b"swaks body line one":
            return "body %r" % body
        if b"Subject: swaks test" not in head:
            return "no Subject in %r" % head
        return None

    check("swaks: --body delivers the text", swaks_body)

    def swaks_data(extra, to=BRUNO, tag="plain"):
        # --data @FILE sends the file as is (swaks stuffs dots and adds the final CRLF).
        body = b"swaks %s\r\n.one dot\r\n..\r\n.\r\nlast without newline" % tag.encode()
        path = os.path.join(srv.dir, "swaks-%s.eml" % tag)
        with open(path, "wb") as f:
            f.write(b"Subject: swaks " + tag.encode() + b"\r\n\r\n" + body)
        data = swaks(["--data", "@" + path] + extra, to=to)
        return expect_body(data, body.replace(b"\r\n", b"\n") + b"\n")

    check("swaks: --data with dot lines, body stored exactly", lambda: swaks_data([]))
    check("swaks: --auth PLAIN --auth-user bruno --auth-password secret",
          lambda: swaks_data(["--auth", "PLAIN", "--auth-user", "bruno", "--auth-password",
                              PASSWORD], tag="auth-plain"))
    check("swaks: --auth LOGIN",
          lambda: swaks_data(["--auth", "LOGIN", "--auth-user", "bruno", "--auth-password",
                              PASSWORD], to=ALICE, tag="auth-login"))
    check("swaks: --pipeline", lambda: swaks_data(["--pipeline"], tag="pipeline"))

    def swaks_bad_password():
        p = run(["swaks", "--server", "%s:%d" % (HOST, srv.port), "--to", BRUNO, "--from",
                 SENDER, "--timeout", str(IO_TIMEOUT), "--auth", "PLAIN", "--auth-user",
                 "bruno", "--auth-password", "wrong"])
        out = p.stdout.decode(errors="replace")
        if p.returncode == 0:
            return "swaks succeeded with a wrong password"
        if not re.search(r"<\*\* 535", out):
            return "no 535 reply in:\n" + out
        return None

    check("swaks: wrong password → 535 and no delivery", swaks_bad_password)


def bad_input_checks(srv):
    port = srv.port

    def session(steps):
        r = greeted(port)
        try:
            for text, code in steps:
                r.expect(text, code)
            r.expect("NOOP", 250)  # the session is still usable
            r.expect("QUIT", 221)
        finally:
            r.close()

    check("raw: unknown command → 500", lambda: session([("FROBNICATE now", 500)]))
    check("raw: RCPT before MAIL → 503",
          lambda: session([("RCPT TO:<%s>" % BRUNO, 503)]))
    check("raw: DATA before RCPT → 503",
          lambda: session([("MAIL FROM:<%s>" % SENDER, 250), ("DATA", 503)]))
    check("raw: relay attempt (RCPT to another domain) → 554",
          lambda: session([("MAIL FROM:<%s>" % SENDER, 250),
                           ("RCPT TO:<victim@elsewhere.example>", 554)]))
    check("raw: unknown local user → 550",
          lambda: session([("MAIL FROM:<%s>" % SENDER, 250), ("RCPT TO:<%s>" % NOBODY, 550)]))
    check("raw: over-long command line (1500 octets) → 500",
          lambda: session([("NOOP " + "x" * 1493, 500)]))
    check("raw: MAIL with SIZE over --max-size → 552",
          lambda: session([("MAIL FROM:<%s> SIZE=999999999" % SENDER, 552)]))
    check("raw: syntax error in MAIL → 501",
          lambda: session([("MAIL FROM:no-brackets-here@@", 501)]))

    def mail_before_ehlo():
        r = Raw(port)
        try:
            r.reply()
            r.expect("MAIL FROM:<%s>" % SENDER, 503)
            r.expect("QUIT", 221)
        finally:
            r.close()

    check("raw: MAIL before EHLO → 503", mail_before_ehlo)

    def disconnect_mid_data():
        before = {a: srv.new_files(a) for a in (BRUNO, ALICE)}
        r = greeted(port)
        r.expect("MAIL FROM:<%s>" % SENDER, 250)
        r.expect("RCPT TO:<%s>" % BRUNO, 250)
        r.expect("RCPT TO:<%s>" % ALICE, 250)
        r.expect("DATA", 354)
        r.send(b"Subject: partial\r\n\r\nthis message must never be delivered\r\n")
        r.close()
        # Prove the server has processed the close: a new session works, then look.
        s = greeted(port)
        s.expect("QUIT", 221)
        s.close()
        time.sleep(0.5)
        for a in (BRUNO, ALICE):
            if srv.new_files(a) - before[a]:
                return "a file appeared in %s/new after the client vanished" % a
        for f in srv.all_files():
            with open(f, "rb") as fh:
                if b"must never be delivered" in fh.read():
                    return "partial message stored in " + f
        return None

    check("raw: client disconnects mid-DATA → nothing stored", disconnect_mid_data)

    def too_many_bad_commands():
        r = greeted(port)
        try:
            codes = []
            for _ in range(30):
                code, _ = r.cmd("BOGUS")
                codes.append(code)
                if code == 421:
                    break
            if codes[-1] != 421:
                return "no 421 after %d bad commands: %r" % (len(codes), codes)
            if not r.closed_by_peer():
                return "connection still open after 421"
        finally:
            r.close()
        return None

    check("raw: too many bad commands → 421 and close", too_many_bad_commands)

    def maildir_unwritable():
        # A regular file where carol's Maildir folder should be: the copy cannot be written,
        # so the client must get a temporary failure, not a 250.
        blocker = os.path.join(srv.maildir, "carol@" + DOMAIN)
        with open(blocker, "w") as f:
            f.write("not a folder")
        try:
            with smtplib.SMTP(HOST, port, timeout=IO_TIMEOUT) as s:
                try:
                    s.sendmail(SENDER, ["carol@" + DOMAIN], b"Subject: x\r\n\r\nx\r\n")
                except smtplib.SMTPDataError as e:
                    if e.smtp_code != 451:
                        return "expected 451, got %d %r" % (e.smtp_code, e.smtp_error)
                else:
                    return "250 although the Maildir file could not be written"
        finally:
            os.unlink(blocker)
        if "cannot write Maildir file for carol@" not in srv.read_log():
            return "no error line in the log"
        return None

    check("raw: Maildir not writable → 451 and an error in the log", maildir_unwritable)


def still_serving_check(srv):
    def again():
        if not srv.alive():
            return "server process exited with %s" % srv.proc.returncode
        before = srv.new_files(BRUNO)
        with smtplib.SMTP(HOST, srv.port, timeout=IO_TIMEOUT) as s:
            s.login("bruno", PASSWORD)
            s.sendmail(SENDER, [BRUNO], b"Subject: still here\r\n\r\nstill serving\r\n")
        return expect_body(srv.wait_new_file(BRUNO, before), b"still serving\n")

    check("server still serves after all of the above", again)


def flatten(value, key=""):
    """(key, string) pairs of every string inside a JSON value."""
    if isinstance(value, dict):
        for k, v in value.items():
            yield from flatten(v, k)
    elif isinstance(value, list):
        for v in value:
            yield from flatten(v, key)
    elif isinstance(value, str):
        yield key, value


def log_and_trace_checks(srv):
    def log_lines():
        log = srv.read_log()
        if not re.search(r"delivered to bruno@recipient\.example: uid \d+, \d+ bytes", log):
            return "no 'delivered to bruno@recipient.example: uid N, M bytes' line in log"
        if PASSWORD in log or "wonderland" in log or "carol-pw" in log:
            return "a password appears in the log"
        return None

    check("log: one 'delivered to …' line per message, no passwords", log_lines)

    def trace_file():
        with open(srv.trace, "rb") as f:
            raw = f.read()
        lines = raw.splitlines()
        if len(lines) < 50:
            return "only %d trace lines" % len(lines)
        for i, ln in enumerate(lines):
            json.loads(ln)  # every line is one JSON value
        text = raw.decode("utf-8", "replace")
        secrets = [PASSWORD, base64.b64encode(b"\0bruno\0secret").decode(),
                   base64.b64encode(b"\0" + BRUNO.encode() + b"\0secret").decode(),
                   base64.b64encode(PASSWORD.encode()).decode(), "wonderland"]
        # Prose ("meaning": "... a secret here") may say the word; wire text must not.
        for ln in lines:
            ev = json.loads(ln)
            values = [v for k, v in flatten(ev) if k not in ("meaning", "rfc")]
            leaked = [s for s in secrets if any(s in v for v in values)]
            if leaked:
                return "credentials %r in trace line %s" % (leaked, ln[:300])
        for needle in ("EHLO client.example", "354", "bruno@recipient.example", "deliver"):
            if needle not in text:
                return "trace lacks %r" % needle
        return None

    check("trace: JSON lines with protocol lines and deliveries, credentials redacted",
          trace_file)

    def clean_stop():
        r = greeted(srv.port)  # an open session at shutdown gets 421
        try:
            srv.proc.send_signal(signal.SIGTERM)
            code, lines = r.reply()
            if code != 421:
                return "open session got %s at shutdown, expected 421" % lines
        finally:
            r.close()
        try:
            rc = srv.proc.wait(timeout=IO_TIMEOUT)
        except subprocess.TimeoutExpired:
            return "still running %ds after SIGTERM" % IO_TIMEOUT
        if rc != 0:
            return "exit status %s after SIGTERM" % rc
        return None

    check("SIGTERM: open session gets 421, server exits 0", clean_stop)


def limits_checks(mailsim, workdir):
    srv = Server(mailsim, workdir, "limits", ["--idle-timeout", "2", "--max-connections", "2"])
    try:
        srv.start()

        def max_connections():
            a, b = greeted(srv.port), greeted(srv.port)
            try:
                c = Raw(srv.port)
                try:
                    code, lines = c.reply()
                    if code != 421 or "Too many connections" not in lines[0]:
                        return "third connection got %s" % lines
                    if not c.closed_by_peer():
                        return "refused connection left open"
                finally:
                    c.close()
                a.expect("QUIT", 221)
                d = greeted(srv.port)  # a slot is free again
                d.expect("QUIT", 221)
                d.close()
            finally:
                a.close()
                b.close()
            return None

        check("limits: connection over --max-connections gets 421 4.7.0 and is closed",
              max_connections)

        def idle_timeout():
            r = greeted(srv.port)
            try:
                t0 = time.monotonic()
                code, lines = r.reply()  # nothing sent: the server must speak first
                waited = time.monotonic() - t0
                if code != 421:
                    return "idle session got %s, expected 421" % lines
                if not 1.0 < waited < 10:
                    return "421 after %.1fs with --idle-timeout 2" % waited
                if not r.closed_by_peer():
                    return "connection left open after 421"
            finally:
                r.close()
            return None

        check("limits: idle session gets 421 after --idle-timeout and is closed", idle_timeout)
    except Exception as e:  # noqa: BLE001
        not_ok("limits: server start", e)
    finally:
        srv.stop()


def cli_checks(mailsim, workdir):
    def bad_user():
        p = run([mailsim, "serve", "--smtp", "0", "--user", "no-colon-here"])
        out = p.stdout.decode(errors="replace")
        if p.returncode != 2:
            return "exit %d, expected 2: %s" % (p.returncode, out)
        if "--user" not in out:
            return "error does not mention --user: " + out
        return None

    check("cli: bad --user syntax → clear error, exit 2", bad_user)

    def port_in_use():
        blocker = listener()
        port = blocker.getsockname()[1]
        try:
            p = run([mailsim, "serve", "--smtp", str(port), "--bind", HOST])
        finally:
            blocker.close()
        out = p.stdout.decode(errors="replace")
        if p.returncode == 0:
            return "exit 0 while the port was taken"
        want = "cannot listen on %s:%d: Address already in use" % (HOST, port)
        if want not in out:
            return "expected %r in: %s" % (want, out)
        return None

    check("cli: port in use → 'cannot listen on …: Address already in use', non-zero exit",
          port_in_use)

    def help_text():
        p = run([mailsim, "serve", "--help"])
        out = p.stdout.decode(errors="replace")
        for opt in ("--smtp", "--bind", "--domain", "--user", "--maildir", "--max-size",
                    "--trace", "--hostname", "--submission"):
            if opt not in out:
                return "%s missing from help:\n%s" % (opt, out)
        return None

    check("cli: serve --help lists every option", help_text)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--mailsim", required=True, help="path of the built mailsim binary")
    ap.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = ap.parse_args()

    for tool in ("curl", "swaks"):
        if shutil.which(tool) is None:
            not_ok("tool %s installed" % tool, "not on PATH (apt-get install curl swaks)")
    if not os.access(args.mailsim, os.X_OK):
        not_ok("mailsim binary", "%s is not executable" % args.mailsim)
    if failures:
        return 1

    workdir = tempfile.mkdtemp(prefix="mailsim-interop-")
    srv = Server(args.mailsim, workdir, "main", ["--max-size", "1000000"])
    try:
        try:
            srv.start()
            ok("server ready on %s:%d" % (HOST, srv.port))
        except Exception as e:  # noqa: BLE001
            not_ok("server start", e)
            return 1
        smtplib_checks(srv)
        raw_pipelining_check(srv)
        curl_checks(srv)
        swaks_checks(srv)
        bad_input_checks(srv)
        still_serving_check(srv)
        log_and_trace_checks(srv)
        limits_checks(args.mailsim, workdir)
        cli_checks(args.mailsim, workdir)
    finally:
        srv.stop()
        if failures or args.keep:
            print("# server log and Maildir kept in " + workdir)
            if failures:
                print("# --- server log (main) ---")
                print(srv.read_log()[-6000:])
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    return summary()


if __name__ == "__main__":
    sys.exit(main())

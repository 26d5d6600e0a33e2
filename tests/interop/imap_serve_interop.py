#!/usr/bin/env python3
"""Interop test: real IMAP clients against `mailsim serve --smtp 0 --imap 0`.

Mail goes in through smtplib on the SMTP port and is read through Python's imaplib, raw
sockets (IDLE, literals) and curl on the IMAP port of the same process. Each check prints
"ok - name" or "not ok - name: why"; the exit status is non-zero when any check fails. The
server started here is always stopped by its PID.

Usage: imap_serve_interop.py --mailsim PATH/TO/mailsim [--keep]
Needs python3 (stdlib only) and curl on PATH: a missing tool is a failure.
"""

import argparse
import imaplib
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
    HOST, MailsimServer, check, clean_up, not_ok, setup_failed, summary,
)

DOMAIN = "recipient.example"
BRUNO = "bruno@" + DOMAIN
PASSWORD = "s3cret-pw"
IO_TIMEOUT = 15


class Server(MailsimServer):
    SMTP_READY = re.compile(r"mailsim: SMTP on (\S+):(\d+) for")
    IMAP_READY = re.compile(r"mailsim: IMAP on (\S+):(\d+)")

    def __init__(self, mailsim, workdir):
        self.dir = workdir
        self.trace = os.path.join(workdir, "trace.jsonl")
        super().__init__([mailsim, "serve", "--smtp", "0", "--imap", "0", "--bind", HOST,
                          "--domain", DOMAIN, "--user", "bruno:" + PASSWORD,
                          "--user", "alice:wonderland", "--trace", self.trace, "-v"],
                         os.path.join(workdir, "server.log"))

    def start(self, ready_timeout=30):
        s, i = self.start_and_wait([self.SMTP_READY, self.IMAP_READY], ready_timeout)
        self.smtp_port, self.imap_port = int(s.group(2)), int(i.group(2))

    def deliver(self, subject, body="Hello from smtplib.\r\n", to=BRUNO):
        msg = ("From: Sender <sender@sender.example>\r\nTo: %s\r\nSubject: %s\r\n\r\n%s" %
               (to, subject, body)).encode()
        with smtplib.SMTP(HOST, self.smtp_port, timeout=IO_TIMEOUT) as c:
            c.sendmail("sender@sender.example", [to], msg)
        return msg

    def imap(self, login=True):
        m = imaplib.IMAP4(HOST, self.imap_port, timeout=IO_TIMEOUT)
        if login:
            m.login("bruno", PASSWORD)
        return m


class Raw:
    """A line-oriented raw IMAP connection for what imaplib cannot do (IDLE)."""

    def __init__(self, port):
        self.s = socket.create_connection((HOST, port), timeout=IO_TIMEOUT)
        self.buf = b""

    def send(self, data):
        self.s.sendall(data)

    def line(self, timeout=IO_TIMEOUT):
        self.s.settimeout(timeout)
        while b"\r\n" not in self.buf:
            chunk = self.s.recv(65536)
            if not chunk:
                raise EOFError("connection closed; got %r" % self.buf)
            self.buf += chunk
        line, self.buf = self.buf.split(b"\r\n", 1)
        return line.decode("utf-8", "replace")

    def until_tag(self, tag):
        lines = []
        while True:
            l = self.line()
            lines.append(l)
            if l.startswith(tag + " "):
                return lines

    def close(self):
        self.s.close()


def imaplib_checks(srv):
    def capability():
        m = srv.imap(login=False)
        caps = set(m.capabilities)
        m.logout()
        need = {"IMAP4REV1", "IDLE", "MOVE", "UIDPLUS", "SPECIAL-USE", "LITERAL+", "AUTH=PLAIN"}
        return None if need <= caps else "capabilities %r" % sorted(caps)

    check("imaplib: CAPABILITY", capability)

    def bad_login():
        m = srv.imap(login=False)
        try:
            m.login("bruno", "wrong")
        except imaplib.IMAP4.error as e:
            m.logout()
            return None if "AUTHENTICATIONFAILED" in str(e) else "error %r" % e
        return "wrong password accepted"

    check("imaplib: wrong password is refused", bad_login)

    def authenticate_plain():
        m = srv.imap(login=False)
        typ, _ = m.authenticate("PLAIN", lambda _: b"\0bruno\0" + PASSWORD.encode())
        m.logout()
        return None if typ == "OK" else typ

    check("imaplib: AUTHENTICATE PLAIN", authenticate_plain)

    def list_special():
        m = srv.imap()
        typ, data = m.list()
        m.logout()
        text = b"\n".join(data).decode()
        for want in ('(\\HasNoChildren) "/" INBOX', "\\Sent", "\\Drafts", "\\Trash", "\\Junk"):
            if want not in text:
                return "missing %r in %r" % (want, text)
        return None

    check("imaplib: LIST shows INBOX and SPECIAL-USE folders", list_special)

    sent = srv.deliver("First via SMTP", "Line one.\r\nLine two.\r\n")
    srv.deliver("Second via SMTP")

    def select_fetch():
        m = srv.imap()
        typ, data = m.select("INBOX")
        if typ != "OK" or data[0] != b"2":
            return "select %s %r" % (typ, data)
        typ, data = m.fetch("1", "(BODY.PEEK[])")
        body = data[0][1]
        if not body.endswith(sent):
            return "body %r does not end with %r" % (body, sent)
        typ, data = m.fetch("1", "(FLAGS)")
        if b"\\Seen" in data[0]:
            return "PEEK set \\Seen: %r" % data
        typ, data = m.fetch("1", "(RFC822)")
        typ, data = m.fetch("1", "(FLAGS)")
        m.logout()
        return None if b"\\Seen" in data[0] else "RFC822 did not set \\Seen: %r" % data

    check("imaplib: SELECT, FETCH BODY.PEEK[] and RFC822 (\\Seen)", select_fetch)

    def envelope_structure():
        m = srv.imap()
        m.select("INBOX", readonly=True)
        typ, data = m.fetch("2", "(UID RFC822.SIZE ENVELOPE BODYSTRUCTURE INTERNALDATE)")
        m.logout()
        text = data[0].decode() if isinstance(data[0], bytes) else repr(data)
        for want in ('"Second via SMTP"', '("Sender" NIL "sender" "sender.example")',
                     '("TEXT" "PLAIN"', "UID 2", "INTERNALDATE"):
            if want not in text:
                return "missing %r in %r" % (want, text)
        return None

    check("imaplib: ENVELOPE, BODYSTRUCTURE, INTERNALDATE (EXAMINE)", envelope_structure)

    def search_store():
        m = srv.imap()
        m.select("INBOX")
        checks = [(("UNSEEN",), b"2"), (("SEEN",), b"1"), (("SUBJECT", '"second"'), b"2"),
                  (("FROM", "sender"), b"1 2"), (("NOT", "SEEN"), b"2"),
                  (("OR", "SEEN", "SUBJECT", "Second"), b"1 2")]
        for crit, want in checks:
            typ, data = m.search(None, *crit)
            if data[0] != want:
                return "SEARCH %s gave %r, want %r" % (" ".join(crit), data[0], want)
        typ, data = m.store("2", "+FLAGS", "(\\Flagged $Important)")
        if b"\\Flagged" not in data[0] or b"$Important" not in data[0]:
            return "STORE %r" % data
        typ, data = m.uid("SEARCH", "FLAGGED")
        m.logout()
        return None if data[0] == b"2" else "UID SEARCH FLAGGED %r" % data

    check("imaplib: SEARCH keys, STORE +FLAGS, UID SEARCH", search_store)

    def append_copy_move_expunge():
        m = srv.imap()
        msg = b"From: bruno@recipient.example\r\nSubject: draft\r\n\r\nWork in progress\r\n"
        typ, data = m.append("Drafts", "(\\Draft)", imaplib.Time2Internaldate(time.time()), msg)
        if typ != "OK" or b"APPENDUID" not in data[0]:
            return "APPEND %s %r" % (typ, data)
        typ, data = m.status("Drafts", "(MESSAGES UIDNEXT UNSEEN)")
        if b"MESSAGES 1" not in data[0]:
            return "STATUS %r" % data
        m.select("INBOX")
        typ, data = m.copy("1", "Trash")
        if typ != "OK" or b"COPYUID" not in data[0]:
            return "COPY %s %r" % (typ, data)
        typ, data = m.copy("1", "NoSuchFolder")
        if typ != "NO" or b"TRYCREATE" not in data[0]:
            return "COPY to a missing folder %s %r" % (typ, data)
        typ, data = m._simple_command("MOVE", "2", "Junk")
        if typ != "OK":
            return "MOVE %s %r" % (typ, data)
        typ, data = m.select("INBOX")
        if data[0] != b"1":
            return "after MOVE INBOX has %r" % data
        m.store("1", "+FLAGS", "\\Deleted")
        typ, data = m.expunge()
        if data != [b"1"]:
            return "EXPUNGE %r" % data
        m.close()
        typ, data = m.select("Trash")
        m.logout()
        return None if data[0] == b"1" else "Trash has %r" % data

    check("imaplib: APPEND, STATUS, COPY, TRYCREATE, MOVE, EXPUNGE", append_copy_move_expunge)

    def folders():
        m = srv.imap()
        for cmd, args, want in (("create", ("Projects/2026",), "OK"),
                                ("create", ("Projects",), "NO"),
                                ("rename", ("Projects", "Archive"), "OK"),
                                ("subscribe", ("Archive/2026",), "OK"),
                                ("delete", ("INBOX",), "NO"),
                                ("delete", ("Archive/2026",), "OK")):
            typ, data = getattr(m, cmd)(*args)
            if typ != want:
                return "%s %r: %s %r" % (cmd, args, typ, data)
        # A deleted mailbox stays subscribed (RFC 3501 §6.3.6), listed as \Noselect.
        typ, data = m.lsub()
        m.logout()
        return None if b'(\\Noselect) "/" Archive/2026' in data else "LSUB %r" % data

    check("imaplib: CREATE, RENAME, SUBSCRIBE, DELETE", folders)


def idle_checks(srv):
    def idle_push():
        a = Raw(srv.imap_port)
        a.line()  # greeting
        a.send(b"a1 LOGIN bruno {%d}\r\n" % len(PASSWORD))
        if not a.line().startswith("+"):
            return "no continuation for the literal"
        a.send(PASSWORD.encode() + b"\r\n")
        a.until_tag("a1")
        before = [l for l in (a.send(b"a2 SELECT INBOX\r\n") or a.until_tag("a2"))
                  if l.endswith(" EXISTS")]
        a.send(b"a3 IDLE\r\n")
        if a.line() != "+ idling":
            return "no + idling"
        srv.deliver("While idling")  # another connection, another thread
        pushed = a.line(timeout=10)
        if not pushed.endswith(" EXISTS") or pushed == before[0]:
            return "expected a new EXISTS, got %r (before %r)" % (pushed, before)
        recent = a.line(timeout=10)  # the idler is the first to learn of it (RFC 3501 §7.3.2)
        if recent != "* 1 RECENT":
            return "expected * 1 RECENT, got %r" % recent
        # Another IMAP session flags the message; the idler sees FETCH FLAGS at once.
        m = srv.imap()
        m.select("INBOX")
        n = pushed.split()[1]
        m.store(n, "+FLAGS", "\\Flagged")
        m.logout()
        flags = a.line(timeout=10)
        if "FETCH" not in flags or "\\Flagged" not in flags or "\\Recent" not in flags:
            return "expected FETCH FLAGS, got %r" % flags
        a.send(b"DONE\r\n")
        done = a.until_tag("a3")
        a.send(b"a4 LOGOUT\r\n")
        bye = a.until_tag("a4")
        a.close()
        if done[-1] != "a3 OK IDLE terminated":
            return "DONE gave %r" % done
        return None if bye[0].startswith("* BYE") else "LOGOUT gave %r" % bye

    check("raw IDLE: new mail and other sessions' flags pushed at once", idle_push)

    def literal_limits():
        a = Raw(srv.imap_port)
        a.line()
        a.send(b"b1 NOOP " + b"x" * 9000 + b"\r\n")
        r1 = a.line()
        a.send(b"b2 FROB\r\n")
        r2 = a.line()
        a.send(b"b3 LOGOUT\r\n")
        a.until_tag("b3")
        a.close()
        if r1 != "b1 BAD Command line too long":
            return "long line gave %r" % r1
        return None if r2 == "b2 BAD Unknown command FROB" else "unknown command gave %r" % r2

    check("raw: over-long line and unknown command get BAD, session survives", literal_limits)


def curl_checks(srv):
    curl = shutil.which("curl")
    if not curl:
        not_ok("curl", "curl not found on PATH")
        return

    def curl_fetch():
        url = "imap://%s:%d/INBOX;UID=1" % (HOST, srv.imap_port)
        # INBOX has been emptied by now: append one first with imaplib.
        m = srv.imap()
        m.append("INBOX", None, None, b"Subject: for curl\r\n\r\ncurl body\r\n")
        m.select("INBOX")
        typ, data = m.uid("SEARCH", "SUBJECT", '"for curl"')
        m.logout()
        uid = data[0].split()[-1].decode()
        url = "imap://%s:%d/INBOX;UID=%s" % (HOST, srv.imap_port, uid)
        p = subprocess.run([curl, "-sS", "--max-time", "20", "-u", "bruno:" + PASSWORD, url],
                           capture_output=True, timeout=30)
        if p.returncode != 0:
            return "curl exit %d: %s" % (p.returncode, p.stderr.decode(errors="replace"))
        return None if b"curl body" in p.stdout else "curl printed %r" % p.stdout

    check("curl: fetch a message by UID", curl_fetch)

    def curl_list():
        url = "imap://%s:%d/" % (HOST, srv.imap_port)
        p = subprocess.run([curl, "-sS", "--max-time", "20", "-u", "bruno:" + PASSWORD, url],
                           capture_output=True, timeout=30)
        if p.returncode != 0:
            return "curl exit %d: %s" % (p.returncode, p.stderr.decode(errors="replace"))
        return None if b"INBOX" in p.stdout and b"Sent" in p.stdout else repr(p.stdout)

    check("curl: list mailboxes", curl_list)


def trace_checks(srv):
    def trace_has_imap():
        with open(srv.trace, "rb") as f:
            raw = f.read()
        if PASSWORD.encode() in raw:
            return "the password appears in the trace"
        lines = [json.loads(l) for l in raw.splitlines() if l.strip()]
        text = json.dumps(lines)
        return None if "IMAP" in text and "IDLE" in text else "no IMAP lines in the trace"

    check("trace: IMAP lines recorded, password redacted", trace_has_imap)


def shutdown_check(srv):
    def bye_on_stop():
        a = Raw(srv.imap_port)
        a.line()
        a.send(b"c1 LOGIN bruno " + PASSWORD.encode() + b"\r\n")
        a.until_tag("c1")
        srv.proc.send_signal(signal.SIGTERM)
        line = a.line(timeout=10)
        a.close()
        return None if line.startswith("* BYE") else "got %r" % line

    check("SIGTERM: open IMAP sessions get BYE", bye_on_stop)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--mailsim", required=True)
    ap.add_argument("--keep", action="store_true")
    args = ap.parse_args()
    workdir = tempfile.mkdtemp(prefix="mailsim-imap-interop-")
    srv = Server(args.mailsim, workdir)
    try:
        srv.start()
        imaplib_checks(srv)
        idle_checks(srv)
        curl_checks(srv)
        trace_checks(srv)
        shutdown_check(srv)
    except Exception as e:  # noqa: BLE001
        setup_failed(e)
    finally:
        srv.stop_checked()
        clean_up(workdir, args.keep)
    return summary()


if __name__ == "__main__":
    sys.exit(main())

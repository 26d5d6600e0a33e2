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
MAX_SIZE = 100000  # --max-size: also the largest IMAP literal


class Server(MailsimServer):
    SMTP_READY = re.compile(r"mailsim: SMTP on (\S+):(\d+) for")
    IMAP_READY = re.compile(r"mailsim: IMAP on (\S+):(\d+)")

    def __init__(self, mailsim, workdir):
        self.dir = workdir
        self.trace = os.path.join(workdir, "trace.jsonl")
        super().__init__([mailsim, "serve", "--smtp", "0", "--imap", "0", "--bind", HOST,
                          "--domain", DOMAIN, "--user", "bruno:" + PASSWORD,
                          "--user", "alice:wonderland", "--trace", self.trace, "-v",
                          "--max-size", str(MAX_SIZE)],
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

    # LIST-EXTENDED (RFC 5258) and LIST-STATUS (RFC 5819), sent by imaplib as any client
    # would: the counters that come with LIST must equal what STATUS says on its own.
    def list_extended():
        m = srv.imap()
        if not {"LIST-EXTENDED", "LIST-STATUS"} <= set(m.capabilities):
            return "capabilities %r" % sorted(m.capabilities)

        def ask(*args):
            m.untagged_responses.clear()
            typ, data = m._simple_command("LIST", *args)
            return (typ, m.untagged_responses.pop("LIST", []),
                    m.untagged_responses.pop("STATUS", []))

        typ, lists, statuses = ask('""', '"*"', "RETURN", "(STATUS (MESSAGES UNSEEN))")
        if typ != "OK":
            return "LIST RETURN (STATUS) answered %s" % typ
        selectable = [l for l in lists if b"\\Noselect" not in l and b"\\NonExistent" not in l]
        if len(statuses) != len(selectable) or len(lists) < 6:
            return "%d LIST lines (%d selectable), %d STATUS: %r %r" % (
                len(lists), len(selectable), len(statuses), lists, statuses)
        inbox = [x for x in statuses if x.startswith(b"INBOX ")]
        typ, alone = m.status("INBOX", "(MESSAGES UNSEEN)")
        if typ != "OK" or inbox != alone:
            return "LIST-STATUS %r but STATUS %r" % (inbox, alone)
        # The deleted Archive/2026 is still subscribed: \NonExistent with SUBSCRIBED.
        typ, lists, statuses = ask("(SUBSCRIBED)", '""', '"Archive*"', "RETURN",
                                   "(STATUS (MESSAGES))")
        if lists != [b'(\\NonExistent \\Subscribed \\HasNoChildren) "/" Archive/2026'] or statuses:
            return "SUBSCRIBED: %r %r" % (lists, statuses)
        # One level down is out of reach of "%": Archive itself shows with CHILDINFO.
        typ, lists, _ = ask("(SUBSCRIBED RECURSIVEMATCH)", '""', '"Arch%"')
        if lists != [b'(\\HasNoChildren) "/" Archive ("CHILDINFO" ("SUBSCRIBED"))']:
            return "RECURSIVEMATCH: %r" % lists
        typ, lists, _ = ask('""', '("Sent" "INBOX" "inbox")')
        if typ != "OK" or len(lists) != 2:
            return "two patterns: %s %r" % (typ, lists)
        try:
            m._simple_command("LIST", "(RECURSIVEMATCH)", '""', '"*"')
            return "RECURSIVEMATCH alone was accepted"
        except imaplib.IMAP4.error as e:
            if "RECURSIVEMATCH" not in str(e):
                return "error %r" % e
        m.logout()
        return None

    check("imaplib: LIST-EXTENDED selection/return options and LIST-STATUS", list_extended)

    # Modified UTF-7 names (RFC 3501 §5.1.3), encoded here by hand: "Entwürfe" and
    # "Корзина" on the wire; the server stores UTF-8 (its STATUS explanation in the trace
    # names the folder in UTF-8) and LIST gives the encoded names back.
    def utf7_folders():
        m = srv.imap()
        for name in ("Entw&APw-rfe", "&BBoEPgRABDcEOAQ9BDA-/&ZeVnLIqe-"):
            typ, data = m.create(name)
            if typ != "OK":
                return "CREATE %s: %s %r" % (name, typ, data)
        typ, data = m.list('""', "*")
        names = [d for d in data if d]
        for want in (b'"/" Entw&APw-rfe', b'"/" &BBoEPgRABDcEOAQ9BDA-/&ZeVnLIqe-',
                     b'"/" &BBoEPgRABDcEOAQ9BDA-'):
            if not any(n.endswith(want) for n in names):
                return "LIST lacks %r: %r" % (want, names)
        if not all(n.isascii() for n in names):
            return "LIST sent 8-bit names: %r" % names
        msg = b"Subject: utf7\r\n\r\nin a non-ASCII folder\r\n"
        typ, data = m.append("Entw&APw-rfe", None, None, msg)
        if typ != "OK":
            return "APPEND %s %r" % (typ, data)
        typ, data = m.status("Entw&APw-rfe", "(MESSAGES)")
        if typ != "OK" or data[0] != b"Entw&APw-rfe (MESSAGES 1)":
            return "STATUS %s %r" % (typ, data)
        typ, data = m.select("Entw&APw-rfe")
        if typ != "OK" or data[0] != b"1":
            return "SELECT %s %r" % (typ, data)
        try:
            typ, data = m.create("&Jjo")
            return "a malformed name was accepted: %s %r" % (typ, data)
        except imaplib.IMAP4.error as e:
            if "modified UTF-7" not in str(e):
                return "malformed name: %s" % e
        m.logout()
        with open(srv.trace, "rb") as f:
            trace = f.read().decode("utf-8", "replace")
        if "Entwürfe" not in trace and "Entw\\u00fcrfe" not in trace:
            return "the store's UTF-8 name is not in the trace"
        return None

    check("imaplib: modified UTF-7 folder names (CREATE, LIST, APPEND, STATUS, SELECT)",
          utf7_folders)


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

    def big_literals():
        a = Raw(srv.imap_port)
        a.line()
        a.send(b"l1 LOGIN bruno " + PASSWORD.encode() + b"\r\n")
        a.until_tag("l1")
        # Synchronising literal over --max-size: NO before any octet is sent (RFC 7888 §4).
        a.send(b"l2 APPEND INBOX {%d}\r\n" % (MAX_SIZE + 1))
        r2 = a.line()
        # LITERAL+ over the limit: the client sends it anyway; BAD, the octets are skipped.
        a.send(b"l3 APPEND INBOX {%d+}\r\n" % (MAX_SIZE + 1) + b"x" * (MAX_SIZE + 1) + b"\r\n")
        r3 = a.line()
        # Exactly the limit still works: continuation, then the message is stored.
        msg = b"Subject: at the limit\r\n\r\n" + b"y" * (MAX_SIZE - 27) + b"\r\n"
        a.send(b"l4 APPEND Drafts {%d}\r\n" % len(msg))
        cont = a.line()
        a.send(msg + b"\r\n")
        r4 = a.until_tag("l4")[-1]
        a.send(b"l5 NOOP\r\n")
        r5 = a.line()
        a.send(b"l6 LOGOUT\r\n")
        a.until_tag("l6")
        a.close()
        if r2 != "l2 NO [TOOBIG] Literal too big":
            return "synchronising literal over the limit gave %r" % r2
        if r3 != "l3 BAD [TOOBIG] Literal too big":
            return "LITERAL+ over the limit gave %r" % r3
        if not cont.startswith("+") or not r4.startswith("l4 OK"):
            return "literal at the limit: %r, %r" % (cont, r4)
        return None if r5 == "l5 OK NOOP completed" else "session after the limits: %r" % r5

    check("raw: literal over --max-size gets NO (LITERAL+: BAD), at the limit OK, session "
          "survives", big_literals)

    def bad_syntax():
        a = Raw(srv.imap_port)
        a.line()
        answers = []
        for cmd in (b"s1 LOGIN bruno", b"s2 LOGIN bruno " + PASSWORD.encode(), b"s3 SELECT",
                    b"s4 SELECT INBOX", b"s5 FETCH x FLAGS", b"s6 STORE 1 +FLAGS (\\Bogus)",
                    b"s7 SEARCH (", b"s8 UID FROB", b"s9 NOOP"):
            a.send(cmd + b"\r\n")
            answers.append(a.until_tag(cmd.split()[0].decode())[-1])
        a.close()
        bad = [l for l in answers if " BAD " in l]
        if len(bad) != 6 or not answers[1].startswith("s2 OK") or not answers[3].startswith("s4 OK"):
            return "answers %r" % answers
        return None if answers[-1] == "s9 OK NOOP completed" else "after errors: %r" % answers

    check("raw: bad syntax gets BAD, session survives", bad_syntax)

    def penalty():
        a = Raw(srv.imap_port)
        a.line()
        answers = []
        for i in range(1, 5):
            a.send(b"p%d LOGIN bruno wrong%d\r\n" % (i, i))
            answers.append(a.until_tag("p%d" % i)[-1])
        # The 5th attempt (right password) and a command pipelined behind it: the reply is
        # held by the engine until the listener's timer releases it; nothing is lost.
        a.send(b"p5 LOGIN bruno " + PASSWORD.encode() + b"\r\np6 NOOP\r\n")
        answers.append(a.until_tag("p5")[-1])
        answers.append(a.until_tag("p6")[-1])
        a.close()
        want_no = "NO [AUTHENTICATIONFAILED] Invalid credentials"
        for i in range(4):
            if answers[i] != "p%d %s" % (i + 1, want_no):
                return "attempt %d gave %r" % (i + 1, answers[i])
        if not answers[4].startswith("p5 OK") or answers[5] != "p6 OK NOOP completed":
            return "after the penalty: %r" % answers[4:]
        return None

    check("raw: three failed logins, later attempts still answered (penalty), then login works",
          penalty)


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

    def curl_x(*args):
        url = "imap://%s:%d/INBOX" % (HOST, srv.imap_port)
        p = subprocess.run([curl, "-sS", "--max-time", "20", "-u", "bruno:" + PASSWORD, url] +
                           list(args), capture_output=True, timeout=30)
        if p.returncode != 0:
            raise RuntimeError("curl %r exit %d: %s" % (args, p.returncode,
                                                      p.stderr.decode(errors="replace")))
        return p.stdout.decode(errors="replace")

    def inbox_uids(*crit):
        m = srv.imap()
        m.select("INBOX")
        typ, data = m.uid("SEARCH", *crit)
        m.logout()
        return data[0].split()

    def curl_search():
        srv.deliver("curl search alpha")
        srv.deliver("curl search beta")
        want = inbox_uids("SUBJECT", '"curl search"')
        out = curl_x("-X", 'UID SEARCH SUBJECT "curl search"')
        got = re.findall(r"^\* SEARCH(.*)$", out, re.M)
        if not got or got[0].split() != [u.decode() for u in want] or len(want) != 2:
            return "curl -X SEARCH printed %r, imaplib found %r" % (out, want)
        out = curl_x("-X", "SEARCH SUBJECT beta")
        return None if re.search(r"^\* SEARCH \d+\s*$", out, re.M) else "beta: %r" % out

    check("curl: -X 'UID SEARCH …' and -X 'SEARCH …' on INBOX", curl_search)

    def curl_delete():
        uids = inbox_uids("SUBJECT", '"curl search alpha"')
        if len(uids) != 1:
            return "setup: %r" % uids
        uid = uids[0].decode()
        out = curl_x("-X", "UID STORE %s +FLAGS (\\Deleted)" % uid)
        if "\\Deleted" not in out:
            return "STORE printed %r" % out
        if inbox_uids("DELETED") != [uid.encode()]:
            return "not flagged \\Deleted: %r" % inbox_uids("DELETED")
        out = curl_x("-X", "EXPUNGE")
        if not re.search(r"^\* \d+ EXPUNGE", out, re.M):
            return "EXPUNGE printed %r" % out
        left = inbox_uids("SUBJECT", '"curl search"')
        return None if left and uid.encode() not in left else "after EXPUNGE: %r" % left

    check("curl: delete with -X 'UID STORE n +FLAGS (\\Deleted)' then -X EXPUNGE", curl_delete)


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
        # Let it finish stopping: a second SIGTERM from stop() during exit would kill it.
        try:
            rc = srv.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            return "still running after SIGTERM"
        if rc != 0:
            return "exit status %s after SIGTERM" % rc
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

#!/usr/bin/env python3
"""Interop test: `mailsim serve --maildir` is durable.

(a) Restart: mail delivered with smtplib, flags, keywords, folders, moves and subscriptions
    made with imaplib come back identical (UIDs, UIDVALIDITY, UIDNEXT, flags, INTERNALDATE,
    octets, LIST, LSUB, POP3 UIDL) after a SIGTERM restart and after a SIGKILL restart.
(b) Crash: many times over, client threads stream deliveries over SMTP, APPENDs and flag
    changes (STORE) over IMAP and count each only once its 250 / tagged OK arrived; the
    server is killed with SIGKILL at a random moment (the seed is printed; --seed repeats
    the kill times) and restarted. Every acknowledged message must be in the Maildir
    exactly once, no file in new/ or cur/ may be partial, the flags on disk must be the
    last acknowledged ones (or those in flight), and at the end IMAP and POP3 must list
    exactly the files on disk.
(c) SIGTERM: connected SMTP, POP3 and IMAP clients get 421 / -ERR / * BYE, the process
    exits 0, and a message half-sent over SMTP is not stored.
(d) strace attached to the server shows the order: fsync of the message file, rename into
    new/ (cur/), fsync of that directory, and only then 250 / APPEND's OK on the socket.

Usage: serve_durable_interop.py --mailsim PATH/TO/mailsim [--keep] [--seed N] [--rounds N]
Needs python3 (stdlib) and strace (a missing strace is a failure).
"""

import argparse
import imaplib
import os
import poplib
import random
import re
import shutil
import signal
import smtplib
import socket
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from mailtest import (  # noqa: E402
    HOST, MailsimServer, check, clean_up, failures, not_ok, ok, setup_failed, summary,
    wait_until,
)

DOMAIN = "recipient.example"
BRUNO = "bruno@" + DOMAIN
PASSWORD = "secret"
SENDER = "sender@sender.example"
IO_TIMEOUT = 15  # seconds, for every socket (ASan builds are slow)


class Server(MailsimServer):
    SMTP_READY = re.compile(r"mailsim: SMTP on (\S+):(\d+) for")
    POP3_READY = re.compile(r"mailsim: POP3 on (\S+):(\d+)")
    IMAP_READY = re.compile(r"mailsim: IMAP on (\S+):(\d+)")

    def __init__(self, mailsim, maildir, log_path):
        super().__init__([mailsim, "serve", "--smtp", "0", "--pop3", "0", "--imap", "0",
                          "--bind", HOST, "--domain", DOMAIN, "--user", "bruno:" + PASSWORD,
                          "--maildir", maildir], log_path)
        self.maildir = maildir

    def start(self, timeout=30):
        s, p, i = self.start_and_wait([self.SMTP_READY, self.POP3_READY, self.IMAP_READY],
                                      timeout)
        self.smtp_port, self.pop3_port, self.imap_port = (int(s.group(2)), int(p.group(2)),
                                                          int(i.group(2)))

    def kill(self):
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=IO_TIMEOUT)
        self.log.close()

    def imap(self):
        m = imaplib.IMAP4(HOST, self.imap_port, timeout=IO_TIMEOUT)
        m.login("bruno", PASSWORD)
        return m

    def pop(self):
        m = poplib.POP3(HOST, self.pop3_port, timeout=IO_TIMEOUT)
        m.user("bruno")
        m.pass_(PASSWORD)
        return m


def message(msgid, subject, body):
    return ("From: %s\r\nTo: %s\r\nSubject: %s\r\nMessage-ID: <%s>\r\n\r\n%s" %
            (SENDER, BRUNO, subject, msgid, body)).encode()


def quote(name):
    return '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'


def snapshot(srv):
    """Everything IMAP and POP3 show of bruno's mailboxes, without changing anything."""
    out = {}
    m = srv.imap()
    try:
        typ, lines = m.list()
        folders = []
        for line in lines:
            g = re.match(rb'\(([^)]*)\) "/" "?(.*?)"?$', line)
            folders.append((g.group(2).decode(), frozenset(g.group(1).split())))
        out["list"] = sorted(folders)
        typ, lines = m.lsub()
        out["lsub"] = sorted(l.decode() for l in lines if l)
        for name, attrs in folders:
            if b"\\Noselect" in attrs:
                continue
            typ, st = m.status(quote(name), "(UIDVALIDITY UIDNEXT MESSAGES)")
            status = st[0].decode()
            status = status[status.index("("):]
            typ, _ = m.select(quote(name), readonly=True)
            msgs = {}
            typ, data = m.uid("FETCH", "1:*", "(FLAGS INTERNALDATE RFC822.SIZE BODY.PEEK[])")
            for item in data:
                if not isinstance(item, tuple):
                    continue
                head = item[0].decode()
                uid = int(re.search(r"UID (\d+)", head).group(1))
                flags = re.search(r"FLAGS \(([^)]*)\)", head).group(1).split()
                size = int(re.search(r"RFC822.SIZE (\d+)", head).group(1))
                date = re.search(r'INTERNALDATE "([^"]+)"', head).group(1)
                msgs[uid] = (frozenset(f for f in flags if f != "\\Recent"), date, size, item[1])
            out[name] = (status, msgs)
            m.close()
    finally:
        m.logout()
    p = srv.pop()
    try:
        out["uidl"] = p.uidl()[1]
    finally:
        p.quit()
    return out


def diff(a, b):
    for k in sorted(set(a) | set(b)):
        if a.get(k) != b.get(k):
            return "%s: before %r\n   after %r" % (k, a.get(k), b.get(k))
    return None


def restart_checks(mailsim, workdir):
    maildir = os.path.join(workdir, "restart-maildir")
    log = os.path.join(workdir, "restart-%d.log")
    runs = [0]

    def new_server():
        runs[0] += 1
        s = Server(mailsim, maildir, log % runs[0])
        s.start()
        return s

    srv = new_server()
    state = {}
    try:
        for i in range(1, 6):
            with smtplib.SMTP(HOST, srv.smtp_port, timeout=IO_TIMEOUT) as c:
                c.sendmail(SENDER, [BRUNO], message("r%d@test" % i, "restart %d" % i,
                                                    "line one\r\n.dot line\r\nlast %d\r\n" % i))
        m = srv.imap()
        try:
            # "Caf&AOk-" is "Café" in modified UTF-7 (RFC 3501 §5.1.3).
            for name in ("Projects/2026", "dots.in.name", "Caf&AOk-", "Old"):
                typ, _ = m.create(quote(name))
                if typ != "OK":
                    raise RuntimeError("CREATE %s: %s" % (name, typ))
            m.rename("Old", "Older/Renamed")
            m.delete("Junk")
            m.unsubscribe("Trash")
            m.subscribe("Projects/2026")
            m.select("INBOX")
            m.uid("STORE", "1", "+FLAGS", "(\\Seen \\Flagged)")
            m.uid("STORE", "2", "+FLAGS", "(\\Answered $Forwarded project-x)")
            m.uid("STORE", "3", "+FLAGS", "(\\Draft)")
            m.uid("STORE", "5", "+FLAGS", "(\\Deleted)")
            m.uid("MOVE", "4", "Projects/2026")
            m.append("Drafts", "(\\Draft \\Seen later)", imaplib.Time2Internaldate(1577872800),
                     b"Subject: draft\r\n\r\nnot sent yet\r\n")
            m.select("Projects/2026")
            m.uid("STORE", "1", "+FLAGS", "(\\Seen)")
            m.logout()
        except Exception:
            m.logout()
            raise
        state["before"] = snapshot(srv)
    finally:
        rc = srv.stop()

    def check_before():
        s = state["before"]
        inbox = s["INBOX"][1]
        if sorted(inbox) != [1, 2, 3, 5]:
            return "INBOX UIDs %r" % sorted(inbox)
        if inbox[2][0] != {"\\Answered", "$Forwarded", "project-x"}:
            return "flags of uid 2: %r" % inbox[2][0]
        drafts = list(s["Drafts"][1].values())
        if len(drafts) != 1 or not drafts[0][1].startswith("01-Jan-2020"):
            return "Drafts %r" % [d[:3] for d in drafts]
        if "Junk" in [n for n, _ in s["list"]] or "Older/Renamed" not in s:
            return "LIST %r" % s["list"]
        return None if rc == 0 else "exit status %s after SIGTERM" % rc

    check("restart: the state before (flags, keywords, move, folders) is as made", check_before)

    def after_sigterm():
        srv2 = new_server()
        try:
            state["sigterm"] = snapshot(srv2)
            return diff(state["before"], state["sigterm"])
        finally:
            srv2.kill()  # the next check restarts after a crash

    check("restart after SIGTERM: UIDs, UIDVALIDITY, UIDNEXT, flags, INTERNALDATE, octets, "
          "folders, LSUB and POP3 UIDL identical", after_sigterm)

    def after_sigkill():
        srv3 = new_server()
        try:
            return diff(state["before"], snapshot(srv3))
        finally:
            srv3.stop()

    check("restart after SIGKILL: everything identical", after_sigkill)

    def on_disk():
        home = os.path.join(maildir, BRUNO)
        names = sorted(os.listdir(home))
        for want in (".Projects.2026", ".Caf\u00e9", ".dots%2Ein%2Ename", ".Older.Renamed",
                     ".Drafts", "mailsim-uidlist", "mailsim-subscriptions", "cur", "new", "tmp"):
            if want not in names:
                return "%s missing from %r" % (want, names)
        if ".Junk" in names or ".Old" in names:
            return "deleted/renamed folder still on disk: %r" % names
        cur = os.listdir(os.path.join(home, "cur"))
        by_uid = {re.search(r",U=(\d+)", n).group(1): n.split(":2,")[1] for n in cur}
        # Maildir info letters: F flagged, P passed, R replied, S seen, T trashed, D draft.
        if by_uid.get("1") != "FS" or by_uid.get("3") != "D" or by_uid.get("5") != "T":
            return "info suffixes %r" % by_uid
        if not re.fullmatch(r"PR[a-z]", by_uid.get("2", "")):
            return "uid 2 info %r" % by_uid.get("2")
        with open(os.path.join(home, "mailsim-uidlist")) as f:
            lst = f.read()
        if not re.match(r"mailsim-uidlist 1 V\d+ N6\n", lst) or "project-x" not in lst:
            return "uid list %r" % lst
        return None

    check("restart: Maildir++ layout, info letters and uid list on disk", on_disk)

    def uids_never_reused():
        # Expunge the highest UID, restart: UIDNEXT stays above it and a new message gets 6.
        srv4 = new_server()
        try:
            m = srv4.imap()
            m.select("INBOX")
            m.expunge()  # uid 5 (\Deleted)
            m.logout()
        finally:
            srv4.kill()
        srv5 = new_server()
        try:
            with smtplib.SMTP(HOST, srv5.smtp_port, timeout=IO_TIMEOUT) as c:
                c.sendmail(SENDER, [BRUNO], message("r6@test", "restart 6", "six\r\n"))
            m = srv5.imap()
            m.select("INBOX")
            typ, data = m.uid("SEARCH", "ALL")
            m.logout()
            uids = [int(u) for u in data[0].split()]
            return None if uids == [1, 2, 3, 6] else "INBOX UIDs %r" % uids
        finally:
            srv5.stop()

    check("restart: an expunged UID is never given again (UIDNEXT persisted)", uids_never_reused)


def complete(data):
    """A stored message is complete when it ends with the trailer naming its own id."""
    m = re.search(rb"^Message-ID: <([^>]+)>$", data, re.M)
    if not m:
        return None
    return m.group(1).decode() if data.endswith(b"end of " + m.group(1) + b"\n") else None


def inbox_files(maildir, folder_dir=""):
    """The message files of bruno's INBOX (or of the Maildir++ folder `folder_dir`)."""
    out = []
    home = os.path.join(maildir, BRUNO, folder_dir)
    for sub in ("new", "cur"):
        d = os.path.join(home, sub)
        if os.path.isdir(d):
            out += [os.path.join(d, n) for n in os.listdir(d)]
    return out


class Stream:
    """Messages one kind of client tried to store and those the server acknowledged."""

    def __init__(self, folder, folder_dir):
        self.folder, self.folder_dir = folder, folder_dir
        self.acked, self.attempted = [], set()
        self.lock = threading.Lock()

    def body(self, msgid):
        size = random.Random(msgid).choice([1, 3, 40, 400, 4000])
        return ("".join("%s line %d of a message\r\n" % (msgid, i) for i in range(size)) +
                "end of %s\r\n" % msgid)

    def verify(self, maildir, where):
        seen = {}
        for path in inbox_files(maildir, self.folder_dir):
            with open(path, "rb") as f:
                data = f.read()
            msgid = complete(data)
            if msgid is None:
                return "%s: %s: partial or foreign file %s (%d bytes)" % (where, self.folder, path,
                                                                         len(data))
            seen[msgid] = seen.get(msgid, 0) + 1
        twice = [k for k, v in seen.items() if v > 1]
        if twice:
            return "%s: %s: stored more than once: %r" % (where, self.folder, twice[:5])
        missing = [k for k in self.acked if k not in seen]
        if missing:
            return "%s: %s: acknowledged but missing: %r" % (where, self.folder, missing[:5])
        strange = [k for k in seen if k not in self.attempted]
        if strange:
            return "%s: %s: never sent: %r" % (where, self.folder, strange[:5])
        tmp = os.path.join(maildir, BRUNO, self.folder_dir, "tmp")
        if os.path.isdir(tmp) and os.listdir(tmp) and where.startswith("after restart"):
            return "%s: %s: tmp/ not cleaned: %r" % (where, self.folder, os.listdir(tmp))
        return None


def crash_checks(mailsim, workdir, seed, rounds):
    rng = random.Random(seed)
    print("# crash test: seed %d, %d rounds (repeat with --seed %d)" % (seed, rounds, seed),
          flush=True)
    maildir = os.path.join(workdir, "crash-maildir")
    smtp_stream = Stream("INBOX", "")
    imap_stream = Stream("Drafts", ".Drafts")
    totals = {"kills": 0}

    def smtp_client(port, tag, stop):
        st = smtp_stream
        try:
            with smtplib.SMTP(HOST, port, timeout=IO_TIMEOUT) as c:
                n = 0
                while not stop.is_set():
                    n += 1
                    msgid = "%s-%d@crash.test" % (tag, n)
                    with st.lock:
                        st.attempted.add(msgid)
                    c.sendmail(SENDER, [BRUNO], message(msgid, "crash " + msgid, st.body(msgid)))
                    with st.lock:
                        st.acked.append(msgid)  # 250 received
        except (OSError, smtplib.SMTPException):
            pass  # the server was killed

    def imap_client(port, tag, stop):
        st = imap_stream
        try:
            m = imaplib.IMAP4(HOST, port, timeout=IO_TIMEOUT)
            m.login("bruno", PASSWORD)
            n = 0
            while not stop.is_set():
                n += 1
                msgid = "ap%s-%d@crash.test" % (tag, n)
                with st.lock:
                    st.attempted.add(msgid)
                typ, _ = m.append("Drafts", "(\\Draft)", None,
                                  message(msgid, "append " + msgid, st.body(msgid)))
                if typ == "OK":
                    with st.lock:
                        st.acked.append(msgid)  # tagged OK received
        except (OSError, imaplib.IMAP4.error, EOFError):
            pass

    # A message in Trash whose flags a client keeps changing: after a kill its file must
    # carry the last acknowledged flags or those of the STORE in flight, in one file.
    bits = [("\\Draft", "D"), ("\\Flagged", "F"), ("\\Answered", "R"), ("\\Seen", "S")]
    flagged = {"acked": 0, "in_flight": None, "stores": 0}

    def letters(k):
        return "".join(ch for i, (_, ch) in enumerate(bits) if k & (1 << i))

    def flag_client(port, stop):
        try:
            m = imaplib.IMAP4(HOST, port, timeout=IO_TIMEOUT)
            m.login("bruno", PASSWORD)
            m.select("Trash")
            k = flagged["acked"]
            while not stop.is_set():
                k = (k + 1) % 16
                flagged["in_flight"] = k
                names = " ".join(f for i, (f, _) in enumerate(bits) if k & (1 << i))
                typ, _ = m.uid("STORE", "1", "FLAGS", "(%s)" % names)
                if typ == "OK":
                    flagged["acked"] = k
                    flagged["in_flight"] = None
                    flagged["stores"] += 1
        except (OSError, imaplib.IMAP4.error, EOFError):
            pass

    def verify_flags(where):
        files = inbox_files(maildir, ".Trash")
        if len(files) != 1:
            return "%s: Trash holds %r" % (where, files)
        name = os.path.basename(files[0])
        info = name.split(":2,", 1)[1] if ":2," in name else ""
        allowed = {letters(flagged["acked"])}
        if flagged["in_flight"] is not None:
            allowed.add(letters(flagged["in_flight"]))
        if info not in allowed:
            return "%s: Trash message has flags %r, expected one of %r" % (where, info, allowed)
        return None

    def verify(where):
        return (smtp_stream.verify(maildir, where) or imap_stream.verify(maildir, where) or
                verify_flags(where))

    def seed_trash():
        srv = Server(mailsim, maildir, os.path.join(workdir, "crash-seed.log"))
        srv.start()
        try:
            m = srv.imap()
            m.append("Trash", None, None, message("target@crash.test", "flags",
                                                  "end of target@crash.test\r\n"))
            m.logout()
        finally:
            srv.stop()

    def rounds_fn():
        seed_trash()
        for r in range(rounds):
            srv = Server(mailsim, maildir, os.path.join(workdir, "crash-%d.log" % r))
            srv.start()
            why = verify("after restart %d" % r)
            if why:
                srv.kill()
                return why
            stop = threading.Event()
            threads = [threading.Thread(target=smtp_client, args=(srv.smtp_port, r * 10 + t, stop))
                       for t in range(2)]
            threads.append(threading.Thread(target=imap_client, args=(srv.imap_port, r, stop)))
            threads.append(threading.Thread(target=flag_client, args=(srv.imap_port, stop)))
            for t in threads:
                t.start()
            time.sleep(rng.uniform(0.02, 0.6))
            srv.kill()
            totals["kills"] += 1
            stop.set()
            for t in threads:
                t.join(timeout=IO_TIMEOUT)
            why = verify("after kill %d" % r)
            if why:
                return why
        return None

    check("SIGKILL at random moments (%d rounds) during SMTP deliveries, IMAP APPENDs and "
          "STOREs: every acknowledged message stored exactly once, no partial file, the last "
          "acknowledged flags kept" % rounds, rounds_fn, timed=True)
    print("# %d kills; SMTP: %d acknowledged of %d; IMAP APPEND: %d acknowledged of %d; "
          "STORE: %d acknowledged" %
          (totals["kills"], len(smtp_stream.acked), len(smtp_stream.attempted),
           len(imap_stream.acked), len(imap_stream.attempted), flagged["stores"]), flush=True)

    def final_views():
        if not smtp_stream.acked or not imap_stream.acked:
            return "nothing acknowledged (SMTP %d, APPEND %d)" % (len(smtp_stream.acked),
                                                                  len(imap_stream.acked))
        srv = Server(mailsim, maildir, os.path.join(workdir, "crash-final.log"))
        srv.start()
        try:
            m = srv.imap()
            for st in (smtp_stream, imap_stream):
                on_disk = {}
                for path in inbox_files(maildir, st.folder_dir):
                    with open(path, "rb") as f:
                        on_disk[complete(f.read())] = path
                m.select(st.folder, readonly=True)
                typ, data = m.uid("FETCH", "1:*", "(BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)])")
                via_imap = []
                for item in data:
                    if isinstance(item, tuple):
                        via_imap.append(re.search(rb"<([^>]+)>", item[1]).group(1).decode())
                if sorted(via_imap) != sorted(on_disk):
                    return "%s: IMAP lists %d messages, the Maildir has %d" % (
                        st.folder, len(via_imap), len(on_disk))
            m.logout()
            p = srv.pop()
            count, _ = p.stat()
            p.quit()
            inbox = len(inbox_files(maildir))
            if count != inbox:
                return "POP3 STAT %d, the Maildir's INBOX has %d" % (count, inbox)
            return None
        finally:
            srv.stop()

    check("after the crashes IMAP (INBOX, Drafts) and POP3 show exactly the messages on disk",
          final_views)


class Line:
    """A raw client socket reading CRLF lines."""

    def __init__(self, port):
        self.s = socket.create_connection((HOST, port), timeout=IO_TIMEOUT)
        self.buf = b""

    def line(self):
        while b"\r\n" not in self.buf:
            d = self.s.recv(4096)
            if not d:
                raise EOFError("closed; buffered %r" % self.buf)
            self.buf += d
        l, self.buf = self.buf.split(b"\r\n", 1)
        return l.decode(errors="replace")

    def send(self, text):
        self.s.sendall(text.encode() + b"\r\n")

    def until(self, pred):
        while True:
            l = self.line()
            if pred(l):
                return l

    def last_line(self):
        """Every line until the server closes; the last one."""
        last = None
        try:
            while True:
                last = self.line()
        except EOFError:
            return last


def sigterm_checks(mailsim, workdir):
    maildir = os.path.join(workdir, "sigterm-maildir")
    srv = Server(mailsim, maildir, os.path.join(workdir, "sigterm.log"))
    srv.start()
    got = {}
    try:
        with smtplib.SMTP(HOST, srv.smtp_port, timeout=IO_TIMEOUT) as c:
            c.sendmail(SENDER, [BRUNO], message("kept@test", "kept", "kept\r\n"))
        smtp = Line(srv.smtp_port)
        smtp.until(lambda l: l.startswith("220"))
        smtp.send("EHLO client.example")
        smtp.until(lambda l: l.startswith("250 "))
        half = Line(srv.smtp_port)  # in the middle of DATA when the server stops
        half.until(lambda l: l.startswith("220"))
        for cmd, code in (("EHLO c", "250 "), ("MAIL FROM:<%s>" % SENDER, "250"),
                          ("RCPT TO:<%s>" % BRUNO, "250"), ("DATA", "354")):
            half.send(cmd)
            half.until(lambda l, code=code: l.startswith(code))
        half.send("Subject: half\r\n\r\nthis message must never be stored")
        pop = Line(srv.pop3_port)
        pop.until(lambda l: l.startswith("+OK"))
        pop.send("USER bruno")
        pop.line()
        pop.send("PASS " + PASSWORD)
        if not pop.line().startswith("+OK"):
            raise RuntimeError("POP3 login failed")
        imap = Line(srv.imap_port)
        imap.line()
        imap.send("a LOGIN bruno " + PASSWORD)
        imap.until(lambda l: l.startswith("a "))
        imap.send("b SELECT INBOX")
        imap.until(lambda l: l.startswith("b "))
        srv.proc.send_signal(signal.SIGTERM)
        got["smtp"] = smtp.last_line()
        got["half"] = half.last_line()
        got["pop3"] = pop.last_line()
        got["imap"] = imap.last_line()
        try:
            got["rc"] = srv.proc.wait(timeout=30)
        except Exception:  # noqa: BLE001
            got["rc"] = "still running"
    finally:
        srv.stop()

    def goodbyes():
        want = {"smtp": "421 4.3.2 ", "half": "421 4.3.2 ", "pop3": "-ERR", "imap": "* BYE"}
        for k, prefix in want.items():
            if not (got.get(k) or "").startswith(prefix):
                return "%s got %r (want %r…)" % (k, got.get(k), prefix)
        return None if got.get("rc") == 0 else "exit status %r" % got.get("rc")

    check("SIGTERM: SMTP gets 421 4.3.2 (also mid-DATA), POP3 -ERR, IMAP * BYE; exit 0",
          goodbyes)

    def nothing_lost():
        stored = []
        for path in inbox_files(maildir):
            with open(path, "rb") as f:
                stored.append(f.read())
        if len(stored) != 1 or b"kept@test" not in stored[0]:
            return "Maildir holds %r" % stored
        return None

    check("SIGTERM: the acknowledged message is kept, the half-sent one is not", nothing_lost)


def syscall_order_checks(mailsim, workdir):
    """strace shows the durability rule itself: fsync of the file, rename, fsync of the
    directory, and only then the 250 (SMTP) or the tagged OK (IMAP APPEND) on the socket."""
    strace = shutil.which("strace")
    if strace is None:
        not_ok("strace installed", "not on PATH (apt-get install strace)")
        return
    maildir = os.path.join(workdir, "strace-maildir")
    srv = Server(mailsim, maildir, os.path.join(workdir, "strace-server.log"))
    srv.start()
    trace = os.path.join(workdir, "strace.txt")
    err_path = os.path.join(workdir, "strace.err")
    tracer = None
    try:
        # The server is already serving: attach to it (all threads), so nothing but the
        # two transactions below is traced. -y names every descriptor's file.
        with open(err_path, "wb") as err:
            tracer = subprocess.Popen(
                [strace, "-f", "-y", "-s", "48", "-o", trace, "-p", str(srv.proc.pid), "-e",
                 "trace=fsync,fdatasync,rename,renameat,renameat2,sendto,sendmsg,write,writev"],
                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=err)
        if not wait_until(lambda: b"attached" in open(err_path, "rb").read(), 20):
            raise RuntimeError("strace did not attach: %r" % open(err_path, "rb").read())
        time.sleep(0.2)
        with smtplib.SMTP(HOST, srv.smtp_port, timeout=IO_TIMEOUT) as c:
            c.sendmail(SENDER, [BRUNO], message("traced@test", "traced", "traced\r\n"))
        m = srv.imap()
        m.append("Drafts", "(\\Seen)", None, b"Subject: traced append\r\n\r\nx\r\n")
        m.logout()
    finally:
        if tracer is not None:
            tracer.send_signal(signal.SIGINT)  # detaches; the server goes on
            tracer.wait(timeout=IO_TIMEOUT)
        srv.stop()
    with open(trace, encoding="utf-8", errors="replace") as f:
        lines = f.read().splitlines()

    def order(dest_dir, reply):
        """Indexes of: fsync(tmp file), rename into dest_dir, fsync(dest_dir), the reply."""
        ren = next((i for i, l in enumerate(lines)
                    if "rename" in l and "/tmp/" in l and dest_dir + "/" in l), None)
        if ren is None:
            return "no rename into %s in the trace" % dest_dir
        name = re.search(r'/tmp/([^"]+)"', lines[ren]).group(1)
        sync_file = [i for i, l in enumerate(lines[:ren])
                     if "fsync(" in l and ("/tmp/" + name + ">") in l]
        sync_dir = [i for i, l in enumerate(lines) if i > ren and "fsync(" in l and
                    l.split(">)")[0].endswith(dest_dir)]
        sent = [i for i, l in enumerate(lines) if reply in l and
                any(c in l for c in ("sendto(", "sendmsg(", "write("))]
        if not sync_file:
            return "the file %s was not fsync'd before its rename" % name
        if not sync_dir:
            return "%s was not fsync'd after the rename" % dest_dir
        if not sent:
            return "no %r on the socket" % reply
        if not (sync_file[-1] < ren < sync_dir[0] < sent[0]):
            return "order fsync(file)@%d rename@%d fsync(dir)@%d reply@%d" % (
                sync_file[-1], ren, sync_dir[0], sent[0])
        return None

    check("strace: fsync(file), rename into new/, fsync(new/), then 250 2.0.0 to the client",
          lambda: order(BRUNO + "/new", "250 2.0.0 Ok: queued"))
    check("strace: fsync(file), rename into .Drafts/cur/, fsync(.Drafts/cur/), then APPEND OK",
          lambda: order(BRUNO + "/.Drafts/cur", "OK [APPENDUID"))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--mailsim", required=True)
    ap.add_argument("--keep", action="store_true")
    ap.add_argument("--seed", type=int, default=None)
    ap.add_argument("--rounds", type=int, default=30)
    args = ap.parse_args()
    seed = args.seed if args.seed is not None else random.SystemRandom().randrange(1 << 30)
    workdir = tempfile.mkdtemp(prefix="mailsim-durable-interop-")
    try:
        restart_checks(args.mailsim, workdir)
        crash_checks(args.mailsim, workdir, seed, args.rounds)
        sigterm_checks(args.mailsim, workdir)
        syscall_order_checks(args.mailsim, workdir)
    except Exception as e:  # noqa: BLE001
        setup_failed(e)
    finally:
        clean_up(workdir, args.keep)
    return summary()


if __name__ == "__main__":
    sys.exit(main())

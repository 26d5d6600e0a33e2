#!/usr/bin/env python3
"""Interop test: one message through every protocol, and a real mail client (mbsync).

Against one `mailsim serve --smtp 0 --pop3 0 --imap 0 --maildir DIR`:
- a message sent with smtplib (dot lines, 8-bit UTF-8, trailing blanks, a 990-octet line)
  is read back byte-exact through poplib (RETR) and imaplib (BODY.PEEK[]): both give the
  same octets, the sent message is their tail after the server's trace fields, RFC822.SIZE
  counts them, and the Maildir file holds them too (with LF line ends);
- mbsync (isync) syncs a local Maildir with the IMAP account both ways: mail arrives,
  local flag changes, a local new message and a local deletion reach the server, and the
  server's flag changes and expunges reach the Maildir.

Each check prints "ok - name" or "not ok - name: why"; the exit status is non-zero when any
fails. The server is stopped by its PID. Needs python3 and mbsync on PATH (apt-get install
isync); a missing tool is a failure.

Usage: mail_clients_interop.py --mailsim PATH/TO/mailsim [--keep]
"""

import argparse
import imaplib
import os
import poplib
import re
import shutil
import smtplib
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from mailtest import (  # noqa: E402
    HOST, MailsimServer, check, clean_up, not_ok, setup_failed, summary,
)

DOMAIN = "recipient.example"
BRUNO = "bruno@" + DOMAIN
PASSWORD = "mbsync-pw"
IO_TIMEOUT = 15


class Server(MailsimServer):
    READY = [re.compile(r"mailsim: SMTP on (\S+):(\d+) for"),
             re.compile(r"mailsim: POP3 on (\S+):(\d+)"),
             re.compile(r"mailsim: IMAP on (\S+):(\d+)")]

    def __init__(self, mailsim, workdir):
        self.maildir = os.path.join(workdir, "server-maildir")
        super().__init__([mailsim, "serve", "--smtp", "0", "--pop3", "0", "--imap", "0",
                          "--bind", HOST, "--domain", DOMAIN, "--user", "bruno:" + PASSWORD,
                          "--maildir", self.maildir, "-v"],
                         os.path.join(workdir, "server.log"))

    def start(self):
        s, p, i = self.start_and_wait(self.READY)
        self.smtp_port, self.pop3_port, self.imap_port = (int(m.group(2)) for m in (s, p, i))

    def send(self, msg, options=()):
        with smtplib.SMTP(HOST, self.smtp_port, timeout=IO_TIMEOUT) as c:
            c.ehlo()
            c.sendmail("sender@sender.example", [BRUNO], msg, mail_options=list(options))

    def imap(self):
        m = imaplib.IMAP4(HOST, self.imap_port, timeout=IO_TIMEOUT)
        m.login("bruno", PASSWORD)
        return m

    def inbox(self):
        """{subject: (uid, flags)} of INBOX, read with imaplib."""
        m = self.imap()
        m.select("INBOX", readonly=True)
        typ, data = m.fetch("1:*", "(UID FLAGS BODY.PEEK[HEADER.FIELDS (SUBJECT)])")
        m.logout()
        out = {}
        for item in data:
            if not isinstance(item, tuple):
                continue
            meta, hdr = item
            subj = hdr.decode(errors="replace").split(":", 1)[1].strip()
            uid = int(re.search(rb"UID (\d+)", meta).group(1))
            flags = re.search(rb"FLAGS \(([^)]*)\)", meta).group(1).decode().split()
            out[subj] = (uid, flags)
        return out


# Dot lines (dot-stuffing on SMTP and POP3), 8-bit UTF-8, trailing blanks, a tab, a line of
# 990 octets (SMTP allows 998 + CRLF), and an empty last line.
SENT = ("From: Ana <ana@sender.example>\r\nTo: " + BRUNO + "\r\n"
        "Subject: byte-exact =?UTF-8?Q?ol=C3=A1?=\r\nMIME-Version: 1.0\r\n"
        "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
        "Olá, Bruno — ação!\r\n.\r\n..two dots\r\n. dot space\r\ntrailing blanks   \r\n"
        "\ttab first\r\n" + "x" * 990 + "\r\n\r\n").encode("utf-8")


def byte_exact_checks(srv):
    srv.send(SENT, ["BODY=8BITMIME"])

    def same_everywhere():
        p = poplib.POP3(HOST, srv.pop3_port, timeout=IO_TIMEOUT)
        p.user("bruno")
        p.pass_(PASSWORD)
        resp, lines, octets = p.retr(1)
        p.quit()
        via_pop = b"".join(l + b"\r\n" for l in lines)
        m = srv.imap()
        m.select("INBOX", readonly=True)
        typ, data = m.fetch("1", "(RFC822.SIZE BODY.PEEK[])")
        m.logout()
        via_imap = data[0][1]
        size = int(re.search(rb"RFC822.SIZE (\d+)", data[0][0]).group(1))
        if via_pop != via_imap:
            return "POP3 and IMAP differ:\n%r\n%r" % (via_pop, via_imap)
        if not via_imap.endswith(SENT):
            return "the sent message is not the tail of %r" % via_imap
        head = via_imap[:len(via_imap) - len(SENT)]
        names = re.findall(rb"^([^ \t:]+):", head, re.M)
        if set(names) - {b"Return-Path", b"Received"} or not names:
            return "the server added more than trace fields: %r" % head
        if size != len(via_imap) or octets < len(via_imap):
            return "RFC822.SIZE %d / RETR octets %d for %d octets" % (size, octets, len(via_imap))
        files = []  # message files only (new/ and cur/; not the mailsim-uidlist files)
        for root, _, names in os.walk(srv.maildir):
            if os.path.basename(root) in ("new", "cur"):
                files += [os.path.join(root, n) for n in names]
        if len(files) != 1:
            return "Maildir files %r" % files
        with open(files[0], "rb") as f:
            on_disk = f.read()
        # Maildir files use the local line ends (LF), as Maildir readers expect.
        want = via_imap.replace(b"\r\n", b"\n")
        return None if on_disk == want else "Maildir file differs: %r" % on_disk

    check("smtplib → poplib RETR and imaplib BODY[]: the same octets, the sent message "
          "byte-exact, RFC822.SIZE and the Maildir file (LF line ends) agree", same_everywhere)


class Mbsync:
    def __init__(self, srv, workdir):
        self.exe = shutil.which("mbsync")
        self.local = os.path.join(workdir, "local-mail")
        self.rc = os.path.join(workdir, "mbsyncrc")
        os.makedirs(self.local, exist_ok=True)
        with open(self.rc, "w") as f:
            f.write("IMAPAccount mailsim\nHost %s\nPort %d\nUser bruno\nPass %s\n"
                    "SSLType None\nAuthMechs LOGIN\n\n"
                    "IMAPStore remote\nAccount mailsim\n\n"
                    "MaildirStore local\nPath %s/\nInbox %s/INBOX\nSubFolders Verbatim\n\n"
                    "Channel mailsim\nFar :remote:\nNear :local:\nPatterns *\nCreate Both\n"
                    "Expunge Both\nSyncState *\nSync All\n"
                    % (HOST, srv.imap_port, PASSWORD, self.local, self.local))

    def run(self):
        p = subprocess.run([self.exe, "-c", self.rc, "-a"], capture_output=True, timeout=120)
        if p.returncode != 0:
            raise RuntimeError("mbsync exit %d:\n%s%s" % (p.returncode, p.stdout.decode(
                errors="replace"), p.stderr.decode(errors="replace")))

    def inbox(self):
        """{subject: (path, maildir flags)} of the local INBOX (cur/ and new/)."""
        out = {}
        for sub in ("cur", "new"):
            d = os.path.join(self.local, "INBOX", sub)
            for name in os.listdir(d) if os.path.isdir(d) else []:
                path = os.path.join(d, name)
                with open(path, "rb") as f:
                    m = re.search(rb"^Subject: (.*?)\r?$", f.read(), re.M)
                subject = m.group(1).decode(errors="replace") if m else ""
                flags = name.split(":2,", 1)[1] if ":2," in name else ""
                out[subject] = (path, flags)
        return out


def set_local_flags(path, flags):
    """Renames a Maildir file to carry `flags` (e.g. "FS"), moving it to cur/."""
    base = os.path.basename(path).split(":2,", 1)[0]
    new = os.path.join(os.path.dirname(os.path.dirname(path)), "cur", base + ":2," + flags)
    os.rename(path, new)
    return new


def mbsync_checks(srv, workdir):
    if not shutil.which("mbsync"):
        not_ok("mbsync", "mbsync not found on PATH (apt-get install isync)")
        return
    mb = Mbsync(srv, workdir)
    for subject in ("mbsync one", "mbsync two", "mbsync three"):
        srv.send(("From: ana@sender.example\r\nTo: %s\r\nSubject: %s\r\n\r\nBody of %s.\r\n" %
                  (BRUNO, subject, subject)).encode())

    def first_sync():
        mb.run()
        local = mb.inbox()
        want = {"byte-exact =?UTF-8?Q?ol=C3=A1?=", "mbsync one", "mbsync two", "mbsync three"}
        if set(local) != want:
            return "local INBOX has %r" % sorted(local)
        for sub in ("Sent", "Drafts", "Trash", "Junk"):
            if not os.path.isdir(os.path.join(mb.local, sub, "cur")):
                return "folder %s not created locally: %r" % (sub, os.listdir(mb.local))
        with open(local["mbsync two"][0], "rb") as f:
            body = f.read().replace(b"\r\n", b"\n")
        return None if body.endswith(b"\n\nBody of mbsync two.\n") else "file %r" % body

    check("mbsync: first sync fetches INBOX and creates the SPECIAL-USE folders", first_sync)

    def local_flags_reach_server():
        local = mb.inbox()
        set_local_flags(local["mbsync one"][0], "FS")
        mb.run()
        uid, flags = srv.inbox()["mbsync one"]
        if "\\Flagged" not in flags or "\\Seen" not in flags:
            return "server flags %r" % flags
        return None

    check("mbsync: a flag set in the local Maildir (F, S) reaches the server", local_flags_reach_server)

    def server_flags_reach_local():
        m = srv.imap()
        m.select("INBOX")
        uid, _ = srv.inbox()["mbsync two"]
        m.uid("STORE", str(uid), "+FLAGS", "(\\Answered \\Seen)")
        m.logout()
        mb.run()
        flags = mb.inbox()["mbsync two"][1]
        return None if "R" in flags and "S" in flags else "local flags %r" % flags

    check("mbsync: a flag set on the server (\\Answered) reaches the Maildir", server_flags_reach_local)

    def local_new_and_delete():
        d = os.path.join(mb.local, "INBOX", "new")
        with open(os.path.join(d, "1795683600.1_1.laptop"), "wb") as f:
            f.write(b"From: bruno@recipient.example\nSubject: written locally\n\nhi\n")
        os.remove(mb.inbox()["mbsync three"][0])
        mb.run()
        server = srv.inbox()
        if "written locally" not in server:
            return "local message not uploaded: %r" % sorted(server)
        if "mbsync three" in server:
            return "local deletion did not reach the server: %r" % sorted(server)
        m = srv.imap()
        m.select("INBOX", readonly=True)
        typ, data = m.uid("FETCH", str(server["written locally"][0]), "(BODY.PEEK[])")
        m.logout()
        body = data[0][1]  # mbsync adds an X-TUID field to find the message again
        ok = b"Subject: written locally\r\n" in body and body.endswith(b"\r\n\r\nhi\r\n")
        return None if ok else "uploaded as %r" % body

    check("mbsync: a new local message is uploaded, a local deletion expunges on the server",
          local_new_and_delete)

    def server_expunge_reaches_local():
        m = srv.imap()
        m.select("INBOX")
        uid, _ = srv.inbox()["mbsync one"]
        m.uid("STORE", str(uid), "+FLAGS", "(\\Deleted)")
        m.expunge()
        m.logout()
        mb.run()
        local = mb.inbox()
        if "mbsync one" in local:
            return "still local: %r" % sorted(local)
        return None if set(local) == set(srv.inbox()) else "local %r, server %r" % (
            sorted(local), sorted(srv.inbox()))

    check("mbsync: an expunge on the server removes the local file; both sides agree",
          server_expunge_reaches_local)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--mailsim", required=True)
    ap.add_argument("--keep", action="store_true")
    args = ap.parse_args()
    workdir = tempfile.mkdtemp(prefix="mailsim-clients-interop-")
    srv = Server(args.mailsim, workdir)
    try:
        srv.start()
        byte_exact_checks(srv)
        mbsync_checks(srv, workdir)
    except Exception as e:  # noqa: BLE001
        setup_failed(e)
    finally:
        srv.stop_checked()
        clean_up(workdir, args.keep)
    return summary()


if __name__ == "__main__":
    sys.exit(main())

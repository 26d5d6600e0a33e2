#!/usr/bin/env python3
"""Interop test: mailsim's IMAP client engine against a real Dovecot.

The private Postfix + Dovecot come from tests/fixtures/real-mail.sh (needs root). Mail is
delivered through Postfix (smtplib) and read with Python's imaplib as the reference; then
imap_client_tool (net::imap::Client over a real socket) logs in (LOGIN and AUTHENTICATE
PLAIN), syncs every folder (LIST-STATUS, then SELECT where there is mail), downloads a message byte-exact, stores flags, creates a folder,
moves a message there, appends one, expunges, and idles until new mail arrives. Every change
is checked with imaplib. Each check prints "ok - name" or "not ok - name: why"; the exit
status is non-zero when any check fails. The fixture is always stopped.

Usage: imap_dovecot_interop.py --client-tool PATH --fixture PATH [--keep]
"""

import argparse
import imaplib
import os
import re
import smtplib
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from mailtest import (  # noqa: E402
    HOST, RealMail, check, clean_up, setup_failed, summary, wait_until,
)

IO_TIMEOUT = 15
DELIVERY_TIMEOUT = 30
TOOL_TIMEOUT = 60


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--client-tool", required=True)
    ap.add_argument("--fixture", required=True)
    ap.add_argument("--keep", action="store_true")
    args = ap.parse_args()
    workdir = tempfile.mkdtemp(prefix="mailsim-imap-dovecot-")
    os.chmod(workdir, 0o755)  # the fixture's server users must traverse it
    rm = RealMail(args.fixture, workdir)
    try:
        rm.start()
        env = rm.env
        user, password = env["MAIL_USER"], env["MAIL_PASS"]
        address = "%s@%s" % (user, env["MAIL_DOMAIN"])
        imap_port = int(env["IMAP_PORT"])

        def imap():
            m = imaplib.IMAP4(HOST, imap_port, timeout=IO_TIMEOUT)
            m.login(user, password)
            return m

        def tool(*ops, auth="login", out=None, pw=None):
            cmd = [args.client_tool, HOST, str(imap_port), user, pw or password,
                   "--auth", auth, "--timeout", str(TOOL_TIMEOUT - 10)]
            if out:
                cmd += ["--out", out]
            r = subprocess.run(cmd + list(ops), stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, timeout=TOOL_TIMEOUT)
            return r.returncode, r.stdout.decode("utf-8", "replace")

        def send(subject, body, sender="Sender Person <sender@sender.example>"):
            with smtplib.SMTP(HOST, int(env["SMTP_PORT"]), timeout=IO_TIMEOUT) as s:
                s.sendmail("sender@sender.example", [address],
                           ("From: %s\r\nTo: %s\r\nSubject: %s\r\n\r\n%s" %
                            (sender, address, subject, body)).encode())

        def count(folder="INBOX"):
            m = imap()
            typ, data = m.select(folder)
            m.logout()
            return int(data[0]) if typ == "OK" else -1

        def uid_map(m, folder="INBOX", readonly=True):
            """{uid: (flags, body)} of a folder, read without setting \\Seen."""
            m.select(folder, readonly=readonly)
            typ, data = m.uid("FETCH", "1:*", "(UID FLAGS BODY.PEEK[])")
            out = {}
            for item in data:
                if not isinstance(item, tuple):
                    continue
                head = item[0].decode()
                uid = int(re.search(r"UID (\d+)", head).group(1))
                flags = re.search(r"FLAGS \(([^)]*)\)", head).group(1).split()
                out[uid] = (flags, item[1])
            return out

        send("first", "one\r\n.leading dot\r\n\r\nend\r\n")
        send("second", "two\r\n", sender="bob@example.test")
        if not wait_until(lambda: count() >= 2, DELIVERY_TIMEOUT, interval=0.3):
            raise RuntimeError("Postfix did not deliver to Dovecot in time\n" + rm.log_tail())
        m = imap()
        reference = uid_map(m)
        # Two more folders for the sync: one holding a message, one empty (STATUS only).
        m.create("Kept")
        m.append("Kept", None, None, b"From: a@b.example\r\nSubject: kept\r\n\r\nold\r\n")
        m.create("Empty")
        m.logout()
        uids = sorted(reference)
        first, second = uids[0], uids[1]

        def fail(rc, text, why):
            return "%s (exit %d):\n%s" % (why, rc, text[-4000:])

        def sync_all():
            rc, text = tool("sync")
            if rc != 0:
                return fail(rc, text, "sync failed")
            if password in text:
                return "the password is in the transcript"
            if "C: A1 LOGIN %s %s" % (user, "*" * len(password)) not in text:
                return fail(rc, text, "no masked LOGIN")
            if not re.search(r"# folder INBOX exists=2 uidvalidity=[1-9]", text):
                return fail(rc, text, "INBOX not synced")
            # Dovecot offers LIST-STATUS (RFC 5819): the folders' counters come with the LIST,
            # a "* STATUS" after each LIST line; no STATUS command is sent, an empty folder is
            # not opened and only the one holding mail is selected and fetched.
            listed = re.search(r'C: A\d+ LIST "" "\*" RETURN \(STATUS \(MESSAGES UIDNEXT UIDVALIDITY\)\)\n',
                               text)
            if not listed:
                return fail(rc, text, "SyncAll did not use LIST-STATUS")
            if re.search(r"C: A\d+ STATUS ", text):
                return fail(rc, text, "a STATUS command was sent although LIST gave the counters")
            if not re.search(r"S: \* STATUS Empty \(MESSAGES 0 UIDNEXT \d+ UIDVALIDITY [1-9]", text) or \
                    re.search(r"C: A\d+ SELECT Empty", text):
                return fail(rc, text, "the empty folder was opened, or Dovecot gave no STATUS")
            if not re.search(r"# folder Empty exists=0 uidvalidity=[1-9]", text):
                return fail(rc, text, "the empty folder's STATUS was not understood")
            opened = re.search(r"C: A\d+ SELECT Kept\n", text)
            if not opened or opened.start() < listed.start():
                return fail(rc, text, "the folder with mail was not opened after the LIST")
            if not re.search(r"# folder Kept exists=1 uidvalidity=[1-9]", text) or \
                    "subject=kept" not in text:
                return fail(rc, text, "the folder with mail was not synced")
            for uid, subject, frm in ((first, "first", "Sender Person <sender@sender.example>"),
                                      (second, "second", "bob@example.test")):
                size = len(reference[uid][1])
                line = "# message INBOX %d size=%d flags=() " % (uid, size)
                if line not in text or ("subject=%s from=%s" % (subject, frm)) not in text:
                    return fail(rc, text, "message %d not reported as %r" % (uid, line))

        def auth_plain_fetch_byte_exact():
            out = os.path.join(workdir, "fetch")
            rc, text = tool("select:INBOX", "fetch:%d" % first, auth="plain", out=out)
            if rc != 0:
                return fail(rc, text, "fetch failed")
            if "C: A1 AUTHENTICATE PLAIN ****" not in text:
                return fail(rc, text, "no masked AUTHENTICATE PLAIN with SASL-IR")
            got = open(os.path.join(out, "INBOX", "%d.eml" % first), "rb").read()
            if got != reference[first][1]:
                return "body differs: %r != %r" % (got, reference[first][1])
            m = imap()
            now = uid_map(m)
            m.logout()
            if "\\Seen" not in now[first][0]:
                return "BODY[] did not set \\Seen on Dovecot: %r" % (now[first][0],)
            if "\\Seen" in now[second][0]:
                return "message %d became \\Seen too" % second

        def store_flags():
            rc, text = tool("select:INBOX", "store:+FLAGS:\\Flagged,$Work:%d" % second)
            if rc != 0:
                return fail(rc, text, "store failed")
            m = imap()
            flags = uid_map(m)[second][0]
            m.logout()
            if "\\Flagged" not in flags or "$Work" not in flags:
                return "flags on Dovecot: %r" % (flags,)
            if not re.search(r"# message INBOX %d .*flags=\([^)]*\\Flagged" % second, text):
                return fail(rc, text, "the client's model lacks \\Flagged")

        def create_move_append():
            msg = os.path.join(workdir, "append.eml")
            with open(msg, "wb") as f:
                f.write(b"From: me@example.test\r\nSubject: appended\r\n\r\nkept copy\r\n")
            rc, text = tool("create:Archive", "select:INBOX", "move:Archive:%d" % first,
                            "append:Archive:%s:\\Seen" % msg)
            if rc != 0:
                return fail(rc, text, "create/move/append failed")
            if not re.search(r"C: A\d+ UID MOVE %d Archive\n" % first, text):
                return fail(rc, text, "no UID MOVE")
            if "# expunged INBOX %d" % first not in text:
                return fail(rc, text, "the move's EXPUNGE did not reach the model")
            appended = re.search(r"# appended (\d+)", text)
            if not appended or appended.group(1) == "0":
                return fail(rc, text, "no APPENDUID")
            m = imap()
            archive = uid_map(m, "Archive")
            inbox = uid_map(m)
            m.logout()
            if first in inbox:
                return "message %d still in INBOX" % first
            bodies = sorted(v[1] for v in archive.values())
            want = sorted([reference[first][1],
                           b"From: me@example.test\r\nSubject: appended\r\n\r\nkept copy\r\n"])
            if bodies != want:
                return "Archive holds %r" % bodies
            app = archive.get(int(appended.group(1)))
            if not app or "\\Seen" not in app[0]:
                return "appended message %s missing or not \\Seen: %r" % (appended.group(1),
                                                                         archive)

        def expunge():
            rc, text = tool("select:INBOX", "store:+FLAGS:\\Deleted:%d" % second,
                            "expunge:%d" % second)
            if rc != 0:
                return fail(rc, text, "expunge failed")
            if not re.search(r"C: A\d+ UID EXPUNGE %d\n" % second, text):
                return fail(rc, text, "no UID EXPUNGE")
            if "# expunged INBOX %d" % second not in text:
                return fail(rc, text, "no EXPUNGE in the model")
            if count() != 0:
                return "INBOX not empty on Dovecot"

        def idle_until_delivery():
            cmd = [args.client_tool, HOST, str(imap_port), user, password,
                   "--timeout", str(TOOL_TIMEOUT - 10), "select:INBOX", "idle"]
            p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
            lines = []
            try:
                for raw in p.stdout:
                    line = raw.decode("utf-8", "replace")
                    lines.append(line)
                    if line.startswith("S: + "):
                        break
                else:
                    return "IDLE never accepted:\n" + "".join(lines)
                send("pushed", "while idling\r\n")
                rest = p.communicate(timeout=TOOL_TIMEOUT)[0].decode("utf-8", "replace")
            except subprocess.TimeoutExpired:
                p.kill()
                p.communicate()
                return "the client did not leave IDLE:\n" + "".join(lines)
            text = "".join(lines) + rest
            if p.returncode != 0:
                return fail(p.returncode, text, "idle failed")
            if "C: DONE" not in text or not re.search(r"S: \* \d+ EXISTS", rest):
                return fail(p.returncode, text, "no EXISTS / DONE")
            if not re.search(r"# message INBOX \d+ .*subject=pushed", text):
                return fail(p.returncode, text, "the new message was not fetched")

        def wrong_password():
            rc, text = tool("sync", pw="wrong")
            if rc != 1 or "# error: Login failed: NO" not in text:
                return fail(rc, text, "wrong password not reported")

        def missing_folder():
            rc, text = tool("select:Nowhere", "noop")
            if rc != 1 or "# error: SELECT Nowhere failed: NO" not in text:
                return fail(rc, text, "SELECT of a missing folder not reported")
            if "C: A3 NOOP" not in text or "# outcome: failed" not in text:
                return fail(rc, text, "the session did not go on after the NO")

        check("Dovecot: LOGIN, sync every folder (flags, size, subject, from)", sync_all)
        check("Dovecot: AUTHENTICATE PLAIN, FETCH BODY[] byte-exact, sets \\Seen",
              auth_plain_fetch_byte_exact)
        check("Dovecot: STORE +FLAGS", store_flags)
        check("Dovecot: CREATE, MOVE, APPEND (APPENDUID)", create_move_append)
        check("Dovecot: \\Deleted + UID EXPUNGE", expunge)
        check("Dovecot: IDLE ends when new mail arrives", idle_until_delivery)
        check("Dovecot: wrong password reported", wrong_password)
        check("Dovecot: NO for a missing folder, session goes on", missing_folder)
    except Exception as e:  # noqa: BLE001
        setup_failed(e)
    finally:
        rm.stop()
        clean_up(workdir, args.keep)
    return summary()


if __name__ == "__main__":
    sys.exit(main())

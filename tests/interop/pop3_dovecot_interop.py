#!/usr/bin/env python3
"""Interop test: mailsim's POP3 client engine against a real Dovecot.

The private Postfix + Dovecot come from tests/fixtures/real-mail.sh (needs root). Mail is
delivered through Postfix (smtplib), read once with Python's poplib as the reference, and
then downloaded with pop3_client_tool (net::pop3::Client over a real socket) using USER/PASS
and AUTH PLAIN, keeping mail on the server (known UIDLs skipped) and deleting it. Each
check prints "ok - name" or "not ok - name: why"; the exit status is non-zero when any check
fails. The fixture is always stopped.

Usage: pop3_dovecot_interop.py --client-tool PATH --fixture PATH [--keep]
"""

import argparse
import os
import poplib
import smtplib
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from mailtest import (  # noqa: E402
    HOST, RealMail, check, clean_up, joined, setup_failed, summary, wait_until,
)

IO_TIMEOUT = 15
DELIVERY_TIMEOUT = 30


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--client-tool", required=True)
    ap.add_argument("--fixture", required=True)
    ap.add_argument("--keep", action="store_true")
    args = ap.parse_args()
    workdir = tempfile.mkdtemp(prefix="mailsim-pop3-dovecot-")
    os.chmod(workdir, 0o755)  # the fixture's server users must traverse it
    rm = RealMail(args.fixture, workdir)
    try:
        rm.start()
        env = rm.env
        user, password = env["MAIL_USER"], env["MAIL_PASS"]
        address = "%s@%s" % (user, env["MAIL_DOMAIN"])
        pop3_port = int(env["POP3_PORT"])

        def pop():
            m = poplib.POP3(HOST, pop3_port, timeout=IO_TIMEOUT)
            m.user(user)
            m.pass_(password)
            return m

        def tool(*extra, out=None):
            cmd = [args.client_tool, HOST, str(pop3_port), user, password] + list(extra)
            if out:
                os.makedirs(out, exist_ok=True)
                cmd += ["--out", out]
            return subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                  timeout=60)

        bodies = ["first\r\n.leading dot\r\n..two dots\r\n.\r\nend\r\n", "second\r\n"]
        with smtplib.SMTP(HOST, int(env["SMTP_PORT"]), timeout=IO_TIMEOUT) as s:
            for i, b in enumerate(bodies):
                s.sendmail("sender@sender.example", [address],
                           ("From: sender@sender.example\r\nTo: %s\r\nSubject: m%d\r\n\r\n%s" %
                            (address, i, b)).encode())

        def both_delivered():
            m = pop()
            if m.stat()[0] >= 2:
                return m
            m.quit()
            return None

        m = wait_until(both_delivered, DELIVERY_TIMEOUT, interval=0.3)
        if m is None:
            raise RuntimeError("Postfix did not deliver to Dovecot in time")
        reference = [joined(m.retr(i)[1]) for i in (1, 2)]
        uidls = [l.split(b" ", 1)[1].decode() for l in m.uidl()[1]]
        m.quit()

        def user_pass_all():
            out = os.path.join(workdir, "all")
            r = tool("--auth", "user", "--mode", "all", out=out)
            text = r.stdout.decode("utf-8", "replace")
            if r.returncode != 0:
                return "exit %d:\n%s" % (r.returncode, text)
            for i in (1, 2):
                got = open(os.path.join(out, "%d.eml" % i), "rb").read()
                if got != reference[i - 1]:
                    return "message %d differs: %r != %r" % (i, got, reference[i - 1])
                if "# message %d uidl %s " % (i, uidls[i - 1]) not in text:
                    return "UIDL of %d not reported:\n%s" % (i, text)
            if password in text:
                return "the password is in the transcript"

        def plain_keep_known():
            out = os.path.join(workdir, "keep")
            r = tool("--auth", "plain", "--mode", "keep", "--known", uidls[0], out=out)
            text = r.stdout.decode("utf-8", "replace")
            if r.returncode != 0:
                return "exit %d:\n%s" % (r.returncode, text)
            if "C: AUTH PLAIN " not in text:
                return "no AUTH PLAIN:\n" + text
            if os.path.exists(os.path.join(out, "1.eml")):
                return "the known message was downloaded again"
            if open(os.path.join(out, "2.eml"), "rb").read() != reference[1]:
                return "message 2 differs"

        def wrong_password():
            r = subprocess.run([args.client_tool, HOST, str(pop3_port), user, "wrong"],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=60)
            text = r.stdout.decode("utf-8", "replace")
            if r.returncode != 1 or "# error: Login failed: " not in text:
                return "exit %d:\n%s" % (r.returncode, text)

        def delete():
            out = os.path.join(workdir, "delete")
            r = tool("--mode", "delete", out=out)
            text = r.stdout.decode("utf-8", "replace")
            if r.returncode != 0:
                return "exit %d:\n%s" % (r.returncode, text)
            if "C: DELE 2" not in text:
                return "no DELE:\n" + text
            m = pop()
            left = m.stat()[0]
            m.quit()
            if left != 0:
                return "%d messages left on Dovecot" % left

        check("Dovecot: USER/PASS, download all, byte-exact vs poplib, UIDLs", user_pass_all)
        check("Dovecot: AUTH PLAIN, leave on server, known UIDL skipped", plain_keep_known)
        check("Dovecot: wrong password reported", wrong_password)
        check("Dovecot: delete after download empties the mailbox", delete)
    except Exception as e:  # noqa: BLE001
        setup_failed(e)
    finally:
        rm.stop()
        clean_up(workdir, args.keep)
    return summary()


if __name__ == "__main__":
    sys.exit(main())

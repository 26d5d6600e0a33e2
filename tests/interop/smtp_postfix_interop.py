#!/usr/bin/env python3
"""Interop test: mailsim's SMTP engines against a real Postfix, in both directions.

(a) Our client engine (net::smtp::Client over net::socket::run_client, driven by the
    smtp_client_tool binary) submits to Postfix, with and without AUTH; Postfix delivers
    over LMTP into Dovecot, and the stored message is compared byte for byte.
(b) Postfix's own SMTP client relays mail for recipient.example into `mailsim serve`; the
    message must arrive in serve's Maildir with its exact body and Postfix's Received field.

The private Postfix + Dovecot come from tests/fixtures/real-mail.sh (needs root). Each check
prints "ok - name" or "not ok - name: why"; the exit status is non-zero when any check
fails; a missing server package is a failure, not a skip. Everything started here is
stopped by PID, whatever happens.

Usage: smtp_postfix_interop.py --mailsim PATH --client-tool PATH --fixture PATH [--keep]
"""

import argparse
import base64
import os
import random
import re
import shutil
import smtplib
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mailtest  # noqa: E402
from mailtest import (  # noqa: E402
    HOST, MailsimServer, clean_up, failures, free_port, listener, not_ok, ok, summary, wait_until,
)

RELAY_DOMAIN = "recipient.example"
BRUNO = "bruno@" + RELAY_DOMAIN
BRUNO_PASSWORD = "bruno-pw"
IO_TIMEOUT = 20  # seconds for any one client run (ASan builds are slow)
POSTFIX_MAX_SIZE = 1000000  # the fixture's message_size_limit (advertised as SIZE)
DELIVERY_TIMEOUT = 30  # seconds for a message to travel through Postfix


def check(name, fn):
    """mailtest.check, with the time each check took."""
    mailtest.check(name, fn, timed=True)


def crlf(text):
    return text.replace("\n", "\r\n").encode()


def body_of(stored):
    """The body of a stored message (Maildir files have LF line endings)."""
    head, sep, body = stored.partition(b"\n\n")
    if not sep:
        raise AssertionError("stored message has no header/body separator: %r" % stored[:300])
    return body


def headers_of(stored):
    """Header fields, unfolded (RFC 5322 §2.2.3), in order."""
    head = stored.partition(b"\n\n")[0].decode("utf-8", "replace")
    return re.sub(r"\n[ \t]+", " ", head).split("\n")


# ----------------------------------------------------------------------------- servers
class RealMail(mailtest.RealMail):
    """The fixture's Postfix + Dovecot, relaying recipient.example to mailsim serve."""

    def start(self, relay_port):
        return super().start({"REAL_MAIL_MAX_SIZE": str(POSTFIX_MAX_SIZE),
                              "REAL_MAIL_RELAY": "%s=%s:%d" % (RELAY_DOMAIN, HOST, relay_port)})


class Serve(MailsimServer):
    """`mailsim serve` for recipient.example; output to a file, never a pipe."""

    READY = re.compile(r"mailsim: SMTP on (\S+):(\d+) for (\S+)")

    def __init__(self, mailsim, workdir):
        self.maildir = os.path.join(workdir, "serve-maildir")
        super().__init__([mailsim, "serve", "--smtp", "0", "--bind", HOST,
                          "--domain", RELAY_DOMAIN, "--user", "bruno:" + BRUNO_PASSWORD,
                          "--user", "carol:carol-pw", "--maildir", self.maildir],
                         os.path.join(workdir, "serve.log"))
        self.port = None

    def start(self, timeout=30):
        (m,) = self.start_and_wait([self.READY], timeout)
        self.port = int(m.group(2))

    def new_dir(self, address):
        return os.path.join(self.maildir, address, "new")


def files_in(d):
    return {os.path.join(d, f) for f in os.listdir(d)} if os.path.isdir(d) else set()


def wait_for_file(d, token, mail=None, timeout=DELIVERY_TIMEOUT):
    """The one file in d that contains token; flushes Postfix's queue now and then."""
    deadline = time.monotonic() + timeout
    next_flush = time.monotonic() + 3
    while True:
        found = []
        for path in files_in(d):
            with open(path, "rb") as f:
                data = f.read()
            if token in data:
                found.append(data)
        if len(found) == 1:
            return found[0]
        if len(found) > 1:
            raise AssertionError("%d copies of %r in %s" % (len(found), token, d))
        now = time.monotonic()
        if now > deadline:
            raise AssertionError("no message with %r in %s after %ss" % (token, d, timeout))
        if mail is not None and now > next_flush:
            mail.flush_queue()  # a deferred message is retried at once
            next_flush = now + 3
        time.sleep(0.05)


# ----------------------------------------------------------------------------- client tool
class ToolRun:
    def __init__(self, proc, seconds):
        self.rc = proc.returncode
        self.out = proc.stdout.decode("utf-8", "replace")
        self.seconds = seconds

    def line(self, prefix):
        for ln in self.out.splitlines():
            if ln.startswith(prefix):
                return ln
        return ""

    def __str__(self):
        return "exit %s, output:\n%s" % (self.rc, self.out[-3000:])


def run_tool(tool, port, rcpts, message, sender=None, auth=None, extra=(), host=HOST):
    args = [tool, host, str(port), sender or "sender@example.test", ",".join(rcpts), "-"]
    if auth:
        args += ["--auth", auth[0], auth[1]]
    args += list(extra)
    t0 = time.monotonic()
    p = subprocess.run(args, input=message, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       timeout=IO_TIMEOUT * 2)
    return ToolRun(p, time.monotonic() - t0)


def unique(tag):
    return "%s-%d-%06d" % (tag, os.getpid(), random.randrange(10**6))


# ----------------------------------------------------------------------------- (a) checks
def client_checks(tool, mail, serve):
    env = mail.env
    user, pw = env["MAIL_USER"], env["MAIL_PASS"]
    user2 = env["MAIL_USER2"]
    domain = env["MAIL_DOMAIN"]
    alice, bob = "%s@%s" % (user, domain), "%s@%s" % (user2, domain)
    port = mail.port()

    def submit(name, rcpt, body, auth, mailbox, expect_auth_line, to_port=None):
        token = unique(name)
        msg = crlf("From: <sender@example.test>\nTo: <%s>\nSubject: %s\n\n" % (rcpt, token)) + body
        r = run_tool(tool, to_port or port, [rcpt], msg, auth=auth)
        if r.rc != 0 or "# outcome: delivered" not in r.out:
            return "not delivered: %s" % r
        if expect_auth_line and not re.search(r"^S: 235 ", r.out, re.M):
            return "no 235 after AUTH: %s" % r
        if not expect_auth_line and re.search(r"^C: AUTH", r.out, re.M):
            return "AUTH sent without credentials: %s" % r
        stored = wait_for_file(mail.new_dir(mailbox), token.encode(), mail)
        expected = body.replace(b"\r\n", b"\n")
        if body_of(stored) != expected:
            return "stored body %r, expected %r" % (body_of(stored)[:400], expected[:400])
        return None

    plain_body = crlf("Hello Alice,\n\nthis came from mailsim's own SMTP client.\n-- \nBruno\n")
    check("client → Postfix: AUTH PLAIN submission to %s, body stored exactly in Dovecot" % alice,
          lambda: submit("auth", alice, plain_body, (user, pw), user, True))

    def credentials_masked():
        r = run_tool(tool, port, [alice], crlf("Subject: mask\n\nx\n"), auth=(user, pw))
        blob = base64.b64encode(("\0%s\0%s" % (user, pw)).encode()).decode()
        if r.rc != 0:
            return str(r)
        if blob in r.out or not re.search(r"^C: AUTH PLAIN \*+$", r.out, re.M):
            return "AUTH PLAIN credentials not masked: %s" % r
        return None

    check("client tool: AUTH PLAIN credentials masked in the transcript", credentials_masked)
    check("client → Postfix: submission without AUTH from loopback to %s, body exact" % bob,
          lambda: submit("noauth", bob, plain_body, None, user2, False))

    stuffed = crlf(".\n..\n.x\n. \n...\nx.\nend.\n.\n\n.leading dot line\nlast\n")
    check("client → Postfix: dot-stuffed body survives byte-exact",
          lambda: submit("dots", alice, stuffed, (user, pw), user, True))

    eight = "Olá, ação — ünïcödé ✓\n".encode("utf-8").replace(b"\n", b"\r\n")
    check("client → Postfix: 8-bit UTF-8 body (BODY=8BITMIME) byte-exact",
          lambda: submit("8bit", alice, eight, (user, pw), user, True))

    big = "".join(("." if i % 5 == 0 else "") + "%06d " % i + "z" * 66 + "\n"
                  for i in range(5000))
    check("client → Postfix: 375 KB message with many dot lines byte-exact",
          lambda: submit("big", alice, crlf(big), (user, pw), user, True))

    submission = int(env["SUBMISSION_PORT"])

    def auth_login():
        why = submit("login", alice, plain_body, (user, pw), user, True, submission)
        if why:
            return why
        r = run_tool(tool, submission, [alice], crlf("Subject: mask\n\nx\n"), auth=(user, pw))
        secrets = [base64.b64encode(x.encode()).decode() for x in (user, pw)]
        if r.rc != 0 or not re.search(r"^C: AUTH LOGIN$", r.out, re.M):
            return "no AUTH LOGIN exchange: %s" % r
        if any(x in r.out for x in secrets) or len(re.findall(r"^C: \*+$", r.out, re.M)) != 2:
            return "LOGIN user name and password not masked: %s" % r
        return None

    check("client → Postfix submission port (only AUTH LOGIN offered): LOGIN exchange, body "
          "exact, both answers masked", auth_login)

    def submission_needs_auth():
        r = run_tool(tool, submission, [alice], crlf("Subject: x\n\nx\n"))
        if r.rc != 1 or " 554 5.7.1 " not in r.line("# rcpt <%s>:" % alice):
            return "expected 554 5.7.1 without AUTH: %s" % r
        if "not delivered (permanent)" not in r.out:
            return "outcome: %s" % r
        return None

    check("client → Postfix submission port without AUTH → 554 5.7.1, not delivered",
          submission_needs_auth)

    def too_big():
        msg = crlf("Subject: big\n\n") + (b"w" * 98 + b"\r\n") * (POSTFIX_MAX_SIZE // 100 + 500)
        r = run_tool(tool, port, [alice], msg)
        if r.rc != 1 or not re.search(r"^C: MAIL FROM:<[^>]*> SIZE=%d$" % len(msg), r.out, re.M):
            return "expected MAIL FROM with SIZE=%d: %s" % (len(msg), r)
        if not re.search(r"^S: 552 5\.3\.4 ", r.out, re.M) or \
                "not delivered (permanent): the server refused the sender: 552" not in r.out:
            return "expected 552 5.3.4 at MAIL (RFC 1870): %s" % r
        if re.search(r"^C: w{98}$", r.out, re.M):
            return "message content sent after the refusal: %s" % r
        return None

    check("client → Postfix: SIZE over the server's limit → 552 5.3.4 at MAIL, content never "
          "sent (RFC 1870)", too_big)

    def wrong_password():
        r = run_tool(tool, port, [alice], crlf("Subject: x\n\nx\n"), auth=(user, "wrong-pw"))
        if r.rc != 1 or not re.search(r"^S: 535 5\.7\.8", r.out, re.M):
            return "expected exit 1 after 535 5.7.8: %s" % r
        if "# outcome: not delivered (permanent): login failed" not in r.out:
            return "outcome: %s" % r
        if re.search(r"^C: (MAIL|DATA)", r.out, re.M):
            return "went on after a failed login: %s" % r
        return None

    check("client → Postfix: wrong password → 535 5.7.8, not delivered (permanent)",
          wrong_password)

    def rejected_recipient():
        nobody = "nobody@" + domain
        r = run_tool(tool, port, [nobody], crlf("Subject: x\n\nx\n"))
        if r.rc != 1:
            return "expected exit 1: %s" % r
        rc = r.line("# rcpt <%s>:" % nobody)
        if " 550 5.1.1 " not in rc:
            return "expected 550 5.1.1 for %s: %s" % (nobody, r)
        if "# outcome: not delivered (permanent): the server refused every recipient" not in r.out:
            return "outcome: %s" % r
        return None

    check("client → Postfix: unknown recipient → 550 5.1.1, not delivered (permanent)",
          rejected_recipient)

    def mixed_recipients():
        token = unique("mixed")
        nobody = "nobody@" + domain
        r = run_tool(tool, port, [nobody, alice], crlf("Subject: %s\n\nmixed\n" % token))
        if r.rc != 0 or " 550 5.1.1 " not in r.line("# rcpt <%s>:" % nobody):
            return "expected delivery with %s refused: %s" % (nobody, r)
        if " 250 " not in r.line("# rcpt <%s>:" % alice):
            return "alice not accepted: %s" % r
        return None if body_of(wait_for_file(mail.new_dir(user), token.encode(), mail)) == \
            b"mixed\n" else "wrong body"

    check("client → Postfix: one of two recipients refused (pipelined), the other delivered",
          mixed_recipients)

    def through_postfix_into_serve():
        token = unique("chain")
        body = crlf("Our client -> Postfix -> mailsim serve.\n.dot\n")
        msg = crlf("Subject: %s\n\n" % token) + body
        r = run_tool(tool, port, [BRUNO], msg, sender=alice, auth=(user, pw))
        if r.rc != 0:
            return str(r)
        stored = wait_for_file(serve.new_dir(BRUNO), token.encode(), mail)
        if body_of(stored) != body.replace(b"\r\n", b"\n"):
            return "body %r" % body_of(stored)
        return None

    check("client → Postfix (AUTH) → relayed into mailsim serve: body exact",
          through_postfix_into_serve)


def runner_error_checks(tool):
    def refused():
        port = free_port()  # nothing listens there now
        r = run_tool(tool, port, ["a@example.test"], b"Subject: x\r\n\r\nx\r\n")
        want = "# session error: connection refused by %s:%d" % (HOST, port)
        if r.rc != 1 or want not in r.out or "not delivered (temporary)" not in r.out:
            return "expected %r and a temporary failure: %s" % (want, r)
        return None

    check("client runner: closed port → 'connection refused by 127.0.0.1:PORT'", refused)

    def timed_out():
        srv = listener()  # accepts (kernel backlog) but never greets
        try:
            r = run_tool(tool, srv.getsockname()[1], ["a@example.test"], b"x\r\n",
                         extra=["--timeout", "2"])
        finally:
            srv.close()
        if r.rc != 1 or "# session error: timed out after 2 s" not in r.out:
            return "expected 'timed out after 2 s': %s" % r
        if not 1.5 <= r.seconds <= 10:
            return "took %.1f s for a 2 s timeout" % r.seconds
        if "not delivered (temporary)" not in r.out:
            return "outcome not temporary: %s" % r
        return None

    check("client runner: silent server → 'timed out after 2 s' within bounds", timed_out)


# ----------------------------------------------------------------------------- (b) checks
def relay_checks(mail, serve):
    env = mail.env
    alice = "%s@%s" % (env["MAIL_USER"], env["MAIL_DOMAIN"])

    def relayed():
        token = unique("relay")
        body = crlf("Relayed by Postfix's own SMTP client.\n.\n..two dots\n. space\nend\n")
        msg = crlf("From: <%s>\nTo: <%s>\nSubject: %s\n\n" % (alice, BRUNO, token)) + body
        with smtplib.SMTP(HOST, mail.port(), timeout=IO_TIMEOUT) as s:
            s.ehlo("injector.example.test")
            refused = s.sendmail(alice, [BRUNO], msg)
        if refused:
            return "Postfix refused %r" % refused
        stored = wait_for_file(serve.new_dir(BRUNO), token.encode(), mail)
        if body_of(stored) != body.replace(b"\r\n", b"\n"):
            return "body %r, expected %r" % (body_of(stored), body.replace(b"\r\n", b"\n"))
        fields = headers_of(stored)
        received = [f for f in fields if f.lower().startswith("received:")]
        if len(received) < 2:
            return "expected our Received and Postfix's: %r" % fields
        # Ours comes first (newest on top, RFC 5321 §4.4): from Postfix's EHLO name.
        ours, theirs = received[0], received[1]
        host = "mail." + env["MAIL_DOMAIN"]
        if not re.search(r"from %s .*by mx\.%s with ESMTP" % (re.escape(host),
                                                             re.escape(RELAY_DOMAIN)), ours):
            return "our Received does not show Postfix as the client: %r" % ours
        if not re.search(r"by %s \(Postfix\) with ESMTP id \w+" % re.escape(host), theirs):
            return "no Received field from Postfix: %r" % theirs
        if fields[0] != "Return-Path: <%s>" % alice:
            return "first field %r, expected Return-Path: <%s>" % (fields[0], alice)
        return None

    check("Postfix → mailsim serve: relayed message stored with exact body, Postfix's "
          "Received field and ours", relayed)

    def postfix_log_says_sent():
        with open(env["POSTFIX_LOG"], "rb") as f:
            log = f.read().decode("utf-8", "replace")
        if not re.search(r"postfix/smtp\[\d+\]: \w+: to=<%s>, relay=%s\[%s\]:%d.*status=sent "
                         r"\(250 " % (re.escape(BRUNO), HOST, HOST, serve.port), log):
            return "Postfix's log has no status=sent via 127.0.0.1:%d for %s" % (serve.port, BRUNO)
        return None

    check("Postfix → mailsim serve: Postfix's smtp client logs status=sent with our 250",
          postfix_log_says_sent)

    def relay_kind(name, body, rcpts, mail_options=()):
        token = unique(name)
        msg = crlf("From: <%s>\nSubject: %s\n\n" % (alice, token)) + body
        with smtplib.SMTP(HOST, mail.port(), timeout=IO_TIMEOUT) as s:
            s.ehlo("injector.example.test")
            refused = s.sendmail(alice, rcpts, msg, mail_options=list(mail_options))
        if refused:
            return "Postfix refused %r" % refused
        for rcpt in rcpts:
            stored = wait_for_file(serve.new_dir(rcpt), token.encode(), mail)
            if body_of(stored) != body.replace(b"\r\n", b"\n"):
                return "%s: body %r..., expected %r..." % (rcpt, body_of(stored)[:200],
                                                         body.replace(b"\r\n", b"\n")[:200])
        return None

    check("Postfix → mailsim serve: 8-bit UTF-8 body (BODY=8BITMIME) byte-exact",
          lambda: relay_kind("relay8", "Olá — ação ✓\n.\n".encode().replace(b"\n", b"\r\n"),
                             [BRUNO], ["BODY=8BITMIME"]))
    big = "".join(("." if i % 3 == 0 else "") + "%06d " % i + "q" * 70 + "\n"
                  for i in range(8000))
    check("Postfix → mailsim serve: 620 KB message with many dot lines byte-exact",
          lambda: relay_kind("relaybig", crlf(big), [BRUNO]))
    check("Postfix → mailsim serve: one message for two recipients, both copies exact",
          lambda: relay_kind("relay2", crlf("to both\n"), [BRUNO, "carol@" + RELAY_DOMAIN]))

    def bounce_from_our_550():
        # mailsim serve refuses an unknown user at RCPT (550 5.1.1); Postfix must bounce to
        # the sender, whose mailbox is in Dovecot (RFC 3464 report).
        token = unique("bounce")
        nobody = "nobody@" + RELAY_DOMAIN
        before = files_in(mail.new_dir(env["MAIL_USER"]))
        with smtplib.SMTP(HOST, mail.port(), timeout=IO_TIMEOUT) as s:
            s.sendmail(alice, [nobody], crlf("Subject: %s\n\nto nobody\n" % token))

        def bounce():
            for path in files_in(mail.new_dir(env["MAIL_USER"])) - before:
                with open(path, "rb") as f:
                    data = f.read()
                if token.encode() in data and b"Undelivered Mail" in data:
                    return data
            return None

        data = wait_until(bounce, DELIVERY_TIMEOUT, interval=0.1)
        if data is None:
            return "no bounce for %s in %s's mailbox" % (nobody, alice)
        if not re.search(rb"550[ -]5\.1\.1", data):
            return "bounce lacks our 550 5.1.1: %r" % data[:1500]
        return None

    check("Postfix → mailsim serve: our 550 at RCPT becomes Postfix's bounce to the sender",
          bounce_from_our_550)


# ----------------------------------------------------------------------------- main
def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--mailsim", required=True)
    ap.add_argument("--client-tool", required=True)
    ap.add_argument("--fixture", required=True)
    ap.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = ap.parse_args()

    t_start = time.monotonic()
    if os.geteuid() != 0:
        not_ok("running as root", "the Postfix fixture needs root (CI runs as root)")
    for prog in ("postfix", "postqueue", "dovecot"):
        if shutil.which(prog) is None and not os.access("/usr/sbin/" + prog, os.X_OK):
            not_ok("%s installed" % prog, "missing (bash .ci/install-deps --test)")
    for path in (args.mailsim, args.client_tool):
        if not os.access(path, os.X_OK):
            not_ok("binary " + path, "not executable")
    if failures:
            return summary()
    os.environ["PATH"] = os.environ.get("PATH", "") + ":/usr/sbin:/sbin"

    workdir = tempfile.mkdtemp(prefix="mspf-", dir="/tmp")  # short: unix socket paths
    os.chmod(workdir, 0o755)  # the mail servers' users must traverse it
    serve = Serve(args.mailsim, workdir)
    mail = RealMail(args.fixture, workdir)
    try:
        try:
            serve.start()
            ok("mailsim serve ready on %s:%d" % (HOST, serve.port))
            t0 = time.monotonic()
            note = mail.start(serve.port)
            ok("Postfix + Dovecot fixture up in %.2f s (SMTP port %d)"
               % (time.monotonic() - t0, mail.port()))
            print("# " + note.replace("\n", "\n# "))
        except Exception as e:  # noqa: BLE001
            not_ok("servers start", e)
            return 1
        t0 = time.monotonic()
        client_checks(args.client_tool, mail, serve)
        runner_error_checks(args.client_tool)
        print("# client checks took %.2f s" % (time.monotonic() - t0))
        t0 = time.monotonic()
        relay_checks(mail, serve)
        print("# relay checks took %.2f s" % (time.monotonic() - t0))
    finally:
        if failures:
            print(mail.log_tail())
            print("# --- mailsim serve log ---\n" + serve.read_log()[-4000:]
                  if serve.proc else "")
        mail.stop()
        serve.stop()
        clean_up(workdir, args.keep, "# files kept in ")
    return summary(" in %.2f s" % (time.monotonic() - t_start))


if __name__ == "__main__":
    sys.exit(main())

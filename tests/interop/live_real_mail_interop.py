#!/usr/bin/env python3
"""Interop test: `mailsim live` against the real Postfix + Dovecot of
tests/fixtures/real-mail.sh (needs root). The fixture's certificate is self-signed
(MAIL_CA), so it is untrusted unless passed with --ca-file.

Checks: smtp:// with STARTTLS + AUTH + --send (the message reaches Dovecot), imaps://,
pop3s:// and imap:// plain, each asserting on the recorded --trace (TLS version present, the
commands sent, the password absent from the trace and stdout); --pcap of imap:// and imaps:// read by tshark
(IMAP requests with the password masked; only TLS under imaps://, decrypted with --keylog)
and by `mailsim open --transcript`; an untrusted certificate fails
without --ca-file (and says why) and passes with it; --insecure prints a warning; a wrong
password exits non-zero with a clear message; a refused port and an unknown host give clear
errors. Also `mailsim live` against `mailsim serve --tls-auto` (trust through --ca-file).
Prints "ok - name" per check.

Usage: live_real_mail_interop.py --mailsim PATH --fixture PATH [--keep]
"""

import argparse
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from mailtest import (  # noqa: E402
    HOST, MailsimServer, RealMail, check, clean_up, free_port, listener, setup_failed, summary,
    wait_until,
)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--mailsim", required=True)
    ap.add_argument("--fixture", required=True)
    ap.add_argument("--keep", action="store_true")
    args = ap.parse_args()
    work = tempfile.mkdtemp(prefix="mailsim-live-")
    os.chmod(work, 0o755)  # the fixture's server users must traverse it
    rm = RealMail(args.fixture, work)
    try:
        rm.start()
    except Exception as e:  # noqa: BLE001
        setup_failed(e)
        return summary()
    try:
        run_checks(args, work, rm.env)
    finally:
        rm.stop()
    clean_up(work, args.keep)
    return summary()


def run_checks(args, work, env):
    user, password = env["MAIL_USER"], env["MAIL_PASS"]
    domain = env["MAIL_DOMAIN"]
    ca = env["MAIL_CA"]
    counter = [0]

    def live(url, *extra, pw=password, timeout=60):
        counter[0] += 1
        trace = os.path.join(work, "live%d.jsonl" % counter[0])
        e = dict(os.environ)
        e["MAILSIM_PASSWORD"] = pw
        r = subprocess.run([args.mailsim, "live", url, "--trace", trace] + list(extra),
                           stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, env=e, timeout=timeout)
        events = []
        if os.path.exists(trace):
            with open(trace) as f:
                events = [json.loads(l) for l in f if l.strip()]
        return r, events, open(trace).read() if os.path.exists(trace) else ""

    def sent_commands(events):
        return [e.get("text", "") for e in events
                if e.get("type") == "line" and e.get("from_client")]

    def tls_versions(events):
        return [e["what"] for e in events
                if e.get("type") == "tls" and e.get("what", "").startswith("established TLSv1.")]

    def common(r, events, raw, want_cmds, want_tls=True):
        out = r.stdout.decode(errors="replace")
        err = r.stderr.decode(errors="replace")
        if r.returncode != 0:
            return "exit %d: %s\n%s" % (r.returncode, err, out[-2000:])
        if want_tls and not tls_versions(events):
            return "no 'established TLSv1.x' in the trace"
        cmds = " | ".join(sent_commands(events))
        for c in want_cmds:
            if not re.search(c, cmds):
                return "command %r not sent: %s" % (c, cmds)
        if password in raw or password in out or password in err:
            return "the password appears in the trace or the output"
        if "C: " not in out or "S: " not in out:
            return "no transcript on stdout: %s" % out[:500]

    eml = os.path.join(work, "msg.eml")
    with open(eml, "w") as f:
        f.write("From: %s@%s\nTo: %s@%s\nSubject: live test\n\nsent by mailsim live\n"
                % (user, domain, user, domain))

    def smtp_starttls():
        r, ev, raw = live("smtp://%s:%s" % (HOST, env["SMTP_PORT"]), "--user", user,
                          "--ca-file", ca, "--starttls", "--send", eml,
                          "--from", "%s@%s" % (user, domain), "--to", "%s@%s" % (user, domain))
        why = common(r, ev, raw, [r"^EHLO", r"STARTTLS", r"AUTH ", r"MAIL FROM", r"QUIT"])
        if why:
            return why
        box = os.path.join(env["MAILDIR_ROOT"], user, "Maildir", "new")

        def arrived():
            return any("sent by mailsim live" in open(os.path.join(box, n)).read()
                       for n in (os.listdir(box) if os.path.isdir(box) else []))
        if not wait_until(arrived, 20):
            return "the message did not reach Dovecot"
    check("live smtp:// STARTTLS + AUTH + --send", smtp_starttls)

    def smtp_hidden_body():
        r, ev, raw = live("smtp://%s:%s" % (HOST, env["SMTP_PORT"]), "--user", user,
                          "--ca-file", ca, "--starttls", "--send", eml, "--hide-bodies",
                          "--from", "%s@%s" % (user, domain), "--to", "%s@%s" % (user, domain))
        why = common(r, ev, raw, [r"^EHLO", r"MAIL FROM", r"DATA", r"QUIT"])
        if why:
            return why
        out = r.stdout.decode(errors="replace")
        if "sent by mailsim live" in raw or "sent by mailsim live" in out:
            return "the body is in the trace or the transcript"
        if "Subject: live test" not in raw or "(body line hidden: 20 bytes)" not in raw:
            return "the header or the hidden-line marker is missing: %s" % raw[-800:]
    check("live smtp:// --send --hide-bodies keeps the header, hides the body", smtp_hidden_body)

    def imaps():
        r, ev, raw = live("imaps://%s:%s" % (HOST, env["IMAPS_PORT"]), "--user", user,
                          "--ca-file", ca)
        return common(r, ev, raw, [r"CAPABILITY|LOGIN", r"LOGIN", r"EXAMINE INBOX",
                                   r"UID FETCH", r"LOGOUT"])
    check("live imaps://", imaps)

    def imaps_idle():
        r, ev, raw = live("imaps://%s:%s" % (HOST, env["IMAPS_PORT"]), "--user", user,
                          "--ca-file", ca, "--idle", "1")
        return common(r, ev, raw, [r"IDLE", r"DONE", r"LOGOUT"])
    check("live imaps:// --idle 1", imaps_idle)

    def pop3s():
        r, ev, raw = live("pop3s://%s:%s" % (HOST, env["POP3S_PORT"]), "--user", user,
                          "--ca-file", ca)
        why = common(r, ev, raw, [r"CAPA", r"USER", r"PASS", r"STAT", r"LIST", r"QUIT"])
        if why:
            return why
        if any(c.startswith("DELE") for c in sent_commands(ev)):
            return "DELE was sent"
        if any(c.startswith("RETR") for c in sent_commands(ev)):
            return "RETR was sent: live must not download the mailbox"
    check("live pop3s:// (nothing deleted or downloaded)", pop3s)

    def imap_plain():
        r, ev, raw = live("imap://%s:%s" % (HOST, env["IMAP_PORT"]), "--user", user)
        return common(r, ev, raw, [r"LOGIN", r"EXAMINE INBOX", r"LOGOUT"], want_tls=False)
    check("live imap:// plain", imap_plain)

    # --pcap: the bytes that crossed the socket, read back by tshark (the fixture's ports are
    # not the well-known ones, so tshark is told which dissector each port takes).
    def tshark(path, *a):
        return subprocess.run(["tshark", "-n", "-r", path] + list(a), stdin=subprocess.DEVNULL,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=60)

    def pcap_problems(path, decode):
        r = tshark(path, "-d", decode)
        err = [l for l in r.stderr.decode(errors="replace").splitlines()
               if l.strip() and "This could be dangerous" not in l]  # tshark run as root
        if r.returncode != 0 or err:
            return "tshark -r: exit %d: %s" % (r.returncode, err)
        if not r.stdout.strip():
            return "tshark shows no packets"
        r = tshark(path, "-d", decode, "-q", "-z", "expert,error")
        out = r.stdout.decode(errors="replace")
        if r.returncode != 0 or re.search(r"Errors \(\d+\)", out):
            return "tshark expert errors: %s" % out[-1500:]

    def imap_pcap():
        port = env["IMAP_PORT"]
        pcap = os.path.join(work, "imap-plain.pcap")
        r, ev, raw = live("imap://%s:%s" % (HOST, port), "--user", user, "--pcap", pcap)
        why = common(r, ev, raw, [r"LOGIN", r"EXAMINE INBOX", r"LOGOUT"], want_tls=False)
        if why:
            return why
        if not [e for e in ev if e.get("type") == "segment"]:
            return "no segments in the live trace"
        data = open(pcap, "rb").read()
        if password.encode() in data:
            return "the password is in the pcap"
        why = pcap_problems(pcap, "tcp.port==%s,imap" % port)
        if why:
            return why
        r = tshark(pcap, "-d", "tcp.port==%s,imap" % port, "-Y", "imap.request",
                   "-T", "fields", "-e", "imap.request")
        reqs = r.stdout.decode(errors="replace")
        for c in [r"LOGIN", r"EXAMINE INBOX", r"FETCH", r"LOGOUT"]:
            if not re.search(c, reqs):
                return "tshark does not see %r among the IMAP requests: %s" % (c, reqs)
        if user not in reqs or "*" * len(password) not in reqs:
            return "LOGIN is not the user with a masked password: %s" % reqs
        # The pcap import reads the same commands back.
        o = subprocess.run([args.mailsim, "open", pcap, "--transcript", "--port",
                            "%s=imap" % port], stdin=subprocess.DEVNULL,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=60)
        text = o.stdout.decode(errors="replace")
        if o.returncode != 0:
            return "open --transcript: exit %d: %s" % (o.returncode, o.stderr.decode())
        sent = [c for c in sent_commands(ev) if c]
        missing = [c for c in sent if c not in text]
        if missing:
            return "open --transcript lacks %s: %s" % (missing, text[-1500:])
    check("live imap:// --pcap: tshark reads the IMAP commands, the password redacted",
          imap_pcap)

    def imaps_pcap():
        port = env["IMAPS_PORT"]
        pcap = os.path.join(work, "imaps.pcap")
        keys = os.path.join(work, "imaps.keys")
        r, ev, raw = live("imaps://%s:%s" % (HOST, port), "--user", user, "--ca-file", ca,
                          "--pcap", pcap, "--keylog", keys, "--show-secrets")
        if r.returncode != 0:
            return "exit %d: %s" % (r.returncode, r.stderr.decode(errors="replace"))
        why = pcap_problems(pcap, "tcp.port==%s,tls" % port)
        if why:
            return why
        d = "tcp.port==%s,tls" % port
        r = tshark(pcap, "-d", d, "-Y", "tls.handshake.type", "-T", "fields",
                   "-e", "tls.handshake.type")
        if "1" not in r.stdout.decode().split():
            return "no ClientHello seen by tshark: %r" % r.stdout[:300]
        inner = "tls.port==%s,imap" % port  # what runs inside TLS there
        r = tshark(pcap, "-d", d, "-d", inner, "-Y", "imap")
        if r.stdout.strip():
            return "plaintext IMAP visible without the keys: %s" % r.stdout[:500]
        data = open(pcap, "rb").read()
        if b"EXAMINE" in data or password.encode() in data:
            return "plaintext in the TLS capture"
        # With the key log, tshark decrypts the same capture (RFC 8446 secrets).
        r = tshark(pcap, "-d", d, "-d", inner, "-o", "tls.keylog_file:" + keys,
                   "-Y", "imap.request",
                   "-T", "fields", "-e", "imap.request")
        if "EXAMINE INBOX" not in r.stdout.decode(errors="replace"):
            return "not decrypted with --keylog: %s" % r.stdout[:500]
    check("live imaps:// --pcap: TLS only on the wire; --keylog decrypts it", imaps_pcap)

    def starttls(scheme, port, cmds):
        def run():
            r, ev, raw = live("%s://%s:%s" % (scheme, HOST, env[port]), "--user", user,
                              "--ca-file", ca, "--starttls")
            if r.returncode == 2 and b"does not speak" in r.stderr:
                print("#   the %s client engine has no STARTTLS yet: skipped" % scheme)
                return None
            return common(r, ev, raw, cmds)
        return run
    check("live pop3:// --starttls (STLS)",
          starttls("pop3", "POP3_PORT", [r"STLS", r"PASS", r"STAT", r"QUIT"]))
    check("live imap:// --starttls",
          starttls("imap", "IMAP_PORT", [r"STARTTLS", r"LOGIN", r"EXAMINE INBOX", r"LOGOUT"]))

    def untrusted():
        r, ev, raw = live("imaps://%s:%s" % (HOST, env["IMAPS_PORT"]), "--user", user)
        err = r.stderr.decode(errors="replace")
        if r.returncode == 0:
            return "succeeded without trusting the self-signed certificate"
        if "certificate verification failed" not in err or "--ca-file" not in err:
            return "unclear error: %s" % err
        if any(c.startswith("LOGIN") for c in sent_commands(ev)):
            return "LOGIN sent over an unverified connection"
    check("untrusted certificate fails without --ca-file", untrusted)

    def smtp_untrusted():
        r, ev, raw = live("smtp://%s:%s" % (HOST, env["SMTP_PORT"]), "--user", user)
        err = r.stderr.decode(errors="replace")
        if r.returncode == 0 or "certificate verification failed" not in err:
            return "exit %d: %s" % (r.returncode, err)
        if any(c.startswith("AUTH") for c in sent_commands(ev)):
            return "AUTH sent after a failed handshake"
    check("smtp:// STARTTLS with an untrusted certificate fails", smtp_untrusted)

    def insecure():
        r, ev, raw = live("pop3s://%s:%s" % (HOST, env["POP3S_PORT"]), "--user", user,
                          "--insecure")
        err = r.stderr.decode(errors="replace")
        if r.returncode != 0:
            return "exit %d: %s" % (r.returncode, err)
        if "warning" not in err or "NOT verified" not in err:
            return "no warning: %s" % err
    check("--insecure connects and prints a warning", insecure)

    def wrong_password():
        r, ev, raw = live("imaps://%s:%s" % (HOST, env["IMAPS_PORT"]), "--user", user,
                          "--ca-file", ca, pw="wrong-password-123")
        err = r.stderr.decode(errors="replace")
        if r.returncode == 0:
            return "exit 0 with a wrong password"
        if "error" not in err or not re.search(r"(?i)auth|login|credential", err):
            return "unclear error: %s" % err
        if "wrong-password-123" in raw or "wrong-password-123" in r.stdout.decode():
            return "the password appears in the trace or stdout"
    check("wrong password: non-zero exit and a clear message", wrong_password)

    def smtp_wrong_password():
        r, ev, raw = live("smtp://%s:%s" % (HOST, env["SMTP_PORT"]), "--user", user,
                          "--ca-file", ca, pw="wrong-password-123")
        err = r.stderr.decode(errors="replace")
        if r.returncode == 0 or "error" not in err:
            return "exit %d: %s" % (r.returncode, err)
    check("smtp:// wrong password: non-zero exit", smtp_wrong_password)

    def refused():
        port = free_port()
        r, ev, raw = live("imaps://%s:%d" % (HOST, port), "--user", user, "--ca-file", ca)
        err = r.stderr.decode(errors="replace")
        if r.returncode == 0 or "connection refused" not in err:
            return "exit %d: %s" % (r.returncode, err)
    check("refused port: clear error", refused)

    def dns_failure():
        r, ev, raw = live("imaps://no-such-host.invalid", "--user", user, "--timeout", "10")
        err = r.stderr.decode(errors="replace")
        if r.returncode == 0 or "cannot resolve" not in err:
            return "exit %d: %s" % (r.returncode, err)
    check("unknown host: clear error", dns_failure)

    def timeout():
        with listener() as quiet:  # accepts (backlog) but never says a word
            port = quiet.getsockname()[1]
            r, ev, raw = live("smtp://%s:%d" % (HOST, port), "--timeout", "2")
        err = r.stderr.decode(errors="replace")
        if r.returncode == 0 or "timed out" not in err:
            return "exit %d: %s" % (r.returncode, err)
    check("silent server: --timeout gives a clear error", timeout)

    def ctrl_c():
        trace = os.path.join(work, "ctrl-c.jsonl")
        e = dict(os.environ)
        e["MAILSIM_PASSWORD"] = password
        p = subprocess.Popen([args.mailsim, "live", "imaps://%s:%s" % (HOST, env["IMAPS_PORT"]),
                              "--user", user, "--ca-file", ca, "--idle", "30", "--trace", trace],
                             stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, env=e)
        try:
            # Wait until the client is idling (its IDLE is in the transcript only at the end,
            # so give the login a moment), then interrupt it like Ctrl-C.
            time.sleep(2.5)
            p.send_signal(signal.SIGINT)
            out, err = p.communicate(timeout=20)
        finally:
            if p.poll() is None:
                p.kill()
                p.wait()
        cmds = []
        with open(trace) as f:
            for l in f:
                ev = json.loads(l)
                if ev.get("type") == "line" and ev.get("from_client"):
                    cmds.append(ev.get("text", ""))
        if p.returncode == 0:
            return "exit 0 after SIGINT"
        if not any(c.endswith("IDLE") for c in cmds) or "DONE" not in cmds:
            return "no IDLE/DONE: %s" % cmds
        if not any(c.endswith("LOGOUT") for c in cmds):
            return "no LOGOUT after Ctrl-C: %s" % cmds
    check("Ctrl-C ends the session with LOGOUT", ctrl_c)

    def bad_usage():
        r = subprocess.run([args.mailsim, "live", "gopher://x"], stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, timeout=30)
        if r.returncode != 2:
            return "exit %d" % r.returncode
    check("unknown scheme exits 2", bad_usage)

    # Our own server: `serve --tls-auto` trusted through --ca-file.
    ca_out = os.path.join(work, "serve-ca.pem")
    imaps_port = free_port()
    srv = MailsimServer([args.mailsim, "serve", "--smtp", "0", "--imaps", str(imaps_port),
                         "--tls-auto", "--ca-out", ca_out, "--user", "bruno:pw-for-bruno"],
                        os.path.join(work, "serve.log"))
    try:
        srv.start_and_wait([re.compile(r"IMAPS \(implicit TLS\) on")])

        def against_serve():
            r, ev, raw = live("imaps://%s:%d" % (HOST, imaps_port), "--user", "bruno",
                              "--ca-file", ca_out, pw="pw-for-bruno")
            return common(r, ev, raw, [r"LOGIN", r"EXAMINE INBOX", r"LOGOUT"])
        check("live imaps:// against serve --tls-auto", against_serve)
    except Exception as e:  # noqa: BLE001
        setup_failed(e)
    finally:
        srv.stop()


if __name__ == "__main__":
    sys.exit(main())

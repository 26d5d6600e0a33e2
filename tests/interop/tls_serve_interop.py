#!/usr/bin/env python3
"""Interop test: `mailsim serve` with TLS (--tls-auto) against real clients.

Python's smtplib (STARTTLS + AUTH + sendmail on --smtp, SMTP_SSL on --smtps), imaplib
(IMAP4_SSL on --imaps, starttls() when the IMAP engine offers STARTTLS), poplib (POP3_SSL on
--pop3s) and curl (smtps://, imaps://, pop3s:// with --cacert; --ssl-reqd for STARTTLS) all
trust the CA written by --ca-out; without it verification fails. AUTH before STARTTLS is
refused (538), and "STARTTLS\\r\\nRSET\\r\\n" in one write never gets the RSET answered
(RFC 3207 §4.2, CVE-2011-0411). Bad --tls-* options exit 2. Prints "ok - name" per check.

Usage: tls_serve_interop.py --mailsim PATH [--keep]
"""

import argparse
import imaplib
import os
import poplib
import re
import smtplib
import socket
import ssl
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from mailtest import (  # noqa: E402
    HOST, MailsimServer, check, clean_up, free_port, setup_failed, summary, wait_until,
)

IO = 15
USER, PASSWORD = "bruno", "s3cret-pw"
ADDR = "bruno@recipient.example"


def message(subject):
    return ("From: ana@sender.example\r\nTo: %s\r\nSubject: %s\r\n\r\nhello over TLS\r\n"
            % (ADDR, subject))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--mailsim", required=True)
    ap.add_argument("--keep", action="store_true")
    args = ap.parse_args()
    work = tempfile.mkdtemp(prefix="mailsim-tls-serve-")
    ca = os.path.join(work, "ca.pem")
    ports = {k: free_port() for k in ("smtp", "smtps", "pop3s", "imaps", "imap", "pop3")}
    trace = os.path.join(work, "trace.jsonl")
    srv = MailsimServer([args.mailsim, "serve", "--smtp", str(ports["smtp"]),
                         "--smtps", str(ports["smtps"]), "--pop3s", str(ports["pop3s"]),
                         "--imaps", str(ports["imaps"]), "--imap", str(ports["imap"]),
                         "--pop3", str(ports["pop3"]), "--tls-auto", "--ca-out", ca,
                         "--user", "%s:%s" % (USER, PASSWORD), "--trace", trace, "-v"],
                        os.path.join(work, "serve.log"))
    try:
        srv.start_and_wait([re.compile(r"IMAPS \(implicit TLS\) on"),
                            re.compile(r"SMTPS \(implicit TLS, submission\) on"),
                            re.compile(r"POP3S \(implicit TLS\) on")])
    except Exception as e:  # noqa: BLE001
        setup_failed(e)
        return summary()
    ctx = ssl.create_default_context(cafile=ca)

    def smtp_starttls():
        with smtplib.SMTP(HOST, ports["smtp"], timeout=IO) as s:
            s.ehlo("client.example")
            if not s.has_extn("starttls"):
                return "no STARTTLS in EHLO"
            if s.has_extn("auth"):
                return "AUTH offered before TLS"
            s.starttls(context=ctx)
            s.ehlo("client.example")
            if not s.has_extn("auth"):
                return "no AUTH after TLS"
            s.login(USER, PASSWORD)
            s.sendmail("ana@sender.example", [ADDR], message("starttls"))
    check("smtplib STARTTLS + login + sendmail on --smtp", smtp_starttls)

    def smtp_ssl():
        with smtplib.SMTP_SSL(HOST, ports["smtps"], timeout=IO, context=ctx) as s:
            s.login(USER, PASSWORD)
            s.sendmail("ana@sender.example", [ADDR], message("smtps"))
    check("smtplib SMTP_SSL + login + sendmail on --smtps", smtp_ssl)

    def auth_before_tls():
        with smtplib.SMTP(HOST, ports["smtp"], timeout=IO) as s:
            s.ehlo("client.example")
            code, text = s.docmd("AUTH", "PLAIN AGJydW5vAHMzY3JldC1wdw==")
            if code != 538:
                return "AUTH before STARTTLS answered %s %s" % (code, text)
    check("AUTH before STARTTLS refused with 538", auth_before_tls)

    def verify_fails():
        try:
            with smtplib.SMTP_SSL(HOST, ports["smtps"], timeout=IO,
                                  context=ssl.create_default_context()):
                return "connected without trusting the CA"
        except ssl.SSLCertVerificationError:
            return None
    check("verification fails without the CA (SMTP_SSL)", verify_fails)

    def injection():
        s = socket.create_connection((HOST, ports["smtp"]), timeout=IO)
        f = s.makefile("rb")
        f.readline()
        s.sendall(b"EHLO x\r\n")
        while True:
            line = f.readline()
            if line[3:4] == b" ":
                break
        s.sendall(b"STARTTLS\r\nRSET\r\n")  # one write: the RSET must never be answered
        line = f.readline()
        if not line.startswith(b"220"):
            return "STARTTLS answered %r" % line
        t = ctx.wrap_socket(s, server_hostname="localhost")
        t.settimeout(1.5)
        try:
            data = t.recv(1000)
            if data:
                return "the server answered the injected RSET: %r" % data
        except (socket.timeout, TimeoutError):
            pass
        t.settimeout(IO)
        t.sendall(b"NOOP\r\n")
        reply = t.recv(1000)
        t.close()
        if not reply.startswith(b"250"):
            return "NOOP after TLS answered %r" % reply
    check("STARTTLS command injection: pipelined RSET not answered", injection)

    def wait_delivered():
        return wait_until(lambda: srv.read_log().count("delivered to " + ADDR) >= 2, 10)

    def imaps():
        wait_delivered()
        m = imaplib.IMAP4_SSL(HOST, ports["imaps"], ssl_context=ctx, timeout=IO)
        m.login(USER, PASSWORD)
        typ, data = m.select("INBOX", readonly=True)
        n = int(data[0])
        m.logout()
        if n < 2:
            return "INBOX has %d messages" % n
    check("imaplib IMAP4_SSL on --imaps", imaps)

    def big_message(i):
        # About 100 KiB, lines of 70 letters; every seventh starts with a dot.
        lines = [("." if k % 7 == 0 else "") + chr(ord("a") + (i + k) % 26) * 70
                 for k in range(1400)]
        return ("From: ana@sender.example\r\nTo: %s\r\nSubject: big %d\r\n\r\n%s\r\n"
                % (ADDR, i, "\r\n".join(lines))).encode()

    def imaps_fetch_in_parts():
        # serve answers a FETCH in parts of 256 KiB (imap::ServerConfig::fetch_chunk): six
        # messages of 100 KiB make one answer of three parts, each written through TLS.
        wait_delivered()
        m = imaplib.IMAP4_SSL(HOST, ports["imaps"], ssl_context=ctx, timeout=IO)
        m.login(USER, PASSWORD)
        sent = [big_message(i) for i in range(6)]
        for body in sent:
            typ, data = m.append("INBOX", None, None, body)
            if typ != "OK":
                return "APPEND answered %s %r" % (typ, data)
        typ, data = m.select("INBOX", readonly=True)
        typ, data = m.fetch("1:*", "(BODY.PEEK[])")
        if typ != "OK":
            return "FETCH answered %s" % typ
        got = [part[1] for part in data if isinstance(part, tuple)]
        typ, noop = m.noop()  # the session goes on after the parts
        m.logout()
        if typ != "OK":
            return "NOOP after the FETCH answered %s" % typ
        missing = [i for i, body in enumerate(sent) if body not in got]
        if missing:
            return "messages %s not fetched back byte for byte (%d literals, sizes %s)" % (
                missing, len(got), [len(g) for g in got][-6:])
        if sum(len(g) for g in got) < 3 * 256 * 1024 // 2:
            return "the answer is too small to need parts: %d bytes" % sum(len(g) for g in got)
    check("imaplib IMAP4_SSL: APPEND 6 x 100 KiB, FETCH 1:* BODY.PEEK[] in parts", imaps_fetch_in_parts)

    def imap_starttls():
        m = imaplib.IMAP4(HOST, ports["imap"], timeout=IO)
        if "STARTTLS" not in m.capabilities:
            m.logout()
            print("#   the IMAP engine does not offer STARTTLS yet: skipped")
            return None
        m.starttls(ssl_context=ctx)
        m.login(USER, PASSWORD)
        m.logout()
    check("imaplib starttls() on --imap (when offered)", imap_starttls)

    def pop3_stls():
        p = poplib.POP3(HOST, ports["pop3"], timeout=IO)
        if "STLS" not in p.capa():
            p.quit()
            print("#   the POP3 engine does not offer STLS yet: skipped")
            return None
        p.stls(context=ctx)
        p.user(USER)
        p.pass_(PASSWORD)
        p.quit()
    check("poplib stls() on --pop3 (when offered)", pop3_stls)

    def login_before_tls():
        m = imaplib.IMAP4(HOST, ports["imap"], timeout=IO)
        if "STARTTLS" not in m.capabilities:
            m.logout()
            print("#   the IMAP engine does not offer STARTTLS yet: skipped")
            return None
        try:
            m.login(USER, PASSWORD)
            return "IMAP LOGIN accepted before STARTTLS"
        except imaplib.IMAP4.error:
            pass
        p = poplib.POP3(HOST, ports["pop3"], timeout=IO)
        if "STLS" in p.capa():
            try:
                p.user(USER)
                p.pass_(PASSWORD)
                return "POP3 USER/PASS accepted before STLS"
            except poplib.error_proto:
                pass
        p.close()
    check("IMAP LOGIN and POP3 USER/PASS refused before STARTTLS/STLS", login_before_tls)

    def pop3s():
        p = poplib.POP3_SSL(HOST, ports["pop3s"], context=ctx, timeout=IO)
        p.user(USER)
        p.pass_(PASSWORD)
        count, _ = p.stat()
        p.quit()
        if count < 2:
            return "POP3 STAT says %d" % count
    check("poplib POP3_SSL on --pop3s", pop3s)

    def curl(url, *extra):
        r = subprocess.run(["curl", "-sS", "--max-time", str(IO), "-u",
                            "%s:%s" % (USER, PASSWORD)] + list(extra) + [url],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=60)
        return r

    def curl_ok(url, *extra, want=None):
        def run():
            r = curl(url, "--cacert", ca, *extra)
            if r.returncode != 0:
                return "curl exit %d: %s" % (r.returncode, r.stderr.decode(errors="replace"))
            if want and want not in r.stdout:
                return "output lacks %r: %r" % (want, r.stdout[:300])
        return run

    mail = os.path.join(work, "mail.eml")
    with open(mail, "w") as f:
        f.write(message("curl"))
    check("curl smtps:// with --cacert",
          curl_ok("smtps://%s:%d" % (HOST, ports["smtps"]), "--mail-from", "ana@sender.example",
                  "--mail-rcpt", ADDR, "-T", mail))
    check("curl smtp:// --ssl-reqd (STARTTLS)",
          curl_ok("smtp://%s:%d" % (HOST, ports["smtp"]), "--ssl-reqd", "--mail-from",
                  "ana@sender.example", "--mail-rcpt", ADDR, "-T", mail))
    check("curl imaps:// with --cacert",
          curl_ok("imaps://%s:%d/INBOX;UID=1" % (HOST, ports["imaps"]), want=b"hello over TLS"))
    check("curl pop3s:// with --cacert",
          curl_ok("pop3s://%s:%d/1" % (HOST, ports["pop3s"]), want=b"hello over TLS"))

    def curl_starttls_when_offered(scheme, port, probe):
        def run():
            m = probe()
            if not m:
                print("#   %s STARTTLS not offered yet: skipped" % scheme)
                return None
            return curl_ok("%s://%s:%d/INBOX" % (scheme, HOST, ports[port])
                           if scheme == "imap" else "%s://%s:%d/" % (scheme, HOST, ports[port]),
                           "--ssl-reqd")()
        return run

    def imap_offers():
        m = imaplib.IMAP4(HOST, ports["imap"], timeout=IO)
        offered = "STARTTLS" in m.capabilities
        m.logout()
        return offered

    def pop3_offers():
        p = poplib.POP3(HOST, ports["pop3"], timeout=IO)
        offered = "STLS" in p.capa()
        p.quit()
        return offered
    check("curl imap:// --ssl-reqd (STARTTLS, when offered)",
          curl_starttls_when_offered("imap", "imap", imap_offers))
    check("curl pop3:// --ssl-reqd (STLS, when offered)",
          curl_starttls_when_offered("pop3", "pop3", pop3_offers))

    def curl_untrusted():
        r = curl("imaps://%s:%d/INBOX" % (HOST, ports["imaps"]))
        if r.returncode == 0:
            return "curl trusted the server without --cacert"
        if r.returncode not in (35, 60):
            return "curl exit %d (expected 60): %s" % (r.returncode, r.stderr)
    check("curl imaps:// fails verification without --cacert", curl_untrusted)

    def traced():
        text = open(trace).read()
        if '"type":"tls"' not in text or "established TLS" not in text:
            return "no TLS events in the serve trace"
        if PASSWORD in text:
            return "the password is in the trace"
    check("serve trace has TLS events and no password", traced)

    srv.stop_checked()

    def bad(extra, want):
        def run():
            r = subprocess.run([args.mailsim, "serve", "--smtp", "0"] + extra,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=30)
            out = r.stdout.decode(errors="replace")
            if r.returncode != 2:
                return "exit %d (want 2): %s" % (r.returncode, out)
            if want not in out:
                return "message lacks %r: %s" % (want, out)
        return run
    missing = os.path.join(work, "missing.pem")
    junk = os.path.join(work, "junk.pem")
    with open(junk, "w") as f:
        f.write("not a certificate\n")
    check("missing --tls-cert file exits 2",
          bad(["--tls-cert", missing, "--tls-key", missing], "cannot read --tls-cert"))
    check("bad --tls-cert file exits 2",
          bad(["--tls-cert", junk, "--tls-key", junk], "not a PEM file"))
    check("--smtps without a certificate exits 2", bad(["--smtps", "0"], "need a certificate"))
    check("--tls-cert without --tls-key exits 2", bad(["--tls-cert", ca], "go together"))

    clean_up(work, args.keep)
    return summary()


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Interop test: a real capture imported by `mailsim open`.

dumpcap (Wireshark's capture engine) records the loopback interface, filtered to the
ports of a private Postfix + Dovecot (tests/fixtures/real-mail.sh; needs root), while
Python's smtplib sends a message through Postfix, poplib reads it from Dovecot, imaplib
fetches it, and imaplib over implicit TLS (imaps) logs in. The capture is then opened with
`mailsim open CAPTURE --transcript --port ...`: every connection must show the client's
commands and the server's replies in order, passwords masked, the imaps connection as TLS
records only, and the report no gaps. Each check prints "ok - name" or "not ok - name: why";
the exit status is non-zero when any check fails. The capture and the fixture are stopped.

Usage: pcap_capture_interop.py --mailsim PATH --fixture PATH [--keep]
"""

import argparse
import imaplib
import os
import poplib
import re
import shutil
import signal
import smtplib
import socket
import ssl
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from mailtest import (  # noqa: E402
    HOST, RealMail, check, clean_up, free_port, setup_failed, summary, wait_until,
)

IO_TIMEOUT = 15
SUBJECT = "pcap import test"
OPEN = re.compile(r"^\s*[\d.]+\s+#(\d+) open [^ ]+ > [^ ]+:(\d+) \((\w+)\)$")
LINE = re.compile(r"^\s*[\d.]+\s+#(\d+) ([CS]: .*)$")
TLS = re.compile(r"^\s*[\d.]+\s+#(\d+) TLS (.*)$")


class Capture:
    """dumpcap on lo with a BPF filter, writing pcapng; stopped by PID."""

    def __init__(self, path, ports, probe_port):
        self.path, self.probe_port = path, probe_port
        dumpcap = shutil.which("dumpcap") or "/usr/bin/dumpcap"
        flt = " or ".join("tcp port %d" % p for p in list(ports) + [probe_port])
        self.log = open(path + ".log", "w")
        self.proc = subprocess.Popen([dumpcap, "-i", "lo", "-f", flt, "-w", path, "-q"],
                                     stdin=subprocess.DEVNULL, stdout=self.log,
                                     stderr=subprocess.STDOUT)

    def size(self):
        try:
            return os.path.getsize(self.path)
        except OSError:
            return 0

    def wait_ready(self, timeout=20):
        """Until a probe connection to a closed, captured port shows in the file."""
        if not wait_until(lambda: self.proc.poll() is not None or self.size() > 0, timeout):
            return False
        start = self.size()

        def probe():
            if self.proc.poll() is not None:
                return True
            try:
                socket.create_connection((HOST, self.probe_port), timeout=1).close()
            except OSError:
                pass  # refused: the SYN and RST are what the capture should see
            return self.size() > start
        return wait_until(probe, timeout, interval=0.2) and self.proc.poll() is None

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=5)
        self.log.close()


def in_order(lines, patterns):
    """None when the regexes match lines in this order (others may come between), else why."""
    i = 0
    for p in patterns:
        rx = re.compile(p, re.I)
        while i < len(lines) and not rx.search(lines[i]):
            i += 1
        if i == len(lines):
            return "no line matching %r after the earlier ones; lines: %s" % (p, lines[:40])
        i += 1
    return None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--mailsim", required=True)
    ap.add_argument("--fixture", required=True)
    ap.add_argument("--keep", action="store_true")
    args = ap.parse_args()
    workdir = tempfile.mkdtemp(prefix="mailsim-pcap-capture-")
    os.chmod(workdir, 0o755)  # the fixture's server users must traverse it
    rm = RealMail(args.fixture, workdir)
    cap = None
    try:
        rm.start()
        env = rm.env
        user, password = env["MAIL_USER"], env["MAIL_PASS"]
        address = "%s@%s" % (user, env["MAIL_DOMAIN"])
        smtp_port, pop3_port = int(env["SMTP_PORT"]), int(env["POP3_PORT"])
        imap_port, imaps_port = int(env["IMAP_PORT"]), int(env["IMAPS_PORT"])
        pcap = os.path.join(workdir, "real.pcapng")
        cap = Capture(pcap, [smtp_port, pop3_port, imap_port, imaps_port], free_port())
        if not cap.wait_ready():
            raise RuntimeError("dumpcap did not start capturing: " +
                               open(pcap + ".log").read()[-500:])
    except Exception as e:  # noqa: BLE001
        setup_failed(e)
        if cap:
            cap.stop()
        rm.stop()
        clean_up(workdir, args.keep)
        return summary()

    try:
        def smtp_session():
            with smtplib.SMTP(HOST, smtp_port, timeout=IO_TIMEOUT) as s:
                s.sendmail("sender@sender.example", [address],
                           ("From: sender@sender.example\r\nTo: %s\r\nSubject: %s\r\n\r\n"
                            "Captured on loopback.\r\n" % (address, SUBJECT)).encode())
        check("smtplib sends through Postfix", smtp_session)

        maildir = os.path.join(env["MAILDIR_ROOT"], user, "Maildir", "new")
        check("Postfix delivers into Dovecot",
              lambda: None if wait_until(lambda: os.path.isdir(maildir) and os.listdir(maildir),
                                         30) else "nothing in " + maildir)

        def pop3_session():
            m = poplib.POP3(HOST, pop3_port, timeout=IO_TIMEOUT)
            m.user(user)
            m.pass_(password)
            m.stat()
            body = b"\n".join(m.retr(1)[1])
            m.quit()
            return None if SUBJECT.encode() in body else "RETR lacks the subject"
        check("poplib reads the message from Dovecot", pop3_session)

        def imap_session():
            m = imaplib.IMAP4(HOST, imap_port, timeout=IO_TIMEOUT)
            m.login(user, password)
            m.select("INBOX")
            typ, data = m.fetch("1", "(BODY.PEEK[])")
            m.logout()
            return None if typ == "OK" and SUBJECT.encode() in data[0][1] else str(data)
        check("imaplib fetches it from Dovecot", imap_session)

        def imaps_session():
            ctx = ssl.create_default_context(cafile=env["MAIL_CA"])
            ctx.check_hostname = False
            m = imaplib.IMAP4_SSL(HOST, imaps_port, ssl_context=ctx, timeout=IO_TIMEOUT)
            m.login(user, password)
            m.logout()
        check("imaplib logs in over imaps", imaps_session)
        time.sleep(0.5)  # the last FIN/ACKs reach the capture
    finally:
        cap.stop()  # before the fixture stops: its shutdown probes the ports
        rm.stop()

    check("dumpcap wrote a pcapng file",
          lambda: None if open(pcap, "rb").read(4) == b"\x0a\x0d\x0d\x0a" else "no SHB magic")
    r = subprocess.run([args.mailsim, "open", pcap, "--transcript",
                        "--port", "%d=smtp" % smtp_port, "--port", "%d=pop3" % pop3_port,
                        "--port", "%d=imap" % imap_port, "--port", "%d=imaps" % imaps_port],
                       capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL,
                       env={**os.environ, "DISPLAY": ""})
    print("# " + r.stderr.strip().replace("\n", "\n# "))
    check("mailsim open exits 0", lambda: None if r.returncode == 0 else r.stderr)

    protos, lines, tls = {}, {}, {}
    for line in r.stdout.splitlines():
        if m := OPEN.match(line):
            protos[int(m.group(1))] = (int(m.group(2)), m.group(3))
        elif m := LINE.match(line):
            lines.setdefault(int(m.group(1)), []).append(m.group(2))
        elif m := TLS.match(line):
            tls.setdefault(int(m.group(1)), []).append(m.group(2))

    def conn_on(port):
        """The session's connection to `port`: the one with the most lines or TLS records
        (the fixture's own port probes, still closing when the capture starts, are there
        too, as connections already open)."""
        ids = [c for c, (p, _) in protos.items() if p == port]
        ids.sort(key=lambda c: len(lines.get(c, [])) + len(tls.get(c, [])), reverse=True)
        return ids[0] if ids and (lines.get(ids[0]) or tls.get(ids[0])) else None

    def session(port, proto, patterns):
        def run():
            c = conn_on(port)
            if c is None:
                return "no session on port %d: %s" % (port, protos)
            if protos[c][1] != proto:
                return "read as %s" % protos[c][1]
            return in_order(lines.get(c, []), patterns)
        return run

    check("SMTP: the client's commands and Postfix's replies in order",
          session(smtp_port, "SMTP", [
              r"^S: 220 ", r"^C: ehlo ", r"^S: 250", r"^C: mail FROM:<sender@sender\.example>",
              r"^S: 250", r"^C: rcpt TO:<%s>" % re.escape(address), r"^S: 250", r"^C: data$",
              r"^S: 354", r"^C: Subject: %s$" % SUBJECT, r"^C: \.$", r"^S: 250 .*queued",
              r"^C: quit$", r"^S: 221"]))
    check("POP3: the client's commands and Dovecot's replies in order, PASS masked",
          session(pop3_port, "POP3", [
              r"^S: \+OK", r"^C: USER %s$" % user, r"^S: \+OK", r"^C: PASS \*+$", r"^S: \+OK",
              r"^C: STAT$", r"^S: \+OK 1 ", r"^C: RETR 1$", r"^S: \+OK",
              r"^S: Subject: %s$" % SUBJECT, r"^S: \.$", r"^C: QUIT$", r"^S: \+OK"]))
    check("IMAP: the client's commands and Dovecot's replies in order, LOGIN masked",
          session(imap_port, "IMAP", [
              r"^S: \* OK", r"^C: \w+ CAPABILITY$", r"^S: \* CAPABILITY", r"^S: \w+ OK",
              r"^C: \w+ LOGIN %s \*+$" % user, r"^S: \w+ OK", r"^C: \w+ SELECT INBOX$",
              r"^S: \* 1 EXISTS", r"^S: \w+ OK", r"^C: \w+ FETCH 1 \(BODY\.PEEK\[\]\)$",
              r"^S: \* 1 FETCH .*\{\d+\}$", r"^S: Subject: %s$" % SUBJECT, r"^S: \w+ OK",
              r"^C: \w+ LOGOUT$", r"^S: \* BYE"]))

    def imaps():
        c = conn_on(imaps_port)
        if c is None:
            return "no imaps connection: %s" % protos
        if lines.get(c):
            return "lines read inside TLS: %s" % lines[c][:3]
        return in_order(tls.get(c, []), [r"ClientHello", r"ServerHello", r"encrypted",
                                         r"established TLSv1\.[23] \w"])
    check("imaps: TLS records only (ClientHello, ServerHello, encrypted data, the version "
          "and cipher)", imaps)
    check("the password never shows", lambda: "password in the transcript"
          if re.search(r"\b%s\b" % re.escape(password), r.stdout) else None)
    check("the report: packets read, no gap, no truncation", lambda: None if
          re.search(r"read \d+ packets", r.stderr) and "gap" not in r.stderr
          and "truncated" not in r.stderr else r.stderr)
    clean_up(workdir, args.keep)
    return summary()


if __name__ == "__main__":
    sys.exit(main())

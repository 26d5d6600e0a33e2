#!/usr/bin/env python3
"""Interop test: `mailsim serve --pcap FILE [--keylog FILE]` read back by tshark.

Python's smtplib (AUTH, and STARTTLS + AUTH), poplib and imaplib (plain, and IMAP4_SSL on
--imaps) talk to one serve; tshark must decode the capture (SMTP, POP, IMAP commands, no
expert warnings, checksums checked), the password must not be in the file's bytes, and with
-o tls.keylog_file the TLS sessions decrypt to their IMAP/SMTP commands. `mailsim open
FILE --transcript` must show the same command/reply lines per connection as serve's own
--trace. A serve killed with SIGKILL mid-session leaves a capture tshark reads, and a serve
on ::1 writes IPv6 packets that tshark decodes. Prints "ok - name" per check.

Usage: serve_pcap_interop.py --mailsim PATH [--keep]
"""

import argparse
import collections
import imaplib
import json
import os
import poplib
import re
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
    HOST, MailsimServer, check, clean_up, free_port, setup_failed, summary, wait_until,
)

IO = 15
USER, PASSWORD = "bruno", "pcap-s3cret-pw"
ADDR = "bruno@recipient.example"
TSHARK = "tshark"
PREFS = ["-o", "tcp.check_checksum:TRUE", "-o", "ip.check_checksum:TRUE",
         "-o", "smtp.decryption:TRUE"]


def message(subject):
    return ("From: ana@sender.example\r\nTo: %s\r\nSubject: %s\r\n\r\nhello\r\n.dot line\r\n"
            % (ADDR, subject))


def decode_as(ports):
    out = []
    for proto, port in ports:
        out += ["-d", "tcp.port==%d,%s" % (port, proto)]
    return out


def tshark_fields(pcap, ports, display_filter, names, extra=()):
    cmd = [TSHARK, "-n", "-r", pcap, *PREFS, *extra, *decode_as(ports), "-Y", display_filter,
           "-T", "fields"]
    for n in names:
        cmd += ["-e", n]
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    if r.returncode != 0:
        raise RuntimeError("tshark failed (%d): %s" % (r.returncode, r.stderr[-500:]))
    return [line.split("\t") for line in r.stdout.splitlines()]


def expert_warnings(pcap, ports, extra=()):
    rows = tshark_fields(pcap, ports, "_ws.expert.severity >= 6291456 || _ws.malformed",
                         ["frame.number", "_ws.expert.message"], extra)
    return [r for r in rows if any(x.strip() for x in r)]


def values(rows):
    out = []
    for r in rows:
        for cell in r:
            out += [v for v in cell.split(",") if v]
    return out


def trace_lines(path):
    """serve's --trace: {client port: [C:/S: lines]} (data lines included)."""
    ports, lines = {}, collections.defaultdict(list)
    with open(path) as f:
        for raw in f:
            ev = json.loads(raw)
            if ev.get("type") == "conn" and ev.get("op") == "open":
                ports[ev["conn"]] = ev["client_port"]
            elif ev.get("type") == "line":
                # An IMAP literal is one trace line with its CRLFs; the import splits it.
                for part in ev["text"].split("\r\n"):
                    lines[ports.get(ev["conn"])].append(("C: " if ev["from_client"] else "S: ")
                                                        + part)
    return lines


MASKED = re.compile(r'"?\*{4,}"?')


def normalise(line):
    # The trace masks a credential's characters; the import masks the argument (quotes too).
    return MASKED.sub("<masked>", line)


def open_transcript(mailsim, pcap, port_args):
    """`mailsim open --transcript`: {client port: [C:/S: lines]}."""
    r = subprocess.run([mailsim, "open", pcap, "--transcript", *port_args],
                       capture_output=True, text=True, timeout=120)
    if r.returncode != 0:
        raise RuntimeError("mailsim open failed: %s" % r.stderr[-500:])
    conns, lines = {}, collections.defaultdict(list)
    for line in r.stdout.splitlines():
        m = re.match(r"\s*[\d.]+\s+#(\d+) open \S+:(\d+) > ", line)
        if m:
            conns[m.group(1)] = int(m.group(2))
            continue
        m = re.match(r"\s*[\d.]+\s+#(\d+) ([CS]: .*)$", line)
        if m:
            lines[conns.get(m.group(1))].append(m.group(2))
    return lines


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--mailsim", required=True)
    ap.add_argument("--keep", action="store_true")
    args = ap.parse_args()
    work = tempfile.mkdtemp(prefix="mailsim-serve-pcap-")
    ca = os.path.join(work, "ca.pem")
    ports = {k: free_port() for k in ("smtp", "pop3", "imap", "imaps")}
    plain_pcap = os.path.join(work, "plain.pcap")
    trace = os.path.join(work, "trace.jsonl")
    srv = MailsimServer([args.mailsim, "serve", "--smtp", str(ports["smtp"]),
                         "--pop3", str(ports["pop3"]), "--imap", str(ports["imap"]),
                         "--user", "%s:%s" % (USER, PASSWORD), "--trace", trace,
                         "--pcap", plain_pcap],
                        os.path.join(work, "serve-plain.log"))
    tls_pcap = os.path.join(work, "tls.pcap")
    keylog = os.path.join(work, "keys.txt")
    tports = {k: free_port() for k in ("smtp", "imaps")}
    tsrv = MailsimServer([args.mailsim, "serve", "--smtp", str(tports["smtp"]),
                          "--imaps", str(tports["imaps"]), "--tls-auto", "--ca-out", ca,
                          "--user", "%s:%s" % (USER, PASSWORD), "--pcap", tls_pcap,
                          "--keylog", keylog, "--show-secrets"],
                         os.path.join(work, "serve-tls.log"))
    try:
        srv.start_and_wait([re.compile(r"capturing every connection to .*passwords masked"),
                            re.compile(r"IMAP on"), re.compile(r"POP3 on")])
        tsrv.start_and_wait([re.compile(r"IMAPS \(implicit TLS\) on"),
                             re.compile(r"capturing every connection")])
    except Exception as e:  # noqa: BLE001
        setup_failed(e)
        srv.stop()
        tsrv.stop()
        return summary()
    plain_ports = [("smtp", ports["smtp"]), ("pop", ports["pop3"]), ("imap", ports["imap"])]

    check("the capture exists with its header before any client", lambda: None
          if os.path.getsize(plain_pcap) == 24 else "size %d" % os.path.getsize(plain_pcap))

    # --- plaintext serve: smtplib with AUTH, poplib, imaplib ---------------------------------
    def clients():
        with smtplib.SMTP(HOST, ports["smtp"], timeout=IO) as s:
            s.ehlo("client.example")
            s.login(USER, PASSWORD)
            s.sendmail("ana@sender.example", [ADDR], message("pcap one"))
        # AUTH LOGIN too: the password travels base64 on its own line.
        with smtplib.SMTP(HOST, ports["smtp"], timeout=IO) as s:
            s.ehlo("client.example")
            s.user, s.password = USER, PASSWORD
            s.auth("LOGIN", s.auth_login)
            s.sendmail("ana@sender.example", [ADDR], message("pcap two"))
        p = poplib.POP3(HOST, ports["pop3"], timeout=IO)
        p.user(USER)
        p.pass_(PASSWORD)
        p.stat()
        p.retr(1)
        p.quit()
        m = imaplib.IMAP4(HOST, ports["imap"], timeout=IO)
        m.login(USER, PASSWORD)
        m.select("INBOX")
        m.fetch("1:*", "(FLAGS RFC822)")
        m.logout()
        # A client that writes its password in two pieces, a second apart.
        s = socket.create_connection((HOST, ports["imap"]), timeout=IO)
        f = s.makefile("rb")
        f.readline()
        s.sendall(b'a1 LOGIN bruno "pcap-s3c')
        time.sleep(1)
        s.sendall(b'ret-pw"\r\n')
        if not f.readline().startswith(b"a1 OK"):
            return "split LOGIN refused"
        s.sendall(b"a2 LOGOUT\r\n")
        f.read()
        s.close()
    check("smtplib (AUTH PLAIN, AUTH LOGIN), poplib, imaplib against serve --pcap", clients)

    srv.stop_checked()
    with open(plain_pcap, "rb") as f:
        raw = f.read()
    check("the password is nowhere in the plaintext capture's bytes",
          lambda: "password found" if PASSWORD.encode() in raw or b"s3c" in raw else None)

    def smtp_decoded():
        cmds = values(tshark_fields(plain_pcap, plain_ports, "smtp.req", ["smtp.req.command"]))
        want = {"EHLO", "AUTH", "MAIL", "RCPT", "DATA", "QUIT"}
        got = {c.upper() for c in cmds}
        if not want <= got:
            return "SMTP commands %s" % sorted(got)
        auth = values(tshark_fields(plain_pcap, plain_ports, "smtp.auth.username",
                                    ["smtp.auth.username"]))
        if any(PASSWORD in a for a in auth):
            return "AUTH decodes to the password"
    check("tshark: smtp.req.command has EHLO/AUTH/MAIL/RCPT/DATA/QUIT", smtp_decoded)

    def pop_decoded():
        cmds = {c.upper() for c in values(tshark_fields(plain_pcap, plain_ports, "pop.request",
                                                        ["pop.request.command"]))}
        if not {"USER", "PASS", "STAT", "RETR", "QUIT"} <= cmds:
            return "POP commands %s" % sorted(cmds)
    check("tshark: pop.request.command has USER/PASS/STAT/RETR/QUIT", pop_decoded)

    def imap_decoded():
        cmds = {c.upper() for c in values(tshark_fields(plain_pcap, plain_ports, "imap.request",
                                                        ["imap.request.command"]))}
        if not {"LOGIN", "SELECT", "FETCH", "LOGOUT"} <= cmds:
            return "IMAP commands %s" % sorted(cmds)
    check("tshark: imap.request.command has LOGIN/SELECT/FETCH/LOGOUT", imap_decoded)

    def no_warnings():
        bad = expert_warnings(plain_pcap, plain_ports)
        if bad:
            return "expert warnings / malformed: %s" % bad[:5]
        n = len(tshark_fields(plain_pcap, plain_ports, "tcp", ["frame.number"]))
        print("#   %d packets, no expert warnings (checksums checked)" % n)
        if n < 50:
            return "only %d packets" % n
    check("tshark: no malformed packets or expert warnings, checksums right", no_warnings)

    def same_lines():
        want = trace_lines(trace)
        got = open_transcript(args.mailsim, plain_pcap,
                              ["--port", "%d=smtp" % ports["smtp"], "--port",
                               "%d=pop3" % ports["pop3"], "--port", "%d=imap" % ports["imap"]])
        if set(want) != set(got):
            return "connections: trace %s, capture %s" % (sorted(want), sorted(got))
        for port, lines in want.items():
            a = [normalise(x) for x in lines]
            b = [normalise(x) for x in got[port]]
            if a != b:
                diff = [(x, y) for x, y in zip(a, b) if x != y][:3]
                return "port %s: %d vs %d lines, first differences %s" % (port, len(a), len(b),
                                                                        diff or "(lengths)")
        print("#   %d connections, %d lines alike" % (len(want),
                                                       sum(len(v) for v in want.values())))
    check("mailsim open --transcript gives the trace's lines for every connection", same_lines)

    # --- TLS serve: STARTTLS + AUTH, IMAP over implicit TLS, --keylog ------------------------
    ctx = ssl.create_default_context(cafile=ca)

    def tls_clients():
        with smtplib.SMTP(HOST, tports["smtp"], timeout=IO) as s:
            s.ehlo("client.example")
            s.starttls(context=ctx)
            s.ehlo("client.example")
            s.login(USER, PASSWORD)
            s.sendmail("ana@sender.example", [ADDR], message("over tls"))
        m = imaplib.IMAP4_SSL(HOST, tports["imaps"], ssl_context=ctx, timeout=IO)
        m.login(USER, PASSWORD)
        m.select("INBOX")
        m.fetch("1", "(RFC822)")
        m.logout()
    check("smtplib STARTTLS + AUTH and imaplib IMAP4_SSL against serve --pcap --keylog",
          tls_clients)
    tsrv.stop_checked()
    tls_ports = [("smtp", tports["smtp"]), ("imap", tports["imaps"])]
    tls_decode = ["-d", "tcp.port==%d,tls" % tports["imaps"]]

    def ciphertext_only():
        with open(tls_pcap, "rb") as f:
            data = f.read()
        if PASSWORD.encode() in data or b"SELECT INBOX" in data:
            return "plaintext inside the TLS capture"
        rows = tshark_fields(tls_pcap, [], "tls.handshake.type == 1", ["frame.number"],
                             tls_decode + decode_as([("smtp", tports["smtp"])]))
        if len(rows) < 2:
            return "%d ClientHellos (want STARTTLS's and imaps')" % len(rows)
    check("the TLS capture holds ciphertext and both ClientHellos", ciphertext_only)

    def decrypted():
        if not os.path.getsize(keylog):
            return "empty keylog"
        keys = ["-o", "tls.keylog_file:" + keylog]
        imap = {c.upper() for c in values(tshark_fields(
            tls_pcap, [("smtp", tports["smtp"])], "imap.request", ["imap.request.command"],
            keys + ["-d", "tcp.port==%d,tls" % tports["imaps"],
                    "-o", "tls.keys_list:", "-d", "tls.port==%d,imap" % tports["imaps"]]))}
        if not {"LOGIN", "SELECT", "FETCH", "LOGOUT"} <= imap:
            return "decrypted IMAP commands %s" % sorted(imap)
        smtp = {c.upper() for c in values(tshark_fields(
            tls_pcap, [("smtp", tports["smtp"])], "smtp.req", ["smtp.req.command"], keys))}
        # (tshark's smtp.req.command shows STARTTLS as "STAR")
        if not {"EHLO", "AUTH", "MAIL", "DATA", "QUIT"} <= smtp or not any(
                c.startswith("STAR") for c in smtp):
            return "decrypted SMTP commands %s" % sorted(smtp)
        bad = expert_warnings(tls_pcap, [("smtp", tports["smtp"])], keys + tls_decode)
        if bad:
            return "expert warnings: %s" % bad[:5]
    check("tshark -o tls.keylog_file decrypts STARTTLS and implicit-TLS sessions", decrypted)

    # --- SIGKILL mid-session -------------------------------------------------------------------
    kill_pcap = os.path.join(work, "killed.pcap")
    kport = free_port()
    ksrv = MailsimServer([args.mailsim, "serve", "--smtp", str(kport), "--user",
                          "%s:%s" % (USER, PASSWORD), "--pcap", kill_pcap],
                         os.path.join(work, "serve-kill.log"))

    def killed():
        ksrv.start_and_wait([re.compile(r"capturing every connection")])
        s = smtplib.SMTP(HOST, kport, timeout=IO)
        s.ehlo("client.example")
        s.mail("ana@sender.example")
        s.rcpt(ADDR)
        s.putcmd("DATA")
        s.getreply()
        s.send(b"Subject: half\r\n\r\nhalf a message\r\n")
        wait_until(lambda: os.path.getsize(kill_pcap) > 1000, 5)
        time.sleep(0.3)
        ksrv.proc.send_signal(signal.SIGKILL)
        ksrv.proc.wait(timeout=IO)
        ksrv.log.close()
        s.close()
        rows = tshark_fields(kill_pcap, [("smtp", kport)], "smtp.req", ["smtp.req.command"])
        cmds = {c.upper() for c in values(rows)}
        if not {"EHLO", "MAIL", "RCPT", "DATA"} <= cmds:
            return "after SIGKILL tshark read %s" % sorted(cmds)
        r = subprocess.run([TSHARK, "-r", kill_pcap], capture_output=True, text=True,
                           timeout=60)
        if r.returncode != 0 or "cut short" in r.stderr or "appears to be damaged" in r.stderr:
            return "tshark: %s" % r.stderr.strip()
        data = open(kill_pcap, "rb").read()
        if b"half a message" not in data:
            return "the DATA bytes sent before the kill are missing"
    check("serve killed with SIGKILL mid-DATA leaves a capture tshark reads whole", killed)

    # --- IPv6 ----------------------------------------------------------------------------------
    v6_pcap = os.path.join(work, "v6.pcap")
    v6 = socket.socket(socket.AF_INET6)
    v6.bind(("::1", 0))
    v6port = v6.getsockname()[1]
    v6.close()
    vsrv = MailsimServer([args.mailsim, "serve", "--bind", "::1", "--smtp", str(v6port),
                          "--user", "%s:%s" % (USER, PASSWORD), "--pcap", v6_pcap],
                         os.path.join(work, "serve-v6.log"))

    def ipv6():
        vsrv.start_and_wait([re.compile(r"SMTP on \[::1\]")])
        with smtplib.SMTP("::1", v6port, timeout=IO) as s:
            s.ehlo("client.example")
            s.login(USER, PASSWORD)
            s.sendmail("ana@sender.example", [ADDR], message("over ipv6"))
        vsrv.stop_checked()
        rows = tshark_fields(v6_pcap, [("smtp", v6port)], "smtp.req",
                             ["ipv6.src", "ipv6.dst", "smtp.req.command"])
        if not rows or any(r[0] != "::1" or r[1] != "::1" for r in rows):
            return "IPv6 rows %s" % rows[:3]
        cmds = {r[2].upper() for r in rows}
        if not {"EHLO", "AUTH", "MAIL", "RCPT", "DATA", "QUIT"} <= cmds:
            return "SMTP over IPv6: %s" % sorted(cmds)
        if tshark_fields(v6_pcap, [("smtp", v6port)], "ip", ["frame.number"]):
            return "IPv4 packets in the ::1 capture"
        bad = expert_warnings(v6_pcap, [("smtp", v6port)])
        if bad:
            return "expert warnings: %s" % bad[:5]
    check("serve --bind ::1 writes IPv6 packets tshark decodes (checksums right)", ipv6)

    for s in (srv, tsrv, ksrv, vsrv):
        if s.alive():
            s.stop()
    clean_up(work, args.keep)
    return summary()


if __name__ == "__main__":
    sys.exit(main())

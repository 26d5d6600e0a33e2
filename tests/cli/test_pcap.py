#!/usr/bin/env python3
"""pcap export read back by tshark (Wireshark's dissectors): every protocol decodes, every
checksum is right, TCP analysis finds nothing odd, credentials stay redacted.
Usage: test_pcap.py MAILSIM SOURCE_DIR"""
import os
import shutil
import subprocess
import sys
import tempfile

MAILSIM, SRC = sys.argv[1], sys.argv[2]
LESSON = os.path.join(SRC, "lessons", "pop3-vs-imap.toml")
failures = 0
TSHARK = shutil.which("tshark")
if not TSHARK:
    print("not ok - tshark is not installed (apt-get install tshark)")
    sys.exit(1)


def check(name, cond, detail=""):
    global failures
    print(f"{'ok' if cond else 'not ok'} - {name}" + ("" if cond else f": {detail}"))
    failures += 0 if cond else 1


def mailsim(*args):
    return subprocess.run([MAILSIM, *args], capture_output=True, text=True, timeout=120,
                          stdin=subprocess.DEVNULL, env={**os.environ, "DISPLAY": ""})


# smtp.decryption lets the SMTP dissector decode AUTH's base64 (else it warns on any AUTH).
PREFS = ["-o", "tcp.check_checksum:TRUE", "-o", "ip.check_checksum:TRUE",
         "-o", "udp.check_checksum:TRUE", "-o", "smtp.decryption:TRUE"]


def fields(pcap, display_filter, *names):
    cmd = [TSHARK, "-n", "-r", pcap, *PREFS, "-Y", display_filter, "-T", "fields"]
    for n in names:
        cmd += ["-e", n]
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    return [line.split("\t") for line in r.stdout.splitlines()]


def expert(pcap):
    """Expert infos of severity warning and above: (severity, protocol, message)."""
    r = subprocess.run([TSHARK, "-n", "-r", pcap, *PREFS, "-Y", "_ws.expert.severity >= 6291456",
                        "-T", "fields", "-e", "_ws.expert.severity", "-e", "_ws.expert.message"],
                       capture_output=True, text=True, timeout=120)
    return [line for line in r.stdout.splitlines() if line.strip()]


def plaintext_copy(d):
    """The lesson with TLS switched off everywhere, so every protocol shows in clear."""
    text = open(LESSON).read()
    text = text.replace('role = "server"\n', 'role = "server"\ntls = false\nplaintext_auth = true\n')
    text = text.replace('role = "device"\n', 'role = "device"\nsecurity = "none"\n')
    path = os.path.join(d, "plain.toml")
    with open(path, "w") as f:
        f.write(text)
    return path


with tempfile.TemporaryDirectory() as d:
    # The lesson as written: SMTP switches to TLS, so after STARTTLS only TLS records show.
    tls_pcap = os.path.join(d, "tls.pcap")
    r = mailsim("run", LESSON, "--pcap", tls_pcap)
    check("run --pcap (TLS lesson) exits 0", r.returncode == 0, r.stderr)
    cmds = {c for row in fields(tls_pcap, "smtp.req", "smtp.req.command") for c in row[0].split(",")}
    check("with STARTTLS only EHLO and STARTTLS are readable", cmds == {"EHLO", "STAR"}, str(cmds))
    sni = [row[0] for row in fields(tls_pcap, "tls.handshake.type == 1 && tcp.port == 587",
                                    "tls.handshake.extensions_server_name")]
    check("each submission's ClientHello names the server (SNI)",
          sni == ["smtp.sender.example"] * 3, str(sni))
    # IMAP runs STARTTLS too (RFC 3501 §6.2.1): Ana's three Sent copies, Bruno's seven
    # sessions; nothing but STARTTLS is readable, LOGIN never.
    imap_tls = [row[0] for row in fields(tls_pcap, "imap.request", "imap.request")]
    check("with IMAP STARTTLS only STARTTLS is readable",
          len(imap_tls) == 10 and all(r.endswith(" STARTTLS") for r in imap_tls), str(imap_tls))
    sni = [row[0] for row in fields(tls_pcap, "tls.handshake.type == 1 && tcp.port == 143",
                                    "tls.handshake.extensions_server_name")]
    check("each IMAP ClientHello names the server (SNI)",
          sorted(sni) == ["mx.recipient.example"] * 7 + ["smtp.sender.example"] * 3, str(sni))
    hs = {row[0] for row in fields(tls_pcap, "tls.handshake.type", "tls.handshake.type")}
    check("TLS handshakes decode (ClientHello 1, ServerHello 2)", {"1", "2"} <= {
          t for h in hs for t in h.split(",")}, str(hs))
    bad = expert(tls_pcap)
    check("TLS capture has no warnings", not bad, "\n".join(bad[:10]))

    # The key log lets tshark decrypt the same capture (asked for with --show-secrets).
    keys = os.path.join(d, "tls.keys")
    r = mailsim("run", LESSON, "--pcap", tls_pcap, "--keylog", keys)
    check("--keylog without --show-secrets exits 2", r.returncode == 2
          and "--show-secrets" in r.stderr, r.stderr)
    r = mailsim("run", LESSON, "--pcap", tls_pcap, "--keylog", keys, "--show-secrets")
    check("--keylog --show-secrets exits 0", r.returncode == 0 and "TLS secrets to" in r.stderr,
          r.stderr)
    with open(keys) as f:
        labels = {line.split(" ")[0] for line in f if line.strip()}
    check("the key log has TLS 1.3 traffic secrets",
          {"CLIENT_TRAFFIC_SECRET_0", "SERVER_TRAFFIC_SECRET_0"} <= labels, str(labels))
    r2 = subprocess.run([TSHARK, "-n", "-r", tls_pcap, "-o", f"tls.keylog_file:{keys}", "-Y",
                         "imap.request", "-T", "fields", "-e", "imap.request"],
                        capture_output=True, text=True, timeout=120)
    decrypted = r2.stdout.splitlines()
    check("with the key log tshark reads IMAP inside TLS",
          any(" LOGIN bruno " in l for l in decrypted)
          and any("UID FETCH" in l for l in decrypted), "\n".join(decrypted[:10]))
    check("without it IMAP after STARTTLS stays unreadable",
          not any("UID FETCH" in row[0] for row in fields(tls_pcap, "imap.request",
                                                          "imap.request")))

    pcap = os.path.join(d, "imap.pcap")
    r = mailsim("run", plaintext_copy(d), "--pcap", pcap)
    check("run --pcap exits 0", r.returncode == 0, r.stderr)
    check("run --pcap reports the packet count", "packets to " + pcap in r.stderr, r.stderr)
    with open(pcap, "rb") as f:
        check("libpcap magic", f.read(4) == bytes.fromhex("d4c3b2a1"))

    # Pipelined commands share a segment: tshark lists them comma-separated.
    smtp = {c for row in fields(pcap, "smtp.req", "smtp.req.command") for c in row[0].split(",")}
    check("SMTP commands decoded", {"EHLO", "AUTH", "MAIL", "RCPT", "DATA", "QUIT"} <= smtp,
          str(smtp))
    imap = {row[0].split(" ")[1] if " " in row[0] else row[0]
            for row in fields(pcap, "imap.request", "imap.request") if row[0]}
    check("IMAP commands decoded",
          {"LOGIN", "LIST", "SELECT", "UID", "APPEND", "CREATE", "LOGOUT"} <= imap, str(imap))
    moves = [row[0] for row in fields(pcap, "imap.request", "imap.request")
             if "UID MOVE" in row[0]]
    check("the tablet's UID MOVE is in the capture", len(moves) == 1, str(moves))
    qtypes = {row[0] for row in fields(pcap, "dns.flags.response == 0", "dns.qry.type")}
    check("DNS MX (15) queries decoded", qtypes == {"15"}, str(qtypes))
    answers = fields(pcap, "dns.flags.response == 1 && dns.qry.type == 15",
                     "dns.mx.mail_exchange", "dns.a")
    check("the MX answer names mx.recipient.example with its address",
          answers and all(a == ["mx.recipient.example", "10.0.2.25"] for a in answers),
          str(answers))
    bad = expert(pcap)
    check("no warnings or errors (checksums, TCP analysis, dissectors)", not bad, "\n".join(bad[:10]))
    users = fields(pcap, "smtp.auth.username", "smtp.auth.username", "smtp.auth.password")
    check("SMTP AUTH decodes to the redacted placeholder",
          users and all(u == ["redacted", "*" * len(u[1])] for u in users), str(users))
    with open(pcap, "rb") as f:
        raw = f.read()
    check("no password in the capture", b"ana-secret" not in raw and b"bruno-secret" not in raw)

    # One link only: what an observer on Bruno's Wi-Fi uplink would capture.
    wifi = os.path.join(d, "wifi.pcap")
    r = mailsim("run", plaintext_copy(d), "--pcap", wifi, "--pcap-link",
                "internet<->wifi.bruno.example")
    check("--pcap-link accepts either direction", r.returncode == 0, r.stderr)
    hosts = {tuple(row) for row in fields(wifi, "ip", "ip.src", "ip.dst")}
    check("--pcap-link captures only traffic crossing that link",
          hosts and all("10.0.3." in a or "10.0.3." in b for a, b in hosts), str(hosts))
    check("the Wi-Fi capture has no SMTP (Ana's side)", not fields(wifi, "smtp", "frame.number"))
    r = mailsim("run", LESSON, "--pcap", wifi, "--pcap-link", "nowhere<->else")
    check("--pcap-link with an unknown link exits 2", r.returncode == 2
          and "no link 'nowhere<->else'" in r.stderr, r.stderr)
    r = mailsim("run", LESSON, "--pcap", os.path.join(d, "missing", "x.pcap"))
    check("--pcap to an unwritable path exits 1", r.returncode == 1
          and "cannot write" in r.stderr, r.stderr)

    # POP3 traffic comes from compare's POP3 variants.
    prefix = os.path.join(d, "cmp")
    r = mailsim("compare", plaintext_copy(d), "--pcap", prefix)
    check("compare --pcap exits 0", r.returncode == 0, r.stderr)
    for v in ("pop3-delete", "pop3-keep", "imap"):
        check(f"compare wrote {v}", os.path.exists(f"{prefix}-{v}.pcap"))
    pop = [row[0] for row in fields(f"{prefix}-pop3-delete.pcap", "pop.request",
                                    "pop.request.command")]
    check("POP3 commands decoded (delete mode)",
          {"USER", "PASS", "STAT", "UIDL", "RETR", "DELE", "QUIT"} <= set(pop), str(set(pop)))
    check("POP3 delete mode: three DELE", pop.count("DELE") == 3, str(pop))
    keep = [row[0] for row in fields(f"{prefix}-pop3-keep.pcap", "pop.request",
                                     "pop.request.command")]
    check("POP3 leave-a-copy mode: no DELE", "DELE" not in keep and "RETR" in keep, str(keep))
    bad = expert(f"{prefix}-pop3-keep.pcap")
    check("POP3 capture has no warnings", not bad, "\n".join(bad[:10]))

    # The lesson as written, read with POP3: STLS (RFC 2595) before USER/PASS.
    tprefix = os.path.join(d, "tls")
    r = mailsim("compare", LESSON, "--pcap", tprefix)
    check("compare --pcap (TLS lesson) exits 0", r.returncode == 0, r.stderr)
    pop = [row[0] for row in fields(f"{tprefix}-pop3-delete.pcap", "pop.request",
                                    "pop.request.command")]
    check("with STLS only CAPA and STLS are readable", set(pop) == {"CAPA", "STLS"}, str(pop))
    hs = fields(f"{tprefix}-pop3-delete.pcap", "tls.handshake.type == 1 && tcp.port == 110",
                "tls.handshake.extensions_server_name")
    check("POP3 sessions run a TLS handshake after STLS", len(hs) == len(
        [p for p in pop if p == "STLS"]) > 0, str(hs))
    bad = expert(f"{tprefix}-pop3-delete.pcap")
    check("POP3 TLS capture has no warnings", not bad, "\n".join(bad[:10]))

sys.exit(1 if failures else 0)

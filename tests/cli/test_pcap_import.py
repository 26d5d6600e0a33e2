#!/usr/bin/env python3
"""pcap import round trip: `mailsim run LESSON --pcap X` then `mailsim open X --transcript`
shows the same protocol lines, connection by connection, as the run's own transcript (in
clear with --plaintext; with TLS, the lines before STARTTLS and then the TLS records). The
same capture rewritten by Wireshark's editcap (pcapng, nanoseconds) imports the same; damaged
files are reported, never crash. Usage: test_pcap_import.py MAILSIM SOURCE_DIR"""
import os
import re
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "pylib"))
import testkit  # noqa: E402

MAILSIM, SRC = sys.argv[1], sys.argv[2]
LESSON = os.path.join(SRC, "lessons", "smtp-basics.toml")
failures = 0
LINE = re.compile(r"^\s*[\d.]+\s+#(\d+) ([CS]: .*)$")


def check(name, cond, detail=""):
    global failures
    print(f"{'ok' if cond else 'not ok'} - {name}" + ("" if cond else f": {detail}"))
    failures += 0 if cond else 1


def mailsim(*args):
    return subprocess.run([MAILSIM, *args], capture_output=True, text=True, timeout=120,
                          stdin=subprocess.DEVNULL, env={**os.environ, "DISPLAY": ""})


def lines_by_conn(transcript):
    """{connection number: ["C: ...", "S: ...", ...]} of a transcript's protocol lines."""
    conns = {}
    for line in transcript.splitlines():
        m = LINE.match(line)
        if m:
            conns.setdefault(int(m.group(1)), []).append(m.group(2))
    return conns


def first_difference(a, b):
    for i, (x, y) in enumerate(zip(a, b)):
        if x != y:
            return f"line {i}: {x!r} != {y!r}"
    return f"lengths {len(a)} and {len(b)}"


with tempfile.TemporaryDirectory() as d:
    # In clear: every line of every connection comes back.
    pcap = os.path.join(d, "plain.pcap")
    run = mailsim("run", LESSON, "--plaintext", "--pcap", pcap)
    check("run --plaintext --pcap exits 0", run.returncode == 0, run.stderr)
    want = lines_by_conn(run.stdout)
    imp = mailsim("open", pcap, "--transcript")
    check("open CAPTURE --transcript exits 0", imp.returncode == 0, imp.stderr)
    got = lines_by_conn(imp.stdout)
    check("the run has SMTP, IMAP and relay connections", len(want) >= 3, str(want.keys()))
    check("same connections", sorted(got) == sorted(want), f"{sorted(got)} vs {sorted(want)}")
    for conn in sorted(want):
        check(f"connection #{conn}: the same {len(want[conn])} protocol lines in order",
              got.get(conn) == want[conn], first_difference(got.get(conn, []), want[conn]))
    check("the report counts the packets and leaves out only DNS (UDP)",
          re.search(r"read \d+ packets", imp.stderr) and "non-TCP packet" in imp.stderr
          and "gap" not in imp.stderr and "truncated" not in imp.stderr, imp.stderr)
    check("hosts are named by address", "#1 open 10.0.1.10:" in imp.stdout, imp.stdout[:300])
    explain = mailsim("open", pcap, "--transcript", "--explain")
    check("--explain gives the meanings of imported lines",
          explain.returncode == 0 and "; The client introduces itself" in explain.stdout,
          explain.stdout[:500])

    # The window opens the capture like a saved trace (under Xvfb).
    try:
        xv, display = testkit.start_xvfb()
    except RuntimeError as e:
        xv, display = None, ""
        check("Xvfb starts (package xvfb)", False, str(e))
    if xv:
        try:
            # LeakSanitizer flags allocations inside Mesa's drivers, which we do not own.
            env = dict(os.environ, DISPLAY=display, ASAN_OPTIONS="detect_leaks=0",
                       XDG_CONFIG_HOME=os.path.join(d, "config"))
            total = sum(len(v) for v in got.values())
            r = subprocess.run([MAILSIM, "gui", pcap, "--frames", "5", "--at", "30",
                                "--print-state"], capture_output=True, text=True, timeout=120,
                               env=env, stdin=subprocess.DEVNULL)
            check("the window opens the capture at its 30th protocol line",
                  r.returncode == 0 and "doc=trace" in r.stdout
                  and f"line=30/{total} " in r.stdout and "title=Trace_plain.pcap" in r.stdout,
                  f"rc={r.returncode} {r.stdout[:300]} {r.stderr[-300:]}")
        finally:
            xv.terminate()
            xv.wait(timeout=10)

    # Wireshark's own writer: pcapng with nanosecond timestamps imports to the same lines.
    editcap = shutil.which("editcap")
    check("editcap is installed (wireshark-common)", editcap is not None)
    if editcap:
        ng = os.path.join(d, "plain.pcapng")
        r = subprocess.run([editcap, "-F", "pcapng", "--set-ts-resolution", "9", pcap, ng],
                           capture_output=True, text=True, timeout=60)
        if r.returncode != 0:  # older editcap: no --set-ts-resolution
            r = subprocess.run([editcap, "-F", "pcapng", pcap, ng], capture_output=True,
                               text=True, timeout=60)
        check("editcap writes pcapng", r.returncode == 0, r.stderr)
        ngimp = mailsim("open", ng, "--transcript")
        check("the pcapng copy imports to the same lines",
              ngimp.returncode == 0 and lines_by_conn(ngimp.stdout) == got, ngimp.stderr)

    # With TLS (the lesson as written): lines up to STARTTLS, then only TLS records.
    tls = os.path.join(d, "tls.pcap")
    run = mailsim("run", LESSON, "--pcap", tls)
    check("run --pcap (TLS) exits 0", run.returncode == 0, run.stderr)
    want = lines_by_conn(run.stdout)
    imp = mailsim("open", tls, "--transcript")
    got = lines_by_conn(imp.stdout)
    check("TLS capture: same connections", sorted(got) == sorted(want), imp.stderr)
    for conn in sorted(want):
        g = got.get(conn, [])
        check(f"TLS connection #{conn}: the lines in clear are the run's first ones, up to "
              "the STARTTLS reply",
              g == want[conn][:len(g)] and g and ("STARTTLS" in g[-2] and g[-1].startswith("S: ")),
              str(g[-3:]))
    check("the TLS handshake is named, the rest is counted as encrypted",
          "TLS 10.0.1.10 > 10.0.1.25: ClientHello" in imp.stdout
          and "ServerHello" in imp.stdout and "encrypted application data" in imp.stdout
          and "established TLSv1.3 TLS_AES_256_GCM_SHA384" in imp.stdout,
          imp.stdout[:2000])
    check("no password leaks from the capture", "ana-secret" not in imp.stdout)

    # Damaged files: cut in the middle of a record, and not a capture at all.
    with open(pcap, "rb") as f:
        raw = f.read()
    cut = os.path.join(d, "cut.pcap")
    with open(cut, "wb") as f:
        f.write(raw[: len(raw) // 2 + 5])
    r = mailsim("open", cut, "--transcript")
    check("a cut capture: exit 0, lines before the cut, the truncated record reported",
          r.returncode == 0 and "truncated record" in r.stderr and "offset" in r.stderr
          and len(lines_by_conn(r.stdout)) >= 1, r.stderr)
    bogus = os.path.join(d, "bogus.pcap")
    with open(bogus, "wb") as f:
        f.write(b"GIF89a not a capture at all")
    r = mailsim("open", bogus, "--transcript")
    check("not a capture: exit 2 naming the file and the byte offset",
          r.returncode == 2 and bogus + ": offset 0: not a capture file" in r.stderr, r.stderr)
    r = mailsim("open", pcap, "--transcript", "--port", "2525=gopher")
    check("--port with an unknown protocol: exit 2", r.returncode == 2
          and "unknown protocol" in r.stderr, r.stderr)
    # --port: the relay's port 25 read as another protocol changes what the lines mean.
    r = mailsim("open", pcap, "--transcript", "--explain", "--port", "25=pop3")
    check("--port 25=pop3 is applied", r.returncode == 0 and "(POP3)" in r.stdout, r.stderr)

sys.exit(1 if failures else 0)

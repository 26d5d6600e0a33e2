#!/usr/bin/env python3
"""Command-line behaviour of mailsim as a user meets it: help, exit codes, errors that name
file, line and column, the headless transcript and the JSON-lines trace.
Usage: test_cli.py MAILSIM SOURCE_DIR"""
import json
import os
import subprocess
import sys
import tempfile

MAILSIM, SRC = sys.argv[1], sys.argv[2]
LESSON = os.path.join(SRC, "lessons", "smtp-basics.toml")
failures = 0


def run(*args, env=None, timeout=120):
    e = dict(os.environ)
    e.pop("DISPLAY", None)
    e.pop("WAYLAND_DISPLAY", None)
    if env:
        e.update(env)
    return subprocess.run([MAILSIM, *args], capture_output=True, text=True, timeout=timeout,
                          env=e, stdin=subprocess.DEVNULL)


def check(name, cond, detail=""):
    global failures
    if cond:
        print(f"ok - {name}")
    else:
        failures += 1
        print(f"not ok - {name}: {detail}")


r = run("--help")
check("--help exits 0", r.returncode == 0, r.stderr)
for cmd in ("run", "serve", "gui", "compare", "open"):
    check(f"--help lists {cmd}", cmd in r.stdout, r.stdout)
    h = run(cmd, "--help")
    check(f"{cmd} --help exits 0 with options", h.returncode == 0 and "--" in h.stdout,
          h.stdout + h.stderr)
check("--version", run("--version").stdout.startswith("mailsim "))

r = run("frobnicate")
check("unknown command exits 2", r.returncode == 2, f"rc={r.returncode} {r.stderr}")
r = run("run")
check("run without a lesson exits 2", r.returncode == 2, f"rc={r.returncode}")

r = run("run", LESSON)
check("run exits 0", r.returncode == 0, r.stderr)
out = r.stdout
check("transcript has the submission", "C: EHLO laptop.sender.example" in out, out[:2000])
check("transcript has AUTH", "C: AUTH PLAIN" in out)
check("transcript has the relay greeting", "S: 220 mx.recipient.example" in out)
check("transcript has the MX lookup", "DNS smtp.sender.example > ns.example" in out)
check("transcript shows delivery to Bruno", "mailbox bruno@recipient.example" in out)
check("password not printed", "ana-secret" not in out and "AGFuYQBhbmEtc2VjcmV0" not in out)

r2 = run("run", LESSON)
check("two runs print the same transcript", r2.stdout == out)

r = run("run", LESSON, "--lang", "pt")
check("--lang pt narrates in Portuguese", "A Ana carrega em Enviar" in r.stdout, r.stdout[:400])

r = run("run", LESSON, "--explain")
check("--explain adds meanings with RFC sections", "RFC 5321" in r.stdout)

with tempfile.TemporaryDirectory() as d:
    path = os.path.join(d, "out.jsonl")
    r = run("run", LESSON, "--trace", path)
    check("--trace exits 0", r.returncode == 0, r.stderr)
    with open(path, encoding="utf-8") as f:
        events = [json.loads(line) for line in f]
    types = {e.get("type") for e in events}
    check("trace has every kind of event",
          {"segment", "conn", "line", "state", "mailbox", "queue", "note"} <= types, str(types))
    check("trace times never go back",
          all(a["t"] <= b["t"] for a, b in zip(events, events[1:])))
    check("password not in the trace", "ana-secret" not in open(path).read())
    check("the trace has the TLS handshake", "tls" in types, str(types))

    # open: the saved trace gives back the transcript run printed (narration aside: a trace
    # alone does not carry the lesson's texts, so compare the protocol lines).
    o = run("open", path, "--transcript")
    check("open --transcript exits 0", o.returncode == 0, o.stderr)
    lines_run = [l for l in r.stdout.splitlines() if " C: " in l or " S: " in l]
    lines_open = [l for l in o.stdout.splitlines() if " C: " in l or " S: " in l]
    check("open shows the same protocol lines as run", lines_run and lines_run == lines_open,
          f"{len(lines_run)} vs {len(lines_open)}")
    o = run("open", path)  # no display in these tests: the transcript
    check("open without a display prints the transcript", o.returncode == 0 and lines_open[0]
          in o.stdout, o.stderr)
    broken = os.path.join(d, "broken.jsonl")
    with open(broken, "w") as f:
        f.write(open(path).readline() + "{not json\n")
    o = run("open", broken)
    check("open of a broken trace exits 2 naming the line",
          o.returncode == 2 and "broken.jsonl: line 2" in o.stderr, o.stderr)
    o = run("open", LESSON)
    check("open of a lesson file says to use gui", o.returncode == 2 and "mailsim gui" in o.stderr,
          o.stderr)

    bad = os.path.join(d, "bad.toml")
    base = open(LESSON, encoding="utf-8").read()
    with open(bad, "w") as f:
        f.write(base + '\n[[step]]\naction = "dance"\n')
    line = base.count("\n") + 3
    r = run("run", bad)
    check("unknown action exits 2", r.returncode == 2, f"rc={r.returncode}")
    check("unknown action names file:line:col",
          f"{bad}:{line}:" in r.stderr and "unknown action 'dance'" in r.stderr, r.stderr)
    with open(bad, "w") as f:
        f.write(base + '\n[[link]]\na = "internet"\nb = "mars.example"\n')
    r = run("run", bad)
    check("unknown host exits 2 with position",
          r.returncode == 2 and f"{bad}:{base.count(chr(10)) + 4}:" in r.stderr
          and "unknown host 'mars.example'" in r.stderr, r.stderr)

    with open(bad, "w") as f:
        f.write('[lesson]\nid = "x"\ntitle = "X\n')
    r = run("run", bad)
    check("TOML syntax error exits 2 with position",
          r.returncode == 2 and f"{bad}:3:" in r.stderr, r.stderr)

    r = run("run", os.path.join(d, "missing.toml"))
    check("missing lesson exits 2", r.returncode == 2 and "cannot open" in r.stderr, r.stderr)

r = run()
check("no command and no display prints the default lesson's transcript",
      r.returncode == 0 and "C: EHLO laptop.sender.example" in r.stdout,
      f"rc={r.returncode} {r.stderr}")

r = run("serve", "--smtp", "2525", "--user", "nocolon")
check("serve with a bad --user exits 2", r.returncode == 2, f"rc={r.returncode} {r.stderr}")

# The eavesdropper: the same lesson with and without TLS.
TAP = "laptop.sender.example<->smtp.sender.example"
r = run("run", LESSON, "--eavesdrop", TAP)
check("--eavesdrop with TLS: only the server name and sizes",
      r.returncode == 0 and "bytes of TLS to smtp.sender.example (after STARTTLS)" in r.stdout
      and "AUTH PLAIN: user" not in r.stdout, r.stdout[-1500:] + r.stderr)
r = run("run", LESSON, "--eavesdrop", TAP, "--plaintext", "--show-secrets")
check("--eavesdrop --plaintext --show-secrets: the tap reads the password and the subject",
      r.returncode == 0 and "AUTH PLAIN: user ana, password ana-secret" in r.stdout
      and "message subject: Lunch on Friday?" in r.stdout, r.stdout[-1500:] + r.stderr)
r = run("run", LESSON, "--eavesdrop", TAP, "--plaintext")
check("without --show-secrets the password stays masked",
      r.returncode == 0 and "ana-secret" not in r.stdout and "masked in this trace" in r.stdout,
      r.stdout[-1500:])
r = run("run", LESSON, "--eavesdrop", "a<->b")
check("--eavesdrop with an unknown link exits 2", r.returncode == 2 and "no link 'a<->b'" in
      r.stderr, r.stderr)

# compare: the default multi-device lesson under POP3 (delete), POP3 (keep) and IMAP.
r = run("compare")
check("compare exits 0", r.returncode == 0, r.stderr)
check("compare prints one table per step with the three variants",
      r.stdout.count("== step ") == 13 and "| POP3 (delete)" in r.stdout
      and "| POP3 (leave a copy)" in r.stdout and "| IMAP" in r.stdout, r.stdout[:2000])
last = r.stdout[r.stdout.rfind("== step 13/13"):]
rows = {line.split("|")[1].strip(): [c.strip() for c in line.split("|")[2:-1]]
        for line in last.splitlines() if line.startswith("| ") and "---" not in line}
check("compare: at the end the POP3-delete server is empty, the IMAP one has the filed invoice",
      rows.get("server: bruno@recipient.example") == ["INBOX: -", "INBOX: A* B* C*",
                                                     "INBOX: C*; Receipts: B*"], str(rows))
check("compare: the offline IMAP laptop could not open a message it never downloaded",
      "cannot be opened offline" in rows.get("notes", ["", "", ""])[2], str(rows))
r = run("compare", "--format", "markdown", "--lang", "pt")
check("compare --format markdown --lang pt", r.returncode == 0 and "### step 1/13" in r.stdout
      and "Mensagens:" in r.stdout and "| onde" in r.stdout, r.stdout[:500] + r.stderr)
r = run("compare", "--format", "html")
check("compare with a bad --format exits 2", r.returncode == 2, f"rc={r.returncode}")
r = run("compare", LESSON)
check("compare of a lesson nobody reads mail in still runs",
      r.returncode == 0 and "== step 1/1" in r.stdout, r.stdout + r.stderr)
with tempfile.TemporaryDirectory() as d:
    bad = os.path.join(d, "bad.toml")
    with open(bad, "w") as f:
        f.write(open(os.path.join(SRC, "lessons", "pop3-vs-imap.toml")).read().replace(
            'action = "offline"', 'action = "sleep"'))
    r = run("compare", bad)
    check("compare of a bad lesson exits 2 naming file:line:col",
          r.returncode == 2 and "bad.toml:" in r.stderr and "unknown action 'sleep'" in r.stderr,
          r.stderr)

# check: every lesson validates, runs and passes its own questions and expectations
for cmd in ("check", "lessons"):
    h = run(cmd, "--help")
    check(f"{cmd} --help exits 0 with options", h.returncode == 0 and "--" in h.stdout,
          h.stdout + h.stderr)
    check(f"--help lists {cmd}", cmd in run("--help").stdout)
r = run("check", "--strict", os.path.join(SRC, "lessons"), timeout=600)
check("check of the built-in lessons exits 0", r.returncode == 0, r.stdout + r.stderr)
check("check prints one ok line per lesson",
      "ok smtp-basics: 4 questions (2 predict), 5 expectations" in r.stdout
      and r.stdout.count("\nok ") + r.stdout.startswith("ok ") >= 9, r.stdout)
r = run("check", "-v", LESSON)
check("check -v shows a predict question's real reply",
      r.returncode == 0 and "S: 250 2.1.5" in r.stdout and "answer: 354" in r.stdout, r.stdout)
with tempfile.TemporaryDirectory() as d:
    text = open(LESSON).read()
    bad = os.path.join(d, "bad.toml")
    with open(bad, "w") as f:
        f.write(text.replace("answer = 1\n", "answer = 7\n", 1))
    r = run("check", bad)
    check("check of a malformed lesson exits 2 with file:line:col",
          r.returncode == 2 and "bad.toml:" in r.stdout and "answer = 7 is out of range" in r.stdout,
          f"rc={r.returncode} {r.stdout}{r.stderr}")
    wrong = os.path.join(d, "wrong.toml")
    with open(wrong, "w") as f:
        f.write(text.replace('command = "RCPT TO:<bruno@recipient.example>"',
                             'command = "RCPT TO:<nobody@recipient.example>"')
                .replace("count = 1\n", "count = 3\n"))
    r = run("check", wrong, LESSON)
    check("check of a failing lesson exits 1 and says what is wrong",
          r.returncode == 1 and "FAIL smtp-basics: 2 problems" in r.stdout
          and "no client sends 'RCPT TO:<nobody@recipient.example>'" in r.stdout
          and "expected 3 message(s) in bruno@recipient.example INBOX" in r.stdout
          and "\nok smtp-basics" in r.stdout, f"rc={r.returncode} {r.stdout}{r.stderr}")
    en_only = os.path.join(d, "en-only.toml")
    with open(en_only, "w") as f:
        f.write(text.replace('explain.pt = "Os programas', 'explain_pt = "Os programas')
                .replace("explain_pt", "# explain.pt"))
    r = run("check", en_only)
    check("check without --strict warns about a missing Portuguese text",
          r.returncode == 0 and "has no Portuguese text" in r.stderr, r.stdout + r.stderr)
    r = run("check", "--strict", en_only)
    check("check --strict fails on a missing Portuguese text",
          r.returncode == 1 and "'explain' has no Portuguese text" in r.stdout, r.stdout + r.stderr)
    r = run("check", os.path.join(d, "missing.toml"))
    check("check of a missing file exits 2", r.returncode == 2, r.stdout + r.stderr)

    # lessons: built-in and the user's own (XDG_CONFIG_HOME)
    user = os.path.join(d, "cfg", "mailsim", "lessons")
    os.makedirs(user)
    with open(os.path.join(user, "mine.toml"), "w") as f:
        f.write(text.replace('id = "smtp-basics"', 'id = "my-lesson"')
                .replace('level = "beginner"', 'level = "advanced"'))
    env = {"XDG_CONFIG_HOME": os.path.join(d, "cfg")}
    r = run("lessons", env=env)
    lines = r.stdout.splitlines()
    check("lessons lists the built-in lessons with level, minutes and title",
          r.returncode == 0 and any(l.split()[:4] == ["smtp-basics", "beginner", "10", "min"]
                                    and "Sending an e-mail" in l for l in lines), r.stdout)
    check("lessons lists every built-in lesson",
          all(i in r.stdout for i in ("pop3-one-device", "pop3-leave-copy", "imap-three-devices",
                                      "imap-offline", "ports-and-security",
                                      "when-things-go-wrong", "summary", "pop3-vs-imap")),
          r.stdout)
    check("lessons lists the user's lessons", "Your lessons (" + user + "):" in r.stdout
          and any(l.split()[:2] == ["my-lesson", "advanced"] for l in lines), r.stdout)
    r = run("lessons", "--lang", "pt", env=env)
    check("lessons --lang pt", r.returncode == 0 and "Enviar um e-mail" in r.stdout
          and "iniciação" in r.stdout, r.stdout)
    with open(os.path.join(user, "broken.toml"), "w") as f:
        f.write("[lesson]\nid = 3\n")
    r = run("lessons", env=env)
    check("lessons names a broken user lesson and exits 1",
          r.returncode == 1 and "broken.toml:2:" in r.stderr and "my-lesson" in r.stdout,
          f"rc={r.returncode} {r.stdout}{r.stderr}")

# live: option combinations refused before any connection is made.
r = run("live", "imap://127.0.0.1:9", "--user", "u", "--hide-bodies", "--pcap", "x.pcap",
        env={"MAILSIM_PASSWORD": "pw"})
check("live --hide-bodies with --pcap is refused (a capture keeps every byte)",
      r.returncode == 2 and "--hide-bodies" in r.stderr and not os.path.exists("x.pcap"),
      f"rc={r.returncode} {r.stderr}")

sys.exit(1 if failures else 0)

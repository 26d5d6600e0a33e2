#!/usr/bin/env python3
"""`mailsim handout LESSON -o DIR` as a teacher uses it: the four files (sequence.png a PNG of
the SVG at twice its size), a page that parses
and fetches nothing, narration and transcript in English and Portuguese, passwords masked
unless --show-secrets, clear errors. Usage: test_handout.py MAILSIM SOURCE_DIR"""
import html
import html.parser
import math
import os
import re
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "pylib"))
import testkit  # noqa: E402

MAILSIM, SRC = sys.argv[1], sys.argv[2]
LESSON = os.path.join(SRC, "lessons", "smtp-basics.toml")
SECRET, SECRET_B64 = "ana-secret", "AGFuYQBhbmEtc2VjcmV0"
SVG_NS = "{http://www.w3.org/2000/svg}"
failures = 0


def run(*args, timeout=120):
    return subprocess.run([MAILSIM, *args], capture_output=True, text=True, timeout=timeout,
                          stdin=subprocess.DEVNULL)


def check(name, cond, detail=""):
    global failures
    if cond:
        print(f"ok - {name}")
    else:
        failures += 1
        print(f"not ok - {name}: {str(detail)[:1500]}")


class Page(html.parser.HTMLParser):
    """Collects what the page would fetch and checks that elements nest properly."""
    VOID = {"meta", "br", "img", "link", "input", "hr", "col", "source", "wbr"}
    SVG_VOID_OK = {"path", "rect", "line", "polygon", "circle", "stop", "use"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack, self.errors, self.fetches, self.links, self.text = [], [], [], [], []

    def handle_starttag(self, tag, attrs):
        for k, v in attrs:
            if k in ("src", "srcset", "poster", "data") or (k == "href" and tag != "a"):
                self.fetches.append(f"<{tag} {k}={v}>")
            if k == "href" and tag == "a":
                self.links.append(v)
            if k == "style" and v and "url(" in v:
                self.fetches.append(f"<{tag} style={v}>")
        if tag in ("script", "link", "iframe", "object", "embed", "img"):
            self.fetches.append(f"<{tag}>")
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in self.VOID:
            self.stack.pop()

    def handle_endtag(self, tag):
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> but open: {self.stack[-3:]}")
            if tag in self.stack:
                while self.stack and self.stack.pop() != tag:
                    pass
        else:
            self.stack.pop()

    def handle_data(self, data):
        self.text.append(data)


def inspect(path):
    with open(path, encoding="utf-8") as f:
        page = f.read()
    p = Page()
    p.feed(page)
    p.close()
    return page, p


r = run("handout", "--help")
check("handout --help exits 0", r.returncode == 0, r.stderr)
for opt in ("-o,--output", "--lang", "--show-secrets", "--quiet"):
    check(f"handout --help explains {opt}", opt in r.stdout, r.stdout)
check("mailsim --help lists handout", "handout" in run("--help").stdout)

with tempfile.TemporaryDirectory() as tmp:
    for lang, narration, heading in (("en", "Ana presses Send.", "Step 1 of 1"),
                                     ("pt", "A Ana carrega em Enviar.", "Passo 1 de 1")):
        out = os.path.join(tmp, "handout-" + lang, "nested")  # created with its parents
        r = run("handout", LESSON, "-o", out, "--lang", lang)
        check(f"[{lang}] handout exits 0", r.returncode == 0, r.stderr)
        check(f"[{lang}] progress on stderr", "step 1/1 done" in r.stderr and "wrote" in r.stderr,
              r.stderr)
        check(f"[{lang}] nothing on stdout", r.stdout == "", r.stdout)
        files = {n: os.path.join(out, n) for n in ("index.html", "handout.md", "sequence.svg",
                                                   "sequence.png")}
        for n, path in files.items():
            check(f"[{lang}] {n} written", os.path.isfile(path) and os.path.getsize(path) > 1000)
        if not all(os.path.isfile(p) for p in files.values()):
            continue
        page, p = inspect(files["index.html"])
        text = html.unescape("".join(p.text))
        check(f"[{lang}] the HTML nests properly", not p.errors and not p.stack,
              (p.errors, p.stack))
        check(f"[{lang}] the page fetches nothing", not p.fetches, p.fetches)
        check(f"[{lang}] the only links are RFC sections",
              p.links and all(l.startswith("https://www.rfc-editor.org/rfc/rfc") for l in p.links),
              p.links[:5])
        check(f"[{lang}] no URL outside links and the SVG namespace",
              not [u for u in re.findall(r"https?://[^\s\"'<>]+", page)
                   if not u.startswith("https://www.rfc-editor.org/")
                   and u != "http://www.w3.org/2000/svg"],
              re.findall(r"https?://[^\s\"'<>]+", page)[:5])
        check(f"[{lang}] declares UTF-8 and its language",
              '<meta charset="utf-8">' in page and f'<html lang="{lang}">' in page)
        check(f"[{lang}] CSS inline", "<style>" in page and "@media print" in page)
        check(f"[{lang}] narration", narration in text, text[:600])
        check(f"[{lang}] step heading", heading in text)
        for line in ("C: EHLO laptop.sender.example", "S: 220 mx.recipient.example",
                     "C: AUTH PLAIN ****", "C: RCPT TO:<bruno@recipient.example>",
                     "DNS smtp.sender.example > ns.example"):
            check(f"[{lang}] transcript line {line!r}", line in text)
        check(f"[{lang}] meanings with RFC sections", "RFC 5321 §4.1.1.1" in text)
        check(f"[{lang}] questions and an answer key",
              text.count("587") >= 2 and ('id="answers"' in page) and page.count('class="question"') == 4)
        check(f"[{lang}] no password", SECRET not in page and SECRET_B64 not in page)
        # The inline diagram and sequence.svg are XML; one arrow group per diagram row.
        m = re.search(r'<svg xmlns="http://www.w3.org/2000/svg" class="mailsim-sequence".*?</svg>',
                      page, re.S)
        try:
            inline = ET.fromstring(m.group(0)) if m else None
        except ET.ParseError as e:
            inline = None
            check(f"[{lang}] inline SVG parses as XML", False, e)
        check(f"[{lang}] inline SVG present", inline is not None)
        try:
            svg = ET.parse(files["sequence.svg"]).getroot()
        except ET.ParseError as e:
            svg = None
            check(f"[{lang}] sequence.svg parses as XML", False, e)
        if svg is not None and inline is not None:
            arrows = [g for g in svg.iter(SVG_NS + "g") if g.get("class") == "arrow"]
            check(f"[{lang}] sequence.svg has the arrows", len(arrows) > 40, len(arrows))
            check(f"[{lang}] the page shows the same arrows",
                  len([g for g in inline.iter(SVG_NS + "g") if g.get("class") == "arrow"]) ==
                  len(arrows))
            labels = ["".join(t.itertext()) for g in arrows for t in g.findall(SVG_NS + "text")]
            check(f"[{lang}] arrow labels are protocol lines",
                  "EHLO laptop.sender.example" in labels and "QUIT" in labels, labels[:10])
            check(f"[{lang}] a folded TCP handshake",
                  any(":587 (SYN, SYN-ACK, ACK)" in l for l in labels), labels[:3])
            locks = [g for g in arrows if g.find(SVG_NS + "g") is not None]
            check(f"[{lang}] padlocks on lines inside TLS", len(locks) > 10, len(locks))
            check(f"[{lang}] no password in the SVG", SECRET not in ET.tostring(svg, "unicode"))
            # sequence.png: the same drawing at twice the SVG's size, on a white page, with
            # ink on it (text and arrows, not one flat colour).
            try:
                w, h, bpp, rows = testkit.read_png(files["sequence.png"])
            except (ValueError, OSError, TypeError) as e:
                w = h = bpp = 0
                rows = []
                check(f"[{lang}] sequence.png is a PNG", False, e)
            want = (math.ceil(float(svg.get("width")) * 2), math.ceil(float(svg.get("height")) * 2))
            check(f"[{lang}] sequence.png is twice the SVG's size", (w, h) == want, ((w, h), want))
            ink = {r[x:x + 3] for r in rows[::7] for x in range(0, w * bpp, bpp * 3)}
            check(f"[{lang}] sequence.png shows the diagram (white page, many colours)",
                  rows and rows[0][:3] == b"\xff\xff\xff" and len(ink) > 30, len(ink))
        with open(files["handout.md"], encoding="utf-8") as f:
            md = f.read()
        check(f"[{lang}] Markdown: narration", narration in md)
        check(f"[{lang}] Markdown: transcript in code blocks",
              "```text\n" in md and md.count("```") % 2 == 0 and "C: EHLO laptop.sender.example" in md)
        check(f"[{lang}] Markdown: the diagram by reference", "](sequence.svg)" in md)
        check(f"[{lang}] Markdown: no password", SECRET not in md and SECRET_B64 not in md)

    # --show-secrets: the passwords are in (IMAP LOGIN shows it as typed).
    out = os.path.join(tmp, "secrets")
    r = run("handout", LESSON, "-o", out, "--show-secrets", "-q")
    check("--show-secrets exits 0 quietly", r.returncode == 0 and r.stderr == "", r.stderr)
    page = open(os.path.join(out, "index.html"), encoding="utf-8").read()
    check("--show-secrets shows the password", SECRET in page or SECRET_B64 in page)

    # Errors.
    r = run("handout", os.path.join(tmp, "no-such.toml"), "-o", os.path.join(tmp, "x"))
    check("unknown lesson file exits 2 with a message",
          r.returncode == 2 and "no-such.toml" in r.stderr, (r.returncode, r.stderr))
    check("no output directory left behind for a bad lesson",
          not os.path.exists(os.path.join(tmp, "x")))
    blocker = os.path.join(tmp, "a-file")
    open(blocker, "w").close()
    r = run("handout", LESSON, "-o", os.path.join(blocker, "sub"))
    check("unwritable DIR exits 1 naming it",
          r.returncode == 1 and "cannot create" in r.stderr and "a-file" in r.stderr,
          (r.returncode, r.stderr))
    r = run("handout", LESSON, "-o", blocker)
    check("DIR that is a file exits 1", r.returncode == 1 and "a-file" in r.stderr,
          (r.returncode, r.stderr))
    r = run("handout", LESSON)
    check("missing -o exits 2", r.returncode == 2, (r.returncode, r.stderr))
    r = run("handout", LESSON, "-o", os.path.join(tmp, "y"), "--lang", "fr")
    check("unknown --lang exits 2", r.returncode == 2, (r.returncode, r.stderr))

    # Every built-in lesson makes a handout whose SVG parses.
    lessons = sorted(f for f in os.listdir(os.path.join(SRC, "lessons")) if f.endswith(".toml"))
    for name in lessons:
        out = os.path.join(tmp, "all", name)
        r = run("handout", os.path.join(SRC, "lessons", name), "-o", out, "-q", timeout=300)
        ok = r.returncode == 0
        if ok:
            try:
                ET.parse(os.path.join(out, "sequence.svg"))
                testkit.check_png_structure(os.path.join(out, "sequence.png"))
            except (ET.ParseError, ValueError, OSError) as e:
                ok = False
                r = e
        check(f"handout of {name} (the SVG parses, the PNG decodes)", ok, r if not ok else "")

print(f"{failures} failed" if failures else "all passed")
sys.exit(1 if failures else 0)

#!/usr/bin/env python3
"""The handout page in a real browser: headless Chromium (Debian's `chromium`) loads
index.html from disk, its DOM keeps the narration and every diagram arrow, and its
screenshot is a rendered page, not a blank one. Screenshots are kept in SHOTS.
Usage: test_handout_chromium.py MAILSIM SOURCE_DIR SHOTS"""
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "pylib"))
import testkit  # noqa: E402

MAILSIM, SRC, SHOTS = sys.argv[1], sys.argv[2], sys.argv[3]
LESSON = os.path.join(SRC, "lessons", "smtp-basics.toml")
failures = 0


def check(name, cond, detail=""):
    global failures
    if cond:
        print(f"ok - {name}")
    else:
        failures += 1
        print(f"not ok - {name}: {str(detail)[:1500]}")


browser = shutil.which("chromium") or shutil.which("chromium-browser")
check("chromium is installed (.ci/install-deps --test)", browser is not None)
if browser is None:
    sys.exit(1)
os.makedirs(SHOTS, exist_ok=True)

with tempfile.TemporaryDirectory() as tmp:
    for lang, narration in (("en", "Ana presses Send."), ("pt", "A Ana carrega em Enviar.")):
        out = os.path.join(tmp, lang)
        r = subprocess.run([MAILSIM, "handout", LESSON, "-o", out, "--lang", lang, "-q"],
                           capture_output=True, text=True, timeout=120)
        check(f"[{lang}] handout written", r.returncode == 0, r.stderr)
        url = "file://" + os.path.join(out, "index.html")
        flags = [browser, "--headless=new", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                 "--no-first-run", "--user-data-dir=" + os.path.join(tmp, "profile-" + lang)]
        env = dict(os.environ, HOME=tmp)
        dom = subprocess.run(flags + ["--dump-dom", url], capture_output=True, text=True,
                             timeout=120, env=env, stdin=subprocess.DEVNULL)
        check(f"[{lang}] Chromium loads the page", dom.returncode == 0 and "<main>" in dom.stdout,
              dom.stderr[-800:])
        check(f"[{lang}] the DOM has the narration", narration in dom.stdout)
        with open(os.path.join(out, "sequence.svg"), encoding="utf-8") as f:
            arrows = f.read().count('<g class="arrow"')
        check(f"[{lang}] the DOM has every diagram arrow",
              arrows > 40 and dom.stdout.count('<g class="arrow"') == arrows,
              (arrows, dom.stdout.count('<g class="arrow"')))
        shot = os.path.join(SHOTS, f"handout-{lang}.png")
        if os.path.exists(shot):
            os.remove(shot)
        s = subprocess.run(flags + ["--screenshot=" + shot, "--window-size=1200,1600", url],
                           capture_output=True, text=True, timeout=120, env=env,
                           stdin=subprocess.DEVNULL)
        check(f"[{lang}] screenshot taken", s.returncode == 0 and os.path.isfile(shot),
              s.stderr[-800:])
        if not os.path.isfile(shot):
            continue
        w, h, bpp, raw_rows = testkit.read_png(shot)
        rows = [[tuple(r[x:x + 3]) for x in range(0, len(r), bpp)] for r in raw_rows]
        check(f"[{lang}] screenshot is 1200x1600", (w, h) == (1200, 1600), (w, h))
        pixels = [p for row in rows[::4] for p in row[::4]]
        colours = len(set(pixels))
        dark = sum(1 for p in pixels if sum(p) < 200) / len(pixels)
        white = sum(1 for p in pixels if p == (255, 255, 255)) / len(pixels)
        check(f"[{lang}] not blank: many colours", colours > 50, colours)
        check(f"[{lang}] dark text on a light page", 0.003 < dark < 0.3 and white > 0.4,
              (dark, white))
        # SMTP's blue arrows and labels of the diagram (the first screen holds its top).
        blue = sum(1 for row in rows for p in row[::2]
                   if p[2] > 170 and p[2] - p[0] > 90 and p[2] - p[1] > 40)
        check(f"[{lang}] the diagram's SMTP arrows are drawn", blue > 500, blue)
        print(f"# screenshot: {shot} ({colours} colours, {dark:.1%} dark, {blue} blue pixels)")

print(f"{failures} failed" if failures else "all passed")
sys.exit(1 if failures else 0)

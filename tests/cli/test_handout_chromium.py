#!/usr/bin/env python3
"""The handout page in a real browser: headless Chromium (Debian's `chromium`) loads
index.html from disk, its DOM keeps the narration and every diagram arrow, and its
screenshot is a rendered page, not a blank one. Screenshots are kept in SHOTS.
Usage: test_handout_chromium.py MAILSIM SOURCE_DIR SHOTS"""
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import zlib

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


def read_png(path):
    """(width, height, rows of (r, g, b) tuples) of an 8-bit RGB/RGBA non-interlaced PNG."""
    with open(path, "rb") as f:
        data = f.read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG")
    pos, idat, head = 8, b"", None
    while pos < len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        if kind == b"IHDR":
            head = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        pos += 12 + n
    w, h, depth, colour, _, _, interlace = head
    if depth != 8 or colour not in (2, 6) or interlace:
        raise ValueError(f"unsupported PNG: depth {depth} colour {colour} interlace {interlace}")
    bpp = 3 if colour == 2 else 4
    raw, stride = zlib.decompress(idat), w * bpp
    rows, prev = [], bytearray(stride)
    for y in range(h):
        f, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b, c = prev[i], prev[i - bpp] if i >= bpp else 0
            if f == 1:
                line[i] = (line[i] + a) & 255
            elif f == 2:
                line[i] = (line[i] + b) & 255
            elif f == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif f == 4:
                pa, pb, pc = abs(b - c), abs(a - c), abs(a + b - 2 * c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append([tuple(line[x:x + 3]) for x in range(0, stride, bpp)])
        prev = line
    return w, h, rows


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
        w, h, rows = read_png(shot)
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

#!/usr/bin/env python3
"""The window under a real X server (Xvfb): it opens, draws the lesson and saves a
screenshot after --frames frames, which the test decodes and inspects; then real key
presses and mouse clicks (XTEST through xdotool) move the time cursor, and the state the
window prints when it closes (Ctrl+Q) must show it.
Usage: test_gui.py MAILSIM SOURCE_DIR OUT_DIR"""
import os
import shutil
import struct
import subprocess
import sys
import time
import zlib

MAILSIM, SRC, OUT = sys.argv[1], sys.argv[2], sys.argv[3]
os.makedirs(OUT, exist_ok=True)
shot = os.path.join(OUT, "gui-smtp-basics.png")
if os.path.exists(shot):
    os.remove(shot)


def png_pixels(path):
    """Decodes an 8-bit RGBA/RGB PNG (what stb writes) into rows of bytes."""
    data = open(path, "rb").read()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat, w = 8, b"", 0
    while pos < len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        if kind == b"IHDR":
            w, h, depth, ctype = struct.unpack(">IIBB", body[:10])
            bpp = {6: 4, 2: 3}[ctype]
        elif kind == b"IDAT":
            idat += body
        pos += 12 + n
    raw = zlib.decompress(idat)
    rows, prev, stride = [], bytearray(w * bpp), w * bpp
    for y in range(h):
        f, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b = prev[i]
            c = prev[i - bpp] if i >= bpp else 0
            if f == 1: line[i] = (line[i] + a) & 255
            elif f == 2: line[i] = (line[i] + b) & 255
            elif f == 3: line[i] = (line[i] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(bytes(line))
        prev = line
    return w, h, bpp, rows


xvfb = shutil.which("Xvfb")
if not xvfb:
    print("not ok - Xvfb is not installed (the test command installs package xvfb)")
    sys.exit(1)
# Xvfb picks a free display itself and writes its number to our pipe (-displayfd), so
# parallel test runs never share or steal a display.
rfd, wfd = os.pipe()
xv = subprocess.Popen([xvfb, "-displayfd", str(wfd), "-screen", "0", "1280x800x24",
                       "-nolisten", "tcp", "-noreset"], pass_fds=(wfd,),
                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
os.close(wfd)
with os.fdopen(rfd) as f:
    number = f.readline().strip()
if not number:
    print("not ok - Xvfb did not start")
    sys.exit(1)
display = ":" + number
try:
    env = dict(os.environ, DISPLAY=display)
    # LeakSanitizer flags allocations inside Mesa's drivers, which we do not own.
    env["ASAN_OPTIONS"] = "detect_leaks=0"
    r = subprocess.run([MAILSIM, "gui", os.path.join(SRC, "lessons", "smtp-basics.toml"),
                        "--frames", "30", "--screenshot", shot],
                       capture_output=True, text=True, timeout=120, env=env)
    ok = r.returncode == 0 and os.path.exists(shot)
    print(("ok" if ok else "not ok") + " - window opens and saves a screenshot",
          "" if ok else f"rc={r.returncode} {r.stderr}")
    if not ok:
        sys.exit(1)
    w, h, bpp, rows = png_pixels(shot)
    colours = set()
    for row in rows[::8]:
        for x in range(0, w * bpp, bpp * 8):
            colours.add(row[x:x + 3])
    print(f"# screenshot {shot}: {w}x{h}, {len(colours)} sampled colours")
    checks = [
        ("screenshot has the window size", (w, h) == (1280, 800)),
        ("the window shows content (not one flat colour)", len(colours) >= 4),
    ]
    # Mid-flight screenshot: after the 42nd protocol line packets are on the links.
    mid = os.path.join(OUT, "gui-smtp-basics-line42.png")
    r = subprocess.run([MAILSIM, "gui", os.path.join(SRC, "lessons", "smtp-basics.toml"),
                        "--at", "42", "--frames", "5", "--screenshot", mid],
                       capture_output=True, text=True, timeout=120, env=env)
    checks.append(("--at 42 screenshot", r.returncode == 0 and os.path.exists(mid)))

    def session(actions):
        """Starts the window, performs xdotool actions, quits with Ctrl+Q, returns its state."""
        p = subprocess.Popen([MAILSIM, "gui", "--print-state"], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True, env=env)
        try:
            win = ""
            for _ in range(200):
                win = subprocess.run(["xdotool", "search", "--onlyvisible", "--name", "^mailsim$"],
                                     env=env, capture_output=True, text=True).stdout.split()
                if win and subprocess.run(["xdotool", "windowfocus", win[0]], env=env,
                                          capture_output=True).returncode == 0:
                    break
                win = []
                time.sleep(0.05)
            if not win:
                p.kill()
                raise AssertionError("the window never appeared: " + p.communicate()[1][-2000:])
            time.sleep(1.0)  # let the first frames run, then focus again: keys go to the focus
            subprocess.run(["xdotool", "windowfocus", "--sync", win[0]], env=env, check=True)
            time.sleep(0.2)
            for a in actions + [["keydown", "ctrl+q"], ["keyup", "ctrl+q"]]:
                subprocess.run(["xdotool", *a], env=env, check=True)
                time.sleep(0.12)  # longer than a frame, so the window sees each event
            out, err = p.communicate(timeout=30)
        finally:
            if p.poll() is None:
                p.kill()
        state = dict(kv.split("=", 1) for kv in out.split())
        return state, err

    def press(key):
        return [["keydown", key], ["keyup", key]]

    st, err = session(press("Right") * 3)
    checks.append(("three Right presses step three protocol lines",
                   st.get("line", "").startswith("3/")))
    lines_total = st.get("line", "0/0").split("/")[1]
    st2, _ = session(press("End") + press("Left"))
    checks.append(("End then Left lands on the line before the last",
                   st2.get("line") == f"{int(lines_total) - 1}/{lines_total}"))
    st3, _ = session(press("space") + [["sleep", "1.5"]] + press("space"))
    checks.append(("Space plays and Space pauses",
                   st3.get("playing") == "0" and int(st3.get("cursor_us", "0")) > 0))
    # A click on a transcript row (right column) moves the cursor to that line.
    st4, _ = session([["mousemove", "900", "300"], ["mousedown", "1"], ["mouseup", "1"]])
    checks.append(("clicking a transcript row selects it and moves the cursor",
                   st4.get("selected", "none") != "none" and int(st4.get("cursor_us", "0")) > 0))
    # Open the Sequence tab, then click an arrow of the ladder: the cursor follows.
    st5, _ = session([["mousemove", "865", "82"], ["mousedown", "1"], ["mouseup", "1"],
                      ["mousemove", "1000", "400"], ["mousedown", "1"], ["mouseup", "1"]])
    checks.append(("clicking an arrow in the sequence diagram moves the cursor",
                   "Protocol:Sequence" in st5.get("tabs", "") and st5.get("selected", "none") != "none"
                   and st5.get("line", "0/").split("/")[0] != "0"))
    print(f"# states: {st} {st2} {st3} {st4} {st5}")

    bad = [n for n, c in checks if not c]
    for n, c in checks:
        print(("ok" if c else "not ok") + " - " + n)
    sys.exit(1 if bad else 0)
finally:
    xv.terminate()
    xv.wait(timeout=10)

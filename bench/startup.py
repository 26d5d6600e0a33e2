#!/usr/bin/env python3
"""startup.py -- how long mailsim takes to start, as a user meets it.

Prints the median (and min/max) over --reps launches of:
  * `mailsim --version`: the cost of starting the process at all (the floor);
  * headless: `mailsim run LESSON >/dev/null`, launch to exit, i.e. to the end of the
    lesson (the default lesson, lessons/smtp-basics.toml);
  * first frame: `mailsim gui LESSON --frames 1 --print-first-frame` under Xvfb (Mesa's
    software OpenGL): launch to the moment the first frame has been drawn and swapped (the
    program prints the wall clock then, after glFinish); and launch to exit.

  bench/startup.py --mailsim build/release/gui/mailsim [--reps 11]

With --mailsim given more than once (e.g. a build before and after a change), the binaries'
launches alternate, so each figure is measured under the same load, side by side.

Exit status: 0 figures printed, 1 a run failed, 2 Xvfb missing.
"""

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def timed(cmd, env=None):
    """(launch, exit, stdout) with wall-clock ns."""
    t0 = time.time_ns()
    r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, text=True)
    t1 = time.time_ns()
    if r.returncode != 0:
        print(f"startup: {' '.join(cmd)} failed: {r.stderr[-500:]}", file=sys.stderr)
        sys.exit(1)
    return t0, t1, r.stdout


def start_xvfb():
    xvfb = shutil.which("Xvfb")
    if xvfb is None:
        print("startup: Xvfb is not installed (package xvfb)", file=sys.stderr)
        sys.exit(2)
    rfd, wfd = os.pipe()
    p = subprocess.Popen([xvfb, "-displayfd", str(wfd), "-screen", "0", "1280x800x24", "-nolisten",
                          "tcp"], pass_fds=(wfd,), stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL)
    os.close(wfd)
    with os.fdopen(rfd) as f:
        display = f.readline().strip()
    if not display:
        p.kill()
        print("startup: Xvfb did not start", file=sys.stderr)
        sys.exit(1)
    return p, ":" + display


def line(name, values_ms):
    med = statistics.median(values_ms)
    print(f"{name:52} median {med:8.1f} ms   min {min(values_ms):8.1f}   max {max(values_ms):8.1f}")


def lines(name, per_binary, names):
    for i, values in enumerate(per_binary):
        line(name if len(names) == 1 else f"[{names[i]}] {name}", values)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--mailsim", required=True, action="append",
                    help="the program; several: their launches alternate")
    ap.add_argument("--lesson", default=os.path.join(HERE, "..", "lessons", "smtp-basics.toml"))
    ap.add_argument("--reps", type=int, default=11)
    a = ap.parse_args()
    bins = [os.path.abspath(m) for m in a.mailsim]
    names = [chr(ord("A") + i) for i in range(len(bins))]
    for n, b in zip(names, bins):
        print(f"startup: {'' if len(bins) == 1 else n + ' = '}{b}")
    print(f"startup: {a.reps} launches each, load {os.getloadavg()[0]:.1f}")

    def alternate(args):
        """Wall-clock ms of each binary's launches (A, B, A, B, ...)."""
        out = [[] for _ in bins]
        for _ in range(a.reps):
            for i, b in enumerate(bins):
                t0, t1, _ = timed([b, *args])
                out[i].append((t1 - t0) / 1e6)
        return out

    lines("mailsim --version (process start, floor)", alternate(["--version"]), names)
    lines("headless: launch to end of lesson (mailsim run)", alternate(["run", a.lesson]), names)

    xvfb, display = start_xvfb()
    tmp = tempfile.mkdtemp(prefix="startup.")
    try:
        env = dict(os.environ, DISPLAY=display, XDG_CONFIG_HOME=os.path.join(tmp, "config"))
        first, exit_ = [[] for _ in bins], [[] for _ in bins]
        for _ in range(a.reps):
            for i, ms in enumerate(bins):
                t0, t1, out = timed([ms, "gui", a.lesson, "--frames", "1", "--print-first-frame"],
                                    env)
                shown = [ln for ln in out.splitlines() if ln.startswith("first frame shown at ")]
                if not shown:
                    print(f"startup: no first-frame line in {out!r}", file=sys.stderr)
                    sys.exit(1)
                first[i].append((int(shown[0].split()[4]) - t0) / 1e6)
                exit_[i].append((t1 - t0) / 1e6)
        lines("window: launch to first frame shown (Xvfb, software GL)", first, names)
        lines("window: launch to exit after that frame", exit_, names)
    finally:
        xvfb.terminate()
        xvfb.wait()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""sim_instructions.py -- instructions the simulator executes per complete mail flow.

On a shared machine the simulator's wall-clock and CPU figures (`mailsim bench sim`) vary
by a third from one run to the next, which hides any change smaller than that. The number
of instructions does not vary: this runs `mailsim bench sim` under valgrind's callgrind,
counting only inside sim::World::run (the world's events, not start-up or the lesson's
parsing), and prints instructions per flow and per trace event. Given several binaries
(a build before and after a change), it prints each one's ratio to the first.

  bench/sim_instructions.py --mailsim OLD --mailsim NEW [--flows 200] [--tls]

Instructions are not time (cache misses, branch mispredictions and system calls are not in
them), so a change that matters is confirmed with `mailsim bench sim` as well.

Exit status: 0 figures printed, 1 a run failed, 2 valgrind missing.
"""

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile


def count(mailsim, flows, tls):
    """(instructions inside World::run, trace events) for one run."""
    with tempfile.TemporaryDirectory(prefix="mailsim-cg-") as tmp:
        out = os.path.join(tmp, "callgrind.out")
        cmd = ["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}",
               "--toggle-collect=sim::World::run*", mailsim, "bench", "sim",
               "--flows", str(flows), "--seeks", "1"]
        if not tls:
            cmd.append("--no-tls")
        r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        if r.returncode != 0:
            print(f"sim_instructions: {mailsim} failed:\n{r.stderr[-800:]}", file=sys.stderr)
            sys.exit(1)
        collected = re.search(r"Collected\s*:\s*(\d+)", r.stderr)
        # The bench's table row: flows seconds flows/s events ...
        row = re.search(rf"^\s*{flows}\s+\S+\s+\S+\s+(\d+)\s", r.stdout, re.M)
        if not collected or not row:
            print(f"sim_instructions: cannot read the figures of {mailsim}:\n{r.stdout}\n"
                  f"{r.stderr[-800:]}", file=sys.stderr)
            sys.exit(1)
        return int(collected.group(1)), int(row.group(1))


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--mailsim", action="append", required=True,
                   help="mailsim binary (repeat to compare builds; the first is the base)")
    p.add_argument("--flows", type=int, default=200,
                   help="complete flows in the world (default 200: about a minute per binary)")
    p.add_argument("--tls", action="store_true",
                   help="STARTTLS everywhere (the default counts the plaintext variant)")
    a = p.parse_args()
    if a.flows < 1:
        p.error("--flows must be at least 1")
    if not shutil.which("valgrind"):
        print("sim_instructions: valgrind is not installed (apt-get install valgrind)",
              file=sys.stderr)
        sys.exit(2)
    variant = "STARTTLS" if a.tls else "plaintext"
    print(f"instructions inside sim::World::run, {a.flows} flows, {variant} (callgrind)")
    print(f"{'instructions':>15} {'per flow':>12} {'per event':>10} {'ratio':>7}  binary")
    base = None
    for m in a.mailsim:
        print(f"  counting {m} ...", file=sys.stderr, flush=True)
        ir, events = count(m, a.flows, a.tls)
        base = base or ir
        print(f"{ir:>15,} {ir / a.flows:>12,.0f} {ir / events:>10,.0f} {ir / base:>7.3f}  {m}",
              flush=True)


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Static checks: clang-tidy (check set in /.clang-tidy) and cppcheck over every C++ file of
the compilation database (net/ sim/ gui/ tests/). Any finding fails the run.

    python3 tests/static/run_static_checks.py [--build-dir build/asan] [--jobs 2]
                                              [--only clang-tidy|cppcheck] [FILE_REGEX]

The build directory only needs to be configured (CMAKE_EXPORT_COMPILE_COMMANDS is on); nothing
is compiled. Results are cached under <build-dir>/static/: a translation unit clang-tidy found
clean is skipped next time while its preprocessed text (comments kept, so NOLINTs count), its
compile command, .clang-tidy and the clang-tidy version are unchanged; cppcheck keeps its own
incremental data there (--cppcheck-build-dir). Findings are never cached.
"""
import argparse
import concurrent.futures
import hashlib
import json
import os
import re
import resource
import shlex
import subprocess
import sys
import time

ROOT = os.path.realpath(os.path.join(os.path.dirname(__file__), "..", ".."))
OUR_DIRS = ("net", "sim", "gui", "tests", "bench")
HERE = os.path.dirname(os.path.realpath(__file__))
FINDING = re.compile(r"^(/[^:\s]+):(\d+):(\d+): (?:warning|error): (.*) \[([\w.,-]+)\]$")


def our_file(path):
    rel = os.path.relpath(path, ROOT)
    return rel.split(os.sep, 1)[0] in OUR_DIRS


def load_units(build_dir, pattern):
    with open(os.path.join(build_dir, "compile_commands.json")) as f:
        db = json.load(f)
    units = {}
    for e in db:
        path = os.path.realpath(os.path.join(e["directory"], e["file"]))
        if our_file(path) and re.search(pattern, path) and path not in units:
            units[path] = e
    return units


def preprocess_key(entry, salt):
    """Hash of the unit as the compiler sees it, comments included (-E -C)."""
    args = entry["arguments"] if "arguments" in entry else shlex.split(entry["command"])
    if args and "ccache" in os.path.basename(args[0]):
        args = args[1:]
    cmd, skip = [], False
    for a in args:
        if skip:
            skip = False
            continue
        if a == "-o":
            skip = True
            continue
        if a == "-c":
            continue
        cmd.append(a)
    cmd += ["-E", "-C", "-o", "-"]
    out = subprocess.run(cmd, cwd=entry["directory"], capture_output=True)
    if out.returncode != 0:
        return None  # does not preprocess: let clang-tidy say why
    h = hashlib.sha256(salt)
    h.update(" ".join(args).encode())
    h.update(out.stdout)
    return h.hexdigest()


def tidy_one(path, entry, build_dir, cache_dir, salt):
    key = preprocess_key(entry, salt)
    stamp = os.path.join(cache_dir, key) if key else None
    if stamp and os.path.exists(stamp):
        return path, "", True
    header_filter = "^%s/(%s)/" % (re.escape(ROOT), "|".join(OUR_DIRS))
    out = subprocess.run(["clang-tidy", "--quiet", "-p", build_dir,
                          "--header-filter=" + header_filter, path],
                         capture_output=True, text=True)
    if out.returncode == 0 and not any(FINDING.match(l) for l in out.stdout.splitlines()):
        if stamp:
            open(stamp, "w").close()
        return path, "", False
    return path, out.stdout + out.stderr, False


def run_clang_tidy(units, build_dir, jobs):
    cache_dir = os.path.join(build_dir, "static", "clang-tidy-clean")
    os.makedirs(cache_dir, exist_ok=True)
    version = subprocess.run(["clang-tidy", "--version"], capture_output=True).stdout
    with open(os.path.join(ROOT, ".clang-tidy"), "rb") as f:
        salt = version + f.read()
    findings, broken, cached = {}, [], 0
    with concurrent.futures.ThreadPoolExecutor(max_workers=jobs) as pool:
        futs = [pool.submit(tidy_one, p, e, build_dir, cache_dir, salt)
                for p, e in sorted(units.items())]
        for done, fut in enumerate(concurrent.futures.as_completed(futs), 1):
            path, text, hit = fut.result()
            cached += hit
            new = 0
            for line in text.splitlines():
                m = FINDING.match(line)
                if m:
                    f, ln, col, msg, check = m.groups()
                    if not our_file(os.path.realpath(f)):
                        continue  # an analyzer path that ends in a third-party header
                    key = (os.path.relpath(f, ROOT), int(ln), int(col),
                           check.replace(",-warnings-as-errors", ""))
                    if key not in findings:
                        findings[key] = msg
                        new += 1
                        print("%s:%d:%d: %s [%s]" % (key[0], key[1], key[2], msg, key[3]),
                              flush=True)
            if text and not new and not any(FINDING.match(l) for l in text.splitlines()):
                broken.append(path)
                print("clang-tidy failed on %s:\n%s" % (os.path.relpath(path, ROOT), text[-3000:]))
            print("[%d/%d] %s%s" % (done, len(futs), os.path.relpath(path, ROOT),
                                   " (clean, cached)" if hit else ""), flush=True)
    print("clang-tidy: %d finding(s), %d unit(s) failing, %d of %d unit(s) clean from cache"
          % (len(findings), len(broken), cached, len(units)))
    return not findings and not broken


def run_cppcheck(units, build_dir, jobs):
    # cppcheck's incremental data does not notice a changed library or suppression file:
    # one directory per version of them.
    h = hashlib.sha256()
    for name in ("doctest.cfg", "cppcheck-suppressions.txt"):
        with open(os.path.join(HERE, name), "rb") as f:
            h.update(f.read())
    work = os.path.join(build_dir, "static", "cppcheck-" + h.hexdigest()[:12])
    os.makedirs(work, exist_ok=True)
    # cppcheck takes the project file as is: give it only our units.
    db = os.path.join(work, "compile_commands.json")
    with open(db, "w") as f:
        json.dump(list(units.values()), f)
    cmd = ["cppcheck", "--project=" + db, "--std=c++20", "-j", str(jobs),
           "--enable=warning,performance,portability", "--inline-suppr",
           "--suppressions-list=" + os.path.join(HERE, "cppcheck-suppressions.txt"),
           "--library=" + os.path.join(HERE, "doctest.cfg"),
           "--cppcheck-build-dir=" + work, "--error-exitcode=1", "-q",
           "--template={file}:{line}:{column}: {severity}: {message} [{id}]"]
    out = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    lines = [l for l in (out.stdout + out.stderr).splitlines() if l.strip()]
    findings = [l for l in lines if re.search(r"\[\w+\]$", l)]
    for l in lines:
        print(os.path.relpath(l, ROOT) if l.startswith("/") and ":" not in l else
              l.replace(ROOT + "/", ""))
    print("cppcheck: %d finding(s)" % len(findings))
    return out.returncode == 0 and not findings


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--build-dir", default=os.path.join(ROOT, "build", "asan"))
    ap.add_argument("--jobs", type=int, default=int(os.environ.get("MAILSIM_STATIC_JOBS", "2")))
    ap.add_argument("--only", choices=["clang-tidy", "cppcheck"])
    ap.add_argument("files", nargs="?", default="", help="regex on the source paths")
    a = ap.parse_args()
    build_dir = os.path.realpath(a.build_dir)
    units = load_units(build_dir, a.files)
    if not units:
        print("no translation units in %s/compile_commands.json" % build_dir)
        return 1
    ok = True
    for name, fn in (("cppcheck", run_cppcheck), ("clang-tidy", run_clang_tidy)):
        if a.only in (None, name):
            t0, c0 = time.monotonic(), resource.getrusage(resource.RUSAGE_CHILDREN)
            ok = fn(units, build_dir, a.jobs) and ok
            c1 = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu = c1.ru_utime + c1.ru_stime - c0.ru_utime - c0.ru_stime
            print("%s: %.0f s, %.0f s of CPU" % (name, time.monotonic() - t0, cpu), flush=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

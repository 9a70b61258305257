#!/usr/bin/env python3
"""Keeps the README and the pages of docs/ true: runs what they show.

A fenced block is checked when the line before it is a marker comment
(invisible on a rendered page):

  <!-- check: session [SIM ARGS...] -->
      A shell session: lines starting with "$ " are commands, the lines after
      each command are its expected output. The commands run in order in one
      bash, in a scratch directory where build/ is the build tree and every
      top-level entry of the source tree is linked, with build/bin on PATH.
      With SIM ARGS (or the word "sim" alone) a qlwm2m-sim is started first
      with those arguments and QLWM2M_PORT names its pty. A command ending in
      "&" runs in the background; when it carries "--link PATH" the next
      command waits for PATH. A command whose block shows no output may print
      anything, but must exit 0.
  <!-- check: c-program -->
      A C program: compiled against the library in the build tree with
      warnings as errors, then run with a simulator's pty as its only
      argument (a BC68 with short delays); it must exit 0.
  <!-- check: output NAME -->
      What a program prints (for example scripts/demo.sh): compared with the
      file given as --output NAME=FILE; without that option it is skipped.

Comparison ignores what differs from run to run: elapsed times "[  1.3s]",
"t_ms" and other *_ms numbers in JSON, "time to ready N ms", pty numbers (/dev/pts/N), the "deps:"
line (it depends on what the machine has), and trailing blanks. A line "..."
in a block stands for any number of lines.

Usage: check_docs.py --src DIR --build DIR [--lib LIB [--cc CC] [--cflags FLAGS]]
                     [--output NAME=FILE] [--only KIND] FILE.md...
Exit 0 when every checked block holds, 1 otherwise (each failure says which
file and line, and shows expected and actual output).
"""
import argparse
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import time

MARK = re.compile(r"^<!-- check: (\S+)(.*?)-->\s*$")

# Generous: only a hang should hit them, never a slow machine.
CMD_TIMEOUT_S = 180


def blocks(path):
    """Yields (kind, args, first line number, block lines) for marked blocks."""
    with open(path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    i = 0
    while i < len(lines):
        m = MARK.match(lines[i].strip())
        if not m:
            i += 1
            continue
        j = i + 1
        while j < len(lines) and not lines[j].strip():
            j += 1
        if j >= len(lines) or not lines[j].lstrip().startswith("```"):
            raise SystemExit(f"{path}:{i + 1}: a check marker must precede a fenced block")
        indent = len(lines[j]) - len(lines[j].lstrip())
        k = j + 1
        body = []
        while k < len(lines) and not lines[k].strip().startswith("```"):
            body.append(lines[k][indent:] if lines[k][:indent].strip() == "" else lines[k])
            k += 1
        yield m.group(1), m.group(2).strip(), j + 2, body
        i = k + 1


def normalise(text_lines):
    out = []
    for line in text_lines:
        line = line.rstrip()
        line = re.sub(r"^\[ *\d+\.\ds\]", "[T]", line)
        line = re.sub(r'"(\w*_ms|t_ms)":\d+', r'"\1":N', line)
        line = re.sub(r"/dev/pts/\d+", "/dev/pts/N", line)
        line = re.sub(r"time to ready \d+ ms", "time to ready N ms", line)
        line = re.sub(r"^deps: .*", "deps: ...", line)
        out.append(line)
    while out and not out[-1]:
        out.pop()
    while out and not out[0]:
        out.pop(0)
    return out


def matches(expected, actual):
    """expected may hold "..." lines that match any run of lines."""
    if not expected:
        return not actual
    if expected[0] == "...":
        return any(matches(expected[1:], actual[i:]) for i in range(len(actual) + 1))
    return bool(actual) and expected[0] == actual[0] and matches(expected[1:], actual[1:])


class Sim:
    def __init__(self, bin_dir, args, work):
        self.out = os.path.join(work, f"sim{id(self)}.out")
        self.proc = subprocess.Popen(
            [os.path.join(bin_dir, "qlwm2m-sim")] + args,
            stdin=subprocess.DEVNULL, stdout=open(self.out, "w"), stderr=subprocess.DEVNULL)
        self.pty = None
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            with open(self.out) as f:
                first = f.readline().strip()
            if first.startswith("/dev/"):
                self.pty = first
                return
            if self.proc.poll() is not None:
                break
            time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"qlwm2m-sim {' '.join(args)} did not start")

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def scratch_dir(src, build):
    work = tempfile.mkdtemp(prefix="qlwm2m-docs.")
    for name in os.listdir(src):
        if name.startswith(".") or name.startswith("build"):
            continue
        os.symlink(os.path.join(src, name), os.path.join(work, name))
    os.symlink(build, os.path.join(work, "build"))
    return work


def check_session(where, args, body, src, build):
    steps = []  # (command, expected lines)
    for line in body:
        if line.startswith("$ "):
            steps.append((line[2:], []))
        elif steps:
            steps[-1][1].append(line)
        elif line.strip():
            return [f"{where}: output before the first command: {line!r}"]
    work = scratch_dir(src, build)
    bin_dir = os.path.join(build, "bin")
    env = dict(os.environ)
    env["PATH"] = bin_dir + os.pathsep + env.get("PATH", "")
    env.pop("QLWM2M_PORT", None)
    sim = None
    background = []
    errors = []
    try:
        sim_args = shlex.split(args)
        if sim_args:
            sim = Sim(bin_dir, [a for a in sim_args if a != "sim"], work)
            env["QLWM2M_PORT"] = sim.pty
        for cmd, expected in steps:
            if cmd.rstrip().endswith("&"):
                p = subprocess.Popen(["bash", "-c", cmd.rstrip()[:-1]], cwd=work, env=env,
                                     stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL, start_new_session=True)
                background.append(p)
                link = re.search(r"--link\s+(\S+)", cmd)
                if link:
                    path = os.path.join(work, link.group(1))
                    deadline = time.monotonic() + 30
                    while not os.path.exists(path) and time.monotonic() < deadline:
                        time.sleep(0.05)
                continue
            # Commands that set the environment are run in a shell whose
            # environment the later commands inherit.
            m = re.fullmatch(r"export (\w+)=(\S+)", cmd.strip())
            if m:
                env[m.group(1)] = re.sub(r"\$(\w+)", lambda v: work if v.group(1) == "PWD"
                                         else env.get(v.group(1), ""), m.group(2))
                continue
            try:
                r = subprocess.run(["bash", "-c", cmd], cwd=work, env=env, stdin=subprocess.DEVNULL,
                                   capture_output=True, text=True, timeout=CMD_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                errors.append(f"{where}: `{cmd}` did not finish in {CMD_TIMEOUT_S} s")
                break
            out = (r.stdout + r.stderr).split("\n")
            exp = normalise(expected)
            got = normalise(out)
            if not exp:
                if r.returncode != 0:
                    errors.append(f"{where}: `{cmd}` exited {r.returncode}:\n" + "\n".join(got))
                continue
            if not matches(exp, got):
                errors.append(f"{where}: `{cmd}` printed something else.\n--- shown\n"
                              + "\n".join(exp) + "\n--- printed\n" + "\n".join(got))
    finally:
        for p in background:
            if p.poll() is None:
                os.killpg(p.pid, signal.SIGTERM)
                try:
                    p.wait(10)
                except subprocess.TimeoutExpired:
                    os.killpg(p.pid, signal.SIGKILL)
        if sim:
            sim.stop()
        shutil.rmtree(work, ignore_errors=True)
    return errors


def check_c_program(where, body, src, build, lib, cc, cflags):
    work = tempfile.mkdtemp(prefix="qlwm2m-docs.")
    try:
        prog = os.path.join(work, "prog.c")
        with open(prog, "w") as f:
            f.write("\n".join(body) + "\n")
        exe = os.path.join(work, "prog")
        cmd = [cc] + shlex.split(cflags) + [
            "-std=c11", "-Wall", "-Wextra", "-Werror",
            "-I", os.path.join(src, "include"), "-I", os.path.join(build, "include"),
            "-o", exe, prog, lib, "-Wl,-rpath," + os.path.dirname(lib)]
        r = subprocess.run(cmd, capture_output=True, text=True)
        if r.returncode != 0:
            return [f"{where}: does not compile:\n{r.stdout}{r.stderr}"]
        sim = Sim(os.path.join(build, "bin"),
                  ["--attach-delay-ms", "100", "--register-delay-ms", "100",
                   "--observe-delay-ms", "200", "--ack-delay-ms", "100"], work)
        try:
            r = subprocess.run([exe, sim.pty], capture_output=True, text=True, timeout=CMD_TIMEOUT_S)
        finally:
            sim.stop()
        if r.returncode != 0:
            return [f"{where}: exited {r.returncode} against the simulator:\n{r.stdout}{r.stderr}"]
        return []
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--src", required=True)
    ap.add_argument("--build", required=True)
    ap.add_argument("--lib", help="the library to link C programs with")
    ap.add_argument("--cc", default=os.environ.get("CC", "cc"), help="the C compiler")
    ap.add_argument("--cflags", default="", help="more flags for C programs (sanitizers)")
    ap.add_argument("--output", action="append", default=[], metavar="NAME=FILE")
    ap.add_argument("--only", choices=["session", "c-program", "output"])
    ap.add_argument("files", nargs="+")
    a = ap.parse_args()
    src, build = os.path.abspath(a.src), os.path.abspath(a.build)
    outputs = dict(o.split("=", 1) for o in a.output)
    errors, checked = [], 0
    for path in a.files:
        for kind, args, line, body in blocks(path):
            if a.only and kind != a.only:
                continue
            where = f"{os.path.relpath(path, src)}:{line}"
            if kind == "session":
                errors += check_session(where, args, body, src, build)
            elif kind == "c-program":
                if not a.lib:
                    raise SystemExit(f"{where}: a C program needs --lib")
                errors += check_c_program(where, body, src, build, a.lib, a.cc, a.cflags)
            elif kind == "output":
                if args not in outputs:
                    continue
                with open(outputs[args], encoding="utf-8") as f:
                    got = normalise(f.read().split("\n"))
                if not matches(normalise(body), got):
                    errors.append(f"{where}: {args} printed something else.\n--- shown\n"
                                  + "\n".join(normalise(body)) + "\n--- printed\n" + "\n".join(got))
            else:
                raise SystemExit(f"{where}: unknown check kind {kind!r}")
            checked += 1
    for e in errors:
        print(e, file=sys.stderr)
    print(f"docs: {checked} blocks checked, {len(errors)} failed")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())

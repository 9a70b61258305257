#!/usr/bin/env python3
"""Delivery soak of the qlwm2m tool against qlwm2m-sim (see scripts/soak.sh).

Each run starts a simulator with a random, seeded combination of fault
switches, runs `qlwm2m --json send` with payloads unique to the run (some
runs are interrupted with SIGINT at a random time), and compares for every
payload what was asked, what the tool reported and what the simulated
server received. A run is reproducible from the seed and its index
(`scripts/soak.sh --run I SEED`); the command lines of every failing run
are printed, and its files (simulator events, tool output, trace) kept.
"""
import argparse
import concurrent.futures
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time

# After its -t deadline the tool may still await the uplink command in flight
# (the longest uplink command timeout, 5 s) and ask AT+QLWULDATASTATUS? (1 s);
# the rest is process start and exit on a loaded machine.
LONGEST_AWAITED_COMMAND_S = 5 + 1
SLACK_S = 3

COLUMNS = [
    ("dup_unflagged", "received twice, report gives no sign"),
    ("claimed_not_received", "reported sent/delivered, never received"),
    ("failed_but_received", "reported failed, but received"),
    ("not_one_report", "payload without exactly one report"),
    ("overlong_runs", "runs longer than -t + the longest awaited command"),
    ("bad_exit", "exit code disagrees with the reports"),
]

# Not failures: on firmware without +NSMI the library documents "sent" as the
# module's OK, a weaker claim that a reset right after the OK, or a message
# the module drops without telling, can make untrue.
INFO = [("weak_sent_lost", "sent on the OK (no +NSMI), then lost in the module (documented)")]


def uplink_prefix(ex):
    """The command the tool's uplinks use: NON goes as AT+QLWULDATA, CON and
    NON with --release as AT+QLWULDATAEX."""
    return "AT+QLWULDATAEX=" if ex else "AT+QLWULDATA="


def plan_run(seed, index, runs_with_sigint=0.25):
    """The whole configuration of run `index`, from the seed alone."""
    rng = random.Random("%d:%d" % (seed, index))
    con = rng.random() < 0.5
    release = rng.random() < 0.2
    count = rng.randint(15, 25)
    timeout_s = rng.choice([8, 10, 12, 15])
    pre = uplink_prefix(con or release)
    faults = []

    def nth():
        return rng.randint(1, count)

    menu = [
        lambda: ["--drop-final", "%s:%d" % (pre, nth())],
        lambda: ["--drop-final", "%s:%d" % (pre, nth()), "--late-final-ms",
                 str(rng.choice([300, 1000, 3000, 7000]))],
        lambda: ["--cut-final", "%s:%d" % (pre, nth())],
        lambda: ["--reboot-on", "%s:%d" % (pre, nth())],
        lambda: ["--reboot-after-final", "%s:%d" % (pre, nth())],
        lambda: ["--reboot-after-tx", "%s:%d" % (pre, nth())],
        lambda: ["--stall-on", "%s:%d" % (pre, nth()), "--stall-ms",
                 str(rng.choice([800, 2000, 4000, 7000]))],
        lambda: ["--busy", str(rng.randint(1, 3))],
        lambda: ["--cancel-observe-after", str(nth())],
        lambda: ["--flood", str(rng.choice([50, 200]))],
        lambda: ["--garbage"],
        lambda: ["--echo"],
        lambda: ["--no-nsmi"],
        lambda: ["--drop-final", rng.choice(["AT+CMEE", "AT+CEREG?", "AT+NNMI", "AT+NSMI",
                                             "AT+CGATT", "AT+QLWSREGIND"]) + ":1"],
    ]
    if con:
        menu += [
            lambda: ["--con-fail", str(rng.randint(1, 3))],
            lambda: ["--status-first", "%s:%d" % (pre, nth())],
            lambda: ["--ack-delay-ms", str(rng.choice([30, 300, 1500]))],
        ]
    else:
        menu += [lambda: ["--discard-non", str(nth())]]
    for _ in range(rng.choice([0, 1, 1, 2, 2, 3, 4])):
        faults += rng.choice(menu)()
    sigint_s = round(rng.uniform(0.2, 3.0), 2) if rng.random() < runs_with_sigint else None
    tag = "%02X%04X" % (seed & 0xFF, index & 0xFFFF)
    payloads = ["%s%02X%s" % (tag, j, "C0" if con else "A0") for j in range(count)]
    sim_args = ["--ncdp", "198.51.100.1", "--seed", str((seed * 100003 + index) % 2**32),
                "--attach-delay-ms", "50", "--register-delay-ms", "50",
                "--observe-delay-ms", "100", "--boot-ms", "100", "--ack-delay-ms", "100",
                "--rrc-idle-ms", "2000"] + faults
    send = ["send"] + (["--con"] if con else []) + (["--release"] if release else []) + payloads
    return {"index": index, "con": con, "timeout_s": timeout_s, "sim_args": sim_args,
            "send": send, "payloads": payloads, "sigint_s": sigint_s}


def stall_ms(args):
    total = 0
    for i, a in enumerate(args):
        if a == "--stall-ms":
            total = max(total, int(args[i + 1]))
        if a == "--stall-on" and total == 0:
            total = 3000
    return total


def read_json_lines(path):
    out = []
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            for line in f:
                line = line.strip()
                if line.startswith("{"):
                    try:
                        out.append(json.loads(line))
                    except ValueError:
                        pass
    except OSError:
        pass
    return out


def quote(args):
    return " ".join(a if a and all(c.isalnum() or c in "-_=:+./?," for c in a)
                    else "'" + a.replace("'", "'\\''") + "'" for a in args)


def run_one(bindir, plan, workdir):
    """Runs one plan; returns (plan, result dict)."""
    os.makedirs(workdir, exist_ok=True)
    sim_out = os.path.join(workdir, "sim.jsonl")
    sim_err = os.path.join(workdir, "sim.err")
    tool_out = os.path.join(workdir, "tool.jsonl")
    tool_err = os.path.join(workdir, "tool.err")
    trace = os.path.join(workdir, "trace.at")
    sim_cmd = [os.path.join(bindir, "qlwm2m-sim")] + plan["sim_args"]
    with open(sim_out, "w") as so, open(sim_err, "w") as se:
        sim = subprocess.Popen(sim_cmd, stdin=subprocess.PIPE, stdout=so, stderr=se)
    pty = None
    for _ in range(200):
        with open(sim_out) as f:
            first = f.readline().strip()
        if first.startswith("/dev/"):
            pty = first
            break
        time.sleep(0.02)
    if pty is None:
        sim.kill()
        sim.wait()
        raise RuntimeError("simulator gave no pty")
    tool_cmd = [os.path.join(bindir, "qlwm2m"), "-p", pty, "-t", str(plan["timeout_s"]),
                "--json", "--trace", trace] + plan["send"]
    t0 = time.monotonic()
    with open(tool_out, "w") as to, open(tool_err, "w") as te:
        tool = subprocess.Popen(tool_cmd, stdout=to, stderr=te, stdin=subprocess.DEVNULL)
        if plan["sigint_s"] is not None:
            try:
                tool.wait(timeout=plan["sigint_s"])
            except subprocess.TimeoutExpired:
                tool.send_signal(signal.SIGINT)
        hard_limit = plan["timeout_s"] + LONGEST_AWAITED_COMMAND_S + SLACK_S + 120
        try:
            rc = tool.wait(timeout=hard_limit)
        except subprocess.TimeoutExpired:
            tool.kill()
            rc = tool.wait()
    wall = time.monotonic() - t0
    # Bytes the tool wrote while the module was stalled are still in the line:
    # let the module wake up and act on them before the server's record is read.
    time.sleep(0.3 + stall_ms(plan["sim_args"]) / 1000.0)
    try:
        sim.stdin.write(b"quit\n")
        sim.stdin.close()
    except OSError:
        pass
    try:
        sim.wait(timeout=10)
    except subprocess.TimeoutExpired:
        sim.kill()
        sim.wait()
    return {"rc": rc, "wall_s": wall, "pty": pty, "sim_cmd": sim_cmd, "tool_cmd": tool_cmd,
            "sim_events": read_json_lines(sim_out), "tool_events": read_json_lines(tool_out)}


def judge(plan, res):
    """Per-column counts for one run, and the lines that explain them."""
    cols = {k: 0 for k, _ in COLUMNS}
    why = []
    received = {p: 0 for p in plan["payloads"]}
    for ev in res["sim_events"]:
        if ev.get("event") == "uplink" and ev.get("hex") in received:
            received[ev["hex"]] += 1
    # Payloads the module took and then lost without a word it could print
    # to firmware without +NSMI: a reset mid-answer or right after the OK, or
    # a drop inside the module.
    lost_silently = set()
    for ev in res["sim_events"]:
        kind = ev.get("event")
        if kind in ("reboot_mid_command", "reboot_after_final"):
            for p in received:
                if p in ev.get("text", ""):
                    lost_silently.add(p)
        elif kind == "uplink_lost" and ev.get("why") == "discarded":
            lost_silently.add(ev.get("hex"))
    no_nsmi = "--no-nsmi" in plan["sim_args"]
    info = {k: 0 for k, _ in INFO}
    reports = {p: [] for p in plan["payloads"]}
    for ev in res["tool_events"]:
        if ev.get("event") == "uplink" and ev.get("hex") in reports:
            reports[ev["hex"]].append(ev)
    outcomes = {}
    for p in plan["payloads"]:
        reps = reports[p]
        n = received[p]
        if len(reps) != 1:
            cols["not_one_report"] += 1
            why.append("%s: %d reports, received %d" % (p, len(reps), n))
        rep = reps[0] if reps else {}
        outcome = rep.get("outcome", "none")
        outcomes[p] = outcome
        flagged = any(r.get("possible_duplicate") for r in reps)
        if n >= 2 and not flagged:
            cols["dup_unflagged"] += 1
            why.append("%s: received %d times, reported %s without possible_duplicate"
                       % (p, n, outcome))
        if outcome == "sent" and n == 0 and no_nsmi and p in lost_silently:
            info["weak_sent_lost"] += 1
        elif outcome in ("sent", "delivered") and n == 0:
            cols["claimed_not_received"] += 1
            why.append("%s: reported %s, never received" % (p, outcome))
        if outcome in ("failed", "expired") and n > 0:
            cols["failed_but_received"] += 1
            why.append("%s: reported %s (%s), received %d times"
                       % (p, outcome, rep.get("result"), n))
    limit = plan["timeout_s"] + LONGEST_AWAITED_COMMAND_S + SLACK_S
    if res["wall_s"] > limit:
        cols["overlong_runs"] += 1
        why.append("run took %.1f s, more than -t %d + %d s + %d s slack"
                   % (res["wall_s"], plan["timeout_s"], LONGEST_AWAITED_COMMAND_S, SLACK_S))
    want_done = "delivered" if plan["con"] else "sent"
    all_done = all(outcomes[p] == want_done for p in plan["payloads"])
    if plan["sigint_s"] is None or res["rc"] != 130:
        if (res["rc"] == 0) != all_done and all(len(reports[p]) == 1 for p in plan["payloads"]):
            cols["bad_exit"] += 1
            why.append("exit %d, but %s" % (res["rc"], "every payload %s" % want_done
                                             if all_done else "not every payload %s" % want_done))
        elif res["rc"] == 6 and any(o in ("failed", "expired") for o in outcomes.values()):
            cols["bad_exit"] += 1
            why.append("exit 6 (unknown) although a payload failed")
    stats = {"payloads": len(plan["payloads"])}
    for o in outcomes.values():
        stats[o] = stats.get(o, 0) + 1
    stats["possible_duplicate"] = sum(1 for p in plan["payloads"]
                                      if any(r.get("possible_duplicate") for r in reports[p]))
    stats["received_twice"] = sum(1 for n in received.values() if n >= 2)
    stats.update(info)
    return cols, why, stats


def soak_tool(args):
    bindir = args.bin
    keep_root = args.keep or os.path.join(tempfile.gettempdir(), "qlwm2m-soak-%d" % args.seed)
    os.makedirs(keep_root, exist_ok=True)
    indexes = [args.run] if args.run is not None else list(range(args.runs))
    plans = [plan_run(args.seed, i) for i in indexes]
    totals = {k: 0 for k, _ in COLUMNS}
    stats = {}
    exits = {}
    failing = []
    print("soak: %d runs of qlwm2m send against qlwm2m-sim, seed %d, %d at a time"
          % (len(plans), args.seed, args.jobs), flush=True)
    started = time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs) as pool:
        futures = {pool.submit(run_one, bindir, p, os.path.join(keep_root, "run-%d" % p["index"])):
                   p for p in plans}
        done = 0
        for fut in concurrent.futures.as_completed(futures):
            plan = futures[fut]
            res = fut.result()
            cols, why, st = judge(plan, res)
            done += 1
            for k in cols:
                totals[k] += cols[k]
            for k, v in st.items():
                stats[k] = stats.get(k, 0) + v
            exits[res["rc"]] = exits.get(res["rc"], 0) + 1
            workdir = os.path.join(keep_root, "run-%d" % plan["index"])
            if any(cols.values()):
                failing.append(plan["index"])
                print("\nFAIL run %d (seed %d): %s" % (plan["index"], args.seed,
                      ", ".join("%s %d" % (k, v) for k, v in cols.items() if v)))
                for w in why[:12]:
                    print("  " + w)
                if len(why) > 12:
                    print("  ... %d more" % (len(why) - 12))
                print("  simulator: %s" % quote(res["sim_cmd"]))
                print("  tool:      %s" % quote(res["tool_cmd"]))
                if plan["sigint_s"] is not None:
                    print("  SIGINT to the tool at %.2f s" % plan["sigint_s"])
                print("  exit %d after %.1f s; files in %s" % (res["rc"], res["wall_s"], workdir))
                print("  again:     scripts/soak.sh --run %d %d" % (plan["index"], args.seed),
                      flush=True)
            else:
                shutil.rmtree(workdir, ignore_errors=True)
            if done % 50 == 0:
                print("soak: %d/%d runs, %.0f s" % (done, len(plans), time.monotonic() - started),
                      flush=True)
    print("\nsoak: %d runs, %d payloads, %.0f s; outcomes: %s; exits: %s" % (
        len(plans), stats.get("payloads", 0), time.monotonic() - started,
        ", ".join("%s %d" % (k, stats[k]) for k in ("sent", "delivered", "unknown", "failed",
                                                     "expired", "none") if k in stats),
        ", ".join("%d: %d" % (k, exits[k]) for k in sorted(exits))))
    print("soak: %d flagged possible_duplicate, %d received twice or more" % (
        stats.get("possible_duplicate", 0), stats.get("received_twice", 0)))
    width = max(len(t) for _, t in COLUMNS + INFO)
    for k, text in COLUMNS:
        print("  %-*s %6d" % (width, text, totals[k]))
    for k, text in INFO:
        print("  %-*s %6d  (not a failure)" % (width, text, stats.get(k, 0)))
    if failing:
        print("failing runs: %s" % " ".join(str(i) for i in sorted(failing)))
    summary = {"soak": "tool", "seed": args.seed, "runs": len(plans),
               "payloads": stats.get("payloads", 0)}
    summary.update(totals)
    for k, _ in INFO:
        summary[k] = stats.get(k, 0)
    summary["failing_runs"] = len(failing)
    print(json.dumps(summary, separators=(",", ":")))
    return 1 if failing else 0


def soak_lib(args):
    prog = os.path.join(args.bin, "soak_lib")
    cmd = [prog, "--sim", os.path.join(args.bin, "qlwm2m-sim"), "--uplinks", str(args.lib),
           "--seed", str(args.seed), "--sessions", str(args.sessions)]
    print("soak: %s" % quote(cmd), flush=True)
    return subprocess.call(cmd)


def main():
    ap = argparse.ArgumentParser(prog="soak.sh", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("runs", nargs="?", type=int, default=None, help="runs (default 500; "
                    "with --lib the only number given is the seed)")
    ap.add_argument("seed", nargs="?", type=int, default=None, help="seed (default: random)")
    ap.add_argument("--bin", default=None, help="directory of qlwm2m and qlwm2m-sim "
                    "(default build/bin)")
    ap.add_argument("--jobs", type=int, default=4, help="runs at a time (default 4)")
    ap.add_argument("--run", type=int, default=None, help="only run number I of that seed")
    ap.add_argument("--keep", default=None, help="where failing runs' files go")
    ap.add_argument("--lib", type=int, default=None, metavar="N",
                    help="soak the library's event-loop API instead: N uplinks (soak_lib)")
    ap.add_argument("--sessions", type=int, default=3, help="--lib: sessions at once (default 3)")
    args = ap.parse_args()
    if (args.lib is not None or args.run is not None) and args.seed is None \
            and args.runs is not None:
        args.seed, args.runs = args.runs, None
    if args.runs is None:
        args.runs = 500
    if args.seed is None:
        args.seed = random.SystemRandom().randint(1, 999999)
    if args.bin is None:
        args.bin = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                                 "..", "build", "bin"))
    if args.lib is not None:
        return soak_lib(args)
    return soak_tool(args)


if __name__ == "__main__":
    sys.exit(main())

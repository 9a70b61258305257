#!/usr/bin/env python3
"""qlwm2m-gateway end to end: N simulated modules behind one gateway and one
mosquitto broker, all on this machine.

  bench_gateway.py BIN_DIR N [SATURATED_PER_MODULE] [PACED_PER_MODULE]

Phases, after every module is READY:
  saturated: each module gets SATURATED_PER_MODULE CON readings at once; the
             time from the first publish to the last result gives readings
             per second end to end, and the gateway's CPU time (utime+stime
             from /proc) per reading;
  paced:     each module gets one reading per second, PACED_PER_MODULE times,
             spread over the second; each payload carries its publish time,
             each simulated server logs its arrival (--wall-clock): the
             publish-to-uplink delay, p50 and p99.
The simulated modules acknowledge a CON after 20 ms. Memory: the gateway's
RSS once every module is READY and at the end. The last line is JSON.
"""
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

PREFIX = "qlwm2m"


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


def proc_cpu_s(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def proc_cpu_split(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return int(fields[11]), int(fields[12])


def proc_kib(pid, key):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    return 0


def wait_until(pred, timeout_s, what):
    end = time.time() + timeout_s
    while time.time() < end:
        if pred():
            return
        time.sleep(0.05)
    sys.exit(f"bench_gateway: timed out waiting for {what}")


def count_lines(path, needle):
    try:
        with open(path, errors="replace") as f:
            return sum(1 for line in f if needle in line)
    except FileNotFoundError:
        return 0


def percentile(xs, p):
    xs = sorted(xs)
    if not xs:
        return float("nan")
    return xs[min(len(xs) - 1, int(round(p / 100.0 * (len(xs) - 1))))]


def main():
    bin_dir, n = sys.argv[1], int(sys.argv[2])
    sat = int(sys.argv[3]) if len(sys.argv) > 3 else 20
    paced = int(sys.argv[4]) if len(sys.argv) > 4 else 5
    work = tempfile.mkdtemp(prefix="bench_gw.")
    procs = []
    port = free_port()
    try:
        conf = os.path.join(work, "mosquitto.conf")
        with open(conf, "w") as f:
            f.write(f"listener {port} 127.0.0.1\nallow_anonymous true\n"
                    "max_queued_messages 1000000\nmax_inflight_messages 100\n")
        broker = subprocess.Popen(["mosquitto", "-c", conf], stdout=subprocess.DEVNULL,
                                  stderr=subprocess.DEVNULL)
        procs.append(broker)
        wait_until(lambda: subprocess.call(["mosquitto_pub", "-p", str(port), "-t", "probe", "-n"],
                                           stderr=subprocess.DEVNULL) == 0, 20, "the broker")
        t0 = time.time()
        names = [f"m{i}" for i in range(n)]
        for name in names:
            out = open(os.path.join(work, name + ".out"), "w")
            procs.append(subprocess.Popen(
                [os.path.join(bin_dir, "qlwm2m-sim"), "--ncdp", "198.51.100.1",
                 "--attach-delay-ms", "100", "--register-delay-ms", "100",
                 "--observe-delay-ms", "300", "--ack-delay-ms", "20", "--rrc-idle-ms", "600000",
                 "--wall-clock", "--link", os.path.join(work, name + ".tty")],
                stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.DEVNULL))
        wait_until(lambda: all(os.path.exists(os.path.join(work, x + ".tty")) for x in names),
                   60, "the simulators")
        sims_started_s = time.time() - t0
        results = os.path.join(work, "results")
        sub = subprocess.Popen(["mosquitto_sub", "-p", str(port), "-q", "1", "-t",
                                f"{PREFIX}/+/up/result"], stdout=open(results, "w"),
                               stderr=subprocess.DEVNULL)
        procs.append(sub)
        gw_err = os.path.join(work, "gw.err")
        args = [os.path.join(bin_dir, "qlwm2m-gateway"), "--broker", f"127.0.0.1:{port}",
                "--state", os.path.join(work, "state"), "--client-id", "bench"]
        for name in names:
            args += ["--modem", f"{name}={os.path.join(work, name + '.tty')}"]
        t1 = time.time()
        gw = subprocess.Popen(args, stderr=open(gw_err, "w"))
        procs.append(gw)
        wait_until(lambda: count_lines(gw_err, "-> ready") >= n, 300, "every module READY")
        ready_s = time.time() - t1
        rss_ready = proc_kib(gw.pid, "VmRSS")

        # Saturated: every module gets `sat` readings at once.
        pubs = []
        cpu0 = proc_cpu_s(gw.pid)
        t2 = time.time()
        for name in names:
            p = subprocess.Popen(["mosquitto_pub", "-p", str(port), "-q", "1", "-l", "-t",
                                  f"{PREFIX}/{name}/up"], stdin=subprocess.PIPE)
            p.stdin.write("".join(f"{name}-s{k}\n" for k in range(sat)).encode())
            p.stdin.close()
            pubs.append(p)
        total = n * sat
        wait_until(lambda: count_lines(results, '"id"') >= total, 600, "the saturated results")
        sat_s = time.time() - t2
        sat_cpu = proc_cpu_s(gw.pid) - cpu0
        for p in pubs:
            p.wait()

        # Paced: one reading per module per second, spread over the second.
        pipes = {}
        for name in names:
            pipes[name] = subprocess.Popen(["mosquitto_pub", "-p", str(port), "-q", "1", "-l",
                                            "-t", f"{PREFIX}/{name}/up"], stdin=subprocess.PIPE)
        time.sleep(0.5)
        cpu1 = proc_cpu_s(gw.pid)
        t3 = time.time()
        for k in range(paced):
            for i, name in enumerate(names):
                due = t3 + k + i / n
                delay = due - time.time()
                if delay > 0:
                    time.sleep(delay)
                line = f"{name}-p{k}-{int(time.time() * 1000)}\n".encode()
                pipes[name].stdin.write(line)
                pipes[name].stdin.flush()
        wait_until(lambda: count_lines(results, '"id"') >= total + n * paced, 300,
                   "the paced results")
        paced_cpu = proc_cpu_s(gw.pid) - cpu1
        for p in pipes.values():
            p.stdin.close()
            p.wait()
        delays = []
        for name in names:
            with open(os.path.join(work, name + ".out")) as f:
                for line in f:
                    if '"event":"uplink"' not in line:
                        continue
                    e = json.loads(line)
                    text = bytes.fromhex(e["hex"]).decode(errors="replace")
                    parts = text.split("-")
                    if len(parts) == 3 and parts[1].startswith("p"):
                        delays.append(e["wall_ms"] - int(parts[2]))
        rss_end = proc_kib(gw.pid, "VmRSS")
        hwm = proc_kib(gw.pid, "VmHWM")
        t4 = time.time()
        gw.send_signal(signal.SIGTERM)
        rc = gw.wait(60)
        stop_s = time.time() - t4
        res = {
            "bench": "gateway", "modules": n, "readings": total + n * paced,
            "sims_start_s": round(sims_started_s, 2), "all_ready_s": round(ready_s, 2),
            "saturated_readings_per_s": round(total / sat_s, 1),
            "saturated_cpu_us_per_reading": round(sat_cpu / total * 1e6, 1),
            "paced_cpu_us_per_reading": round(paced_cpu / (n * paced) * 1e6, 1),
            "delay_p50_ms": percentile(delays, 50), "delay_p99_ms": percentile(delays, 99),
            "delay_samples": len(delays),
            "rss_ready_kib": rss_ready, "rss_end_kib": rss_end, "rss_peak_kib": hwm,
            "rss_per_module_kib": round(rss_end / n, 1), "sigterm_exit": rc,
            "sigterm_s": round(stop_s, 2),
        }
        print(f"gateway, {n} modules: {res['saturated_readings_per_s']} readings/s "
              f"(saturated, {total} readings), {res['saturated_cpu_us_per_reading']} us CPU "
              f"per reading (paced {res['paced_cpu_us_per_reading']}), delay p50 "
              f"{res['delay_p50_ms']} ms p99 {res['delay_p99_ms']} ms, RSS {rss_end} KiB")
        print(json.dumps(res, separators=(",", ":")))  # one compact line, as bench.sh greps it
    finally:
        for p in reversed(procs):
            if p.poll() is None:
                p.terminate()
        for p in procs:
            try:
                p.wait(10)
            except subprocess.TimeoutExpired:
                p.kill()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()

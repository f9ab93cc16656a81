"""scripts/bench: ctsync's end-to-end benchmark (see scripts/bench --help).

Prints one JSON document on stdout; progress goes to stderr. Every measured
child process is timed from spawn to reap and its peak RSS and CPU time come
from wait4(2)'s rusage for that child alone. The binaries are copied to the
scratch directory right after the build, so concurrent builds by others cannot
swap them mid-benchmark.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import platform
import shutil
import signal
import statistics
import subprocess
import sys
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import datagen  # noqa: E402

ROOT = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
ACCOUNT, PASSCODE, REGION = "123", "secret", "in1"
JOB_NAME = "bench-profiles"

TARGET_PLAN_ROWS_PER_S = 500_000
TARGET_RUN_RATIO = 0.9
TARGET_PEAK_MB = 150.0
# "Flat" memory from 1M to 4M rows: peak RSS at 4M at most this many times the 1M peak.
TARGET_FLAT_RATIO = 1.25


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


class BenchError(Exception):
    pass


# --------------------------------------------------------------------------- processes


class Measured:
    def __init__(self, argv, rc, wall, maxrss_kb, utime, stime, stdout_path, stderr_path):
        self.argv, self.rc, self.wall = argv, rc, wall
        self.peak_mb = round(maxrss_kb / 1024.0, 1)
        self.cpu_s = round(utime + stime, 3)
        self.user_s, self.sys_s = round(utime, 3), round(stime, 3)
        self.stdout_path, self.stderr_path = stdout_path, stderr_path

    def stdout(self) -> str:
        with open(self.stdout_path, encoding="utf-8", errors="replace") as f:
            return f.read()

    def stderr_tail(self, n: int = 2000) -> str:
        with open(self.stderr_path, encoding="utf-8", errors="replace") as f:
            return f.read()[-n:]


# A fresh, small interpreter spawns each measured command: Linux carries the
# peak RSS of the pre-exec image into the child's ru_maxrss, so forking from this
# (large) process would report our own footprint as a floor. The wrapper times
# fork to reap and writes wall seconds and that child's rusage as JSON.
WRAPPER = r"""
import json, os, sys, time
out = sys.argv[1]
t = time.perf_counter()
pid = os.fork()
if pid == 0:
    try:
        os.execv(sys.argv[2], sys.argv[2:])
    finally:
        os._exit(127)
_, status, ru = os.wait4(pid, 0)
wall = time.perf_counter() - t
with open(out, "w") as f:
    json.dump({"wall": wall, "rc": os.waitstatus_to_exitcode(status), "maxrss_kb": ru.ru_maxrss,
               "utime": ru.ru_utime, "stime": ru.ru_stime}, f)
"""


def cpu_busy_seconds() -> float:
    """Busy CPU seconds of the whole machine since boot (all cores), from /proc/stat."""
    with open("/proc/stat") as f:
        fields = [int(x) for x in f.readline().split()[1:]]
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def wait_for_idle(max_seconds: float, min_idle: float = 0.85, window: float = 3.0) -> dict:
    """Waits until the machine was at least min_idle idle over one window, up to max_seconds."""
    start = time.time()
    ncpu = os.cpu_count() or 1
    idle = 0.0
    while True:
        b0, t0 = cpu_busy_seconds(), time.time()
        time.sleep(window)
        idle = 1 - (cpu_busy_seconds() - b0) / ((time.time() - t0) * ncpu)
        waited = time.time() - start
        if idle >= min_idle or waited >= max_seconds:
            return {"waited_s": round(waited, 1), "idle_fraction": round(idle, 2), "reached": idle >= min_idle}
        log(f"machine {idle:.0%} idle; waiting for {min_idle:.0%} ({waited:.0f}/{max_seconds:.0f} s)")


def measure(argv, env, out_prefix, timeout, cwd=None, ok=(0,)) -> Measured:
    """Runs argv; returns wall time (fork to reap), peak RSS and CPU of that process only."""
    stdout_path, stderr_path, usage_path = out_prefix + ".out", out_prefix + ".err", out_prefix + ".rusage"
    if os.path.exists(usage_path):
        os.unlink(usage_path)
    busy0 = cpu_busy_seconds()
    with open(stdout_path, "wb") as out, open(stderr_path, "wb") as err:
        proc = subprocess.Popen([sys.executable, "-S", "-c", WRAPPER, usage_path, *argv], stdout=out, stderr=err,
                                stdin=subprocess.DEVNULL, env=env, cwd=cwd, start_new_session=True)
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(10)
            raise BenchError(f"timed out after {timeout}s: {' '.join(argv)}")
        except BaseException:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(10)
            raise
    try:
        with open(usage_path) as f:
            u = json.load(f)
    except (OSError, ValueError):
        raise BenchError(f"the measuring wrapper failed ({proc.returncode}) for {' '.join(argv)}")
    m = Measured(argv, u["rc"], u["wall"], u["maxrss_kb"], u["utime"], u["stime"], stdout_path, stderr_path)
    # CPU the whole machine spent meanwhile, minus the measured child: others' work (and the
    # sandbox's, for runs), i.e. how many cores the measurement had to share, on average.
    m.others_cores = round(max(0.0, cpu_busy_seconds() - busy0 - m.cpu_s) / m.wall, 2)
    if ok is not None and m.rc not in ok:
        raise BenchError(f"exit status {m.rc} from {' '.join(argv)}\n{m.stderr_tail()}")
    return m


class Sandbox:
    def __init__(self, binary, scratch, latency_ms, env):
        self.binary, self.scratch, self.latency_ms, self.env = binary, scratch, latency_ms, env
        self.proc = None
        self.url = None

    def start(self, timeout=30):
        out = os.path.join(self.scratch, "sandbox.log")
        self.log = open(out, "wb")
        argv = [self.binary, "serve", "--account", f"{ACCOUNT}:{PASSCODE}:{REGION}", "--host", "127.0.0.1",
                "--port", "0", "--latency-ms", str(self.latency_ms), "--log-level", "warning"]
        self.proc = subprocess.Popen(argv, stdout=self.log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                     env=self.env)
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise BenchError(f"the sandbox exited with {self.proc.returncode}: {open(out).read()[-2000:]}")
            with open(out, encoding="utf-8", errors="replace") as f:
                for line in f:
                    if line.startswith("listening on http"):
                        self.url = line.split()[2]
                        return self.url
            time.sleep(0.05)
        raise BenchError("the sandbox did not print its address in time")

    def get(self, path):
        with urllib.request.urlopen(self.url + path, timeout=30) as r:
            return json.loads(r.read())

    def post(self, path):
        req = urllib.request.Request(self.url + path, data=b"", method="POST")
        with urllib.request.urlopen(req, timeout=60) as r:
            return r.read()

    def post_json(self, path, value):
        req = urllib.request.Request(self.url + path, data=json.dumps(value).encode(), method="POST",
                                     headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=60) as r:
            return r.read()

    def cpu_seconds(self) -> float:
        with open(f"/proc/{self.proc.pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        tick = os.sysconf("SC_CLK_TCK")
        return (int(fields[11]) + int(fields[12])) / tick

    def rss_mb(self) -> dict:
        out = {}
        with open(f"/proc/{self.proc.pid}/status") as f:
            for line in f:
                if line.startswith(("VmHWM", "VmRSS")):
                    out[line.split(":")[0]] = round(int(line.split()[1]) / 1024.0, 1)
        return out

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
        self.proc = None


# --------------------------------------------------------------------------- helpers


def sh(argv, timeout, cwd=ROOT, env=None) -> str:
    return subprocess.run(argv, cwd=cwd, env=env, timeout=timeout, check=True, capture_output=True,
                          text=True).stdout


def export_rev(rev: str, dest: str) -> str:
    """Writes the tree of `rev` to dest, touching only files whose content changed
    (so SwiftPM's incremental build in the bench's own scratch path stays valid)."""
    commit = sh(["git", "rev-parse", "--verify", rev + "^{commit}"], timeout=60).strip()
    tmp = dest + ".new"
    if os.path.isdir(tmp):
        shutil.rmtree(tmp)
    os.makedirs(tmp)
    archive = subprocess.Popen(["git", "archive", commit], cwd=ROOT, stdout=subprocess.PIPE)
    subprocess.run(["tar", "-x", "-C", tmp], stdin=archive.stdout, check=True, timeout=300)
    if archive.wait(60) != 0:
        raise BenchError(f"git archive {commit} failed")
    # Package.resolved is not committed: pin the dependencies the main checkout resolved.
    resolved = os.path.join(ROOT, "Package.resolved")
    if os.path.exists(resolved) and not os.path.exists(os.path.join(tmp, "Package.resolved")):
        shutil.copy2(resolved, os.path.join(tmp, "Package.resolved"))
    os.makedirs(dest, exist_ok=True)
    wanted = set()
    for base, _, files in os.walk(tmp):
        for name in files:
            rel = os.path.relpath(os.path.join(base, name), tmp)
            wanted.add(rel)
            new, old = os.path.join(tmp, rel), os.path.join(dest, rel)
            with open(new, "rb") as f:
                data = f.read()
            try:
                with open(old, "rb") as f:
                    same = f.read() == data
            except OSError:
                same = False
            if not same:
                os.makedirs(os.path.dirname(old), exist_ok=True)
                shutil.copy2(new, old)
    for base, _, files in os.walk(dest):
        for name in files:
            rel = os.path.relpath(os.path.join(base, name), dest)
            if rel not in wanted:
                os.unlink(os.path.join(dest, rel))
    shutil.rmtree(tmp)
    return commit


def build(args) -> dict:
    info = {}
    package, scratch_path = ROOT, None
    if args.rev:
        package = os.path.join(args.scratch, "src")
        scratch_path = os.path.join(args.scratch, "build")
        commit = export_rev(args.rev, package)
        info["source"] = f"git {commit[:12]} (clean export of --rev {args.rev}, built in {scratch_path})"
    else:
        info["source"] = "working tree of " + ROOT
        dirty = sh(["git", "status", "--porcelain", "--", "Sources", "Package.swift"], timeout=30).splitlines()
        info["uncommitted_source_files"] = len(dirty)
    extra = ["--scratch-path", scratch_path] if scratch_path else []
    if args.binaries:
        log(f"using the binaries in {args.binaries} (--binaries): no build")
        info["source"] = f"binaries from {os.path.abspath(args.binaries)}"
    elif args.skip_build:
        log("skipping the build (--skip-build)")
    else:
        log("scripts/setup")
        subprocess.run([os.path.join(ROOT, "scripts", "setup")], cwd=ROOT, check=True, timeout=1800,
                       stdout=sys.stderr)
        for product in ("ctsync", "clevertap-sandbox"):
            log(f"swift build -c release --product {product} in {package}"
                + ("" if scratch_path else " (waits for other SwiftPM builds on .build)"))
            t = time.perf_counter()
            done = subprocess.run(["swift", "build", "-c", "release", "--product", product, *extra], cwd=package,
                                  timeout=args.build_timeout, stdout=sys.stderr, stderr=sys.stderr)
            if done.returncode != 0:
                hint = "" if args.rev else " (others may be mid-edit: `scripts/bench --rev HEAD` builds the last commit)"
                raise BenchError(f"swift build --product {product} failed{hint}")
            info[f"build_{product}_seconds"] = round(time.perf_counter() - t, 1)
    bin_path = os.path.abspath(args.binaries) if args.binaries else \
        sh(["swift", "build", "-c", "release", "--show-bin-path", *extra], cwd=package, timeout=600).strip()
    bindir = os.path.join(args.scratch, "bin")
    os.makedirs(bindir, exist_ok=True)
    for product in ("ctsync", "clevertap-sandbox"):
        src = os.path.join(bin_path, product)
        if not os.path.exists(src):
            raise BenchError(f"{src} does not exist; build it or drop --skip-build")
        shutil.copy2(src, os.path.join(bindir, product))
        with open(src, "rb") as f:
            info[f"{product}_sha256_12"] = hashlib.sha256(f.read()).hexdigest()[:12]
        info[f"{product}_built_at"] = dt.datetime.fromtimestamp(os.path.getmtime(src), dt.timezone.utc) \
            .strftime("%Y-%m-%dT%H:%M:%SZ")
    return info


def machine_facts() -> dict:
    facts = {"nproc": os.cpu_count(), "machine": platform.machine(), "kernel": platform.release()}
    try:
        facts["swift_version"] = sh(["swift", "--version"], timeout=120).strip().splitlines()[0]
    except Exception as e:  # noqa: BLE001
        facts["swift_version"] = f"unknown ({e})"
    try:
        with open("/proc/meminfo") as f:
            facts["mem_total_mb"] = int(f.readline().split()[1]) // 1024
        with open("/proc/cpuinfo") as f:
            facts["cpu_model"] = next((l.split(":", 1)[1].strip() for l in f if l.startswith("model name")), None)
    except OSError:
        pass
    try:
        facts["git_head"] = sh(["git", "rev-parse", "--short=12", "HEAD"], timeout=30).strip()
    except Exception:  # noqa: BLE001
        pass
    return facts


def loadavg() -> list:
    return [round(x, 2) for x in os.getloadavg()]


def busy_processes() -> list:
    """Other processes using CPU right now (for the noise note), by name."""
    try:
        out = sh(["ps", "-eo", "pcpu=,comm=", "--sort=-pcpu"], timeout=10)
    except Exception:  # noqa: BLE001
        return []
    busy = []
    for line in out.splitlines()[:8]:
        pcpu, _, comm = line.strip().partition(" ")
        if float(pcpu) >= 10 and comm.strip() not in ("ps", "python3"):
            busy.append(f"{comm.strip()} {pcpu}%")
    return busy


def median(xs):
    return statistics.median(xs) if xs else None


def swap_in(link_path, target):
    """Points link_path at target's content atomically (a hard link renamed into place)."""
    tmp = link_path + ".swap"
    if os.path.exists(tmp):
        os.unlink(tmp)
    if os.path.exists(link_path) and os.path.samefile(link_path, target):
        return  # rename(2) between two links of one file does nothing and would leave tmp behind
    os.link(target, tmp)
    os.replace(tmp, link_path)


# --------------------------------------------------------------------------- the benchmark


class Bench:
    def __init__(self, args):
        self.args = args
        self.scratch = args.scratch
        self.ctsync = os.path.join(self.scratch, "bin", "ctsync")
        self.sandbox_bin = os.path.join(self.scratch, "bin", "clevertap-sandbox")
        self.env = {k: v for k, v in os.environ.items() if not k.startswith(("CTSYNC_", "CLEVERTAP_"))}
        self.env.update(CLEVERTAP_ACCOUNT_ID=ACCOUNT, CLEVERTAP_PASSCODE=PASSCODE)
        self.sandbox = None
        self.checks = []
        self.n = 0

    def check(self, name, ok, detail=None):
        # Details only for failures: the passing figures are in the results already.
        self.checks.append({"check": name, "ok": bool(ok), **({"detail": detail} if not ok else {})})
        if not ok:
            log(f"CHECK FAILED: {name}: {detail}")

    def prefix(self, label):
        self.n += 1
        return os.path.join(self.scratch, "logs", f"{self.n:02d}-{label}")

    def data(self, rows):
        d = os.path.join(self.scratch, f"rows-{rows}")
        os.makedirs(d, exist_ok=True)
        base, changed = os.path.join(d, "base.csv"), os.path.join(d, "changed.csv")
        stamp = os.path.join(d, f"generated-v{datagen.DATA_VERSION}-seed{self.args.seed}")
        if not os.path.exists(stamp):
            for f in [base, changed] + [os.path.join(d, n) for n in os.listdir(d) if n.startswith("generated-")]:
                if os.path.exists(f):
                    os.unlink(f)
            t = time.perf_counter()
            log(f"generating {rows:,} rows (seed {self.args.seed})")
            datagen.write_profiles_csv(base, rows, seed=self.args.seed)
            n_changed = datagen.write_profiles_csv(changed, rows, seed=self.args.seed, changed_every=100)
            with open(stamp, "w") as f:
                f.write(str(n_changed))
            log(f"generated {2 * os.path.getsize(base) / 1e6:.0f} MB in {time.perf_counter() - t:.1f} s")
        with open(stamp) as f:
            n_changed = int(f.read())
        csv = os.path.join(d, "profiles.csv")
        swap_in(csv, base)
        job = os.path.join(d, "job.yaml")
        with open(job, "w") as f:
            f.write(datagen.job_yaml(JOB_NAME, "profiles.csv", concurrency=self.args.concurrency,
                                     batch_size=self.args.batch_size))
        return {"dir": d, "csv": csv, "base": base, "changed": changed, "job": job, "n_changed": n_changed,
                "csv_mb": round(os.path.getsize(base) / 1e6, 1)}

    def plan(self, data, state, label):
        samples = []
        last = None
        for i in range(self.args.repeat):
            m = measure([self.ctsync, "plan", data["job"], "--state", state, "--format", "json"], self.env,
                        self.prefix(f"{label}-{i}"), timeout=self.args.timeout)
            samples.append(m)
            last = json.loads(m.stdout())
        walls = [m.wall for m in samples]
        rows = last["counts"]["source_rows"]
        return {
            "loadavg_1m_after": loadavg()[0],
            "rows_per_s": round(rows / median(walls)),
            "rows_per_s_best": round(rows / min(walls)),
            "wall_s": [round(w, 3) for w in walls],
            "peak_rss_mb": max(m.peak_mb for m in samples),
            "cpu_s": [m.cpu_s for m in samples],
            "other_processes_cores": [m.others_cores for m in samples],
            "counts": last["counts"],
            "mapping_changed": last.get("mapping_changed"),
        }

    def run_job(self, data, state, label, expect_sent):
        report = self.prefix(label) + "-report.json"
        stats0 = self.sandbox.get("/sandbox/stats")
        cpu0 = self.sandbox.cpu_seconds()
        m = measure([self.ctsync, "run", data["job"], "--state", state, "--report", report, "--quiet"],
                    self.env, self.prefix(label), timeout=self.args.timeout, ok=None)
        sandbox_cpu = self.sandbox.cpu_seconds() - cpu0
        stats1 = self.sandbox.get("/sandbox/stats")
        with open(report) as f:
            rep = json.load(f)
        c = rep["counts"]
        self.check(f"{label}: exit status 0", m.rc == 0, m.rc if m.rc else None)
        self.check(f"{label}: status succeeded", rep["status"] == "succeeded", rep["status"])
        self.check(f"{label}: source_rows = invalid + unchanged + planned",
                   c["source_rows"] == c["invalid"] + c["unchanged"] + c["planned"], c)
        self.check(f"{label}: planned = succeeded + rejected + failed",
                   c["planned"] == c["succeeded"] + c["rejected"] + c["failed"], c)
        self.check(f"{label}: planned == {expect_sent}", c["planned"] == expect_sent, c["planned"])
        self.check(f"{label}: succeeded == {expect_sent}", c["succeeded"] == expect_sent, c["succeeded"])
        delta = stats1["records_processed"] - stats0["records_processed"]
        self.check(f"{label}: sandbox processed {expect_sent} records", delta == expect_sent, delta)
        return m, rep, stats1, sandbox_cpu

    def scale(self, rows, main):
        a = self.args
        data = self.data(rows)
        out = {"rows": rows, "csv_mb": data["csv_mb"]}
        states = os.path.join(self.scratch, "state")
        os.makedirs(states, exist_ok=True)

        log(f"{rows:,} rows: plan, empty state, x{a.repeat}")
        cold_state = os.path.join(states, f"cold-{rows}.sqlite")
        for f in (cold_state, cold_state + "-wal", cold_state + "-shm"):
            if os.path.exists(f):
                os.unlink(f)
        cold = self.plan(data, cold_state, f"plan-cold-{rows}")
        out["plan_cold"] = cold
        self.check(f"plan cold {rows}: planned == rows, invalid == 0",
                   cold["counts"]["planned"] == rows and cold["counts"]["invalid"] == 0, cold["counts"])
        log(f"  {cold['rows_per_s']:,} rows/s, peak {cold['peak_rss_mb']} MB")

        state = os.path.join(states, f"run-{rows}.sqlite")
        for f in (state, state + "-wal", state + "-shm"):
            if os.path.exists(f):
                os.unlink(f)
        self.sandbox.post("/sandbox/reset")
        what = "populating state" if a.skip_run else f"run at {a.latency_ms} ms latency"
        log(f"{rows:,} rows: ctsync run ({what}), concurrency {a.concurrency}, batch {a.batch_size}")
        m, rep, stats, sandbox_cpu = self.run_job(data, state, f"run-{rows}", expect_sent=rows)
        self.check(f"run {rows}: sandbox /sandbox/stats profiles == {rows}", stats["profiles"] == rows,
                   stats["profiles"])
        ceiling = a.concurrency * a.batch_size / (a.latency_ms / 1000.0) if a.latency_ms else None
        acked = rep["counts"]["succeeded"]
        run = {
            "loadavg_1m_after": loadavg()[0],
            "latency_ms": a.latency_ms,
            "wall_s": round(m.wall, 3),
            "records_per_s_wall": round(acked / m.wall),
            "records_per_s_report": rep["http"]["records_per_second"],
            "report_duration_s": rep["duration_seconds"],
            "peak_rss_mb": m.peak_mb,
            "cpu_s": m.cpu_s,
            "sandbox_cpu_s": round(sandbox_cpu, 2),
            "other_processes_cores": round(max(0.0, m.others_cores - sandbox_cpu / m.wall), 2),
            "cpu_utilisation_of_machine": round((m.cpu_s + sandbox_cpu) / m.wall / (os.cpu_count() or 1), 3),
            "sandbox_rss_mb": self.sandbox.rss_mb(),
            "http": rep["http"],
            "counts": rep["counts"],
            "sandbox_stats": {k: stats[k] for k in ("profiles", "requests", "records_processed", "throttled",
                                                    "max_in_flight")},
        }
        if ceiling:
            run["ceiling_records_per_s"] = round(ceiling)
            run["ratio_of_ceiling_wall"] = round(acked / m.wall / ceiling, 3)
            run["ratio_of_ceiling_report"] = round(rep["http"]["records_per_second"] / ceiling, 3)
        out["run"] = run
        log(f"  {run['records_per_s_wall']:,} records/s (wall), {run['records_per_s_report']:,} (report), "
            f"peak {m.peak_mb} MB, ctsync cpu {m.cpu_s} s, sandbox cpu {run['sandbox_cpu_s']} s")

        log(f"{rows:,} rows: rerun (expects nothing to send)")
        m2, rep2, stats2, _ = self.run_job(data, state, f"rerun-{rows}", expect_sent=0)
        out["rerun"] = {"wall_s": round(m2.wall, 3), "planned": rep2["counts"]["planned"],
                        "unchanged": rep2["counts"]["unchanged"], "peak_rss_mb": m2.peak_mb}

        if main and not a.skip_run and not a.skip_diagnostics:
            out["diagnostics"] = self.diagnostics(data, rows, run)

        log(f"{rows:,} rows: plan with full state, {data['n_changed']:,} rows' city changed, x{a.repeat}")
        swap_in(data["csv"], data["changed"])
        try:
            warm = self.plan(data, state, f"plan-warm-{rows}")
        finally:
            swap_in(data["csv"], data["base"])
        out["plan_warm"] = warm
        wc = warm["counts"]
        self.check(f"plan warm {rows}: changed == {data['n_changed']}, unchanged == rest, added == 0",
                   wc["changed"] == data["n_changed"] and wc["added"] == 0
                   and wc["unchanged"] == rows - data["n_changed"], wc)
        log(f"  {warm['rows_per_s']:,} rows/s, peak {warm['peak_rss_mb']} MB, counts {wc}")
        if main and a.postgres:
            out["postgres"] = self.postgres_scale(data, rows, out)
        return out

    def postgres_scale(self, data, rows, sqlite):
        """The same cold plan, run and warm plan with state in a fresh PostgreSQL database
        on the local server, next to the SQLite figures of the same data."""
        a = self.args
        url = self.pg.fresh_database(f"bench_{rows}")
        out = {"state": url}
        log(f"{rows:,} rows: plan, empty PostgreSQL state, x{a.repeat}")
        cold = self.plan(data, url, f"plan-cold-pg-{rows}")
        self.check(f"plan cold pg {rows}: planned == rows", cold["counts"]["planned"] == rows, cold["counts"])
        out["plan_cold"] = cold
        log(f"  {cold['rows_per_s']:,} rows/s, peak {cold['peak_rss_mb']} MB")
        log(f"{rows:,} rows: ctsync run with PostgreSQL state")
        m, rep, _, _ = self.run_job(data, url, f"run-pg-{rows}", expect_sent=rows)
        out["run"] = {"wall_s": round(m.wall, 3), "records_per_s_wall": round(rep["counts"]["succeeded"] / m.wall),
                      "peak_rss_mb": m.peak_mb, "counts": rep["counts"]}
        ceiling = a.concurrency * a.batch_size / (a.latency_ms / 1000.0) if a.latency_ms else None
        if ceiling:
            out["run"]["ratio_of_ceiling_wall"] = round(rep["counts"]["succeeded"] / m.wall / ceiling, 3)
        log(f"  {out['run']['records_per_s_wall']:,} records/s, peak {m.peak_mb} MB")
        log(f"{rows:,} rows: plan with full PostgreSQL state, {data['n_changed']:,} rows changed, x{a.repeat}")
        swap_in(data["csv"], data["changed"])
        try:
            warm = self.plan(data, url, f"plan-warm-pg-{rows}")
        finally:
            swap_in(data["csv"], data["base"])
        wc = warm["counts"]
        self.check(f"plan warm pg {rows}: changed == {data['n_changed']}, unchanged == rest, added == 0",
                   wc["changed"] == data["n_changed"] and wc["added"] == 0
                   and wc["unchanged"] == rows - data["n_changed"], wc)
        out["plan_warm"] = warm
        out["plan_warm_sqlite_over_postgres_time"] = round(sqlite["plan_warm"]["rows_per_s"] / warm["rows_per_s"], 2)
        out["plan_cold_sqlite_over_postgres_time"] = round(sqlite["plan_cold"]["rows_per_s"] / cold["rows_per_s"], 2)
        log(f"  {warm['rows_per_s']:,} rows/s, peak {warm['peak_rss_mb']} MB; PostgreSQL takes "
            f"{out['plan_warm_sqlite_over_postgres_time']}x the SQLite time")
        return out

    def diagnostics(self, data, rows, run):
        """Two references for the run figure, measured next to it: the sandbox's own
        load generator (pre-built batches, no planning, no state) under the same latency
        and window, and ctsync run against the same sandbox without latency."""
        a = self.args
        diag = {}
        batches = max(1, rows // a.batch_size)
        self.sandbox.post("/sandbox/reset")
        log(f"diagnostics: clevertap-sandbox loadgen, {a.concurrency} clients x {batches} batches of {a.batch_size} "
            f"at {a.latency_ms} ms")
        m = measure([self.sandbox_bin, "loadgen", "--url", self.sandbox.url, "--account", ACCOUNT,
                     "--passcode", PASSCODE, "--clients", str(a.concurrency), "--batches", str(batches),
                     "--batch-size", str(a.batch_size), "--distinct-batches", str(min(batches, 1000))],
                    self.env, self.prefix("loadgen"), timeout=a.timeout)
        lg = json.loads(m.stdout())
        diag["loadgen"] = {"records_per_s": lg["records_per_second"], "latency_ms": lg["latency_ms"],
                           "seconds": lg["seconds"], "errors": lg["errors"], "loadavg_1m_after": loadavg()[0]}
        diag["run_over_loadgen"] = round(run["records_per_s_wall"] / lg["records_per_second"], 3)
        if run.get("ceiling_records_per_s"):
            diag["loadgen_ratio_of_ceiling"] = round(lg["records_per_second"] / run["ceiling_records_per_s"], 3)
        log(f"  loadgen {lg['records_per_second']:,} records/s; ctsync run / loadgen = {diag['run_over_loadgen']}")

        self.sandbox.post("/sandbox/reset")
        self.sandbox.post_json("/sandbox/faults", {"latency_ms": 0})
        state = os.path.join(self.scratch, "state", f"nolatency-{rows}.sqlite")
        for f in (state, state + "-wal", state + "-shm"):
            if os.path.exists(f):
                os.unlink(f)
        log("diagnostics: ctsync run without latency (what client and sandbox can do on this machine)")
        try:
            m, rep, _, sandbox_cpu = self.run_job(data, state, f"run-nolatency-{rows}", expect_sent=rows)
        finally:
            self.sandbox.post_json("/sandbox/faults", {"latency_ms": a.latency_ms})
        diag["run_no_latency"] = {"records_per_s_wall": round(rep["counts"]["succeeded"] / m.wall),
                                  "records_per_s_report": rep["http"]["records_per_second"],
                                  "http_latency_ms": rep["http"]["latency_ms"], "cpu_s": m.cpu_s,
                                  "sandbox_cpu_s": round(sandbox_cpu, 2), "peak_rss_mb": m.peak_mb,
                                  "loadavg_1m_after": loadavg()[0]}
        log(f"  {diag['run_no_latency']['records_per_s_wall']:,} records/s without latency")
        return diag

    def lint(self, data):
        d = os.path.join(self.scratch, "lint-jobs")
        if os.path.isdir(d):
            shutil.rmtree(d)
        os.makedirs(d)
        with open(data["job"]) as f:
            text = f.read()
        src = os.path.relpath(data["csv"], d)
        for i in range(self.args.lint_jobs):
            with open(os.path.join(d, f"job-{i:03d}.yaml"), "w") as f:
                f.write(text.replace(f"name: {JOB_NAME}", f"name: {JOB_NAME}-{i:03d}")
                        .replace("file: profiles.csv", f"file: {src}"))
        walls, peak = [], 0.0
        for i in range(self.args.repeat):
            m = measure([self.ctsync, "lint", d], self.env, self.prefix(f"lint-{i}"), timeout=300)
            walls.append(m.wall)
            peak = max(peak, m.peak_mb)
        m = measure([self.ctsync, "--version"], self.env, self.prefix("version"), timeout=60)
        return {"jobs": self.args.lint_jobs, "wall_s": [round(w, 3) for w in walls], "seconds": round(median(walls), 3),
                "peak_rss_mb": peak, "ctsync_version_wall_s": round(m.wall, 3), "baseline_rss_mb": m.peak_mb}

    # ----------------------------------------------------------------- parallel jobs (issue 14)

    def parallel_data(self, jobs, job_rows):
        """One CSV of jobs * job_rows rows and the same rows split into `jobs` CSVs, with a
        job file for the whole (one/) and one per part (many/)."""
        a = self.args
        d = os.path.join(self.scratch, f"parallel-{jobs}x{job_rows}")
        one, many = os.path.join(d, "one"), os.path.join(d, "many")
        for sub in (one, many):
            os.makedirs(sub, exist_ok=True)
        whole = os.path.join(d, "all.csv")
        stamp = os.path.join(d, f"generated-v{datagen.DATA_VERSION}-seed{a.seed}")
        if not os.path.exists(stamp):
            log(f"generating {jobs} x {job_rows:,} rows (seed {a.seed})")
            datagen.write_profiles_csv(whole, jobs * job_rows, seed=a.seed)
            with open(whole, encoding="utf-8") as f:
                header = f.readline()
                for part in range(jobs):
                    with open(os.path.join(d, f"part-{part:02d}.csv"), "w", encoding="utf-8") as out:
                        out.write(header)
                        for _ in range(job_rows):
                            out.write(f.readline())
            with open(stamp, "w") as f:
                f.write("ok")
        for name in os.listdir(many):
            os.unlink(os.path.join(many, name))
        with open(os.path.join(one, "job.yaml"), "w") as f:
            f.write(datagen.job_yaml("bench-all", "../all.csv", concurrency=a.concurrency, batch_size=a.batch_size))
        for part in range(jobs):
            with open(os.path.join(many, f"part-{part:02d}.yaml"), "w") as f:
                f.write(datagen.job_yaml(f"bench-part-{part:02d}", f"../part-{part:02d}.csv",
                                         concurrency=a.concurrency, batch_size=a.batch_size))
        return {"dir": d, "one": os.path.join(one, "job.yaml"), "many": many}

    def parallel_run(self, label, target, extra, rows, job_rows, jobs):
        """One measured `ctsync run` against a reset sandbox and a fresh state."""
        state = os.path.join(self.scratch, "state", f"{label}.sqlite")
        os.makedirs(os.path.dirname(state), exist_ok=True)
        for f in (state, state + "-wal", state + "-shm"):
            if os.path.exists(f):
                os.unlink(f)
        shutil.rmtree(state + ".locks", ignore_errors=True)
        reports = self.prefix(label) + "-reports"
        shutil.rmtree(reports, ignore_errors=True)
        os.makedirs(reports)
        self.sandbox.post("/sandbox/reset")
        m = measure([self.ctsync, "run", target, "--state", state, "--report", reports + "/", "--quiet", *extra],
                    self.env, self.prefix(label), timeout=self.args.timeout, ok=None)
        stats = self.sandbox.get("/sandbox/stats")
        account = stats["accounts"][ACCOUNT]
        log_doc = self.sandbox.get(f"/sandbox/requests?account={ACCOUNT}")
        written = sorted(os.listdir(reports))
        statuses = []
        for name in written:
            with open(os.path.join(reports, name)) as f:
                statuses.append(json.load(f)["status"])
        self.check(f"{label}: exit status 0", m.rc == 0, m.rc if m.rc else m.stderr_tail())
        self.check(f"{label}: {jobs} reports, all succeeded", len(written) == jobs and
                   all(st == "succeeded" for st in statuses), statuses)
        self.check(f"{label}: sandbox processed {rows} records", stats["records_processed"] == rows,
                   stats["records_processed"])
        self.check(f"{label}: at most 15 requests in flight for the account", account["max_in_flight"] <= 15,
                   account["max_in_flight"])
        self.check(f"{label}: no 429 from the sandbox's limit", account["throttled"] == 0, account["throttled"])
        return {
            "wall_s": round(m.wall, 3),
            "cpu_s": m.cpu_s,
            "peak_rss_mb": m.peak_mb,
            "other_processes_cores": m.others_cores,
            "account_max_in_flight": account["max_in_flight"],
            "account_throttled": account["throttled"],
            "requests": stats["requests"],
            "max_jobs_in_flight_at_once": self.jobs_in_flight(log_doc["requests"], job_rows),
        }

    @staticmethod
    def jobs_in_flight(requests, job_rows):
        """The most distinct jobs with requests in flight at one moment, from the sandbox's upload
        log: a request's job is its first record's row number (in the email) // job_rows."""
        events = []
        for r in requests:
            ident = r.get("first_identity") or ""
            try:
                row = int(ident.split("@")[0].rsplit(".", 1)[1])
            except (IndexError, ValueError):
                continue
            job = row // job_rows
            events.append((r["entered"], 1, job))
            events.append((r["left"] if r["left"] is not None else 1 << 62, -1, job))
        events.sort()
        open_by_job, best = {}, 0
        for _, delta, job in events:
            open_by_job[job] = open_by_job.get(job, 0) + delta
            if open_by_job[job] == 0:
                del open_by_job[job]
            best = max(best, len(open_by_job))
        return best

    def parallel_jobs(self):
        a = self.args
        jobs, job_rows = a.jobs, a.job_rows
        rows = jobs * job_rows
        data = self.parallel_data(jobs, job_rows)
        extra = ["--parallel", str(a.parallel)] if a.parallel else []
        one, many = [], []
        for i in range(a.repeat):
            log(f"[{i + 1}/{a.repeat}] one job of {rows:,} rows at {a.latency_ms} ms latency")
            one.append(self.parallel_run(f"one-{i}", data["one"], [], rows, rows, 1))
            log(f"  {one[-1]['wall_s']} s, account max in flight {one[-1]['account_max_in_flight']}")
            log(f"[{i + 1}/{a.repeat}] {jobs} jobs of {job_rows:,} rows, {' '.join(extra) or 'default --parallel'}")
            many.append(self.parallel_run(f"many-{i}", data["many"], extra, rows, job_rows, jobs))
            log(f"  {many[-1]['wall_s']} s, account max in flight {many[-1]['account_max_in_flight']}, "
                f"{many[-1]['max_jobs_in_flight_at_once']} jobs in flight at once at most")
        t_one = median([r["wall_s"] for r in one])
        t_many = median([r["wall_s"] for r in many])
        ratio = round(t_many / t_one, 3)
        max_in_flight = max(r["account_max_in_flight"] for r in one + many)
        out = {
            "jobs": jobs, "rows_per_job": job_rows, "parallel": a.parallel or "default",
            "latency_ms": a.latency_ms, "concurrency": a.concurrency, "batch_size": a.batch_size,
            "one_job_wall_s": t_one, "many_jobs_wall_s": t_many, "ratio": ratio,
            "account_max_in_flight": max_in_flight,
            "targets": {
                "ratio_le_1.3": {"value": ratio, "target": 1.3, "met": ratio <= 1.3},
                "account_max_in_flight_le_15": {"value": max_in_flight, "target": 15, "met": max_in_flight <= 15},
            },
            "definitions": {
                "wall_s": "median over --repeat of the `ctsync run` process, spawn to exit, fresh state, sandbox reset",
                "ratio": "many_jobs_wall_s / one_job_wall_s",
                "account_max_in_flight": "the sandbox's max_in_flight for the account over every measured run",
                "max_jobs_in_flight_at_once": "most jobs with a request in flight together (sandbox upload log)",
            },
            "one_job_runs": one, "many_jobs_runs": many,
        }
        log(f"one job: {t_one} s; {jobs} jobs: {t_many} s; ratio {ratio} (target <= 1.3); "
            f"account max in flight {max_in_flight} (must be <= 15)")
        return out

    def go(self):
        a = self.args
        started = dt.datetime.now(dt.timezone.utc)
        result = {"format_version": 1, "timestamp": started.strftime("%Y-%m-%dT%H:%M:%SZ")}
        result["machine"] = machine_facts()
        result["machine"]["loadavg_start"] = loadavg()
        result["machine"]["busy_at_start"] = busy_processes()
        result["build"] = build(a)
        if a.wait_idle:
            result["machine"]["wait_idle"] = wait_for_idle(a.wait_idle)
            log(f"machine idle check: {result['machine']['wait_idle']}")
        os.makedirs(os.path.join(self.scratch, "logs"), exist_ok=True)
        result["params"] = {"rows": a.rows, "big_rows": a.big_rows, "seed": a.seed, "repeat": a.repeat,
                            "latency_ms": 0 if a.skip_run else a.latency_ms, "concurrency": a.concurrency,
                            "batch_size": a.batch_size, "columns": 10, "scratch": a.scratch}
        if a.skip_run:
            a.latency_ms = 0
        self.sandbox = Sandbox(self.sandbox_bin, self.scratch, a.latency_ms, self.env)
        url = self.sandbox.start()
        # The endpoint is part of the spec fingerprint kept in state: plans must use the run's endpoint.
        self.env["CTSYNC_ENDPOINT"] = url + "/{region}"
        log(f"sandbox at {url}, latency {a.latency_ms} ms")
        # Under /tmp, not the scratch folder: the server runs as another user when we are root.
        self.pg = LocalPostgres(f"/tmp/ctsync-bench-pg-{os.getuid()}") if a.postgres else None
        if self.pg:
            log(f"PostgreSQL at {self.pg.start()}")
        if a.parallel_jobs:
            try:
                result["params"].update(jobs=a.jobs, rows_per_job=a.job_rows, parallel=a.parallel or "default")
                result["parallel_jobs"] = self.parallel_jobs()
            finally:
                self.sandbox.stop()
                if self.pg:
                    self.pg.stop()
            result["machine"]["loadavg_end"] = loadavg()
            result["checks_passed"] = all(c["ok"] for c in self.checks)
            result["targets_met"] = all(v["met"] for v in result["parallel_jobs"]["targets"].values())
            result["checks"] = self.checks
            result["elapsed_s"] = round((dt.datetime.now(dt.timezone.utc) - started).total_seconds(), 1)
            return result
        try:
            scales = [self.scale(a.rows, main=True)]
            if a.big_rows:
                scales.append(self.scale(a.big_rows, main=False))
            result["lint"] = self.lint(self.data(a.rows))
        finally:
            self.sandbox.stop()
            if self.pg:
                self.pg.stop()
        result["machine"]["loadavg_end"] = loadavg()
        result["machine"]["busy_at_end"] = busy_processes()
        result.update(summarize(result, scales, a))
        result["scales"] = scales
        result["checks_passed"] = all(c["ok"] for c in self.checks)
        result["checks"] = self.checks
        result["elapsed_s"] = round((dt.datetime.now(dt.timezone.utc) - started).total_seconds(), 1)
        return result


class LocalPostgres:
    """A throwaway server from scripts/postgres, its data under `base`."""

    def __init__(self, base):
        self.env = dict(os.environ, CTSYNC_PG_DIR=base)
        self.url = None

    def start(self):
        out = subprocess.run([os.path.join(ROOT, "scripts", "postgres"), "start"], env=self.env, check=True,
                             capture_output=True, text=True)
        self.url = out.stdout.strip().splitlines()[-1]
        return self.url

    def fresh_database(self, name):
        for sql in (f"DROP DATABASE IF EXISTS {name}", f"CREATE DATABASE {name}"):
            subprocess.run(["psql", self.url, "-qAt", "-v", "ON_ERROR_STOP=1", "-c", sql], check=True,
                           capture_output=True, text=True)
        return self.url.rsplit("/", 1)[0] + "/" + name

    def stop(self):
        subprocess.run([os.path.join(ROOT, "scripts", "postgres"), "stop"], env=self.env, check=False,
                       capture_output=True)


def summarize(result, scales, a) -> dict:
    main = scales[0]
    s = {
        "plan_cold_rows_per_s": main["plan_cold"]["rows_per_s"],
        "plan_warm_rows_per_s": main["plan_warm"]["rows_per_s"],
        "plan_warm_changed": main["plan_warm"]["counts"]["changed"],
    }
    run = main["run"]
    if not a.skip_run:
        s.update({
            "run_records_per_s": run["records_per_s_wall"],
            "run_records_per_s_report": run["records_per_s_report"],
            "run_ceiling_records_per_s": run["ceiling_records_per_s"],
            "run_ratio_of_ceiling": run["ratio_of_ceiling_wall"],
            "run_ratio_of_ceiling_report": run["ratio_of_ceiling_report"],
            "run_definition": ("run_records_per_s = records acknowledged (report counts.succeeded) / wall time of "
                               "the `ctsync run` process, spawn to exit (includes start-up, reading the source and "
                               "the final state commit); _report is the report's http.records_per_second"),
        })
    if main.get("diagnostics"):
        d = main["diagnostics"]
        s["run_reference_loadgen_records_per_s"] = d["loadgen"]["records_per_s"]
        s["run_over_loadgen"] = d["run_over_loadgen"]
        s["run_no_latency_records_per_s"] = d["run_no_latency"]["records_per_s_wall"]
    mem = {}
    for sc in scales:
        tag = f"{sc['rows'] // 1_000_000}M" if sc["rows"] % 1_000_000 == 0 else str(sc["rows"])
        mem[f"plan_cold_{tag}"] = sc["plan_cold"]["peak_rss_mb"]
        mem[f"plan_warm_{tag}"] = sc["plan_warm"]["peak_rss_mb"]
        mem[f"run_{tag}"] = sc["run"]["peak_rss_mb"]
    s["peak_rss_mb"] = mem
    if main.get("postgres"):
        pg = main["postgres"]
        s["postgres"] = {
            "plan_cold_rows_per_s": pg["plan_cold"]["rows_per_s"],
            "plan_warm_rows_per_s": pg["plan_warm"]["rows_per_s"],
            "plan_warm_time_over_sqlite": pg["plan_warm_sqlite_over_postgres_time"],
            "run_records_per_s": pg["run"]["records_per_s_wall"],
            "run_ratio_of_ceiling": pg["run"].get("ratio_of_ceiling_wall"),
            "peak_rss_mb": {"plan_cold": pg["plan_cold"]["peak_rss_mb"], "plan_warm": pg["plan_warm"]["peak_rss_mb"],
                            "run": pg["run"]["peak_rss_mb"]},
        }
    if len(scales) > 1:
        big = scales[1]
        s["at_big_rows"] = {
            "rows": big["rows"],
            "plan_cold_rows_per_s": big["plan_cold"]["rows_per_s"],
            "plan_warm_rows_per_s": big["plan_warm"]["rows_per_s"],
            "run_records_per_s": big["run"]["records_per_s_wall"],
            "run_ratio_of_ceiling": big["run"].get("ratio_of_ceiling_wall"),
        }
        s["peak_rss_ratio_big_over_main"] = {
            k: round(big[k]["peak_rss_mb"] / main[k]["peak_rss_mb"], 2) for k in ("plan_cold", "plan_warm", "run")}
    s["lint_100_jobs_seconds" if a.lint_jobs == 100 else f"lint_{a.lint_jobs}_jobs_seconds"] = result["lint"]["seconds"]

    t = {}
    t["plan_cold_ge_500k_rows_per_s"] = {"value": s["plan_cold_rows_per_s"], "target": TARGET_PLAN_ROWS_PER_S,
                                         "met": s["plan_cold_rows_per_s"] >= TARGET_PLAN_ROWS_PER_S}
    t["plan_warm_ge_500k_rows_per_s"] = {"value": s["plan_warm_rows_per_s"], "target": TARGET_PLAN_ROWS_PER_S,
                                         "met": s["plan_warm_rows_per_s"] >= TARGET_PLAN_ROWS_PER_S}
    if not a.skip_run:
        t["run_ratio_ge_0.9"] = {"value": s["run_ratio_of_ceiling"], "target": TARGET_RUN_RATIO,
                                 "met": s["run_ratio_of_ceiling"] >= TARGET_RUN_RATIO,
                                 "report_based_value": s["run_ratio_of_ceiling_report"],
                                 "report_based_met": s["run_ratio_of_ceiling_report"] >= TARGET_RUN_RATIO}
    if main.get("postgres"):
        ratio = main["postgres"]["plan_warm_sqlite_over_postgres_time"]
        t["postgres_plan_warm_within_3x_sqlite"] = {"value": ratio, "target": "<= 3", "met": ratio <= 3}
    worst = max(mem.values())
    t["peak_rss_lt_150mb"] = {"value": worst, "target": TARGET_PEAK_MB, "met": worst < TARGET_PEAK_MB,
                              "worst_of": max(mem, key=mem.get)}
    if len(scales) > 1:
        ratios = s["peak_rss_ratio_big_over_main"]
        t["peak_rss_flat_4m_over_1m"] = {"value": ratios, "target": f"<= {TARGET_FLAT_RATIO}",
                                         "met": all(r <= TARGET_FLAT_RATIO for r in ratios.values())}
    if a.rows != 1_000_000 or (a.big_rows not in (0, 4_000_000)):
        for v in t.values():
            v["note"] = f"measured at {a.rows:,} rows, not the 1M/4M the targets are defined for"
    s["targets"] = t
    s["definitions"] = {
        "plan_rows_per_s": "source rows / wall time of `ctsync plan JOB --state S --format json` (spawn to exit), "
                           "median of --repeat runs; _best is the fastest run",
        "plan_warm": "state holds every row (written by the measured run), the CSV has 1% of rows' city changed",
        "ceiling": "concurrency * batch_size / latency (15 * 1000 / 0.2 s = 75,000 records/s)",
        "peak_rss_mb": "ru_maxrss of the ctsync process alone (wait4 in a small wrapper that forks and execs it)",
        "flat": f"peak RSS at the big data set <= {TARGET_FLAT_RATIO} x the peak at the main one",
        "other_processes_cores": "busy CPU of the whole machine during a measurement minus the measured process "
                                 "(and the sandbox, for runs), per second of wall time: interference from others",
    }
    s["targets_met"] = all(v["met"] for v in t.values())
    return s


def compact_json(value, indent=0, width=110) -> str:
    """Indented JSON that keeps small objects and lists on one line."""
    flat = json.dumps(value, ensure_ascii=False)
    if len(flat) + indent <= width or not isinstance(value, (dict, list)) or not value:
        return flat
    pad, inner = " " * indent, " " * (indent + 2)
    if isinstance(value, dict):
        items = [f"{inner}{json.dumps(k)}: {compact_json(v, indent + 2, width)}" for k, v in value.items()]
        return "{\n" + ",\n".join(items) + "\n" + pad + "}"
    items = [inner + compact_json(v, indent + 2, width) for v in value]
    return "[\n" + ",\n".join(items) + "\n" + pad + "]"


def parse_args(argv):
    p = argparse.ArgumentParser(
        prog="scripts/bench",
        description="Build release binaries and benchmark ctsync plan/run/lint against the local sandbox. "
                    "One JSON document on stdout; progress on stderr.")
    p.add_argument("--rows", type=int, default=1_000_000, help="rows of the main data set (default 1,000,000)")
    p.add_argument("--big-rows", type=int, default=4_000_000,
                   help="rows of the memory-flatness data set (default 4,000,000; 0 skips it)")
    p.add_argument("--quick", action="store_true", help="100,000 rows, no big data set, one repetition")
    p.add_argument("--repeat", type=int, default=3, help="repetitions of each plan and lint timing (median)")
    p.add_argument("--skip-run", action="store_true",
                   help="no latency run: state is populated against a sandbox without latency; no run ratio")
    p.add_argument("--skip-diagnostics", action="store_true",
                   help="skip the run references (sandbox loadgen at the same latency, ctsync run without latency)")
    p.add_argument("--skip-build", action="store_true", help="use the existing release binaries")
    p.add_argument("--binaries", metavar="DIR",
                   help="use ctsync and clevertap-sandbox from DIR (e.g. a --scratch-path build's release folder) "
                        "instead of building; the figures are only comparable between runs of the same build")
    p.add_argument("--rev", help="build this commit (a clean `git archive` export in SCRATCH/src, scratch path "
                                 "SCRATCH/build) instead of the working tree, which others may be editing")
    p.add_argument("--wait-idle", type=float, default=0, metavar="SECONDS",
                   help="after the build, wait up to SECONDS for the machine to be 85%% idle over 3 s")
    p.add_argument("--latency-ms", type=int, default=200)
    p.add_argument("--concurrency", type=int, default=15)
    p.add_argument("--batch-size", type=int, default=1000)
    p.add_argument("--lint-jobs", type=int, default=100)
    p.add_argument("--seed", type=int, default=20240601)
    p.add_argument("--scratch", default=os.path.join(ROOT, ".build-bench"),
                   help="scratch directory for binaries, data, state and logs (default .build-bench/)")
    p.add_argument("--timeout", type=int, default=900, help="seconds allowed to each measured command")
    p.add_argument("--build-timeout", type=int, default=3600)
    p.add_argument("--output", help="also write the JSON here (default SCRATCH/results/bench-<time>.json)")
    p.add_argument("--parallel-jobs", action="store_true",
                   help="only the parallel-jobs benchmark (issue 14): --jobs jobs of --job-rows rows each, run "
                        "together with --parallel, against one job of all their rows, both at --latency-ms; prints "
                        "both times, their ratio (target <= 1.3) and the sandbox's max in flight for the account "
                        "(must be <= 15); medians of --repeat")
    p.add_argument("--jobs", type=int, default=10, help="jobs of the --parallel-jobs benchmark (default 10)")
    p.add_argument("--job-rows", type=int, default=10_000, help="rows per job of --parallel-jobs (default 10,000)")
    p.add_argument("--parallel", type=int, default=10,
                   help="ctsync run --parallel for --parallel-jobs (default 10; 0: ctsync's default)")
    p.add_argument("--postgres", action="store_true",
                   help="also plan (cold and warm) and run the main data set with state in PostgreSQL: a throwaway "
                        "local server from scripts/postgres (data in /tmp/ctsync-bench-pg-UID), compared with the SQLite figures")
    a = p.parse_args(argv)
    if a.quick:
        a.rows, a.big_rows, a.repeat = 100_000, 0, 1
    if a.rows < 100 or (a.big_rows and a.big_rows < a.rows):
        p.error("--rows must be >= 100 and --big-rows 0 or >= --rows")
    a.scratch = os.path.abspath(a.scratch)
    return a


def main(argv=None):
    a = parse_args(sys.argv[1:] if argv is None else argv)
    os.makedirs(a.scratch, exist_ok=True)

    def on_signal(signum, _frame):
        raise SystemExit(128 + signum)

    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, on_signal)
    bench = Bench(a)
    try:
        result = bench.go()
    except (BenchError, subprocess.CalledProcessError, subprocess.TimeoutExpired) as e:
        log(f"failed: {e}")
        if bench.sandbox:
            bench.sandbox.stop()
        return 1
    finally:
        if bench.sandbox:
            bench.sandbox.stop()
    text = compact_json(result)
    print(text)
    out = a.output or os.path.join(a.scratch, "results", f"bench-{result['timestamp'].replace(':', '')}.json")
    os.makedirs(os.path.dirname(os.path.abspath(out)), exist_ok=True)
    with open(out, "w") as f:
        f.write(text + "\n")
    log(f"written to {out}")
    if not result["checks_passed"]:
        log("some correctness checks failed (see \"checks\")")
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())

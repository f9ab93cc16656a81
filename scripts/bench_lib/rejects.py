"""Peak memory of `ctsync run --rejects` and `ctsync plan --rejects` at 10,000 and
100,000 refused rows (issue 14, item 3): the rejects file is streamed to disk, so peak
RSS must not grow with the number of rejects. Half the rows are invalid (a bad Email:
the planner refuses them), half are refused by the sandbox (a Name longer than its
40-byte limit). Checks that every line is complete JSON with the schema's keys, and
prints one JSON document of figures on stdout. Not a test: nothing here gates CI."""

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
KEYS = {"job", "row", "key", "field", "outcome", "reason", "message", "record"}

JOB = """version: 1
name: rejects-bench
destination: { region: in1, account_id: "${CLEVERTAP_ACCOUNT_ID}", passcode: "${CLEVERTAP_PASSCODE}" }
source: { file: contacts.csv }
object: profiles
primary_key: id
mappings:
  - { from: email, to: identity }
  - { from: email, to: Email }
  - { from: name, to: Name }
  - { from: score, to: Score, transform: [number] }
options: { batch_size: 1000, concurrency: 10, max_rejected: 100% }
"""


def write_source(path: str, rows: int) -> None:
    with open(path, "w") as out:
        out.write("id,email,name,score\n")
        for i in range(rows):
            if i % 2 == 0:
                out.write(f"{i},user{i}-at-example.com,User {i},{i % 100}\n")
            else:
                out.write(f"{i},user{i}@example.com,User {i} with a name longer than the sandbox allows,{i % 100}\n")


def measure(argv, env, cwd):
    """Runs argv; its exit status, wall seconds and peak RSS in MiB (wait4's ru_maxrss)."""
    started = time.monotonic()
    with open(os.path.join(cwd, "stderr.log"), "w") as err:
        process = subprocess.Popen(argv, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=err)
        _, status, usage = os.wait4(process.pid, 0)
    return os.waitstatus_to_exitcode(status), time.monotonic() - started, usage.ru_maxrss / 1024


def check_lines(path: str) -> dict:
    lines = complete = 0
    outcomes = {}
    with open(path, "rb") as text:
        data = text.read()
    for line in data.split(b"\n"):
        if not line:
            continue
        lines += 1
        value = json.loads(line)
        if isinstance(value, dict) and set(value) == KEYS:
            complete += 1
            outcomes[value["outcome"]] = outcomes.get(value["outcome"], 0) + 1
    return {"lines": lines, "complete": complete, "outcomes": outcomes, "ends_with_newline": data.endswith(b"\n"),
            "bytes": len(data)}


def start_sandbox(binary: str, scratch: str):
    config = os.path.join(scratch, "sandbox.json")
    with open(config, "w") as out:
        json.dump({"accounts": [{"id": "123", "passcode": "bench-passcode", "region": "in1"}],
                   "port": 0, "limits": {"max_value_bytes": 40}}, out)
    process = subprocess.Popen([binary, "serve", "--config", config, "--log-level", "error"],
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    line = process.stdout.readline()
    if not line.startswith("listening on "):
        process.kill()
        sys.exit(f"the sandbox did not start: {line!r}")
    return process, line.split("listening on ", 1)[1].strip()


def main(argv) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--bin", default=os.path.join(ROOT, ".build", "debug"),
                        help="folder of the built ctsync and clevertap-sandbox (default .build/debug)")
    parser.add_argument("--rows", type=int, nargs="+", default=[10_000, 100_000],
                        help="refused rows per measurement (default 10000 100000)")
    args = parser.parse_args(argv)
    ctsync = os.path.join(args.bin, "ctsync")
    sandbox_binary = os.path.join(args.bin, "clevertap-sandbox")
    results = []
    with tempfile.TemporaryDirectory(prefix="ctsync-rejects-bench-") as scratch:
        sandbox, url = start_sandbox(sandbox_binary, scratch)
        try:
            for rows in args.rows:
                folder = os.path.join(scratch, str(rows))
                os.makedirs(folder)
                write_source(os.path.join(folder, "contacts.csv"), rows)
                with open(os.path.join(folder, "job.yaml"), "w") as out:
                    out.write(JOB)
                env = dict(os.environ, CLEVERTAP_ACCOUNT_ID="123", CLEVERTAP_PASSCODE="bench-passcode",
                           CTSYNC_ENDPOINT=url + "/{region}", CTSYNC_RETRY_BASE_MS="5")
                # The same run without --rejects first: what memory the rest of the run takes.
                for command in ("run-without-rejects", "plan", "run"):
                    rejects = os.path.join(folder, f"{command}-rejects.jsonl")
                    argv = [ctsync, command.split("-")[0], "job.yaml", "--state", f"{command}.sqlite"]
                    if command != "run-without-rejects":
                        argv += ["--rejects", rejects]
                    if command != "plan":
                        argv += ["--quiet", "--report", "report.json"]
                    status, wall, rss = measure(argv, env, folder)
                    entry = {"command": command, "rows": rows, "exit_status": status, "wall_seconds": round(wall, 2),
                             "peak_rss_mib": round(rss, 1)}
                    if command == "run-without-rejects":
                        entry.update({"lines": 0, "complete": 0})
                        print(f"run without --rejects, {rows} rows: exit {status}, peak RSS {entry['peak_rss_mib']} MiB, "
                              f"{entry['wall_seconds']} s", file=sys.stderr)
                        results.append(entry)
                        continue
                    entry.update(check_lines(rejects))
                    print(f"{command} {rows} rows: exit {status}, {entry['lines']} lines ({entry['complete']} "
                          f"complete), peak RSS {entry['peak_rss_mib']} MiB, {entry['wall_seconds']} s",
                          file=sys.stderr)
                    results.append(entry)
        finally:
            sandbox.terminate()
            sandbox.wait(timeout=30)
    print(json.dumps({"rejects": results}, indent=2))
    expected = {"run": lambda rows: rows, "plan": lambda rows: rows // 2 + rows % 2, "run-without-rejects": lambda rows: 0}
    ok = all(r["lines"] == r["complete"] == expected[r["command"]](r["rows"]) for r in results)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

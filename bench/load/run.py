"""Run the load test: `casework serve` with 1 and 2 processes, Locust headless at several levels.

    source bench/load/env.sh
    PYTHONPATH=. $VENV/bin/python bench/load/run.py --workers 1 2 --users 4 12 24 --time 60

It starts the deployment's job workers first (`casework worker --queues matching`, which builds
the open-case index at start, and `casework worker --queues general`), then `casework serve` on
the load database with the production settings of env.sh (config/gunicorn.py: gthread workers,
CASEWORK_WEB_KEEPALIVE; the web processes hold no index: a save's candidate refresh is a job
for the matching worker), most processes first, then SIGTTOU down to each
smaller count; for each count it warms up with a short unmeasured run (sign-ins), then runs
Locust headless for each number of simulated users and prints one line per level: requests/s,
p50/p95/p99 (ms), 5xx, conflicts (409, expected when two people save one thing), other failures,
requests that got no answer, and the load average of the machine during the level (the 1-minute
figure from /proc/loadavg, sampled every 5 s: mean and highest), and the CPU time the
application processes and the database's backends spent per request (a figure that does not
depend on how busy the machine was). Locust's CSVs, the status-code counts and the server's log
(tracebacks of any 5xx) are kept in $CASEWORK_LOAD_DIR/results/.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]


def say(text: str) -> None:
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


class LoadAverage(threading.Thread):
    """The 1-minute load average, sampled every 5 s while a level runs."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.samples: list[float] = []
        self.stopped = threading.Event()

    def run(self) -> None:
        while not self.stopped.wait(5):
            self.samples.append(float(Path("/proc/loadavg").read_text().split()[0]))

    def stop(self) -> tuple[float, float]:
        self.stopped.set()
        self.join()
        if not self.samples:
            value = float(Path("/proc/loadavg").read_text().split()[0])
            return value, value
        return sum(self.samples) / len(self.samples), max(self.samples)


def _cpu_seconds(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


def _resident_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            if parent == pid:
                found.append(int(entry.name))
    return found


def cpu_used(server: subprocess.Popen[bytes]) -> dict[int, float]:
    """CPU seconds so far of each gunicorn process and each PostgreSQL backend of the load
    database (by pid, so a level's use is the difference of two readings)."""
    import psycopg

    pids = [server.pid, *_children(server.pid)]
    url = os.environ["CASEWORK_DATABASE_URL"].replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(url) as connection:
        backends = connection.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid()"
        ).fetchall()
    used = {pid: _cpu_seconds(pid) for pid in pids}
    used.update({-row[0]: _cpu_seconds(row[0]) for row in backends})
    return used


def cpu_spent(before: dict[int, float], after: dict[int, float]) -> tuple[float, float]:
    """(application, database) CPU seconds between two readings."""
    app = database = 0.0
    for key, value in after.items():
        spent = value - before.get(key, 0.0)
        if key >= 0:
            app += spent
        else:
            database += spent
    return app, database


def _casework() -> str:
    return str(Path(os.environ.get("VENV", "/work/main/.venv")) / "bin" / "casework")


def start_server(workers: int, threads: int, port: int, log: Path) -> subprocess.Popen[bytes]:
    """`casework serve`, the production server (config/gunicorn.py: gthread workers, the
    keep-alive of CASEWORK_WEB_KEEPALIVE); the web processes hold no open-case index."""
    command = [
        _casework(), "serve",
        "--bind", f"127.0.0.1:{port}",
        "--workers", str(workers),
        "--threads", str(threads),
        "--timeout", "120",
    ]  # fmt: skip
    environment = dict(os.environ, PYTHONPATH=str(ROOT))
    with open(log, "ab") as output:
        server = subprocess.Popen(
            command, cwd=ROOT, env=environment, stdout=output, stderr=output,
            start_new_session=True,
        )  # fmt: skip
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=5) as answer:
                if answer.status == 200:
                    return server
                time.sleep(2)
        except OSError:
            time.sleep(1)
        if server.poll() is not None:
            raise SystemExit(f"casework serve stopped (exit {server.returncode}); see {log}")
    stop_process(server)
    raise SystemExit(f"casework serve was not ready within 10 minutes; see {log}")


def start_job_workers(results: Path, stamp: str) -> list[subprocess.Popen[bytes]]:
    """The job workers of the deployment: one on the matching queue (it builds the open-case
    index at start: waited for here, so the levels do not measure the build) and one on the
    general queue."""
    workers = []
    for queue in ("matching", "general"):
        log = results / f"{stamp}-worker-{queue}.log"
        with open(log, "ab") as output:
            workers.append(
                subprocess.Popen(
                    [_casework(), "worker", "--queues", queue],
                    cwd=ROOT,
                    env=dict(os.environ, PYTHONPATH=str(ROOT)),
                    stdout=output,
                    stderr=output,
                    start_new_session=True,
                )  # fmt: skip
            )
    matching_log = results / f"{stamp}-worker-matching.log"
    started = time.monotonic()
    while "open-case index built" not in matching_log.read_text(errors="replace"):
        if workers[0].poll() is not None:
            raise SystemExit(f"the matching worker stopped; see {matching_log}")
        if time.monotonic() - started > 3600:
            raise SystemExit(f"the matching worker built no index within an hour: {matching_log}")
        time.sleep(5)
    built = [
        json.loads(line)["message"]
        for line in matching_log.read_text().splitlines()
        if "open-case index built" in line and line.startswith("{")
    ]
    say(f"matching worker: {built[-1]}; resident memory {_resident_mb(workers[0].pid):.0f} MB")
    return workers


def stop_process(server: subprocess.Popen[bytes]) -> None:
    if server.poll() is None:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()


def locust(port: int, users: int, seconds: int, prefix: Path) -> dict[str, object]:
    venv = Path(os.environ.get("VENV", "/work/main/.venv"))
    status_file = prefix.with_suffix(".status.json")
    command = [
        str(venv / "bin" / "locust"),
        "-f", str(HERE / "locustfile.py"),
        "--headless",
        "--host", f"http://127.0.0.1:{port}",
        "--users", str(users),
        "--spawn-rate", str(max(1, users // 4)),
        "--run-time", f"{seconds}s",
        "--stop-timeout", "120",
        "--csv", str(prefix),
        "--only-summary",
        "--loglevel", "WARNING",
    ]  # fmt: skip
    environment = dict(os.environ, PYTHONPATH=f"{ROOT}:{HERE}", LOAD_STATUS_FILE=str(status_file))
    with open(prefix.with_suffix(".locust.log"), "w") as log:
        subprocess.run(command, cwd=ROOT, env=environment, stdout=log, stderr=log, check=False)
    with open(f"{prefix}_stats.csv") as handle:
        rows = {row["Name"]: row for row in csv.DictReader(handle)}
    total = rows["Aggregated"]
    codes: dict[str, dict[str, int]] = json.loads(status_file.read_text())
    count = {"5xx": 0, "409": 0, "no answer": 0}
    server_errors: dict[str, int] = {}
    for name, seen in codes.items():
        for code, times in seen.items():
            if int(code) >= 500:
                count["5xx"] += times
                server_errors[name] = server_errors.get(name, 0) + times
            elif int(code) == 409:
                count["409"] += times
            elif int(code) == 0 and name != "create retried made a second case":
                count["no answer"] += times
    return {
        "requests": int(total["Request Count"]),
        "failures": int(total["Failure Count"]),
        "rps": float(total["Requests/s"]),
        "p50": total["50%"],
        "p95": total["95%"],
        "p99": total["99%"],
        "5xx": count["5xx"],
        "409": count["409"],
        "no answer": count["no answer"],
        "second cases": sum(codes.get("create retried made a second case", {}).values()),
        "server errors": server_errors,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--threads", type=int, default=4, help="threads per gunicorn process")
    parser.add_argument("--users", type=int, nargs="+", default=[8, 24, 48])
    parser.add_argument("--time", type=int, default=90, help="seconds per level")
    parser.add_argument("--warm-up", type=int, default=30, help="seconds, not measured")
    parser.add_argument("--port", type=int, default=8765)
    args = parser.parse_args()

    results = Path(os.environ.get("CASEWORK_LOAD_DIR", "/tmp/casework-load")) / "results"
    results.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    lines = [
        "| processes | users | requests | req/s | p50 ms | p95 ms | p99 ms | 5xx | 409 "
        "| other failures | no answer | load avg (mean / max) | CPU ms per request (app + db) |",
        "|" + " ---: |" * 11 + " --- | --- |",
    ]
    counts = sorted(set(args.workers), reverse=True)
    log = results / f"{stamp}-server.log"
    say("starting the job workers (matching, general)")
    job_workers = start_job_workers(results, stamp)
    say(f"starting casework serve: {counts[0]} process(es) x {args.threads} threads")
    server = start_server(counts[0], args.threads, args.port, log)
    try:
        for workers in counts:
            for _ in range(len(_children(server.pid)) - workers):
                os.kill(server.pid, signal.SIGTTOU)  # one process fewer
                time.sleep(1)
            while len(_children(server.pid)) > workers:
                time.sleep(1)
            resident = [_resident_mb(pid) for pid in _children(server.pid)]
            sizes = ", ".join(f"{mb:.0f} MB" for mb in resident)
            say(f"  ready; resident memory of each process: {sizes}")
            if args.warm_up:
                say(f"  warm-up {args.warm_up} s (not measured)")
                locust(args.port, 4 * workers, args.warm_up, results / f"{stamp}-w{workers}-warmup")
            for users in args.users:
                prefix = results / f"{stamp}-w{workers}-u{users}"
                load = LoadAverage()
                load.start()
                before = cpu_used(server)
                jobs_before = sum(_cpu_seconds(worker.pid) for worker in job_workers)
                got = locust(args.port, users, args.time, prefix)
                app_cpu, db_cpu = cpu_spent(before, cpu_used(server))
                jobs_cpu = sum(_cpu_seconds(worker.pid) for worker in job_workers) - jobs_before
                mean, highest = load.stop()
                answered = max(1, int(got["requests"]))
                other = int(got["failures"]) - int(got["5xx"]) - int(got["no answer"])
                line = (
                    f"| {workers} | {users} | {got['requests']:,} | {got['rps']:.1f} "
                    f"| {got['p50']} | {got['p95']} | {got['p99']} | {got['5xx']} | {got['409']} "
                    f"| {other} | {got['no answer']} | {mean:.1f} / {highest:.1f} "
                    f"| {1000 * app_cpu / answered:.0f} + {1000 * db_cpu / answered:.0f} |"
                )
                lines.append(line)
                say("  " + line)
                say(f"  job workers: {jobs_cpu:.1f} s of CPU in this level (refreshes after saves)")
                if got["server errors"]:
                    say(f"  5xx by request: {got['server errors']} (tracebacks in {log})")
                if got["second cases"]:
                    say(f"  a retried create made a second case {got['second cases']} time(s)")
    finally:
        stop_process(server)
        for worker in job_workers:
            stop_process(worker)
    say("")
    say("\n".join(lines))
    (results / f"{stamp}-summary.md").write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()

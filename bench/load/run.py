"""The load benchmark in one command (see bench/README.md, "Load").

    .venv/bin/python bench/load/run.py                       # 100,000 cases, 200 users, 10 min
    .venv/bin/python bench/load/run.py --scale 0 --users 20 --time 1m    # the demo: a quick try
    .venv/bin/python bench/load/run.py --database-url URL --data-dir DIR  # data made already

Starts a throw-away PostgreSQL cluster (tests/pgcluster.py), migrates, loads `veza demo --scale N`,
collects the static files, reads the plan (accounts, TOTP secrets, API tokens) from the database,
serves Veza with gunicorn (`veza serve`, bench/load/settings.py), runs the daily mix
(bench/load/locustfile.py) headless, then the bare view with the same users, think time and
duration, and writes bench/load/results/<date>-<N>.md: per request type the count, throughput,
median, p95, failures and 5xx, the totals, and Veza's ratios to the bare view.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import datetime
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests"))
from pgcluster import free_port, running_cluster  # noqa: E402

BIN = Path(sys.executable).parent
MIX = ["Frontline", "CaseManager", "Provider", "Coordinator", "ApiClient"]
#: p95 target of issue 12 (every page and endpoint under the 200-user load).
P95_TARGET_MS = 300


def seconds(text: str) -> int:
    match = re.fullmatch(r"(\d+)([smh]?)", text)
    if not match:
        raise argparse.ArgumentTypeError("a duration such as 90s, 10m or 1h")
    return int(match.group(1)) * {"": 1, "s": 1, "m": 60, "h": 3600}[match.group(2)]


def say(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def step(title: str, command: list[str], env: dict) -> None:
    """Run one set-up command, its progress bars shown as they come."""
    say(title)
    subprocess.run(command, env=env, check=True, stdout=sys.stderr)


def load_data(scale: int, env: dict) -> str:
    veza = str(BIN / "veza")
    if scale:
        help_text = subprocess.run(
            [veza, "demo", "--help"], env=env, capture_output=True, text=True, check=True
        ).stdout
        if "--scale" in help_text:
            step(
                f"Loading `veza demo --scale {scale}` …", [veza, "demo", "--scale", str(scale)], env
            )
            return f"veza demo --scale {scale}"
        say(
            "`veza demo --scale` is not available in this checkout yet: loading the ordinary "
            "demo instead. The figures are for the demo's few cases, not the requested scale."
        )
    step("Loading the ordinary demo (`veza demo`) …", [veza, "demo"], env)
    return "veza demo"


def wait_until_up(url: str, server: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit(f"gunicorn stopped while starting; see {log}:\n{log.read_text()[-2000:]}")
        try:
            with urllib.request.urlopen(url + "/health/", timeout=2):  # noqa: S310 (loopback)
                return
        except OSError:
            time.sleep(0.5)
    sys.exit(f"gunicorn did not answer within 60 s; see {log}")


def read_stats(prefix: Path) -> list[dict]:
    path = Path(f"{prefix}_stats.csv")
    if not path.exists():
        return []
    with path.open() as handle:
        return list(csv.DictReader(handle))


def server_errors(prefix: Path) -> dict[str, int]:
    """5xx per request type, from the failures the scenario names "HTTP 5…"."""
    path, counts = Path(f"{prefix}_failures.csv"), {}
    if path.exists():
        with path.open() as handle:
            for row in csv.DictReader(handle):
                if row["Error"].startswith("HTTP 5"):
                    counts[row["Name"]] = counts.get(row["Name"], 0) + int(row["Occurrences"])
    return counts


def failure_causes(prefix: Path) -> list[tuple[str, str, int]]:
    """(request type, cause, occurrences) of every failure locust recorded, most frequent first."""
    path = Path(f"{prefix}_failures.csv")
    if not path.exists():
        return []
    with path.open() as handle:
        rows = [
            (f"{row['Method']} {row['Name']}", row["Error"], int(row["Occurrences"]))
            for row in csv.DictReader(handle)
        ]
    return sorted(rows, key=lambda row: -row[2])


def run_locust(
    label: str, classes: list[str], args, url: str, plan: Path, prefix: Path, env: dict
) -> None:
    command = [
        str(BIN / "locust"),
        "-f",
        str(ROOT / "bench" / "load" / "locustfile.py"),
        "--host",
        url,
        "--headless",
        "--only-summary",
        "--users",
        str(args.users),
        "--spawn-rate",
        str(args.spawn_rate),
        "--run-time",
        f"{args.time if label == 'mix' else args.bare_time}s",
        "--stop-timeout",
        "10",
        "--csv",
        str(prefix),
        "--exit-code-on-error",
        "0",
        # Steady state: the ramp (every user signing in, argon2 on each password) is not counted.
        *([] if args.include_ramp else ["--reset-stats"]),
        *classes,
    ]
    env = dict(env, VEZA_LOAD_PLAN=str(plan), VEZA_LOAD_THINK=str(args.think))
    total = args.time if label == "mix" else args.bare_time
    say(f"{label}: {args.users} users for {total} s")
    log = prefix.parent / f"locust-{label}.log"
    with log.open("w") as out:
        process = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT)
        started = time.monotonic()
        while process.poll() is None:
            time.sleep(min(15, max(1, total / 20)))
            rows = [r for r in read_stats(prefix) if r["Name"] == "Aggregated"]
            if rows and process.poll() is None:
                row = rows[0]
                say(
                    f"{label}: {time.monotonic() - started:4.0f}/{total} s, "
                    f"{int(row['Request Count']):,} requests, {int(row['Failure Count'])} failed, "
                    f"now {float(row['Requests/s']):.1f}/s, median {row['50%']} ms, "
                    f"p95 {row['95%']} ms"
                )
    if process.returncode:
        sys.exit(f"locust failed (exit {process.returncode}); see {log}")


def number(value: str) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return 0.0


def report(args, loaded: str, mix: Path, bare: Path, environment: str) -> str:
    rows, errors = read_stats(mix), server_errors(mix)
    total = next(r for r in rows if r["Name"] == "Aggregated")
    bare_total = next(r for r in read_stats(bare) if r["Name"] == "Aggregated")
    lines = [
        f"# Load: {args.users} users, {args.time} s, `{loaded}`",
        "",
        environment,
        "",
        "| request type | count | per s | median ms | p95 ms | failures | 5xx |",
        "|---|---|---|---|---|---|---|",
    ]
    for row in sorted(rows, key=lambda r: r["Name"]):
        if row["Name"] == "Aggregated":
            continue
        flag = " ⚠" if number(row["95%"]) >= P95_TARGET_MS else ""
        lines.append(
            f"| {row['Type']} {row['Name']} | {int(row['Request Count']):,} | "
            f"{number(row['Requests/s']):.2f} | {row['50%']} | {row['95%']}{flag} | "
            f"{row['Failure Count']} | {errors.get(row['Name'], 0)} |"
        )
    lines.append(
        f"| **all** | **{int(total['Request Count']):,}** | "
        f"**{number(total['Requests/s']):.2f}** | "
        f"**{total['50%']}** | **{total['95%']}** | **{total['Failure Count']}** | "
        f"**{sum(errors.values())}** |"
    )
    throughput = number(total["Requests/s"]) / max(number(bare_total["Requests/s"]), 1e-9)
    median = number(total["50%"]) / max(number(bare_total["50%"]), 1e-9)
    lines += [
        "",
        f"Bare view (`/bench/bare/`, same users and think time, {args.bare_time} s): "
        f"{int(bare_total['Request Count']):,} requests, {number(bare_total['Requests/s']):.2f}/s, "
        f"median {bare_total['50%']} ms, p95 {bare_total['95%']} ms, "
        f"{bare_total['Failure Count']} failures.",
        "",
        f"Veza against the bare view: throughput x{throughput:.2f}, median x{median:.1f}.",
        "",
        f"⚠ marks a p95 at or over the {P95_TARGET_MS} ms target.",
    ]
    causes = failure_causes(mix)
    if causes:
        lines += ["", "Failures by cause:", "", "| request type | cause | count |", "|---|---|---|"]
        lines += [f"| {name} | {cause[:160]} | {count:,} |" for name, cause, count in causes]
    return "\n".join(lines) + "\n"


def environment_line(args, env: dict) -> str:
    version = subprocess.run(
        [str(BIN / "python"), "-c", "import django; print(django.get_version())"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    ).stdout.strip()
    load = ", ".join(f"{v:.1f}" for v in os.getloadavg())
    return (
        f"{datetime.date.today():%Y-%m-%d}; {os.cpu_count()} CPUs, load average {load} at the "
        f"start; gunicorn {args.workers} workers x {args.threads} threads (gthread); "
        f"PostgreSQL throw-away cluster (fsync off); Django {version}; think time x{args.think}; "
        f"spawn rate {args.spawn_rate}/s, "
        f"{'ramp included' if args.include_ramp else 'figures from the end of the ramp on'}. "
        f"Command: `{shlex.join(sys.argv)}`."
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=100_000, help="cases (0: the ordinary demo)")
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--spawn-rate", type=float, default=2.0, help="users started per second")
    parser.add_argument("--time", type=seconds, default="10m", help="the mix's duration")
    parser.add_argument("--bare-time", type=seconds, default=None, help="default: as --time")
    parser.add_argument("--think", type=float, default=1.0, help="factor on think times")
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument(
        "--include-ramp", action="store_true", help="count the ramp (sign-ins) in the figures"
    )
    parser.add_argument("--keep", action="store_true", help="keep the cluster and the files")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "load" / "results")
    parser.add_argument(
        "--database-url",
        help="use this database (and --data-dir) instead of a throw-away cluster: the data are "
        "topped up to --scale, not made again",
    )
    parser.add_argument("--data-dir", type=Path, help="VEZA_DATA_DIR of --database-url")
    args = parser.parse_args()
    if args.database_url and not args.data_dir:
        parser.error("--database-url needs the --data-dir that holds its instance keys")
    args.bare_time = args.bare_time or args.time

    work = Path(tempfile.mkdtemp(prefix="veza-load-"))
    server = None
    cluster = (
        contextlib.nullcontext(dict(os.environ, DATABASE_URL=args.database_url))
        if args.database_url
        else running_cluster(keep=args.keep)
    )
    with cluster as pg_env:
        if pg_env is None:
            sys.exit("PostgreSQL (initdb, pg_ctl) is not installed: apt-get install postgresql.")
        env = dict(
            pg_env,
            VEZA_ENV="demo",
            VEZA_DATA_DIR=str(args.data_dir or work / "data"),
            DJANGO_SETTINGS_MODULE="bench.load.settings",
            PYTHONPATH=os.pathsep.join([str(ROOT), str(ROOT / "src")]),
            VEZA_LOG_LEVEL="WARNING",
        )
        try:
            step("Migrating …", [str(BIN / "veza"), "migrate", "-v", "0"], env)
            loaded = load_data(args.scale, env)
            step(
                "Collecting static files …",
                [str(BIN / "veza"), "collectstatic", "--noinput", "-v", "0"],
                env,
            )
            plan = work / "plan.json"
            step(
                "Reading the plan …",
                [str(BIN / "python"), str(ROOT / "bench/load/plan.py"), "--out", str(plan)],
                env,
            )
            environment = environment_line(args, env)
            port = free_port()
            url = f"http://127.0.0.1:{port}"
            log = work / "server.log"
            say(f"gunicorn on {url}: {args.workers} workers x {args.threads} threads")
            with log.open("w") as out:
                server = subprocess.Popen(
                    [
                        str(BIN / "veza"),
                        "serve",
                        f"127.0.0.1:{port}",
                        "--workers",
                        str(args.workers),
                        "--threads",
                        str(args.threads),
                    ],
                    env=env,
                    stdout=out,
                    stderr=subprocess.STDOUT,
                )
            wait_until_up(url, server, log)
            run_locust("mix", MIX, args, url, plan, work / "mix", env)
            run_locust("bare", ["BareUser"], args, url, plan, work / "bare", env)
            text = report(args, loaded, work / "mix", work / "bare", environment)
            args.out.mkdir(parents=True, exist_ok=True)
            result = args.out / f"{datetime.date.today():%Y-%m-%d}-{args.scale}.md"
            result.write_text(text)
            print(text)
            say(f"Written to {result}")
        finally:
            if server is not None:
                server.terminate()
                try:
                    server.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    server.kill()
            if args.keep:
                say(f"Kept: {work} (server log, locust CSVs and logs, the plan with secrets)")
            else:
                shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

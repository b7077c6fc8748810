"""`make loadtest-edge`: instances failing behind the edge while wrk reads through it.

Two gunicorn instances (production settings, one throwaway database) behind Varnish (deploy/edge.py),
every public page warmed at the edge, then under wrk's load (bench/loadtest.lua counts every 5xx):

1. one instance is killed (SIGKILL) a third of the way in, while half the requests are searches the edge has
   not seen: readers get no 5xx (the edge retries on the other);
2. every instance is stopped: cached pages are still served (stale within grace), an uncached page gets the
   clean 503 page;
3. both are started again: an editor's new title is served through the edge with no manual step.

Prints a summary; exits 1 on any failure.

    python -m bench.edge_faults                 # 200 posts on SQLite, 10 s of load per phase
    python -m bench.edge_faults --database-url postgres://postgres@127.0.0.1:5432/postgres
"""

import json
import secrets
import sys
import tempfile
import threading
import time
from contextlib import ExitStack
from pathlib import Path

from bench.edge import EDITOR_PASSWORD, SITE, editor_at
from bench.environment import BenchError, bench_environment, prepare, run_checked, throwaway_database
from bench.loadtest import load_test_arguments, run_wrk
from harness.servers import HOST, ServerFailed, free_port, gunicorn, varnish
from harness.web import request, submitted_form


def log(message):
    print(f"[edge-faults] {message}", file=sys.stderr, flush=True)


def kill_later(server, seconds):
    timer = threading.Timer(seconds, server.kill)
    timer.start()
    return timer


def wait_until_no_instance_is_up(edge, timeout=15):
    """Poll until the edge's probes count every instance down: only then does it serve pages from grace."""
    deadline = time.monotonic() + timeout
    while edge.healthy_backends() and time.monotonic() < deadline:
        time.sleep(0.1)
    if edge.healthy_backends():
        raise BenchError(f"the edge still counted an instance up {timeout} s after every instance stopped")


def run(args, workdir):
    problems = []
    with throwaway_database(args.database_url, args.size, workdir) as database_url:
        edge_port, ports = free_port(), [free_port(), free_port()]
        env = {
            **bench_environment(workdir, database_url),
            "EDGE_PURGE_URLS": f"http://{HOST}:{edge_port}/",
            "EDGE_PURGE_SECRET": secrets.token_urlsafe(24),
        }
        log(f"migrating and seeding {args.size} posts")
        prepare(env, args.size)
        site = json.loads(
            run_checked(
                [sys.executable, "manage.py", "shell", "--no-imports", "-c", SITE % EDITOR_PASSWORD], env, "edge site"
            )
        )
        paths_file, with_misses = workdir / "paths.txt", workdir / "paths-and-searches.txt"
        paths_file.write_text("\n".join(site["paths"]) + "\n")
        # Searches the edge has not seen: with them, instances keep serving while one of them is killed.
        searches = [f"/en/search/?q=essay+{number}" for number in range(5000)]
        with_misses.write_text("\n".join(path for pair in zip(site["paths"] * 30, searches) for path in pair) + "\n")
        with ExitStack() as servers:
            instances = [servers.enter_context(gunicorn(env, port, workers=args.workers)) for port in ports]
            edge = servers.enter_context(
                varnish(
                    edge_port,
                    [(HOST, port) for port in ports],
                    purge_secret=env["EDGE_PURGE_SECRET"],
                    outage_html="<h1>Back in a moment</h1>",
                    memory="256m",
                )
            )
            log("warming the edge")
            run_wrk(edge.url, paths_file, 3, args.connections)
            log(f"killing one instance {args.duration / 3:.0f} s into {args.duration:g} s of load")
            kill_later(instances[0], args.duration / 3)
            stats = run_wrk(edge.url, with_misses, args.duration, args.connections)
            log(f"one instance killed: {stats['requests']} requests, {stats['server_errors']} 5xx")
            if stats["server_errors"]:
                problems.append(f"{stats['server_errors']} readers got a 5xx after one instance was killed")

            instances[1].stop()
            wait_until_no_instance_is_up(edge)
            stats = run_wrk(edge.url, paths_file, args.duration, args.connections)
            log(f"every instance down: {stats['requests']} requests, {stats['server_errors']} 5xx")
            if stats["server_errors"]:
                problems.append(f"{stats['server_errors']} cached pages were not served with every instance down")
            status, _headers, body = request(edge.url, "/en/search/?q=never-cached")
            if status != 503 or "Back in a moment" not in body:
                problems.append(f"an uncached page with every instance down answered {status}, not the 503 page")

            restarted = [servers.enter_context(gunicorn(env, port, workers=args.workers)) for port in ports]
            problems += fresh_after_restart(edge.url, restarted[1].url, site)
    return problems


def fresh_after_restart(edge_url, origin, site, timeout=10):
    editor = editor_at(origin, site)
    data = submitted_form(editor.request(site["change"]))
    data["title"] = title = f"Saved after the restart {time.time_ns()}"
    if editor.request(site["change"], data).status_code != 302:
        return ["the editor's save after the restart was refused"]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if title in request(edge_url, site["post"])[2]:
            log("after the restart: the new title is served through the edge")
            return []
        time.sleep(0.05)
    return [f"the title saved after the restart was not served through the edge within {timeout} s"]


def main(argv=None):
    # --duration is per phase; --workers per instance.
    args = load_test_arguments(__doc__, duration=10.0, connections=8).parse_args(argv)
    try:
        with tempfile.TemporaryDirectory(prefix="bunko-edge-faults-") as tmp:
            problems = run(args, Path(tmp))
    except (BenchError, ServerFailed) as error:
        raise SystemExit(f"edge-faults: {error}") from error
    for problem in problems:
        print(f"FAIL: {problem}")
    print("Edge faults: " + ("pass" if not problems else f"{len(problems)} failure(s)"))
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()

"""`make serve-edge`: Varnish (deploy/vcl.py) in front of several Bunko instances on this machine.

    python -m deploy.edge --port 8000      # Varnish on 8000, gunicorn on 8001 and 8002

The processes are started as the tests and the benchmark start theirs (harness.servers).
"""

import argparse
import contextlib
import os
import secrets

from harness.servers import HOST, running, start_gunicorn, varnish


def serve(port, instances):
    """`make serve-edge`: Varnish on `port` in front of `instances` gunicorns sharing one database and cache."""
    import django

    django.setup()
    ports = [port + number for number in range(1, instances + 1)]
    env = {
        **os.environ,
        "EDGE_PURGE_URLS": os.environ.get("EDGE_PURGE_URLS") or f"http://{HOST}:{port}/",
        "EDGE_PURGE_SECRET": os.environ.get("EDGE_PURGE_SECRET") or secrets.token_urlsafe(24),
    }
    with contextlib.ExitStack() as servers:
        for app_port in ports:
            servers.enter_context(running(start_gunicorn(env, app_port)))
        edge = servers.enter_context(
            varnish(port, [(HOST, app_port) for app_port in ports], purge_secret=env["EDGE_PURGE_SECRET"])
        )
        print(f"Bunko through Varnish on http://{HOST}:{port}/ (app instances on {ports}); Ctrl-C stops.")
        with contextlib.suppress(KeyboardInterrupt):
            edge.process.wait()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--instances", type=int, default=2)
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    serve(args.port, args.instances)


if __name__ == "__main__":
    main()

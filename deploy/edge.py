"""Varnish in front of several Bunko instances on this machine: `make serve-edge`, the edge tests and the bench.

deploy/varnish/bunko.vcl is the same everywhere; what differs per site goes into a generated
bunko-site.vcl beside the running edge: the app instances (each probed at /healthz), the addresses
allowed to purge and the secret a purge must carry (EDGE_PURGE_SECRET), the TLS terminators trusted to say
a request came over HTTPS, and the outage page served when no instance answers.

    python -m deploy.edge --port 8000      # make serve-edge: Varnish on 8000, gunicorn on 8001 and 8002
"""

import argparse
import contextlib
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VCL = ROOT / "deploy" / "varnish" / "bunko.vcl"
HOST = "127.0.0.1"


def site_vcl(backends, purgers, outage_page, purge_secret, tls_terminators=(), host_header=HOST, probe="/healthz"):
    """The per-site part of the VCL: `backends` are (host, port) pairs, `purgers` and `tls_terminators`
    addresses or networks.

    Each instance is probed at `probe` (/healthz: it answers 503 when its database or cache is away).
    """
    if not re.fullmatch(r"[A-Za-z0-9_.~+/=-]{16,}", purge_secret or ""):
        raise ValueError("The purge secret must be at least 16 letters, digits or -_.~+/= (secrets.token_urlsafe).")
    lines = []
    for number, (host, port) in enumerate(backends, 1):
        lines += [
            f"backend app{number} {{",
            f'    .host = "{host}";',
            f'    .port = "{port}";',
            "    .connect_timeout = 1s;",
            "    .first_byte_timeout = 30s;",
            "    .probe = {",
            f'        .request = "GET {probe} HTTP/1.1" "Host: {host_header}" "Connection: close";',
            "        .interval = 1s; .timeout = 1s; .window = 3; .threshold = 2; .initial = 2;",
            "    }",
            "}",
        ]
    for name, addresses in (("purgers", purgers), ("tls_terminators", tls_terminators)):
        lines.append(f"acl {name} {{")
        # An ACL needs an entry: with none, one that no client has (the unspecified address).
        lines += [f'    "{address}";' for address in addresses or ["0.0.0.0"]]
        lines.append("}")
    lines += [
        "",
        "sub bunko_purge_secret {",
        f'    if (req.http.Purge-Secret != "{purge_secret}") {{',
        '        return (synth(403, "Forbidden"));',
        "    }",
        "}",
    ]
    lines += ["", "sub vcl_init {", "    new app = directors.round_robin();"]
    lines += [f"    app.add_backend(app{number});" for number in range(1, len(backends) + 1)]
    lines += ["}", "", "sub bunko_outage_page {", f'    synthetic(std.fileread("{outage_page}"));', "}", ""]
    return "\n".join(lines)


def outage_page_html():
    """Bunko's own 503 page (templates/503.html), as Django renders it; needs Django set up."""
    from django.template.loader import render_to_string

    return render_to_string("503.html")


def write_config(
    folder, backends, purge_secret, purgers=(HOST,), tls_terminators=(), outage_html=None, probe="/healthz"
):
    """Write bunko-site.vcl and the outage page into `folder`."""
    folder = Path(folder)
    outage = folder / "503.html"
    outage.write_text(outage_html or outage_page_html())
    vcl = site_vcl(backends, purgers, outage, purge_secret, tls_terminators, probe=probe)
    (folder / "bunko-site.vcl").write_text(vcl)


def free_port():
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


@dataclass
class Edge:
    process: subprocess.Popen
    workdir: Path

    def counters(self):
        """varnishstat's counters by name (MAIN.client_req, MAIN.backend_req, ...)."""
        result = subprocess.run(
            ["varnishstat", "-n", str(self.workdir), "-1", "-j"], capture_output=True, text=True, check=True
        )
        data = json.loads(result.stdout)
        return {
            name: counter.get("value")
            for name, counter in data.get("counters", data).items()
            if isinstance(counter, dict)
        }


@contextlib.contextmanager
def varnish(
    port,
    backends,
    *,
    purge_secret,
    purgers=(HOST,),
    tls_terminators=(),
    outage_html=None,
    probe="/healthz",
    memory="64m",
):
    """varnishd on HOST:`port` in front of `backends` (yields an Edge), stopped by its process group however the block ends.

    Purges must come from `purgers` with `Purge-Secret: <purge_secret>` (the instances' EDGE_PURGE_SECRET).
    """
    if not shutil.which("varnishd"):
        raise RuntimeError("varnishd is missing: `make varnish` installs Debian's varnish and varnish-modules.")
    folder = Path(tempfile.mkdtemp(prefix="bunko-edge-"))
    folder.chmod(0o755)  # the cache process runs as Debian's unprivileged varnish user
    write_config(folder, backends, purge_secret, purgers, tls_terminators, outage_html, probe)
    command = [
        "varnishd", "-F", "-n", str(folder / "work"), "-a", f"{HOST}:{port}", "-f", str(VCL),
        "-p", f"vcl_path={folder}:{VCL.parent}", "-s", f"malloc,{memory}", "-T", "none",
        "-p", "default_keep=0", "-p", "thread_pool_min=20",
        # A feed or list names every essay, tag and author it shows, twice (Surrogate-Key, xkey): room for long keys.
        "-p", "http_resp_hdr_len=64k", "-p", "http_resp_size=256k", "-p", "workspace_backend=512k",
    ]  # fmt: skip
    log = folder / "varnishd.log"
    with open(log, "wb") as output:
        process = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        wait_for_port(port, process, log)
        yield Edge(process, folder / "work")
    finally:
        stop(process)
        shutil.rmtree(folder, ignore_errors=True)


def wait_for_port(port, process, log=None, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"exited with {process.returncode}:\n{tail(log)}")
        with contextlib.suppress(OSError), socket.create_connection((HOST, port), timeout=1):
            return
        time.sleep(0.1)
    raise RuntimeError(f"nothing answered on port {port} within {timeout} s:\n{tail(log)}")


def tail(log):
    return Path(log).read_text(errors="replace")[-4000:] if log else ""


def stop(process, grace=10):
    """Stop a process started with start_new_session, and everything it started."""
    if process.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(grace)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def gunicorn(port, env, workers=2):
    """One app instance on HOST:`port`."""
    command = [
        sys.executable, "-m", "gunicorn", "config.wsgi:application", "--chdir", str(ROOT),
        "--workers", str(workers), "--bind", f"{HOST}:{port}", "--log-level", "warning",
    ]  # fmt: skip
    return subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True)


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
    servers = [gunicorn(app_port, env) for app_port in ports]
    try:
        for app_port, server in zip(ports, servers):
            wait_for_port(app_port, server)
        with varnish(port, [(HOST, app_port) for app_port in ports], purge_secret=env["EDGE_PURGE_SECRET"]) as edge:
            print(f"Bunko through Varnish on http://{HOST}:{port}/ (app instances on {ports}); Ctrl-C stops.")
            edge.process.wait()
    except KeyboardInterrupt:
        pass
    finally:
        for server in servers:
            stop(server)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--instances", type=int, default=2)
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    serve(args.port, args.instances)


if __name__ == "__main__":
    main()

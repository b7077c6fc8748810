"""Server processes on loopback ports: started in their own session, waited for by polling with a deadline, and
stopped with everything they started (the process group) however the block using them ends."""

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from http.client import HTTPConnection, HTTPException
from pathlib import Path

from deploy.vcl import HOST, VARNISHD_PARAMETERS, VCL, write_config

ROOT = Path(__file__).resolve().parent.parent


class ServerFailed(RuntimeError):
    """A server exited or never answered; the message ends with the tail of its log."""


def free_port():
    """A loopback port nobody listens on (bound and released)."""
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


@dataclass
class Server:
    """A process start() started, the port it listens on, and the file it logs to (None: it logs to ours)."""

    process: subprocess.Popen
    port: int
    log: Path | None = None

    @property
    def url(self):
        return f"http://{HOST}:{self.port}"

    def log_tail(self):
        return Path(self.log).read_text(errors="replace")[-4000:] if self.log else ""

    def stop(self, grace=10):
        """SIGTERM to the process group, SIGKILL after `grace` seconds."""
        if self.process.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(grace)
        except subprocess.TimeoutExpired:
            self.kill()

    def kill(self):
        """SIGKILL to the process group: the server crashing, with no chance to clean up."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()


def start(command, port, *, env=None, log=None, ready_path=None, timeout=60, server_class=Server, **fields):
    """Start `command`, which listens on HOST:`port`, and return once it answers (see wait_until_answering)."""
    with open(log, "wb") if log else contextlib.nullcontext() as output:
        process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT if log else None, start_new_session=True
        )
    server = server_class(process, port, log, **fields)
    try:
        wait_until_answering(server, ready_path, timeout)
    except BaseException:
        server.stop()
        raise
    return server


def wait_until_answering(server, path=None, timeout=60):
    """Poll until `server` accepts a connection, or with `path` gives any HTTP answer to a GET for it."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            program, code = server.process.args[0], server.process.returncode
            raise ServerFailed(f"{program} exited with {code}:\n{server.log_tail()}")
        with contextlib.suppress(OSError, HTTPException):
            if path is None:
                socket.create_connection((HOST, server.port), timeout=1).close()
            else:
                connection = HTTPConnection(HOST, server.port, timeout=5)
                try:
                    connection.request("GET", path)
                    connection.getresponse().read()
                finally:
                    connection.close()
            return
        time.sleep(0.05)
    raise ServerFailed(f"nothing answered on port {server.port} within {timeout} s:\n{server.log_tail()}")


@contextlib.contextmanager
def running(server):
    """Stop `server` when the block ends."""
    try:
        yield server
    finally:
        server.stop()


def start_gunicorn(env, port=None, *, workers=2, log=None):
    """Bunko as production serves it (config.wsgi, sync workers), once a worker answers HTTP."""
    port = port or free_port()
    command = [
        sys.executable, "-m", "gunicorn", "config.wsgi:application", "--chdir", str(ROOT),
        "--workers", str(workers), "--worker-class", "sync", "--bind", f"{HOST}:{port}", "--log-level", "warning",
    ]  # fmt: skip
    return start(command, port, env=env, log=log, ready_path="/robots.txt")


def gunicorn(env, port=None, *, workers=2, log=None):
    """start_gunicorn() for a with block."""
    return running(start_gunicorn(env, port, workers=workers, log=log))


@dataclass
class Edge(Server):
    """varnishd, with the working directory varnishstat reads its counters from."""

    workdir: Path | None = None

    def counters(self):
        """varnishstat's counters by name (MAIN.client_req, MAIN.backend_req, VBE.boot.app1.happy, ...)."""
        result = subprocess.run(
            ["varnishstat", "-n", str(self.workdir), "-1", "-j"], capture_output=True, text=True, check=True
        )
        data = json.loads(result.stdout)
        return {
            name: counter.get("value")
            for name, counter in data.get("counters", data).items()
            if isinstance(counter, dict)
        }

    def healthy_backends(self):
        """Backends whose recent probes (deploy.vcl: 2 good of the last 3) have Varnish count them up."""
        return [
            name.removesuffix(".happy")
            for name, bits in self.counters().items()
            if name.startswith("VBE.") and name.endswith(".happy") and (bits & 0b111).bit_count() >= 2
        ]


@contextlib.contextmanager
def varnish(port, backends, *, purge_secret, memory="64m", **site):
    """varnishd with deploy/varnish/bunko.vcl on HOST:`port` in front of `backends`, (host, port) pairs; yields an Edge.

    `site` is what deploy.vcl.write_config takes besides: purgers, tls_terminators, outage_html, probe.
    """
    if not shutil.which("varnishd"):
        raise ServerFailed("varnishd is missing: `make varnish` installs Debian's varnish and varnish-modules.")
    folder = Path(tempfile.mkdtemp(prefix="bunko-edge-"))
    folder.chmod(0o755)  # the cache process runs as Debian's unprivileged varnish user
    try:
        write_config(folder, backends, purge_secret, **site)
        command = [
            "varnishd", "-F", "-n", str(folder / "work"), "-a", f"{HOST}:{port}", "-f", str(VCL),
            "-p", f"vcl_path={folder}:{VCL.parent}", "-s", f"malloc,{memory}", "-T", "none", *VARNISHD_PARAMETERS,
        ]  # fmt: skip
        edge = start(command, port, log=folder / "varnishd.log", server_class=Edge, workdir=folder / "work")
        with running(edge):
            yield edge
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@contextlib.contextmanager
def smtp_server(handler="aiosmtpd.handlers.Sink", *handler_arguments):
    """aiosmtpd on a free port with `handler` (a dotted class name aiosmtpd's -c takes, imported from ROOT)."""
    port = free_port()
    command = [sys.executable, "-m", "aiosmtpd", "-n", "-l", f"{HOST}:{port}", "-c", handler, *handler_arguments]
    with running(start(command, port, timeout=15)) as server:
        yield server

"""Serve rnnviz from several Streamlit processes on one machine, behind HAProxy with cookie stickiness.

    python deploy/serve.py --replicas N --port P [--first-port B] [--pin] [--address 127.0.0.1]

Starts N ``streamlit run app.py`` replicas on 127.0.0.1 ports B, B+1, ... (default: free ports),
each with one torch thread (and, with --pin, on its own core: ``taskset -c``), writes the HAProxy
config from deploy/haproxy.cfg.template to a temporary folder, starts ``haproxy -f CFG -db``, waits
until every replica's /_stcore/health answers ``ok`` and HAProxy answers on P, then prints one line
to stdout::

    ready http://ADDRESS:P replicas=PORT1,PORT2,...

and stays in the foreground. SIGTERM or SIGINT stops everything (exit 0). If any child dies, it
stops the others and exits 1 with one line on stderr naming the child and its log. Bad input
(replicas outside 1..8, a port in use, no haproxy or taskset) is one line on stderr and exit 2.
Replica and HAProxy output goes to log files in the temporary folder, kept when something failed.

In-process (tests, benchmarks)::

    from deploy.serve import start
    with start(replicas=2) as cluster:       # port=None: a free port
        cluster.url, cluster.replica_ports   # 'http://127.0.0.1:PORT', [p1, p2]
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import socket
import string
import subprocess
import sys
import tempfile
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TEMPLATE = os.path.join(ROOT, "deploy", "haproxy.cfg.template")
MAX_REPLICAS = 8
REPLICA_ADDRESS = "127.0.0.1"  # replicas only ever listen on loopback; HAProxy is the public face

# no proxy from the environment for our own health checks on loopback
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


class ServeError(Exception):
    """Something failed while starting or running; str() is one readable line."""


class UsageError(ServeError):
    """Bad input: the command line or the machine does not allow what was asked."""


def find_haproxy() -> str | None:
    if os.environ.get("HAPROXY"):
        return shutil.which(os.environ["HAPROXY"])
    found = shutil.which("haproxy")
    if not found and os.access("/usr/sbin/haproxy", os.X_OK):  # Debian's, not on a user's PATH
        found = "/usr/sbin/haproxy"
    return found


def haproxy_config(replica_ports: list[int], port: int, address: str = "127.0.0.1") -> str:
    """The HAProxy configuration: a frontend on address:port, one sticky server per replica port."""
    servers = "\n".join(f"    server r{i + 1} {REPLICA_ADDRESS}:{p} check cookie r{i + 1}" for i, p in enumerate(replica_ports))
    with open(TEMPLATE, encoding="utf-8") as f:
        return string.Template(f.read()).substitute(address=address, port=port, servers=servers)


def _port_free(port: int, address: str) -> bool:
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as HAProxy and Tornado bind: TIME_WAIT is no obstacle
        try:
            s.bind((address, port))
        except OSError:
            return False
    return True


def _free_ports(n: int, avoid: set[int]) -> list[int]:
    socks, ports = [], []
    try:
        while len(ports) < n:  # hold them all open so they differ; released just before the replicas bind
            s = socket.socket()
            s.bind((REPLICA_ADDRESS, 0))
            socks.append(s)
            if s.getsockname()[1] not in avoid:
                ports.append(s.getsockname()[1])
    finally:
        for s in socks:
            s.close()
    return ports


def _health(url: str) -> bool:
    try:
        with _OPENER.open(url + "/_stcore/health", timeout=2) as r:
            return r.status == 200 and r.read().strip() == b"ok"
    except OSError:
        return False


def _die_with_parent():
    """In the child, before exec: get SIGTERM if serve.py dies without stopping us (Linux)."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except Exception:
        pass


class Cluster:
    """N Streamlit replicas behind one HAProxy. Use as a context manager, or call stop()."""

    def __init__(self, address: str, port: int, replica_ports: list[int], workdir: str):
        self.address, self.port, self.replica_ports, self.workdir = address, port, replica_ports, workdir
        self.config_path = os.path.join(workdir, "haproxy.cfg")
        self.children: list[tuple[str, subprocess.Popen, str]] = []  # (name, process, log path)
        self.url = f"http://{address}:{port}"
        self.failed = False

    @property
    def replica_urls(self) -> list[str]:
        return [f"http://{REPLICA_ADDRESS}:{p}" for p in self.replica_ports]

    def _spawn(self, name: str, cmd: list[str], **kw) -> subprocess.Popen:
        log_path = os.path.join(self.workdir, name + ".log")
        with open(log_path, "wb") as log:
            p = subprocess.Popen(
                cmd,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # a Ctrl-C in the terminal reaches serve.py only; it stops the children in order
                preexec_fn=_die_with_parent,
                **kw,
            )
        self.children.append((name, p, log_path))
        return p

    def dead(self) -> str | None:
        """One line about the first child that has exited, or None while all run."""
        for name, p, log_path in self.children:
            if p.poll() is not None:
                return f"{name} exited with status {p.returncode}; see {log_path}"
        return None

    def stop(self) -> None:
        """Stop HAProxy and the replicas (HAProxy is signalled first); remove the temp folder unless something failed."""
        for _, p, _ in reversed(self.children):
            if p.poll() is None:
                p.terminate()
        end = time.monotonic() + 10
        for _, p, _ in self.children:
            try:
                p.wait(max(0.1, end - time.monotonic()))
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
        self.children.clear()
        if not self.failed:
            shutil.rmtree(self.workdir, ignore_errors=True)

    def __enter__(self) -> Cluster:
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


def start(
    replicas: int = 2,
    port: int | None = None,
    first_port: int | None = None,
    pin: bool = False,
    address: str = "127.0.0.1",
    timeout: float = 180,
) -> Cluster:
    """Start the replicas and HAProxy and wait until all answer; raise UsageError or ServeError.

    port=None picks a free port for HAProxy; first_port=None picks free ports for the replicas."""
    if not 1 <= replicas <= MAX_REPLICAS:
        raise UsageError(f"--replicas must be between 1 and {MAX_REPLICAS}, not {replicas}")
    if port is None:
        port = _free_ports(1, set())[0]
    if not 1 <= port <= 65535:
        raise UsageError(f"--port must be between 1 and 65535, not {port}")
    if not _port_free(port, address):
        raise UsageError(f"port {port} on {address} is in use")
    if first_port is None:
        replica_ports = _free_ports(replicas, {port})
    else:
        replica_ports = list(range(first_port, first_port + replicas))
        if first_port < 1 or replica_ports[-1] > 65535:
            raise UsageError(f"--first-port {first_port} gives ports outside 1..65535")
        if port in replica_ports:
            raise UsageError(f"--port {port} is one of the replica ports {replica_ports[0]}..{replica_ports[-1]}")
        busy = [p for p in replica_ports if not _port_free(p, REPLICA_ADDRESS)]
        if busy:
            raise UsageError(f"replica port {busy[0]} on {REPLICA_ADDRESS} is in use")

    haproxy = find_haproxy()
    if not haproxy:
        raise UsageError("haproxy not found (apt-get install haproxy, or set HAPROXY=/path/to/haproxy)")
    if pin and not shutil.which("taskset"):
        raise UsageError("--pin needs taskset (apt-get install util-linux)")

    cluster = Cluster(address, port, replica_ports, tempfile.mkdtemp(prefix="rnnviz-serve-"))
    try:
        cpus = sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else list(range(os.cpu_count() or 1))
        env = {**os.environ, "OMP_NUM_THREADS": "1"}
        for i, p in enumerate(replica_ports):
            cmd = [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(p)]
            cmd += ["--server.address", REPLICA_ADDRESS, "--server.headless", "true", "--server.fileWatcherType", "none"]
            cmd += ["--browser.gatherUsageStats", "false"]
            if pin:
                cmd = ["taskset", "-c", str(cpus[i % len(cpus)])] + cmd
            cluster._spawn(f"replica-{p}", cmd, cwd=ROOT, env=env)

        with open(cluster.config_path, "w", encoding="utf-8") as f:
            f.write(haproxy_config(replica_ports, port, address))
        check = subprocess.run([haproxy, "-c", "-q", "-f", cluster.config_path], capture_output=True, text=True)
        if check.returncode != 0:
            cluster.failed = True
            raise ServeError(f"haproxy rejected {cluster.config_path}: {(check.stderr or check.stdout).strip()[:300]}")

        # replicas first: HAProxy counts a server as up until its checks fail, so it must not see them starting
        deadline = time.monotonic() + timeout
        waiting = list(cluster.replica_urls)
        while waiting:
            _wait_step(cluster, deadline, "replicas " + ", ".join(waiting))
            waiting = [u for u in waiting if not _health(u)]
        cluster._spawn("haproxy", [haproxy, "-f", cluster.config_path, "-db"], cwd=cluster.workdir)
        local = cluster.url.replace("://0.0.0.0:", "://127.0.0.1:").replace("://[::]:", "://[::1]:")
        while not _health(local):
            _wait_step(cluster, deadline, f"haproxy on {cluster.url}")
        return cluster
    except BaseException:
        if cluster.children and cluster.dead():
            cluster.failed = True
        cluster.stop()
        raise


def _wait_step(cluster: Cluster, deadline: float, what: str) -> None:
    dead = cluster.dead()
    if dead:
        cluster.failed = True
        raise ServeError(dead)
    if time.monotonic() > deadline:
        cluster.failed = True
        raise ServeError(f"timed out waiting for {what}; logs in {cluster.workdir}")
    time.sleep(0.25)


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # one line on stderr, exit 2 (argparse would add the usage)
        self.exit(2, f"serve.py: {message} (see --help)\n")


def main(argv: list[str] | None = None) -> int:
    ap = _Parser(description="Serve rnnviz from N Streamlit replicas behind HAProxy (cookie stickiness).")
    ap.add_argument("--replicas", type=int, required=True, help=f"number of Streamlit processes, 1..{MAX_REPLICAS}")
    ap.add_argument("--port", type=int, required=True, help="public port HAProxy listens on")
    ap.add_argument(
        "--first-port", type=int, default=None, help="replicas listen on 127.0.0.1 ports B, B+1, ... (default: free ports)"
    )
    ap.add_argument("--pin", action="store_true", help="pin replica i to CPU i mod ncpu with taskset")
    ap.add_argument("--address", default="127.0.0.1", help="address HAProxy binds (default 127.0.0.1)")
    ap.add_argument("--timeout", type=float, default=180, help="seconds to wait for everything to answer (default 180)")
    args = ap.parse_args(argv)

    stopping = False

    def on_signal(signum, frame):
        nonlocal stopping
        stopping = True
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    try:
        cluster = start(args.replicas, args.port, args.first_port, args.pin, args.address, args.timeout)
    except UsageError as e:
        print(f"serve.py: {e}", file=sys.stderr)
        return 2
    except ServeError as e:
        print(f"serve.py: {e}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 0 if stopping else 130
    try:
        print(f"ready {cluster.url} replicas={','.join(map(str, cluster.replica_ports))}", flush=True)
        while True:
            dead = cluster.dead()
            if dead:
                cluster.failed = True
                print(f"serve.py: {dead}; stopped the others", file=sys.stderr)
                return 1
            time.sleep(0.5)
    except KeyboardInterrupt:
        return 0
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        cluster.stop()


if __name__ == "__main__":
    sys.exit(main())

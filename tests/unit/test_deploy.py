"""deploy/: the Kubernetes manifests are valid against the Kubernetes schemas and keep sessions sticky;
the HAProxy config deploy/serve.py writes passes `haproxy -c` and is sticky too; bad input is refused."""

import os
import subprocess
import sys

import kubernetes_validate
import pytest
import yaml

from deploy import serve

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
K8S = os.path.join(ROOT, "deploy", "kubernetes")
MANIFESTS = ["deployment.yaml", "service.yaml", "ingress.yaml", "database-secret.yaml"]
K8S_VERSIONS = ["1.30.0", kubernetes_validate.latest_version()]


def load(name):
    with open(os.path.join(K8S, name), encoding="utf-8") as f:
        docs = [d for d in yaml.safe_load_all(f) if d]
    assert len(docs) == 1, f"{name}: one resource per file"
    return docs[0]


@pytest.mark.parametrize("version", K8S_VERSIONS)
@pytest.mark.parametrize("name", MANIFESTS)
def test_manifest_is_valid(name, version):
    kubernetes_validate.validate(load(name), version, strict=True)  # raises ValidationError on any unknown or wrong field


def test_deployment_probes_resources_threads():
    d = load("deployment.yaml")
    assert d["kind"] == "Deployment" and d["spec"]["replicas"] == 3
    (c,) = d["spec"]["template"]["spec"]["containers"]
    for probe in ("readinessProbe", "livenessProbe"):
        assert c[probe]["httpGet"] == {"path": "/_stcore/health", "port": 8501}, probe
    assert c["resources"]["requests"]["cpu"] == "1" and c["resources"]["limits"]["cpu"] == "1"
    assert {"name": "OMP_NUM_THREADS", "value": "1"} in c["env"]
    assert c["ports"][0]["containerPort"] == 8501


def test_every_pod_reads_the_class_boards_database_url_from_the_secret():
    (c,) = load("deployment.yaml")["spec"]["template"]["spec"]["containers"]
    (env,) = [e for e in c["env"] if e["name"] == "RNNVIZ_DATABASE_URL"]
    ref = env["valueFrom"]["secretKeyRef"]
    secret = load("database-secret.yaml")
    assert secret["kind"] == "Secret" and ref["name"] == secret["metadata"]["name"]
    assert secret["stringData"][ref["key"]].startswith("postgresql://")


def test_service_sticks_by_client_ip():
    s = load("service.yaml")
    assert s["spec"]["type"] == "ClusterIP" and s["spec"]["sessionAffinity"] == "ClientIP"
    assert s["spec"]["ports"][0]["targetPort"] == 8501
    assert s["spec"]["selector"] == load("deployment.yaml")["spec"]["selector"]["matchLabels"]


def test_ingress_cookie_affinity_and_websocket_timeouts():
    ing = load("ingress.yaml")
    a = ing["metadata"]["annotations"]
    p = "nginx.ingress.kubernetes.io/"
    assert a[p + "affinity"] == "cookie" and a[p + "affinity-mode"] == "persistent"
    assert a[p + "session-cookie-name"]
    assert a[p + "proxy-read-timeout"] == "3600" and a[p + "proxy-send-timeout"] == "3600"
    assert a[p + "proxy-body-size"] == "1m"
    backend = ing["spec"]["rules"][0]["http"]["paths"][0]["backend"]["service"]
    assert backend["name"] == load("service.yaml")["metadata"]["name"]


def test_dockerfile_cpu_torch_healthcheck_non_root():
    with open(os.path.join(ROOT, "deploy", "Dockerfile"), encoding="utf-8") as f:
        text = f.read()
    assert text.startswith("#") and "FROM python:3.11-slim" in text
    assert "torch==2.13.0 --index-url https://download.pytorch.org/whl/cpu" in text
    assert "/_stcore/health" in text.split("HEALTHCHECK", 1)[1]
    assert "USER 1000" in text and "--server.fileWatcherType" in text


def haproxy_or_skip():
    found = serve.find_haproxy()
    if not found:
        if os.environ.get("RNNVIZ_REQUIRE_BROWSER"):
            pytest.fail("haproxy is required (RNNVIZ_REQUIRE_BROWSER is set): apt-get install haproxy")
        pytest.skip("no haproxy: apt-get install haproxy to check the generated config")
    return found


def test_haproxy_config_is_valid_and_sticky(tmp_path):
    cfg = serve.haproxy_config([18501, 18502], 18500)
    assert "cookie SERVERID insert indirect nocache" in cfg
    assert "server r1 127.0.0.1:18501 check cookie r1" in cfg and "server r2 127.0.0.1:18502 check cookie r2" in cfg
    assert "timeout tunnel 1h" in cfg and "balance roundrobin" in cfg and "option forwardfor" in cfg
    assert "http-check send meth GET uri /_stcore/health" in cfg
    assert "bind 127.0.0.1:18500" in cfg
    path = tmp_path / "haproxy.cfg"
    path.write_text(cfg)
    r = subprocess.run([haproxy_or_skip(), "-c", "-f", str(path)], capture_output=True, text=True, timeout=30)
    assert r.returncode == 0, r.stdout + r.stderr


@pytest.mark.parametrize(
    "args, says",
    [
        (["--replicas", "0", "--port", "18500"], "between 1 and 8"),
        (["--replicas", "9", "--port", "18500"], "between 1 and 8"),
        (["--replicas", "2"], "--port"),
        (["--replicas", "2", "--port", "18501", "--first-port", "18500"], "is one of the replica ports"),
    ],
)
def test_serve_refuses_bad_input(args, says):
    r = subprocess.run([sys.executable, "deploy/serve.py", *args], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert r.returncode == 2 and says in r.stderr and r.stdout == ""
    assert len(r.stderr.strip().splitlines()) == 1, r.stderr


def test_serve_refuses_a_port_in_use_and_missing_haproxy():
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        busy = s.getsockname()[1]
        with pytest.raises(serve.UsageError, match=f"port {busy} on 127.0.0.1 is in use"):
            serve.start(1, busy)
    env = {**os.environ, "HAPROXY": "/nonexistent/haproxy"}
    r = subprocess.run(
        [sys.executable, "deploy/serve.py", "--replicas", "1", "--port", "18500"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert r.returncode == 2 and "haproxy not found" in r.stderr

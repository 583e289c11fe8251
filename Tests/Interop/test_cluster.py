"""Three Strongroom nodes on one PostgreSQL database behind HAProxy (docs/cluster/).

Needs the test PostgreSQL server `scripts/test` starts (STRONGROOM_TEST_POSTGRES_URL and
STRONGROOM_TEST_POSTGRES_DIR) and HAProxy; skipped, loudly, without them. Each node binds the
mount's KMIP port on its own loopback address (node.kmip_bind_host 127.0.0.2, .3, .4).
"""

import glob
import os
import shutil
import signal
import socket
import subprocess
import threading
import time
import uuid

import pytest
import requests
from kmip.core import enums
from kmip.core.factories.attributes import AttributeFactory
from kmip.pie.client import ProxyKmipClient

from strongroom_server import binary_path, free_port

PG_URL = os.environ.get("STRONGROOM_TEST_POSTGRES_URL")
PG_DIR = os.environ.get("STRONGROOM_TEST_POSTGRES_DIR")
HAPROXY = shutil.which("haproxy")
pytestmark = [
    pytest.mark.cluster,
    pytest.mark.skipif(not PG_URL, reason="no PostgreSQL test server (STRONGROOM_TEST_POSTGRES_URL; scripts/test starts one)"),
    pytest.mark.skipif(not HAPROXY, reason="haproxy is not installed (apt-get install haproxy)"),
]

HOSTS = ["127.0.0.2", "127.0.0.3", "127.0.0.4"]


def pg_tool(name):
    found = shutil.which(name) or sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))[-1:]
    return found if isinstance(found, str) else found[0]


def psql(url, sql):
    subprocess.run([pg_tool("psql"), url, "-v", "ON_ERROR_STOP=1", "-qc", sql], check=True, capture_output=True)


class Node:
    def __init__(self, index, workdir, database_url, root_key):
        self.index = index
        self.host = HOSTS[index]
        self.api_port = free_port()
        self.workdir = workdir
        self.config = os.path.join(workdir, f"node{index + 1}.json")
        self.log_path = os.path.join(workdir, f"node{index + 1}.log")
        with open(self.config, "w") as f:
            f.write(f"""{{
              "storage": {{"postgresql": {{"connection_url": "{database_url}", "max_connections": 8}}}},
              "root_key": {{"file": "{root_key}"}},
              "api": {{"address": "127.0.0.1:{self.api_port}"}},
              "node": {{"id": "node{index + 1}", "kmip_bind_host": "{self.host}"}}
            }}""")
        self.process = None

    @property
    def api(self):
        return f"http://127.0.0.1:{self.api_port}"

    def start(self):
        self.log = open(self.log_path, "ab")
        self.process = subprocess.Popen([binary_path(), "server", "-config", self.config], stdin=subprocess.DEVNULL,
                                        stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True)
        return self

    def wait_ready(self, timeout=60):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.process.poll() is None, f"node {self.index + 1} exited:\n{self.output()}"
            try:
                if requests.get(self.api + "/v1/sys/health", timeout=1).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.1)
        raise AssertionError(f"node {self.index + 1} did not start:\n{self.output()}")

    def output(self):
        with open(self.log_path, "rb") as f:
            return f.read().decode(errors="replace")

    def kill(self, sig=signal.SIGKILL):
        if self.process and self.process.poll() is None:
            self.process.send_signal(sig)
            self.process.wait(timeout=20)
        self.log.close()


def wait_for_port(host, port, timeout=20):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection((host, port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise AssertionError(f"nothing listens on {host}:{port} after {timeout} s")


class Credential:
    def __init__(self, workdir, name, data):
        self.ca = os.path.join(workdir, f"{name}-ca.pem")
        self.cert = os.path.join(workdir, f"{name}.pem")
        self.key = os.path.join(workdir, f"{name}-key.pem")
        self.serial = data["serial_number"]
        for path, text in ((self.ca, "\n".join(data["ca_chain"])), (self.cert, data["certificate"]), (self.key, data["private_key"])):
            with open(path, "w") as f:
                f.write(text)


def client(credential, host, port):
    c = ProxyKmipClient(hostname=host, port=port, cert=credential.cert, key=credential.key, ca=credential.ca,
                        ssl_version="PROTOCOL_TLS", config_file=os.devnull, kmip_version=enums.KMIPVersion.KMIP_1_2)
    c.open()
    return c


class Load:
    """`threads` clients creating AES keys through `port` until stopped, reconnecting after any error;
    records every identifier whose Create was answered."""

    def __init__(self, credential, port, threads=16):
        self.credential, self.port = credential, port
        self.answered, self.errors = [], 0
        self.lock, self.stop = threading.Lock(), threading.Event()
        self.threads = [threading.Thread(target=self.run, args=(i,), daemon=True) for i in range(threads)]

    def __enter__(self):
        for t in self.threads:
            t.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        for t in self.threads:
            t.join(timeout=60)

    def count(self):
        with self.lock:
            return len(self.answered)

    def run(self, worker):
        n = 0
        while not self.stop.is_set():
            try:
                c = client(self.credential, "127.0.0.1", self.port)
            except Exception:
                with self.lock:
                    self.errors += 1
                time.sleep(0.2)
                continue
            try:
                while not self.stop.is_set():
                    uid = c.create(enums.CryptographicAlgorithm.AES, 256, name=f"load-{worker}-{n}")
                    n += 1
                    with self.lock:
                        self.answered.append(uid)
            except Exception:
                with self.lock:
                    self.errors += 1
                time.sleep(0.1)
            finally:
                try:
                    c.close()
                except Exception:
                    pass

    def assert_all_found(self, port):
        with self.lock:
            uids = list(self.answered)
        assert len(set(uids)) == len(uids), "duplicate identifiers"
        missing = []
        c = client(self.credential, "127.0.0.1", port)
        try:
            for uid in uids:
                try:
                    c.get(uid)
                except Exception as error:
                    missing.append((uid, repr(error)))
        finally:
            c.close()
        assert not missing, f"{len(missing)} of {len(uids)} acknowledged Creates not found: {missing[:3]}"
        return len(uids)


def wait_until(predicate, timeout, what):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.1)
    raise AssertionError(f"{what} not within {timeout} s")


@pytest.fixture
def cluster(tmp_path):
    database = "c" + uuid.uuid4().hex[:12]
    psql(PG_URL, f"CREATE DATABASE {database}")
    database_url = PG_URL.rsplit("/", 1)[0] + "/" + database
    root_key = tmp_path / "root.key"
    root_key.write_bytes(os.urandom(32))
    root_key.chmod(0o600)
    nodes = [Node(i, str(tmp_path), database_url, str(root_key)) for i in range(3)]
    for node in nodes:   # all three at once on the empty database
        node.start()
    proxy = None
    try:
        for node in nodes:
            node.wait_ready()
        yield nodes, database_url, tmp_path, lambda kmip_port: start_haproxy(tmp_path, nodes, kmip_port)
    finally:
        for node in nodes:
            node.kill()
        subprocess.run(["pkill", "-f", f"haproxy -f {tmp_path}"], check=False)
        psql(PG_URL, f"DROP DATABASE IF EXISTS {database} WITH (FORCE)")


def start_haproxy(workdir, nodes, kmip_port):
    """docs/cluster/haproxy.cfg with this test's addresses: KMIP in TCP mode, the API in HTTP mode."""
    with open(os.path.join(os.path.dirname(__file__), "..", "..", "docs", "cluster", "haproxy.cfg")) as f:
        template = f.read()
    kmip_front, api_front = free_port(), free_port()
    text = template.replace("0.0.0.0:5696", f"127.0.0.1:{kmip_front}").replace("0.0.0.0:8200", f"127.0.0.1:{api_front}")
    for i, n in enumerate(nodes):
        text = text.replace(f"10.0.0.1{i + 1}:5696", f"{n.host}:{kmip_port}").replace(f"10.0.0.1{i + 1}:8200", f"127.0.0.1:{n.api_port}")
    assert "10.0.0." not in text
    config = os.path.join(workdir, "haproxy.cfg")
    with open(config, "w") as f:
        f.write(text)
    log = open(os.path.join(workdir, "haproxy.log"), "ab")
    subprocess.Popen([HAPROXY, "-f", config, "-db"], stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    wait_for_port("127.0.0.1", kmip_front)
    wait_for_port("127.0.0.1", api_front)
    return kmip_front, api_front


def api(node, token, method, path, **data):
    r = requests.request(method, f"{node.api}/v1/{path}", headers={"X-Vault-Token": token}, json=data or None, timeout=30)
    assert r.status_code in (200, 204), f"{method} {path}: {r.status_code} {r.text}"
    return r.json() if r.status_code == 200 and r.text else None


def restart_postgres():
    pg_ctl = [pg_tool("pg_ctl"), "-D", f"{PG_DIR}/data", "-l", f"{PG_DIR}/server.log", "-m", "fast", "-w", "-t", "60", "restart"]
    if os.geteuid() == 0:
        pg_ctl = ["runuser", "-u", "strongroom-pg", "--"] + pg_ctl
    subprocess.run(pg_ctl, check=True, capture_output=True)


def postmaster_pid():
    with open(f"{PG_DIR}/data/postmaster.pid") as f:
        return f.readline().strip()


def test_three_nodes_behind_haproxy(cluster):
    nodes, database_url, workdir, haproxy = cluster

    # One root token for the cluster, printed by exactly one of the nodes that started together.
    printed = [n for n in nodes if "Root token (shown once" in n.output()]
    assert len(printed) == 1, "exactly one node prints the root token"
    lines = printed[0].output().splitlines()
    token = lines[lines.index(next(l for l in lines if "Root token (shown once" in l)) + 1].strip()

    # A mount, scope, role and credential made through node 1 serve KMIP on every node.
    kmip_port = free_port()
    api(nodes[0], token, "POST", "sys/mounts/kmip", type="kmip")
    api(nodes[0], token, "POST", "kmip/config", listen_addrs=f"127.0.0.1:{kmip_port}", server_hostnames="localhost")
    api(nodes[0], token, "POST", "kmip/scope/s1")
    api(nodes[0], token, "POST", "kmip/scope/s1/role/r1", operation_all=True)
    first = Credential(str(workdir), "first", api(nodes[0], token, "POST", "kmip/scope/s1/role/r1/credential/generate", format="pem")["data"])
    for node in nodes:
        wait_for_port(node.host, kmip_port)
    assert psql_count(database_url, "SELECT count(*) FROM ca_material") == "2", "one CA (root and intermediate) for the mount"

    c2, c3, c1 = client(first, HOSTS[1], kmip_port), client(first, HOSTS[2], kmip_port), client(first, HOSTS[0], kmip_port)
    try:
        uid = c2.create(enums.CryptographicAlgorithm.AES, 256, name="shared-key")
        assert c3.get(uid).value == c2.get(uid).value, "node 3 serves the key node 2 created"
        by_name = AttributeFactory().create_attribute(enums.AttributeType.NAME, "shared-key")
        assert c1.locate(attributes=[by_name]) == [uid], "node 1 locates it"

        # Revoked through node 3, refused within 1 s on a connection already open to node 1.
        assert c1.get(uid).value
        api(nodes[2], token, "POST", "kmip/scope/s1/role/r1/credential/revoke", serial_number=first.serial)
        time.sleep(1.0)
        with pytest.raises(Exception):
            c1.get(uid)
    finally:
        for c in (c1, c2, c3):
            try:
                c.close()
            except Exception:
                pass

    # Through HAProxy: the API answers, and sys/ha-status lists the three nodes as active.
    kmip_front, api_front = haproxy(kmip_port)
    status = requests.get(f"http://127.0.0.1:{api_front}/v1/sys/ha-status", headers={"X-Vault-Token": token}, timeout=10).json()
    assert sorted(n["hostname"] for n in status["Nodes"]) == ["node1", "node2", "node3"]
    assert all(n["active_node"] for n in status["Nodes"])

    second = Credential(str(workdir), "second", api(nodes[1], token, "POST", "kmip/scope/s1/role/r1/credential/generate", format="pem")["data"])

    # SIGKILL of node 2 during 16-connection Create load, then its restart: nothing acknowledged is lost.
    with Load(second, kmip_front) as load:
        wait_until(lambda: load.count() >= 100, 30, "100 Creates through HAProxy")
        nodes[1].kill()
        before = load.count()
        wait_until(lambda: load.count() >= before + 100, 30, "Creates going on without node 2")
        nodes[1].start().wait_ready()
        wait_for_port(HOSTS[1], kmip_port)
        after_restart = load.count()
        wait_until(lambda: load.count() >= after_restart + 100, 30, "Creates going on after node 2's restart")
    killed_total = load.assert_all_found(kmip_front)
    assert load.errors >= 1, "the kill broke the connections that went to node 2"
    print(f"SIGKILL of node 2: {killed_total} acknowledged Creates, all found; {load.errors} client errors")

    # PostgreSQL restarted under load: service resumes by itself, nothing acknowledged is lost.
    if PG_DIR:
        with Load(second, kmip_front, threads=8) as load:
            wait_until(lambda: load.count() >= 100, 30, "Creates before the PostgreSQL restart")
            pid_before = postmaster_pid()
            restart_postgres()
            assert postmaster_pid() != pid_before, "PostgreSQL restarted"
            resumed = load.count()
            wait_until(lambda: load.count() >= resumed + 100, 60, "Creates resuming after the PostgreSQL restart")
        restarted_total = load.assert_all_found(kmip_front)
        assert restarted_total >= 200
        print(f"PostgreSQL restart: {restarted_total} acknowledged Creates, all found; {load.errors} client errors")
    assert killed_total >= 300


def psql_count(url, sql):
    return subprocess.run([pg_tool("psql"), url, "-tAc", sql], check=True, capture_output=True, text=True).stdout.strip()


def test_named_ca_and_listener_serve_on_every_node(cluster):
    """Vault 2.0's named CA and listener, made through one node, serve on every node (the definitions
    live in the mount's config record, so the change feed brings them); a listener deleted through
    another node stops everywhere."""
    nodes, _, workdir, _ = cluster
    printed = [n for n in nodes if "Root token (shown once" in n.output()]
    lines = printed[0].output().splitlines()
    token = lines[lines.index(next(l for l in lines if "Root token (shown once" in l)) + 1].strip()
    legacy_port, named_port = free_port(), free_port()
    api(nodes[0], token, "POST", "sys/mounts/kmip", type="kmip")
    api(nodes[0], token, "POST", "kmip/config", listen_addrs=f"127.0.0.1:{legacy_port}")
    api(nodes[0], token, "POST", "kmip/ca/issuing/generate", key_type="ec", key_bits=256)
    api(nodes[0], token, "POST", "kmip/listener/app", ca="issuing", address=f"127.0.0.1:{named_port}", server_hostnames="localhost")
    api(nodes[1], token, "POST", "kmip/scope/s1")
    api(nodes[1], token, "POST", "kmip/scope/s1/role/r1", operation_all=True, ca="issuing")
    credential = Credential(str(workdir), "named", api(nodes[2], token, "POST", "kmip/scope/s1/role/r1/credential/generate", format="pem")["data"])
    for node in nodes:
        wait_for_port(node.host, named_port)
    for host in HOSTS:
        c = client(credential, host, named_port)
        try:
            uid = c.create(enums.CryptographicAlgorithm.AES, 128)
            assert len(c.get(uid).value) == 16
        finally:
            c.close()
    api(nodes[2], token, "DELETE", "kmip/listener/app")

    def closed_everywhere():
        for host in HOSTS:
            try:
                with socket.create_connection((host, named_port), timeout=0.5):
                    return False
            except OSError:
                pass
        return True
    wait_until(closed_everywhere, 10, "the deleted listener closing on every node")

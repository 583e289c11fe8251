"""Starts and stops a real `strongroom server -dev` process for the interop suites."""

import os
import signal
import socket
import subprocess
import time

import requests

REPO_ROOT = os.path.normpath(os.path.join(os.path.dirname(__file__), "..", ".."))


def binary_path():
    """The built executable: $STRONGROOM_BIN, else .build/debug/strongroom."""
    return os.environ.get("STRONGROOM_BIN") or os.path.join(REPO_ROOT, ".build", "debug", "strongroom")


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class StrongroomServer:
    """One `strongroom server -dev` process on a data directory, on free ports."""

    def __init__(self, data_dir, log_path, startup_timeout=60.0):
        self.data_dir = data_dir
        self.log_path = log_path
        self.startup_timeout = startup_timeout
        self.process = None
        self.port = None
        self.api_port = None
        self._log = None

    @property
    def ca(self):
        return os.path.join(self.data_dir, "ca.pem")

    @property
    def cert(self):
        return os.path.join(self.data_dir, "client.pem")

    @property
    def key(self):
        return os.path.join(self.data_dir, "client-key.pem")

    def start(self):
        binary = binary_path()
        if not os.access(binary, os.X_OK):
            raise RuntimeError(f"{binary} is missing: run `swift build --build-tests` first")
        self.port = free_port()
        self.api_port = free_port()
        while self.api_port == self.port:
            self.api_port = free_port()
        self._log = open(self.log_path, "ab")
        self._log.write(f"\n==== start on 127.0.0.1:{self.port} ====\n".encode())
        self._log.flush()
        self.process = subprocess.Popen(
            [binary, "server", "-dev",
             "-dev-data-dir", self.data_dir,
             "-dev-kmip-listen-address", f"127.0.0.1:{self.port}",
             "-dev-listen-address", f"127.0.0.1:{self.api_port}"],
            stdin=subprocess.DEVNULL, stdout=self._log, stderr=subprocess.STDOUT,
            start_new_session=True)
        self._wait_until_ready()
        return self

    def _wait_until_ready(self):
        deadline = time.monotonic() + self.startup_timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"strongroom server exited with status {self.process.returncode} "
                    f"during startup:\n{self.log_tail()}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    pass
            except OSError:
                time.sleep(0.1)
                continue
            if all(os.path.exists(p) for p in (self.ca, self.cert, self.key)):
                return
            time.sleep(0.1)
        self.kill()
        raise RuntimeError(
            f"strongroom server did not accept connections on 127.0.0.1:{self.port} "
            f"within {self.startup_timeout:.0f} s:\n{self.log_tail()}")

    def kill(self, sig=signal.SIGKILL):
        """Sends `sig` (SIGKILL by default) to the server and waits for it to exit."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(sig)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=15)
        if self._log is not None:
            self._log.close()
            self._log = None

    def stop(self):
        """A graceful stop (SIGTERM), falling back to SIGKILL."""
        self.kill(signal.SIGTERM)

    def log_tail(self, lines=40):
        try:
            with open(self.log_path, "rb") as f:
                return b"\n".join(f.read().splitlines()[-lines:]).decode(errors="replace")
        except OSError:
            return "(no log)"


class Mount:
    """A KMIP mount of the session's server, through the Vault-compatible API."""

    def __init__(self, server, path):
        with open(os.path.join(server.data_dir, "root-token")) as f:
            self.headers = {"X-Vault-Token": f.read().strip()}
        self.base = f"http://127.0.0.1:{server.api_port}/v1"
        self.path = path
        self.port = free_port()
        self.call("POST", f"sys/mounts/{path}", type="kmip")
        self.configure()

    def call(self, method, path, **body):
        r = requests.request(method, f"{self.base}/{path}", json=body or None, headers=self.headers, timeout=30)
        assert r.status_code in (200, 204), f"{method} {path}: {r.status_code} {r.text}"
        return r.json()["data"] if r.status_code == 200 else None

    def configure(self, **options):
        self.call("POST", f"{self.path}/config", listen_addrs=f"127.0.0.1:{self.port}", **options)

    def client_files(self, scope, directory):
        """A new scope with a role allowed everything, and its credential as PEM files."""
        self.call("POST", f"{self.path}/scope/{scope}")
        self.call("POST", f"{self.path}/scope/{scope}/role/suite", operation_all=True)
        credential = self.call("POST", f"{self.path}/scope/{scope}/role/suite/credential/generate")
        files = {"ca": self.call("GET", f"{self.path}/ca")["ca_pem"],
                 "cert": credential["certificate"], "key": credential["private_key"]}
        for name, text in files.items():
            with open(os.path.join(directory, f"{name}.pem"), "w") as f:
                f.write(text)
        return {name: os.path.join(directory, f"{name}.pem") for name in files}

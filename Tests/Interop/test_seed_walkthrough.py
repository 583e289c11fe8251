"""The product page's walkthrough (../shared/seed/vault-kmip-secrets-engine.txt), every `vault` command run
verbatim as `strongroom` against a production server (`strongroom server -config FILE`, fresh storage, no
mounts), then the credentials it produced used with PyKMIP to Create and Get a key."""

import json
import os
import re
import signal
import subprocess
import sys
import time

import pytest

sys.path.insert(0, os.path.dirname(__file__))
from conftest import SSL_VERSION  # noqa: E402
from strongroom_server import REPO_ROOT, binary_path, free_port  # noqa: E402

from kmip.core import enums  # noqa: E402
from kmip.pie.client import ProxyKmipClient  # noqa: E402

SEED = os.path.normpath(os.path.join(REPO_ROOT, "..", "shared", "seed", "vault-kmip-secrets-engine.txt"))
KMIP_PORT = 5696  # the walkthrough writes listen_addrs=0.0.0.0:5696


def seed_commands():
    """The `$ vault …` commands of the walkthrough, in order, with `vault` replaced by `strongroom`."""
    if not os.path.exists(SEED):
        pytest.skip(f"!!! {SEED} is missing: the seed walkthrough test cannot run !!!")
    text = open(SEED, encoding="utf-8").read()
    commands = [m.group(1).strip() for m in re.finditer(r"\$ (vault [^\n]*?)(?=Success!|\s+Key Value|\n|$)", text)]
    return [re.sub(r"^vault ", "strongroom ", c) for c in commands]


class ProductionServer:
    """`strongroom server -config FILE` on a fresh storage directory and root key file."""

    def __init__(self, directory):
        self.directory = directory
        self.api_port = free_port()
        self.log_path = os.path.join(directory, "server.log")
        self.process = None
        self.root_token = None

    def start(self):
        storage = os.path.join(self.directory, "storage")
        key = os.path.join(self.directory, "root.key")
        with open(key, "wb") as f:
            f.write(os.urandom(32))
        os.chmod(key, 0o600)
        config = os.path.join(self.directory, "strongroom.json")
        with open(config, "w") as f:
            json.dump({"storage": {"path": storage}, "root_key": {"file": key},
                       "api": {"address": f"127.0.0.1:{self.api_port}"}, "log": {"level": "info", "format": "json"}}, f)
        log = open(self.log_path, "wb")
        self.process = subprocess.Popen([binary_path(), "server", "-config", config], stdin=subprocess.DEVNULL,
                                        stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited ({self.process.returncode}):\n{self.log()}")
            match = re.search(r"Root token \(shown once[^\n]*\n\s+(\S+)", self.log())
            if match:
                self.root_token = match.group(1)
                return self
            time.sleep(0.1)
        raise RuntimeError(f"server did not print its root token:\n{self.log()}")

    def log(self):
        with open(self.log_path, "rb") as f:
            return f.read().decode(errors="replace")

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()


@pytest.fixture(scope="module")
def production(tmp_path_factory):
    server = ProductionServer(str(tmp_path_factory.mktemp("production"))).start()
    yield server
    server.stop()


def run_status(server, command, cwd, token=None, stdin=None):
    """Runs a shell command line with the CLI on PATH and the server's address and token (root by default)."""
    env = dict(os.environ)
    env["PATH"] = os.path.dirname(binary_path()) + os.pathsep + env.get("PATH", "")
    env["STRONGROOM_ADDR"] = f"http://127.0.0.1:{server.api_port}"
    env["STRONGROOM_TOKEN"] = token or server.root_token
    env.pop("VAULT_ADDR", None)
    env.pop("VAULT_TOKEN", None)
    return subprocess.run(["bash", "-c", command], cwd=cwd, env=env, capture_output=True, text=True, timeout=120, input=stdin)


def run(server, command, cwd, token=None, stdin=None):
    result = run_status(server, command, cwd, token, stdin)
    assert result.returncode == 0, f"{command}\nexit {result.returncode}\nstdout:\n{result.stdout}\nstderr:\n{result.stderr}"
    return result.stdout


def table(output):
    """A Vault Key/Value table → {key: first line of its value}."""
    lines = output.splitlines()
    assert re.match(r"^Key\s+Value$", lines[0]), output
    assert re.match(r"^---\s+-----$", lines[1]), output
    rows = {}
    for line in lines[2:]:
        match = re.match(r"^(\w+)\s{2,}(.*)$", line)
        if match:
            rows[match.group(1)] = match.group(2)
    return rows


def create_and_get(ca, cert, key):
    client = ProxyKmipClient(hostname="127.0.0.1", port=KMIP_PORT, cert=cert, key=key, ca=ca,
                             ssl_version=SSL_VERSION, config_file=os.devnull, kmip_version=enums.KMIPVersion.KMIP_1_2)
    client.open()
    try:
        uid = client.create(enums.CryptographicAlgorithm.AES, 256)
        secret = client.get(uid)
        assert len(secret.value) == 32
        return uid
    finally:
        client.close()


def test_seed_walkthrough_verbatim_then_pykmip(production, tmp_path):
    commands = seed_commands()
    assert len(commands) == 6, commands
    work = str(tmp_path)
    # The CSR of the signing step: a P-256 key, as the role's default key type and bits (ec, 256).
    subprocess.run(["openssl", "req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                    "-subj", "/CN=EKM/O=Example", "-keyout", "my-key.pem", "-out", "my-csr.pem"],
                   cwd=work, check=True, capture_output=True)

    expected = [
        "Success! Enabled the kmip secrets engine at: kmip/",
        "Success! Data written to: kmip/config",
        "Success! Data written to: kmip/scope/my-service",
        "Success! Data written to: kmip/scope/my-service/role/admin",
    ]
    outputs = [run(production, command, work) for command in commands]
    for command, output, line in zip(commands, outputs, expected):
        assert output.strip() == line, f"{command}: {output!r}"
    generated = table(outputs[4])
    assert set(generated) == {"ca_chain", "certificate", "private_key", "serial_number"}, outputs[4]
    assert generated["ca_chain"].startswith("[-----BEGIN CERTIFICATE-----")
    assert "-----BEGIN EC PRIVATE KEY-----" in outputs[4]
    assert re.fullmatch(r"\d{20,}", generated["serial_number"])
    signed = table(outputs[5])
    assert set(signed) == {"ca_chain", "certificate", "serial_number"}, outputs[5]

    # The listener restarted on 0.0.0.0:5696 with the new config; use both credentials with PyKMIP.
    ca = os.path.join(work, "ca.pem")
    with open(ca, "w") as f:
        f.write(run(production, "strongroom read -field=ca_pem kmip/ca", work))
    credential = json.loads(run(production, "strongroom write -format=json -f kmip/scope/my-service/role/admin/credential/generate", work))["data"]
    with open(os.path.join(work, "client.pem"), "w") as f:
        f.write(credential["certificate"])
    with open(os.path.join(work, "client-key.pem"), "w") as f:
        f.write(credential["private_key"])
    create_and_get(ca, os.path.join(work, "client.pem"), os.path.join(work, "client-key.pem"))

    signed_json = json.loads(run(production, 'strongroom write -format=json kmip/scope/my-service/role/admin/credential/sign csr="$(cat my-csr.pem)"', work))["data"]
    with open(os.path.join(work, "signed.pem"), "w") as f:
        f.write(signed_json["certificate"])
    create_and_get(ca, os.path.join(work, "signed.pem"), os.path.join(work, "my-key.pem"))

    # Revoking the signed credential refuses it at the next connection.
    run(production, f"strongroom write kmip/scope/my-service/role/admin/credential/revoke serial_number={signed_json['serial_number']}", work)
    with pytest.raises(Exception):
        create_and_get(ca, os.path.join(work, "signed.pem"), os.path.join(work, "my-key.pem"))


KMIP_OPERATOR = """# What the walkthrough needs under kmip/, nothing else
path "kmip/*" {
  capabilities = ["create", "read", "update", "delete", "list"]
}
"""


def test_walkthrough_with_a_kmip_only_token_and_without_one(production, tmp_path):
    """The same commands with a token whose policy grants only kmip/*: all but `secrets enable` work (mounting
    needs sys/mounts); a token holding only `default` gets 403 on every one."""
    commands = seed_commands()
    work = str(tmp_path)
    subprocess.run(["openssl", "req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                    "-subj", "/CN=EKM/O=Example", "-keyout", "my-key.pem", "-out", "my-csr.pem"],
                   cwd=work, check=True, capture_output=True)
    run_status(production, commands[0], work)   # kmip/ may exist already (the verbatim test enabled it)
    assert run(production, "strongroom policy write kmip-operator -", work, stdin=KMIP_OPERATOR).strip() == \
        "Success! Uploaded policy: kmip-operator"
    assert "kmip-operator" in run(production, "strongroom policy list", work).split()
    assert run(production, "strongroom policy read kmip-operator", work).strip() == KMIP_OPERATOR.strip()

    def token(policies):
        out = run(production, f"strongroom write -format=json auth/token/create policies={policies}", work)
        return json.loads(out)["auth"]["client_token"]

    operator = token("kmip-operator")
    denied = run_status(production, commands[0], work, token=operator)
    assert denied.returncode == 2 and "Code: 403" in denied.stderr, denied
    # Another scope than the verbatim test's (a scope is created once).
    commands = [c.replace("my-service", "operator-service") for c in commands]
    outputs = [run(production, command, work, token=operator) for command in commands[1:]]
    assert outputs[0].strip() == "Success! Data written to: kmip/config"
    assert set(table(outputs[3])) == {"ca_chain", "certificate", "private_key", "serial_number"}, outputs[3]
    assert set(table(outputs[4])) == {"ca_chain", "certificate", "serial_number"}, outputs[4]

    outsider = token("default")
    for command in commands:
        result = run_status(production, command, work, token=outsider)
        assert result.returncode == 2, (command, result.stdout, result.stderr)
        assert "Code: 403" in result.stderr and "permission denied" in result.stderr, result.stderr

"""The KMIP clients Debian ships, run by Debian's own Python (/usr/bin/python3, not this venv):

- python3-pykmip 0.10, the older PyKMIP many distributions ship (a different decoder): the same
  PyKMIP flows as test_pykmip.py, test_crypto.py and test_mongodb_flows.py, at KMIP 1.0, 1.2 and 1.4.
  PyKMIP 0.10 cannot decode Original Creation Date (KMIP 1.2) nor Always Sensitive, Extractable and
  Never Extractable (KMIP 1.4), so its get_attributes(uid) without names fails at 1.2 and later
  unless the mount leaves them out of such answers (`omit_from_all_attributes`); both are shown.
- python3-barbican's KMIP secret store (barbican.plugin.kmip_secret_store, on that PyKMIP): generated
  symmetric keys and RSA key pairs, stored symmetric/private/public keys, certificates, passphrases
  and opaque data, read back and deleted, in its default and `pkcs1_only` modes.

`.ci/run` installs python3-pykmip, python3-barbican and python3-pytest; without them these skip loudly.
"""

import os
import shutil
import subprocess
import sys

import pytest

sys.path.insert(0, os.path.dirname(__file__))
from strongroom_server import Mount  # noqa: E402

DEBIAN_PYTHON = "/usr/bin/python3"
HERE = os.path.dirname(os.path.abspath(__file__))
FLOWS = ["test_pykmip.py", "test_crypto.py", "test_mongodb_flows.py"]
# What a mount serving PyKMIP 0.10 leaves out of Get Attributes answers that name no attribute.
PYKMIP_0_10_OMITS = "Random Number Generator,Original Creation Date,Always Sensitive,Extractable,Never Extractable"
UNDECODABLE = ("ORIGINAL_CREATION_DATE", "ALWAYS_SENSITIVE", "EXTRACTABLE", "NEVER_EXTRACTABLE")


def debian_has(module):
    if not os.access(DEBIAN_PYTHON, os.X_OK):
        return False
    return subprocess.run([DEBIAN_PYTHON, "-c", f"import {module}"], capture_output=True).returncode == 0


def require(module, package):
    if not debian_has(module):
        pytest.skip(f"SKIPPED LOUDLY: Debian's {package} is not installed (apt-get install {package})")


@pytest.fixture(scope="module")
def mount(server):
    if not hasattr(server, "api_port"):
        pytest.skip("external server: no API to make a mount with")
    return Mount(server, "kmip-debian")


def client_dir(mount, scope, tmp_path):
    """A credential of a new scope, named as conftest's ExternalServer reads it."""
    files = mount.client_files(scope, str(tmp_path))
    shutil.copy(files["cert"], tmp_path / "client.pem")
    shutil.copy(files["key"], tmp_path / "client-key.pem")
    return tmp_path


def run_flows(mount, scope, tmp_path, omitted):
    directory = client_dir(mount, scope, tmp_path)
    env = dict(os.environ, STRONGROOM_INTEROP_ADDRESS=f"127.0.0.1:{mount.port}",
               STRONGROOM_INTEROP_CERT_DIR=str(directory), PYTHONDONTWRITEBYTECODE="1",
               COLUMNS="500",  # the -rf summary lines keep their whole reason
               STRONGROOM_OMITTED_ATTRIBUTES=omitted)
    env.pop("PYTHONPATH", None)
    return subprocess.run(
        [DEBIAN_PYTHON, "-m", "pytest", "-c", os.path.join(HERE, "pytest.ini"), "--rootdir", HERE,
         "-p", "no:cacheprovider", "-q", "-rf"] + [os.path.join(HERE, f) for f in FLOWS],
        cwd=HERE, env=env, capture_output=True, text=True, timeout=900)


def summary(run):
    lines = [l for l in run.stdout.splitlines() if " passed" in l or " failed" in l]
    return lines[-1] if lines else run.stdout[-2000:] + run.stderr[-2000:]


def test_debian_pykmip_flows(mount, tmp_path):
    require("kmip", "python3-pykmip")
    require("pytest", "python3-pytest")
    version = subprocess.run([DEBIAN_PYTHON, "-c", "import kmip; print(kmip.__version__)"],
                             capture_output=True, text=True).stdout.strip()
    assert version == "0.10.0", f"Debian's python3-pykmip is {version}, not 0.10.0: review this test"
    mount.configure(omit_from_all_attributes=PYKMIP_0_10_OMITS)
    run = run_flows(mount, "debian-pykmip", tmp_path, PYKMIP_0_10_OMITS)
    assert run.returncode == 0, f"{summary(run)}\n{run.stdout[-6000:]}"
    assert " failed" not in summary(run) and " passed" in summary(run), summary(run)


def test_debian_pykmip_needs_newer_attributes_left_out(mount, tmp_path):
    """With the mount's default, only flows that read every attribute at 1.2+ fail, and for that
    reason only."""
    require("kmip", "python3-pykmip")
    require("pytest", "python3-pytest")
    mount.configure(omit_from_all_attributes="Random Number Generator")
    try:
        run = run_flows(mount, "debian-pykmip-default", tmp_path, "Random Number Generator")
    finally:
        mount.configure(omit_from_all_attributes=PYKMIP_0_10_OMITS)
    failed = [l for l in run.stdout.splitlines() if l.startswith("FAILED ")]
    assert failed, f"expected PyKMIP 0.10 to fail on Original Creation Date:\n{run.stdout[-3000:]}"
    assert all("KMIP-1.0" not in l for l in failed), failed
    assert all(any(name in l for name in UNDECODABLE) for l in failed), "\n".join(failed)


@pytest.mark.parametrize("pkcs1_only", [False, True], ids=["default", "pkcs1_only"])
def test_barbican_kmip_secret_store(mount, tmp_path, pkcs1_only):
    require("barbican.plugin.kmip_secret_store", "python3-barbican")
    files = mount.client_files(f"barbican-{'pkcs1' if pkcs1_only else 'default'}", str(tmp_path))
    os.chmod(files["key"], 0o400)  # the plugin refuses a key file with any other mode
    env = dict(os.environ, STRONGROOM_KMIP_HOST="127.0.0.1", STRONGROOM_KMIP_PORT=str(mount.port),
               STRONGROOM_KMIP_CA=files["ca"], STRONGROOM_KMIP_CERT=files["cert"], STRONGROOM_KMIP_KEY=files["key"],
               STRONGROOM_PKCS1_ONLY="true" if pkcs1_only else "false", PYTHONDONTWRITEBYTECODE="1")
    env.pop("PYTHONPATH", None)
    run = subprocess.run([DEBIAN_PYTHON, os.path.join(HERE, "debian", "barbican_kmip_flows.py")],
                         env=env, capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-6000:]
    assert run.stdout.split() == ["ok", "generated_symmetric", "ok", "generated_key_pair", "ok", "stored_secrets"]

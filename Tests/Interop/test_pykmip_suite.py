"""PyKMIP 0.11.0's own integration suite (`kmip/tests/integration` of its PyPI source distribution)
against Strongroom, at KMIP 1.0, 1.1, 1.2 (the suite's default), 1.3 and 1.4.

Each version runs in a scope of its own on a mount of its own (`kmip-pykmip/`), so the suite's
client owns nothing else: its Locate tests count every object they can see. That mount sets the two
`kmip/config` answers PyKMIP's suite asserts (docs/clients.md): `explicit_attribute_index` and
`wrapped_key_value=structure`. A last run on the same mount with both at their defaults shows exactly
which three tests depend on them.

Every difference from 37/37 is listed below with its reason, and the test checks the reason too.
"""

import hashlib
import os
import subprocess
import sys
import tarfile
import xml.etree.ElementTree as ET

import pytest

sys.path.insert(0, os.path.dirname(__file__))
from strongroom_server import REPO_ROOT, Mount  # noqa: E402

SDIST = "pykmip-0.11.0.tar.gz"
SDIST_SHA256 = "eb42e2d9674e470935d98474b8502e675894cc8489362d8419fdd957319f2b3e"
SUITE_SIZE = 37
PROXY = "test_proxykmipclient.py::TestProxyKmipClientIntegration::"

# test id -> a text its failure message must hold. Encrypt, Decrypt, Sign and Signature Verify are
# KMIP 1.2 operations; Encoding Option is a KMIP 1.1 field, which PyKMIP sends in 1.0 messages
# and expects back.
NOT_IN_1_0_OR_1_1 = {
    PROXY + "test_encrypt_decrypt": "Encrypt exists from KMIP 1.2 on",
    PROXY + "test_create_key_pair_sign_signature_verify": "exists from KMIP 1.2 on",
}
EXPECTED_FAILURES = {
    "1.0": {**NOT_IN_1_0_OR_1_1, PROXY + "test_register_wrapped_get_destroy": "NO_ENCODING"},
    "1.1": NOT_IN_1_0_OR_1_1,
    "1.2": {},
    "1.3": {},
    "1.4": {},
}
# With the mount's defaults (the OASIS test cases' shapes), at 1.2.
DEFAULT_SHAPE_FAILURES = {
    "test_integration.py::TestIntegration::test_modify_delete_attribute": "attribute_index",
    PROXY + "test_modify_delete_attribute": "attribute_index",
    PROXY + "test_create_get_wrapped_destroy": "expected 1, received 8",
}

COUNTS = {}  # run label -> (passed, failed); printed at the end of the session (conftest)


@pytest.fixture(scope="module")
def suite_dir():
    """The suite, from PyPI's source distribution (the wheel has no tests), checked by hash."""
    cache = os.path.join(REPO_ROOT, ".venv", "cache")
    os.makedirs(cache, exist_ok=True)
    archive = os.path.join(cache, SDIST)
    if not os.path.exists(archive):
        subprocess.run([sys.executable, "-m", "pip", "download", "--quiet", "--disable-pip-version-check",
                        "--no-deps", "--no-binary", ":all:", "pykmip==0.11.0", "-d", cache], check=True)
    with open(archive, "rb") as f:
        digest = hashlib.sha256(f.read()).hexdigest()
    assert digest == SDIST_SHA256, f"{archive} is not PyPI's pykmip 0.11.0 sdist"
    source = os.path.join(cache, "pykmip-0.11.0")
    if not os.path.isdir(os.path.join(source, "kmip", "tests", "integration")):
        with tarfile.open(archive) as t:
            t.extractall(cache, filter="data")
    return source


@pytest.fixture(scope="module")
def mount(server):
    if not hasattr(server, "api_port"):
        pytest.skip("external server: no API to make a mount with")
    m = Mount(server, "kmip-pykmip")
    m.configure(explicit_attribute_index=True, wrapped_key_value="structure")
    return m


def run_suite(suite_dir, mount, scope, version, tmp_path):
    """Runs the suite at `version` as a new client of `scope`; returns {test id: failure text or None}."""
    files = mount.client_files(scope, str(tmp_path))
    home = tmp_path / "home"
    (home / ".pykmip").mkdir(parents=True)
    # PyKMIP reads ~/.pykmip/pykmip.conf; the suite's --config names the section.
    (home / ".pykmip" / "pykmip.conf").write_text(
        "[client]\nhost=127.0.0.1\nport=%d\ncertfile=%s\nkeyfile=%s\nca_certs=%s\n"
        "ssl_version=PROTOCOL_TLS\ndo_handshake_on_connect=True\nsuppress_ragged_eofs=True\n"
        % (mount.port, files["cert"], files["key"], files["ca"]))
    report = tmp_path / "report.xml"
    env = dict(os.environ, HOME=str(home), STRONGROOM_KMIP_VERSION=version, PYTHONDONTWRITEBYTECODE="1",
               PYTHONPATH=os.path.join(os.path.dirname(__file__), "pykmip_suite"))
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "kmip/tests/integration", "--config", "client", "-m", "not ignore",
         "-p", "no:cacheprovider", "-p", "strongroom_kmip_version", "-q", f"--junitxml={report}",
         "--rootdir", suite_dir],
        cwd=suite_dir, env=env, capture_output=True, text=True, timeout=600)
    assert report.exists(), f"the suite did not run:\n{run.stdout[-3000:]}\n{run.stderr[-3000:]}"
    results = {}
    for case in ET.parse(report).getroot().iter("testcase"):
        if case.find("skipped") is not None:
            continue
        test_id = "%s.py::%s::%s" % (case.get("classname").split(".")[-2], case.get("classname").split(".")[-1],
                                     case.get("name"))
        problem = case.find("failure")
        if problem is None:
            problem = case.find("error")
        results[test_id] = None if problem is None else (problem.get("message", "") + (problem.text or ""))
    return results


def check(results, expected, label):
    failed = {t: text for t, text in results.items() if text is not None}
    COUNTS[label] = (len(results) - len(failed), len(failed))
    assert len(results) == SUITE_SIZE, f"{len(results)} tests ran, not {SUITE_SIZE}"
    assert set(failed) == set(expected), (
        "unexpected failures:\n" + "\n".join(f"{t}: {failed[t][-600:]}" for t in set(failed) - set(expected))
        + "\nexpected to fail but passed: " + ", ".join(sorted(set(expected) - set(failed))))
    for test_id, reason in expected.items():
        assert reason in failed[test_id], f"{test_id} failed for another reason:\n{failed[test_id][-1500:]}"


@pytest.mark.parametrize("version", list(EXPECTED_FAILURES), ids=[f"KMIP-{v}" for v in EXPECTED_FAILURES])
def test_pykmip_integration_suite(suite_dir, mount, version, tmp_path):
    results = run_suite(suite_dir, mount, f"suite-{version.replace('.', '-')}", version, tmp_path)
    check(results, EXPECTED_FAILURES[version], f"KMIP {version}")


def test_pykmip_integration_suite_with_the_default_shapes(suite_dir, mount, tmp_path):
    mount.configure(explicit_attribute_index=False, wrapped_key_value="byte_string")
    try:
        results = run_suite(suite_dir, mount, "suite-defaults", "1.2", tmp_path)
    finally:
        mount.configure(explicit_attribute_index=True, wrapped_key_value="structure")
    check(results, DEFAULT_SHAPE_FAILURES, "KMIP 1.2, default kmip/config")

"""Vault 2.0's "bring your own CA" with PyKMIP: a CA made with openssl is imported with
scope_field=OU and role_field=CN; a client certificate it signed (made with openssl, never seen by
Strongroom) creates and gets keys on a named listener that trusts that CA, and is refused by a
listener that does not, when its mapped scope does not exist, and after its role is deleted."""

import os
import shutil
import subprocess
import sys

import pytest
import requests

sys.path.insert(0, os.path.dirname(__file__))
from conftest import SSL_VERSION  # noqa: E402
from strongroom_server import Mount, free_port  # noqa: E402

from kmip.core import enums  # noqa: E402
from kmip.pie.client import ProxyKmipClient  # noqa: E402

pytestmark = pytest.mark.skipif(shutil.which("openssl") is None, reason="openssl is not installed")


def openssl(directory, *args):
    subprocess.run(["openssl", *args], cwd=directory, check=True, capture_output=True)


def make_ca(directory):
    openssl(directory, "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", "ca.key")
    openssl(directory, "req", "-x509", "-new", "-key", "ca.key", "-subj", "/CN=Operator CA", "-days", "30",
            "-out", "ca.pem", "-addext", "basicConstraints=critical,CA:TRUE",
            "-addext", "keyUsage=critical,keyCertSign,cRLSign")
    with open(os.path.join(directory, "ca.pem")) as f:
        return f.read()


def issue(directory, name, subject):
    with open(os.path.join(directory, f"{name}.ext"), "w") as f:
        f.write("extendedKeyUsage=clientAuth\nkeyUsage=critical,digitalSignature\n")
    openssl(directory, "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", f"{name}.key")
    openssl(directory, "req", "-new", "-key", f"{name}.key", "-subj", subject, "-out", f"{name}.csr")
    openssl(directory, "x509", "-req", "-in", f"{name}.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
            "-set_serial", str(int.from_bytes(os.urandom(8), "big")), "-days", "7",
            "-extfile", f"{name}.ext", "-out", f"{name}.pem")
    return os.path.join(directory, f"{name}.pem"), os.path.join(directory, f"{name}.key")


def client(port, ca_file, cert_and_key):
    cert, key = cert_and_key
    return ProxyKmipClient(hostname="127.0.0.1", port=port, cert=cert, key=key, ca=ca_file,
                           ssl_version=SSL_VERSION, config_file=os.devnull, kmip_version=enums.KMIPVersion.KMIP_1_2)


def create_and_get(port, ca_file, cert_and_key):
    with client(port, ca_file, cert_and_key) as c:
        uid = c.create(enums.CryptographicAlgorithm.AES, 256)
        key = c.get(uid)
        assert len(key.value) == 32
        return uid


def refused(port, ca_file, cert_and_key):
    """The handshake, or the first request, fails."""
    try:
        with client(port, ca_file, cert_and_key) as c:
            c.create(enums.CryptographicAlgorithm.AES, 128)
    except Exception:
        return True
    return False


@pytest.fixture
def mount(server):
    if not hasattr(server, "api_port"):
        pytest.skip("external server: no API")
    return Mount(server, "kmip-byoca")


def test_imported_ca_client_on_named_listeners(mount, tmp_path):
    d = str(tmp_path)
    ca_pem = make_ca(d)
    trusted_port, other_port = free_port(), free_port()
    while other_port == trusted_port:
        other_port = free_port()
    m = mount.path
    mount.call("POST", f"{m}/ca/srv/generate", key_type="ec", key_bits=256)
    imported = mount.call("POST", f"{m}/ca/operator/import", ca_pem=ca_pem, scope_field="OU", role_field="CN")
    assert imported["imported"] is True and imported["scope_field"] == "OU" and imported["role_field"] == "CN"
    mount.call("POST", f"{m}/listener/trusting", ca="srv", address=f"127.0.0.1:{trusted_port}",
               additional_client_cas=["operator"])
    mount.call("POST", f"{m}/listener/other", ca="srv", address=f"127.0.0.1:{other_port}", tls_min_version="tls13")
    server_ca = os.path.join(d, "srv-ca.pem")
    with open(server_ca, "w") as f:
        f.write(mount.call("GET", f"{m}/ca/srv")["ca_pem"])

    mount.call("POST", f"{m}/scope/finance")
    mount.call("POST", f"{m}/scope/finance/role/dba", operation_create=True, operation_get=True)
    good = issue(d, "good", "/O=Example/OU=finance/CN=dba")
    lost = issue(d, "lost", "/OU=nosuch/CN=dba")

    uid = create_and_get(trusted_port, server_ca, good)
    # The role's flags apply: no Destroy.
    with client(trusted_port, server_ca, good) as c:
        with pytest.raises(Exception):
            c.destroy(uid)
    assert refused(other_port, server_ca, good), "a listener that does not trust the CA served its client"
    assert refused(trusted_port, server_ca, lost), "a certificate mapping to a missing scope was served"
    r = requests.request("DELETE", f"{mount.base}/{m}/ca/operator", headers=mount.headers, timeout=30)
    assert r.status_code == 400 and "trusting" in r.text, r.text

    mount.call("DELETE", f"{m}/scope/finance/role/dba")
    assert refused(trusted_port, server_ca, good), "the certificate was served after its role was deleted"

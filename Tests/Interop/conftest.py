"""Fixtures: one `strongroom server -dev` per session (temp data dir, free port) and PyKMIP clients."""

import contextlib
import os
import sys

import pytest
from kmip.core import enums
from kmip.pie.client import ProxyKmipClient

sys.path.insert(0, os.path.dirname(__file__))
from strongroom_server import StrongroomServer  # noqa: E402

VERSIONS = {
    "1.0": enums.KMIPVersion.KMIP_1_0,
    "1.2": enums.KMIPVersion.KMIP_1_2,
    "1.4": enums.KMIPVersion.KMIP_1_4,
}

# PyKMIP builds `ssl.SSLContext(getattr(ssl, ssl_version))` and wraps the socket without a server
# name, so PROTOCOL_TLS_CLIENT (check_hostname on) cannot be used. PROTOCOL_TLS negotiates the
# highest common version (the server accepts TLS 1.2 and 1.3 only); PyKMIP sets CERT_REQUIRED
# with the dev CA as trust root and presents the dev client certificate.
SSL_VERSION = "PROTOCOL_TLS"


def make_client(server, version):
    return ProxyKmipClient(
        hostname=getattr(server, "host", "127.0.0.1"), port=server.port,
        cert=server.cert, key=server.key, ca=server.ca,
        ssl_version=SSL_VERSION,
        config_file=os.devnull,
        kmip_version=version)


@contextlib.contextmanager
def open_client(server, version):
    client = make_client(server, version)
    client.open()
    try:
        yield client
    finally:
        client.close()


class ExternalServer:
    """A KMIP server already running: STRONGROOM_INTEROP_ADDRESS=HOST:PORT, with ca.pem, client.pem and
    client-key.pem in STRONGROOM_INTEROP_CERT_DIR (to compare with another server, e.g. PyKMIP's)."""

    def __init__(self, address, cert_dir):
        self.host, port = address.rsplit(":", 1)
        self.port = int(port)
        self.ca = os.path.join(cert_dir, "ca.pem")
        self.cert = os.path.join(cert_dir, "client.pem")
        self.key = os.path.join(cert_dir, "client-key.pem")


EXTERNAL = os.environ.get("STRONGROOM_INTEROP_ADDRESS")


@pytest.fixture(scope="session")
def server(tmp_path_factory):
    if EXTERNAL:
        yield ExternalServer(EXTERNAL, os.environ.get("STRONGROOM_INTEROP_CERT_DIR", "."))
        return
    data_dir = tmp_path_factory.mktemp("strongroom-data")
    log = tmp_path_factory.getbasetemp() / "strongroom-server.log"
    srv = StrongroomServer(str(data_dir), str(log)).start()
    yield srv
    srv.stop()


@pytest.fixture(params=list(VERSIONS), ids=[f"KMIP-{v}" for v in VERSIONS])
def version(request):
    return VERSIONS[request.param]


@pytest.fixture
def client(server, version):
    with open_client(server, version) as c:
        yield c


def pytest_terminal_summary(terminalreporter):
    """The count per KMIP version of PyKMIP's own integration suite (test_pykmip_suite.py)."""
    suite = sys.modules.get("test_pykmip_suite")
    for label, (passed, failed) in getattr(suite, "COUNTS", {}).items():
        terminalreporter.write_line(f"PyKMIP 0.11.0 integration suite, {label}: {passed} passed, {failed} failed")

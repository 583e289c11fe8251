"""The Prometheus Python client's own text parser reads sys/metrics after real KMIP and API traffic:
the exposition is valid, the families have their types, and every label value is from a bounded set
(no identifier, serial or path)."""

import os
import sys
import urllib.request

import pytest
from prometheus_client.parser import text_string_to_metric_families

sys.path.insert(0, os.path.dirname(__file__))
from conftest import make_client  # noqa: E402

from kmip.core import enums  # noqa: E402


def fetch(server, token):
    request = urllib.request.Request(
        f"http://127.0.0.1:{server.api_port}/v1/sys/metrics?format=prometheus", headers={"X-Vault-Token": token})
    with urllib.request.urlopen(request) as reply:
        assert reply.headers["Content-Type"].startswith("text/plain; version=0.0.4")
        return reply.read().decode("utf-8")


def test_sys_metrics_parses_with_the_prometheus_client(server):
    if not hasattr(server, "api_port"):
        pytest.skip("external server: no API")
    with open(os.path.join(server.data_dir, "root-token")) as f:
        token = f.read().strip()
    client = make_client(server, enums.KMIPVersion.KMIP_1_2)
    client.open()
    try:
        uid = client.create(enums.CryptographicAlgorithm.AES, 256)
        client.get(uid)
        with pytest.raises(Exception):
            client.get("no-such-object")
    finally:
        client.close()

    families = {f.name: f for f in text_string_to_metric_families(fetch(server, token))}
    # The parser names counters without their _total suffix.
    assert families["kmip_requests"].type == "counter"
    assert families["kmip_request_duration_seconds"].type == "histogram"
    assert families["kmip_connections_active"].type == "gauge"
    assert families["kmip_tls_handshakes"].type == "counter"
    assert families["api_requests"].type == "counter"

    def value(family, suffix, **labels):
        return sum(s.value for s in families[family].samples
                   if s.name == family + suffix and all(s.labels.get(k) == v for k, v in labels.items()))

    assert value("kmip_requests", "_total", operation="Create", result="success") >= 1
    assert value("kmip_requests", "_total", operation="Get", result="success") >= 1
    assert value("kmip_requests", "_total", operation="Get", result="ItemNotFound") >= 1
    assert value("kmip_request_duration_seconds", "_count", operation="Get") >= 2
    assert value("kmip_tls_handshakes", "_total", result="success") >= 1

    allowed = {"operation", "result", "method", "status", "le", "device"}
    for family in families.values():
        for sample in family.samples:
            assert set(sample.labels) <= allowed, sample
            for label_value in sample.labels.values():
                assert uid not in label_value and "no-such-object" not in label_value, sample

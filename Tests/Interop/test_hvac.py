"""hvac (HashiCorp's Python client for Vault) against Strongroom's Vault-compatible API, unchanged: mounts,
kmip/ config, scopes, roles (LIST as the HTTP verb), credentials — then the credential used with PyKMIP."""

import os
import sys

import hvac
import pytest

sys.path.insert(0, os.path.dirname(__file__))
from conftest import SSL_VERSION  # noqa: E402
from strongroom_server import free_port  # noqa: E402

from kmip.core import enums  # noqa: E402
from kmip.pie.client import ProxyKmipClient  # noqa: E402


@pytest.fixture(scope="module")
def vault(server):
    if not hasattr(server, "api_port"):
        pytest.skip("external server: no API")
    with open(os.path.join(server.data_dir, "root-token")) as f:
        token = f.read().strip()
    return hvac.Client(url=f"http://127.0.0.1:{server.api_port}", token=token)


def test_hvac_token_and_errors(vault, server):
    assert vault.is_authenticated()
    anonymous = hvac.Client(url=vault.url, token="not-a-token")
    assert not anonymous.is_authenticated()
    with pytest.raises(hvac.exceptions.Forbidden):
        anonymous.read("kmip/config")


def test_hvac_kmip_walkthrough_and_pykmip(vault, tmp_path):
    vault.sys.enable_secrets_engine("kmip", path="kmip-hvac")
    assert "kmip-hvac/" in vault.sys.list_mounted_secrets_engines()["data"]
    with pytest.raises(hvac.exceptions.InvalidRequest):
        vault.sys.enable_secrets_engine("kmip", path="kmip-hvac")

    port = free_port()
    vault.write("kmip-hvac/config", listen_addrs=f"127.0.0.1:{port}", server_hostnames="localhost")
    config = vault.read("kmip-hvac/config")["data"]
    assert config["listen_addrs"] == [f"127.0.0.1:{port}"]
    assert config["default_tls_client_ttl"] == 336 * 3600
    assert "127.0.0.1" in config["server_ips"]
    ca = vault.read("kmip-hvac/ca")["data"]["ca_pem"]
    assert ca.count("BEGIN CERTIFICATE") == 2

    vault.write("kmip-hvac/scope/payments", force=True)
    assert vault.list("kmip-hvac/scope")["data"]["keys"] == ["payments"]   # the LIST verb
    vault.write("kmip-hvac/scope/payments/role/app", operation_create=True, operation_get=True)
    role = vault.read("kmip-hvac/scope/payments/role/app")["data"]
    assert role["operation_create"] is True and role["operation_get"] is True
    assert vault.list("kmip-hvac/scope/payments/role")["data"]["keys"] == ["app"]

    credential = vault.write("kmip-hvac/scope/payments/role/app/credential/generate")["data"]
    assert credential["private_key"].startswith("-----BEGIN EC PRIVATE KEY-----")
    serial = credential["serial_number"]
    assert serial in vault.list("kmip-hvac/scope/payments/role/app/credential")["data"]["keys"]
    looked_up = vault.read(f"kmip-hvac/scope/payments/role/app/credential/lookup?serial_number={serial}")
    assert looked_up["data"]["certificate"] == credential["certificate"]

    files = {}
    for name, text in [("ca", ca), ("cert", credential["certificate"]), ("key", credential["private_key"])]:
        files[name] = str(tmp_path / f"{name}.pem")
        with open(files[name], "w") as f:
            f.write(text)
    client = ProxyKmipClient(hostname="127.0.0.1", port=port, cert=files["cert"], key=files["key"], ca=files["ca"],
                             ssl_version=SSL_VERSION, config_file=os.devnull, kmip_version=enums.KMIPVersion.KMIP_1_2)
    client.open()
    try:
        uid = client.create(enums.CryptographicAlgorithm.AES, 128)
        assert len(client.get(uid).value) == 16
        with pytest.raises(Exception):
            client.destroy(uid)   # the role has Create and Get only
    finally:
        client.close()

    vault.write("kmip-hvac/scope/payments/role/app/credential/revoke", serial_number=serial)
    assert serial not in (vault.list("kmip-hvac/scope/payments/role/app/credential") or {"data": {"keys": []}})["data"]["keys"]
    # The scope holds an object: deleting it needs force.
    with pytest.raises(hvac.exceptions.InvalidRequest):
        vault.delete("kmip-hvac/scope/payments")
    vault.adapter.delete("/v1/kmip-hvac/scope/payments", params={"force": "true"})
    assert vault.list("kmip-hvac/scope") is None or vault.list("kmip-hvac/scope")["data"]["keys"] == []
    vault.sys.disable_secrets_engine("kmip-hvac")
    assert "kmip-hvac/" not in vault.sys.list_mounted_secrets_engines()["data"]


def test_hvac_policies_and_a_token_limited_by_one(vault):
    policy = """
# KMIP scopes only
path "kmip/scope" {
  capabilities = ["list"]
}
path "kmip/scope/*" {
  capabilities = ["create", "read", "update", "list"]
}
"""
    vault.sys.create_or_update_acl_policy(name="KMIP-Ops", policy=policy)
    assert "kmip-ops" in vault.sys.list_acl_policies()["data"]["keys"]
    assert vault.sys.read_acl_policy("kmip-ops")["data"]["policy"] == policy
    assert "kmip-ops" in vault.sys.list_policies()["data"]["policies"]   # the older sys/policy
    with pytest.raises(hvac.exceptions.InvalidRequest):
        vault.sys.create_or_update_acl_policy(name="bad", policy='path "a" { capabilities = ["fly"] }')

    created = vault.auth.token.create(policies=["kmip-ops"], ttl="1h")["auth"]
    assert created["policies"] == ["default", "kmip-ops"]
    limited = hvac.Client(url=vault.url, token=created["client_token"])
    assert limited.is_authenticated()   # lookup-self, granted by default
    limited.write("kmip/scope/hvac-limited", force=True)
    assert "hvac-limited" in limited.list("kmip/scope")["data"]["keys"]
    for denied in (lambda: limited.sys.list_mounted_secrets_engines(),
                   lambda: limited.read("kmip/config"),
                   lambda: limited.sys.enable_secrets_engine("kmip", path="evil"),
                   lambda: limited.sys.create_or_update_acl_policy(name="kmip-ops", policy='path "*" { capabilities = ["sudo"] }'),
                   lambda: limited.delete("kmip/scope/hvac-limited")):
        with pytest.raises(hvac.exceptions.Forbidden):
            denied()
    vault.sys.delete_acl_policy("kmip-ops")
    with pytest.raises(hvac.exceptions.Forbidden):
        limited.list("kmip/scope")   # a deleted policy grants nothing, at once
    vault.delete("kmip/scope/hvac-limited")

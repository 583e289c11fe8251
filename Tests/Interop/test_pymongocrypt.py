"""libmongocrypt's own KMIP client (through pymongocrypt, the binding PyMongo uses for client-side field
level encryption) against Strongroom: the "kmip" KMS provider, in its default mode and in its
delegated mode, driven exactly as PyMongo's ClientEncryption drives it but with the key vault kept
in memory instead of in MongoDB.

- Default mode: libmongocrypt Registers a 96-byte Secret Data as the master key, Activates it and
  Gets it (KMIP 1.0 messages), then encrypts the data key with it locally; decrypting a value Gets the
  master key again.
- Delegated mode (`"delegated": true`): libmongocrypt Creates an AES-256 key (KMIP 1.2), Activates
  it (1.0) and asks the server to Encrypt the data key with it (1.2); decrypting a value asks the
  server to Decrypt (1.2).

Every TTLV request libmongocrypt writes is recorded, and the test checks its operations and protocol
versions, so a change of libmongocrypt's flow is seen rather than silently followed. The TLS side
verifies the server certificate against the mount's CA and the endpoint's host, as PyMongo does.
"""

import os
import socket
import ssl
import struct
import sys
import uuid

import bson
import pytest
from bson.binary import Binary, UuidRepresentation
from pymongocrypt.options import MongoCryptOptions
from pymongocrypt.synchronous.explicit_encrypter import ExplicitEncrypter
from pymongocrypt.synchronous.state_machine import MongoCryptCallback

sys.path.insert(0, os.path.dirname(__file__))
from strongroom_server import Mount  # noqa: E402

DETERMINISTIC = "AEAD_AES_256_CBC_HMAC_SHA_512-Deterministic"
RANDOM = "AEAD_AES_256_CBC_HMAC_SHA_512-Random"
OPERATIONS = {0x01: "Create", 0x03: "Register", 0x0A: "Get", 0x12: "Activate", 0x1F: "Encrypt", 0x20: "Decrypt"}


def kmip_request_summary(message):
    """(protocol version, operation names) of a TTLV Request Message."""
    assert message[:4] == b"\x42\x00\x78\x01", "not a KMIP Request Message"
    major, minor = struct.unpack(">i", message[32:36])[0], struct.unpack(">i", message[48:52])[0]
    operations, i = [], 0
    while (i := message.find(b"\x42\x00\x5c\x05\x00\x00\x00\x04", i)) >= 0:
        code = struct.unpack(">I", message[i + 8:i + 12])[0]
        operations.append(OPERATIONS.get(code, hex(code)))
        i += 16
    return f"{major}.{minor}", operations


class MemoryKeyVault(MongoCryptCallback):
    """PyMongo's _EncryptionIO with the key vault collection in a dict and KMIP over mutual TLS."""

    def __init__(self, ca, cert, key):
        self.ssl = ssl.create_default_context(cafile=ca)
        self.ssl.load_cert_chain(cert, key)
        self.keys = {}
        self.requests = []

    def kms_request(self, kms_context):
        assert kms_context.kms_provider == "kmip"
        host, port = kms_context.endpoint.rsplit(":", 1)
        message = bytes(kms_context.message)
        self.requests.append(kmip_request_summary(message))
        with socket.create_connection((host, int(port)), timeout=30) as raw:
            with self.ssl.wrap_socket(raw, server_hostname=host) as conn:
                conn.sendall(message)
                while kms_context.bytes_needed > 0:
                    data = conn.recv(kms_context.bytes_needed)
                    assert data, "the KMIP server closed the connection mid-response"
                    kms_context.feed(data)

    def collection_info(self, database, filter):
        raise AssertionError("explicit encryption needs no collection info")

    def mark_command(self, database, cmd):
        raise AssertionError("explicit encryption needs no mongocryptd")

    def fetch_keys(self, filter):
        return [bson.encode(doc) for doc in self.keys.values()]

    def insert_data_key(self, data_key):
        doc = bson.decode(data_key)
        self.keys[doc["_id"]] = doc
        return doc["_id"]

    def bson_encode(self, doc):
        return bson.encode(doc)

    def close(self):
        pass


@pytest.fixture(scope="module")
def mount(server):
    if not hasattr(server, "api_port"):
        pytest.skip("external server: no API to make a mount with")
    return Mount(server, "kmip-mongocrypt")


@pytest.fixture
def vault(mount, tmp_path):
    scope = f"mongocrypt-{uuid.uuid4().hex[:8]}"
    files = mount.client_files(scope, str(tmp_path))
    return MemoryKeyVault(files["ca"], files["cert"], files["key"])


def round_trip(vault, endpoint, master_key):
    encrypter = ExplicitEncrypter(vault, MongoCryptOptions({"kmip": {"endpoint": endpoint}}))
    try:
        key_id = encrypter.create_data_key("kmip", master_key=master_key)
        stored = vault.keys[key_id]
        assert stored["masterKey"]["provider"] == "kmip"
        assert stored["masterKey"].get("keyId"), "libmongocrypt records the KMIP object it used"
        created = list(vault.requests)
        vault.requests.clear()

        key_bytes = Binary(key_id.bytes, 4) if isinstance(key_id, uuid.UUID) else key_id
        value = bson.encode({"v": "4111-1111-1111-1111"})
        deterministic = encrypter.encrypt(value, DETERMINISTIC, key_id=bytes(key_bytes))
        assert encrypter.encrypt(value, DETERMINISTIC, key_id=bytes(key_bytes)) == deterministic
        random = encrypter.encrypt(value, RANDOM, key_id=bytes(key_bytes))
        assert random != deterministic
        for ciphertext in (deterministic, random):
            assert bson.decode(encrypter.decrypt(ciphertext))["v"] == "4111-1111-1111-1111"
        return stored["masterKey"], created, list(vault.requests)
    finally:
        encrypter.close()


def test_default_mode_registers_gets_and_unwraps_locally(mount, vault):
    endpoint = f"127.0.0.1:{mount.port}"
    master, created, used = round_trip(vault, endpoint, {"endpoint": endpoint})
    assert "delegated" not in master or master["delegated"] is False
    assert created == [("1.0", ["Register"]), ("1.0", ["Activate"]), ("1.0", ["Get"])], created
    # Decrypting the data key (cached once unwrapped) needs the master key again: one Get.
    assert used and all(r == ("1.0", ["Get"]) for r in used), used


def test_default_mode_with_an_existing_secret(mount, vault):
    endpoint = f"127.0.0.1:{mount.port}"
    first, _, _ = round_trip(vault, endpoint, {"endpoint": endpoint})
    vault.keys.clear()
    vault.requests.clear()
    master, created, _ = round_trip(vault, endpoint, {"endpoint": endpoint, "keyId": first["keyId"]})
    assert master["keyId"] == first["keyId"]
    assert created == [("1.0", ["Get"])], created


def test_delegated_mode_encrypts_and_decrypts_on_the_server(mount, vault):
    endpoint = f"127.0.0.1:{mount.port}"
    master, created, used = round_trip(vault, endpoint, {"endpoint": endpoint, "delegated": True})
    assert master["delegated"] is True
    # Create and Encrypt speak 1.2 (Encrypt is a 1.2 operation); Activate keeps 1.0.
    assert created == [("1.2", ["Create"]), ("1.0", ["Activate"]), ("1.2", ["Encrypt"])], created
    assert used and all(r == ("1.2", ["Decrypt"]) for r in used), used


def test_a_credential_of_another_scope_cannot_unwrap(mount, vault, tmp_path):
    """The data key's master key lives in one scope: another scope's credential is refused."""
    endpoint = f"127.0.0.1:{mount.port}"
    round_trip(vault, endpoint, {"endpoint": endpoint})
    other_dir = tmp_path / "other"
    other_dir.mkdir()
    files = mount.client_files(f"mongocrypt-other-{uuid.uuid4().hex[:8]}", str(other_dir))
    stranger = MemoryKeyVault(files["ca"], files["cert"], files["key"])
    stranger.keys = dict(vault.keys)
    encrypter = ExplicitEncrypter(stranger, MongoCryptOptions({"kmip": {"endpoint": endpoint}}))
    try:
        (key_id,) = stranger.keys
        with pytest.raises(Exception) as refused:
            encrypter.encrypt(bson.encode({"v": "x"}), RANDOM, key_id=bytes(Binary(key_id.bytes, 4))
                              if isinstance(key_id, uuid.UUID) else bytes(key_id))
        assert "Item Not Found" in str(refused.value) or "not found" in str(refused.value).lower(), refused.value
    finally:
        encrypter.close()

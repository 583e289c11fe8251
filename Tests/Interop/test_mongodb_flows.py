"""The MongoDB KMIP flows of SPEC §7, at the protocol versions those clients use, through PyKMIP.

- mongod (KMIP 1.2): Create AES-256 → Activate → Get (the master key, 32 bytes).
- mongod with kmipUseLegacyProtocol=false / libmongocrypt "KMIP encrypt" (KMIP 1.2): Encrypt with
  only the key id and the data (no Cryptographic Parameters, no IV) → the server answers
  AES-CBC-PKCS5 with a random IV it returns → Decrypt with the key id, data and that IV only.
- libmongocrypt (KMIP 1.0): Register a 96-byte Secret Data (Secret Data Type Seed, Key Format Type
  Opaque, Cryptographic Usage Mask 0) → Activate → Get gives back the same bytes.
- KMIP 1.2 Encrypt with AES-CBC-PKCS5 and Random IV → Decrypt with the returned IV.

PyKMIP's ProxyKmipClient already produces these requests: `encrypt(data, uid)` omits Cryptographic
Parameters and IV; SecretData is registered as Key Format Type Opaque (PyKMIP's ObjectFactory) and
with an empty usage-mask list, i.e. a Cryptographic Usage Mask attribute of 0.
"""

import os
import uuid

import pytest
from cryptography.hazmat.primitives import padding as sym_padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from kmip.core import enums as E
from kmip.pie import objects

from conftest import open_client


def unique_name(what):
    return f"interop-mongodb-{what}-{uuid.uuid4()}"


@pytest.fixture
def client12(server):
    with open_client(server, E.KMIPVersion.KMIP_1_2) as c:
        yield c


@pytest.fixture
def client10(server):
    with open_client(server, E.KMIPVersion.KMIP_1_0) as c:
        yield c


def attributes(client, uid, names):
    got_uid, attrs = client.get_attributes(uid, names)
    assert got_uid == uid
    result = {}
    for a in attrs:
        result.setdefault(a.attribute_name.value, []).append(getattr(a.attribute_value, "value", None))
    return result


def cbc_decrypt(key, iv, ciphertext):
    d = Cipher(algorithms.AES(key), modes.CBC(iv)).decryptor()
    padded = d.update(ciphertext) + d.finalize()
    u = sym_padding.PKCS7(128).unpadder()
    return u.update(padded) + u.finalize()


def create_activate_get(client):
    uid = client.create(E.CryptographicAlgorithm.AES, 256, name=unique_name("master"),
                        cryptographic_usage_mask=[E.CryptographicUsageMask.ENCRYPT,
                                                  E.CryptographicUsageMask.DECRYPT])
    client.activate(uid)
    key = client.get(uid)
    return uid, key


def test_kmip12_create_activate_get(client12):
    uid, key = create_activate_get(client12)
    assert isinstance(key, objects.SymmetricKey)
    assert key.cryptographic_algorithm == E.CryptographicAlgorithm.AES
    assert key.cryptographic_length == 256
    assert key.key_format_type == E.KeyFormatType.RAW
    assert len(key.value) == 32 and key.value != bytes(32)
    assert attributes(client12, uid, ["State"])["State"] == [E.State.ACTIVE]


def test_kmip12_encrypt_with_only_key_id_and_data(client12):
    uid, key = create_activate_get(client12)
    plaintext = os.urandom(96)  # a data key, as mongod wraps it
    ciphertext, iv = client12.encrypt(plaintext, uid)  # no Cryptographic Parameters, no IV
    assert iv is not None and len(iv) == 16, "the server must return the random IV it chose"
    assert len(ciphertext) == 112
    assert cbc_decrypt(key.value, iv, ciphertext) == plaintext  # AES-256-CBC, PKCS5
    assert client12.decrypt(ciphertext, uid, iv_counter_nonce=iv) == plaintext
    again, iv2 = client12.encrypt(plaintext, uid)
    assert iv2 != iv and again != ciphertext  # a fresh IV every time


def test_kmip10_register_secret_data_seed_opaque_mask0(client10):
    material = os.urandom(96)
    secret = objects.SecretData(material, E.SecretDataType.SEED, masks=[], name=unique_name("seed"))
    assert secret.cryptographic_usage_masks == []  # sent as Cryptographic Usage Mask 0
    uid = client10.register(secret)
    client10.activate(uid)
    got = client10.get(uid)
    assert isinstance(got, objects.SecretData)
    assert got.value == material
    assert got.data_type == E.SecretDataType.SEED
    # The stored object keeps the Opaque key format (Get through KMIPProxy shows the key block).
    raw = client10.proxy.get(uid)
    assert raw.result_status.value == E.ResultStatus.SUCCESS
    assert raw.secret.key_block.key_format_type.value == E.KeyFormatType.OPAQUE
    attrs = attributes(client10, uid, ["State", "Cryptographic Usage Mask", "Object Type"])
    assert attrs["State"] == [E.State.ACTIVE]
    assert attrs["Object Type"] == [E.ObjectType.SECRET_DATA]
    assert attrs["Cryptographic Usage Mask"] == [0]


def test_kmip12_cbc_pkcs5_random_iv(client12):
    uid, key = create_activate_get(client12)
    params = {"cryptographic_algorithm": E.CryptographicAlgorithm.AES,
              "block_cipher_mode": E.BlockCipherMode.CBC,
              "padding_method": E.PaddingMethod.PKCS5,
              "random_iv": True}
    plaintext = os.urandom(45)
    ciphertext, iv = client12.encrypt(plaintext, uid, params)
    assert iv is not None and len(iv) == 16
    assert len(ciphertext) == 48
    assert cbc_decrypt(key.value, iv, ciphertext) == plaintext
    decrypt_params = {k: v for k, v in params.items() if k != "random_iv"}
    assert client12.decrypt(ciphertext, uid, decrypt_params, iv) == plaintext

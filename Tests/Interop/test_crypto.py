"""Cryptographic services through PyKMIP 0.11 against a real `strongroom server -dev`.

Encrypt/Decrypt, Sign/Signature Verify and MAC are KMIP 1.2 operations, so these tests run at
KMIP 1.2 and 1.4 (the `crypto_client` fixture); key-pair and Get-format tests also run at 1.0.
Every result is checked independently with Python's `cryptography` / `hmac`: ciphertexts are
decrypted locally with the key fetched by Get, signatures verified with the public key fetched in
X.509 or PKCS#1 format, keys parsed and their public numbers compared.

Where ProxyKmipClient lacks a knob the tests go one level down:
- Get with a Key Format Type: ProxyKmipClient.get has no key_format_type argument, so
  `client.proxy.get(uid, key_format_type=...)` (KMIPProxy) and PyKMIP's ObjectFactory.
- AES-GCM: ProxyKmipClient.encrypt/decrypt cannot carry Authenticated Encryption Additional Data
  or Tag and drop the response tag, so GCM uses Encrypt/Decrypt request payloads sent with
  `client.proxy.send_request_payload`. PyKMIP only encodes the AAD/Tag fields at KMIP 1.4
  (they were added in 1.4), so GCM is tested at 1.4 only.
"""

import base64
import hashlib
import hmac
import os
import uuid

import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, padding as sym_padding, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from kmip.core import enums, exceptions as core_exceptions, misc
from kmip.core.messages import payloads
from kmip.pie import exceptions, objects

from conftest import VERSIONS, open_client

E = enums
ENCRYPT_DECRYPT = [E.CryptographicUsageMask.ENCRYPT, E.CryptographicUsageMask.DECRYPT]


def unique_name(what):
    return f"interop-crypto-{what}-{uuid.uuid4()}"


@pytest.fixture(params=["1.2", "1.4"], ids=["KMIP-1.2", "KMIP-1.4"])
def crypto_client(server, request):
    with open_client(server, VERSIONS[request.param]) as c:
        yield c


@pytest.fixture
def client14(server):
    with open_client(server, E.KMIPVersion.KMIP_1_4) as c:
        yield c


def active_aes(client, masks=None):
    """An Active AES-256 key and its raw bytes (fetched with Get)."""
    uid = client.create(E.CryptographicAlgorithm.AES, 256, name=unique_name("aes"),
                        cryptographic_usage_mask=masks or ENCRYPT_DECRYPT)
    client.activate(uid)
    key = client.get(uid).value
    assert len(key) == 32
    return uid, key


def local_cbc_decrypt(key, iv, ciphertext):
    d = Cipher(algorithms.AES(key), modes.CBC(iv)).decryptor()
    padded = d.update(ciphertext) + d.finalize()
    u = sym_padding.PKCS7(128).unpadder()
    return u.update(padded) + u.finalize()


def get_in_format(client, uid, key_format_type):
    """Get with a Key Format Type (KMIPProxy; ProxyKmipClient.get has no such argument)."""
    result = client.proxy.get(uid, key_format_type=misc.KeyFormatType(key_format_type))
    assert result.result_status.value == E.ResultStatus.SUCCESS, (
        f"Get {uid} as {key_format_type.name}: {result.result_reason.value} "
        f"{result.result_message.value if result.result_message else ''}")
    obj = client.object_factory.convert(result.secret)
    assert obj.key_format_type == key_format_type
    return obj


# --- Encrypt / Decrypt -------------------------------------------------------------------------

def test_aes_cbc_pkcs5_with_iv(crypto_client):
    uid, key = active_aes(crypto_client)
    iv, plaintext = os.urandom(16), b"strongroom interop: AES-CBC with PKCS5 padding" * 3
    params = {"cryptographic_algorithm": E.CryptographicAlgorithm.AES,
              "block_cipher_mode": E.BlockCipherMode.CBC,
              "padding_method": E.PaddingMethod.PKCS5}
    ciphertext, returned_iv = crypto_client.encrypt(plaintext, uid, params, iv)
    assert returned_iv is None  # the caller's IV is not echoed back
    assert len(ciphertext) == (len(plaintext) // 16 + 1) * 16
    assert local_cbc_decrypt(key, iv, ciphertext) == plaintext
    assert crypto_client.decrypt(ciphertext, uid, params, iv) == plaintext
    # A different IV gives a different ciphertext.
    other, _ = crypto_client.encrypt(plaintext, uid, params, os.urandom(16))
    assert other != ciphertext


def test_aes_ecb_no_padding(crypto_client):
    uid, key = active_aes(crypto_client)
    plaintext = os.urandom(64)
    params = {"cryptographic_algorithm": E.CryptographicAlgorithm.AES,
              "block_cipher_mode": E.BlockCipherMode.ECB,
              "padding_method": E.PaddingMethod.NONE}
    ciphertext, iv = crypto_client.encrypt(plaintext, uid, params)
    assert iv is None
    e = Cipher(algorithms.AES(key), modes.ECB()).encryptor()
    assert ciphertext == e.update(plaintext) + e.finalize()
    assert crypto_client.decrypt(ciphertext, uid, params) == plaintext


def test_aes_ecb_pkcs5(crypto_client):
    uid, key = active_aes(crypto_client)
    plaintext = b"ECB with PKCS5 padding, 37 bytes.!!!"
    params = {"cryptographic_algorithm": E.CryptographicAlgorithm.AES,
              "block_cipher_mode": E.BlockCipherMode.ECB,
              "padding_method": E.PaddingMethod.PKCS5}
    ciphertext, _ = crypto_client.encrypt(plaintext, uid, params)
    p = sym_padding.PKCS7(128).padder()
    e = Cipher(algorithms.AES(key), modes.ECB()).encryptor()
    assert ciphertext == e.update(p.update(plaintext) + p.finalize()) + e.finalize()
    assert crypto_client.decrypt(ciphertext, uid, params) == plaintext


def test_aes_ctr(crypto_client):
    uid, key = active_aes(crypto_client)
    counter, plaintext = os.urandom(16), os.urandom(77)  # not a multiple of the block size
    params = {"cryptographic_algorithm": E.CryptographicAlgorithm.AES,
              "block_cipher_mode": E.BlockCipherMode.CTR,
              "padding_method": E.PaddingMethod.NONE}
    ciphertext, _ = crypto_client.encrypt(plaintext, uid, params, counter)
    assert len(ciphertext) == len(plaintext)
    e = Cipher(algorithms.AES(key), modes.CTR(counter)).encryptor()
    assert ciphertext == e.update(plaintext) + e.finalize()
    assert crypto_client.decrypt(ciphertext, uid, params, counter) == plaintext


def test_aes_cbc_random_iv(crypto_client):
    uid, key = active_aes(crypto_client)
    plaintext = os.urandom(100)
    params = {"cryptographic_algorithm": E.CryptographicAlgorithm.AES,
              "block_cipher_mode": E.BlockCipherMode.CBC,
              "padding_method": E.PaddingMethod.PKCS5,
              "random_iv": True}
    ciphertext, iv = crypto_client.encrypt(plaintext, uid, params)
    assert iv is not None and len(iv) == 16
    assert local_cbc_decrypt(key, iv, ciphertext) == plaintext
    second, second_iv = crypto_client.encrypt(plaintext, uid, params)
    assert second_iv != iv and second != ciphertext
    dec_params = {k: v for k, v in params.items() if k != "random_iv"}
    assert crypto_client.decrypt(ciphertext, uid, dec_params, iv) == plaintext


def test_encrypt_without_parameters_defaults_to_cbc_pkcs5_random_iv(crypto_client):
    # MongoDB sends only the key id and the data; the server answers AES-CBC-PKCS5 with a random IV.
    uid, key = active_aes(crypto_client)
    plaintext = os.urandom(96)
    ciphertext, iv = crypto_client.encrypt(plaintext, uid)
    assert iv is not None and len(iv) == 16, "no IV returned for a parameterless Encrypt"
    assert len(ciphertext) == 112  # 96 bytes + one full PKCS5 padding block
    assert local_cbc_decrypt(key, iv, ciphertext) == plaintext
    assert crypto_client.decrypt(ciphertext, uid, iv_counter_nonce=iv) == plaintext


def _gcm_encrypt(client, uid, plaintext, iv, aad, tag_length=16):
    params = client._build_cryptographic_parameters({
        "cryptographic_algorithm": E.CryptographicAlgorithm.AES,
        "block_cipher_mode": E.BlockCipherMode.GCM,
        "tag_length": tag_length})
    return client.proxy.send_request_payload(E.Operation.ENCRYPT, payloads.EncryptRequestPayload(
        unique_identifier=uid, cryptographic_parameters=params, data=plaintext,
        iv_counter_nonce=iv, auth_additional_data=aad))


def _gcm_decrypt(client, uid, ciphertext, iv, aad, tag, tag_length=16):
    params = client._build_cryptographic_parameters({
        "cryptographic_algorithm": E.CryptographicAlgorithm.AES,
        "block_cipher_mode": E.BlockCipherMode.GCM,
        "tag_length": tag_length})
    return client.proxy.send_request_payload(E.Operation.DECRYPT, payloads.DecryptRequestPayload(
        unique_identifier=uid, cryptographic_parameters=params, data=ciphertext,
        iv_counter_nonce=iv, auth_additional_data=aad, auth_tag=tag))


def test_aes_gcm_with_aad_and_tag(client14):
    # KMIP 1.4 only: PyKMIP encodes Authenticated Encryption Additional Data / Tag from 1.4 on.
    uid, key = active_aes(client14)
    iv, aad, plaintext = os.urandom(12), b"header: not secret", os.urandom(50)
    response = _gcm_encrypt(client14, uid, plaintext, iv, aad)
    assert response.unique_identifier == uid
    assert response.auth_tag is not None and len(response.auth_tag) == 16, "no 16-byte tag returned"
    assert AESGCM(key).decrypt(iv, response.data + response.auth_tag, aad) == plaintext
    decrypted = _gcm_decrypt(client14, uid, response.data, iv, aad, response.auth_tag)
    assert decrypted.data == plaintext
    # A wrong tag (or AAD) is refused.
    bad_tag = bytes([response.auth_tag[0] ^ 1]) + response.auth_tag[1:]
    with pytest.raises(core_exceptions.OperationFailure) as failure:
        _gcm_decrypt(client14, uid, response.data, iv, aad, bad_tag)
    assert failure.value.reason == E.ResultReason.CRYPTOGRAPHIC_FAILURE
    with pytest.raises(core_exceptions.OperationFailure) as failure:
        _gcm_decrypt(client14, uid, response.data, iv, b"other header", response.auth_tag)
    assert failure.value.reason == E.ResultReason.CRYPTOGRAPHIC_FAILURE


def test_aes_gcm_short_tag(client14):
    uid, key = active_aes(client14)
    iv, aad, plaintext = os.urandom(12), os.urandom(20), os.urandom(33)
    response = _gcm_encrypt(client14, uid, plaintext, iv, aad, tag_length=12)
    assert response.auth_tag is not None and len(response.auth_tag) == 12
    # A truncated GCM tag is the prefix of the full one.
    full = AESGCM(key).encrypt(iv, plaintext, aad)
    assert response.data == full[:-16] and response.auth_tag == full[-16:-4]
    assert _gcm_decrypt(client14, uid, response.data, iv, aad, response.auth_tag,
                        tag_length=12).data == plaintext


def test_aes_gcm_through_proxy_client(crypto_client):
    # ProxyKmipClient.encrypt with GCM (no AAD): it returns only data and IV and drops the tag,
    # so all that can be checked through it is that the ciphertext is AES-GCM's.
    uid, key = active_aes(crypto_client)
    iv, plaintext = os.urandom(12), os.urandom(40)
    params = {"cryptographic_algorithm": E.CryptographicAlgorithm.AES,
              "block_cipher_mode": E.BlockCipherMode.GCM, "tag_length": 16}
    ciphertext, _ = crypto_client.encrypt(plaintext, uid, params, iv)
    assert ciphertext == AESGCM(key).encrypt(iv, plaintext, None)[:-16]


def test_encrypt_needs_active_key(crypto_client):
    uid = crypto_client.create(E.CryptographicAlgorithm.AES, 256, name=unique_name("preactive"),
                               cryptographic_usage_mask=ENCRYPT_DECRYPT)
    with pytest.raises(exceptions.KmipOperationFailure):
        crypto_client.encrypt(b"data", uid)


# --- RSA key pairs, Register and Get formats ---------------------------------------------------

SIGN_MASKS = dict(public_usage_mask=[E.CryptographicUsageMask.VERIFY, E.CryptographicUsageMask.ENCRYPT],
                  private_usage_mask=[E.CryptographicUsageMask.SIGN, E.CryptographicUsageMask.DECRYPT])


def rsa_pair(client):
    public_uid, private_uid = client.create_key_pair(
        E.CryptographicAlgorithm.RSA, 2048,
        public_name=unique_name("rsa-pub"), private_name=unique_name("rsa-priv"), **SIGN_MASKS)
    return public_uid, private_uid


def parse_public(obj):
    if obj.key_format_type == E.KeyFormatType.PKCS_1:
        return _load_pkcs1_public(obj.value)
    return serialization.load_der_public_key(obj.value)


def _load_pkcs1_public(der):
    # cryptography has no DER loader for a bare PKCS#1 RSAPublicKey; PEM "RSA PUBLIC KEY" is one.
    pem = b"-----BEGIN RSA PUBLIC KEY-----\n" + base64.encodebytes(der) + b"-----END RSA PUBLIC KEY-----\n"
    return serialization.load_pem_public_key(pem)


def parse_private(obj):
    if obj.key_format_type == E.KeyFormatType.PKCS_1:
        pem = (b"-----BEGIN RSA PRIVATE KEY-----\n" + base64.encodebytes(obj.value)
               + b"-----END RSA PRIVATE KEY-----\n")
        return serialization.load_pem_private_key(pem, password=None)
    return serialization.load_der_private_key(obj.value, password=None)


def test_create_key_pair_rsa_2048_formats(client):
    public_uid, private_uid = rsa_pair(client)
    assert public_uid != private_uid
    default_public = client.get(public_uid)
    assert isinstance(default_public, objects.PublicKey)
    assert default_public.cryptographic_algorithm == E.CryptographicAlgorithm.RSA
    assert default_public.cryptographic_length == 2048
    default_private = client.get(private_uid)
    assert isinstance(default_private, objects.PrivateKey)

    publics = {f: parse_public(get_in_format(client, public_uid, f))
               for f in (E.KeyFormatType.PKCS_1, E.KeyFormatType.X_509)}
    privates = {f: parse_private(get_in_format(client, private_uid, f))
                for f in (E.KeyFormatType.PKCS_1, E.KeyFormatType.PKCS_8)}
    numbers = {k.public_numbers() for k in publics.values()}
    numbers |= {k.public_key().public_numbers() for k in privates.values()}
    assert len(numbers) == 1, "the formats disagree on the public key"
    (n,) = numbers
    assert n.n.bit_length() == 2048 and n.e == 65537
    for key in privates.values():
        assert key.key_size == 2048
        assert key.private_numbers() == privates[E.KeyFormatType.PKCS_8].private_numbers()
    # The default Get format parses too and is the same key.
    assert parse_public(default_public).public_numbers() == n
    assert parse_private(default_private).public_key().public_numbers() == n


def test_get_unsupported_format_is_refused(client):
    public_uid, _ = rsa_pair(client)
    result = client.proxy.get(public_uid, key_format_type=misc.KeyFormatType(E.KeyFormatType.PKCS_12))
    assert result.result_status.value == E.ResultStatus.OPERATION_FAILED
    assert result.result_reason.value == E.ResultReason.KEY_FORMAT_TYPE_NOT_SUPPORTED


@pytest.mark.parametrize("public_format", [E.KeyFormatType.PKCS_1, E.KeyFormatType.X_509])
def test_register_rsa_keys_from_cryptography(client, public_format):
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private_der = private.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                                        serialization.NoEncryption())
    public_der = private.public_key().public_bytes(
        serialization.Encoding.DER,
        serialization.PublicFormat.PKCS1 if public_format == E.KeyFormatType.PKCS_1
        else serialization.PublicFormat.SubjectPublicKeyInfo)
    private_uid = client.register(objects.PrivateKey(
        E.CryptographicAlgorithm.RSA, 2048, private_der, E.KeyFormatType.PKCS_8,
        masks=[E.CryptographicUsageMask.SIGN, E.CryptographicUsageMask.DECRYPT],
        name=unique_name("reg-priv")))
    public_uid = client.register(objects.PublicKey(
        E.CryptographicAlgorithm.RSA, 2048, public_der, public_format,
        masks=[E.CryptographicUsageMask.VERIFY, E.CryptographicUsageMask.ENCRYPT],
        name=unique_name("reg-pub")))
    # Plain Get gives back the registered bytes in the registered format.
    got_private = client.get(private_uid)
    assert got_private.key_format_type == E.KeyFormatType.PKCS_8 and got_private.value == private_der
    got_public = client.get(public_uid)
    assert got_public.key_format_type == public_format and got_public.value == public_der
    # Every conversion is the same key.
    expected = private.public_key().public_numbers()
    for f in (E.KeyFormatType.PKCS_1, E.KeyFormatType.X_509):
        assert parse_public(get_in_format(client, public_uid, f)).public_numbers() == expected
    for f in (E.KeyFormatType.PKCS_1, E.KeyFormatType.PKCS_8):
        assert parse_private(get_in_format(client, private_uid, f)).private_numbers() == \
            private.private_numbers()


def test_registered_rsa_key_signs_and_decrypts(crypto_client):
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private_der = private.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                                        serialization.NoEncryption())
    uid = crypto_client.register(objects.PrivateKey(
        E.CryptographicAlgorithm.RSA, 2048, private_der, E.KeyFormatType.PKCS_8,
        masks=[E.CryptographicUsageMask.SIGN, E.CryptographicUsageMask.DECRYPT],
        name=unique_name("reg-priv")))
    crypto_client.activate(uid)
    message = b"signed by a key cryptography generated"
    signature = crypto_client.sign(message, uid, {
        "cryptographic_algorithm": E.CryptographicAlgorithm.RSA,
        "padding_method": E.PaddingMethod.PKCS1v15,
        "hashing_algorithm": E.HashingAlgorithm.SHA_256})
    private.public_key().verify(signature, message, padding.PKCS1v15(), hashes.SHA256())
    # OAEP ciphertext made locally decrypts on the server.
    ciphertext = private.public_key().encrypt(
        b"oaep secret", padding.OAEP(padding.MGF1(hashes.SHA256()), hashes.SHA256(), None))
    assert crypto_client.decrypt(ciphertext, uid, {
        "cryptographic_algorithm": E.CryptographicAlgorithm.RSA,
        "padding_method": E.PaddingMethod.OAEP,
        "hashing_algorithm": E.HashingAlgorithm.SHA_256}) == b"oaep secret"


# --- Sign / Signature Verify -------------------------------------------------------------------

RSA_SIGN_PARAMS = {
    "pss": ({"cryptographic_algorithm": E.CryptographicAlgorithm.RSA,
             "padding_method": E.PaddingMethod.PSS,
             "hashing_algorithm": E.HashingAlgorithm.SHA_256},
            padding.PSS(padding.MGF1(hashes.SHA256()), padding.PSS.AUTO)),
    "pkcs1v15": ({"cryptographic_algorithm": E.CryptographicAlgorithm.RSA,
                  "padding_method": E.PaddingMethod.PKCS1v15,
                  "hashing_algorithm": E.HashingAlgorithm.SHA_256},
                 padding.PKCS1v15()),
    "pkcs1v15-dsa": ({"digital_signature_algorithm":
                      E.DigitalSignatureAlgorithm.SHA256_WITH_RSA_ENCRYPTION},
                     padding.PKCS1v15()),
}


@pytest.mark.parametrize("scheme", list(RSA_SIGN_PARAMS))
def test_rsa_sign_and_verify(crypto_client, scheme):
    params, local_padding = RSA_SIGN_PARAMS[scheme]
    public_uid, private_uid = rsa_pair(crypto_client)
    crypto_client.activate(private_uid)
    crypto_client.activate(public_uid)
    message = os.urandom(300)
    signature = crypto_client.sign(message, private_uid, params)
    assert len(signature) == 256
    for f in (E.KeyFormatType.X_509, E.KeyFormatType.PKCS_1):
        public = parse_public(get_in_format(crypto_client, public_uid, f))
        public.verify(signature, message, local_padding, hashes.SHA256())
        with pytest.raises(InvalidSignature):
            public.verify(signature, message + b"x", local_padding, hashes.SHA256())
    if scheme == "pkcs1v15":  # deterministic: the same message gives the same signature
        assert crypto_client.sign(message, private_uid, params) == signature
    assert crypto_client.signature_verify(message, signature, public_uid, params) == \
        E.ValidityIndicator.VALID
    assert crypto_client.signature_verify(message + b"x", signature, public_uid, params) == \
        E.ValidityIndicator.INVALID


def test_rsa_pss_signature_salt_is_digest_length(crypto_client):
    # The salt the server uses is the digest length (KMIP's convention); checked strictly here.
    params, _ = RSA_SIGN_PARAMS["pss"]
    public_uid, private_uid = rsa_pair(crypto_client)
    crypto_client.activate(private_uid)
    message = b"pss salt length"
    signature = crypto_client.sign(message, private_uid, params)
    public = parse_public(get_in_format(crypto_client, public_uid, E.KeyFormatType.X_509))
    public.verify(signature, message, padding.PSS(padding.MGF1(hashes.SHA256()), 32), hashes.SHA256())


def test_ecdsa_p256_sign_and_verify(crypto_client):
    try:
        public_uid, private_uid = crypto_client.create_key_pair(
            E.CryptographicAlgorithm.EC, 256,
            public_name=unique_name("ec-pub"), private_name=unique_name("ec-priv"),
            public_usage_mask=[E.CryptographicUsageMask.VERIFY],
            private_usage_mask=[E.CryptographicUsageMask.SIGN])
    except exceptions.KmipOperationFailure as failure:
        pytest.fail(f"Create Key Pair EC/256 (no Recommended Curve: PyKMIP 0.11 cannot send one "
                    f"through ProxyKmipClient) failed: {failure}")
    crypto_client.activate(private_uid)
    crypto_client.activate(public_uid)
    public = serialization.load_der_public_key(
        get_in_format(crypto_client, public_uid, E.KeyFormatType.X_509).value)
    assert isinstance(public, ec.EllipticCurvePublicKey) and public.curve.name == "secp256r1"
    params = {"cryptographic_algorithm": E.CryptographicAlgorithm.ECDSA,
              "hashing_algorithm": E.HashingAlgorithm.SHA_256}
    message = os.urandom(100)
    signature = crypto_client.sign(message, private_uid, params)
    public.verify(signature, message, ec.ECDSA(hashes.SHA256()))  # DER-encoded (r, s)
    with pytest.raises(InvalidSignature):
        public.verify(signature, message + b"x", ec.ECDSA(hashes.SHA256()))
    assert crypto_client.signature_verify(message, signature, public_uid, params) == \
        E.ValidityIndicator.VALID
    assert crypto_client.signature_verify(message + b"x", signature, public_uid, params) == \
        E.ValidityIndicator.INVALID
    dsa = {"digital_signature_algorithm": E.DigitalSignatureAlgorithm.ECDSA_WITH_SHA256}
    public.verify(crypto_client.sign(message, private_uid, dsa), message, ec.ECDSA(hashes.SHA256()))


def test_local_signature_verifies_on_server(crypto_client):
    # Register a public key made by cryptography; the server checks signatures made locally.
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    public_der = private.public_key().public_bytes(serialization.Encoding.DER,
                                                   serialization.PublicFormat.SubjectPublicKeyInfo)
    uid = crypto_client.register(objects.PublicKey(
        E.CryptographicAlgorithm.RSA, 2048, public_der, E.KeyFormatType.X_509,
        masks=[E.CryptographicUsageMask.VERIFY], name=unique_name("verify-pub")))
    crypto_client.activate(uid)
    message = os.urandom(64)
    for params, local_padding in RSA_SIGN_PARAMS.values():
        signature = private.sign(message, local_padding if not isinstance(local_padding, padding.PSS)
                                 else padding.PSS(padding.MGF1(hashes.SHA256()), 32), hashes.SHA256())
        assert crypto_client.signature_verify(message, signature, uid, params) == \
            E.ValidityIndicator.VALID
        assert crypto_client.signature_verify(os.urandom(64), signature, uid, params) == \
            E.ValidityIndicator.INVALID


# --- MAC ---------------------------------------------------------------------------------------

def test_hmac_sha256(crypto_client):
    uid = crypto_client.create(E.CryptographicAlgorithm.HMAC_SHA256, 256, name=unique_name("hmac"),
                               cryptographic_usage_mask=[E.CryptographicUsageMask.MAC_GENERATE,
                                                         E.CryptographicUsageMask.MAC_VERIFY])
    crypto_client.activate(uid)
    key = crypto_client.get(uid).value
    assert len(key) == 32
    for data in (b"", b"abc", os.urandom(1000)):
        got_uid, mac = crypto_client.mac(data, uid, E.CryptographicAlgorithm.HMAC_SHA256)
        assert got_uid == uid
        assert mac == hmac.new(key, data, hashlib.sha256).digest()


def test_hmac_sha256_registered_key(crypto_client):
    key = os.urandom(40)
    uid = crypto_client.register(objects.SymmetricKey(
        E.CryptographicAlgorithm.HMAC_SHA256, len(key) * 8, key,
        masks=[E.CryptographicUsageMask.MAC_GENERATE], name=unique_name("hmac-reg")))
    crypto_client.activate(uid)
    data = b"The quick brown fox jumps over the lazy dog"
    _, mac = crypto_client.mac(data, uid, E.CryptographicAlgorithm.HMAC_SHA256)
    assert mac == hmac.new(key, data, hashlib.sha256).digest()

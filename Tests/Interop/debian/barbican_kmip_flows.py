"""OpenStack Barbican's KMIP secret store (Debian's python3-barbican, barbican.plugin.kmip_secret_store,
on Debian's python3-pykmip 0.10) against a Strongroom KMIP listener: what Barbican's API does when
its secret store is KMIP. Run by Debian's /usr/bin/python3 from test_debian_clients.py.

The listener and credential come from the environment (oslo.config parses sys.argv when the
plugin is imported): STRONGROOM_KMIP_HOST, _PORT, _CA, _CERT, _KEY, and STRONGROOM_PKCS1_ONLY
("true": the plugin's pkcs1_only mode). Prints one "ok <flow>" line per flow; any failure raises.
"""

import base64
import os
import sys

sys.argv = sys.argv[:1]

from cryptography.hazmat.primitives import hashes, serialization  # noqa: E402
from cryptography.hazmat.primitives.asymmetric import padding, rsa  # noqa: E402
from cryptography import x509  # noqa: E402
from cryptography.x509.oid import NameOID  # noqa: E402
import datetime  # noqa: E402

from barbican.plugin import kmip_secret_store as kss  # noqa: E402
from barbican.plugin.interface import secret_store as ss  # noqa: E402


def store():
    env = os.environ
    conf = kss.CONF
    for name, value in [("host", env["STRONGROOM_KMIP_HOST"]), ("port", int(env["STRONGROOM_KMIP_PORT"])),
                        ("ca_certs", env["STRONGROOM_KMIP_CA"]), ("certfile", env["STRONGROOM_KMIP_CERT"]),
                        ("keyfile", env["STRONGROOM_KMIP_KEY"]), ("ssl_version", "PROTOCOL_TLS"),
                        ("pkcs1_only", env.get("STRONGROOM_PKCS1_ONLY") == "true")]:
        conf.set_override(name, value, group="kmip_plugin")
    return kss.KMIPSecretStore(conf)


def roundtrip(s, secret_type, data, key_spec):
    """Stores `data` (what Barbican keeps base64-encoded), reads it back, deletes it, and checks the
    deleted secret is gone."""
    meta = s.store_secret(ss.SecretDTO(secret_type, base64.b64encode(data), key_spec, None))
    got = s.get_secret(secret_type, meta)
    s.delete_secret(meta)
    try:
        s.get_secret(secret_type, meta)
    except ss.SecretGeneralException:
        pass
    else:
        raise AssertionError(f"{secret_type} {meta} readable after delete")
    return got, base64.b64decode(got.secret)


def generated_symmetric(s):
    for alg, bits in [("aes", 128), ("aes", 192), ("aes", 256), ("hmacsha256", 256), ("hmacsha512", 512)]:
        spec = ss.KeySpec(alg, bits)
        assert s.generate_supports(spec)
        meta = s.generate_symmetric_key(spec)
        got = s.get_secret(ss.SecretType.SYMMETRIC, meta)
        assert len(base64.b64decode(got.secret)) == bits // 8, (alg, bits)
        assert (got.key_spec.alg, got.key_spec.bit_length) == (alg, bits), got.key_spec.__dict__
        s.delete_secret(meta)


def generated_key_pair(s):
    dto = s.generate_asymmetric_key(ss.KeySpec("rsa", 2048))
    private_pem = base64.b64decode(s.get_secret(ss.SecretType.PRIVATE, dto.private_key_meta).secret)
    public_pem = base64.b64decode(s.get_secret(ss.SecretType.PUBLIC, dto.public_key_meta).secret)
    private = serialization.load_pem_private_key(private_pem, password=None)
    public = serialization.load_pem_public_key(public_pem)
    assert private.key_size == 2048
    assert private.public_key().public_numbers() == public.public_numbers()
    signature = private.sign(b"barbican", padding.PKCS1v15(), hashes.SHA256())
    public.verify(signature, b"barbican", padding.PKCS1v15(), hashes.SHA256())
    s.delete_secret(dto.private_key_meta)
    s.delete_secret(dto.public_key_meta)


def stored_secrets(s):
    key = os.urandom(32)
    got, data = roundtrip(s, ss.SecretType.SYMMETRIC, key, ss.KeySpec("aes", 256))
    assert data == key and got.key_spec.alg == "aes" and got.key_spec.bit_length == 256

    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private_pem = private.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                        serialization.NoEncryption())
    _, data = roundtrip(s, ss.SecretType.PRIVATE, private_pem, ss.KeySpec("rsa", 2048))
    assert serialization.load_pem_private_key(data, password=None).private_numbers() == private.private_numbers()

    public_pem = private.public_key().public_bytes(serialization.Encoding.PEM,
                                                   serialization.PublicFormat.SubjectPublicKeyInfo)
    _, data = roundtrip(s, ss.SecretType.PUBLIC, public_pem, ss.KeySpec("rsa", 2048))
    assert serialization.load_pem_public_key(data).public_numbers() == private.public_key().public_numbers()

    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "barbican.example")])
    now = datetime.datetime.now(datetime.timezone.utc)
    certificate = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
                   .public_key(private.public_key()).serial_number(x509.random_serial_number())
                   .not_valid_before(now).not_valid_after(now + datetime.timedelta(days=1))
                   .sign(private, hashes.SHA256()))
    _, data = roundtrip(s, ss.SecretType.CERTIFICATE, certificate.public_bytes(serialization.Encoding.PEM),
                        ss.KeySpec())
    assert x509.load_pem_x509_certificate(data) == certificate

    _, data = roundtrip(s, ss.SecretType.PASSPHRASE, b"correct horse battery staple", ss.KeySpec())
    assert data == b"correct horse battery staple"

    blob = os.urandom(100)
    _, data = roundtrip(s, ss.SecretType.OPAQUE, blob, ss.KeySpec())
    assert data == blob


def main():
    s = store()
    for flow in (generated_symmetric, generated_key_pair, stored_secrets):
        flow(s)
        print("ok", flow.__name__, flush=True)


if __name__ == "__main__":
    main()

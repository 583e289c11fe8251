"""KMIP over HTTPS (the KMIP HTTPS profile) with clients Strongroom did not write: `requests` posts
bodies in the KMIP JSON and XML encodings, and TTLV bytes that PyKMIP's own encoder made (PyKMIP's
decoder reads the answer). The mount serves https_listen_addrs with the same CA and credentials as
its binary port: a key made over one is read over the others."""

import json
import os
import sys
import xml.etree.ElementTree as ET

import pytest
import requests

sys.path.insert(0, os.path.dirname(__file__))
from strongroom_server import Mount, free_port  # noqa: E402

from kmip.core import enums, utils  # noqa: E402
from kmip.core.messages import contents, messages, payloads  # noqa: E402


@pytest.fixture
def https(server, tmp_path):
    if not hasattr(server, "api_port"):
        pytest.skip("external server: no API")
    mount = Mount(server, f"kmip-https-{os.urandom(3).hex()}")
    port = free_port()
    mount.configure(https_listen_addrs=f"127.0.0.1:{port}")
    files = mount.client_files("https", str(tmp_path))
    # Passed on every call: a Session's `verify` loses to REQUESTS_CA_BUNDLE from the environment.
    session = Client(cert=(files["cert"], files["key"]), verify=files["ca"])
    url = f"https://127.0.0.1:{port}/kmip"
    yield session, url, mount
    session.close()


class Client:
    """requests with the client certificate and the mount's CA on every call, over one session."""

    def __init__(self, cert, verify):
        self.session = requests.Session()
        self.cert = cert
        self.verify = verify

    def post(self, url, **kwargs):
        return self.session.post(url, cert=self.cert, verify=self.verify, **kwargs)

    def get(self, url, **kwargs):
        return self.session.get(url, cert=self.cert, verify=self.verify, **kwargs)

    def close(self):
        self.session.close()


def post(session, url, content_type, body):
    r = session.post(url, data=body, headers={"Content-Type": content_type}, timeout=30)
    assert r.status_code == 200, f"{r.status_code} {r.text}"
    assert r.headers["Content-Type"] == content_type
    return r


def find_json(item, tag):
    """The first item named `tag` in a KMIP JSON tree."""
    if item.get("tag") == tag:
        return item
    if isinstance(item.get("value"), list):
        for child in item["value"]:
            found = find_json(child, tag)
            if found is not None:
                return found
    return None


CREATE_JSON = {"tag": "RequestMessage", "value": [
    {"tag": "RequestHeader", "value": [
        {"tag": "ProtocolVersion", "value": [
            {"tag": "ProtocolVersionMajor", "type": "Integer", "value": 1},
            {"tag": "ProtocolVersionMinor", "type": "Integer", "value": 4}]},
        {"tag": "BatchCount", "type": "Integer", "value": 1}]},
    {"tag": "BatchItem", "value": [
        {"tag": "Operation", "type": "Enumeration", "value": "Create"},
        {"tag": "RequestPayload", "value": [
            {"tag": "ObjectType", "type": "Enumeration", "value": "SymmetricKey"},
            {"tag": "TemplateAttribute", "value": [
                {"tag": "Attribute", "value": [
                    {"tag": "AttributeName", "type": "TextString", "value": "Cryptographic Algorithm"},
                    {"tag": "AttributeValue", "type": "Enumeration", "value": "AES"}]},
                {"tag": "Attribute", "value": [
                    {"tag": "AttributeName", "type": "TextString", "value": "Cryptographic Length"},
                    {"tag": "AttributeValue", "type": "Integer", "value": 256}]},
                {"tag": "Attribute", "value": [
                    {"tag": "AttributeName", "type": "TextString", "value": "Cryptographic Usage Mask"},
                    {"tag": "AttributeValue", "type": "Integer", "value": 12}]}]}]}]}]}

GET_XML = """<RequestMessage>
  <RequestHeader>
    <ProtocolVersion>
      <ProtocolVersionMajor type="Integer" value="1"/>
      <ProtocolVersionMinor type="Integer" value="4"/>
    </ProtocolVersion>
    <BatchCount type="Integer" value="1"/>
  </RequestHeader>
  <BatchItem>
    <Operation type="Enumeration" value="Get"/>
    <RequestPayload>
      <UniqueIdentifier type="TextString" value="{uid}"/>
    </RequestPayload>
  </BatchItem>
</RequestMessage>"""


def pykmip_request(operation, payload):
    header = messages.RequestHeader(protocol_version=contents.ProtocolVersion(1, 2), batch_count=contents.BatchCount(1))
    item = messages.RequestBatchItem(operation=contents.Operation(operation), request_payload=payload)
    stream = utils.BytearrayStream()
    messages.RequestMessage(request_header=header, batch_items=[item]).write(stream, kmip_version=enums.KMIPVersion.KMIP_1_2)
    return bytes(stream.buffer)


def pykmip_response(body):
    response = messages.ResponseMessage()
    response.read(utils.BytearrayStream(body), kmip_version=enums.KMIPVersion.KMIP_1_2)
    return response.batch_items[0]


def test_json_create_xml_get_and_pykmip_ttlv_over_https(https):
    session, url, _ = https
    created = json.loads(post(session, url, "application/json", json.dumps(CREATE_JSON)).text)
    assert find_json(created, "ResultStatus")["value"] == "Success", created
    uid = find_json(created, "UniqueIdentifier")["value"]

    got = ET.fromstring(post(session, url, "text/xml", GET_XML.format(uid=uid)).text)
    assert got.find(".//ResultStatus").get("value") == "Success"
    assert got.find(".//UniqueIdentifier").get("value") == uid
    key = got.find(".//KeyMaterial").get("value")
    assert len(bytes.fromhex(key)) == 32

    # TTLV bytes from PyKMIP's encoder; its decoder reads the answer.
    item = pykmip_response(post(session, url, "application/octet-stream",
                                pykmip_request(enums.Operation.DISCOVER_VERSIONS, payloads.DiscoverVersionsRequestPayload())).content)
    assert item.result_status.value == enums.ResultStatus.SUCCESS
    assert contents.ProtocolVersion(1, 4) in item.response_payload.protocol_versions
    item = pykmip_response(post(session, url, "application/octet-stream",
                                pykmip_request(enums.Operation.GET, payloads.GetRequestPayload(unique_identifier=uid))).content)
    assert item.result_status.value == enums.ResultStatus.SUCCESS
    assert item.response_payload.unique_identifier == uid


def test_refusals_a_stranger_meets(https, tmp_path):
    session, url, _ = https
    r = session.post(url, data=b"{}", headers={"Content-Type": "text/plain"}, timeout=30)
    assert r.status_code == 415
    r = session.get(url, timeout=30)
    assert r.status_code == 405
    r = session.post(url.replace("/kmip", "/other"), data=b"x", headers={"Content-Type": "application/json"}, timeout=30)
    assert r.status_code == 404
    # A body that is no KMIP message: a KMIP answer (Invalid Message), in the request's encoding.
    answer = json.loads(post(session, url, "application/json", '{"tag": "RequestMessage", "value": [').text)
    assert find_json(answer, "ResultReason")["value"] == "InvalidMessage", answer
    # Without a client certificate there is no answer at all.
    with pytest.raises(requests.exceptions.RequestException):
        requests.post(url, data=b"x", headers={"Content-Type": "application/json"}, verify=session.verify, timeout=30)


def test_strongroom_cli_over_https(https, tmp_path):
    """`strongroom kmip … -transport https -encoding json|xml`: the CLI's own client over HTTPS."""
    import subprocess
    from strongroom_server import binary_path
    session, url, mount = https
    address = url.split("/")[2]
    cert, key = session.cert
    common = ["-address", address, "-transport", "https", "-ca", session.verify, "-cert", cert, "-key", key]
    created = subprocess.run([binary_path(), "kmip", "create", "-algorithm", "aes", "-length", "256", "-name", "over-https",
                              *common, "-encoding", "xml"], capture_output=True, text=True, timeout=60)
    assert created.returncode == 0, created.stderr
    uid = created.stdout.strip()
    located = subprocess.run([binary_path(), "kmip", "locate", "-name", "over-https", *common, "-encoding", "json"],
                             capture_output=True, text=True, timeout=60)
    assert located.returncode == 0, located.stderr
    assert uid in located.stdout.split()
    wrong = subprocess.run([binary_path(), "kmip", "locate", "-name", "x", *common, "-encoding", "yaml"],
                           capture_output=True, text=True, timeout=60)
    assert wrong.returncode != 0 and "-encoding must be ttlv, json or xml" in wrong.stderr


def test_curl_posts_a_large_json_request(https, tmp_path):
    """curl, with a body large enough that it sends `Expect: 100-continue` first (over 1 MiB): the
    server's 100 Continue lets it send at once, and a Register of a 1 MiB Secret Data comes back."""
    import shutil
    import subprocess
    import time
    if shutil.which("curl") is None:
        pytest.skip("curl is not installed")
    session, url, _ = https
    secret = os.urandom(1 << 20).hex()
    request = {"tag": "RequestMessage", "value": [
        CREATE_JSON["value"][0],
        {"tag": "BatchItem", "value": [
            {"tag": "Operation", "type": "Enumeration", "value": "Register"},
            {"tag": "RequestPayload", "value": [
                {"tag": "ObjectType", "type": "Enumeration", "value": "SecretData"},
                {"tag": "TemplateAttribute", "value": [
                    {"tag": "Attribute", "value": [
                        {"tag": "AttributeName", "type": "TextString", "value": "Cryptographic Usage Mask"},
                        {"tag": "AttributeValue", "type": "Integer", "value": 0}]}]},
                {"tag": "SecretData", "value": [
                    {"tag": "SecretDataType", "type": "Enumeration", "value": "Password"},
                    {"tag": "KeyBlock", "value": [
                        {"tag": "KeyFormatType", "type": "Enumeration", "value": "Opaque"},
                        {"tag": "KeyValue", "value": [{"tag": "KeyMaterial", "type": "ByteString", "value": secret}]}]}]}]}]}]}
    body = tmp_path / "request.json"
    body.write_text(json.dumps(request))
    cert, key = session.cert
    started = time.monotonic()
    out = subprocess.run(["curl", "-sS", "--fail", "-v", "--cacert", session.verify, "--cert", cert, "--key", key,
                          "-H", "Content-Type: application/json", "--data-binary", f"@{body}", url],
                         capture_output=True, text=True, timeout=60)
    elapsed = time.monotonic() - started
    assert out.returncode == 0, out.stderr[-2000:]
    assert "HTTP/1.1 100 Continue" in out.stderr, "curl did not ask, or the server did not answer, Expect: 100-continue"
    answer = json.loads(out.stdout)
    assert find_json(answer, "ResultStatus")["value"] == "Success", out.stdout[:500]
    assert find_json(answer, "UniqueIdentifier") is not None
    assert elapsed < 10

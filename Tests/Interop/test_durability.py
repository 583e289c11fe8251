"""Durability: every Create the server answered survives a SIGKILL mid-load and a restart.

Eight PyKMIP connections create AES-256 keys as fast as they can; each identifier is recorded the
moment its Create response arrives. The server is SIGKILLed in the middle of the load, restarted on
the same data directory, and every recorded identifier must then Get successfully.
"""

import os
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from kmip.core import enums

from conftest import open_client
from strongroom_server import StrongroomServer

CONNECTIONS = 8
LOAD_SECONDS = float(os.environ.get("STRONGROOM_DURABILITY_SECONDS", "4"))
MIN_CREATES = 50


@pytest.mark.durability
@pytest.mark.skipif(bool(os.environ.get("STRONGROOM_INTEROP_ADDRESS")), reason="needs its own server process")
def test_answered_creates_survive_sigkill(tmp_path):
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    log = tmp_path / "server.log"
    server = StrongroomServer(str(data_dir), str(log)).start()

    answered = []          # identifiers whose Create was answered, in arrival order
    lock = threading.Lock()
    stop = threading.Event()
    errors_after_kill = [0]
    errors_before_kill = []

    def load(worker):
        try:
            with open_client(server, enums.KMIPVersion.KMIP_1_2) as client:
                n = 0
                while not stop.is_set():
                    uid = client.create(enums.CryptographicAlgorithm.AES, 256,
                                        name=f"durability-{worker}-{n}")
                    n += 1
                    with lock:
                        answered.append(uid)
        except Exception as error:  # the kill breaks every connection
            with lock:
                if killed.is_set():
                    errors_after_kill[0] += 1
                else:
                    errors_before_kill.append(repr(error))

    killed = threading.Event()
    threads = [threading.Thread(target=load, args=(i,), daemon=True) for i in range(CONNECTIONS)]
    try:
        for t in threads:
            t.start()
        time.sleep(LOAD_SECONDS)
        with lock:
            running = len(answered)
        killed.set()
        server.kill()  # SIGKILL while the clients are still sending Creates
        for t in threads:
            t.join(timeout=60)
        stop.set()
        with lock:
            recorded = list(answered)
        assert not errors_before_kill, f"Create failed before the kill: {errors_before_kill[:3]}"
        # every connection was still creating when the server died
        assert errors_after_kill[0] == CONNECTIONS, f"{errors_after_kill[0]} of {CONNECTIONS} connections broken"
        assert len(recorded) >= MIN_CREATES, f"only {len(recorded)} creates answered in {LOAD_SECONDS} s"
        assert len(set(recorded)) == len(recorded), "duplicate unique identifiers"

        server.start()  # same data directory, new ports
        missing = []

        def check(chunk):
            lost = []
            with open_client(server, enums.KMIPVersion.KMIP_1_2) as client:
                for uid in chunk:
                    try:
                        key = client.get(uid)
                        if len(key.value) != 32:
                            lost.append((uid, "wrong length"))
                    except Exception as error:
                        lost.append((uid, repr(error)))
            return lost

        chunks = [recorded[i::CONNECTIONS] for i in range(CONNECTIONS)]
        with ThreadPoolExecutor(CONNECTIONS) as pool:
            for lost in pool.map(check, chunks):
                missing.extend(lost)
        found = len(recorded) - len(missing)
        print(f"\ndurability: {len(recorded)} creates answered before SIGKILL "
              f"({running} at the kill signal, {CONNECTIONS} connections, {LOAD_SECONDS:g} s, "
              f"{errors_after_kill[0]} connections broken by the kill); "
              f"{found} of {len(recorded)} found after restart")
        assert not missing, f"{len(missing)} answered creates lost after restart, e.g. {missing[:3]}"
    except BaseException:
        print(f"\n--- server log ({log}) ---\n{server.log_tail()}")
        raise
    finally:
        stop.set()
        server.kill()

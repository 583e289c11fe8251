#!/usr/bin/env bash
# The issue-12 aims in one run on this machine: starts a release dev server on a fresh data
# directory, runs each `strongroom bench` once, prints one line per bench, the baselines the aims
# are relative to (`openssl speed rsa2048` on one core; `openssl s_time -new` against
# `openssl s_server` and against Strongroom, 16 in parallel), the noisy-neighbour run, and the
# server's RSS idle (split into anonymous and file-backed pages), after the runs, and with 1,000
# idle mutual-TLS connections. Usage: bench/aims.sh [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_PER=${1:-10}
source bench/dev-server.sh
rss() { awk '/VmRSS|RssAnon|RssFile/ {v[$1] = $2} END {printf "%.1f MB (anonymous %.1f MB, file-backed %.1f MB)", v["VmRSS:"] / 1024, v["RssAnon:"] / 1024, v["RssFile:"] / 1024}' /proc/$SERVER/status; }
echo "server RSS idle: $(rss)"
run "Get AES-256 x1" -op get -connections 1
run "Get AES-256 x16" -op get -connections 16
run "Encrypt AES-GCM 64 B x16" -op encrypt -connections 16
run "Create AES-256 (durable) x16" -op create -connections 16
run "Sign RSA-2048 x16" -op sign -connections 16
run "Get, new mTLS connection per op x16" -op get -connections 16 -new-connection-per-op
run "Discover Versions x16" -op discover -connections 16
echo "server RSS after the runs: $(rss)"

# Another credential of the dev role floods RSA-4096 Create Key Pair while Get is measured.
credential() {
  python3 - "$D" "$1" <<'PY'
import json, sys, urllib.request
d, name = sys.argv[1], sys.argv[2]
request = urllib.request.Request("http://127.0.0.1:8299/v1/kmip/scope/default/role/admin/credential/generate",
                                 data=json.dumps({"format": "pem"}).encode(), method="POST",
                                 headers={"X-Vault-Token": open(f"{d}/root-token").read().strip()})
data = json.load(urllib.request.urlopen(request))["data"]
open(f"{d}/{name}.pem", "w").write(data["certificate"])
open(f"{d}/{name}-key.pem", "w").write(data["private_key"])
PY
}
credential flood
run "Get AES-256 x16 during the flood (-flood 2)" -op get -connections 16 -flood 2 -flood-cert "$D/flood.pem" -flood-key "$D/flood-key.pem"

# Baselines, measured now on the same machine.
echo "openssl speed rsa2048 (one core): $(openssl speed -seconds "$SECONDS_PER" rsa2048 2>/dev/null | awk '/^rsa 2048/ {print $6 " signs/s"}')"
openssl ecparam -name prime256v1 -genkey -noout -out "$D/s_server-key.pem"
openssl req -new -x509 -key "$D/s_server-key.pem" -subj /CN=127.0.0.1 -days 1 -out "$D/s_server.pem" 2>/dev/null
openssl s_server -accept 5698 -cert "$D/s_server.pem" -key "$D/s_server-key.pem" -CAfile "$D/ca.pem" -Verify 1 -quiet \
  > /dev/null 2>&1 &
S_SERVER=$!
sleep 1
s_time() {  # handshakes/s of 16 parallel `openssl s_time -new` (P-256 client certificate, TLS 1.3)
  local port=$1 ca=$2
  for _ in $(seq 16); do
    openssl s_time -connect "127.0.0.1:$port" -cert "$D/client.pem" -key "$D/client-key.pem" -CAfile "$ca" -new \
      -time "$SECONDS_PER" 2>/dev/null | awk '/real seconds/ {print $1, $4}' &
  done | awk '{n += $1; if ($2 > t) t = $2} END {printf "%.0f handshakes/s", n / t}'
}
echo "openssl s_time -new x16 against openssl s_server: $(s_time 5698 "$D/s_server.pem")"
kill $S_SERVER
echo "openssl s_time -new x16 against Strongroom: $(s_time 5696 "$D/ca.pem")"
# 1,000 idle mutual-TLS connections: four credentials (each may hold 256), 250 connections each.
python3 - "$D" <<'PY' &
import json, os, socket, ssl, sys, time, urllib.request
d = sys.argv[1]
token = open(f"{d}/root-token").read().strip()
contexts = []
for i in range(4):
    request = urllib.request.Request("http://127.0.0.1:8299/v1/kmip/scope/default/role/admin/credential/generate",
                                     data=json.dumps({"format": "pem"}).encode(), method="POST",
                                     headers={"X-Vault-Token": token})
    data = json.load(urllib.request.urlopen(request))["data"]
    open(f"{d}/c{i}.pem", "w").write(data["certificate"])
    open(f"{d}/k{i}.pem", "w").write(data["private_key"])
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.load_verify_locations(f"{d}/ca.pem")
    ctx.load_cert_chain(f"{d}/c{i}.pem", f"{d}/k{i}.pem")
    ctx.check_hostname = False
    contexts.append(ctx)
conns = []
for n in range(1000):
    s = socket.create_connection(("127.0.0.1", 5696))
    conns.append(contexts[n % 4].wrap_socket(s))
time.sleep(2)
open(f"{d}/idle.ready", "w").close()
time.sleep(5)
PY
HOLDER=$!
for _ in $(seq 300); do [ -f "$D/idle.ready" ] && break; sleep 0.2; done
echo "server RSS with 1,000 idle mutual-TLS connections: $(rss)"
wait $HOLDER

#!/usr/bin/env bash
# Issue 14's figures in one run: Get AES-256, durable Create and Locate by Name among N objects
# (default 1,000,000), each at 16 connections, on
#   1. SQLite: one `server -dev` (the reference),
#   2. PostgreSQL, one node,
#   3. PostgreSQL, three nodes behind HAProxy (docs/cluster/haproxy.cfg; the nodes on 127.0.0.2–4).
# Each store is prefilled once with N named keys through KMIP (100 Create items per request).
# PostgreSQL: $STRONGROOM_TEST_POSTGRES_URL if set, else a throwaway server from scripts/postgres.
# Usage: bench/cluster.sh [SECONDS] [OBJECTS]
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_PER=${1:-10}
OBJECTS=${2:-1000000}
B=$(pwd)/.build/release/strongroom
[ -x "$B" ] || { echo "build first: swift build -c release --product strongroom" >&2; exit 2; }
command -v haproxy >/dev/null || { echo "haproxy is not installed" >&2; exit 2; }
D=$(mktemp -d)
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  [ -n "${OWN_PG:-}" ] && scripts/postgres stop "$STRONGROOM_TEST_POSTGRES_DIR"
  rm -rf "$D"
}
trap cleanup EXIT
if [ -z "${STRONGROOM_TEST_POSTGRES_URL:-}" ]; then eval "$(scripts/postgres start)"; OWN_PG=1; fi
PSQL=$(ls /usr/lib/postgresql/*/bin/psql | tail -1)
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_port() { for _ in $(seq 300); do (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null && return 0; sleep 0.2; done; echo "nothing on $1:$2" >&2; exit 1; }

run() {   # label, address, cert dir prefix, bench args…
  local label=$1 address=$2 creds=$3; shift 3
  local out
  out=$($B bench -address "$address" -ca "$creds/ca.pem" -cert "$creds/client.pem" -key "$creds/client-key.pem" \
        -duration "$SECONDS_PER" "$@" 2>&1)
  printf '%-52s %s | %s\n' "$label" "$(echo "$out" | sed -n 's/^throughput *//p')" "$(echo "$out" | sed -n 's/^latency *//p')"
}
suite() {   # label, address, creds, prefill?
  local label=$1 address=$2 creds=$3 prefill=$4
  run "$label: Get AES-256 x16" "$address" "$creds" -op get -connections 16
  run "$label: Create AES-256 (durable) x16" "$address" "$creds" -op create -connections 16
  if [ "$prefill" = yes ]; then
    local start=$SECONDS
    $B bench -address "$address" -ca "$creds/ca.pem" -cert "$creds/client.pem" -key "$creds/client-key.pem" \
      -op locate -connections 16 -duration 1 -prefill "$OBJECTS" > "$D/prefill.log" 2>&1
    echo "$label: prefilled $OBJECTS objects through KMIP in $((SECONDS - start)) s"
  fi
  run "$label: Locate by Name among $OBJECTS+ x1" "$address" "$creds" -op locate -connections 1
  run "$label: Locate by Name among $OBJECTS+ x16" "$address" "$creds" -op locate -connections 16
}

# 1. SQLite
mkdir "$D/sqlite"
$B server -dev -dev-data-dir "$D/sqlite" -dev-kmip-listen-address 127.0.0.1:5696 -dev-listen-address 127.0.0.1:8299 \
  > "$D/sqlite.log" 2>&1 &
PIDS+=($!)
wait_port 127.0.0.1 5696
suite "SQLite, 1 node" 127.0.0.1:5696 "$D/sqlite" yes
kill "${PIDS[-1]}"; wait "${PIDS[-1]}" 2>/dev/null || true

# 2. PostgreSQL, one node
DB=bench$RANDOM$RANDOM
"$PSQL" "$STRONGROOM_TEST_POSTGRES_URL" -qc "CREATE DATABASE $DB"
URL=${STRONGROOM_TEST_POSTGRES_URL%/*}/$DB
openssl rand -out "$D/root.key" 32 && chmod 600 "$D/root.key"
API=()
node() {   # index (1-3): starts a node bound to 127.0.0.(index+1)
  local i=$1 port
  port=$(free_port)
  API[$i]=$port
  cat > "$D/node$i.json" <<EOF
{"storage": {"postgresql": {"connection_url": "$URL", "max_connections": 16}},
 "root_key": {"file": "$D/root.key"}, "api": {"address": "127.0.0.1:$port"},
 "node": {"id": "node$i", "kmip_bind_host": "127.0.0.$((i + 1))"}}
EOF
  $B server -config "$D/node$i.json" > "$D/node$i.log" 2>&1 &
  PIDS+=($!)
  wait_port 127.0.0.1 "$port"
}
node 1
TOKEN=$(awk '/Root token/ {getline; print $1}' "$D/node1.log")
KMIP_PORT=$(free_port)
api() { curl -sf -H "X-Vault-Token: $TOKEN" -X POST "http://127.0.0.1:${API[1]}/v1/$1" -d "$2"; }
api sys/mounts/kmip '{"type":"kmip"}' >/dev/null
api kmip/config "{\"listen_addrs\":\"127.0.0.1:$KMIP_PORT\"}" >/dev/null
api kmip/scope/bench '{}' >/dev/null
api kmip/scope/bench/role/admin '{"operation_all":true}' >/dev/null
mkdir "$D/pg"
api kmip/scope/bench/role/admin/credential/generate '{"format":"pem"}' | python3 -c "
import json, sys; d = json.load(sys.stdin)['data']
open('$D/pg/ca.pem', 'w').write('\n'.join(d['ca_chain'])); open('$D/pg/client.pem', 'w').write(d['certificate'])
open('$D/pg/client-key.pem', 'w').write(d['private_key'])"
wait_port 127.0.0.2 "$KMIP_PORT"
suite "PostgreSQL, 1 node" "127.0.0.2:$KMIP_PORT" "$D/pg" yes

# 3. PostgreSQL, three nodes behind HAProxy (the same database: the same objects)
node 2
node 3
wait_port 127.0.0.3 "$KMIP_PORT"
wait_port 127.0.0.4 "$KMIP_PORT"
FRONT=$(free_port)
sed -e "s/0.0.0.0:5696/127.0.0.1:$FRONT/" -e "s/0.0.0.0:8200/127.0.0.1:$(free_port)/" \
    -e "s/10.0.0.11:5696/127.0.0.2:$KMIP_PORT/" -e "s/10.0.0.12:5696/127.0.0.3:$KMIP_PORT/" -e "s/10.0.0.13:5696/127.0.0.4:$KMIP_PORT/" \
    -e "s/10.0.0.11:8200/127.0.0.1:${API[1]}/" -e "s/10.0.0.12:8200/127.0.0.1:${API[2]}/" -e "s/10.0.0.13:8200/127.0.0.1:${API[3]}/" \
    docs/cluster/haproxy.cfg > "$D/haproxy.cfg"
haproxy -f "$D/haproxy.cfg" -db > "$D/haproxy.log" 2>&1 &
PIDS+=($!)
wait_port 127.0.0.1 "$FRONT"
sleep 1
suite "PostgreSQL, 3 nodes behind HAProxy" "127.0.0.1:$FRONT" "$D/pg" no
echo "objects in PostgreSQL: $("$PSQL" "$URL" -tAc 'SELECT count(*) FROM objects')"

#!/usr/bin/env bash
# KMIP over HTTPS beside the binary port, in one run (issue 18's figures): starts a release dev
# server on a fresh data directory, turns on https_listen_addrs, and runs `strongroom bench` for Get
# and Encrypt (AES-GCM, 64 B) at 16 connections on the binary port, then over HTTPS with TTLV, JSON
# and XML bodies. Usage: bench/https.sh [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_PER=${1:-10}
source bench/dev-server.sh
VAULT_ADDR=http://127.0.0.1:8299 VAULT_TOKEN=$(cat "$D/root-token") $B write kmip/config https_listen_addrs=127.0.0.1:5697 > /dev/null
for op in get encrypt; do
  run "$op x16, binary port" -op $op -connections 16
  for encoding in ttlv json xml; do
    run "$op x16, HTTPS, $encoding bodies" -op $op -connections 16 -address 127.0.0.1:5697 -transport https -encoding $encoding
  done
done

#!/usr/bin/env bash
# The `openssl speed` reference figures for Benchmarks/CryptoBenchmarks, on one core, in ops/s:
# AES-256-GCM on 64 B and 1 KiB (each a whole AEAD operation: new IV, 13 bytes of AAD, data, tag),
# RSA-2048, ECDSA P-256 and Ed25519 signing.
#   bench/openssl-speed.sh [SECONDS]   (default 3 per figure)
set -euo pipefail
s=${1:-3}
openssl version
for size in 64 1024; do
  # +F:<n>:<cipher>:<bytes per second>
  openssl speed -mr -seconds "$s" -bytes "$size" -aead -evp aes-256-gcm 2>/dev/null |
    awk -F: -v n="$size" '/^\+F:/ { printf "AES-256-GCM encrypt %d B: %d ops/s\n", n, $NF / n }'
done
# +F2 (RSA) and +F4 (ECDSA): <n>:<bits>:<sign/s>:<verify/s>; +F6 (EdDSA): <n>:<bits>:<name>:<sign/s>:<verify/s>
openssl speed -mr -seconds "$s" rsa2048 2>/dev/null | awk -F: '/^\+F2:/ { printf "RSA-2048 sign: %d ops/s\n", $4 }'
openssl speed -mr -seconds "$s" ecdsap256 2>/dev/null | awk -F: '/^\+F4:/ { printf "ECDSA P-256 sign: %d ops/s\n", $4 }'
openssl speed -mr -seconds "$s" ed25519 2>/dev/null | awk -F: '/^\+F6:/ { printf "Ed25519 sign: %d ops/s\n", $5 }'

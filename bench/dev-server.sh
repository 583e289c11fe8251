# Sourced by the bench scripts: checks the release build, starts `server -dev` on a fresh data
# directory $D (KMIP on 127.0.0.1:5696, the API on 127.0.0.1:8299) as $SERVER, and removes both
# on exit. Sets B (the binary), D and SERVER; `run LABEL ARGS…` runs one `strongroom bench` of
# $SECONDS_PER seconds with the dev credential and prints its throughput and latency on one line.
B=.build/release/strongroom
[ -x "$B" ] || { echo "build first: swift build -c release --product strongroom" >&2; exit 2; }
D=$(mktemp -d)
trap 'kill $SERVER 2>/dev/null || true; rm -rf "$D"' EXIT
$B server -dev -dev-data-dir "$D" -dev-kmip-listen-address 127.0.0.1:5696 -dev-listen-address 127.0.0.1:8299 \
  > "$D/server.log" 2>&1 &
SERVER=$!
for _ in $(seq 50); do [ -f "$D/client-key.pem" ] && break; sleep 0.2; done
sleep 1
kill -0 $SERVER 2>/dev/null || { echo "the server did not start:" >&2; cat "$D/server.log" >&2; exit 1; }
run() {
  local label=$1; shift
  local out
  out=$($B bench "$@" -duration "$SECONDS_PER" -ca "$D/ca.pem" -cert "$D/client.pem" -key "$D/client-key.pem" 2>&1)
  printf '%-44s %s | %s\n' "$label" "$(echo "$out" | sed -n 's/^throughput *//p')" "$(echo "$out" | sed -n 's/^latency *//p')"
}

#!/usr/bin/env bash
# Writes the BeaconState of a real Lodestar node for the BeaconState benchmark: `lodestar dev` (tools/lodestar,
# v1.5.1) with the mainnet preset, Altair from genesis and VALIDATORS interop validators (default 2048), on
# loopback; the head state is downloaded as SSZ to OUT and the node stopped. OUT.fork names the fork.
# Usage: bench/lodestar-state.sh OUT
set -euo pipefail
cd "$(dirname "$0")/.."
out=$1
validators=${VALIDATORS:-2048}
lodestar=tools/lodestar/node_modules/.bin/lodestar
[ -x "$lodestar" ] || { echo "lodestar-state: $lodestar is missing: run make lodestar" >&2; exit 1; }
work=$(mktemp -d)
port=$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
p2p=$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
(cd "$work" && exec node "$OLDPWD/$lodestar" dev --preset mainnet --params.ALTAIR_FORK_EPOCH 0 \
  --genesisValidators "$validators" --dataDir "$work/data" --rest.address 127.0.0.1 --rest.port "$port" \
  --rest.namespace '*' --listenAddress 127.0.0.1 --port "$p2p" --logFile none) > "$work/lodestar.log" 2>&1 &
node_pid=$!
trap 'kill "$node_pid" 2>/dev/null || true; wait "$node_pid" 2>/dev/null || true; rm -rf "$work"' EXIT
echo "lodestar-state: lodestar dev, mainnet preset, $validators validators (interop keys take a minute)" >&2
for _ in $(seq 1 300); do
  if curl -sf -H 'Accept: application/octet-stream' -o "$out.part" \
       "http://127.0.0.1:$port/eth/v2/debug/beacon/states/head"; then
    mv "$out.part" "$out"
    echo altair > "$out.fork"
    echo "lodestar-state: $(stat -c %s "$out") bytes in $out" >&2
    exit 0
  fi
  kill -0 "$node_pid" 2>/dev/null || { tail -20 "$work/lodestar.log" >&2; exit 1; }
  sleep 1
done
echo "lodestar-state: no state after 300 s" >&2
tail -20 "$work/lodestar.log" >&2
exit 1

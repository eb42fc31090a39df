#!/usr/bin/env bash
# devnet.sh - spike harness: one Lodestar v1.5.1 beacon node + one separate validator client
# on a custom Altair-at-genesis minimal-preset network, genesis made by make-genesis.mjs.
#
#   ./devnet.sh genesis ITER DELAY_S [COUNT]   -> net/it$ITER/{genesis.ssz,genesis.json,keystores/,password.txt}
#   ./devnet.sh start-bn ITER                   -> starts BN on net/it$ITER/genesis.ssz, data dir run/bn
#   ./devnet.sh start-vc ITER                   -> starts VC with net/it$ITER/keystores, data dir run/vc
#   ./devnet.sh stop-bn | stop-vc               -> SIGTERM by pid file (SIGKILL after 30 s)
#   ./devnet.sh reset                            -> wipe chain data + VC slashing DB, keep identity/keys
#   ./devnet.sh watch SECONDS                    -> poll REST once a second, print timings
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
cd "$HERE"
LODESTAR="${DEVNET_LODESTAR:-/work/main/tools/lodestar/node_modules/@chainsafe/lodestar/lib/index.js}"
REST_PORT="${DEVNET_REST_PORT:-29596}"
P2P_PORT="${DEVNET_P2P_PORT:-29000}"
BN_METRICS_PORT="${DEVNET_BN_METRICS_PORT:-29008}"
VC_METRICS_PORT="${DEVNET_VC_METRICS_PORT:-29064}"
KM_PORT="${DEVNET_KM_PORT:-29062}"
RUN="$HERE/run"
BASE="http://127.0.0.1:$REST_PORT"

ts() { date +%s.%N; }
log() { echo "[devnet $(date +%T.%3N)] $*" >&2; }

start_proc() { # name logfile args...
  local name="$1" logf="$2"; shift 2
  local pidf="$RUN/$name.pid"
  mkdir -p "$RUN"
  ( exec setsid nice -n 10 node "$LODESTAR" "$@" ) </dev/null >>"$logf" 2>&1 &
  echo $! > "$pidf"
  log "$name started pid $(cat "$pidf") at $(ts): lodestar $*"
}

stop_proc() {
  local name="$1" pidf="$RUN/$1.pid"
  [ -s "$pidf" ] || { log "$name: no pid file"; return 0; }
  local pid; pid="$(cat "$pidf")"
  if kill -0 "$pid" 2>/dev/null && grep -q lodestar "/proc/$pid/cmdline"; then
    local t0; t0=$(ts)
    kill -TERM "$pid"
    local i=0
    while kill -0 "$pid" 2>/dev/null && [ $i -lt 300 ]; do sleep 0.1; i=$((i+1)); done
    if kill -0 "$pid" 2>/dev/null; then kill -KILL "$pid"; log "$name SIGKILL"; fi
    log "$name pid $pid stopped in $(awk "BEGIN{printf \"%.1f\", $(ts)-$t0}") s"
  else
    log "$name pid $pid not running"
  fi
  rm -f "$pidf"
}

cmd="${1:-}"; shift || true
case "$cmd" in
  genesis)
    it="$1"; delay="$2"; count="${3:-16}"
    d="$HERE/net/it$it"; rm -rf "$d"; mkdir -p "$d"
    gt=$(( $(date +%s) + delay ))
    LODESTAR_PRESET=minimal nice -n 10 node "$HERE/make-genesis.mjs" --config "$HERE/config.yaml" \
      --genesis-time "$gt" --iteration "$it" --count "$count" --out "$d" \
      --keystores "$d/keystores" --password-file "$d/password.txt"
    ;;
  start-bn)
    it="$1"; mkdir -p "$RUN/bn"
    start_proc bn "$RUN/bn.out" beacon --preset minimal \
      --dataDir "$RUN/bn" --paramsFile "$HERE/config.yaml" \
      --genesisStateFile "$HERE/net/it$it/genesis.ssz" \
      --eth1=false --execution.engineMock \
      --sync.isSingleNode --network.allowPublishToZeroPeers \
      --rest --rest.address 127.0.0.1 --rest.port "$REST_PORT" --rest.namespace '*' \
      --listenAddress 127.0.0.1 --port "$P2P_PORT" \
      --metrics --metrics.address 127.0.0.1 --metrics.port "$BN_METRICS_PORT" \
      --logFile "$RUN/bn/beacon.log" --logFileLevel info ${DEVNET_BN_EXTRA:-}
    ;;
  start-vc)
    it="$1"; mkdir -p "$RUN/vc"
    start_proc vc "$RUN/vc.out" validator --preset minimal \
      --dataDir "$RUN/vc" --paramsFile "$HERE/config.yaml" \
      --beaconNodes "$BASE" \
      --importKeystores "$HERE/net/it$it/keystores" \
      --importKeystoresPassword "$HERE/net/it$it/password.txt" \
      --keymanager --keymanager.address 127.0.0.1 --keymanager.port "$KM_PORT" \
      --metrics --metrics.address 127.0.0.1 --metrics.port "$VC_METRICS_PORT" \
      --logFile "$RUN/vc/validator.log" --logFileLevel info ${DEVNET_VC_EXTRA:-}
    ;;
  stop-bn) stop_proc bn ;;
  stop-vc) stop_proc vc ;;
  *) echo "usage: see header" >&2; exit 2 ;;
esac

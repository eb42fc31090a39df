#!/usr/bin/env python3
"""watch.py REST_PORT T0 GENESIS_TIME SECONDS [N_OUR_VALIDATORS]
Polls the beacon node once a second; prints (relative to T0 = BN start, and to genesis) when
REST first answers, first head slot > 0, first justified epoch > 0, first finalized epoch > 0,
and at the end per-validator balances + participation. Stops early once finalized >= 3."""
import json, sys, time, urllib.request

port, t0, gtime, secs = int(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
base = f"http://127.0.0.1:{port}"

def get(p):
    with urllib.request.urlopen(base + p, timeout=3) as r:
        return json.loads(r.read() or b"null")

seen = {}
def mark(k, extra=""):
    if k not in seen:
        now = time.time()
        seen[k] = now
        print(f"{k:28s} +{now - t0:6.1f}s after BN start, genesis{now - gtime:+6.1f}s {extra}", flush=True)

deadline = time.time() + secs
last = None
while time.time() < deadline:
    try:
        g = get("/eth/v1/beacon/genesis")["data"]
        mark("rest_up", f"gvr={g['genesis_validators_root']} gt={g['genesis_time']}")
        h = get("/eth/v1/beacon/headers/head")["data"]
        slot = int(h["header"]["message"]["slot"])
        if slot > 0:
            mark("first_head_slot>0", f"slot={slot}")
        f = get("/eth/v1/beacon/states/head/finality_checkpoints")["data"]
        j, fin = int(f["current_justified"]["epoch"]), int(f["finalized"]["epoch"])
        if j > 0:
            mark("first_justified>0", f"justified={j} slot={slot}")
        if fin > 0:
            mark("first_finalized>0", f"finalized={fin} slot={slot}")
        cur = (slot, j, fin)
        if cur != last:
            print(f"  t=+{time.time() - t0:6.1f}s head={slot} justified={j} finalized={fin}", flush=True)
            last = cur
        if fin >= 3:
            break
    except Exception as e:  # noqa
        pass
    time.sleep(1)

try:
    v = get("/eth/v1/beacon/states/head/validators")["data"]
    print("validators (index balance status):")
    for x in v:
        print(f"  {x['index']:>3} {x['balance']} {x['status']} {x['validator']['withdrawal_credentials']}")
    print("finality:", json.dumps(get("/eth/v1/beacon/states/head/finality_checkpoints")["data"]))
    print("identity:", json.dumps(get("/eth/v1/node/identity")["data"]["peer_id"]))
except Exception as e:
    print("final query failed:", e)

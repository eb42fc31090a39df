// patch-singlenode-sync.cjs FILE: in Lodestar 1.5.1 @lodestar/beacon-node lib/sync/sync.js, with
// --sync.isSingleNode treat the node as Synced even when head is > SLOTS_PER_EPOCH behind the clock
// (otherwise a single-node devnet stalls for good after >8 empty slots: VC gets 503 "Node is syncing").
const fs = require("fs");
const f = process.argv[2];
let s = fs.readFileSync(f, "utf8");
if (s.includes("PATCH(devnet)")) { console.log("already patched"); process.exit(0); }
const anchor = "        (currentSlot < 0 ||\n";
if (!s.includes(anchor)) throw new Error("anchor not found");
s = s.replace(anchor, "        (currentSlot < 0 || /* PATCH(devnet) */ this.opts.isSingleNode ||\n");
fs.writeFileSync(f, s);
console.log("patched", f);

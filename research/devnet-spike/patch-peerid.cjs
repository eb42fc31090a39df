// patch-peerid.cjs FILE: make `lodestar beacon` (v1.5.1) reuse DATA_DIR/peer_id.json if present
// instead of creating a new secp256k1 PeerId on every start (upstream added --persistNetworkIdentity later).
const fs = require("fs");
const f = process.argv[2];
let s = fs.readFileSync(f, "utf8");
const before = "    const peerId = await createSecp256k1PeerId();\n";
const after =
  "    // PATCH(devnet): persist network identity across restarts\n" +
  "    const pIdPathPersist = path.join(beaconPaths.beaconDir, \"peer_id.json\");\n" +
  "    const peerId = fs.existsSync(pIdPathPersist) ? await readPeerId(pIdPathPersist) : await createSecp256k1PeerId();\n";
if (s.includes("PATCH(devnet)")) { console.log("already patched"); process.exit(0); }
if (!s.includes(before)) throw new Error("anchor not found");
s = s.replace(before, after);
s = s.replace('import path from "node:path";\n', 'import path from "node:path";\nimport fs from "node:fs";\n');
s = s.replace('import { BeaconNodeOptions, exportToJSON, getBeaconConfigFromArgs } from "../../config/index.js";',
  'import { BeaconNodeOptions, exportToJSON, getBeaconConfigFromArgs } from "../../config/index.js";\nimport { readPeerId } from "../../config/peerId.js";');
fs.writeFileSync(f, s);
console.log("patched", f);

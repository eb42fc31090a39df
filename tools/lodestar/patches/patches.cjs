// Our patches to Lodestar v1.5.1 (see ../README.md, "Patches"). Applied by apply.cjs after `npm ci`.
//
// Each entry: `name` (also the marker `/* ephemery patch: <name> */` that every replacement carries),
// `why`, and `edits`: exact-text replacements in one file under node_modules. `original` must occur exactly
// once in the pristine file; `patched` replaces it. A file already holding `patched` counts as done.
// The texts are copied from the installed 1.5.1 files byte for byte (4-space indents, "\n" line ends).
"use strict";

const PEER_ID = "/* ephemery patch: persistent peer id */";
const SINGLE_NODE = "/* ephemery patch: single node always synced */";

module.exports = [
  {
    name: "persistent peer id",
    why:
      "1.5.1 creates a new libp2p peer id at every start of the beacon node and overwrites " +
      "<dataDir>/peer_id.json (it has no --persistNetworkIdentity/--peerIdFile, added upstream later). " +
      "An Ephemery node is restarted at every reset and must keep its identity (peer id and ENR key): " +
      "load <dataDir>/peer_id.json when it exists, create a new id only when it does not.",
    edits: [
      {
        file: "@chainsafe/lodestar/lib/cmds/beacon/handler.js",
        original: 'import path from "node:path";\n',
        patched: `import path from "node:path";\nimport fs from "node:fs"; ${PEER_ID}\n`,
      },
      {
        file: "@chainsafe/lodestar/lib/cmds/beacon/handler.js",
        original:
          'import { BeaconNodeOptions, exportToJSON, getBeaconConfigFromArgs } from "../../config/index.js";\n',
        patched:
          'import { BeaconNodeOptions, exportToJSON, getBeaconConfigFromArgs } from "../../config/index.js";\n' +
          `import { readPeerId } from "../../config/peerId.js"; ${PEER_ID}\n`,
      },
      {
        file: "@chainsafe/lodestar/lib/cmds/beacon/handler.js",
        original:
          "    // Create new PeerId everytime by default, unless peerIdFile is provided\n" +
          "    const peerId = await createSecp256k1PeerId();\n",
        patched:
          `    ${PEER_ID}\n` +
          "    // Keep the identity in <dataDir>/peer_id.json when it exists; create a new one only when it does not.\n" +
          "    // (It is written back below, unchanged, as before.) A file that cannot be loaded stops the start.\n" +
          '    const ephemeryPeerIdPath = path.join(beaconPaths.beaconDir, "peer_id.json");\n' +
          "    let peerId;\n" +
          "    if (fs.existsSync(ephemeryPeerIdPath)) {\n" +
          "        try {\n" +
          "            peerId = await readPeerId(ephemeryPeerIdPath);\n" +
          "        }\n" +
          "        catch (e) {\n" +
          "            throw new Error(`Cannot load the peer id in ${ephemeryPeerIdPath} (delete the file to create a new identity): ${e.message}`);\n" +
          "        }\n" +
          "        if (peerId.privateKey == null || peerId.type !== \"secp256k1\") {\n" +
          "            throw new Error(`${ephemeryPeerIdPath} holds no secp256k1 private key (delete the file to create a new identity)`);\n" +
          "        }\n" +
          "    }\n" +
          "    else {\n" +
          "        peerId = await createSecp256k1PeerId();\n" +
          "    }\n",
      },
    ],
  },
  {
    name: "single node always synced",
    why:
      "With --sync.isSingleNode, 1.5.1 still reports Synced only while the head is at most SLOTS_PER_EPOCH " +
      "slots behind the clock. A single node has no peers to catch up from, so once it falls behind (genesis " +
      "in the past at start, a validator client outage, a restart) it answers the validator client with 503 " +
      "'Node is syncing' forever and never produces a block again. With isSingleNode the node is the whole " +
      "network: always report Synced.",
    edits: [
      {
        file: "@lodestar/beacon-node/lib/sync/sync.js",
        original:
          "    get state() {\n" +
          "        const currentSlot = this.chain.clock.currentSlot;\n",
        patched:
          "    get state() {\n" +
          `        ${SINGLE_NODE}\n` +
          "        // A single node is the whole network: it is never behind anybody, so never report syncing.\n" +
          "        if (this.opts.isSingleNode) {\n" +
          "            return SyncState.Synced;\n" +
          "        }\n" +
          "        const currentSlot = this.chain.clock.currentSlot;\n",
      },
    ],
  },
];

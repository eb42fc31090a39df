#!/usr/bin/env node
// make-genesis.mjs - build an Altair-at-genesis BeaconState (genesis.ssz) for a local
// mini-Ephemery devnet with Lodestar v1.5.1's own JS packages.
//
// Style: "pre-filled validators" as in protolambda/eth2-testnet-genesis (the tool family behind
// Ephemery's genesis): validators are written straight into the state, no deposit signatures,
// the deposit tree is empty (deposit_count 0, eth1_deposit_index 0).
//
// Usage (run with the node_modules of tools/lodestar reachable, see REPORT.md):
//   LODESTAR_PRESET=minimal node make-genesis.mjs --config config.yaml --genesis-time T \
//       --iteration N --count 32 --mnemonic "..." --out DIR [--keystores DIR --password PW]
//       [--kdf scrypt|pbkdf2|scrypt-light] [--eth1-block-hash 0x..] [--validators-file F]
//
// Output: DIR/genesis.ssz, DIR/genesis.json (summary: genesis_time, GVR, state root, ...),
//         and, with --keystores, EIP-2335 keystores DIR_KS/keystore-<i>.json (+ pubkeys.txt).
import fs from "node:fs";
import path from "node:path";
import crypto from "node:crypto";

function parseArgs(argv) {
  const a = {};
  for (let i = 2; i < argv.length; i++) {
    const k = argv[i];
    if (!k.startsWith("--")) throw new Error(`bad arg ${k}`);
    a[k.slice(2)] = argv[i + 1];
    i++;
  }
  return a;
}
const args = parseArgs(process.argv);
if (!process.env.LODESTAR_PRESET) process.env.LODESTAR_PRESET = args.preset ?? "minimal";

// Import AFTER the preset env is set (the preset is fixed at import time of @lodestar/params).
const { ssz } = await import("@lodestar/types");
const { createIChainForkConfig, chainConfigFromJson, createIChainConfig } = await import("@lodestar/config");
const params = await import("@lodestar/params");
const st = await import("@lodestar/state-transition");
const { toHexString, fromHexString } = await import("@chainsafe/ssz");
const bls = (await import("@chainsafe/bls")).default;
const { deriveKeyFromMnemonic, deriveEth2ValidatorKeys } = await import("@chainsafe/bls-keygen");
const yaml = (await import("js-yaml")).default;

const {
  GENESIS_SLOT, GENESIS_EPOCH, FAR_FUTURE_EPOCH, MAX_EFFECTIVE_BALANCE,
  EFFECTIVE_BALANCE_INCREMENT, EPOCHS_PER_HISTORICAL_VECTOR, ACTIVE_PRESET,
} = params;

// ---- config: same parsing rules as the Lodestar CLI (FAILSAFE yaml -> strings; unknown keys ignored)
const raw = yaml.load(fs.readFileSync(args.config, "utf8"), { schema: yaml.FAILSAFE_SCHEMA });
const chainConfig = createIChainConfig(chainConfigFromJson(raw));
const config = createIChainForkConfig(chainConfig);
if (config.getForkName(GENESIS_SLOT) !== "altair") {
  throw new Error(`expected altair at genesis, config gives ${config.getForkName(GENESIS_SLOT)}`);
}

const genesisTime = Number(args["genesis-time"]);
const iteration = BigInt(args.iteration ?? "0");
const count = Number(args.count ?? "16");
const out = args.out ?? ".";
fs.mkdirSync(out, { recursive: true });
const eth1BlockHash = args["eth1-block-hash"]
  ? fromHexString(args["eth1-block-hash"])
  : new Uint8Array(32).fill(0x42);

// ---- validator list: [{pubkey, withdrawalCredentials, balance}]
const entries = [];

// (1) dummy validator 0: a valid BLS key (Lodestar parses every pubkey of the state into its
//     pubkey cache and aggregates sync-committee pubkeys, so the pubkey must be a valid G1 point),
//     withdrawal credentials 0x01 ++ 11 zero bytes ++ 20-byte big-endian iteration number.
//     Nobody runs this key; with balance 32 ETH it is an active but offline validator.
const dummySk = bls.SecretKey.fromBytes(
  crypto.createHash("sha256").update("ephemery-devnet-dummy-validator").digest()
);
const dummyWc = new Uint8Array(32);
dummyWc[0] = 0x01;
{
  let v = iteration;
  for (let i = 31; i >= 12; i--) { dummyWc[i] = Number(v & 0xffn); v >>= 8n; }
}
const dummyBalance = Number(args["dummy-balance"] ?? MAX_EFFECTIVE_BALANCE);
entries.push({ pubkey: dummySk.toPublicKey().toBytes(), withdrawalCredentials: dummyWc, balance: dummyBalance });

// (2) our validators: EIP-2333/2334 keys m/12381/3600/i/0/0 from a mnemonic
const mnemonic = args.mnemonic ??
  "test test test test test test test test test test test junk";
const master = deriveKeyFromMnemonic(mnemonic);
const ourKeys = [];
for (let i = 0; i < count; i++) {
  const sk = deriveEth2ValidatorKeys(master, i).signing;
  const pk = bls.SecretKey.fromBytes(sk).toPublicKey().toBytes();
  // 0x00 BLS withdrawal credentials = 0x00 ++ sha256(withdrawal pubkey)[1:]; we use the signing pubkey
  const wc = new Uint8Array(crypto.createHash("sha256").update(pk).digest());
  wc[0] = 0x00;
  entries.push({ pubkey: pk, withdrawalCredentials: wc, balance: MAX_EFFECTIVE_BALANCE });
  ourKeys.push({ index: i, sk, pk });
}

// (3) optional extra validators file in Ephemery format pubkey:wc:balance
if (args["validators-file"]) {
  for (const line of fs.readFileSync(args["validators-file"], "utf8").split("\n")) {
    const l = line.trim();
    if (!l || l.startsWith("#")) continue;
    const [pk, wc, bal] = l.split(":");
    entries.push({
      pubkey: fromHexString(pk.startsWith("0x") ? pk : "0x" + pk),
      withdrawalCredentials: fromHexString(wc.startsWith("0x") ? wc : "0x" + wc),
      balance: Number(bal),
    });
  }
}

// ---- build the state (fields in spec order; everything not set stays zero/default)
const state = ssz.altair.BeaconState.defaultViewDU();
state.genesisTime = genesisTime;
// genesis_validators_root is set below after validators
state.slot = GENESIS_SLOT;
state.fork = ssz.phase0.Fork.toViewDU({
  previousVersion: config.ALTAIR_FORK_VERSION, // as Lodestar/spec altair genesis: both = ALTAIR
  currentVersion: config.ALTAIR_FORK_VERSION,
  epoch: GENESIS_EPOCH,
});
state.latestBlockHeader = ssz.phase0.BeaconBlockHeader.toViewDU({
  slot: 0, proposerIndex: 0, parentRoot: new Uint8Array(32), stateRoot: new Uint8Array(32),
  bodyRoot: ssz.altair.BeaconBlockBody.hashTreeRoot(ssz.altair.BeaconBlockBody.defaultValue()),
});
// block_roots, state_roots, historical_roots: zero
const emptyDepositRoot = ssz.phase0.DepositDataRootList.hashTreeRoot([]);
state.eth1Data = ssz.phase0.Eth1Data.toViewDU({
  depositRoot: emptyDepositRoot, depositCount: 0, blockHash: eth1BlockHash,
});
// eth1_data_votes: empty; eth1_deposit_index: 0
for (const e of entries) {
  const eff = Math.min(e.balance - (e.balance % EFFECTIVE_BALANCE_INCREMENT), MAX_EFFECTIVE_BALANCE);
  const active = eff === MAX_EFFECTIVE_BALANCE;
  state.validators.push(ssz.phase0.Validator.toViewDU({
    pubkey: e.pubkey,
    withdrawalCredentials: e.withdrawalCredentials,
    effectiveBalance: eff,
    slashed: false,
    activationEligibilityEpoch: active ? GENESIS_EPOCH : FAR_FUTURE_EPOCH,
    activationEpoch: active ? GENESIS_EPOCH : FAR_FUTURE_EPOCH,
    exitEpoch: FAR_FUTURE_EPOCH,
    withdrawableEpoch: FAR_FUTURE_EPOCH,
  }));
  state.balances.push(e.balance);
  state.previousEpochParticipation.push(0);
  state.currentEpochParticipation.push(0);
  state.inactivityScores.push(0);
}
state.randaoMixes = ssz.phase0.RandaoMixes.toViewDU(
  Array.from({ length: EPOCHS_PER_HISTORICAL_VECTOR }, () => eth1BlockHash)
);
// slashings, justification_bits, checkpoints: zero
state.genesisValidatorsRoot = state.validators.hashTreeRoot();
state.commit();

// sync committees (altair): current = next = get_next_sync_committee(state) at slot 0
const activeIndices = [];
const effInc = new Uint16Array(entries.length);
for (let i = 0; i < entries.length; i++) {
  const v = state.validators.getReadonly(i);
  effInc[i] = Math.floor(v.effectiveBalance / EFFECTIVE_BALANCE_INCREMENT);
  if (v.activationEpoch <= GENESIS_EPOCH && GENESIS_EPOCH < v.exitEpoch) activeIndices.push(i);
}
const { syncCommittee, indices: scIndices } = st.getNextSyncCommittee(state, activeIndices, effInc);
state.currentSyncCommittee = ssz.altair.SyncCommittee.toViewDU(syncCommittee);
state.nextSyncCommittee = ssz.altair.SyncCommittee.toViewDU(syncCommittee);
state.commit();

if (activeIndices.length < config.MIN_GENESIS_ACTIVE_VALIDATOR_COUNT) {
  console.error(`WARNING: ${activeIndices.length} active < MIN_GENESIS_ACTIVE_VALIDATOR_COUNT=${config.MIN_GENESIS_ACTIVE_VALIDATOR_COUNT} (only matters for genesis-from-eth1; BN loads the file anyway)`);
}

const bytes = state.serialize();
fs.writeFileSync(path.join(out, "genesis.ssz"), bytes);
const summary = {
  preset: ACTIVE_PRESET,
  genesis_time: genesisTime,
  genesis_validators_root: toHexString(state.genesisValidatorsRoot),
  state_root: toHexString(state.hashTreeRoot()),
  genesis_fork_version: toHexString(config.GENESIS_FORK_VERSION),
  altair_fork_version: toHexString(config.ALTAIR_FORK_VERSION),
  iteration: iteration.toString(),
  dummy_withdrawal_credentials: toHexString(dummyWc),
  validators: entries.length,
  active_validators: activeIndices.length,
  eth1_block_hash: toHexString(eth1BlockHash),
  empty_deposit_root: toHexString(emptyDepositRoot),
  sync_committee_indices: scIndices,
  ssz_bytes: bytes.length,
};
fs.writeFileSync(path.join(out, "genesis.json"), JSON.stringify(summary, null, 2) + "\n");

// ---- keystores (EIP-2335) for our validators
if (args.keystores) {
  const { create, defaultScryptModule, defaultPbkdfModule } = await import("@chainsafe/bls-keystore");
  const pw = args.password ?? "devnet-password";
  const kdfName = args.kdf ?? "scrypt-light";
  fs.mkdirSync(args.keystores, { recursive: true });
  const t0 = Date.now();
  const pubs = [];
  for (const k of ourKeys) {
    let kdf;
    if (kdfName === "scrypt") kdf = defaultScryptModule();
    else if (kdfName === "pbkdf2") kdf = defaultPbkdfModule();
    else { kdf = defaultScryptModule(); kdf.params.n = 16384; } // scrypt-light: n = 2^14
    const ks = await create(pw, k.sk, k.pk, `m/12381/3600/${k.index}/0/0`, "", kdf);
    fs.writeFileSync(path.join(args.keystores, `keystore-${String(k.index).padStart(4, "0")}.json`),
      JSON.stringify(ks));
    pubs.push(toHexString(k.pk));
  }
  if (args["password-file"]) fs.writeFileSync(args["password-file"], pw);
  summary.keystores = { dir: args.keystores, kdf: kdfName, seconds: (Date.now() - t0) / 1000 };
  fs.writeFileSync(path.join(out, "genesis.json"), JSON.stringify(summary, null, 2) + "\n");
  fs.writeFileSync(path.join(out, "pubkeys.txt"), pubs.join("\n") + "\n");
}
console.log(JSON.stringify({
  genesis_time: summary.genesis_time, genesis_validators_root: summary.genesis_validators_root,
  state_root: summary.state_root, validators: summary.validators, keystores: summary.keystores,
}));

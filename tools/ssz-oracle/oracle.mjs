// The SSZ oracle: @lodestar/types (with @chainsafe/ssz) encodes and hashes random BeaconStates and
// SignedBeaconBlocks of every fork for the ssz module's tests, and times its own hash_tree_root for the benchmark.
//
//   node oracle.mjs fixtures <dir> [<corpus dir>]   tests/ssz: every fork x {minimal, mainnet} x {state, block}
//   node oracle.mjs bench-state <file> <fork> <validators>          a mainnet-preset state for the benchmark
//   node oracle.mjs bench-peer <file> <fork> <iterations>           prints the peer's seconds per hash, JSON
//
// @lodestar/params fixes its preset when first imported (from LODESTAR_PRESET), so each preset runs in a child
// process of this script. Values are random but seeded: the same command writes the same files.
import {spawnSync} from "node:child_process";
import {mkdirSync, readFileSync, writeFileSync} from "node:fs";
import {join} from "node:path";
import {fileURLToPath} from "node:url";
import {gzipSync} from "node:zlib";

const forks = ["phase0", "altair", "bellatrix", "capella", "deneb", "electra", "fulu"];
const presets = ["minimal", "mainnet"];
const self = fileURLToPath(import.meta.url);

// xorshift128+ on BigInt-free 32-bit halves: deterministic, fast enough for a few MB.
function makeRandom(seed) {
  let a = seed >>> 0 || 1;
  let b = (seed * 2654435761) >>> 0 || 2;
  const next = () => {
    let t = a ^ (a << 11);
    a = b;
    b = (b ^ (b >>> 19) ^ t ^ (t >>> 8)) >>> 0;
    return b;
  };
  return {
    u32: next,
    below: (n) => (n <= 0 ? 0 : next() % n),
    bytes: (n) => {
      const out = new Uint8Array(n);
      for (let i = 0; i < n; i++) out[i] = next() & 0xff;
      return out;
    },
  };
}

function kindOf(type) {
  if (type.fieldsEntries !== undefined) return "container";
  if (type.limitBits !== undefined) return "bitlist";
  if (type.lengthBits !== undefined) return "bitvector";
  if (type.limitBytes !== undefined) return "bytelist";
  if (type.lengthBytes !== undefined) return "bytevector";
  if (type.elementType !== undefined && type.limit !== undefined) return "list";
  if (type.elementType !== undefined && type.length !== undefined) return "vector";
  if (type.byteLength !== undefined) return type.constructor.name.includes("Bigint") ? "bigint" : "uint";
  if (type.constructor.name === "BooleanType") return "boolean";
  throw new Error(`oracle: unknown SSZ type ${type.constructor.name}`);
}

// A random value of `type`. Lists get 0..maxItems elements; vectors longer than sparseAbove keep their default
// value except a few random entries (so mainnet-size vectors compress in the committed fixtures).
function randomValue(type, rng, opts) {
  switch (kindOf(type)) {
    case "container": {
      const value = {};
      for (const {fieldName, fieldType} of type.fieldsEntries) value[fieldName] = randomValue(fieldType, rng, opts);
      return value;
    }
    case "boolean":
      return rng.below(2) === 1;
    case "uint": {
      if (type.byteLength < 8) return rng.below(2 ** (8 * type.byteLength));
      // Never 2^64 - 1: @chainsafe/ssz's number uints (UintNum64) do not round-trip it (bytes ff..ff decode to a
      // float that re-encodes differently), so Lodestar's roots of such bytes are not the spec's.
      if (rng.below(16) === 0) return 0;
      return rng.u32() * 2 ** 16 + (rng.u32() & 0xffff);  // up to 2^48: exact as a JS number
    }
    case "bigint": {
      let value = 0n;
      for (let i = 0; i < type.byteLength / 4; i++) value = (value << 32n) | BigInt(rng.u32());
      return value;
    }
    case "bytevector":
      return type.lengthBytes > opts.sparseAbove ? sparseBytes(type.lengthBytes, rng) : rng.bytes(type.lengthBytes);
    case "bytelist":
      return rng.bytes(rng.below(Math.min(type.limitBytes, opts.maxBytes) + 1));
    case "bitvector":
      return randomBits(type, type.lengthBits, rng);
    case "bitlist":
      return randomBits(type, rng.below(Math.min(type.limitBits, opts.maxBits) + 1), rng);
    case "vector": {
      const sparse = type.length > opts.sparseAbove;
      const values = [];
      for (let i = 0; i < type.length; i++) {
        values.push(!sparse || rng.below(type.length) < 4 ? randomValue(type.elementType, rng, opts)
                                                          : type.elementType.defaultValue());
      }
      return values;
    }
    case "list": {
      const count = rng.below(Math.min(type.limit, opts.maxItems) + 1);
      const values = [];
      for (let i = 0; i < count; i++) values.push(randomValue(type.elementType, rng, opts));
      return values;
    }
  }
}

function sparseBytes(length, rng) {
  const out = new Uint8Array(length);
  for (let i = 0; i < 4; i++) out[rng.below(length)] = rng.u32() & 0xff;
  return out;
}

function randomBits(type, bitLength, rng) {
  const value = type.defaultValue();
  // BitArray.fromBoolArray, reached through the default value's class so any @chainsafe/ssz copy works.
  const bools = [];
  for (let i = 0; i < bitLength; i++) bools.push(rng.below(2) === 1);
  return value.constructor.fromBoolArray(bools);
}

const hex = (bytes) => "0x" + Buffer.from(bytes).toString("hex");

async function typesFor(fork) {
  const {ssz} = await import("@lodestar/types");
  return {state: ssz[fork].BeaconState, block: ssz[fork].SignedBeaconBlock};
}

// Runs in a child with LODESTAR_PRESET set: one preset's fixtures.
async function writePresetFixtures(preset, dir, corpusDir) {
  const lines = [];
  for (const [index, fork] of forks.entries()) {
    const types = await typesFor(fork);
    for (const kind of ["state", "block"]) {
      const rng = makeRandom(1000 * (presets.indexOf(preset) + 1) + 10 * index + (kind === "state" ? 1 : 2));
      const type = types[kind];
      const value = randomValue(type, rng, {maxItems: 3, maxBytes: 40, maxBits: 70, sparseAbove: 64});
      const bytes = type.serialize(value);
      const name = `${preset}-${fork}-${kind}.ssz.gz`;
      writeFileSync(join(dir, name), gzipSync(bytes, {level: 9}));
      // Roots from the bytes through a tree view, the way a Lodestar node hashes what it downloads; the value
      // path must agree.
      const view = type.deserializeToViewDU(bytes);
      const root = view.hashTreeRoot();
      if (hex(type.hashTreeRoot(value)) !== hex(root)) {
        throw new Error(`oracle: ${name}: the value's root and the tree view's root differ`);
      }
      const fields = [`file=${name}`, `preset=${preset}`, `fork=${fork}`, `kind=${kind}`, `size=${bytes.length}`,
                      `root=${hex(root)}`];
      const u64 = (at) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).readBigUInt64LE(at).toString();
      if (kind === "state") {
        fields.push(`slot=${u64(40)}`, `validators=${view.validators.length}`);
      } else {
        fields.push(`block_root=${hex(view.message.hashTreeRoot())}`, `slot=${u64(100)}`);
      }
      lines.push(fields.join(" "));

      // Fuzz seeds: small minimal-preset values, every list empty, behind the fuzzers' selector byte.
      if (corpusDir && preset === "minimal") {
        const small = randomValue(type, rng, {maxItems: 0, maxBytes: 0, maxBits: 0, sparseAbove: 64});
        const target = kind === "state" ? "beacon_state_fuzz" : "signed_beacon_block_fuzz";
        mkdirSync(join(corpusDir, target), {recursive: true});
        const seed = Buffer.concat([Buffer.from([index]), type.serialize(small)]);
        writeFileSync(join(corpusDir, target, `${preset}-${fork}.ssz`), seed);
      }
    }
  }
  return lines;
}

async function main() {
  const [command, ...args] = process.argv.slice(2);
  if (command === "fixtures") {
    const [dir, corpusDir] = args;
    mkdirSync(dir, {recursive: true});
    const lines = [];
    for (const preset of presets) {
      const child = spawnSync(process.execPath, [self, "fixtures-preset", preset, dir, corpusDir ?? ""], {
        env: {...process.env, LODESTAR_PRESET: preset},
        encoding: "utf8",
        stdio: ["ignore", "pipe", "inherit"],
      });
      if (child.status !== 0) throw new Error(`oracle: the ${preset} child failed`);
      lines.push(...child.stdout.trim().split("\n"));
    }
    const {version} = JSON.parse(readFileSync(new URL("./node_modules/@lodestar/types/package.json", import.meta.url)));
    const header = `# Made by tools/ssz-oracle (node oracle.mjs fixtures ...) with @lodestar/types ${version}: one value per line.\n`;
    writeFileSync(join(dir, "fixtures.txt"), header + lines.join("\n") + "\n");
    console.error(`oracle: wrote ${lines.length} fixtures to ${dir}`);
  } else if (command === "fixtures-preset") {
    const [preset, dir, corpusDir] = args;
    const lines = await writePresetFixtures(preset, dir, corpusDir || undefined);
    process.stdout.write(lines.join("\n") + "\n");
  } else if (command === "bench-state") {
    // A mainnet-size state: `validators` random validators, balances, participation and inactivity scores.
    const [file, fork, count] = args;
    const {state} = await typesFor(fork);
    const rng = makeRandom(7);
    const value = randomValue(state, rng, {maxItems: 3, maxBytes: 40, maxBits: 70, sparseAbove: 1 << 30});
    const n = Number(count);
    const validatorType = state.fields.validators.elementType;
    value.validators = Array.from({length: n}, () => randomValue(validatorType, rng, {}));
    value.balances = Array.from({length: n}, () => 32e9 + rng.below(1e9));
    if (value.inactivityScores) {
      value.inactivityScores = Array.from({length: n}, () => rng.below(100));
      value.previousEpochParticipation = Array.from({length: n}, () => rng.below(8));
      value.currentEpochParticipation = Array.from({length: n}, () => rng.below(8));
    }
    const bytes = state.serialize(value);
    writeFileSync(file, bytes);
    console.log(JSON.stringify({bytes: bytes.length, root: hex(state.deserializeToViewDU(bytes).hashTreeRoot())}));
  } else if (command === "bench-peer") {
    // The fastest way @chainsafe/ssz offers from bytes to root: deserialize to a tree view, hash it.
    const [file, fork, iterations] = args;
    const {state} = await typesFor(fork);
    const bytes = readFileSync(file);
    let root;
    const times = [];
    for (let i = 0; i < Number(iterations); i++) {
      const started = process.hrtime.bigint();
      root = state.deserializeToViewDU(bytes).hashTreeRoot();
      times.push(Number(process.hrtime.bigint() - started) / 1e9);
    }
    times.sort((x, y) => x - y);
    console.log(JSON.stringify({bytes: bytes.length, root: hex(root), seconds: times[Math.floor(times.length / 2)]}));
  } else {
    console.error("usage: node oracle.mjs fixtures <dir> [<corpus dir>] | bench-state <file> <fork> <validators> |" +
                  " bench-peer <file> <fork> <iterations>");
    process.exit(2);
  }
}

await main();

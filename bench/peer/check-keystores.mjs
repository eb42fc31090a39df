// The peer of bench/keystore_bench.cpp: decrypts every keystore of a directory with @chainsafe/bls-keystore,
// as a JavaScript tool checking a validator's keys would, and prints {"keys": N, "seconds": S} on stdout.
//
//   node check-keystores.mjs DIRECTORY [--password-file FILE]
//
// Without --password-file, each NAME.json is decrypted with the password in NAME.txt beside it. A wrong
// password (checksum mismatch) or an invalid keystore makes it exit 1.
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { performance } from "node:perf_hooks";

import { Keystore } from "@chainsafe/bls-keystore";

// Validator clients drop the password file's trailing line ending; so does this peer.
const passwordFromFile = async (path) => (await readFile(path, "utf8")).replace(/\r?\n$/, "");

const decryptOne = async (directory, name, sharedPassword) => {
  const keystore = Keystore.parse(await readFile(join(directory, name), "utf8"));
  const password = sharedPassword ?? (await passwordFromFile(join(directory, name.replace(/\.json$/, ".txt"))));
  const secret = await keystore.decrypt(password); // throws when the checksum does not match
  if (secret.length !== 32) throw new Error(`${name}: the decrypted secret is ${secret.length} bytes, not 32`);
};

const main = async () => {
  const [directory, flag, passwordFile] = process.argv.slice(2);
  if (directory === undefined || (flag !== undefined && (flag !== "--password-file" || passwordFile === undefined))) {
    console.error("usage: node check-keystores.mjs DIRECTORY [--password-file FILE]");
    process.exit(2);
  }
  const started = performance.now();
  const sharedPassword = passwordFile === undefined ? undefined : await passwordFromFile(passwordFile);
  const names = (await readdir(directory)).filter((name) => name.endsWith(".json")).sort();
  // All at once, as a JavaScript user would: the library's decrypt is async. (Under Node it calls
  // crypto.scryptSync and pbkdf2Sync, so the derivations still run one after another on this thread.)
  await Promise.all(names.map((name) => decryptOne(directory, name, sharedPassword)));
  const seconds = (performance.now() - started) / 1000;
  process.stdout.write(`${JSON.stringify({ keys: names.length, seconds })}\n`);
};

main().catch((error) => {
  console.error(`check-keystores: ${error.message}`);
  process.exit(1);
});

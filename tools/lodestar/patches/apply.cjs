#!/usr/bin/env node
// Applies our patches (patches.cjs) to an installed Lodestar: exact-text replacements in node_modules.
//
//   node patches/apply.cjs [NODE_MODULES]           patch (default: ../node_modules next to this folder)
//   node patches/apply.cjs --check [NODE_MODULES]   change nothing; exit 1 unless every patch is applied
//
// Idempotent: an edit whose patched text is already in the file is skipped. Fails (exit 1, naming the file
// and the patch, nothing written) when a file holds neither the original text (exactly once) nor the
// patched text, so a changed pin can never run unpatched. All files are checked before any is written.
"use strict";

const fs = require("node:fs");
const path = require("node:path");

const MARKER = (name) => `/* ephemery patch: ${name} */`;

function fail(msg) {
  console.error(`patches/apply.cjs: ${msg}`);
  process.exit(1);
}

function count(haystack, needle) {
  let n = 0;
  for (let i = haystack.indexOf(needle); i !== -1; i = haystack.indexOf(needle, i + needle.length)) n++;
  return n;
}

function main() {
  const args = process.argv.slice(2);
  const check = args[0] === "--check";
  if (check) args.shift();
  if (args.length > 1 || (args[0] || "").startsWith("-")) fail("usage: apply.cjs [--check] [NODE_MODULES]");
  const nodeModules = path.resolve(args[0] || path.join(__dirname, "..", "node_modules"));
  const patches = require("./patches.cjs");

  const files = new Map(); // relative path -> {abs, text, changed}
  let applied = 0;
  let already = 0;
  for (const patch of patches) {
    if (!patch.name || !patch.why || !Array.isArray(patch.edits) || patch.edits.length === 0) {
      fail(`patch ${JSON.stringify(patch.name)}: needs name, why and edits`);
    }
    patch.edits.forEach((edit, i) => {
      const where = `patch "${patch.name}" (edit ${i + 1}/${patch.edits.length}) in node_modules/${edit.file}`;
      if (!edit.patched.includes(MARKER(patch.name))) fail(`${where}: the patched text lacks ${MARKER(patch.name)}`);
      if (edit.original.includes(MARKER(patch.name))) fail(`${where}: the original text holds the marker`);
      if (!files.has(edit.file)) {
        const abs = path.join(nodeModules, edit.file);
        if (!fs.existsSync(abs)) fail(`${where}: file not found (${abs}); is Lodestar installed?`);
        files.set(edit.file, { abs, text: fs.readFileSync(abs, "utf8"), changed: false });
      }
      const f = files.get(edit.file);
      if (f.text.includes(edit.patched)) {
        already++;
        return;
      }
      const n = count(f.text, edit.original);
      if (n !== 1) {
        fail(
          `${where}: neither the patched text nor the original text ` +
            (n === 0 ? "was found" : `(found ${n} times, expected once)`) +
            `; the installed Lodestar differs from the pinned 1.5.1 (or the file was edited): ` +
            `fix tools/lodestar/patches/patches.cjs`,
        );
      }
      if (check) fail(`${where}: not applied (run scripts/install-lodestar)`);
      // Function replacement: the texts are literal ("$&" etc. must not be interpreted).
      f.text = f.text.replace(edit.original, () => edit.patched);
      f.changed = true;
      applied++;
    });
  }

  for (const [rel, f] of files) {
    if (!f.changed) continue;
    const mode = fs.statSync(f.abs).mode & 0o777;
    const tmp = `${f.abs}.ephemery-patch.tmp`;
    fs.writeFileSync(tmp, f.text, { mode });
    fs.renameSync(tmp, f.abs);
    console.log(`patches/apply.cjs: patched node_modules/${rel}`);
  }
  const names = patches.map((p) => p.name).join(", ");
  console.log(
    `patches/apply.cjs: ${patches.length} patches (${names}): ${applied} edits applied, ${already} already in place`,
  );
}

main();

#!/usr/bin/env node
// Derives the npm "overrides" of ../package.json from upstream Lodestar's yarn.lock at tag v1.5.1, so that
// `npm install` resolves every package of @chainsafe/lodestar@1.5.1 to the version upstream shipped with.
// Without the pins, caret ranges pick 2024-25 releases of the libp2p stack that do not run with 1.5.1.
//
// usage:
//   node derive-overrides.cjs SOURCE_DIR            print what would change, write nothing
//   node derive-overrides.cjs SOURCE_DIR --write    replace "overrides" in ../package.json
//   node derive-overrides.cjs SOURCE_DIR --verify   check ../package-lock.json against the pins
// SOURCE_DIR holds yarn.lock and packages/*/package.json of github.com/ChainSafe/lodestar at tag v1.5.1
// (README.md says how to get them).
"use strict";
const fs = require("node:fs");
const path = require("node:path");

// npm's own copy of semver: the same range logic npm applies to override keys, and no install needed.
const semver = require(path.join(path.dirname(process.execPath), "..", "lib", "node_modules", "npm", "node_modules",
                                 "semver"));

const recipeDir = path.join(__dirname, "..");
const rootPackage = "@chainsafe/lodestar";

// yarn v1 lockfile: "name@range, name@range2:" headers, then "  version ..." and indented dependency maps.
function parseYarnLock(text) {
  const resolutions = new Map();  // "name@range" -> {version, tarballPackage, dependencies}
  let entry = null;
  let section = null;
  for (const line of text.split("\n")) {
    if (line === "" || line.startsWith("#")) continue;
    if (!line.startsWith(" ")) {
      entry = {version: null, tarballPackage: null, dependencies: new Map()};
      for (const spec of line.replace(/:$/, "").split(", ")) resolutions.set(spec.replace(/^"|"$/g, ""), entry);
      section = null;
    } else if (line.startsWith("    ")) {
      if (section !== "dependencies" && section !== "optionalDependencies") continue;
      const match = /^\s+"?([^"\s]+)"?\s+"?([^"]*)"?$/.exec(line);
      if (!match) throw new Error(`yarn.lock: cannot read dependency line: ${line}`);
      entry.dependencies.set(match[1], match[2]);
    } else {
      const match = /^  (\w+):?\s*"?([^"]*)"?$/.exec(line);
      if (!match) throw new Error(`yarn.lock: cannot read line: ${line}`);
      section = match[1];
      if (section === "version") entry.version = match[2];
      if (section === "resolved") entry.tarballPackage = /^https?:\/\/[^/]+\/(.+?)\/-\//.exec(match[2])?.[1];
    }
  }
  return resolutions;
}

// Production closure of the CLI package: workspace packages (not in yarn.lock, linked by yarn) are followed
// through their package.json; everything else through yarn.lock. devDependencies are left out.
function closureOf(sourceDir) {
  const resolutions = parseYarnLock(fs.readFileSync(path.join(sourceDir, "yarn.lock"), "utf8"));
  const workspaces = new Map();
  for (const folder of fs.readdirSync(path.join(sourceDir, "packages"))) {
    const manifest = JSON.parse(fs.readFileSync(path.join(sourceDir, "packages", folder, "package.json"), "utf8"));
    workspaces.set(manifest.name, manifest);
  }
  const locked = new Map();  // name -> Map(range -> version)
  const workspaceVersions = new Map();
  const aliases = new Map();  // name -> the package whose tarball yarn installed under that name
  const pending = [[rootPackage, "*"]];
  const missing = [];
  while (pending.length > 0) {
    const [name, range] = pending.pop();
    let dependencies;
    if (workspaces.has(name)) {
      if (workspaceVersions.has(name)) continue;
      const manifest = workspaces.get(name);
      workspaceVersions.set(name, manifest.version);
      dependencies = Object.entries({...manifest.dependencies, ...manifest.optionalDependencies});
    } else {
      if (locked.get(name)?.has(range)) continue;
      const entry = resolutions.get(`${name}@${range}`);
      if (!entry) {
        missing.push(`${name}@${range}`);
        continue;
      }
      if (!locked.has(name)) locked.set(name, new Map());
      locked.get(name).set(range, entry.version);
      // yarn installs the tarball named in "resolved", which for node-fetch is a fork under another name.
      if (entry.tarballPackage && entry.tarballPackage !== name) aliases.set(name, entry.tarballPackage);
      dependencies = [...entry.dependencies];
    }
    for (const [dependency, dependencyRange] of dependencies) pending.push([dependency, dependencyRange]);
  }
  if (missing.length > 0) throw new Error(`yarn.lock has no entry for: ${missing.join(", ")}`);
  workspaceVersions.delete(rootPackage);  // the root is our own dependency, pinned in package.json
  return {locked, workspaceVersions, aliases};
}

// Versions upstream locked that the registry no longer serves, or that do not build on Node 20.
function readSubstitutions() {
  const file = JSON.parse(fs.readFileSync(path.join(__dirname, "substitutions.json"), "utf8"));
  return new Map(Object.entries(file.substitutions).map(([lockedSpec, {use}]) => [lockedSpec, use]));
}

function deriveOverrides(sourceDir) {
  const {locked, workspaceVersions, aliases} = closureOf(sourceDir);
  const substitutions = readSubstitutions();
  const used = new Set();
  const substitute = (name, version) => {
    const key = `${name}@${version}`;
    if (!substitutions.has(key)) return version;
    used.add(key);
    return substitutions.get(key);
  };

  const overrides = {};
  for (const [name, version] of [...workspaceVersions].sort()) overrides[name] = version;
  const conflicts = [];
  for (const name of [...locked.keys()].sort()) {
    const ranges = [...locked.get(name)].map(([range, version]) => ({range, version: substitute(name, version)}));
    if (new Set(ranges.map((pin) => pin.version)).size === 1) {
      const version = ranges[0].version;
      overrides[name] = aliases.has(name) ? `npm:${aliases.get(name)}@${version}` : version;
      continue;
    }
    if (aliases.has(name)) throw new Error(`${name}: an aliased package with several versions is not supported`);
    // Several versions of one package: npm applies the FIRST "name@range" key whose range intersects the
    // range a dependant asks for, so narrower keys must come before wider ones.
    const breadth = (range) => ranges.filter((pin) => semver.satisfies(pin.version, range)).length;
    ranges.sort((a, b) => breadth(a.range) - breadth(b.range) || a.range.localeCompare(b.range));
    for (const pin of ranges) overrides[`${name}@${pin.range}`] = pin.version;
    // Where ranges overlap, some dependants get another version that upstream also locked; --verify checks
    // that every installed version is one of upstream's.
    for (const pin of ranges) {
      const applied = ranges.find((candidate) => semver.intersects(pin.range, candidate.range));
      if (applied.version !== pin.version) {
        conflicts.push(`${name}@${pin.range} wants ${pin.version} but key ${name}@${applied.range} gives ` +
                       `${applied.version}`);
      }
    }
  }
  const unused = [...substitutions.keys()].filter((key) => !used.has(key));
  if (unused.length > 0) throw new Error(`substitutions.json names versions not in the closure: ${unused}`);
  return {overrides, locked, workspaceVersions, aliases, substitutions, conflicts};
}

// Every package npm installed must carry a version the pins allow for its name.
function verifyLockfile({locked, workspaceVersions, aliases, substitutions}) {
  const allowed = new Map();
  for (const [name, version] of workspaceVersions) allowed.set(name, new Set([version]));
  for (const [name, ranges] of locked) {
    allowed.set(name, new Set([...ranges.values()].map((v) => substitutions.get(`${name}@${v}`) ?? v)));
  }
  allowed.set(rootPackage, new Set(["1.5.1"]));
  const lock = JSON.parse(fs.readFileSync(path.join(recipeDir, "package-lock.json"), "utf8"));
  const problems = [];
  let checked = 0;
  for (const [location, entry] of Object.entries(lock.packages)) {
    // Bundled dependencies ship inside their parent's tarball; the parent's pin covers them.
    if (location === "" || entry.inBundle) continue;
    const name = location.slice(location.lastIndexOf("node_modules/") + "node_modules/".length);
    checked += 1;
    if ((entry.name ?? name) !== (aliases.get(name) ?? name)) {
      problems.push(`${location}: is ${entry.name ?? name}, upstream installed ${aliases.get(name) ?? name}`);
    }
    if (!allowed.has(name)) problems.push(`${location}: ${name} is not in upstream's production closure`);
    else if (!allowed.get(name).has(entry.version)) {
      problems.push(`${location}: ${name}@${entry.version}, pins allow ${[...allowed.get(name)].join(" ")}`);
    }
    if (entry.resolved) problems.push(`${location}: has a resolved URL (see .npmrc)`);
  }
  return {checked, problems};
}

function main() {
  const [sourceDir, mode] = process.argv.slice(2);
  if (!sourceDir || (mode && mode !== "--write" && mode !== "--verify")) {
    console.error("usage: derive-overrides.cjs LODESTAR_V1_5_1_SOURCE_DIR [--write|--verify]");
    process.exit(2);
  }
  const derived = deriveOverrides(sourceDir);
  const manifestPath = path.join(recipeDir, "package.json");
  const manifest = JSON.parse(fs.readFileSync(manifestPath, "utf8"));
  if (mode === "--verify") {
    const {checked, problems} = verifyLockfile(derived);
    for (const problem of problems) console.error(problem);
    console.log(`${checked} packages in package-lock.json, ${problems.length} problems`);
    process.exit(problems.length === 0 ? 0 : 1);
  }
  const before = manifest.overrides ?? {};
  const keys = new Set([...Object.keys(before), ...Object.keys(derived.overrides)]);
  const changed = [...keys].filter((key) => before[key] !== derived.overrides[key]);
  const packages = derived.locked.size + derived.workspaceVersions.size;
  console.log(`${Object.keys(derived.overrides).length} overrides for ${packages} packages; ` +
              `${changed.length} differ from package.json`);
  console.log(`${derived.conflicts.length} locked ranges get another locked version of the same package`);
  for (const key of changed) console.log(`  ${key}: ${before[key] ?? "-"} -> ${derived.overrides[key] ?? "-"}`);
  if (mode === "--write") {
    manifest.overrides = derived.overrides;
    fs.writeFileSync(manifestPath, JSON.stringify(manifest, null, 2) + "\n");
    console.log(`wrote ${manifestPath}`);
  }
}

main();

// The peer of bench/ingest_bench.cpp: the same epoch ingest in plain Node.js (no packages). Reads the three
// beacon-API answers in DIR, JSON.parse, and the aggregation of monitoring::aggregate_epoch, then prints one JSON
// line: its own wall time (read + parse + aggregate, Node's start-up left out), process.resourceUsage().maxRSS and
// the same figures as the C++ side, so the run checks that both computed the same aggregate.
//
//   node ingest-peer.js DIR
'use strict';

const fs = require('fs');
const path = require('path');

const STATUSES = [
  'pending_initialized', 'pending_queued', 'active_ongoing', 'active_exiting', 'active_slashed',
  'exited_unslashed', 'exited_slashed', 'withdrawal_possible', 'withdrawal_done',
];
const ACTIVE = new Set(['active_ongoing', 'active_exiting', 'active_slashed']);

// An exact sum of non-negative integers below 2^52 (balances in Gwei add up past 2^53).
class ExactSum {
  constructor() { this.big = 0n; this.small = 0; }
  add(value) {
    this.small += value;
    if (this.small >= 2 ** 52) { this.big += BigInt(this.small); this.small = 0; }
  }
  toString() { return (this.big + BigInt(this.small)).toString(); }
}

function readData(dir, name) {
  return JSON.parse(fs.readFileSync(path.join(dir, name), 'utf8')).data;
}

// Validator index -> position; the first row of a duplicated index wins.
function positions(indices) {
  let largest = -1;
  for (const index of indices) if (index > largest) largest = index;
  const table = new Int32Array(largest + 1).fill(-1);
  for (let row = 0; row < indices.length; ++row) if (table[indices[row]] === -1) table[indices[row]] = row;
  return (index) => (index < table.length ? table[index] : -1);
}

function newSums() {
  return {
    validators: 0, head: 0, target: 0, source: 0, inactivity: 0,
    positive_head: 0, positive_target: 0, positive_source: 0,
    matched_validators: 0, matched_total: 0, matched_ideal: 0,
  };
}

function addReward(sums, reward, effectiveBalance, idealTotals) {
  const head = Number(reward.head);
  const target = Number(reward.target);
  const source = Number(reward.source);
  const inclusionDelay = reward.inclusion_delay === undefined ? 0 : Number(reward.inclusion_delay);
  const inactivity = Number(reward.inactivity);
  sums.validators += 1;
  sums.head += head;
  sums.target += target;
  sums.source += source;
  sums.inactivity += inactivity;
  if (head > 0) sums.positive_head += 1;
  if (target > 0) sums.positive_target += 1;
  if (source > 0) sums.positive_source += 1;
  if (effectiveBalance === undefined) return;
  const ideal = idealTotals.get(effectiveBalance);
  if (ideal === undefined) return;
  sums.matched_validators += 1;
  sums.matched_total += head + target + source + inclusionDelay + inactivity;
  sums.matched_ideal += ideal;
}

function addSums(figures, prefix, sums) {
  for (const [name, value] of Object.entries(sums)) figures[prefix + name] = String(value);
}

function watchedGroups(count) {
  const first = [];
  for (let i = 0; i < Math.min(64, count); ++i) first.push(i);
  const every = [];
  for (let i = 0; i < count; i += 1000) every.push(i);
  return [
    {label: 'first_64', indices: first},
    {label: 'every_1000th', indices: every},
    {label: 'unknown', indices: [count, count + 1, count + 1000]},
  ];
}

function main(dir) {
  const start = process.hrtime.bigint();
  const validators = readData(dir, 'validators.json');
  const balances = readData(dir, 'balances.json');
  const rewards = readData(dir, 'rewards.json');

  const figures = {};
  const statusCounts = new Map(STATUSES.map((status) => [status, 0]));
  const effective = new ExactSum();
  let pubkeyBytes = 0;
  let slashed = 0;
  let activationEpochs = 0;
  const validatorIndices = new Array(validators.length);
  const effectiveBalances = new Float64Array(validators.length);
  for (let row = 0; row < validators.length; ++row) {
    const element = validators[row];
    const validator = element.validator;
    validatorIndices[row] = Number(element.index);
    statusCounts.set(element.status, statusCounts.get(element.status) + 1);
    const effectiveBalance = Number(validator.effective_balance);
    effectiveBalances[row] = effectiveBalance;
    effective.add(effectiveBalance);
    pubkeyBytes += parseInt(validator.pubkey.slice(96, 98), 16);
    if (validator.slashed) slashed += 1;
    const activation = validator.activation_epoch;
    activationEpochs += activation.length > 15 ? Number(BigInt(activation) % 1000003n) : Number(activation) % 1000003;
  }
  figures.pubkey_last_byte_sum = String(pubkeyBytes);
  figures.slashed = String(slashed);
  figures.activation_epoch_mod_sum = String(activationEpochs);
  figures.validators = String(validators.length);
  let active = 0;
  for (const status of STATUSES) {
    figures['status.' + status] = String(statusCounts.get(status));
    if (ACTIVE.has(status)) active += statusCounts.get(status);
  }
  figures.active = String(active);
  const balanceRows = balances.length > 0 ? balances : validators;
  const total = new ExactSum();
  for (const element of balanceRows) total.add(Number(element.balance));
  figures.balances = String(balanceRows.length);
  figures.total_balance = total.toString();
  figures.total_effective_balance = effective.toString();

  const idealTotals = new Map();
  for (const ideal of rewards.ideal_rewards) {
    const key = Number(ideal.effective_balance);
    if (idealTotals.has(key)) continue;
    idealTotals.set(key, Number(ideal.head) + Number(ideal.target) + Number(ideal.source) +
                             (ideal.inclusion_delay === undefined ? 0 : Number(ideal.inclusion_delay)) +
                             Number(ideal.inactivity));
  }
  const validatorRow = positions(validatorIndices);
  const totalRewards = rewards.total_rewards;
  const sums = newSums();
  const rewardIndices = new Array(totalRewards.length);
  for (let row = 0; row < totalRewards.length; ++row) {
    const reward = totalRewards[row];
    const index = Number(reward.validator_index);
    rewardIndices[row] = index;
    const position = validatorRow(index);
    addReward(sums, reward, position === -1 ? undefined : effectiveBalances[position], idealTotals);
  }
  addSums(figures, 'rewards.', sums);

  const balanceRow = positions(balances.map((element) => Number(element.index)));
  const rewardRow = positions(rewardIndices);
  for (const group of watchedGroups(validators.length)) {
    const prefix = 'group.' + group.label + '.';
    let found = 0, missing = 0, groupActive = 0, rewardSum = 0, idealSum = 0;
    const groupBalance = new ExactSum();
    const groupEffective = new ExactSum();
    const groupSums = newSums();
    for (const index of group.indices) {
      const position = validatorRow(index);
      let balance = 0;
      let effectiveBalance;
      if (position !== -1) {
        found += 1;
        const element = validators[position];
        balance = Number(element.balance);
        effectiveBalance = effectiveBalances[position];
        if (ACTIVE.has(element.status)) groupActive += 1;
      } else {
        missing += 1;
      }
      const balancePosition = balanceRow(index);
      if (balancePosition !== -1) balance = Number(balances[balancePosition].balance);
      if (position !== -1) {
        groupBalance.add(balance);
        groupEffective.add(effectiveBalance);
      }
      const rewardPosition = rewardRow(index);
      if (rewardPosition === -1) continue;
      const reward = totalRewards[rewardPosition];
      rewardSum += Number(reward.head) + Number(reward.target) + Number(reward.source) +
                   (reward.inclusion_delay === undefined ? 0 : Number(reward.inclusion_delay)) +
                   Number(reward.inactivity);
      if (position !== -1 && idealTotals.has(effectiveBalance)) idealSum += idealTotals.get(effectiveBalance);
      addReward(groupSums, reward, effectiveBalance, idealTotals);
    }
    figures[prefix + 'found'] = String(found);
    figures[prefix + 'missing'] = String(missing);
    figures[prefix + 'active'] = String(groupActive);
    figures[prefix + 'total_balance'] = groupBalance.toString();
    figures[prefix + 'total_effective_balance'] = groupEffective.toString();
    addSums(figures, prefix + 'rewards.', groupSums);
    figures[prefix + 'validator_reward_sum'] = String(rewardSum);
    figures[prefix + 'validator_ideal_sum'] = String(idealSum);
  }
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const usage = process.resourceUsage();
  const cpu_seconds = (usage.userCPUTime + usage.systemCPUTime) / 1e6;
  process.stdout.write(JSON.stringify({seconds, cpu_seconds, max_rss_kib: usage.maxRSS, figures}) + '\n');
}

if (process.argv.length !== 3) {
  process.stderr.write('usage: node ingest-peer.js DIR\n');
  process.exit(2);
}
main(process.argv[2]);

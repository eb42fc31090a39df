#include "collector/collector.hpp"

#include "checkpoint/json_ssz.hpp"
#include "infra/clock.hpp"
#include "infra/files.hpp"
#include "monitoring/assess.hpp"
#include "monitoring/blocks.hpp"
#include "monitoring/participation.hpp"
#include "ssz/beacon.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <charconv>
#include <map>
#include <set>

namespace ephemery::collector {
namespace {

constexpr std::size_t max_state_bytes = std::size_t{4} << 30U;
constexpr std::uint64_t data_dir_measure_every = 8;  // epochs: walking a big data dir is not free

std::optional<std::uint64_t> spec_number(const std::map<std::string, std::string, std::less<>>& spec,
                                         std::string_view key) {
    const auto found = spec.find(key);
    if (found == spec.end()) return std::nullopt;
    std::uint64_t value = 0;
    const auto& text = found->second;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (error != std::errc{} || end != text.data() + text.size()) return std::nullopt;
    return value;
}

std::uint64_t directory_bytes(const std::filesystem::path& directory) {
    std::uint64_t total = 0;
    std::error_code error;
    for (std::filesystem::recursive_directory_iterator it(
             directory, std::filesystem::directory_options::skip_permission_denied, error);
         !error && it != std::filesystem::recursive_directory_iterator(); it.increment(error)) {
        std::error_code size_error;
        if (it->is_regular_file(size_error)) {
            const auto size = it->file_size(size_error);
            if (!size_error) total += size;
        }
    }
    return total;
}

// What the collector knows about the chain it follows; replaced when the genesis changes (a reset).
struct ChainContext {
    beacon::Genesis genesis;
    std::uint64_t iteration{0};
    std::uint64_t seconds_per_slot{12};
    std::uint64_t slots_per_epoch{32};
    std::uint64_t epochs_per_sync_period{0};  // 0: the node did not say; sync participation stays unknown
    ssz::ForkSchedule forks;
    ssz::ConsensusPreset preset;
    std::optional<monitoring::WatchList> watch;
    std::map<std::uint64_t, std::vector<beacon::ProposerDuty>> proposer_duties;  // by epoch
    std::map<std::string, monitoring::ValidatorEpoch, std::less<>> latest;       // by pubkey
    std::optional<std::uint64_t> last_judged;
    // The sync committees' members by position, by sync-committee period, from the states judged so far.
    std::map<std::uint64_t, std::vector<std::optional<std::uint64_t>>> sync_committees;
    bool rewards_api_missing{false};
    bool liveness_api_missing{false};
    bool committees_swapped{false};  // logged once
    std::uint64_t data_dir_bytes{0};
};

}  // namespace

struct Collector::State {
    CollectorSettings settings;
    SampleSink sink;
    beacon::BeaconClient beacon;
    std::optional<beacon::ExecutionClient> execution;
    std::optional<history::HistoryStore> store;
    std::optional<ChainContext> chain;
    std::int64_t last_retention{0};

    mutable std::mutex mutex;  // guards what the API thread reads
    monitoring::EpochSnapshot latest_snapshot;
    std::vector<monitoring::Sample> latest_samples;
    std::optional<std::pair<std::uint64_t, std::uint64_t>> position;  // iteration, wall-clock epoch
    CollectorCounters counters;

    State(CollectorSettings s, SampleSink k) : settings(std::move(s)), sink(std::move(k)), beacon(settings.beacon_url) {
        if (!settings.execution_url.empty()) execution.emplace(settings.execution_url);
    }

    std::int64_t now() const { return settings.clock ? settings.clock() : infra::unix_now(); }

    Status refresh_chain() {
        auto genesis = beacon.genesis();
        if (!genesis) return genesis.error();
        if (chain && chain->genesis.genesis_validators_root == genesis->genesis_validators_root) return {};
        auto spec = beacon.spec();
        if (!spec) return spec.error();
        ChainContext context;
        context.genesis = *genesis;
        const auto iteration = settings.iteration_of
                                   ? settings.iteration_of(static_cast<std::int64_t>(genesis->genesis_time))
                                   : std::nullopt;
        context.iteration = iteration.value_or(0);
        const auto seconds = spec_number(*spec, "SECONDS_PER_SLOT");
        const auto slots = spec_number(*spec, "SLOTS_PER_EPOCH");
        if (!seconds || !slots || *seconds == 0 || *slots == 0) {
            return make_error(Errc::parse_error, fmt::format("{}/eth/v1/config/spec lacks SECONDS_PER_SLOT or "
                                                             "SLOTS_PER_EPOCH as decimal numbers",
                                                             settings.beacon_url));
        }
        context.seconds_per_slot = *seconds;
        context.slots_per_epoch = *slots;
        context.epochs_per_sync_period = spec_number(*spec, "EPOCHS_PER_SYNC_COMMITTEE_PERIOD").value_or(0);
        auto forks = ssz::fork_schedule_from_config(*spec);
        if (!forks) return forks.error();
        context.forks = *forks;
        const auto base = spec->find("PRESET_BASE");
        const std::string preset_name =
            base != spec->end() ? base->second : (*slots == 8 ? std::string("minimal") : std::string("mainnet"));
        auto preset = ssz::preset_by_name(preset_name);
        if (!preset) {
            return make_error(Errc::unsupported, fmt::format("the node runs the {} preset; monitoring knows minimal "
                                                             "and mainnet",
                                                             preset_name));
        }
        context.preset = *preset;
        if (store) {
            auto last = store->last_epoch(context.iteration);
            if (!last) return last.error();
            context.last_judged = *last;
            auto latest = store->latest_validator_records(context.iteration);
            if (!latest) return latest.error();
            context.latest = std::move(*latest);
        }
        spdlog::info("monitoring: following iteration {} (genesis {}, {} s slots, {} slots per epoch, {} preset)",
                     context.iteration, genesis->genesis_time, context.seconds_per_slot, context.slots_per_epoch,
                     context.preset.name);
        chain = std::move(context);
        return {};
    }

    std::uint64_t wall_slot() const {
        const auto genesis_time = static_cast<std::int64_t>(chain->genesis.genesis_time);
        const auto current = now();
        if (current <= genesis_time) return 0;
        return static_cast<std::uint64_t>(current - genesis_time) / chain->seconds_per_slot;
    }

    struct HeadView {
        std::uint64_t head_slot{0};
        std::uint64_t finalized_epoch{0};
        std::optional<std::uint64_t> newest_judgeable;
    };
    // The chain (a new genesis starts a new context), its head and finality, and what can be judged now.
    Result<HeadView> observe() {
        if (auto status = refresh_chain(); !status) return status.error();
        auto syncing = beacon.syncing();
        if (!syncing) return syncing.error();
        auto finality = beacon.finality_checkpoints("head");
        if (!finality) return finality.error();
        return HeadView{syncing->head_slot, finality->finalized.epoch,
                        newest_judgeable(syncing->head_slot, finality->finalized.epoch)};
    }

    // The newest epoch the mode can judge given the head and finality.
    std::optional<std::uint64_t> newest_judgeable(std::uint64_t head_slot, std::uint64_t finalized_epoch) const {
        const std::uint64_t slots = chain->slots_per_epoch;
        if (settings.monitoring.mode == monitoring::Mode::finalized) {
            if (finalized_epoch < 2) return std::nullopt;
            return finalized_epoch - 2;
        }
        // Head mode: half an epoch into epoch E + 1, nearly all of E's attestations are in blocks.
        if (head_slot < slots + slots / 2) return std::nullopt;
        return (head_slot - slots / 2) / slots - 1;
    }

    void cache_proposer_duties(std::uint64_t epoch) {
        if (chain->proposer_duties.contains(epoch)) return;
        auto duties = beacon.proposer_duties(epoch);
        if (!duties) return;  // older nodes answer only for the current epoch; proposals then stay unknown
        chain->proposer_duties[epoch] = std::move(*duties);
        while (chain->proposer_duties.size() > 16) chain->proposer_duties.erase(chain->proposer_duties.begin());
    }

    std::vector<monitoring::ProposalDuty> proposals(std::uint64_t epoch) {
        std::vector<monitoring::ProposalDuty> judged;
        const auto duties = chain->proposer_duties.find(epoch);
        if (duties == chain->proposer_duties.end() || !chain->watch) return judged;
        for (const auto& duty : duties->second) {
            const bool watched = std::any_of(chain->watch->validators.begin(), chain->watch->validators.end(),
                                             [&](const auto& v) { return v.index == duty.validator_index; });
            if (!watched) continue;
            auto header = beacon.header(std::to_string(duty.slot));
            if (header) {
                judged.push_back(monitoring::ProposalDuty{duty.slot, duty.validator_index,
                                                          header->proposer_index == duty.validator_index});
            } else if (header.error().code == Errc::not_found) {
                judged.push_back(monitoring::ProposalDuty{duty.slot, duty.validator_index, false});
            }
        }
        return judged;
    }

    // The node's own attestation rewards for the watched validators; empty when the node lacks the API (then
    // the figures are derived from the state). The ideal reward comes from the same formulas as the derivation.
    Result<std::map<std::uint64_t, monitoring::AttestationFigures>> rewards_from_api(
        std::uint64_t epoch, const monitoring::DerivedEpoch& derived, const monitoring::StateColumns& columns) {
        std::map<std::uint64_t, monitoring::AttestationFigures> figures;
        if (chain->rewards_api_missing || !chain->watch || chain->watch->validators.empty()) return figures;
        auto rewards = beacon.attestation_rewards(epoch, watched_indices());
        if (!rewards) {
            if (rewards.error().code == Errc::not_found) {
                chain->rewards_api_missing = true;
                spdlog::info(
                    "monitoring: the node has no attestation rewards API (HTTP 404); attestation figures "
                    "are derived from the state's participation flags");
                return figures;
            }
            return rewards.error();
        }
        for (const auto& reward : *rewards) {
            if (reward.validator_index >= columns.effective_balances.size()) continue;
            monitoring::ApiReward api;
            api.head = reward.head;
            api.target = reward.target;
            api.source = reward.source;
            api.inactivity = reward.inactivity;
            api.ideal = derived.ideal_reward(columns.effective_balances[reward.validator_index]);
            figures[reward.validator_index] = monitoring::figures_from_rewards_api(api);
        }
        return figures;
    }

    // A state knows its period's sync committee and the next one; epochs judged later look them up here.
    void remember_sync_committees(const monitoring::StateColumns& columns) {
        if (chain->epochs_per_sync_period == 0) return;
        const std::uint64_t period = columns.slot / chain->slots_per_epoch / chain->epochs_per_sync_period;
        for (const auto& [number, members] : {std::pair{period, &columns.current_sync_committee},
                                              std::pair{period + 1, &columns.next_sync_committee}}) {
            if (!chain->sync_committees.contains(number)) {
                chain->sync_committees[number] = monitoring::sync_committee_indices(*members, columns.pubkeys);
            }
        }
        while (chain->sync_committees.size() > 4) chain->sync_committees.erase(chain->sync_committees.begin());
    }

    // A downloaded scratch file's bytes; the file is removed either way.
    static Result<std::string> take_download(const std::filesystem::path& scratch) {
        auto bytes = infra::read_file(scratch, max_state_bytes);
        std::error_code ignored;
        std::filesystem::remove(scratch, ignored);
        return bytes;
    }

    std::vector<std::uint64_t> watched_indices() const {
        std::vector<std::uint64_t> indices;
        if (!chain->watch) return indices;
        indices.reserve(chain->watch->validators.size());
        for (const auto& validator : chain->watch->validators) indices.push_back(validator.index);
        return indices;
    }

    // The canonical block at `slot`, nullopt for an empty slot. Nodes that answer JSON only get converted.
    Result<std::optional<monitoring::BlockContents>> block_at(std::uint64_t slot) {
        const auto scratch = settings.data_dir / "monitoring-block.part";
        auto download = beacon.download_block(std::to_string(slot), scratch);
        if (!download) {
            if (download.error().code == Errc::not_found) return std::optional<monitoring::BlockContents>{};
            return download.error();
        }
        auto bytes = take_download(scratch);
        if (!bytes) return bytes.error();
        std::vector<std::uint8_t> converted;
        if (download->json) {
            auto ssz_bytes = checkpoint::signed_block_ssz_from_json(*bytes, chain->preset);
            if (!ssz_bytes) {
                return make_error(ssz_bytes.error().code,
                                  fmt::format("{}/eth/v2/beacon/blocks/{}: {}", settings.beacon_url, slot,
                                              ssz_bytes.error().message));
            }
            converted = std::move(*ssz_bytes);
        } else {
            converted.assign(bytes->begin(), bytes->end());
        }
        const auto fork = ssz::fork_at_epoch(chain->forks, slot / chain->slots_per_epoch);
        auto contents = monitoring::read_block_contents(converted, fork, chain->preset);
        if (!contents) return contents.error();
        return std::optional<monitoring::BlockContents>(std::move(*contents));
    }

    struct BlockFigures {
        std::optional<std::map<std::uint64_t, std::uint32_t>> inclusion_delays;
        std::optional<std::map<std::uint64_t, monitoring::SyncParticipation>> sync;
    };
    // Inclusion delays and sync-committee signatures from the blocks of `epoch` and the next epoch (attestations
    // of the epoch can be included until the next one ends). A node that cannot answer leaves them unknown.
    BlockFigures block_figures(std::uint64_t epoch, std::uint64_t state_slot) {
        BlockFigures figures;
        if (!chain->watch || chain->watch->validators.empty()) return figures;
        const auto indices = watched_indices();
        const std::set<std::uint64_t> watched(indices.begin(), indices.end());
        const std::uint64_t slots = chain->slots_per_epoch;
        const std::uint64_t last = std::min(state_slot, (epoch + 2) * slots - 1);
        std::vector<monitoring::BlockContents> blocks;
        for (std::uint64_t slot = epoch * slots; slot <= last; ++slot) {
            auto block = block_at(slot);
            if (!block) {
                spdlog::warn("monitoring: block {} unreadable ({}); epoch {} gets no inclusion delays or sync figures",
                             slot, block.error().message, epoch);
                return figures;
            }
            if (*block) blocks.push_back(std::move(**block));
        }
        // By the judged state's slot, not "head": a head that moved on may no longer shuffle this epoch.
        if (auto committees = beacon.committees(std::to_string(state_slot), epoch)) {
            std::vector<monitoring::SlotCommittee> answer;
            answer.reserve(committees->size());
            for (auto& committee : *committees) {
                answer.push_back({committee.slot, committee.index, std::move(committee.validators)});
            }
            auto checked = monitoring::committees_of_epoch(std::move(answer), epoch, slots);
            if (!checked) {
                spdlog::warn(
                    "monitoring: the node's committees answer for epoch {} does not cover the epoch's slots; "
                    "no inclusion delays",
                    epoch);
            } else {
                if (checked->swapped && !chain->committees_swapped) {
                    spdlog::info(
                        "monitoring: the node answers committees with slot and index swapped (Lodestar "
                        "before 1.6); read the intended way");
                }
                chain->committees_swapped = checked->swapped;
                figures.inclusion_delays =
                    monitoring::inclusion_delays(checked->committees, blocks, epoch, slots, watched);
            }
        } else {
            spdlog::warn("monitoring: the committees of epoch {} are unavailable ({}); no inclusion delays", epoch,
                         committees.error().message);
        }
        if (chain->epochs_per_sync_period > 0) {
            const auto committee = chain->sync_committees.find(epoch / chain->epochs_per_sync_period);
            if (committee != chain->sync_committees.end()) {
                std::vector<monitoring::BlockContents> in_epoch;
                for (const auto& block : blocks) {
                    if (block.slot / slots == epoch) in_epoch.push_back(block);
                }
                figures.sync = monitoring::sync_participation(committee->second, in_epoch, watched);
            }
        }
        return figures;
    }

    // Liveness from the node when it answers (it knows gossip too), else from the votes and proposals.
    std::optional<std::map<std::uint64_t, bool>> liveness_from_api(std::uint64_t epoch) {
        if (chain->liveness_api_missing || !chain->watch || chain->watch->validators.empty()) return std::nullopt;
        auto answer = beacon.liveness(epoch, watched_indices());
        if (!answer) {
            if (answer.error().code == Errc::not_found) chain->liveness_api_missing = true;
            return std::nullopt;  // also for epochs the node no longer tracks (Lodestar: current and previous)
        }
        std::map<std::uint64_t, bool> live;
        for (const auto& entry : *answer) live[entry.index] = entry.is_live;
        return live;
    }

    Result<monitoring::EpochSnapshot> judge(std::uint64_t epoch, std::uint64_t head_slot, bool record) {
        const std::uint64_t slots = chain->slots_per_epoch;
        const std::uint64_t last_slot_of_next = (epoch + 2) * slots - 1;
        const std::string state_id =
            settings.monitoring.mode == monitoring::Mode::head && head_slot <= last_slot_of_next
                ? std::string("head")
                : std::to_string(last_slot_of_next);
        const auto scratch = settings.data_dir / "monitoring-state.ssz.part";
        auto download = beacon.download_state(state_id, scratch);
        if (!download) return download.error();
        auto bytes = take_download(scratch);
        if (!bytes) return bytes.error();
        const std::span<const std::uint8_t> state_bytes(reinterpret_cast<const std::uint8_t*>(bytes->data()),  // NOLINT
                                                        bytes->size());
        auto slot = ssz::peek_state_slot(state_bytes);
        if (!slot) return slot.error();
        const auto fork = ssz::fork_at_epoch(chain->forks, *slot / slots);
        auto columns = monitoring::read_state_columns(state_bytes, fork, chain->preset);
        if (!columns) return columns.error();
        remember_sync_committees(*columns);
        auto derived = monitoring::derive_epoch(*columns, epoch, slots, monitoring::reward_constants(fork));
        if (!derived) return derived.error();

        if (!chain->watch) {
            chain->watch = monitoring::resolve_watch_list(settings.monitoring.validators, columns->pubkeys);
            for (const auto& missing : chain->watch->missing) {
                spdlog::warn("monitoring: validator {} ({}) is not in iteration {}'s registry", missing.pubkey,
                             missing.label, chain->iteration);
            }
            for (const auto& range : chain->watch->out_of_range) {
                spdlog::warn("monitoring: index range {} goes past the registry's {} validators", range,
                             columns->pubkeys.size());
            }
            if (store && record) {
                if (auto status = store->record_missing(chain->iteration, chain->watch->missing); !status) {
                    return status.error();
                }
            }
        }

        monitoring::EpochInputs inputs;
        inputs.iteration = chain->iteration;
        inputs.epoch = epoch;
        inputs.epoch_start_time =
            static_cast<std::int64_t>(chain->genesis.genesis_time + epoch * slots * chain->seconds_per_slot);
        inputs.state = &*columns;
        inputs.previous = &chain->latest;
        auto api = rewards_from_api(epoch, *derived, *columns);
        if (!api) {
            spdlog::warn("monitoring: attestation rewards API failed for epoch {} ({}); using participation flags",
                         epoch, api.error().message);
        }
        const bool from_api = api && !api->empty();
        for (const auto& validator : chain->watch->validators) {
            if (from_api) {
                if (const auto found = api->find(validator.index); found != api->end()) {
                    inputs.figures[validator.index] = found->second;
                    continue;
                }
            }
            inputs.figures[validator.index] = monitoring::figures_from_participation(
                *derived, validator.index, columns->effective_balances[validator.index]);
        }
        cache_proposer_duties(epoch);
        inputs.proposals = proposals(epoch);
        const auto blocks = block_figures(epoch, *slot);  // the blocks the state has seen
        const auto live = liveness_from_api(epoch);
        inputs.inclusion_delays = blocks.inclusion_delays ? &*blocks.inclusion_delays : nullptr;
        inputs.liveness = live ? &*live : nullptr;
        inputs.sync = blocks.sync ? &*blocks.sync : nullptr;

        monitoring::EpochSnapshot snapshot;
        snapshot.validators = monitoring::assess_validators(*chain->watch, inputs);
        snapshot.network = monitoring::network_epoch(chain->iteration, inputs.epoch_start_time, *columns, *derived);
        snapshot.missing = chain->watch->missing;
        snapshot.node = node_epoch(epoch);
        snapshot.node->state_slot = *slot;
        if (record) {
            if (store) {
                if (auto status = store->record_epoch(snapshot.node, snapshot.validators, snapshot.network); !status) {
                    return status.error();
                }
            }
            for (const auto& validator : snapshot.validators) chain->latest[validator.pubkey] = validator;
            chain->last_judged = epoch;
            const std::scoped_lock lock(mutex);
            ++counters.epochs_judged;
            ++(from_api ? counters.rewards_api_epochs : counters.derived_epochs);
        }
        return snapshot;
    }

    monitoring::NodeEpoch node_epoch(std::uint64_t epoch) {
        monitoring::NodeEpoch node;
        node.iteration = chain->iteration;
        node.epoch = epoch;
        node.time = now();
        if (auto syncing = beacon.syncing()) {
            node.head_slot = syncing->head_slot;
            node.sync_distance = syncing->sync_distance;
            node.is_syncing = syncing->is_syncing;
        }
        if (auto peers = beacon.peer_count()) node.peers = peers->connected;
        if (auto finality = beacon.finality_checkpoints("head")) {
            node.finalized_epoch = finality->finalized.epoch;
            node.justified_epoch = finality->current_justified.epoch;
        }
        const std::uint64_t wall = wall_slot();
        node.head_lag_slots = wall > node.head_slot ? wall - node.head_slot : 0;
        const std::uint64_t wall_epoch = wall / chain->slots_per_epoch;
        node.finality_lag_epochs = wall_epoch > node.finalized_epoch ? wall_epoch - node.finalized_epoch : 0;
        if (execution) {
            if (auto syncing = execution->syncing()) node.el_syncing = syncing->syncing;
            if (auto peers = execution->peer_count()) node.el_peers = *peers;
            if (auto block = execution->block_number()) node.el_block = *block;
        }
        if (settings.process_totals) {
            const auto totals = settings.process_totals();
            node.cpu_seconds = totals.cpu_seconds;
            node.resident_bytes = totals.resident_bytes;
        }
        if (chain->data_dir_bytes == 0 || epoch % data_dir_measure_every == 0) {
            chain->data_dir_bytes = directory_bytes(settings.data_dir);
        }
        node.data_dir_bytes = chain->data_dir_bytes;
        return node;
    }

    void publish(monitoring::EpochSnapshot snapshot) {
        const auto samples = monitoring::samples_of(monitoring::monitoring_metrics(snapshot, -1));
        const auto iteration = chain->iteration;
        const auto epoch = snapshot.node ? snapshot.node->epoch : 0;
        {
            const std::scoped_lock lock(mutex);
            latest_snapshot = std::move(snapshot);
            latest_samples = samples;
        }
        if (sink) sink(samples, iteration, epoch);
    }

    // Counted every time; logged as a warning when the reason changes (a node that is still starting fails the
    // same way at every poll).
    void note_error(const Error& error) {
        const std::scoped_lock lock(mutex);
        ++counters.errors;
        if (counters.last_error != error.message) spdlog::warn("monitoring: {}", error.message);
        counters.last_error = error.message;
    }
};

Collector::Collector(std::unique_ptr<State> state) : state_(std::move(state)) {}
Collector::~Collector() = default;

Result<std::unique_ptr<Collector>> Collector::create(CollectorSettings settings, SampleSink sink) {
    auto state = std::make_unique<State>(std::move(settings), std::move(sink));
    if (!state->settings.database.empty()) {
        auto store = history::HistoryStore::open(state->settings.database);
        if (!store) return store.error();
        state->store.emplace(std::move(*store));
    }
    return std::unique_ptr<Collector>(new Collector(std::move(state)));
}

Result<std::size_t> Collector::poll() {
    State& s = *state_;
    auto head = s.observe();
    if (!head) return head.error();
    const std::uint64_t slots = s.chain->slots_per_epoch;
    {
        const std::scoped_lock lock(s.mutex);
        s.position = std::make_pair(s.chain->iteration, s.wall_slot() / slots);
    }
    // The current epoch's only: before an epoch starts its proposers can still change (and nodes such as Lodestar
    // answer only for the current and next epoch, so past epochs are judged from this cache).
    s.cache_proposer_duties(head->head_slot / slots);
    const auto& newest = head->newest_judgeable;
    if (!newest) return std::size_t{0};
    std::uint64_t next = s.chain->last_judged ? *s.chain->last_judged + 1 : 0;
    if (*newest >= s.settings.backfill_epochs && next + s.settings.backfill_epochs <= *newest) {
        next = *newest + 1 - s.settings.backfill_epochs;
    }
    std::size_t judged = 0;
    for (std::uint64_t epoch = next; epoch <= *newest; ++epoch) {
        auto snapshot = s.judge(epoch, head->head_slot, true);
        if (!snapshot) return snapshot.error();
        s.publish(std::move(*snapshot));
        ++judged;
    }
    if (s.store && s.now() - s.last_retention > 3600) {
        s.last_retention = s.now();
        auto retention = s.store->apply_retention(s.now(), s.settings.raw_days, s.settings.monitoring.retention_days);
        if (!retention) return retention.error();
    }
    return judged;
}

Result<monitoring::EpochSnapshot> Collector::judge_once(std::optional<std::uint64_t> epoch) {
    State& s = *state_;
    auto head = s.observe();
    if (!head) return head.error();
    const auto& newest = head->newest_judgeable;
    if (!newest) {
        return make_error(Errc::not_found,
                          fmt::format("no epoch can be judged yet in {} mode (head slot {}, "
                                      "finalized epoch {})",
                                      s.settings.monitoring.mode == monitoring::Mode::head ? "head" : "finalized",
                                      head->head_slot, head->finalized_epoch));
    }
    const std::uint64_t chosen = epoch.value_or(*newest);
    if (chosen > *newest) {
        return make_error(
            Errc::invalid_argument,
            fmt::format("epoch {} cannot be judged yet; the newest judgeable epoch is {}", chosen, *newest));
    }
    s.cache_proposer_duties(chosen);
    return s.judge(chosen, head->head_slot, false);
}

void Collector::record_failure(const Error& error) {
    state_->note_error(error);
}

std::vector<monitoring::MetricFamily> Collector::metric_families() const {
    const std::scoped_lock lock(state_->mutex);
    auto families =
        monitoring::monitoring_metrics(state_->latest_snapshot, state_->settings.monitoring.max_validator_series);
    const auto counter = [&families](const std::string& name, std::string help, std::uint64_t value) {
        families.push_back(monitoring::MetricFamily{
            name, "counter", std::move(help), {monitoring::Sample{name, {}, static_cast<double>(value)}}});
    };
    counter("ephemery_monitor_epochs_judged_total", "epochs the collector judged", state_->counters.epochs_judged);
    counter("ephemery_monitor_errors_total", "collector polls that failed (retried at the next poll)",
            state_->counters.errors);
    return families;
}

std::vector<monitoring::Sample> Collector::latest_samples() const {
    const std::scoped_lock lock(state_->mutex);
    return state_->latest_samples;
}

std::optional<std::pair<std::uint64_t, std::uint64_t>> Collector::clock_position() const {
    const std::scoped_lock lock(state_->mutex);
    return state_->position;
}

CollectorCounters Collector::counters() const {
    const std::scoped_lock lock(state_->mutex);
    return state_->counters;
}

nlohmann::ordered_json Collector::status() const {
    const std::scoped_lock lock(state_->mutex);
    nlohmann::ordered_json status;
    status["epochs_judged"] = state_->counters.epochs_judged;
    status["errors"] = state_->counters.errors;
    status["last_error"] = state_->counters.last_error;
    if (state_->latest_snapshot.node) {
        status["iteration"] = state_->latest_snapshot.node->iteration;
        status["last_epoch"] = state_->latest_snapshot.node->epoch;
    }
    status["watched_validators"] = state_->latest_snapshot.validators.size();
    status["missing_validators"] = state_->latest_snapshot.missing.size();
    return status;
}

nlohmann::ordered_json to_json(const monitoring::NodeEpoch& node) {
    nlohmann::ordered_json document{{"state_slot", node.state_slot},
                                    {"head_slot", node.head_slot},
                                    {"sync_distance", node.sync_distance},
                                    {"is_syncing", node.is_syncing},
                                    {"peers", node.peers},
                                    {"finalized_epoch", node.finalized_epoch},
                                    {"justified_epoch", node.justified_epoch},
                                    {"head_lag_slots", node.head_lag_slots},
                                    {"finality_lag_epochs", node.finality_lag_epochs},
                                    {"data_dir_bytes", node.data_dir_bytes}};
    if (node.el_syncing) document["execution_syncing"] = *node.el_syncing;
    if (node.el_peers) document["execution_peers"] = *node.el_peers;
    return document;
}

nlohmann::ordered_json to_json(const monitoring::ValidatorEpoch& record) {
    const auto or_null = [](const auto& value) -> nlohmann::ordered_json {
        if (!value) return nullptr;
        return *value;
    };
    return {{"label", record.label},
            {"pubkey", record.pubkey},
            {"index", record.index},
            {"status", record.status},
            {"balance_gwei", record.balance},
            {"balance_delta_gwei", record.balance_delta},
            {"figures_from", monitoring::figure_source_name(record.source)},
            {"source", or_null(record.source_hit)},
            {"target", or_null(record.target_hit)},
            {"head", or_null(record.head_hit)},
            {"attestation_reward_gwei", record.attestation_reward},
            {"ideal_attestation_reward_gwei", record.ideal_attestation_reward},
            {"missed_attestations_in_row", record.missed_attestations_in_row},
            {"proposals_made", record.proposals_made},
            {"proposals_missed", record.proposals_missed},
            {"live", or_null(record.live)},
            {"inclusion_delay_slots", or_null(record.inclusion_delay)},
            {"sync_committee_signed", or_null(record.sync_participated)},
            {"sync_committee_missed", or_null(record.sync_missed)}};
}

nlohmann::ordered_json to_json(const monitoring::EpochSnapshot& snapshot) {
    nlohmann::ordered_json document;
    if (snapshot.node) {
        document["iteration"] = snapshot.node->iteration;
        document["epoch"] = snapshot.node->epoch;
        document["node"] = to_json(*snapshot.node);
    }
    if (snapshot.network) {
        document["network"] = {{"active_validators", snapshot.network->active_validators},
                               {"source_participation", snapshot.network->source_participation},
                               {"target_participation", snapshot.network->target_participation},
                               {"head_participation", snapshot.network->head_participation}};
    }
    auto validators = nlohmann::ordered_json::array();
    for (const auto& record : snapshot.validators) validators.push_back(to_json(record));
    document["validators"] = std::move(validators);
    auto missing = nlohmann::ordered_json::array();
    for (const auto& validator : snapshot.missing) {
        missing.push_back({{"label", validator.label}, {"pubkey", validator.pubkey}});
    }
    document["missing_validators"] = std::move(missing);
    return document;
}

}  // namespace ephemery::collector

#include "monitoring/metrics.hpp"

#include <fmt/format.h>

#include <deque>
#include <iterator>
#include <map>
#include <set>
#include <utility>

namespace ephemery::monitoring {
namespace {

using Labels = std::vector<std::pair<std::string, std::string>>;

class Families {
  public:
    MetricFamily& family(std::string name, std::string type, std::string help) {
        families_.push_back(MetricFamily{std::move(name), std::move(type), std::move(help), {}});
        return families_.back();
    }
    std::vector<MetricFamily> take() {
        return {std::make_move_iterator(families_.begin()), std::make_move_iterator(families_.end())};
    }

  private:
    std::deque<MetricFamily> families_;  // references to families stay valid while more are added
};

void add(MetricFamily& family, Labels labels, double value) {
    family.samples.push_back(Sample{family.name, std::move(labels), value});
}

double flag(std::optional<bool> value) {
    return value.value_or(false) ? 1.0 : 0.0;
}

struct LabelTotals {
    std::map<std::string, std::uint64_t> statuses;
    double balance{0};
    double reward{0};
    double ideal{0};
    std::uint64_t missed{0};
    std::array<std::uint64_t, 3> votes{};
    std::uint64_t proposals_made{0};
    std::uint64_t proposals_missed{0};
    std::uint64_t missing{0};
    std::uint64_t live{0};
    std::uint64_t delay_sum{0};  // over the validators whose inclusion delay is known
    std::uint64_t delay_count{0};
    std::uint64_t sync_signed{0};
    std::uint64_t sync_missed{0};
};

void node_families(Families& out, const NodeEpoch& node) {
    const std::array<std::tuple<std::string_view, std::string_view, double>, 11> gauges{{
        {"ephemery_node_head_slot", "the consensus client's head slot", static_cast<double>(node.head_slot)},
        {"ephemery_node_sync_distance_slots", "slots the head is behind the node's own idea of the current slot",
         static_cast<double>(node.sync_distance)},
        {"ephemery_node_syncing", "1 while the consensus client syncs", node.is_syncing ? 1.0 : 0.0},
        {"ephemery_node_peers", "connected consensus peers", static_cast<double>(node.peers)},
        {"ephemery_node_finalized_epoch", "the head state's finalized epoch",
         static_cast<double>(node.finalized_epoch)},
        {"ephemery_node_justified_epoch", "the head state's current justified epoch",
         static_cast<double>(node.justified_epoch)},
        {"ephemery_node_head_lag_slots", "wall-clock slot minus head slot", static_cast<double>(node.head_lag_slots)},
        {"ephemery_node_finality_lag_epochs", "wall-clock epoch minus finalized epoch",
         static_cast<double>(node.finality_lag_epochs)},
        {"ephemery_node_cpu_seconds", "CPU time of all client processes", node.cpu_seconds},
        {"ephemery_node_resident_memory_bytes", "resident memory of all client processes",
         static_cast<double>(node.resident_bytes)},
        {"ephemery_node_data_dir_bytes", "bytes under the node's data dir", static_cast<double>(node.data_dir_bytes)},
    }};
    for (const auto& [name, help, value] : gauges)
        add(out.family(std::string(name), "gauge", std::string(help)), {}, value);
    if (node.el_syncing) {
        add(out.family("ephemery_execution_syncing", "gauge", "1 while the execution client syncs"), {},
            *node.el_syncing ? 1.0 : 0.0);
    }
    if (node.el_peers) {
        add(out.family("ephemery_execution_peers", "gauge", "connected execution peers"), {},
            static_cast<double>(*node.el_peers));
    }
    if (node.el_block) {
        add(out.family("ephemery_execution_block_number", "gauge", "the execution client's latest block"), {},
            static_cast<double>(*node.el_block));
    }
    add(out.family("ephemery_monitor_iteration", "gauge", "the iteration of the last judged epoch"), {},
        static_cast<double>(node.iteration));
    add(out.family("ephemery_monitor_epoch", "gauge", "the last judged epoch"), {}, static_cast<double>(node.epoch));
}

}  // namespace

std::vector<MetricFamily> monitoring_metrics(const EpochSnapshot& snapshot, std::int64_t max_validator_series) {
    Families out;
    if (snapshot.node) node_families(out, *snapshot.node);

    std::map<std::string, LabelTotals> totals;
    for (const auto& record : snapshot.validators) {
        auto& label = totals[record.label];
        ++label.statuses[record.status.empty() ? "unknown" : record.status];
        label.balance += static_cast<double>(record.balance);
        label.reward += static_cast<double>(record.attestation_reward);
        label.ideal += static_cast<double>(record.ideal_attestation_reward);
        if (record.missed_attestations_in_row > 0) ++label.missed;
        label.votes[0] += record.source_hit.value_or(false) ? 1U : 0U;
        label.votes[1] += record.target_hit.value_or(false) ? 1U : 0U;
        label.votes[2] += record.head_hit.value_or(false) ? 1U : 0U;
        label.proposals_made += record.proposals_made;
        label.proposals_missed += record.proposals_missed;
        label.live += record.live.value_or(false) ? 1U : 0U;
        if (record.inclusion_delay) {
            label.delay_sum += *record.inclusion_delay;
            ++label.delay_count;
        }
        label.sync_signed += record.sync_participated.value_or(0);
        label.sync_missed += record.sync_missed.value_or(0);
    }
    for (const auto& missing : snapshot.missing) ++totals[missing.label].missing;

    if (!totals.empty()) {
        auto& validators = out.family("ephemery_validators", "gauge", "watched validators by label and status");
        auto& missing = out.family("ephemery_validators_missing", "gauge",
                                   "configured pubkeys this iteration's validator registry does not have");
        auto& balance =
            out.family("ephemery_validators_balance_gwei", "gauge", "summed balance of the label's validators");
        auto& reward = out.family("ephemery_validators_attestation_reward_gwei", "gauge",
                                  "summed attestation rewards of the last judged epoch");
        auto& ideal = out.family("ephemery_validators_ideal_attestation_reward_gwei", "gauge",
                                 "summed ideal attestation rewards of the last judged epoch");
        auto& effectiveness = out.family("ephemery_validators_attestation_effectiveness_ratio", "gauge",
                                         "attestation rewards over ideal rewards in the last judged epoch");
        auto& missed = out.family("ephemery_validators_missed_attestations", "gauge",
                                  "active validators with no timely vote in the last judged epoch");
        auto& votes = out.family("ephemery_validators_timely_votes", "gauge",
                                 "validators with a timely source, target or head vote in the last judged epoch");
        auto& proposals = out.family("ephemery_validators_proposals", "gauge",
                                     "proposals due in the last judged epoch, made or missed");
        auto& live = out.family("ephemery_validators_live", "gauge",
                                "validators seen attesting or proposing in the last judged epoch");
        auto& delay = out.family("ephemery_validators_mean_inclusion_delay_slots", "gauge",
                                 "mean slots from the attested slot to the first block including the vote");
        auto& sync = out.family("ephemery_validators_sync_committee_blocks", "gauge",
                                "blocks of the last judged epoch the label's sync-committee members signed or missed");
        for (const auto& [label, total] : totals) {
            for (const auto& [status, count] : total.statuses) {
                add(validators, {{"label", label}, {"status", status}}, static_cast<double>(count));
            }
            add(missing, {{"label", label}}, static_cast<double>(total.missing));
            add(balance, {{"label", label}}, total.balance);
            add(reward, {{"label", label}}, total.reward);
            add(ideal, {{"label", label}}, total.ideal);
            if (total.ideal > 0) add(effectiveness, {{"label", label}}, total.reward / total.ideal);
            add(missed, {{"label", label}}, static_cast<double>(total.missed));
            add(votes, {{"label", label}, {"vote", "source"}}, static_cast<double>(total.votes[0]));
            add(votes, {{"label", label}, {"vote", "target"}}, static_cast<double>(total.votes[1]));
            add(votes, {{"label", label}, {"vote", "head"}}, static_cast<double>(total.votes[2]));
            add(proposals, {{"label", label}, {"outcome", "made"}}, static_cast<double>(total.proposals_made));
            add(proposals, {{"label", label}, {"outcome", "missed"}}, static_cast<double>(total.proposals_missed));
            add(live, {{"label", label}}, static_cast<double>(total.live));
            if (total.delay_count > 0) {
                add(delay, {{"label", label}},
                    static_cast<double>(total.delay_sum) / static_cast<double>(total.delay_count));
            }
            add(sync, {{"label", label}, {"outcome", "signed"}}, static_cast<double>(total.sync_signed));
            add(sync, {{"label", label}, {"outcome", "missed"}}, static_cast<double>(total.sync_missed));
        }
    }

    const bool per_validator =
        max_validator_series < 0 || snapshot.validators.size() <= static_cast<std::uint64_t>(max_validator_series);
    if (per_validator && !snapshot.validators.empty()) {
        auto& balance = out.family("ephemery_validator_balance_gwei", "gauge", "the validator's balance");
        auto& delta =
            out.family("ephemery_validator_balance_delta_gwei", "gauge", "balance change over the last judged epoch");
        auto& reward = out.family("ephemery_validator_attestation_reward_gwei", "gauge",
                                  "attestation reward of the last judged epoch (negative: penalty)");
        auto& ideal = out.family("ephemery_validator_ideal_attestation_reward_gwei", "gauge",
                                 "what a perfect validator of the same effective balance earned");
        auto& vote = out.family("ephemery_validator_timely_vote", "gauge",
                                "1 when the validator's vote was included in time in the last judged epoch");
        auto& in_row = out.family("ephemery_validator_missed_attestations_in_row", "gauge",
                                  "consecutive judged epochs with no timely vote, to the last one");
        auto& live = out.family("ephemery_validator_live", "gauge",
                                "1 when the validator was seen attesting or proposing in the last judged epoch");
        auto& delay = out.family("ephemery_validator_inclusion_delay_slots", "gauge",
                                 "slots from the attested slot to the first block including the vote");
        auto& sync = out.family("ephemery_validator_sync_committee_blocks", "gauge",
                                "blocks of the last judged epoch it signed or missed as a sync-committee member");
        for (const auto& record : snapshot.validators) {
            const Labels labels{
                {"label", record.label}, {"pubkey", record.pubkey}, {"index", std::to_string(record.index)}};
            add(balance, labels, static_cast<double>(record.balance));
            add(delta, labels, static_cast<double>(record.balance_delta));
            add(reward, labels, static_cast<double>(record.attestation_reward));
            add(ideal, labels, static_cast<double>(record.ideal_attestation_reward));
            for (const auto& [name, value] : {std::pair<std::string, std::optional<bool>>{"source", record.source_hit},
                                              {"target", record.target_hit},
                                              {"head", record.head_hit}}) {
                Labels with_vote = labels;
                with_vote.emplace_back("vote", name);
                add(vote, std::move(with_vote), flag(value));
            }
            add(in_row, labels, static_cast<double>(record.missed_attestations_in_row));
            if (record.live) add(live, labels, flag(record.live));
            if (record.inclusion_delay) add(delay, labels, static_cast<double>(*record.inclusion_delay));
            if (record.sync_participated && record.sync_missed) {
                for (const auto& [outcome, count] :
                     {std::pair{"signed", *record.sync_participated}, std::pair{"missed", *record.sync_missed}}) {
                    Labels with_outcome = labels;
                    with_outcome.emplace_back("outcome", outcome);
                    add(sync, std::move(with_outcome), static_cast<double>(count));
                }
            }
        }
    }

    if (snapshot.network) {
        const auto& network = *snapshot.network;
        auto& participation = out.family("ephemery_network_participation_ratio", "gauge",
                                         "share of active effective balance with a timely vote (whole network)");
        add(participation, {{"vote", "source"}}, network.source_participation);
        add(participation, {{"vote", "target"}}, network.target_participation);
        add(participation, {{"vote", "head"}}, network.head_participation);
        add(out.family("ephemery_network_active_validators", "gauge", "active validators in the last judged epoch"), {},
            static_cast<double>(network.active_validators));
    }
    return out.take();
}

std::vector<Sample> samples_of(const std::vector<MetricFamily>& families) {
    std::vector<Sample> samples;
    for (const auto& family : families) samples.insert(samples.end(), family.samples.begin(), family.samples.end());
    return samples;
}

std::string escape_label_value(std::string_view value) {
    std::string escaped;
    escaped.reserve(value.size());
    for (const char c : value) {
        if (c == '\\') {
            escaped += "\\\\";
        } else if (c == '"') {
            escaped += "\\\"";
        } else if (c == '\n') {
            escaped += "\\n";
        } else {
            escaped += c;
        }
    }
    return escaped;
}

std::string render_prometheus(const std::vector<MetricFamily>& families) {
    std::string text;
    for (const auto& family : families) {
        text += fmt::format("# HELP {} {}\n# TYPE {} {}\n", family.name, family.help, family.name, family.type);
        for (const auto& sample : family.samples) {
            text += sample.name;
            if (!sample.labels.empty()) {
                text += '{';
                for (std::size_t i = 0; i < sample.labels.size(); ++i) {
                    if (i > 0) text += ',';
                    text +=
                        fmt::format("{}=\"{}\"", sample.labels[i].first, escape_label_value(sample.labels[i].second));
                }
                text += '}';
            }
            text += fmt::format(" {}\n", sample.value);
        }
    }
    return text;
}

}  // namespace ephemery::monitoring

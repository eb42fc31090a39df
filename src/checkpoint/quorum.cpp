#include "checkpoint/quorum.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>

namespace ephemery::checkpoint {

std::string_view verdict_name(Verdict verdict) noexcept {
    switch (verdict) {
        case Verdict::agreeing: return "agreeing";
        case Verdict::disagreeing: return "disagreeing";
        case Verdict::short_of_quorum: return "short of quorum";
        case Verdict::stale: return "stale";
        case Verdict::foreign: return "foreign";
        case Verdict::unreachable: return "unreachable";
    }
    return "unknown";
}

namespace {

std::string describe(const beacon::Checkpoint& checkpoint) {
    return fmt::format("epoch {} root {}", checkpoint.epoch, beacon::root_hex(checkpoint.root));
}

}  // namespace

QuorumDecision decide_quorum(const std::vector<ProviderAnswer>& answers, const ExpectedGenesis& expected,
                             std::size_t quorum) {
    QuorumDecision decision;
    decision.providers.reserve(answers.size());
    // (epoch, root) -> supporters; the map's order makes ties go to the later epoch below.
    std::map<std::pair<std::uint64_t, beacon::Root>, std::vector<std::size_t>> supporters;
    std::size_t valid = 0;
    for (std::size_t i = 0; i < answers.size(); ++i) {
        const auto& answer = answers[i];
        ProviderReport report{.url = answer.url, .verdict = Verdict::unreachable, .detail = {}, .finalized = {}};
        if (!answer.genesis) {
            report.detail = "genesis: " + answer.genesis.error().message;
        } else if (answer.genesis->genesis_time != expected.genesis_time ||
                   answer.genesis->genesis_validators_root != expected.genesis_validators_root) {
            report.verdict = answer.genesis->genesis_time < expected.genesis_time ? Verdict::stale : Verdict::foreign;
            report.detail = fmt::format(
                "serves genesis_time {} and genesis validators root {}, the installed release has {} and {}{}",
                answer.genesis->genesis_time, beacon::root_hex(answer.genesis->genesis_validators_root),
                expected.genesis_time, beacon::root_hex(expected.genesis_validators_root),
                report.verdict == Verdict::stale ? " (still on a previous iteration)" : "");
        } else if (!answer.finality) {
            report.detail = "finality_checkpoints: " + answer.finality.error().message;
        } else {
            ++valid;
            report.finalized = answer.finality->finalized;
            report.verdict = Verdict::disagreeing;  // until the count below says otherwise
            supporters[{answer.finality->finalized.epoch, answer.finality->finalized.root}].push_back(i);
        }
        decision.providers.push_back(std::move(report));
    }

    const std::vector<std::size_t>* best = nullptr;
    const std::pair<std::uint64_t, beacon::Root>* best_key = nullptr;
    for (const auto& [key, members] : supporters) {
        if (best == nullptr || members.size() >= best->size()) {
            best = &members;
            best_key = &key;
        }
    }
    if (best != nullptr && best->size() >= std::max<std::size_t>(quorum, 1)) {
        decision.agreed = beacon::Checkpoint{.epoch = best_key->first, .root = best_key->second};
        decision.agreeing = *best;
        if (decision.agreed->epoch == 0) {
            decision.agreed.reset();
            decision.agreeing.clear();
            decision.problem =
                "the providers have not finalized anything yet (finalized epoch 0); "
                "wait a few epochs after genesis, or start the node from genesis";
        }
    } else if (valid == 0) {
        decision.problem = fmt::format(
            "none of the {} providers serves the installed release's chain; check `checkpoint.providers`, "
            "or wait until the providers have switched to this iteration",
            answers.size());
    } else if (valid < quorum) {
        decision.problem = fmt::format(
            "only {} of {} providers serve the installed release's chain, fewer than the quorum of {}; "
            "add providers or lower `checkpoint.quorum` (--quorum)",
            valid, answers.size(), quorum);
    } else {
        decision.problem = fmt::format(
            "the {} valid providers disagree on the finalized checkpoint and none is reported by {} of them; "
            "try again in an epoch",
            valid, quorum);
    }
    for (const std::size_t index : decision.agreeing) decision.providers[index].verdict = Verdict::agreeing;
    // One checkpoint among all valid answers, too few of them: nobody disagrees, the quorum is simply not met.
    if (!decision.agreed && supporters.size() == 1 && best != nullptr && best->size() < quorum) {
        for (const std::size_t index : *best) {
            ProviderReport& report = decision.providers[index];
            report.verdict = Verdict::short_of_quorum;
            report.detail = fmt::format("quorum not met, {} of {}: finalized {}", best->size(), quorum,
                                        describe(*report.finalized));
        }
    }
    for (auto& report : decision.providers) {
        if (report.finalized && report.detail.empty()) {
            report.detail = "finalized " + describe(*report.finalized);
        }
    }
    return decision;
}

}  // namespace ephemery::checkpoint

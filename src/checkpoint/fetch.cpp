#include "checkpoint/fetch.hpp"

#include "checkpoint/json_ssz.hpp"

#include "beacon/client.hpp"
#include "core/text.hpp"
#include "infra/clock.hpp"
#include "infra/files.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>

#include <fstream>

namespace ephemery::checkpoint {
namespace {

using Clock = std::chrono::steady_clock;

// A downloaded state, read whole for hashing (hundreds of MB on a large network).
Result<std::string> read_download(const std::filesystem::path& path, std::uint64_t limit) {
    return infra::read_file(path, static_cast<std::size_t>(limit));
}

std::vector<ProviderAnswer> ask_providers(const FetchRequest& request) {
    std::vector<beacon::HttpRequest> requests;
    for (const auto& provider : request.providers) {
        const beacon::BeaconClient client(provider, request.http);
        requests.push_back(beacon::get_request(client.base_url() + "/eth/v1/beacon/genesis"));
        requests.push_back(beacon::get_request(client.base_url() + "/eth/v1/beacon/states/head/finality_checkpoints"));
    }
    const auto responses = beacon::perform_all(requests, request.http);
    std::vector<ProviderAnswer> answers;
    for (std::size_t i = 0; i < request.providers.size(); ++i) {
        ProviderAnswer answer{.url = request.providers[i]};
        const auto& genesis = responses[2 * i];
        const auto& finality = responses[2 * i + 1];
        if (genesis.transport_failed() || genesis.status != 200) {
            answer.genesis = make_error(Errc::io_error, genesis.describe_failure());
        } else {
            answer.genesis = beacon::parse_genesis(genesis.body);
        }
        if (finality.transport_failed() || finality.status != 200) {
            answer.finality = make_error(Errc::io_error, finality.describe_failure());
        } else {
            answer.finality = beacon::parse_finality_checkpoints(finality.body);
        }
        answers.push_back(std::move(answer));
    }
    return answers;
}

// Races one resource across the agreeing providers; `judge` verifies a finished download.
template <typename Verified, typename MakeRequest, typename Judge>
std::optional<Verified> race_download(const FetchRequest& request, const std::vector<std::string>& providers,
                                      const std::filesystem::path& staging, const std::string& what,
                                      MakeRequest make_request, Judge judge, std::vector<DownloadAttempt>& attempts,
                                      std::size_t& winner_index) {
    std::vector<beacon::HttpRequest> requests;
    for (std::size_t i = 0; i < providers.size(); ++i) {
        const beacon::BeaconClient client(providers[i], request.http);
        requests.push_back(make_request(client, staging / fmt::format("{}.{}.part", what, i)));
    }
    std::optional<Verified> verified;
    const auto outcome =
        beacon::race(requests, request.http, [&](std::size_t index, const beacon::HttpResponse& response) -> Status {
            auto bytes = read_download(requests[index].to_file, request.http.max_download_bytes);
            if (!bytes) return bytes.error();
            if (response.content_type.find("json") != std::string::npos) {
                // Only blocks are converted (they are small); the converted bytes are what gets verified and kept.
                if (what != "block") return make_error(Errc::unsupported, "answered JSON; a state must come as SSZ");
                auto converted = signed_block_ssz_from_json(*bytes, request.facts.preset);
                if (!converted) return converted.error();
                bytes->assign(converted->begin(), converted->end());
                if (auto written = infra::write_file_atomically(
                        requests[index].to_file, *bytes,
                        std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
                    !written) {
                    return written.error();
                }
            }
            auto result = judge(as_bytes(*bytes), response.consensus_version);
            if (!result) return result.error();
            verified = std::move(*result);
            return {};
        });
    for (std::size_t i = 0; i < providers.size(); ++i) {
        const auto& response = outcome.responses[i];
        DownloadAttempt attempt{.provider = providers[i],
                                .what = what,
                                .outcome = {},
                                .bytes = response.bytes,
                                .elapsed = response.elapsed};
        if (outcome.winner == i) {
            attempt.outcome = "verified";
        } else if (response.cancelled) {
            attempt.outcome = "cancelled (another provider was first)";
        } else {
            attempt.outcome = outcome.rejections[i].empty() ? response.describe_failure() : outcome.rejections[i];
        }
        attempts.push_back(std::move(attempt));
        if (outcome.winner != i) {
            std::error_code ignored;
            std::filesystem::remove(requests[i].to_file, ignored);
        }
    }
    if (outcome.winner) winner_index = *outcome.winner;
    return verified;
}

}  // namespace

Result<FetchReport> fetch_checkpoint(const FetchRequest& request, CheckpointCache& cache) {
    const auto started = Clock::now();
    FetchReport report;
    const auto finish = [&]() -> Result<FetchReport> {
        report.elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started);
        return std::move(report);
    };
    if (request.providers.empty()) {
        report.problem = "no checkpoint providers are configured; set `checkpoint.providers` or pass --provider URL";
        return finish();
    }
    const auto answers = ask_providers(request);
    report.decision = decide_quorum(answers, request.facts.genesis, request.quorum);
    if (!report.decision.agreed) {
        report.problem = report.decision.problem;
        return finish();
    }
    const beacon::Checkpoint agreed = *report.decision.agreed;
    std::vector<std::string> agreeing;
    for (const auto index : report.decision.agreeing) agreeing.push_back(request.providers[index]);

    cache.remove_stale_staging();
    (void)cache.drop_other_chains(request.facts.genesis.genesis_validators_root);
    auto staging = cache.make_staging_dir();
    if (!staging) return staging.error();
    const auto cleanup = [&] {
        std::error_code ignored;
        std::filesystem::remove_all(*staging, ignored);
    };

    std::size_t block_winner = 0;
    const auto block = race_download<VerifiedBlock>(
        request, agreeing, *staging, "block",
        [&](const beacon::BeaconClient& client, const std::filesystem::path& file) {
            return client.block_request(beacon::root_hex(agreed.root), file);
        },
        [&](std::span<const std::uint8_t> bytes, const std::string& version) {
            return verify_block(bytes, agreed, request.facts, version);
        },
        report.downloads, block_winner);
    if (!block) {
        cleanup();
        report.problem = fmt::format("no agreeing provider served a block that verifies against the finalized root {}",
                                     beacon::root_hex(agreed.root));
        return finish();
    }
    std::filesystem::path block_file = *staging / fmt::format("block.{}.part", block_winner);

    // The state by the block's state root first (exactly the one we need); providers that do not index
    // finalized states by root get a second chance by slot, then as "finalized" (which may have moved on).
    std::optional<VerifiedState> state;
    std::size_t state_winner = 0;
    for (const std::string& state_id :
         {"0x" + to_hex(block->summary.state_root), std::to_string(block->summary.slot), std::string("finalized")}) {
        state = race_download<VerifiedState>(
            request, agreeing, *staging, "state",
            [&](const beacon::BeaconClient& client, const std::filesystem::path& file) {
                return client.state_request(state_id, file);
            },
            [&](std::span<const std::uint8_t> bytes, const std::string& version) {
                return verify_state(bytes, *block, request.facts, version);
            },
            report.downloads, state_winner);
        if (state) break;
    }
    if (!state) {
        cleanup();
        report.problem =
            fmt::format("no agreeing provider served a state whose hash_tree_root is the block's state_root {}",
                        "0x" + to_hex(block->summary.state_root));
        return finish();
    }
    std::error_code error;
    const auto state_file = *staging / fmt::format("state.{}.part", state_winner);
    CacheEntryInfo entry{
        .dir = {},
        .genesis_time = request.facts.genesis.genesis_time,
        .genesis_validators_root = request.facts.genesis.genesis_validators_root,
        .checkpoint = agreed,
        .slot = block->summary.slot,
        .state_root = block->summary.state_root,
        .fork = std::string(ssz::fork_name(block->fork)),
        .block_bytes = std::filesystem::file_size(block_file, error),
        .state_bytes = std::filesystem::file_size(state_file, error),
        .fetched_at = infra::unix_now(),
        .providers = agreeing,
        .served_by = agreeing[state_winner],
    };
    std::filesystem::rename(block_file, *staging / "block.ssz", error);
    if (!error) std::filesystem::rename(state_file, *staging / "state.ssz", error);
    if (error) {
        cleanup();
        return make_error(Errc::io_error, fmt::format("cannot move the verified checkpoint into place in {}: {}",
                                                      staging->string(), error.message()));
    }
    auto installed = cache.install(*staging, std::move(entry));
    if (!installed) {
        cleanup();
        return installed.error();
    }
    report.installed = std::move(*installed);
    return finish();
}

std::string to_json(const FetchReport& report) {
    nlohmann::json providers = nlohmann::json::array();
    for (const auto& provider : report.decision.providers) {
        nlohmann::json item{
            {"url", provider.url}, {"verdict", verdict_name(provider.verdict)}, {"detail", provider.detail}};
        if (provider.finalized) {
            item["finalized"] = {{"epoch", provider.finalized->epoch},
                                 {"root", beacon::root_hex(provider.finalized->root)}};
        }
        providers.push_back(std::move(item));
    }
    nlohmann::json downloads = nlohmann::json::array();
    for (const auto& download : report.downloads) {
        downloads.push_back({{"provider", download.provider},
                             {"what", download.what},
                             {"outcome", download.outcome},
                             {"bytes", download.bytes},
                             {"elapsed_ms", download.elapsed.count()}});
    }
    nlohmann::json document{{"ok", report.installed.has_value()},
                            {"providers", providers},
                            {"downloads", downloads},
                            {"elapsed_ms", report.elapsed.count()}};
    if (report.decision.agreed) {
        document["agreed"] = {{"epoch", report.decision.agreed->epoch},
                              {"root", beacon::root_hex(report.decision.agreed->root)}};
    }
    if (report.installed) {
        document["installed"] = nlohmann::json::parse(checkpoint::to_json(*report.installed));
        document["installed"]["dir"] = report.installed->dir.string();
    }
    if (!report.problem.empty()) document["problem"] = report.problem;
    return document.dump(2);
}

}  // namespace ephemery::checkpoint

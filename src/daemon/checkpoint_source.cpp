#include "daemon/checkpoint_source.hpp"

#include "checkpoint/fetch.hpp"
#include "genesis/fetch.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

namespace ephemery::daemon {

CheckpointSource::CheckpointSource(checkpoint::Settings settings, const std::filesystem::path& data_dir)
    : settings_(std::move(settings)),
      cache_(data_dir / "checkpoints",
             checkpoint::CacheLimits{.max_entries = static_cast<std::size_t>(settings_.cache_entries),
                                     .max_bytes = static_cast<std::uint64_t>(settings_.cache_mb) << 20U}) {}

std::string CheckpointSource::url_for(const std::filesystem::path& release_dir) {
    if (!settings_.enabled || settings_.providers.empty()) return {};
    const std::scoped_lock lock(mutex_);
    const auto give_up = [this](const std::string& problem, bool failure) {
        status_.url.clear();
        status_.last_problem = problem;
        if (failure) {
            ++status_.failures;
            spdlog::warn("checkpoint sync: {}; the consensus client starts without a checkpoint", problem);
        } else {
            spdlog::info("checkpoint sync: {}; the consensus client starts without a checkpoint", problem);
        }
        return std::string{};
    };
    auto files = genesis::load_release_dir(release_dir);
    if (!files) return give_up(files.error().message, true);
    auto facts = checkpoint::network_facts(*files);
    if (!facts) return give_up(fmt::format("{}: {}", release_dir.string(), facts.error().message), true);

    (void)cache_.drop_other_chains(facts->genesis.genesis_validators_root);
    auto entry = cache_.latest(facts->genesis.genesis_validators_root);
    if (!entry) {
        const std::string chain = beacon::root_hex(facts->genesis.genesis_validators_root);
        const auto now = std::chrono::steady_clock::now();
        const auto last = last_attempt_.find(chain);
        if (last != last_attempt_.end() && now - last->second < retry_after) {
            return give_up(status_.last_problem.empty() ? "waiting to ask the providers again" : status_.last_problem,
                           false);
        }
        last_attempt_[chain] = now;
        ++status_.fetches;
        checkpoint::FetchRequest request{.providers = settings_.providers,
                                         .quorum = static_cast<std::size_t>(settings_.quorum),
                                         .facts = *facts,
                                         .http = {}};
        // A start waits for this: questions get 10 s, not the interactive 30.
        request.http.request_timeout = std::chrono::seconds(10);
        request.http.attempts = 1;
        auto report = checkpoint::fetch_checkpoint(request, cache_);
        if (!report) return give_up(report.error().message, true);
        if (!report->installed) {
            // Right after a reset the new chain has finalized nothing yet: expected, not a failure.
            const bool expected = report->problem.find("finalized anything yet") != std::string::npos;
            return give_up(report->problem, !expected);
        }
        entry = report->installed;
        spdlog::info("checkpoint sync: verified slot {} (epoch {}) from {}", entry->slot, entry->checkpoint.epoch,
                     entry->served_by);
    }
    if (!server_ || !status_.served || status_.served->dir != entry->dir) {
        if (server_) server_->stop();
        server_.reset();
        auto server = checkpoint::CheckpointServer::start(
            *entry, *facts,
            checkpoint::ServeSettings{.listen_address = "127.0.0.1",
                                      .port = static_cast<std::uint16_t>(settings_.serve_port)});
        if (!server) return give_up(server.error().message, true);
        server_ = std::move(*server);
        status_.served = *entry;
    }
    status_.url = fmt::format("http://127.0.0.1:{}", server_->port());
    status_.last_problem.clear();
    return status_.url;
}

CheckpointStatus CheckpointSource::status() const {
    const std::scoped_lock lock(mutex_);
    return status_;
}

void CheckpointSource::stop() {
    const std::scoped_lock lock(mutex_);
    if (server_) server_->stop();
    server_.reset();
}

}  // namespace ephemery::daemon

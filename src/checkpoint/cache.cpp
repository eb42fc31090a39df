#include "checkpoint/cache.hpp"

#include "core/text.hpp"
#include "infra/files.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <random>

namespace ephemery::checkpoint {
namespace {

constexpr std::string_view staging_prefix = ".staging-";
constexpr std::size_t max_meta_bytes = 1 << 20;

std::optional<beacon::Root> root_from(const nlohmann::json& value) {
    if (!value.is_string()) return std::nullopt;
    const auto& text = value.get_ref<const std::string&>();
    if (text.size() != 66 || text.rfind("0x", 0) != 0) return std::nullopt;
    auto bytes = from_hex(std::string_view(text).substr(2));
    if (!bytes) return std::nullopt;
    beacon::Root root{};
    std::copy(bytes->begin(), bytes->end(), root.begin());
    return root;
}

std::string entry_name(const CacheEntryInfo& entry) {
    return fmt::format("{}-{}-{}", to_hex(entry.genesis_validators_root).substr(0, 8), entry.slot,
                       to_hex(entry.checkpoint.root).substr(0, 12));
}

}  // namespace

std::string to_json(const CacheEntryInfo& entry) {
    const nlohmann::json document{
        {"genesis_time", entry.genesis_time},
        {"genesis_validators_root", beacon::root_hex(entry.genesis_validators_root)},
        {"finalized_epoch", entry.checkpoint.epoch},
        {"block_root", beacon::root_hex(entry.checkpoint.root)},
        {"slot", entry.slot},
        {"state_root", beacon::root_hex(entry.state_root)},
        {"fork", entry.fork},
        {"block_bytes", entry.block_bytes},
        {"state_bytes", entry.state_bytes},
        {"fetched_at", entry.fetched_at},
        {"providers", entry.providers},
        {"served_by", entry.served_by},
    };
    return document.dump(2) + "\n";
}

Result<CacheEntryInfo> entry_from_json(std::string_view json, const std::filesystem::path& dir) {
    auto document = nlohmann::json::parse(json.begin(), json.end(), nullptr, false);
    const auto bad = [&](std::string_view field) {
        return make_error(Errc::parse_error,
                          fmt::format("{}: `{}` is missing or malformed; delete the entry and fetch again",
                                      (dir / "checkpoint.json").string(), field));
    };
    if (!document.is_object()) return bad("(document)");
    CacheEntryInfo entry;
    entry.dir = dir;
    const auto number = [&](const char* key, auto& target) -> bool {
        auto found = document.find(key);
        if (found == document.end() || !found->is_number_integer()) return false;
        target = found->get<std::remove_reference_t<decltype(target)>>();
        return true;
    };
    if (!number("genesis_time", entry.genesis_time)) return bad("genesis_time");
    if (!number("finalized_epoch", entry.checkpoint.epoch)) return bad("finalized_epoch");
    if (!number("slot", entry.slot)) return bad("slot");
    if (!number("block_bytes", entry.block_bytes)) return bad("block_bytes");
    if (!number("state_bytes", entry.state_bytes)) return bad("state_bytes");
    if (!number("fetched_at", entry.fetched_at)) return bad("fetched_at");
    const auto gvr = root_from(document.value("genesis_validators_root", nlohmann::json{}));
    const auto block_root = root_from(document.value("block_root", nlohmann::json{}));
    const auto state_root = root_from(document.value("state_root", nlohmann::json{}));
    if (!gvr) return bad("genesis_validators_root");
    if (!block_root) return bad("block_root");
    if (!state_root) return bad("state_root");
    entry.genesis_validators_root = *gvr;
    entry.checkpoint.root = *block_root;
    entry.state_root = *state_root;
    if (!document.contains("fork") || !document["fork"].is_string()) return bad("fork");
    entry.fork = document["fork"].get<std::string>();
    if (document.contains("providers") && document["providers"].is_array()) {
        for (const auto& provider : document["providers"]) {
            if (provider.is_string()) entry.providers.push_back(provider.get<std::string>());
        }
    }
    if (document.contains("served_by") && document["served_by"].is_string()) {
        entry.served_by = document["served_by"].get<std::string>();
    }
    return entry;
}

CheckpointCache::CheckpointCache(std::filesystem::path dir, CacheLimits limits)
    : dir_(std::move(dir)), limits_(limits) {}

Result<std::filesystem::path> CheckpointCache::make_staging_dir() const {
    std::error_code error;
    std::filesystem::create_directories(dir_, error);
    if (error) return make_error(Errc::io_error, fmt::format("cannot create {}: {}", dir_.string(), error.message()));
    std::random_device random;
    for (int attempt = 0; attempt < 16; ++attempt) {
        auto staging = dir_ / fmt::format("{}{:08x}", staging_prefix, random());
        if (std::filesystem::create_directory(staging, error)) return staging;
    }
    return make_error(Errc::io_error, fmt::format("cannot create a staging directory in {}", dir_.string()));
}

Result<CacheEntryInfo> CheckpointCache::install(const std::filesystem::path& staging, CacheEntryInfo entry) {
    const auto final_dir = dir_ / entry_name(entry);
    std::error_code error;
    if (std::filesystem::exists(final_dir / "checkpoint.json", error)) {
        std::filesystem::remove_all(staging, error);
        auto existing = infra::read_file(final_dir / "checkpoint.json", max_meta_bytes);
        if (!existing) return existing.error();
        return entry_from_json(*existing, final_dir);
    }
    if (auto written =
            infra::write_file_atomically(staging / "checkpoint.json", to_json(entry),
                                         std::filesystem::perms::owner_read | std::filesystem::perms::owner_write |
                                             std::filesystem::perms::group_read | std::filesystem::perms::others_read);
        !written) {
        return written.error();
    }
    if (auto synced = infra::sync_directory(staging); !synced) return synced.error();
    if (std::filesystem::exists(final_dir, error)) std::filesystem::remove_all(final_dir, error);  // a torn old entry
    if (auto renamed = infra::rename_durably(staging, final_dir); !renamed) return renamed.error();
    entry.dir = final_dir;
    prune();
    return entry;
}

std::vector<CacheEntryInfo> CheckpointCache::entries() const {
    std::vector<CacheEntryInfo> out;
    std::error_code error;
    for (const auto& item : std::filesystem::directory_iterator(dir_, error)) {
        const auto name = item.path().filename().string();
        if (name.rfind(staging_prefix, 0) == 0 || !item.is_directory(error)) continue;
        auto text = infra::read_file(item.path() / "checkpoint.json", max_meta_bytes);
        if (!text) continue;
        auto entry = entry_from_json(*text, item.path());
        if (!entry) {
            spdlog::warn("checkpoint cache: {}", entry.error().message);
            continue;
        }
        out.push_back(std::move(*entry));
    }
    std::sort(out.begin(), out.end(), [](const CacheEntryInfo& left, const CacheEntryInfo& right) {
        return std::tie(left.fetched_at, left.slot) > std::tie(right.fetched_at, right.slot);
    });
    return out;
}

std::optional<CacheEntryInfo> CheckpointCache::latest(const beacon::Root& genesis_validators_root) const {
    std::optional<CacheEntryInfo> best;
    for (auto& entry : entries()) {
        if (entry.genesis_validators_root != genesis_validators_root) continue;
        if (!best || entry.slot > best->slot) best = std::move(entry);
    }
    return best;
}

void CheckpointCache::remove_stale_staging() const {
    std::error_code error;
    for (const auto& item : std::filesystem::directory_iterator(dir_, error)) {
        if (item.path().filename().string().rfind(staging_prefix, 0) == 0)
            std::filesystem::remove_all(item.path(), error);
    }
}

std::size_t CheckpointCache::drop_other_chains(const beacon::Root& live_genesis_validators_root) const {
    std::size_t dropped = 0;
    for (const auto& entry : entries()) {
        if (entry.genesis_validators_root == live_genesis_validators_root) continue;
        std::error_code error;
        std::filesystem::remove_all(entry.dir, error);
        if (error) {
            spdlog::warn("checkpoint cache: cannot remove {}: {}", entry.dir.string(), error.message());
            continue;
        }
        ++dropped;
        spdlog::info("checkpoint cache: removed {} (genesis validators root {}, not the installed release's chain)",
                     entry.dir.string(), beacon::root_hex(entry.genesis_validators_root));
    }
    return dropped;
}

void CheckpointCache::prune() const {
    const auto all = entries();  // newest first
    std::uint64_t bytes = 0;
    for (std::size_t i = 0; i < all.size(); ++i) {
        bytes += all[i].block_bytes + all[i].state_bytes;
        const bool over = i >= limits_.max_entries || bytes > limits_.max_bytes;
        if (i > 0 && over) {
            std::error_code error;
            std::filesystem::remove_all(all[i].dir, error);
            if (error) spdlog::warn("checkpoint cache: cannot remove {}: {}", all[i].dir.string(), error.message());
        }
    }
}

}  // namespace ephemery::checkpoint

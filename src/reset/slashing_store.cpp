#include "reset/slashing_store.hpp"

#include "infra/archive.hpp"
#include "infra/download.hpp"
#include "reset/tree.hpp"
#include "slashing/database.hpp"
#include "slashing/interchange.hpp"

#include <fmt/format.h>
#include <sqlite3.h>
#include <yaml-cpp/yaml.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <memory>
#include <system_error>

namespace ephemery::reset {

namespace {

namespace fs = std::filesystem;

constexpr std::array<std::string_view, 3> sqlite_sidecars{"-wal", "-shm", "-journal"};

std::string hex_of_blob(const void* data, int size) {
    static constexpr std::string_view digits = "0123456789abcdef";
    std::string text = "0x";
    const auto* bytes = static_cast<const unsigned char*>(data);
    for (int i = 0; i < size; ++i) {
        text += digits[bytes[i] >> 4U];
        text += digits[bytes[i] & 0xfU];
    }
    return text;
}

// Nimbus keeps the root in its metadata table (slashing DB v2); the column type varies, so accept blob or text.
std::optional<std::string> nimbus_root(const fs::path& store, std::string& note) {
    sqlite3* raw = nullptr;
    if (sqlite3_open_v2(store.c_str(), &raw, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
        sqlite3_close(raw);
        note = "cannot open it read-only";
        return std::nullopt;
    }
    const std::unique_ptr<sqlite3, decltype(&sqlite3_close)> connection(raw, sqlite3_close);
    sqlite3_stmt* statement = nullptr;
    if (sqlite3_prepare_v2(connection.get(), "SELECT genesis_validators_root FROM metadata LIMIT 1", -1, &statement,
                           nullptr) != SQLITE_OK) {
        note = "it has no metadata table with a genesis_validators_root";
        return std::nullopt;
    }
    const std::unique_ptr<sqlite3_stmt, decltype(&sqlite3_finalize)> finalizer(statement, sqlite3_finalize);
    if (sqlite3_step(statement) != SQLITE_ROW) {
        note = "its metadata table is empty";
        return std::nullopt;
    }
    if (sqlite3_column_type(statement, 0) == SQLITE_BLOB && sqlite3_column_bytes(statement, 0) == 32) {
        return hex_of_blob(sqlite3_column_blob(statement, 0), 32);
    }
    if (sqlite3_column_type(statement, 0) == SQLITE_TEXT) {
        return std::string(reinterpret_cast<const char*>(sqlite3_column_text(statement, 0)));
    }
    note = "its genesis_validators_root is neither 32 bytes nor text";
    return std::nullopt;
}

// Teku writes one YAML per validator, each naming the root (genesisValidatorsRoot).
std::optional<std::string> teku_root(const fs::path& store, std::string& note) {
    std::error_code error;
    for (const auto& entry : fs::directory_iterator(store, error)) {
        if (entry.path().extension() != ".yml" || entry.is_symlink(error)) continue;
        try {
            const YAML::Node document = YAML::LoadFile(entry.path().string());
            if (const YAML::Node root = document["genesisValidatorsRoot"]; root && root.IsScalar()) {
                return root.as<std::string>();
            }
        } catch (const YAML::Exception&) {
            note = fmt::format("{} is not valid YAML", entry.path().filename().string());
        }
    }
    if (note.empty()) note = "no validator file names a genesisValidatorsRoot";
    return std::nullopt;
}

}  // namespace

std::vector<fs::path> slashing_store_files(const fs::path& store) {
    std::vector<fs::path> files;
    std::error_code error;
    const auto status = fs::symlink_status(store, error);
    if (error) return files;
    if (fs::is_directory(status)) {
        for (auto it = fs::recursive_directory_iterator(store, error);
             !error && it != fs::recursive_directory_iterator(); it.increment(error)) {
            if (it->is_regular_file(error) && !it->is_symlink(error)) files.push_back(it->path());
        }
        std::sort(files.begin(), files.end());
        return files;
    }
    if (!fs::is_regular_file(status)) return files;
    files.push_back(store);
    for (const std::string_view suffix : sqlite_sidecars) {
        const fs::path sidecar = store.string() + std::string(suffix);
        if (fs::is_regular_file(fs::symlink_status(sidecar, error))) files.push_back(sidecar);
    }
    return files;
}

SlashingStoreSummary inspect_slashing_store(const fs::path& store, std::string_view format) {
    SlashingStoreSummary summary;
    const auto files = slashing_store_files(store);
    std::error_code error;
    summary.exists = fs::exists(fs::symlink_status(store, error));
    if (!summary.exists) return summary;
    for (const fs::path& file : files) summary.bytes += fs::file_size(file, error);
    if (format == "ephemery-sqlite") {
        auto database = slashing::Database::open(store, slashing::OpenMode::existing_only, std::nullopt);
        if (database) {
            summary.genesis_validators_root = database->genesis_validators_root();
            if (!summary.genesis_validators_root) summary.note = "it holds no root yet";
        } else {
            summary.note = database.error().message;
        }
    } else if (format == "nimbus-sqlite") {
        summary.genesis_validators_root = nimbus_root(store, summary.note);
    } else if (format == "teku-yaml") {
        summary.genesis_validators_root = teku_root(store, summary.note);
    } else if (format == "lighthouse-sqlite") {
        summary.note = "Lighthouse does not record the root in its database";
    } else {
        summary.note = fmt::format("ephemery does not read the {} format; it is archived as it is", format);
    }
    return summary;
}

Status archive_slashing_store(const fs::path& store, std::string_view format, const fs::path& archive) {
    const auto files = slashing_store_files(store);
    if (files.empty()) return {};
    const SlashingStoreSummary summary = inspect_slashing_store(store, format);
    std::vector<infra::ArchiveMember> members;
    nlohmann::ordered_json manifest{{"format", format}, {"source", store.string()}};
    manifest["genesis_validators_root"] =
        summary.genesis_validators_root ? nlohmann::ordered_json(*summary.genesis_validators_root) : nullptr;
    auto listed = nlohmann::ordered_json::array();
    const fs::path base = store.parent_path();
    for (const fs::path& file : files) {
        const std::string name = "store/" + file.lexically_relative(base).generic_string();
        auto sha256 = infra::sha256_of_file(file);
        if (!sha256) return sha256.error();
        listed.push_back({{"path", name}, {"sha256", *sha256}});
        members.push_back({name, file, {}});
    }
    manifest["files"] = std::move(listed);
    if (format == "ephemery-sqlite") {
        auto database = slashing::Database::open(store, slashing::OpenMode::existing_only, std::nullopt);
        if (!database) return database.error();
        auto interchange = database->export_interchange(slashing::ExportForm::complete);
        if (!interchange) return interchange.error();
        members.push_back({"interchange.json", {}, slashing::to_json(*interchange)});
    }
    members.insert(members.begin(), {"manifest.json", {}, manifest.dump(2) + "\n"});
    std::error_code error;
    fs::create_directories(archive.parent_path(), error);
    if (error) {
        return make_error(Errc::io_error,
                          fmt::format("cannot create {}: {}", archive.parent_path().string(), error.message()));
    }
    return infra::write_tar_gz(archive, members);
}

Status clear_slashing_store(const fs::path& data_dir, const fs::path& store) {
    std::vector<fs::path> targets{store};
    for (const std::string_view suffix : sqlite_sidecars) targets.emplace_back(store.string() + std::string(suffix));
    for (const fs::path& target : targets) {
        auto removed = wipe(data_dir, target, {});
        if (!removed) return removed.error();
    }
    return {};
}

}  // namespace ephemery::reset

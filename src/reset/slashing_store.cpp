#include "reset/slashing_store.hpp"

#include "infra/archive.hpp"
#include "infra/download.hpp"
#include "infra/files.hpp"
#include "reset/plan.hpp"
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
constexpr std::size_t max_store_file_bytes = std::size_t{4} << 30;

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

bool is_sqlite_format(std::string_view format) {
    return format.ends_with("-sqlite");
}

Error sqlite_copy_error(const fs::path& database, std::string_view what) {
    return make_error(Errc::io_error, fmt::format("cannot copy the SQLite database {} through SQLite's backup API: {}",
                                                  database.string(), what));
}

// One consistent copy of an SQLite database, taken through SQLite's backup API rather than by reading its files:
// committed transactions still in a -wal (left by a crash) are in it, and a checkpoint that removes the -wal
// while we read cannot tear it. Opened read-write (never created) so that SQLite may recover a hot journal.
Result<std::string> sqlite_backup_copy(const fs::path& database) {
    sqlite3* raw_source = nullptr;
    const int opened = sqlite3_open_v2(database.c_str(), &raw_source, SQLITE_OPEN_READWRITE, nullptr);
    const std::unique_ptr<sqlite3, decltype(&sqlite3_close)> source(raw_source, sqlite3_close);
    if (opened != SQLITE_OK) return sqlite_copy_error(database, sqlite3_errstr(opened));
    sqlite3_busy_timeout(source.get(), 5000);
    sqlite3* raw_copy = nullptr;
    const int created = sqlite3_open_v2(":memory:", &raw_copy, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr);
    const std::unique_ptr<sqlite3, decltype(&sqlite3_close)> copy(raw_copy, sqlite3_close);
    if (created != SQLITE_OK) return sqlite_copy_error(database, sqlite3_errstr(created));
    sqlite3_backup* backup = sqlite3_backup_init(copy.get(), "main", source.get(), "main");
    if (backup == nullptr) return sqlite_copy_error(database, sqlite3_errmsg(copy.get()));
    const int stepped = sqlite3_backup_step(backup, -1);
    const int finished = sqlite3_backup_finish(backup);
    if (stepped != SQLITE_DONE) return sqlite_copy_error(database, sqlite3_errstr(stepped));
    if (finished != SQLITE_OK) return sqlite_copy_error(database, sqlite3_errstr(finished));
    sqlite3_int64 size = 0;
    unsigned char* bytes = sqlite3_serialize(copy.get(), "main", &size, 0);
    if (bytes == nullptr) return sqlite_copy_error(database, "the copy could not be serialised (out of memory?)");
    const std::unique_ptr<unsigned char, decltype(&sqlite3_free)> owned(bytes, sqlite3_free);
    return std::string(reinterpret_cast<const char*>(bytes), static_cast<std::size_t>(size));
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

Result<fs::path> resolve_slashing_store(const fs::path& store, const StoreBounds& bounds) {
    std::error_code error;
    const fs::path resolved = fs::weakly_canonical(store, error);
    if (error) {
        return make_error(Errc::io_error, fmt::format("cannot resolve the slashing-protection store {}: {}",
                                                      store.string(), error.message()));
    }
    if (resolved == store.lexically_normal()) return store;
    const auto refuse = [&](std::string_view why) {
        return make_error(
            Errc::invalid_argument,
            fmt::format("the slashing-protection store {} leads through a symlink to {}, {}; ephemery will not "
                        "archive and clear it there, nor delete only the link and lose the history. Put the "
                        "database itself at {} (replace the link by the file or directory it points to), then run "
                        "the reset again",
                        store.string(), resolved.string(), why, store.string()));
    };
    if (!is_same_or_inside(resolved, bounds.root)) {
        return refuse(fmt::format("outside the data dir {} it belongs to", bounds.root.string()));
    }
    if (resolved == bounds.root) return refuse("which is the whole data dir");
    for (const fs::path& kept : bounds.protected_paths) {
        if (is_same_or_inside(kept, resolved)) {
            return refuse(fmt::format("which holds {}, a path a reset keeps", kept.string()));
        }
    }
    return resolved;
}

Status archive_slashing_store(const fs::path& store, std::string_view format, const fs::path& archive,
                              const StoreBounds& bounds) {
    auto resolved = resolve_slashing_store(store, bounds);
    if (!resolved) return resolved.error();
    const fs::path& data = *resolved;
    if (slashing_store_files(data).empty()) return {};
    std::vector<infra::ArchiveMember> members;
    nlohmann::ordered_json manifest{{"format", format}, {"source", store.string()}};
    if (data != store) manifest["symlink_target"] = data.string();
    // The raw files, read before SQLite opens the store: a connection may checkpoint and delete a -wal, even a
    // torn one beside a damaged database, and then only these bytes hold it.
    auto listed = nlohmann::ordered_json::array();
    const fs::path base = data.parent_path();
    for (const fs::path& file : slashing_store_files(data)) {
        const std::string name = "store/" + file.lexically_relative(base).generic_string();
        auto bytes = infra::read_file(file, max_store_file_bytes);
        if (!bytes) return bytes.error();
        listed.push_back({{"path", name}, {"sha256", infra::sha256_of(*bytes)}});
        members.push_back({name, {}, std::move(bytes).value()});
    }
    if (is_sqlite_format(format)) {
        if (auto copy = sqlite_backup_copy(data)) {
            const std::string name = "store/" + store.filename().string();
            listed = nlohmann::ordered_json::array();
            listed.push_back({{"path", name}, {"sha256", infra::sha256_of(*copy)}});
            members = {{name, {}, std::move(copy).value()}};
            manifest["copy"] = "sqlite backup API";
        } else {
            // Not a database SQLite can read (damaged, or another format under the name): keep its bytes as
            // they were rather than lose them or block the reset.
            manifest["copy"] = "raw files";
            manifest["backup_error"] = copy.error().message;
        }
    }
    const SlashingStoreSummary summary = inspect_slashing_store(data, format);
    manifest["genesis_validators_root"] =
        summary.genesis_validators_root ? nlohmann::ordered_json(*summary.genesis_validators_root) : nullptr;
    manifest["files"] = std::move(listed);
    if (format == "ephemery-sqlite") {
        auto database = slashing::Database::open(data, slashing::OpenMode::existing_only, std::nullopt);
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

Status clear_slashing_store(const fs::path& store, const StoreBounds& bounds) {
    auto resolved = resolve_slashing_store(store, bounds);
    if (!resolved) return resolved.error();
    const auto clear = [&bounds](const fs::path& path) -> Status {
        std::vector<fs::path> targets{path};
        for (const std::string_view suffix : sqlite_sidecars) targets.emplace_back(path.string() + std::string(suffix));
        for (const fs::path& target : targets) {
            auto removed = wipe(bounds.root, target, {});
            if (!removed) return removed.error();
        }
        return {};
    };
    // What the link leads to first, the link last: a run killed in between finds a dangling link, which resolves
    // to itself and is then removed like a store.
    if (auto status = clear(*resolved); !status) return status;
    if (*resolved == store) return {};
    std::error_code error;
    if (!fs::is_symlink(fs::symlink_status(store, error))) return {};
    const fs::path parent = fs::weakly_canonical(store.parent_path(), error);
    if (error || !is_same_or_inside(parent, bounds.root)) return {};  // a dangling link outside: harmless
    return clear(parent / store.filename());
}

}  // namespace ephemery::reset

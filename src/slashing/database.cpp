#include "slashing/database.hpp"

#include "infra/files.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <bit>
#include <cerrno>
#include <map>
#include <set>
#include <system_error>
#include <utility>

namespace ephemery::slashing {
namespace {

constexpr int schema_version = 1;
constexpr int busy_timeout_ms = 5000;
constexpr std::size_t max_reported_conflicts = 100;

// One row per validator. Slots and epochs are uint64 stored bit for bit in SQLite's signed 64-bit INTEGER (values
// above 2^63 read back exactly); comparisons are made in C++, never in SQL. A signing root is kept only for a
// message signed through this database at exactly the watermark; imports clear it (minimal form).
constexpr const char* schema_sql = R"sql(
CREATE TABLE schema_version (version INTEGER NOT NULL);
CREATE TABLE chain (genesis_validators_root TEXT NOT NULL);
CREATE TABLE validators (
    pubkey TEXT PRIMARY KEY NOT NULL,
    block_slot INTEGER,
    block_signing_root TEXT,
    attestation_source_epoch INTEGER,
    attestation_target_epoch INTEGER,
    attestation_signing_root TEXT
) WITHOUT ROWID;
)sql";

std::int64_t to_sql(std::uint64_t value) {
    return std::bit_cast<std::int64_t>(value);
}
std::uint64_t from_sql(std::int64_t value) {
    return std::bit_cast<std::uint64_t>(value);
}

struct FinalizeStatement {
    void operator()(sqlite3_stmt* statement) const { sqlite3_finalize(statement); }
};

// The latest messages held for one validator.
struct Watermarks {
    std::optional<std::uint64_t> block_slot;
    std::optional<std::string> block_signing_root;
    std::optional<std::uint64_t> source_epoch;
    std::optional<std::uint64_t> target_epoch;
    std::optional<std::string> attestation_signing_root;
};

Error sqlite_error(sqlite3* connection, const std::filesystem::path& path, std::string_view action) {
    const int code = sqlite3_errcode(connection);
    std::string message = fmt::format("slashing-protection database {}: cannot {}: {}", path.string(), action,
                                      sqlite3_errmsg(connection));
    if (code == SQLITE_BUSY || code == SQLITE_LOCKED) {
        message += " (another process holds it; stop the validator client before importing or exporting)";
    } else if (code == SQLITE_NOTADB) {
        message += " (the file is not an SQLite database; give the right --db)";
    }
    return make_error(Errc::io_error, std::move(message));
}

// A prepared statement bound to one connection; errors name the database file.
class Statement {
  public:
    Statement(sqlite3* connection, const std::filesystem::path& path, std::string_view sql)
        : connection_(connection), path_(path) {
        sqlite3_stmt* raw = nullptr;
        prepare_status_ = sqlite3_prepare_v2(connection, sql.data(), static_cast<int>(sql.size()), &raw, nullptr);
        statement_.reset(raw);
    }

    [[nodiscard]] Status prepared() const {
        if (prepare_status_ == SQLITE_OK) return {};
        return error("prepare a query on it");
    }
    void bind(int index, std::optional<std::uint64_t> value) {
        if (value) {
            sqlite3_bind_int64(statement_.get(), index, to_sql(*value));
        } else {
            sqlite3_bind_null(statement_.get(), index);
        }
    }
    void bind(int index, const std::optional<std::string>& text) {
        if (text) {
            sqlite3_bind_text(statement_.get(), index, text->data(), static_cast<int>(text->size()), SQLITE_TRANSIENT);
        } else {
            sqlite3_bind_null(statement_.get(), index);
        }
    }
    // Steps once: true with a row, false when done.
    [[nodiscard]] Result<bool> step() {
        const int status = sqlite3_step(statement_.get());
        if (status == SQLITE_ROW) return true;
        if (status == SQLITE_DONE) return false;
        return error("query it");
    }
    [[nodiscard]] std::optional<std::uint64_t> integer(int column) const {
        if (sqlite3_column_type(statement_.get(), column) == SQLITE_NULL) return std::nullopt;
        return from_sql(sqlite3_column_int64(statement_.get(), column));
    }
    [[nodiscard]] std::optional<std::string> text(int column) const {
        const auto* bytes = sqlite3_column_text(statement_.get(), column);
        if (bytes == nullptr) return std::nullopt;
        return std::string(reinterpret_cast<const char*>(bytes),  // NOLINT(cppcoreguidelines-pro-type-reinterpret-cast)
                           static_cast<std::size_t>(sqlite3_column_bytes(statement_.get(), column)));
    }

  private:
    [[nodiscard]] Error error(std::string_view action) const { return sqlite_error(connection_, path_, action); }

    sqlite3* connection_;
    const std::filesystem::path& path_;
    std::unique_ptr<sqlite3_stmt, FinalizeStatement> statement_;
    int prepare_status_{SQLITE_ERROR};
};

Status execute(sqlite3* connection, const std::filesystem::path& path, const char* sql, std::string_view action) {
    if (sqlite3_exec(connection, sql, nullptr, nullptr, nullptr) != SQLITE_OK) {
        return sqlite_error(connection, path, action);
    }
    return {};
}

// A write transaction taken at once (BEGIN IMMEDIATE), so a check and its insert see no concurrent writer; it
// rolls back unless committed.
class WriteTransaction {
  public:
    WriteTransaction(sqlite3* connection, const std::filesystem::path& path) : connection_(connection), path_(path) {}
    WriteTransaction(const WriteTransaction&) = delete;
    WriteTransaction& operator=(const WriteTransaction&) = delete;
    ~WriteTransaction() {
        if (open_) (void)sqlite3_exec(connection_, "ROLLBACK", nullptr, nullptr, nullptr);
    }
    [[nodiscard]] Status begin() {
        auto status = execute(connection_, path_, "BEGIN IMMEDIATE", "start a transaction on it");
        open_ = status.ok();
        return status;
    }
    [[nodiscard]] Status commit() {
        auto status = execute(connection_, path_, "COMMIT", "commit to it");
        if (status) open_ = false;
        return status;
    }

  private:
    sqlite3* connection_;
    const std::filesystem::path& path_;
    bool open_{false};
};

Result<std::string> checked_pubkey(std::string_view pubkey) {
    auto normalised = normalise_hex(pubkey, pubkey_bytes);
    if (!normalised) {
        return make_error(Errc::invalid_argument,
                          fmt::format(R"("{}" is not a BLS public key: write "0x" followed by 96 hex digits)", pubkey));
    }
    return std::move(*normalised);
}

Result<std::optional<std::string>> checked_root(const std::optional<std::string>& root) {
    if (!root) return std::optional<std::string>();
    auto normalised = normalise_hex(*root, root_bytes);
    if (!normalised) {
        return make_error(Errc::invalid_argument,
                          fmt::format(R"("{}" is not a signing root: write "0x" followed by 64 hex digits)", *root));
    }
    return std::optional<std::string>(std::move(*normalised));
}

Result<Watermarks> read_watermarks(sqlite3* connection, const std::filesystem::path& path, const std::string& pubkey) {
    Statement query(connection, path,
                    "SELECT block_slot, block_signing_root, attestation_source_epoch, attestation_target_epoch, "
                    "attestation_signing_root FROM validators WHERE pubkey = ?1");
    if (auto status = query.prepared(); !status) return status.error();
    query.bind(1, std::optional(pubkey));
    auto row = query.step();
    if (!row) return row.error();
    Watermarks watermarks;
    if (*row) {
        watermarks.block_slot = query.integer(0);
        watermarks.block_signing_root = query.text(1);
        watermarks.source_epoch = query.integer(2);
        watermarks.target_epoch = query.integer(3);
        watermarks.attestation_signing_root = query.text(4);
    }
    return watermarks;
}

Status write_watermarks(sqlite3* connection, const std::filesystem::path& path, const std::string& pubkey,
                        const Watermarks& watermarks) {
    Statement upsert(connection, path,
                     "INSERT INTO validators (pubkey, block_slot, block_signing_root, attestation_source_epoch, "
                     "attestation_target_epoch, attestation_signing_root) VALUES (?1, ?2, ?3, ?4, ?5, ?6) "
                     "ON CONFLICT (pubkey) DO UPDATE SET block_slot = excluded.block_slot, "
                     "block_signing_root = excluded.block_signing_root, "
                     "attestation_source_epoch = excluded.attestation_source_epoch, "
                     "attestation_target_epoch = excluded.attestation_target_epoch, "
                     "attestation_signing_root = excluded.attestation_signing_root");
    if (auto status = upsert.prepared(); !status) return status;
    upsert.bind(1, std::optional(pubkey));
    upsert.bind(2, watermarks.block_slot);
    upsert.bind(3, watermarks.block_signing_root);
    upsert.bind(4, watermarks.source_epoch);
    upsert.bind(5, watermarks.target_epoch);
    upsert.bind(6, watermarks.attestation_signing_root);
    auto done = upsert.step();
    if (!done) return done.error();
    return {};
}

Status ensure_schema(sqlite3* connection, const std::filesystem::path& path) {
    WriteTransaction transaction(connection, path);
    if (auto status = transaction.begin(); !status) return status;
    Statement exists(connection, path, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'");
    if (auto status = exists.prepared(); !status) return status;
    auto found = exists.step();
    if (!found) return found.error();
    if (!*found) {
        if (auto status = execute(connection, path, schema_sql, "create the schema of"); !status) return status;
        const auto insert = fmt::format("INSERT INTO schema_version (version) VALUES ({})", schema_version);
        if (auto status = execute(connection, path, insert.c_str(), "create the schema of"); !status) return status;
    } else {
        Statement version(connection, path, "SELECT version FROM schema_version");
        if (auto status = version.prepared(); !status) return status;
        auto row = version.step();
        if (!row) return row.error();
        const auto value = *row ? version.integer(0) : std::nullopt;
        if (value != std::optional<std::uint64_t>(schema_version)) {
            return make_error(
                Errc::unsupported,
                fmt::format("slashing-protection database {} has schema version {}, and this ephemery reads version "
                            "{}: use the ephemery that wrote it, or export it there and import the file here",
                            path.string(), value ? std::to_string(*value) : "(none)", schema_version));
        }
    }
    return transaction.commit();
}

Result<std::optional<std::string>> read_chain_root(sqlite3* connection, const std::filesystem::path& path) {
    Statement query(connection, path, "SELECT genesis_validators_root FROM chain");
    if (auto status = query.prepared(); !status) return status.error();
    auto row = query.step();
    if (!row) return row.error();
    return *row ? query.text(0) : std::optional<std::string>();
}

Status write_chain_root(sqlite3* connection, const std::filesystem::path& path, const std::string& root) {
    Statement insert(connection, path, "INSERT INTO chain (genesis_validators_root) VALUES (?1)");
    if (auto status = insert.prepared(); !status) return status;
    insert.bind(1, std::optional(root));
    auto done = insert.step();
    if (!done) return done.error();
    return {};
}

Error other_chain(const std::filesystem::path& path, const std::string& held, std::string_view given,
                  std::string_view what) {
    return make_error(Errc::verification_failed,
                      fmt::format("slashing-protection database {} protects the chain with genesis validators root {}, "
                                  "not {} ({}): use the database of that chain (another --db), or check that the "
                                  "file and the release belong together",
                                  path.string(), held, given, what));
}

// Collects the messages of an import that the database already had reason to refuse, before raising its
// watermarks with them.
class ConflictLog {
  public:
    void add(std::string line) {
        ++count_;
        if (lines_.size() < max_reported_conflicts) lines_.push_back(std::move(line));
    }
    [[nodiscard]] std::vector<std::string> finish() && {
        if (count_ > lines_.size()) lines_.push_back(fmt::format("... and {} more", count_ - lines_.size()));
        return std::move(lines_);
    }

  private:
    std::vector<std::string> lines_;
    std::size_t count_{0};
};

void record_conflicts(const std::string& pubkey, const Watermarks& held, const ValidatorHistory& history,
                      ConflictLog& conflicts) {
    for (const auto& block : history.signed_blocks) {
        if (!held.block_slot) break;
        const bool repeat = block.slot == *held.block_slot && same_message(block.signing_root, held.block_signing_root);
        if (block.slot <= *held.block_slot && !repeat) {
            conflicts.add(fmt::format("{}: block at slot {} is not after slot {}, the latest already held", pubkey,
                                      block.slot, *held.block_slot));
        }
    }
    for (const auto& attestation : history.signed_attestations) {
        if (!held.source_epoch || !held.target_epoch) break;
        const bool repeat = attestation.source_epoch == *held.source_epoch &&
                            attestation.target_epoch == *held.target_epoch &&
                            same_message(attestation.signing_root, held.attestation_signing_root);
        if (!repeat &&
            (attestation.source_epoch < *held.source_epoch || attestation.target_epoch <= *held.target_epoch)) {
            conflicts.add(fmt::format(
                "{}: attestation {}->{} is not after source {} and target {}, the highest "
                "already held",
                pubkey, attestation.source_epoch, attestation.target_epoch, *held.source_epoch, *held.target_epoch));
        }
    }
}

// Raises the watermarks with one validator's imported messages. Imported messages bring no signing root (the
// minimal form): a watermark an import reaches can never be re-signed, only passed.
void raise_watermarks(Watermarks& held, const ValidatorHistory& history) {
    for (const auto& block : history.signed_blocks) {
        if (!held.block_slot || block.slot >= *held.block_slot) {
            held.block_slot = block.slot;
            held.block_signing_root.reset();
        }
    }
    for (const auto& attestation : history.signed_attestations) {
        if (!held.source_epoch || attestation.source_epoch >= *held.source_epoch) {
            held.source_epoch = attestation.source_epoch;
            held.attestation_signing_root.reset();
        }
        if (!held.target_epoch || attestation.target_epoch >= *held.target_epoch) {
            held.target_epoch = attestation.target_epoch;
            held.attestation_signing_root.reset();
        }
    }
}

}  // namespace

void Database::CloseConnection::operator()(sqlite3* connection) const {
    sqlite3_close_v2(connection);
}

Database::Database(std::filesystem::path path, sqlite3* connection) : path_(std::move(path)), connection_(connection) {}

Database::~Database() = default;

Result<Database> Database::open(const std::filesystem::path& path, OpenMode mode,
                                const std::optional<std::string>& genesis_validators_root) {
    std::optional<std::string> expected_root;
    if (genesis_validators_root) {
        expected_root = normalise_hex(*genesis_validators_root, root_bytes);
        if (!expected_root) {
            return make_error(Errc::invalid_argument,
                              fmt::format("\"{}\" is not a genesis validators root: write \"0x\" followed by 64 hex "
                                          "digits",
                                          *genesis_validators_root));
        }
    }
    std::error_code error;
    const bool exists = std::filesystem::exists(path, error);
    if (mode == OpenMode::existing_only && !exists) {
        return make_error(Errc::not_found,
                          fmt::format("there is no slashing-protection database at {}; import an interchange first "
                                      "or give the right --db",
                                      path.string()));
    }
    if (!exists) {
        if (auto status = infra::create_private_file(path); !status) {
            return make_error(Errc::io_error, "slashing-protection database: " + status.error().message);
        }
    }

    sqlite3* raw = nullptr;
    const int opened = sqlite3_open_v2(path.c_str(), &raw, SQLITE_OPEN_READWRITE, nullptr);
    Database database(path, raw);  // owns the handle even when opening failed
    if (opened != SQLITE_OK) return sqlite_error(raw, path, "open it");
    sqlite3_extended_result_codes(raw, 1);
    sqlite3_busy_timeout(raw, busy_timeout_ms);
    // WAL keeps readers off the writer's back; FULL syncs every commit, since a lost commit could let a validator
    // sign the same slot twice after a power cut.
    {
        Statement journal(raw, database.path_, "PRAGMA journal_mode = WAL");
        if (auto status = journal.prepared(); !status) return status.error();
        auto row = journal.step();
        if (!row) return row.error();
        if (!*row || journal.text(0) != std::optional<std::string>("wal")) {
            return make_error(Errc::io_error, fmt::format("slashing-protection database {}: cannot switch it to "
                                                          "write-ahead logging (is the file system read-only?)",
                                                          path.string()));
        }
    }
    if (auto status = execute(raw, database.path_, "PRAGMA synchronous = FULL", "configure"); !status) {
        return status.error();
    }
    if (auto status = ensure_schema(raw, database.path_); !status) return status.error();

    auto held_root = read_chain_root(raw, database.path_);
    if (!held_root) return held_root.error();
    if (*held_root && expected_root && **held_root != *expected_root) {
        return other_chain(database.path_, **held_root, *expected_root, "the root it was opened for");
    }
    if (!*held_root && expected_root) {
        WriteTransaction transaction(raw, database.path_);
        if (auto status = transaction.begin(); !status) return status.error();
        // Another process may have set it since we looked.
        auto again = read_chain_root(raw, database.path_);
        if (!again) return again.error();
        if (*again && **again != *expected_root) {
            return other_chain(database.path_, **again, *expected_root, "the root it was opened for");
        }
        if (!*again) {
            if (auto status = write_chain_root(raw, database.path_, *expected_root); !status) return status.error();
        }
        if (auto status = transaction.commit(); !status) return status.error();
        *held_root = expected_root;
    }
    database.genesis_validators_root_ = std::move(*held_root);
    return database;
}

Result<ImportReport> Database::import_interchange(const Interchange& interchange) {
    return import_interchanges(std::span<const Interchange>(&interchange, 1));
}

Result<ImportReport> Database::import_interchanges(std::span<const Interchange> interchanges) {
    for (const auto& interchange : interchanges) {
        for (const auto& history : interchange.data) {
            if (auto pubkey = checked_pubkey(history.pubkey); !pubkey) return pubkey.error();
        }
    }
    WriteTransaction transaction(connection_.get(), path_);
    if (auto status = transaction.begin(); !status) return status.error();
    auto held_root = read_chain_root(connection_.get(), path_);
    if (!held_root) return held_root.error();
    for (std::size_t index = 0; index < interchanges.size(); ++index) {
        const auto& root = interchanges[index].genesis_validators_root;
        const auto what = interchanges.size() == 1 ? std::string("the root of the interchange")
                                                   : fmt::format("the root of interchange {}", index + 1);
        if (!normalise_hex(root, root_bytes)) {
            return make_error(Errc::invalid_argument,
                              fmt::format("{} is not a genesis validators root: \"{}\"", what, root));
        }
        if (*held_root && **held_root != root) return other_chain(path_, **held_root, root, what);
        if (!*held_root) {
            if (auto status = write_chain_root(connection_.get(), path_, root); !status) return status.error();
            *held_root = root;
        }
    }

    ImportReport report;
    ConflictLog conflicts;
    std::set<std::string> validators_seen;
    for (const auto& interchange : interchanges) {
        // Every message of a file is compared with the database as it was before that file, so entries of one
        // pubkey repeated within the file do not count as conflicts with each other.
        std::map<std::string, std::vector<const ValidatorHistory*>> by_pubkey;
        for (const auto& history : interchange.data) {
            by_pubkey[normalise_hex(history.pubkey, pubkey_bytes).value_or(history.pubkey)].push_back(&history);
            report.blocks += history.signed_blocks.size();
            report.attestations += history.signed_attestations.size();
        }
        for (const auto& [pubkey, histories] : by_pubkey) {
            validators_seen.insert(pubkey);
            auto held = read_watermarks(connection_.get(), path_, pubkey);
            if (!held) return held.error();
            for (const auto* history : histories) record_conflicts(pubkey, *held, *history, conflicts);
            for (const auto* history : histories) raise_watermarks(*held, *history);
            if (auto status = write_watermarks(connection_.get(), path_, pubkey, *held); !status) {
                return status.error();
            }
        }
    }
    if (auto status = transaction.commit(); !status) return status.error();
    genesis_validators_root_ = *held_root;
    report.validators = validators_seen.size();
    report.conflicts = std::move(conflicts).finish();
    return report;
}

Status Database::check_and_insert_block(std::string_view pubkey, std::uint64_t slot,
                                        const std::optional<std::string>& signing_root) {
    auto key = checked_pubkey(pubkey);
    if (!key) return key.error();
    auto root = checked_root(signing_root);
    if (!root) return root.error();
    WriteTransaction transaction(connection_.get(), path_);
    if (auto status = transaction.begin(); !status) return status;
    auto held = read_watermarks(connection_.get(), path_, *key);
    if (!held) return held.error();
    if (held->block_slot) {
        const auto latest = *held->block_slot;
        if (slot == latest && same_message(*root, held->block_signing_root)) return transaction.commit();
        if (slot < latest) {
            return make_error(Errc::verification_failed,
                              fmt::format("refused to sign a block at slot {} for {}: it already signed one at slot "
                                          "{}, and a minimal slashing-protection database signs only later slots",
                                          slot, *key, latest));
        }
        if (slot == latest) {
            return make_error(
                Errc::verification_failed,
                fmt::format("refused to sign a block at slot {} for {}: it already signed a block at "
                            "this slot with {}; another block would be a double proposal",
                            slot, *key,
                            held->block_signing_root ? fmt::format("signing root {}", *held->block_signing_root)
                                                     : std::string("an unknown signing root")));
        }
    }
    held->block_slot = slot;
    held->block_signing_root = *root;
    if (auto status = write_watermarks(connection_.get(), path_, *key, *held); !status) return status;
    return transaction.commit();
}

Status Database::check_and_insert_attestation(std::string_view pubkey, std::uint64_t source_epoch,
                                              std::uint64_t target_epoch,
                                              const std::optional<std::string>& signing_root) {
    auto key = checked_pubkey(pubkey);
    if (!key) return key.error();
    auto root = checked_root(signing_root);
    if (!root) return root.error();
    if (source_epoch > target_epoch) {
        return make_error(Errc::verification_failed,
                          fmt::format("refused to sign an attestation {}->{} for {}: its source epoch is after its "
                                      "target epoch",
                                      source_epoch, target_epoch, *key));
    }
    WriteTransaction transaction(connection_.get(), path_);
    if (auto status = transaction.begin(); !status) return status;
    auto held = read_watermarks(connection_.get(), path_, *key);
    if (!held) return held.error();
    if (held->source_epoch && held->target_epoch) {
        const auto highest_source = *held->source_epoch;
        const auto highest_target = *held->target_epoch;
        if (source_epoch == highest_source && target_epoch == highest_target &&
            same_message(*root, held->attestation_signing_root)) {
            return transaction.commit();
        }
        if (source_epoch < highest_source) {
            return make_error(Errc::verification_failed,
                              fmt::format("refused to sign an attestation {}->{} for {}: its source epoch is before "
                                          "{}, the highest source already signed (it could surround an earlier vote)",
                                          source_epoch, target_epoch, *key, highest_source));
        }
        if (target_epoch <= highest_target) {
            return make_error(Errc::verification_failed,
                              fmt::format("refused to sign an attestation {}->{} for {}: its target epoch is not after "
                                          "{}, the highest target already signed (a double or surrounded vote)",
                                          source_epoch, target_epoch, *key, highest_target));
        }
    }
    held->source_epoch = source_epoch;
    held->target_epoch = target_epoch;
    held->attestation_signing_root = *root;
    if (auto status = write_watermarks(connection_.get(), path_, *key, *held); !status) return status;
    return transaction.commit();
}

Result<Interchange> Database::export_interchange(ExportForm form) const {
    if (!genesis_validators_root_) {
        return make_error(Errc::invalid_argument,
                          fmt::format("slashing-protection database {} has no genesis validators root yet (nothing "
                                      "was imported): there is nothing to export",
                                      path_.string()));
    }
    Statement query(connection_.get(), path_,
                    "SELECT pubkey, block_slot, block_signing_root, attestation_source_epoch, "
                    "attestation_target_epoch, attestation_signing_root FROM validators ORDER BY pubkey");
    if (auto status = query.prepared(); !status) return status.error();
    Interchange interchange;
    interchange.genesis_validators_root = *genesis_validators_root_;
    const bool with_roots = form == ExportForm::complete;
    while (true) {
        auto row = query.step();
        if (!row) return row.error();
        if (!*row) break;
        ValidatorHistory history;
        history.pubkey = query.text(0).value_or("");
        if (const auto slot = query.integer(1)) {
            history.signed_blocks.push_back(SignedBlock{*slot, with_roots ? query.text(2) : std::nullopt});
        }
        const auto source = query.integer(3);
        const auto target = query.integer(4);
        if (source && target) {
            history.signed_attestations.push_back(
                SignedAttestation{*source, *target, with_roots ? query.text(5) : std::nullopt});
        }
        interchange.data.push_back(std::move(history));
    }
    return interchange;
}

}  // namespace ephemery::slashing

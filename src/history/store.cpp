#include "history/store.hpp"

#include <fmt/format.h>

#include <array>
#include <bit>

namespace ephemery::history {
namespace {

using monitoring::NetworkEpoch;
using monitoring::NodeEpoch;
using monitoring::ValidatorEpoch;

// Migration N takes the schema from version N to N + 1. Never edit a released migration: add one.
constexpr std::array<std::string_view, 1> migrations{
    R"sql(
CREATE TABLE validator_epochs (
    iteration INTEGER NOT NULL, epoch INTEGER NOT NULL, time INTEGER NOT NULL,
    label TEXT NOT NULL, pubkey TEXT NOT NULL, validator_index INTEGER NOT NULL, status TEXT NOT NULL,
    balance INTEGER NOT NULL, balance_delta INTEGER NOT NULL, effective_balance INTEGER NOT NULL,
    figure_source TEXT NOT NULL, source_hit INTEGER, target_hit INTEGER, head_hit INTEGER, live INTEGER,
    attestation_reward INTEGER NOT NULL, ideal_attestation_reward INTEGER NOT NULL,
    missed_in_row INTEGER NOT NULL, proposals_made INTEGER NOT NULL, proposals_missed INTEGER NOT NULL,
    inclusion_delay INTEGER, sync_participated INTEGER, sync_missed INTEGER,
    PRIMARY KEY (iteration, epoch, pubkey)) WITHOUT ROWID;
CREATE INDEX validator_epochs_by_time ON validator_epochs (time);
CREATE INDEX validator_epochs_by_pubkey ON validator_epochs (pubkey, iteration, epoch);
CREATE TABLE node_epochs (
    iteration INTEGER NOT NULL, epoch INTEGER NOT NULL, time INTEGER NOT NULL, state_slot INTEGER NOT NULL,
    head_slot INTEGER NOT NULL, sync_distance INTEGER NOT NULL, is_syncing INTEGER NOT NULL,
    peers INTEGER NOT NULL, finalized_epoch INTEGER NOT NULL, justified_epoch INTEGER NOT NULL,
    head_lag_slots INTEGER NOT NULL, finality_lag_epochs INTEGER NOT NULL,
    el_syncing INTEGER, el_peers INTEGER, el_block INTEGER,
    cpu_seconds REAL NOT NULL, resident_bytes INTEGER NOT NULL, data_dir_bytes INTEGER NOT NULL,
    PRIMARY KEY (iteration, epoch));
CREATE INDEX node_epochs_by_time ON node_epochs (time);
CREATE TABLE network_epochs (
    iteration INTEGER NOT NULL, epoch INTEGER NOT NULL, time INTEGER NOT NULL,
    active_validators INTEGER NOT NULL, source_participation REAL NOT NULL, target_participation REAL NOT NULL,
    head_participation REAL NOT NULL, mean_balance_gwei REAL NOT NULL,
    PRIMARY KEY (iteration, epoch));
CREATE TABLE missing_validators (
    iteration INTEGER NOT NULL, label TEXT NOT NULL, pubkey TEXT NOT NULL,
    PRIMARY KEY (iteration, pubkey));
CREATE TABLE alert_events (
    id INTEGER PRIMARY KEY, time INTEGER NOT NULL, iteration INTEGER NOT NULL, epoch INTEGER NOT NULL,
    rule TEXT NOT NULL, state TEXT NOT NULL, severity TEXT NOT NULL, labels TEXT NOT NULL, value REAL NOT NULL,
    summary TEXT NOT NULL, delivery TEXT NOT NULL);
CREATE INDEX alert_events_by_time ON alert_events (time);
CREATE TABLE validator_days (
    day INTEGER NOT NULL, label TEXT NOT NULL, pubkey TEXT NOT NULL, epochs INTEGER NOT NULL,
    source_hits INTEGER NOT NULL, target_hits INTEGER NOT NULL, head_hits INTEGER NOT NULL,
    judged_epochs INTEGER NOT NULL, missed_epochs INTEGER NOT NULL,
    attestation_reward INTEGER NOT NULL, ideal_attestation_reward INTEGER NOT NULL, balance_delta INTEGER NOT NULL,
    proposals_made INTEGER NOT NULL, proposals_missed INTEGER NOT NULL,
    PRIMARY KEY (day, pubkey)) WITHOUT ROWID;
CREATE TABLE collector_values (key TEXT PRIMARY KEY, value TEXT NOT NULL);
)sql",
};
static_assert(migrations.size() == schema_version);

constexpr std::int64_t seconds_per_day = 86400;

std::int64_t sql(std::uint64_t value) {
    return std::bit_cast<std::int64_t>(value);
}
std::uint64_t unsigned_column(const infra::SqliteStatement& row, int column) {
    return std::bit_cast<std::uint64_t>(row.integer(column));
}
std::optional<bool> optional_bool(const infra::SqliteStatement& row, int column) {
    if (row.is_null(column)) return std::nullopt;
    return row.integer(column) != 0;
}
std::optional<std::int64_t> sql_bool(std::optional<bool> value) {
    if (!value) return std::nullopt;
    return *value ? 1 : 0;
}
template <typename T>
std::optional<std::int64_t> sql_optional(std::optional<T> value) {
    if (!value) return std::nullopt;
    return static_cast<std::int64_t>(*value);
}
template <typename T>
std::optional<T> optional_column(const infra::SqliteStatement& row, int column) {
    if (row.is_null(column)) return std::nullopt;
    return static_cast<T>(row.integer(column));
}

constexpr std::string_view validator_columns =
    "iteration, epoch, time, label, pubkey, validator_index, status, balance, balance_delta, effective_balance, "
    "figure_source, source_hit, target_hit, head_hit, live, attestation_reward, ideal_attestation_reward, "
    "missed_in_row, proposals_made, proposals_missed, inclusion_delay, sync_participated, sync_missed";

ValidatorEpoch validator_from_row(const infra::SqliteStatement& row) {
    ValidatorEpoch record;
    record.iteration = unsigned_column(row, 0);
    record.epoch = unsigned_column(row, 1);
    record.time = row.integer(2);
    record.label = row.text(3);
    record.pubkey = row.text(4);
    record.index = unsigned_column(row, 5);
    record.status = row.text(6);
    record.balance = unsigned_column(row, 7);
    record.balance_delta = row.integer(8);
    record.effective_balance = unsigned_column(row, 9);
    record.source = monitoring::figure_source_from_name(row.text(10)).value_or(monitoring::FigureSource::none);
    record.source_hit = optional_bool(row, 11);
    record.target_hit = optional_bool(row, 12);
    record.head_hit = optional_bool(row, 13);
    record.live = optional_bool(row, 14);
    record.attestation_reward = row.integer(15);
    record.ideal_attestation_reward = row.integer(16);
    record.missed_attestations_in_row = static_cast<std::uint32_t>(row.integer(17));
    record.proposals_made = static_cast<std::uint32_t>(row.integer(18));
    record.proposals_missed = static_cast<std::uint32_t>(row.integer(19));
    record.inclusion_delay = optional_column<std::uint32_t>(row, 20);
    record.sync_participated = optional_column<std::uint32_t>(row, 21);
    record.sync_missed = optional_column<std::uint32_t>(row, 22);
    return record;
}

template <typename Decode>
auto collect(infra::SqliteStatement& statement, Decode decode) -> Result<std::vector<decltype(decode(statement))>> {
    std::vector<decltype(decode(statement))> rows;
    while (true) {
        auto row = statement.step();
        if (!row) return row.error();
        if (!*row) return rows;
        rows.push_back(decode(statement));
    }
}

}  // namespace

Result<HistoryStore> HistoryStore::open(const std::filesystem::path& path) {
    auto database = infra::SqliteDatabase::open(path);
    if (!database) return database.error();
    auto version = database->user_version();
    if (!version) return version.error();
    if (*version > schema_version) {
        return make_error(Errc::unsupported,
                          fmt::format("monitoring history {} has schema version {}, newer than this ephemery's {}: "
                                      "run the newer ephemery, or move the file away to start a new history",
                                      path.string(), *version, schema_version));
    }
    for (auto step = *version; step < schema_version; ++step) {
        infra::SqliteTransaction transaction(*database);
        if (auto status = transaction.begin(); !status) return status.error();
        if (auto status = database->execute(migrations[static_cast<std::size_t>(step)],
                                            fmt::format("migrate it to schema version {}", step + 1));
            !status) {
            return status.error();
        }
        if (auto status = database->execute(fmt::format("PRAGMA user_version = {}", step + 1), "record its version");
            !status) {
            return status.error();
        }
        if (auto status = transaction.commit(); !status) return status.error();
    }
    return HistoryStore(std::move(*database));
}

Status HistoryStore::record_epoch(const std::optional<NodeEpoch>& node, const std::vector<ValidatorEpoch>& validators,
                                  const std::optional<NetworkEpoch>& network) {
    infra::SqliteTransaction transaction(database_);
    if (auto status = transaction.begin(); !status) return status;
    if (node) {
        auto insert = database_.prepare(
            "INSERT OR REPLACE INTO node_epochs VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, "
            "?15, ?16, ?17, ?18)");
        if (!insert) return insert.error();
        insert->bind(1, sql(node->iteration));
        insert->bind(2, sql(node->epoch));
        insert->bind(3, node->time);
        insert->bind(4, sql(node->state_slot));
        insert->bind(5, sql(node->head_slot));
        insert->bind(6, sql(node->sync_distance));
        insert->bind(7, std::int64_t{node->is_syncing ? 1 : 0});
        insert->bind(8, sql(node->peers));
        insert->bind(9, sql(node->finalized_epoch));
        insert->bind(10, sql(node->justified_epoch));
        insert->bind(11, sql(node->head_lag_slots));
        insert->bind(12, sql(node->finality_lag_epochs));
        insert->bind(13, sql_bool(node->el_syncing));
        insert->bind(14, sql_optional(node->el_peers));
        insert->bind(15, sql_optional(node->el_block));
        insert->bind(16, node->cpu_seconds);
        insert->bind(17, sql(node->resident_bytes));
        insert->bind(18, sql(node->data_dir_bytes));
        if (auto status = insert->run(); !status) return status;
    }
    if (network) {
        auto insert =
            database_.prepare("INSERT OR REPLACE INTO network_epochs VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
        if (!insert) return insert.error();
        insert->bind(1, sql(network->iteration));
        insert->bind(2, sql(network->epoch));
        insert->bind(3, network->time);
        insert->bind(4, sql(network->active_validators));
        insert->bind(5, network->source_participation);
        insert->bind(6, network->target_participation);
        insert->bind(7, network->head_participation);
        insert->bind(8, network->mean_balance_gwei);
        if (auto status = insert->run(); !status) return status;
    }
    auto insert = database_.prepare(fmt::format(
        "INSERT OR REPLACE INTO validator_epochs ({}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, "
        "?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23)",
        validator_columns));
    if (!insert) return insert.error();
    for (const auto& record : validators) {
        insert->reset();
        insert->bind(1, sql(record.iteration));
        insert->bind(2, sql(record.epoch));
        insert->bind(3, record.time);
        insert->bind(4, std::string_view(record.label));
        insert->bind(5, std::string_view(record.pubkey));
        insert->bind(6, sql(record.index));
        insert->bind(7, std::string_view(record.status));
        insert->bind(8, sql(record.balance));
        insert->bind(9, record.balance_delta);
        insert->bind(10, sql(record.effective_balance));
        insert->bind(11, monitoring::figure_source_name(record.source));
        insert->bind(12, sql_bool(record.source_hit));
        insert->bind(13, sql_bool(record.target_hit));
        insert->bind(14, sql_bool(record.head_hit));
        insert->bind(15, sql_bool(record.live));
        insert->bind(16, record.attestation_reward);
        insert->bind(17, record.ideal_attestation_reward);
        insert->bind(18, std::int64_t{record.missed_attestations_in_row});
        insert->bind(19, std::int64_t{record.proposals_made});
        insert->bind(20, std::int64_t{record.proposals_missed});
        insert->bind(21, sql_optional(record.inclusion_delay));
        insert->bind(22, sql_optional(record.sync_participated));
        insert->bind(23, sql_optional(record.sync_missed));
        if (auto status = insert->run(); !status) return status;
    }
    return transaction.commit();
}

Status HistoryStore::record_missing(std::uint64_t iteration, const std::vector<monitoring::MissingValidator>& missing) {
    infra::SqliteTransaction transaction(database_);
    if (auto status = transaction.begin(); !status) return status;
    auto insert = database_.prepare("INSERT OR REPLACE INTO missing_validators VALUES (?1, ?2, ?3)");
    if (!insert) return insert.error();
    for (const auto& validator : missing) {
        insert->reset();
        insert->bind(1, sql(iteration));
        insert->bind(2, std::string_view(validator.label));
        insert->bind(3, std::string_view(validator.pubkey));
        if (auto status = insert->run(); !status) return status;
    }
    return transaction.commit();
}

Status HistoryStore::record_alert(const AlertEvent& event) {
    auto insert = database_.prepare(
        "INSERT INTO alert_events (time, iteration, epoch, rule, state, severity, labels, value, summary, delivery) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)");
    if (!insert) return insert.error();
    insert->bind(1, event.time);
    insert->bind(2, sql(event.iteration));
    insert->bind(3, sql(event.epoch));
    insert->bind(4, std::string_view(event.rule));
    insert->bind(5, std::string_view(event.state));
    insert->bind(6, std::string_view(event.severity));
    insert->bind(7, std::string_view(event.labels_json));
    insert->bind(8, event.value);
    insert->bind(9, std::string_view(event.summary));
    insert->bind(10, std::string_view(event.delivery));
    return insert->run();
}

Result<std::optional<std::uint64_t>> HistoryStore::last_epoch(std::uint64_t iteration) {
    auto query = database_.prepare("SELECT MAX(epoch) FROM node_epochs WHERE iteration = ?1");
    if (!query) return query.error();
    query->bind(1, sql(iteration));
    auto row = query->step();
    if (!row) return row.error();
    if (!*row || query->is_null(0)) return std::optional<std::uint64_t>{};
    return std::optional<std::uint64_t>{unsigned_column(*query, 0)};
}

Result<std::map<std::string, ValidatorEpoch, std::less<>>> HistoryStore::latest_validator_records(
    std::uint64_t iteration) {
    auto query = database_.prepare(
        fmt::format("SELECT {} FROM validator_epochs v WHERE iteration = ?1 AND epoch = (SELECT MAX(epoch) FROM "
                    "validator_epochs w WHERE w.iteration = v.iteration AND w.pubkey = v.pubkey)",
                    validator_columns));
    if (!query) return query.error();
    query->bind(1, sql(iteration));
    auto rows = collect(*query, validator_from_row);
    if (!rows) return rows.error();
    std::map<std::string, ValidatorEpoch, std::less<>> latest;
    for (auto& record : *rows) latest.emplace(record.pubkey, std::move(record));
    return latest;
}

Result<std::vector<ValidatorEpoch>> HistoryStore::validators(const ValidatorQuery& query) {
    std::string where = "WHERE 1";
    if (query.iteration) where += " AND iteration = ?1";
    if (query.label) where += " AND label = ?2";
    if (query.pubkey) where += " AND pubkey = ?3";
    if (query.since) where += " AND time >= ?4";
    if (query.last_epochs) {
        where += " AND epoch > (SELECT MAX(epoch) FROM validator_epochs w WHERE w.iteration = v.iteration) - ?5";
    }
    auto statement = database_.prepare(fmt::format(
        "SELECT {} FROM validator_epochs v {} ORDER BY iteration, epoch, validator_index", validator_columns, where));
    if (!statement) return statement.error();
    if (query.iteration) statement->bind(1, sql(*query.iteration));
    if (query.label) statement->bind(2, std::string_view(*query.label));
    if (query.pubkey) statement->bind(3, std::string_view(*query.pubkey));
    if (query.since) statement->bind(4, *query.since);
    if (query.last_epochs) statement->bind(5, sql(*query.last_epochs));
    return collect(*statement, validator_from_row);
}

Result<std::vector<NodeEpoch>> HistoryStore::nodes(std::optional<std::int64_t> since,
                                                   std::optional<std::uint64_t> iteration) {
    auto statement = database_.prepare(
        "SELECT * FROM node_epochs WHERE time >= ?1 AND (?2 IS NULL OR iteration = ?2) ORDER BY iteration, epoch");
    if (!statement) return statement.error();
    statement->bind(1, since.value_or(0));
    statement->bind(2, sql_optional(iteration));
    return collect(*statement, [](const infra::SqliteStatement& row) {
        NodeEpoch node;
        node.iteration = unsigned_column(row, 0);
        node.epoch = unsigned_column(row, 1);
        node.time = row.integer(2);
        node.state_slot = unsigned_column(row, 3);
        node.head_slot = unsigned_column(row, 4);
        node.sync_distance = unsigned_column(row, 5);
        node.is_syncing = row.integer(6) != 0;
        node.peers = unsigned_column(row, 7);
        node.finalized_epoch = unsigned_column(row, 8);
        node.justified_epoch = unsigned_column(row, 9);
        node.head_lag_slots = unsigned_column(row, 10);
        node.finality_lag_epochs = unsigned_column(row, 11);
        node.el_syncing = optional_bool(row, 12);
        node.el_peers = optional_column<std::uint64_t>(row, 13);
        node.el_block = optional_column<std::uint64_t>(row, 14);
        node.cpu_seconds = row.real(15);
        node.resident_bytes = unsigned_column(row, 16);
        node.data_dir_bytes = unsigned_column(row, 17);
        return node;
    });
}

Result<std::vector<NetworkEpoch>> HistoryStore::networks(std::optional<std::int64_t> since) {
    auto statement = database_.prepare("SELECT * FROM network_epochs WHERE time >= ?1 ORDER BY iteration, epoch");
    if (!statement) return statement.error();
    statement->bind(1, since.value_or(0));
    return collect(*statement, [](const infra::SqliteStatement& row) {
        NetworkEpoch network;
        network.iteration = unsigned_column(row, 0);
        network.epoch = unsigned_column(row, 1);
        network.time = row.integer(2);
        network.active_validators = unsigned_column(row, 3);
        network.source_participation = row.real(4);
        network.target_participation = row.real(5);
        network.head_participation = row.real(6);
        network.mean_balance_gwei = row.real(7);
        return network;
    });
}

Result<std::vector<monitoring::MissingValidator>> HistoryStore::missing(std::uint64_t iteration) {
    auto statement = database_.prepare(
        "SELECT label, pubkey FROM missing_validators WHERE iteration = ?1 ORDER BY "
        "label, pubkey");
    if (!statement) return statement.error();
    statement->bind(1, sql(iteration));
    return collect(*statement, [](const infra::SqliteStatement& row) {
        return monitoring::MissingValidator{row.text(0), row.text(1)};
    });
}

Result<std::vector<AlertEvent>> HistoryStore::alerts(std::optional<std::int64_t> since) {
    auto statement = database_.prepare(
        "SELECT time, iteration, epoch, rule, state, severity, labels, value, summary, delivery FROM alert_events "
        "WHERE time >= ?1 ORDER BY id");
    if (!statement) return statement.error();
    statement->bind(1, since.value_or(0));
    return collect(*statement, [](const infra::SqliteStatement& row) {
        AlertEvent event;
        event.time = row.integer(0);
        event.iteration = unsigned_column(row, 1);
        event.epoch = unsigned_column(row, 2);
        event.rule = row.text(3);
        event.state = row.text(4);
        event.severity = row.text(5);
        event.labels_json = row.text(6);
        event.value = row.real(7);
        event.summary = row.text(8);
        event.delivery = row.text(9);
        return event;
    });
}

Result<std::vector<ValidatorDay>> HistoryStore::validator_days(std::optional<std::int64_t> since) {
    auto statement = database_.prepare("SELECT * FROM validator_days WHERE day >= ?1 ORDER BY day, pubkey");
    if (!statement) return statement.error();
    statement->bind(1, since.value_or(0) / seconds_per_day * seconds_per_day);
    return collect(*statement, [](const infra::SqliteStatement& row) {
        ValidatorDay day;
        day.day = row.integer(0);
        day.label = row.text(1);
        day.pubkey = row.text(2);
        day.epochs = unsigned_column(row, 3);
        day.source_hits = unsigned_column(row, 4);
        day.target_hits = unsigned_column(row, 5);
        day.head_hits = unsigned_column(row, 6);
        day.judged_epochs = unsigned_column(row, 7);
        day.missed_epochs = unsigned_column(row, 8);
        day.attestation_reward = row.integer(9);
        day.ideal_attestation_reward = row.integer(10);
        day.balance_delta = row.integer(11);
        day.proposals_made = unsigned_column(row, 12);
        day.proposals_missed = unsigned_column(row, 13);
        return day;
    });
}

Result<std::vector<std::uint64_t>> HistoryStore::iterations() {
    auto statement = database_.prepare(
        "SELECT DISTINCT iteration FROM node_epochs UNION SELECT DISTINCT iteration "
        "FROM validator_epochs ORDER BY 1");
    if (!statement) return statement.error();
    return collect(*statement, [](const infra::SqliteStatement& row) { return unsigned_column(row, 0); });
}

Result<RetentionResult> HistoryStore::apply_retention(std::int64_t now, std::int64_t raw_days,
                                                      std::int64_t retention_days) {
    const std::int64_t today = now / seconds_per_day * seconds_per_day;
    const std::int64_t raw_cutoff = today - raw_days * seconds_per_day;
    const std::int64_t cutoff = today - retention_days * seconds_per_day;
    RetentionResult result;
    infra::SqliteTransaction transaction(database_);
    if (auto status = transaction.begin(); !status) return status.error();
    auto roll_up = database_.prepare(R"sql(
INSERT INTO validator_days
SELECT time / 86400 * 86400, MAX(label), pubkey, COUNT(*),
       SUM(COALESCE(source_hit, 0)), SUM(COALESCE(target_hit, 0)), SUM(COALESCE(head_hit, 0)),
       SUM(figure_source != 'none'), SUM(missed_in_row > 0),
       SUM(attestation_reward), SUM(ideal_attestation_reward), SUM(balance_delta),
       SUM(proposals_made), SUM(proposals_missed)
FROM validator_epochs WHERE time < ?1 GROUP BY time / 86400, pubkey
ON CONFLICT (day, pubkey) DO UPDATE SET
    epochs = epochs + excluded.epochs, source_hits = source_hits + excluded.source_hits,
    target_hits = target_hits + excluded.target_hits, head_hits = head_hits + excluded.head_hits,
    judged_epochs = judged_epochs + excluded.judged_epochs, missed_epochs = missed_epochs + excluded.missed_epochs,
    attestation_reward = attestation_reward + excluded.attestation_reward,
    ideal_attestation_reward = ideal_attestation_reward + excluded.ideal_attestation_reward,
    balance_delta = balance_delta + excluded.balance_delta,
    proposals_made = proposals_made + excluded.proposals_made,
    proposals_missed = proposals_missed + excluded.proposals_missed
)sql");
    if (!roll_up) return roll_up.error();
    roll_up->bind(1, raw_cutoff);
    if (auto status = roll_up->run(); !status) return status.error();
    auto rolled = database_.prepare("DELETE FROM validator_epochs WHERE time < ?1");
    if (!rolled) return rolled.error();
    rolled->bind(1, raw_cutoff);
    if (auto status = rolled->run(); !status) return status.error();
    auto changes = database_.prepare("SELECT changes()");
    if (!changes) return changes.error();
    if (auto row = changes->step(); row && *row) result.rolled_up_rows = unsigned_column(*changes, 0);
    for (const std::string_view table : {"validator_days", "node_epochs", "network_epochs", "alert_events"}) {
        const std::string_view column = table == "validator_days" ? "day" : "time";
        auto expire = database_.prepare(fmt::format("DELETE FROM {} WHERE {} < ?1", table, column));
        if (!expire) return expire.error();
        expire->bind(1, cutoff);
        if (auto status = expire->run(); !status) return status.error();
        changes->reset();
        if (auto row = changes->step(); row && *row) result.deleted_rows += unsigned_column(*changes, 0);
    }
    if (auto status = transaction.commit(); !status) return status.error();
    return result;
}

Result<std::optional<std::string>> HistoryStore::get_value(std::string_view key) {
    auto statement = database_.prepare("SELECT value FROM collector_values WHERE key = ?1");
    if (!statement) return statement.error();
    statement->bind(1, key);
    auto row = statement->step();
    if (!row) return row.error();
    if (!*row) return std::optional<std::string>{};
    return std::optional<std::string>{statement->text(0)};
}

Status HistoryStore::put_value(std::string_view key, std::string_view value) {
    auto statement = database_.prepare("INSERT OR REPLACE INTO collector_values VALUES (?1, ?2)");
    if (!statement) return statement.error();
    statement->bind(1, key);
    statement->bind(2, value);
    return statement->run();
}

}  // namespace ephemery::history

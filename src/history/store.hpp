#pragma once
// Monitoring history in SQLite (<data_dir>/monitoring.db): per-epoch node, network and validator records keyed by
// iteration, alert events, and daily roll-ups for long windows. WAL, versioned schema with migrations,
// retention. Reset-aware: every row carries its iteration; validators are keyed by pubkey, indices are data.

#include "core/result.hpp"
#include "infra/sqlite.hpp"
#include "monitoring/assess.hpp"
#include "monitoring/record.hpp"

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace ephemery::history {

inline constexpr std::string_view database_file = "monitoring.db";
inline constexpr std::int64_t schema_version = 1;

struct AlertEvent {
    std::int64_t time{0};
    std::uint64_t iteration{0};
    std::uint64_t epoch{0};
    std::string rule;
    std::string state;  // firing, resolved
    std::string severity;
    std::string labels_json;  // {"label":"mine",...}
    double value{0};
    std::string summary;
    std::string delivery;  // per channel: "webhook: delivered after 2 attempts; email: failed: ..."
};

struct ValidatorQuery {
    std::optional<std::uint64_t> iteration;
    std::optional<std::string> label;
    std::optional<std::string> pubkey;
    std::optional<std::int64_t> since;         // Unix seconds
    std::optional<std::uint64_t> last_epochs;  // only the newest N epochs of each iteration selected
};

// A validator's day (UTC) once its per-epoch rows have aged out.
struct ValidatorDay {
    std::int64_t day{0};  // Unix seconds at 00:00 UTC
    std::string label;
    std::string pubkey;
    std::uint64_t epochs{0};
    std::uint64_t source_hits{0};
    std::uint64_t target_hits{0};
    std::uint64_t head_hits{0};
    std::uint64_t judged_epochs{0};  // epochs with attestation figures
    std::uint64_t missed_epochs{0};
    std::int64_t attestation_reward{0};
    std::int64_t ideal_attestation_reward{0};
    std::int64_t balance_delta{0};
    std::uint64_t proposals_made{0};
    std::uint64_t proposals_missed{0};
};

struct RetentionResult {
    std::uint64_t rolled_up_rows{0};
    std::uint64_t deleted_rows{0};
};

class HistoryStore {
  public:
    // Opens or creates the database and migrates it to schema_version; refuses a newer schema (a newer ephemery
    // wrote it) instead of guessing.
    [[nodiscard]] static Result<HistoryStore> open(const std::filesystem::path& path);

    // One epoch, written in one transaction; writing an epoch again replaces its rows.
    [[nodiscard]] Status record_epoch(const std::optional<monitoring::NodeEpoch>& node,
                                      const std::vector<monitoring::ValidatorEpoch>& validators,
                                      const std::optional<monitoring::NetworkEpoch>& network);
    [[nodiscard]] Status record_missing(std::uint64_t iteration,
                                        const std::vector<monitoring::MissingValidator>& missing);
    [[nodiscard]] Status record_alert(const AlertEvent& event);

    // The newest epoch judged in `iteration`, if any.
    [[nodiscard]] Result<std::optional<std::uint64_t>> last_epoch(std::uint64_t iteration);
    // Each pubkey's newest record in `iteration` (balance deltas and misses in a row continue from them).
    [[nodiscard]] Result<std::map<std::string, monitoring::ValidatorEpoch, std::less<>>> latest_validator_records(
        std::uint64_t iteration);

    [[nodiscard]] Result<std::vector<monitoring::ValidatorEpoch>> validators(const ValidatorQuery& query);
    [[nodiscard]] Result<std::vector<monitoring::NodeEpoch>> nodes(std::optional<std::int64_t> since,
                                                                   std::optional<std::uint64_t> iteration);
    [[nodiscard]] Result<std::vector<monitoring::NetworkEpoch>> networks(std::optional<std::int64_t> since);
    [[nodiscard]] Result<std::vector<monitoring::MissingValidator>> missing(std::uint64_t iteration);
    [[nodiscard]] Result<std::vector<AlertEvent>> alerts(std::optional<std::int64_t> since);
    [[nodiscard]] Result<std::vector<ValidatorDay>> validator_days(std::optional<std::int64_t> since);
    [[nodiscard]] Result<std::vector<std::uint64_t>> iterations();

    // Rolls per-epoch validator rows older than `raw_days` into daily rows, then deletes everything older than
    // `retention_days`. Whole UTC days only, so a day is never split between the two forms.
    [[nodiscard]] Result<RetentionResult> apply_retention(std::int64_t now, std::int64_t raw_days,
                                                          std::int64_t retention_days);

    // Small named values the collector keeps across restarts (the alert engine's state).
    [[nodiscard]] Result<std::optional<std::string>> get_value(std::string_view key);
    [[nodiscard]] Status put_value(std::string_view key, std::string_view value);

  private:
    explicit HistoryStore(infra::SqliteDatabase database) : database_(std::move(database)) {}
    infra::SqliteDatabase database_;
};

}  // namespace ephemery::history

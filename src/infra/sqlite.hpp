#pragma once
// A thin RAII layer over the SQLite C API: one connection, prepared statements with typed binds and columns,
// transactions. Errors name the database file and the action; the caller adds what the operator should do.

#include "core/result.hpp"

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

struct sqlite3;
struct sqlite3_stmt;

namespace ephemery::infra {

class SqliteStatement;

class SqliteDatabase {
  public:
    // Opens (creating it 0600 when missing) with write-ahead logging and a busy timeout.
    [[nodiscard]] static Result<SqliteDatabase> open(const std::filesystem::path& path);
    SqliteDatabase(SqliteDatabase&&) noexcept;
    SqliteDatabase& operator=(SqliteDatabase&&) noexcept;
    SqliteDatabase(const SqliteDatabase&) = delete;
    SqliteDatabase& operator=(const SqliteDatabase&) = delete;
    ~SqliteDatabase();

    [[nodiscard]] const std::filesystem::path& path() const noexcept { return path_; }
    // Runs one or more statements with no results.
    [[nodiscard]] Status execute(std::string_view sql, std::string_view action);
    [[nodiscard]] Result<SqliteStatement> prepare(std::string_view sql);
    [[nodiscard]] Result<std::int64_t> user_version();
    [[nodiscard]] Error error(std::string_view action) const;

  private:
    SqliteDatabase(std::filesystem::path path, sqlite3* connection);
    std::filesystem::path path_;
    sqlite3* connection_{nullptr};
};

class SqliteStatement {
  public:
    SqliteStatement(SqliteStatement&&) noexcept = default;
    SqliteStatement& operator=(SqliteStatement&&) noexcept = default;
    SqliteStatement(const SqliteStatement&) = delete;
    SqliteStatement& operator=(const SqliteStatement&) = delete;
    ~SqliteStatement() = default;

    // Parameters are numbered from 1, as in SQL.
    void bind(int index, std::int64_t value);
    void bind(int index, double value);
    void bind(int index, std::string_view text);
    void bind_null(int index);
    template <typename T>
    void bind(int index, const std::optional<T>& value) {
        if (value) {
            bind(index, *value);
        } else {
            bind_null(index);
        }
    }
    // true with a row, false when done.
    [[nodiscard]] Result<bool> step();
    [[nodiscard]] Status run();  // step to the end, for statements without rows
    void reset();                // for the next set of binds

    // Columns are numbered from 0.
    [[nodiscard]] bool is_null(int column) const;
    [[nodiscard]] std::int64_t integer(int column) const;
    [[nodiscard]] double real(int column) const;
    [[nodiscard]] std::string text(int column) const;

  private:
    friend class SqliteDatabase;
    struct Finalize {
        void operator()(sqlite3_stmt* statement) const noexcept;
    };
    SqliteStatement(const SqliteDatabase* database, sqlite3_stmt* statement);
    const SqliteDatabase* database_;
    std::unique_ptr<sqlite3_stmt, Finalize> statement_;
};

// BEGIN IMMEDIATE .. COMMIT; rolls back when destroyed uncommitted.
class SqliteTransaction {
  public:
    explicit SqliteTransaction(SqliteDatabase& database) : database_(database) {}
    SqliteTransaction(const SqliteTransaction&) = delete;
    SqliteTransaction& operator=(const SqliteTransaction&) = delete;
    SqliteTransaction(SqliteTransaction&&) = delete;
    SqliteTransaction& operator=(SqliteTransaction&&) = delete;
    ~SqliteTransaction();
    [[nodiscard]] Status begin();
    [[nodiscard]] Status commit();

  private:
    SqliteDatabase& database_;
    bool open_{false};
};

}  // namespace ephemery::infra

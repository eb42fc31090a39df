#include "infra/sqlite.hpp"

#include "infra/files.hpp"

#include <fmt/format.h>
#include <sqlite3.h>

#include <utility>

namespace ephemery::infra {
namespace {
constexpr int busy_timeout_ms = 5000;
}

SqliteDatabase::SqliteDatabase(std::filesystem::path path, sqlite3* connection)
    : path_(std::move(path)), connection_(connection) {}

SqliteDatabase::SqliteDatabase(SqliteDatabase&& other) noexcept
    : path_(std::move(other.path_)), connection_(std::exchange(other.connection_, nullptr)) {}

SqliteDatabase& SqliteDatabase::operator=(SqliteDatabase&& other) noexcept {
    if (this != &other) {
        if (connection_ != nullptr) sqlite3_close_v2(connection_);
        path_ = std::move(other.path_);
        connection_ = std::exchange(other.connection_, nullptr);
    }
    return *this;
}

SqliteDatabase::~SqliteDatabase() {
    if (connection_ != nullptr) sqlite3_close_v2(connection_);
}

Error SqliteDatabase::error(std::string_view action) const {
    const char* reason = connection_ != nullptr ? sqlite3_errmsg(connection_) : "out of memory";
    std::string message = fmt::format("database {}: cannot {}: {}", path_.string(), action, reason);
    if (connection_ != nullptr) {
        const int code = sqlite3_errcode(connection_) & 0xff;
        if (code == SQLITE_NOTADB)
            message += " (the file is not an SQLite database: move it away or give another path)";
        if (code == SQLITE_FULL) message += " (the disk is full: free space; nothing already stored is lost)";
        if (code == SQLITE_READONLY || code == SQLITE_CANTOPEN) message += " (check the directory's permissions)";
    }
    return make_error(Errc::io_error, std::move(message));
}

Result<SqliteDatabase> SqliteDatabase::open(const std::filesystem::path& path) {
    std::error_code ignored;
    if (!std::filesystem::exists(path, ignored)) {
        if (auto created = create_private_file(path); !created) return created.error();
    }
    sqlite3* raw = nullptr;
    const int opened = sqlite3_open_v2(path.c_str(), &raw, SQLITE_OPEN_READWRITE | SQLITE_OPEN_FULLMUTEX, nullptr);
    SqliteDatabase database(path, raw);
    if (opened != SQLITE_OK) return database.error("open it");
    sqlite3_busy_timeout(raw, busy_timeout_ms);
    if (auto status = database.execute("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; "
                                       "PRAGMA foreign_keys = ON",
                                       "configure it");
        !status) {
        return status.error();
    }
    return database;
}

Status SqliteDatabase::execute(std::string_view sql, std::string_view action) {
    const std::string text(sql);
    if (sqlite3_exec(connection_, text.c_str(), nullptr, nullptr, nullptr) != SQLITE_OK) return error(action);
    return {};
}

Result<SqliteStatement> SqliteDatabase::prepare(std::string_view sql) {
    sqlite3_stmt* raw = nullptr;
    if (sqlite3_prepare_v2(connection_, sql.data(), static_cast<int>(sql.size()), &raw, nullptr) != SQLITE_OK) {
        sqlite3_finalize(raw);
        return error("prepare a query");
    }
    return SqliteStatement(this, raw);
}

Result<std::int64_t> SqliteDatabase::user_version() {
    auto statement = prepare("PRAGMA user_version");
    if (!statement) return statement.error();
    auto row = statement->step();
    if (!row) return row.error();
    return *row ? statement->integer(0) : 0;
}

void SqliteStatement::Finalize::operator()(sqlite3_stmt* statement) const noexcept {
    sqlite3_finalize(statement);
}

SqliteStatement::SqliteStatement(const SqliteDatabase* database, sqlite3_stmt* statement)
    : database_(database), statement_(statement) {}

void SqliteStatement::bind(int index, std::int64_t value) {
    sqlite3_bind_int64(statement_.get(), index, value);
}
void SqliteStatement::bind(int index, double value) {
    sqlite3_bind_double(statement_.get(), index, value);
}
void SqliteStatement::bind(int index, std::string_view text) {
    sqlite3_bind_text(statement_.get(), index, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
}
void SqliteStatement::bind_null(int index) {
    sqlite3_bind_null(statement_.get(), index);
}

Result<bool> SqliteStatement::step() {
    const int status = sqlite3_step(statement_.get());
    if (status == SQLITE_ROW) return true;
    if (status == SQLITE_DONE) return false;
    return database_->error("run a query");
}

Status SqliteStatement::run() {
    while (true) {
        auto row = step();
        if (!row) return row.error();
        if (!*row) return {};
    }
}

void SqliteStatement::reset() {
    sqlite3_reset(statement_.get());
    sqlite3_clear_bindings(statement_.get());
}

bool SqliteStatement::is_null(int column) const {
    return sqlite3_column_type(statement_.get(), column) == SQLITE_NULL;
}
std::int64_t SqliteStatement::integer(int column) const {
    return sqlite3_column_int64(statement_.get(), column);
}
double SqliteStatement::real(int column) const {
    return sqlite3_column_double(statement_.get(), column);
}
std::string SqliteStatement::text(int column) const {
    const auto* bytes = sqlite3_column_text(statement_.get(), column);
    if (bytes == nullptr) return {};
    return {reinterpret_cast<const char*>(bytes),  // NOLINT(cppcoreguidelines-pro-type-reinterpret-cast)
            static_cast<std::size_t>(sqlite3_column_bytes(statement_.get(), column))};
}

SqliteTransaction::~SqliteTransaction() {
    if (open_) (void)database_.execute("ROLLBACK", "roll back");
}

Status SqliteTransaction::begin() {
    if (auto status = database_.execute("BEGIN IMMEDIATE", "start a transaction"); !status) return status;
    open_ = true;
    return {};
}

Status SqliteTransaction::commit() {
    if (auto status = database_.execute("COMMIT", "commit"); !status) return status;
    open_ = false;
    return {};
}

}  // namespace ephemery::infra

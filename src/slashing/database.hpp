#pragma once

#include "core/result.hpp"
#include "slashing/interchange.hpp"

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

struct sqlite3;

// The slashing-protection database: an SQLite file holding, per validator, only what EIP-3076's minimal
// strategy needs (the latest block slot, the highest source and target epochs, and the signing roots of
// messages signed here at those watermarks). Every check-and-insert runs in one write transaction, so two
// processes sharing the file cannot both sign conflicting messages.
namespace ephemery::slashing {

enum class OpenMode {
    create_if_missing,  // creates the file (mode 0600) and its schema
    existing_only,      // Errc::not_found when there is no database at the path
};

enum class ExportForm {
    complete,  // everything the database holds, signing roots included
    minimal,   // watermarks only, no signing roots (the form `merge` writes)
};

// What an import changed, and what in it was already unsafe: messages at or below the database's watermarks
// (they are imported anyway, since a minimal database only ever raises its watermarks).
struct ImportReport {
    std::size_t validators{0};
    std::size_t blocks{0};
    std::size_t attestations{0};
    std::vector<std::string> conflicts;  // "0xab..: block at slot 20 is not after the latest slot 40 already held"
};

class Database {
  public:
    // Opens (or creates) the database at `path`. With `genesis_validators_root`, a database that has none adopts
    // it and one that holds another refuses with Errc::verification_failed.
    [[nodiscard]] static Result<Database> open(const std::filesystem::path& path, OpenMode mode,
                                               const std::optional<std::string>& genesis_validators_root);

    Database(Database&&) noexcept = default;
    Database& operator=(Database&&) noexcept = default;
    Database(const Database&) = delete;
    Database& operator=(const Database&) = delete;
    ~Database();

    [[nodiscard]] const std::filesystem::path& path() const { return path_; }
    // The chain this database protects; nullopt until a root is given to open() or an import sets it.
    [[nodiscard]] const std::optional<std::string>& genesis_validators_root() const { return genesis_validators_root_; }

    // Imports interchanges in one transaction: all or nothing. Refuses (Errc::verification_failed) an
    // interchange for another chain than the database's, naming both roots.
    [[nodiscard]] Result<ImportReport> import_interchange(const Interchange& interchange);
    [[nodiscard]] Result<ImportReport> import_interchanges(std::span<const Interchange> interchanges);

    // Records a block about to be signed, or refuses it with Errc::verification_failed when it is not after the
    // latest block of the validator (re-signing that very block, with the same signing root, is allowed).
    // Errc::invalid_argument for a malformed pubkey or root.
    [[nodiscard]] Status check_and_insert_block(std::string_view pubkey, std::uint64_t slot,
                                                const std::optional<std::string>& signing_root);

    // Records an attestation about to be signed, or refuses it: source after target, source below the highest
    // source, target at or below the highest target (double and surround votes all fall under these), except a
    // re-signing of the latest attestation with the same signing root.
    [[nodiscard]] Status check_and_insert_attestation(std::string_view pubkey, std::uint64_t source_epoch,
                                                      std::uint64_t target_epoch,
                                                      const std::optional<std::string>& signing_root);

    // The database as an interchange, validators in pubkey order. Errc::invalid_argument while it has no root.
    [[nodiscard]] Result<Interchange> export_interchange(ExportForm form) const;

  private:
    struct CloseConnection {
        void operator()(sqlite3* connection) const;
    };

    Database(std::filesystem::path path, sqlite3* connection);

    std::filesystem::path path_;
    std::unique_ptr<sqlite3, CloseConnection> connection_;
    std::optional<std::string> genesis_validators_root_;
};

}  // namespace ephemery::slashing

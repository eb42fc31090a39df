#pragma once

#include "core/result.hpp"
#include "keys/check.hpp"

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

// Where each validator client keeps its keystores and their passwords, read off the disk into the
// candidates keys::check_keystores checks.
namespace ephemery::keyfiles {

enum class Layout { lighthouse, teku, nimbus, lodestar, prysm, generic };

[[nodiscard]] std::string_view layout_name(Layout layout);
[[nodiscard]] std::optional<Layout> parse_layout(std::string_view name);
[[nodiscard]] const std::vector<std::string>& layout_names();

//   lighthouse  <dir>/validator_definitions.yml (local_keystore entries; voting_keystore_password inline or
//               voting_keystore_password_path), or <dir>/0x<pubkey>/voting-keystore.json + ../secrets/0x<pubkey>
//   teku        <dir>/keys/<name>.json + <dir>/passwords/<name>.txt, or one password file (--password-file)
//   nimbus      <dir>/validators/0x<pubkey>/keystore.json + <dir>/secrets/0x<pubkey>
//   lodestar    <dir>/keystores/0x<pubkey>/voting-keystore.json + <dir>/secrets/0x<pubkey>, or a directory of
//               keystores with one passphrase file (--password-file)
//   prysm       <wallet>/direct/accounts/all-accounts.keystore.json + the wallet password (--password-file)
//   generic     <dir>/*.json with --password-file, or <name>.txt beside each keystore or in ../passwords,
//               ../secrets
struct DiscoverRequest {
    std::filesystem::path root;
    std::optional<Layout> layout;                        // nullopt: detect from what is in root
    std::optional<std::filesystem::path> password_file;  // one password for every keystore
    std::optional<std::filesystem::path> passwords_dir;  // generic: <name>.txt per keystore in this directory
};

struct Discovery {
    Layout layout{Layout::generic};
    std::vector<keys::KeyCandidate> candidates;
    std::vector<std::string> notes;  // entries deliberately not checked (disabled, remote signer)
};

// Layout detection: the first of lighthouse, prysm, teku, nimbus, lodestar whose marker files root has.
[[nodiscard]] Layout detect_layout(const std::filesystem::path& root);

// Reads the keystores and passwords of one directory. Fails (Errc::not_found / parse_error) only when the
// directory or the layout's own index file cannot be used at all; a missing or unreadable keystore or
// password becomes a finding on its candidate.
[[nodiscard]] Result<Discovery> discover(const DiscoverRequest& request);

// What the machine can spare for key derivations: MemAvailable from /proc/meminfo (1 GiB when unknown).
[[nodiscard]] std::uint64_t available_memory_bytes();

// Check options sized for this machine: `threads` derivations at once (0: one per core), within 3/4 of
// MemAvailable, leaving a quarter to everything else on the machine.
[[nodiscard]] keys::CheckOptions machine_check_options(unsigned threads);

// The password as clients read a password file: the trailing line ending removed. Teku reads the first line
// only; Lodestar also trims surrounding whitespace.
[[nodiscard]] std::string password_from_file_contents(std::string_view contents, Layout layout);

}  // namespace ephemery::keyfiles

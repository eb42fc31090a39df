#pragma once

#include "core/result.hpp"
#include "keyfiles/discover.hpp"

#include <filesystem>
#include <string>
#include <vector>

// `keys import`: copies checked keystores and their passwords into the layout a validator client reads.
//   lighthouse  <data>/validators/0x<pk>/voting-keystore.json, <data>/secrets/0x<pk>, and an entry in
//               <data>/validators/validator_definitions.yml
//   teku        <data>/keys/<name>.json, <data>/passwords/<name>.txt
//   nimbus      <data>/validators/0x<pk>/keystore.json, <data>/secrets/0x<pk>
//   lodestar    <data>/keystores/0x<pk>/voting-keystore.json, <data>/secrets/0x<pk>
//   generic     <data>/keystores/<name>.json, <data>/passwords/<name>.txt
// Each password is written before its keystore (a client scanning the directory never finds a keystore
// without its password), both atomically and 0600.
namespace ephemery::keyfiles {

struct ImportedKey {
    std::string pubkey;  // 0x...
    std::filesystem::path keystore;
    std::filesystem::path password_file;
    bool already_present{false};  // the same keystore was there already: left as it was
};

// Errc::unsupported for Prysm, whose wallet only Prysm writes; ok for every other layout.
[[nodiscard]] Status can_import_into(Layout target);

// `pubkeys` are the checked public keys of `source.candidates`, in order (keys::check_keystores must have
// passed them all). Errc::invalid_argument when a different keystore for the same key is already installed
// (nothing is written then); Errc::unsupported for Prysm, whose wallet only Prysm writes.
[[nodiscard]] Result<std::vector<ImportedKey>> import_keys(const Discovery& source,
                                                           const std::vector<std::string>& pubkeys, Layout target,
                                                           const std::filesystem::path& data_dir);

}  // namespace ephemery::keyfiles

#pragma once

#include "core/result.hpp"
#include "core/secret.hpp"
#include "keyfiles/discover.hpp"

#include <filesystem>
#include <string>
#include <vector>

// Password rotation: every keystore that reads one password file is re-encrypted under a new password and the
// file replaced, as one journaled transaction, so that no crash leaves a keystore beside a password that does
// not open it once the rotation is resumed.
//
//   1. stage   <keystore>.rotating and <password file>.rotating, fsynced; each staged pair is decrypted from
//              disk and must yield the same secret key as before
//   2. commit  <password file>.rotation.json (written atomically) lists the renames: from here it rolls forward
//   3. rename  every staged file over its original, then remove the journal
// A journal found later (by rotate or `keys check`) means step 3 was interrupted: resume_rotation finishes it.
namespace ephemery::keyfiles {

struct RotatedKey {
    std::string keystore;
    std::string password_file;
    std::string pubkey;  // 0x...
};

// Rotates every candidate of `discovery` to `new_password`. Nothing is written unless every keystore opens
// with its current password (Errc::verification_failed) and reads its password from a file
// (Errc::unsupported: inline passwords, Prysm wallets). io_error when staging or renaming fails. `threads`
// re-encryptions run at once (0: one per core).
[[nodiscard]] Result<std::vector<RotatedKey>> rotate_passwords(const Discovery& discovery,
                                                               const SecretString& new_password, unsigned threads);

// The journal of a rotation of the keystores that read `password_file`.
[[nodiscard]] std::filesystem::path rotation_journal(const std::filesystem::path& password_file);

// Journals of interrupted rotations among the candidates' password files.
[[nodiscard]] std::vector<std::filesystem::path> interrupted_rotations(const Discovery& discovery);

// Finishes an interrupted rotation: renames what is still staged, then removes the journal.
[[nodiscard]] Status resume_rotation(const std::filesystem::path& journal);

}  // namespace ephemery::keyfiles

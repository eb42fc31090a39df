#include "keys/check.hpp"

#include "bls/bls.hpp"
#include "core/text.hpp"
#include "keys/keystore.hpp"
#include "keys/password.hpp"

#include <fmt/format.h>
#include <openssl/evp.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <map>
#include <mutex>
#include <thread>

namespace ephemery::keys {
namespace {

constexpr std::string_view recreate_fix =
    "restore the file from a backup, or make new keys with `ephemery keys new` and remove this one";

Finding failure(std::string problem, std::string fix) {
    return Finding{Severity::failure, std::move(problem), std::move(fix)};
}
Finding warning(std::string problem, std::string fix) {
    return Finding{Severity::warning, std::move(problem), std::move(fix)};
}

// One key derivation: the expensive step, shared by every keystore with the same password and parameters.
struct Derivation {
    KdfParams kdf;
    SecretBytes password;  // EIP-2335 encoded
    std::optional<Result<SecretBytes>> derived_key;
};

// Derivations keyed by (password digest, parameters), so equal inputs are derived once.
class DerivationTable {
  public:
    std::size_t add(const KdfParams& kdf, const SecretBytes& password) {
        std::array<std::uint8_t, 32> digest{};
        EVP_Digest(password.reveal().data(), password.size(), digest.data(), nullptr, EVP_sha256(), nullptr);
        const std::string key = fmt::format("{}|{}|{}|{}|{}|{}|{}", to_hex(digest), static_cast<int>(kdf.function),
                                            kdf.n, kdf.r, kdf.p, kdf.c, to_hex(kdf.salt));
        const auto [position, inserted] = index_.try_emplace(key, derivations_.size());
        if (inserted) derivations_.push_back(Derivation{kdf, password, std::nullopt});
        return position->second;
    }
    [[nodiscard]] const Result<SecretBytes>& result(std::size_t index) const {
        return *derivations_[index].derived_key;
    }

    // Runs every derivation not run yet on up to `threads` threads, never holding more scrypt memory than
    // the budget (a single derivation larger than the budget still runs, alone).
    std::size_t run_pending(const CheckOptions& options) {
        std::vector<std::size_t> pending;
        for (std::size_t i = 0; i < derivations_.size(); ++i) {
            if (!derivations_[i].derived_key) pending.push_back(i);
        }
        total_ += pending.size();
        std::atomic<std::size_t> next{0};
        std::mutex mutex;
        std::condition_variable memory_freed;
        std::uint64_t memory_in_use = 0;
        const auto worker = [&] {
            for (std::size_t slot = next++; slot < pending.size(); slot = next++) {
                Derivation& derivation = derivations_[pending[slot]];
                const std::uint64_t needed =
                    std::min(options.memory_budget_bytes,
                             kdf_memory_bytes(derivation.kdf.n, derivation.kdf.r, derivation.kdf.p));
                {
                    std::unique_lock lock(mutex);
                    memory_freed.wait(lock, [&] {
                        return memory_in_use == 0 || memory_in_use + needed <= options.memory_budget_bytes;
                    });
                    memory_in_use += needed;
                }
                auto derived = derive_key(derivation.kdf, derivation.password.reveal());
                std::lock_guard lock(mutex);
                memory_in_use -= needed;
                derivation.derived_key = std::move(derived);
                derivation.password = SecretBytes();
                ++done_;
                if (options.progress) options.progress(done_, total_);
                memory_freed.notify_all();
            }
        };
        const unsigned thread_count = static_cast<unsigned>(
            std::clamp<std::size_t>(options.threads, 1, std::max<std::size_t>(pending.size(), 1)));
        std::vector<std::jthread> threads;
        for (unsigned i = 1; i < thread_count; ++i) threads.emplace_back(worker);
        worker();
        return pending.size();
    }

  private:
    std::map<std::string, std::size_t> index_;
    std::vector<Derivation> derivations_;
    std::size_t done_{0};
    std::size_t total_{0};
};

std::optional<std::vector<std::uint8_t>> from_base64(const std::string& text) {
    if (text.empty() || text.size() % 4 != 0) return std::nullopt;
    std::vector<std::uint8_t> bytes(text.size() / 4 * 3);
    const int written = EVP_DecodeBlock(bytes.data(), reinterpret_cast<const unsigned char*>(text.data()),
                                        static_cast<int>(text.size()));
    if (written < 0) return std::nullopt;
    const auto padding = static_cast<std::size_t>(std::count(text.end() - 2, text.end(), '='));
    bytes.resize(static_cast<std::size_t>(written) - padding);
    return bytes;
}

std::string pubkey_of(const SecretBytes& secret) {
    const auto key = bls::SecretKey::from_bytes(secret.reveal());
    if (!key) return {};
    return "0x" + to_hex(bls::public_key(*key));
}

std::string normalise_pubkey(std::string_view text) {
    std::string value = to_lower(text);
    if (!value.starts_with("0x")) value.insert(0, "0x");
    return value;
}

// Where one candidate stands while its derivations run.
struct Pending {
    std::optional<Keystore> keystore;
    std::optional<std::size_t> primary;
    std::optional<std::size_t> ethdo_legacy;
    std::optional<std::size_t> unstripped;
};

void check_secret(const Keystore& keystore, const SecretBytes& secret, const KeyCandidate& candidate,
                  KeyReport& report) {
    const std::string actual = pubkey_of(secret);
    if (actual.empty()) {
        report.findings.push_back(
            failure("the decrypted secret is not a valid BLS12-381 secret key", std::string(recreate_fix)));
        return;
    }
    if (keystore.pubkey.empty()) {
        report.pubkey = actual;
        report.findings.push_back(
            failure("the keystore has no \"pubkey\" field, which validator clients need to load it",
                    "rewrite it with `ephemery keys password rotate`, which records the public key"));
    } else if (normalise_pubkey(keystore.pubkey) != actual) {
        report.findings.push_back(
            failure(fmt::format("the keystore's \"pubkey\" {} is not the public key of its secret ({})",
                                normalise_pubkey(keystore.pubkey), actual),
                    "the file was edited or assembled from two keys: restore it from a backup"));
    }
    if (candidate.expected_pubkey && normalise_pubkey(*candidate.expected_pubkey) != actual) {
        report.findings.push_back(
            failure(fmt::format("{} names the key {}, but this keystore holds {}", candidate.expected_pubkey_label,
                                normalise_pubkey(*candidate.expected_pubkey), actual),
                    "point the layout at the right keystore, or rename it after its key"));
    }
}

void check_prysm_wallet(const SecretBytes& plaintext, const KeyCandidate& candidate, std::vector<KeyReport>& out) {
    const auto document = nlohmann::json::parse(plaintext.reveal().begin(), plaintext.reveal().end(), nullptr, false);
    const auto* secrets =
        document.is_object() && document.contains("private_keys") ? &document["private_keys"] : nullptr;
    const auto* publics = document.is_object() && document.contains("public_keys") ? &document["public_keys"] : nullptr;
    if (secrets == nullptr || publics == nullptr || !secrets->is_array() || !publics->is_array() ||
        secrets->size() != publics->size()) {
        KeyReport report{candidate.keystore_label, {}, {}};
        report.findings.push_back(
            failure("the wallet decrypts, but its contents are not Prysm's account list "
                    "(private_keys and public_keys of equal length)",
                    std::string(recreate_fix)));
        out.push_back(std::move(report));
        return;
    }
    for (std::size_t i = 0; i < secrets->size(); ++i) {
        KeyReport report{fmt::format("{} (account {})", candidate.keystore_label, i), {}, {}};
        const auto secret = (*secrets)[i].is_string() ? from_base64((*secrets)[i].get<std::string>()) : std::nullopt;
        const auto listed = (*publics)[i].is_string() ? from_base64((*publics)[i].get<std::string>()) : std::nullopt;
        if (!secret || !listed) {
            report.findings.push_back(failure("the account's keys are not base64", std::string(recreate_fix)));
            out.push_back(std::move(report));
            continue;
        }
        report.pubkey = pubkey_of(SecretBytes(*secret));
        if (report.pubkey.empty()) {
            report.findings.push_back(
                failure("the account's secret is not a valid BLS12-381 secret key", std::string(recreate_fix)));
        } else if (report.pubkey != "0x" + to_hex(*listed)) {
            report.findings.push_back(
                failure(fmt::format("the wallet lists the public key 0x{} for a secret whose key is {}",
                                    to_hex(*listed), report.pubkey),
                        "restore the wallet from a backup"));
        }
        out.push_back(std::move(report));
    }
}

}  // namespace

Severity KeyReport::status() const {
    Severity worst = Severity::ok;
    for (const auto& finding : findings) worst = std::max(worst, finding.severity);
    return worst;
}

std::size_t CheckSummary::count(Severity severity) const {
    return static_cast<std::size_t>(
        std::count_if(keys.begin(), keys.end(), [severity](const KeyReport& key) { return key.status() == severity; }));
}

std::uint64_t kdf_memory_bytes(std::uint64_t n, std::uint32_t r, std::uint32_t p) {
    return std::uint64_t{128} * r * (n + p);
}

CheckSummary check_keystores(std::vector<KeyCandidate> candidates, const CheckOptions& options) {
    DerivationTable table;
    std::vector<Pending> pending(candidates.size());
    std::vector<KeyReport> reports(candidates.size());

    // Parse everything and queue one derivation per distinct (password, parameters).
    for (std::size_t i = 0; i < candidates.size(); ++i) {
        const KeyCandidate& candidate = candidates[i];
        KeyReport& report = reports[i];
        report.keystore_label = candidate.keystore_label;
        report.findings = candidate.findings;
        auto keystore = parse_keystore(candidate.keystore_json, candidate.keystore_label);
        if (!keystore) {
            report.findings.push_back(failure(keystore.error().message, std::string(recreate_fix)));
            continue;
        }
        if (!keystore->pubkey.empty()) report.pubkey = normalise_pubkey(keystore->pubkey);
        pending[i].keystore = std::move(keystore).value();
        if (!candidate.password) {
            if (report.status() != Severity::failure) {
                report.findings.push_back(failure("no password was found for this keystore",
                                                  "give one with --password-file, or put it where the client "
                                                  "looks for it"));
            }
            continue;
        }
        auto encoded = encode_password(candidate.password->reveal());
        if (!encoded) {
            report.findings.push_back(
                failure(fmt::format("the password in {} is not valid UTF-8", candidate.password_label),
                        "write the password file as UTF-8 text"));
            continue;
        }
        pending[i].primary = table.add(pending[i].keystore->kdf, SecretBytes(std::move(encoded).value()));
    }
    CheckSummary summary;
    summary.key_derivations += table.run_pending(options);

    // Second chance only for wrong passwords: ethdo's old normalisation, or the bytes the client stripped.
    for (std::size_t i = 0; i < candidates.size(); ++i) {
        if (!pending[i].primary) continue;
        const auto& derived = table.result(*pending[i].primary);
        if (!derived || decrypt_with_key(*pending[i].keystore, *derived)) continue;
        const KeyCandidate& candidate = candidates[i];
        const auto standard = encode_password(candidate.password->reveal());
        const auto legacy = encode_password_ethdo_legacy(candidate.password->reveal());
        if (standard && legacy && *legacy != *standard) {
            pending[i].ethdo_legacy = table.add(pending[i].keystore->kdf, SecretBytes(*legacy));
        }
        if (candidate.password_unstripped && candidate.password_unstripped != candidate.password) {
            auto unstripped = encode_password(candidate.password_unstripped->reveal());
            if (unstripped) pending[i].unstripped = table.add(pending[i].keystore->kdf, SecretBytes(*unstripped));
        }
    }
    summary.key_derivations += table.run_pending(options);

    for (std::size_t i = 0; i < candidates.size(); ++i) {
        const KeyCandidate& candidate = candidates[i];
        KeyReport& report = reports[i];
        if (!pending[i].primary) {
            summary.keys.push_back(std::move(report));
            continue;
        }
        const Keystore& keystore = *pending[i].keystore;
        const auto decrypt_by = [&](std::optional<std::size_t> derivation) -> std::optional<SecretBytes> {
            if (!derivation || !table.result(*derivation)) return std::nullopt;
            auto secret = decrypt_with_key(keystore, *table.result(*derivation));
            if (!secret) return std::nullopt;
            return std::move(secret).value();
        };
        if (const auto& derived = table.result(*pending[i].primary); !derived) {
            report.findings.push_back(failure(derived.error().message, "free memory, or lower the parallelism"));
            summary.keys.push_back(std::move(report));
            continue;
        }
        auto secret = decrypt_by(pending[i].primary);
        if (!secret) {
            if ((secret = decrypt_by(pending[i].ethdo_legacy))) {
                report.findings.push_back(
                    warning(fmt::format("the password in {} decrypts this keystore only with the non-standard password "
                                        "normalisation of ethdo before v1.4.1; clients other than ethdo reject it",
                                        candidate.password_label),
                            "re-encrypt it now with `ephemery keys password rotate`"));
            } else if ((secret = decrypt_by(pending[i].unstripped))) {
                report.findings.push_back(failure(
                    fmt::format("the keystore was encrypted with the password exactly as {} holds it, including "
                                "the trailing whitespace that the client strips before use",
                                candidate.password_label),
                    "re-encrypt it with `ephemery keys password rotate`, or remove the trailing whitespace "
                    "from the password and encrypt again"));
            } else {
                report.findings.push_back(
                    failure(fmt::format("the password from {} does not decrypt this keystore (checksum mismatch): the "
                                        "client would stop with UnableToDecryptKeystore(InvalidPassword)",
                                        candidate.password_label),
                            "put the keystore's own password in that file"));
            }
        }
        if (!secret) {
            summary.keys.push_back(std::move(report));
            continue;
        }
        if (candidate.kind == KeystoreKind::prysm_wallet) {
            std::vector<KeyReport> accounts;
            check_prysm_wallet(*secret, candidate, accounts);
            for (auto& account : accounts) {
                account.findings.insert(account.findings.begin(), report.findings.begin(), report.findings.end());
                summary.keys.push_back(std::move(account));
            }
            continue;
        }
        check_secret(keystore, *secret, candidate, report);
        summary.keys.push_back(std::move(report));
    }

    // The same key loaded twice signs twice: a slashing waiting to happen.
    std::map<std::string, std::size_t> first_seen;
    for (std::size_t i = 0; i < summary.keys.size(); ++i) {
        auto& key = summary.keys[i];
        if (key.pubkey.empty()) continue;
        const auto [position, inserted] = first_seen.try_emplace(key.pubkey, i);
        if (inserted) continue;
        auto& first = summary.keys[position->second];
        const std::string fix = "keep exactly one copy of each key enabled: running a key twice gets it slashed";
        key.findings.push_back(
            failure(fmt::format("the key {} is also loaded from {}", key.pubkey, first.keystore_label), fix));
        first.findings.push_back(
            failure(fmt::format("the key {} is also loaded from {}", first.pubkey, key.keystore_label), fix));
    }
    return summary;
}

}  // namespace ephemery::keys

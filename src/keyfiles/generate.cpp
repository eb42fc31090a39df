#include "keyfiles/generate.hpp"

#include "bls/bls.hpp"
#include "core/text.hpp"
#include "infra/files.hpp"
#include "keys/mnemonic.hpp"
#include "keys/password.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <exception>
#include <limits>
#include <mutex>
#include <optional>
#include <thread>

namespace ephemery::keyfiles {
namespace {

namespace fs = std::filesystem;

constexpr fs::perms public_file =
    fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read | fs::perms::others_read;
constexpr fs::perms owner_only_directory = fs::perms::owner_all;
constexpr std::size_t password_bytes = 32;
constexpr std::size_t mnemonic_entropy_bytes = 32;  // 24 words
constexpr std::size_t max_mnemonic_file_bytes = 4096;
// scrypt with n = 2^18, r = 8 holds 256 MiB per derivation: eight at once stay within 2 GiB.
constexpr unsigned max_scrypt_threads = 8;

struct KeyOutput {
    GeneratedKey files;
    keys::DepositData deposit;
};

Error io_error(std::string_view action, const fs::path& path, const std::error_code& error) {
    return make_error(Errc::io_error, fmt::format("cannot {} {}: {}", action, path.string(), error.message()));
}

}  // namespace

Status check_output_dir(const GenerateRequest& request) {
    std::error_code error;
    const auto status = fs::status(request.out_dir, error);
    if (error && error != std::errc::no_such_file_or_directory) return io_error("inspect", request.out_dir, error);
    if (!fs::exists(status)) return {};
    if (!fs::is_directory(status)) {
        return make_error(
            Errc::invalid_argument,
            fmt::format("{} exists and is not a directory: choose another output directory", request.out_dir.string()));
    }
    const bool empty = fs::is_empty(request.out_dir, error);
    if (error) return io_error("read", request.out_dir, error);
    if (!empty && !request.force) {
        return make_error(Errc::invalid_argument,
                          fmt::format("{} is not empty: choose a new directory, or pass --force to add keys to it "
                                      "(keystores and password files are never overwritten)",
                                      request.out_dir.string()));
    }
    std::vector<std::string> existing;
    for (std::uint32_t offset = 0; offset < request.count; ++offset) {
        const std::string stem = keystore_file_stem(request.start_index + offset);
        for (const fs::path& file :
             {request.out_dir / "keystores" / (stem + ".json"), request.out_dir / "passwords" / (stem + ".txt")}) {
            if (fs::exists(fs::symlink_status(file, error))) existing.push_back(file.string());
        }
    }
    if (!existing.empty()) {
        return make_error(Errc::invalid_argument,
                          fmt::format("{} already exist{}: these keys were made before and are never overwritten; "
                                      "choose a --start after the last index there, or another --out",
                                      join(existing, ", "), existing.size() == 1 ? "s" : ""));
    }
    return {};
}

namespace {

Status create_output_dirs(const fs::path& out_dir) {
    std::error_code error;
    fs::create_directories(out_dir, error);
    if (error) return io_error("create", out_dir, error);
    for (const char* leaf : {"keystores", "passwords"}) {
        const fs::path directory = out_dir / leaf;
        fs::create_directories(directory, error);
        if (error) return io_error("create", directory, error);
        fs::permissions(directory, owner_only_directory, error);
        if (error) return io_error("set permissions on", directory, error);
    }
    return {};
}

// Writes a file that must not exist yet. The existence check narrows, but cannot close, the window in which
// another process could create it; the up-front check in check_output_dir covers the ordinary case.
Status write_new_file(const fs::path& path, std::string_view contents, fs::perms mode) {
    std::error_code error;
    if (fs::exists(fs::symlink_status(path, error))) {
        return make_error(
            Errc::invalid_argument,
            fmt::format("{} appeared while keys were being written; it was left as it is", path.string()));
    }
    return infra::write_file_atomically(path, contents, mode);
}

// One validator: derive, encrypt under a fresh password, check the keystore decrypts, sign and check the
// deposit, then write the password before the keystore so no keystore is ever without its password.
Result<KeyOutput> make_key(const GenerateRequest& request, const SecretBytes& seed, std::uint32_t index) {
    const std::string path = bls::signing_key_path(index);
    auto key = bls::derive_path(seed.reveal(), path);
    if (!key) return key.error();
    const bls::PublicKey pubkey = bls::public_key(*key);
    const std::string pubkey_hex = to_hex(pubkey);

    const SecretString password(to_hex(keys::random_bytes(password_bytes)));
    auto encoded_password = keys::encode_password(password.reveal());
    if (!encoded_password) return encoded_password.error();
    const keys::KdfParams kdf = keys::standard_kdf_params(request.kdf, keys::random_bytes(32));
    auto derived_key = keys::derive_key(kdf, *encoded_password);
    std::fill(encoded_password->begin(), encoded_password->end(), std::uint8_t{0});
    if (!derived_key) return derived_key.error();
    auto keystore = keys::encrypt_with_key(key->bytes(), *derived_key, kdf, keys::random_bytes(16),
                                           keys::KeystoreFields{pubkey_hex, path, keys::random_uuid(), ""});
    if (!keystore) return keystore.error();
    const std::string keystore_json = keys::to_json(*keystore);

    // The written form must decrypt back to the key: catches any mismatch before the key is relied on.
    const auto reparsed = keys::parse_keystore(keystore_json, path);
    if (!reparsed) return reparsed.error();
    const auto decrypted = keys::decrypt_with_key(*reparsed, *derived_key);
    if (!decrypted || *decrypted != key->bytes() || reparsed->pubkey != pubkey_hex) {
        return make_error(Errc::verification_failed,
                          fmt::format("the keystore made for {} does not decrypt back to its key", path));
    }

    const keys::DepositMessage message{pubkey, request.withdrawal_credentials, request.amount_gwei};
    const keys::DepositData deposit = keys::sign_deposit(*key, message, request.genesis_fork_version);
    if (!keys::verify_deposit(deposit, request.genesis_fork_version)) {
        return make_error(Errc::verification_failed, fmt::format("the deposit signature for {} does not verify", path));
    }

    const std::string stem = keystore_file_stem(index);
    KeyOutput output{GeneratedKey{index, path, pubkey_hex, request.out_dir / "keystores" / (stem + ".json"),
                                  request.out_dir / "passwords" / (stem + ".txt")},
                     deposit};
    if (auto written = write_new_file(output.files.password_file, password.reveal(), infra::owner_only); !written)
        return written.error();
    if (auto written = write_new_file(output.files.keystore, keystore_json, infra::owner_only); !written)
        return written.error();
    return output;
}

unsigned worker_count(const GenerateRequest& request) {
    unsigned threads = request.threads != 0 ? request.threads : std::max(1U, std::thread::hardware_concurrency());
    if (request.kdf == keys::Kdf::scrypt) threads = std::min(threads, max_scrypt_threads);
    return std::min(threads, request.count);
}

// Runs make_key for every index on a few threads; stops handing out work after the first failure.
Result<std::vector<KeyOutput>> make_keys(const GenerateRequest& request, const SecretBytes& seed) {
    std::vector<std::optional<KeyOutput>> outputs(request.count);
    std::atomic<std::uint32_t> next{0};
    std::atomic<std::uint32_t> done{0};
    std::atomic<bool> failed{false};
    std::mutex error_mutex;
    std::optional<Error> first_error;

    const auto record_error = [&](Error error) {
        const std::lock_guard lock(error_mutex);
        if (!first_error) first_error = std::move(error);
        failed = true;
    };
    const auto work = [&] {
        for (std::uint32_t offset = next++; offset < request.count && !failed; offset = next++) {
            try {
                auto output = make_key(request, seed, request.start_index + offset);
                if (!output) {
                    record_error(output.error());
                    return;
                }
                spdlog::info("key {} of {} written: {}", ++done, request.count,
                             output->files.keystore.filename().string());
                outputs[offset] = std::move(output).value();
            } catch (const std::exception& exception) {
                // random_bytes throws only when the OS has no randomness; nothing may escape a thread.
                record_error(make_error(Errc::io_error, fmt::format("key generation failed: {}", exception.what())));
                return;
            }
        }
    };
    std::vector<std::thread> workers;
    const unsigned thread_count = worker_count(request);
    workers.reserve(thread_count);
    for (unsigned i = 0; i < thread_count; ++i) workers.emplace_back(work);
    for (auto& worker : workers) worker.join();
    if (first_error) return *first_error;

    std::vector<KeyOutput> results;
    results.reserve(outputs.size());
    for (auto& output : outputs) results.push_back(std::move(output).value());
    return results;
}

}  // namespace

std::string keystore_file_stem(std::uint32_t index) {
    return fmt::format("keystore-m_12381_3600_{}_0_0", index);
}

Result<GeneratedSet> generate_keys(const GenerateRequest& request) {
    if (request.count == 0) return make_error(Errc::invalid_argument, "--count must be at least 1");
    if (request.start_index > std::numeric_limits<std::uint32_t>::max() - (request.count - 1)) {
        return make_error(Errc::invalid_argument,
                          "--start + --count goes past index 4294967295, the last EIP-2334 validator index");
    }
    if (auto checked = check_output_dir(request); !checked) return checked.error();
    auto seed = keys::seed_from_mnemonic(request.mnemonic, SecretString());
    if (!seed) return seed.error();
    if (auto created = create_output_dirs(request.out_dir); !created) return created.error();

    auto outputs = make_keys(request, *seed);
    if (!outputs) {
        return make_error(outputs.error().code, fmt::format("{} (keys written before the failure stay in {})",
                                                            outputs.error().message, request.out_dir.string()));
    }

    GeneratedSet set;
    std::vector<keys::DepositData> deposits;
    std::string genesis_lines;
    for (auto& output : *outputs) {
        genesis_lines += keys::genesis_validator_line(output.deposit.message) + "\n";
        deposits.push_back(output.deposit);
        set.keys.push_back(std::move(output.files));
    }
    set.deposit_data = request.out_dir / fmt::format("deposit_data-{}.json", request.created_at);
    set.genesis_validators = request.out_dir / "genesis-validators.txt";
    const std::string deposit_json =
        keys::deposit_data_json(deposits, request.genesis_fork_version, request.network_name);
    if (auto written = infra::write_file_atomically(set.deposit_data, deposit_json, public_file); !written)
        return written.error();
    if (auto written = infra::write_file_atomically(set.genesis_validators, genesis_lines, public_file); !written)
        return written.error();
    return set;
}

Result<SecretString> create_mnemonic_file(const fs::path& path) {
    std::error_code error;
    if (fs::exists(fs::symlink_status(path, error))) {
        return make_error(Errc::invalid_argument,
                          fmt::format("{} already exists: a mnemonic file is never overwritten; choose a new path, "
                                      "or use --mnemonic-file to make keys from the mnemonic in it",
                                      path.string()));
    }
    const fs::path directory = path.has_parent_path() ? path.parent_path() : fs::path(".");
    if (!fs::is_directory(directory, error)) {
        return make_error(Errc::invalid_argument, fmt::format("cannot write {}: directory {} does not exist",
                                                              path.string(), directory.string()));
    }
    auto entropy = keys::random_bytes(mnemonic_entropy_bytes);
    auto mnemonic = keys::mnemonic_from_entropy(entropy);
    std::fill(entropy.begin(), entropy.end(), std::uint8_t{0});
    if (!mnemonic) return mnemonic.error();
    if (auto written = infra::write_file_atomically(path, mnemonic->reveal() + "\n", infra::owner_only); !written)
        return written.error();
    return std::move(mnemonic).value();
}

Result<SecretString> read_mnemonic_file(const fs::path& path) {
    auto contents = infra::read_file(path, max_mnemonic_file_bytes);
    if (!contents) return contents.error();
    auto mnemonic = keys::validate_mnemonic(trim(*contents));
    std::fill(contents->begin(), contents->end(), '\0');
    if (!mnemonic)
        return make_error(mnemonic.error().code, fmt::format("{}: {}", path.string(), mnemonic.error().message));
    std::error_code error;
    const auto permissions = fs::status(path, error).permissions();
    if (!error && (permissions & (fs::perms::group_all | fs::perms::others_all)) != fs::perms::none) {
        spdlog::warn("{} can be read by other users: restrict it with chmod 600 (it holds every key's secret)",
                     path.string());
    }
    return std::move(mnemonic).value();
}

}  // namespace ephemery::keyfiles

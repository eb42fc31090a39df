#include "keys/mnemonic.hpp"

#include "core/text.hpp"
#include "keys/password.hpp"

#include <fmt/format.h>
#include <openssl/evp.h>

#include <algorithm>
#include <cctype>
#include <string>
#include <vector>

namespace ephemery::keys {
namespace {

constexpr std::size_t bits_per_word = 11;
constexpr int seed_rounds = 2048;
constexpr std::size_t seed_size = 64;

// Bit `index` (0 = most significant bit of the first byte) of a byte string.
bool bit_at(std::span<const std::uint8_t> bytes, std::size_t index) {
    return ((static_cast<unsigned>(bytes[index / 8]) >> (7U - index % 8)) & 1U) != 0;
}

std::array<std::uint8_t, 32> sha256(std::span<const std::uint8_t> bytes) {
    std::array<std::uint8_t, 32> digest{};
    EVP_Digest(bytes.data(), bytes.size(), digest.data(), nullptr, EVP_sha256(), nullptr);
    return digest;
}

std::size_t checksum_bits(std::size_t entropy_bytes) {
    return entropy_bytes * 8 / 32;
}

// The candidates for "did you mean": the wordlist as strings, built once.
const std::vector<std::string>& word_strings() {
    static const std::vector<std::string> strings = [] {
        std::vector<std::string> words;
        for (const auto word : bip39_english_words()) words.emplace_back(word);
        return words;
    }();
    return strings;
}

std::optional<std::size_t> index_of(std::string_view word) {
    const auto words = bip39_english_words();
    const auto found = std::find(words.begin(), words.end(), word);
    if (found == words.end()) return std::nullopt;
    return static_cast<std::size_t>(found - words.begin());
}

// Words split on any ASCII white space, lower-cased (BIP-39 words are lower case; a capital is a typing slip).
std::vector<std::string> split_words(std::string_view text) {
    std::vector<std::string> words;
    std::string current;
    for (const char c : text) {
        if (std::isspace(static_cast<unsigned char>(c)) != 0) {
            if (!current.empty()) words.push_back(std::move(current));
            current.clear();
        } else {
            current += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        }
    }
    if (!current.empty()) words.push_back(std::move(current));
    return words;
}

void append_utf8(char32_t code, std::string& out) {
    if (code < 0x80) {
        out += static_cast<char>(code);
    } else if (code < 0x800) {
        out += static_cast<char>(0xC0U | (code >> 6U));
        out += static_cast<char>(0x80U | (code & 0x3FU));
    } else if (code < 0x10000) {
        out += static_cast<char>(0xE0U | (code >> 12U));
        out += static_cast<char>(0x80U | ((code >> 6U) & 0x3FU));
        out += static_cast<char>(0x80U | (code & 0x3FU));
    } else {
        out += static_cast<char>(0xF0U | (code >> 18U));
        out += static_cast<char>(0x80U | ((code >> 12U) & 0x3FU));
        out += static_cast<char>(0x80U | ((code >> 6U) & 0x3FU));
        out += static_cast<char>(0x80U | (code & 0x3FU));
    }
}

// NFKD as UTF-8 bytes. Unlike encode_password, control codes stay: BIP-39 normalises and nothing else.
Result<SecretString> nfkd_utf8(std::string_view text) {
    auto codes = nfkd(text);
    if (!codes) return make_error(Errc::invalid_argument, "the mnemonic or passphrase is not valid UTF-8");
    std::string encoded;
    for (const char32_t code : *codes) append_utf8(code, encoded);
    std::fill(codes->begin(), codes->end(), U'\0');
    return SecretString(std::move(encoded));
}

}  // namespace

Result<SecretString> mnemonic_from_entropy(std::span<const std::uint8_t> entropy) {
    if (entropy.size() < 16 || entropy.size() > 32 || entropy.size() % 4 != 0) {
        return make_error(Errc::invalid_argument,
                          fmt::format("BIP-39 entropy is 16, 20, 24, 28 or 32 bytes, not {}", entropy.size()));
    }
    const auto checksum = sha256(entropy);
    const std::size_t entropy_bits = entropy.size() * 8;
    const std::size_t word_count = (entropy_bits + checksum_bits(entropy.size())) / bits_per_word;
    const auto words = bip39_english_words();
    std::string mnemonic;
    for (std::size_t word = 0; word < word_count; ++word) {
        std::size_t index = 0;
        for (std::size_t bit = word * bits_per_word; bit < (word + 1) * bits_per_word; ++bit) {
            const bool set = bit < entropy_bits ? bit_at(entropy, bit) : bit_at(checksum, bit - entropy_bits);
            index = (index << 1U) | (set ? 1U : 0U);
        }
        if (word > 0) mnemonic += ' ';
        mnemonic += words[index];
    }
    return SecretString(std::move(mnemonic));
}

Result<SecretString> validate_mnemonic(std::string_view text) {
    const auto words = split_words(text);
    if (words.empty()) return make_error(Errc::invalid_argument, "the mnemonic is empty");
    // Far too many words is not a mnemonic at all: say so before suggesting spellings for each of them.
    constexpr std::size_t max_words = 24;
    constexpr std::string_view allowed_counts = "a BIP-39 mnemonic has 12, 15, 18, 21 or 24";
    if (words.size() > 2 * max_words) {
        return make_error(Errc::invalid_argument,
                          fmt::format("the mnemonic is not valid: it has {} words; {}", words.size(), allowed_counts));
    }

    std::vector<std::string> problems;
    std::vector<std::size_t> indices;
    for (std::size_t position = 0; position < words.size(); ++position) {
        const auto index = index_of(words[position]);
        if (index) {
            indices.push_back(*index);
            continue;
        }
        // The unknown word itself is not repeated: even a misspelt word is most of a secret word.
        std::string problem = fmt::format("word {} is not in the BIP-39 English wordlist", position + 1);
        // A suggestion compares against all 2,048 words: worth it for a typo or two, not for a wrong file.
        constexpr std::size_t max_suggestions = 2;
        if (problems.size() >= max_suggestions) {
            problems.push_back(std::move(problem));
            continue;
        }
        if (const auto suggestion = closest_match(words[position], word_strings()))
            problem += fmt::format(" (did you mean \"{}\"?)", *suggestion);
        problems.push_back(std::move(problem));
    }
    const std::size_t count = words.size();
    if (count < 12 || count > 24 || count % 3 != 0) {
        problems.push_back(fmt::format("it has {} words; {}", count, allowed_counts));
    }
    if (!problems.empty()) {
        return make_error(Errc::invalid_argument, fmt::format("the mnemonic is not valid: {}", join(problems, "; ")));
    }

    // Words carry 11 bits each: the entropy, then one checksum bit per 32 bits of entropy.
    const std::size_t total_bits = count * bits_per_word;
    const std::size_t entropy_bytes = total_bits * 32 / 33 / 8;
    std::vector<std::uint8_t> bits(total_bits);
    for (std::size_t word = 0; word < count; ++word) {
        for (std::size_t bit = 0; bit < bits_per_word; ++bit)
            bits[word * bits_per_word + bit] = (indices[word] >> (bits_per_word - 1 - bit)) & 1U;
    }
    std::vector<std::uint8_t> entropy(entropy_bytes);
    for (std::size_t bit = 0; bit < entropy_bytes * 8; ++bit)
        entropy[bit / 8] = static_cast<std::uint8_t>(entropy[bit / 8] | (bits[bit] << (7U - bit % 8)));
    const auto checksum = sha256(entropy);
    bool checksum_matches = true;
    for (std::size_t bit = 0; bit < checksum_bits(entropy_bytes); ++bit)
        checksum_matches = checksum_matches && bits[entropy_bytes * 8 + bit] == (bit_at(checksum, bit) ? 1U : 0U);
    std::fill(entropy.begin(), entropy.end(), std::uint8_t{0});
    std::fill(bits.begin(), bits.end(), std::uint8_t{0});
    if (!checksum_matches) {
        return make_error(Errc::invalid_argument,
                          "the mnemonic's checksum does not match: a word is wrong, missing or out of order");
    }
    return SecretString(join(words, " "));
}

Result<SecretBytes> seed_from_mnemonic(const SecretString& mnemonic, const SecretString& passphrase) {
    auto password = nfkd_utf8(mnemonic.reveal());
    if (!password) return password.error();
    auto salt = nfkd_utf8("mnemonic" + passphrase.reveal());
    if (!salt) return salt.error();
    std::vector<std::uint8_t> seed(seed_size);
    const std::string& pass = password->reveal();
    const std::string& salt_text = salt->reveal();
    // NOLINTNEXTLINE(cppcoreguidelines-pro-type-reinterpret-cast): OpenSSL takes the salt as unsigned bytes
    const auto* salt_bytes = reinterpret_cast<const unsigned char*>(salt_text.data());
    if (PKCS5_PBKDF2_HMAC(pass.data(), static_cast<int>(pass.size()), salt_bytes, static_cast<int>(salt_text.size()),
                          seed_rounds, EVP_sha512(), static_cast<int>(seed.size()), seed.data()) != 1) {
        return make_error(Errc::io_error, "PBKDF2-HMAC-SHA512 failed (out of memory?)");
    }
    return SecretBytes(std::move(seed));
}

}  // namespace ephemery::keys

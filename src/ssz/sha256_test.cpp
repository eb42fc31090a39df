#include "ssz/sha256.hpp"

#include "ssz/test_helpers.hpp"

#include <gtest/gtest.h>

#include <cstring>
#include <random>
#include <vector>

namespace ephemery::ssz {
namespace {

using testing::hex;
using testing::openssl_sha256;

std::vector<std::uint8_t> random_bytes(std::mt19937_64& rng, std::size_t size) {
    std::vector<std::uint8_t> bytes(size);
    for (auto& byte : bytes) byte = static_cast<std::uint8_t>(rng());
    return bytes;
}

// OpenSSL's SHA-256 of each 64-byte pair.
std::vector<std::uint8_t> openssl_pairs(const std::vector<std::uint8_t>& in, std::size_t count) {
    std::vector<std::uint8_t> out(32 * count);
    for (std::size_t i = 0; i < count; ++i) {
        const auto digest = openssl_sha256(std::span(in).subspan(64 * i, 64));
        std::memcpy(out.data() + 32 * i, digest.data(), 32);
    }
    return out;
}

TEST(Sha256, KnownDigestOf64ZeroBytes) {
    const std::array<std::uint8_t, 64> zeros{};
    Chunk digest{};
    sha256_64(zeros.data(), digest.data());
    EXPECT_EQ(hex(digest), "f5a5fd42d16a20302798ef6ed309979b43003d2320d9f0e8ea9831a92759fb4b");
    hash_pairs_portable(zeros.data(), digest.data(), 1);
    EXPECT_EQ(hex(digest), "f5a5fd42d16a20302798ef6ed309979b43003d2320d9f0e8ea9831a92759fb4b");
}

TEST(Sha256, ActiveBackendMatchesCpu) {
    EXPECT_EQ(active_backend(), cpu_has_sha_ni() ? HashBackend::sha_ni : HashBackend::portable);
    EXPECT_EQ(backend_name(HashBackend::sha_ni), "sha-ni");
    EXPECT_EQ(backend_name(HashBackend::portable), "portable");
    std::printf("active SHA-256 backend: %s\n", std::string(backend_name(active_backend())).c_str());
}

TEST(Sha256, PortableMatchesOpenSslOnRandomInputs) {
    std::mt19937_64 rng(20261123);
    for (std::size_t count = 0; count < 40; ++count) {
        const auto in = random_bytes(rng, 64 * count);
        std::vector<std::uint8_t> out(32 * count);
        hash_pairs_portable(in.data(), out.data(), count);
        EXPECT_EQ(out, openssl_pairs(in, count)) << count << " pairs";
    }
    for (int round = 0; round < 2000; ++round) {
        const auto in = random_bytes(rng, 64);
        Chunk digest{};
        hash_pairs_portable(in.data(), digest.data(), 1);
        ASSERT_EQ(hex(digest), hex(openssl_sha256(in))) << hex(in);
    }
}

TEST(Sha256, ShaNiMatchesPortableAndOpenSslOnRandomInputs) {
    if (!cpu_has_sha_ni()) GTEST_SKIP() << "this CPU has no SHA extensions (SHA-NI): only the portable path is tested";
    std::mt19937_64 rng(42);
    for (std::size_t count = 0; count < 40; ++count) {
        const auto in = random_bytes(rng, 64 * count);
        std::vector<std::uint8_t> ni(32 * count);
        std::vector<std::uint8_t> portable(32 * count);
        hash_pairs_sha_ni(in.data(), ni.data(), count);
        hash_pairs_portable(in.data(), portable.data(), count);
        EXPECT_EQ(ni, portable) << count << " pairs";
        EXPECT_EQ(ni, openssl_pairs(in, count)) << count << " pairs";
    }
    const std::size_t many = 10001;  // odd: the last pair takes the single-lane path
    const auto in = random_bytes(rng, 64 * many);
    std::vector<std::uint8_t> ni(32 * many);
    hash_pairs_sha_ni(in.data(), ni.data(), many);
    EXPECT_EQ(ni, openssl_pairs(in, many));
    // Edge patterns: all ones, single bits.
    for (std::size_t bit = 0; bit < 512; bit += 7) {
        std::array<std::uint8_t, 64> block{};
        block[bit / 8] = static_cast<std::uint8_t>(1U << (bit % 8));
        Chunk a{};
        hash_pairs_sha_ni(block.data(), a.data(), 1);
        ASSERT_EQ(hex(a), hex(openssl_sha256(block))) << bit;
    }
    std::array<std::uint8_t, 64> ones{};
    ones.fill(0xff);
    Chunk a{};
    hash_pairs_sha_ni(ones.data(), a.data(), 1);
    EXPECT_EQ(hex(a), hex(openssl_sha256(ones)));
}

TEST(Sha256, InPlaceHashingMatchesSeparateBuffers) {
    std::mt19937_64 rng(7);
    for (std::size_t count : {1U, 2U, 3U, 8U, 33U}) {
        const auto in = random_bytes(rng, 64 * count);
        std::vector<std::uint8_t> expected(32 * count);
        hash_pairs(in.data(), expected.data(), count);
        auto buffer = in;
        hash_pairs(buffer.data(), buffer.data(), count);
        EXPECT_TRUE(std::equal(expected.begin(), expected.end(), buffer.begin())) << count;
        buffer = in;
        hash_pairs_portable(buffer.data(), buffer.data(), count);
        EXPECT_TRUE(std::equal(expected.begin(), expected.end(), buffer.begin())) << count;
        if (cpu_has_sha_ni()) {
            buffer = in;
            hash_pairs_sha_ni(buffer.data(), buffer.data(), count);
            EXPECT_TRUE(std::equal(expected.begin(), expected.end(), buffer.begin())) << count;
        }
    }
}

TEST(Sha256, HashPairConcatenates) {
    const auto left = testing::sequence<32>(0);
    const auto right = testing::sequence<32>(32);
    const auto joined = testing::sequence<64>(0);
    EXPECT_EQ(hash_pair(left, right), openssl_sha256(joined));
}

}  // namespace
}  // namespace ephemery::ssz

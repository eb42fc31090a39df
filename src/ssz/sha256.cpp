// SHA-256 (FIPS 180-4) specialised to 64-byte messages. Block 1 is the message; block 2 is the constant
// padding (0x80, zeros, bit length 512), whose W[t] + K[t] are computed at compile time.
#include "ssz/sha256.hpp"

#include <bit>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#if defined(__x86_64__) || defined(__i386__)
#define EPHEMERY_SSZ_X86 1
#include <cpuid.h>
#include <immintrin.h>
#else
#define EPHEMERY_SSZ_X86 0
#endif

namespace ephemery::ssz {
namespace {

using State = std::array<std::uint32_t, 8>;

constexpr std::array<std::uint32_t, 64> round_constants = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

constexpr State initial_state = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                                 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};

constexpr std::uint32_t small_sigma0(std::uint32_t x) {
    return std::rotr(x, 7) ^ std::rotr(x, 18) ^ (x >> 3);
}
constexpr std::uint32_t small_sigma1(std::uint32_t x) {
    return std::rotr(x, 17) ^ std::rotr(x, 19) ^ (x >> 10);
}
constexpr std::uint32_t big_sigma0(std::uint32_t x) {
    return std::rotr(x, 2) ^ std::rotr(x, 13) ^ std::rotr(x, 22);
}
constexpr std::uint32_t big_sigma1(std::uint32_t x) {
    return std::rotr(x, 6) ^ std::rotr(x, 11) ^ std::rotr(x, 25);
}

// W[t] + K[t] of the padding block of every 64-byte message.
constexpr std::array<std::uint32_t, 64> padding_schedule = [] {
    std::array<std::uint32_t, 64> w{};
    w[0] = 0x80000000U;
    w[15] = 512;  // message length in bits
    for (std::size_t t = 16; t < 64; ++t) {
        w[t] = small_sigma1(w[t - 2]) + w[t - 7] + small_sigma0(w[t - 15]) + w[t - 16];
    }
    for (std::size_t t = 0; t < 64; ++t) w[t] += round_constants[t];
    return w;
}();

std::uint32_t load_be32(const std::uint8_t* p) {
    return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) | std::uint32_t{p[3]};
}

void store_be32(std::uint8_t* p, std::uint32_t value) {
    p[0] = static_cast<std::uint8_t>(value >> 24);
    p[1] = static_cast<std::uint8_t>(value >> 16);
    p[2] = static_cast<std::uint8_t>(value >> 8);
    p[3] = static_cast<std::uint8_t>(value);
}

// 64 rounds over a schedule that already includes the round constants; adds the result into state.
void rounds(State& state, const std::array<std::uint32_t, 64>& schedule_plus_k) {
    std::uint32_t a = state[0];
    std::uint32_t b = state[1];
    std::uint32_t c = state[2];
    std::uint32_t d = state[3];
    std::uint32_t e = state[4];
    std::uint32_t f = state[5];
    std::uint32_t g = state[6];
    std::uint32_t h = state[7];
    for (std::size_t t = 0; t < 64; ++t) {
        const std::uint32_t t1 = h + big_sigma1(e) + ((e & f) ^ (~e & g)) + schedule_plus_k[t];
        const std::uint32_t t2 = big_sigma0(a) + ((a & b) ^ (a & c) ^ (b & c));
        h = g;
        g = f;
        f = e;
        e = d + t1;
        d = c;
        c = b;
        b = a;
        a = t1 + t2;
    }
    state[0] += a;
    state[1] += b;
    state[2] += c;
    state[3] += d;
    state[4] += e;
    state[5] += f;
    state[6] += g;
    state[7] += h;
}

void sha256_64_portable(const std::uint8_t* in, std::uint8_t* out) {
    std::array<std::uint32_t, 64> w{};
    for (std::size_t t = 0; t < 16; ++t) w[t] = load_be32(in + 4 * t);
    for (std::size_t t = 16; t < 64; ++t) {
        w[t] = small_sigma1(w[t - 2]) + w[t - 7] + small_sigma0(w[t - 15]) + w[t - 16];
    }
    for (std::size_t t = 0; t < 64; ++t) w[t] += round_constants[t];
    State state = initial_state;
    rounds(state, w);
    rounds(state, padding_schedule);
    for (std::size_t i = 0; i < 8; ++i) store_be32(out + 4 * i, state[i]);
}

#if EPHEMERY_SSZ_X86

bool detect_sha_ni() {
    unsigned eax = 0;
    unsigned ebx = 0;
    unsigned ecx = 0;
    unsigned edx = 0;
    if (__get_cpuid(1, &eax, &ebx, &ecx, &edx) == 0) return false;
    const bool ssse3 = (ecx & (1U << 9)) != 0;
    const bool sse41 = (ecx & (1U << 19)) != 0;
    if (__get_cpuid_count(7, 0, &eax, &ebx, &ecx, &edx) == 0) return false;
    const bool sha = (ebx & (1U << 29)) != 0;
    return ssse3 && sse41 && sha;
}

#define EPHEMERY_SHA_NI __attribute__((target("sha,sse4.1")))

// The SHA-NI state registers hold (A, B, E, F) and (C, D, G, H), highest lane first.
EPHEMERY_SHA_NI inline __m128i set_lanes(std::uint32_t l3, std::uint32_t l2, std::uint32_t l1, std::uint32_t l0) {
    return _mm_set_epi32(static_cast<int>(l3), static_cast<int>(l2), static_cast<int>(l1), static_cast<int>(l0));
}

// Lane-wise 32-bit addition (paddd), written with a vector extension type.
using U32x4 = std::uint32_t __attribute__((vector_size(16)));
EPHEMERY_SHA_NI inline __m128i add32(__m128i a, __m128i b) {
    return std::bit_cast<__m128i>(std::bit_cast<U32x4>(a) + std::bit_cast<U32x4>(b));
}

EPHEMERY_SHA_NI inline __m128i load128(const void* p) {
    return _mm_loadu_si128(static_cast<const __m128i*>(p));
}

EPHEMERY_SHA_NI inline void store128(void* p, __m128i value) {
    _mm_storeu_si128(static_cast<__m128i*>(p), value);
}

// Hashes `lanes` independent 64-byte messages in lockstep (interleaving hides the latency of sha256rnds2).
template <std::size_t lanes>
EPHEMERY_SHA_NI inline void sha_ni_lanes(const std::uint8_t* const* in, std::uint8_t* const* out) {
    const __m128i byte_swap = _mm_set_epi64x(0x0c0d0e0f08090a0bLL, 0x0405060700010203LL);
    const __m128i abef_init = set_lanes(initial_state[0], initial_state[1], initial_state[4], initial_state[5]);
    const __m128i cdgh_init = set_lanes(initial_state[2], initial_state[3], initial_state[6], initial_state[7]);

    __m128i abef[lanes];  // NOLINT(modernize-avoid-c-arrays): register-resident lanes
    __m128i cdgh[lanes];  // NOLINT(modernize-avoid-c-arrays)
    __m128i w[lanes][4];  // NOLINT(modernize-avoid-c-arrays): W[4j .. 4j+3] of the last four groups
    for (std::size_t l = 0; l < lanes; ++l) {
        abef[l] = abef_init;
        cdgh[l] = cdgh_init;
        for (std::size_t j = 0; j < 4; ++j) w[l][j] = _mm_shuffle_epi8(load128(in[l] + 16 * j), byte_swap);
    }

    // Block 1: the message. Group g covers rounds 4g .. 4g+3; W of group g lives in w[g % 4].
#pragma GCC unroll 16
    for (std::size_t g = 0; g < 16; ++g) {
        for (std::size_t l = 0; l < lanes; ++l) {
            if (g >= 4) {
                // W[4g..4g+3] from the groups g-4 .. g-1 (w[g%4] still holds group g-4).
                __m128i next = _mm_sha256msg1_epu32(w[l][g % 4], w[l][(g + 1) % 4]);
                next = add32(next, _mm_alignr_epi8(w[l][(g + 3) % 4], w[l][(g + 2) % 4], 4));
                w[l][g % 4] = _mm_sha256msg2_epu32(next, w[l][(g + 3) % 4]);
            }
            __m128i wk = add32(w[l][g % 4], load128(&round_constants[4 * g]));
            cdgh[l] = _mm_sha256rnds2_epu32(cdgh[l], abef[l], wk);
            wk = _mm_shuffle_epi32(wk, 0x0E);
            abef[l] = _mm_sha256rnds2_epu32(abef[l], cdgh[l], wk);
        }
    }
    __m128i abef_mid[lanes];  // NOLINT(modernize-avoid-c-arrays)
    __m128i cdgh_mid[lanes];  // NOLINT(modernize-avoid-c-arrays)
    for (std::size_t l = 0; l < lanes; ++l) {
        abef[l] = add32(abef[l], abef_init);
        cdgh[l] = add32(cdgh[l], cdgh_init);
        abef_mid[l] = abef[l];
        cdgh_mid[l] = cdgh[l];
    }

    // Block 2: the constant padding, schedule precomputed.
#pragma GCC unroll 16
    for (std::size_t g = 0; g < 16; ++g) {
        const __m128i wk_low = load128(&padding_schedule[4 * g]);
        const __m128i wk_high = _mm_shuffle_epi32(wk_low, 0x0E);
        for (std::size_t l = 0; l < lanes; ++l) {
            cdgh[l] = _mm_sha256rnds2_epu32(cdgh[l], abef[l], wk_low);
            abef[l] = _mm_sha256rnds2_epu32(abef[l], cdgh[l], wk_high);
        }
    }

    for (std::size_t l = 0; l < lanes; ++l) {
        const __m128i abef_final = add32(abef[l], abef_mid[l]);              // lanes F E B A (low first)
        const __m128i cdgh_final = add32(cdgh[l], cdgh_mid[l]);              // lanes H G D C
        const __m128i abef_rev = _mm_shuffle_epi32(abef_final, 0x1B);        // A B E F
        const __m128i cdgh_swapped = _mm_shuffle_epi32(cdgh_final, 0xB1);    // G H C D
        const __m128i abcd = _mm_blend_epi16(abef_rev, cdgh_swapped, 0xF0);  // A B C D
        const __m128i efgh = _mm_alignr_epi8(cdgh_swapped, abef_rev, 8);     // E F G H
        store128(out[l], _mm_shuffle_epi8(abcd, byte_swap));
        store128(out[l] + 16, _mm_shuffle_epi8(efgh, byte_swap));
    }
}

EPHEMERY_SHA_NI void hash_pairs_sha_ni_unchecked(const std::uint8_t* in, std::uint8_t* out, std::size_t count) {
    std::size_t i = 0;
    // Pair i's digest lands at out + 32i, which is at or below pair i's own input: in place is safe because
    // every lane loads its whole input before any lane stores.
    for (; i + 2 <= count; i += 2) {
        const std::array<const std::uint8_t*, 2> inputs = {in + 64 * i, in + 64 * (i + 1)};
        const std::array<std::uint8_t*, 2> outputs = {out + 32 * i, out + 32 * (i + 1)};
        sha_ni_lanes<2>(inputs.data(), outputs.data());
    }
    if (i < count) {
        const std::uint8_t* input = in + 64 * i;
        std::uint8_t* output = out + 32 * i;
        sha_ni_lanes<1>(&input, &output);
    }
}

#undef EPHEMERY_SHA_NI

#else

bool detect_sha_ni() {
    return false;
}

#endif

bool sha_ni_detected() noexcept {
    static const bool detected = detect_sha_ni();
    return detected;
}

}  // namespace

bool cpu_has_sha_ni() noexcept {
    return sha_ni_detected();
}

HashBackend active_backend() noexcept {
    return sha_ni_detected() ? HashBackend::sha_ni : HashBackend::portable;
}

std::string_view backend_name(HashBackend backend) noexcept {
    switch (backend) {
        case HashBackend::portable: return "portable";
        case HashBackend::sha_ni: return "sha-ni";
    }
    return "unknown";
}

void hash_pairs_portable(const std::uint8_t* in, std::uint8_t* out, std::size_t count) noexcept {
    for (std::size_t i = 0; i < count; ++i) sha256_64_portable(in + 64 * i, out + 32 * i);
}

void hash_pairs_sha_ni(const std::uint8_t* in, std::uint8_t* out, std::size_t count) noexcept {
#if EPHEMERY_SSZ_X86
    if (sha_ni_detected()) {
        hash_pairs_sha_ni_unchecked(in, out, count);
        return;
    }
#endif
    (void)in;
    (void)out;
    (void)count;
    (void)std::fputs("fatal: hash_pairs_sha_ni called on a CPU without the SHA extensions\n", stderr);
    std::abort();
}

void hash_pairs(const std::uint8_t* in, std::uint8_t* out, std::size_t count) noexcept {
#if EPHEMERY_SSZ_X86
    if (sha_ni_detected()) {
        hash_pairs_sha_ni_unchecked(in, out, count);
        return;
    }
#endif
    hash_pairs_portable(in, out, count);
}

void sha256_64(const std::uint8_t* in, std::uint8_t* out) noexcept {
    hash_pairs(in, out, 1);
}

Chunk hash_pair(const Chunk& left, const Chunk& right) noexcept {
    std::array<std::uint8_t, 2 * bytes_per_chunk> joined{};
    std::memcpy(joined.data(), left.data(), bytes_per_chunk);
    std::memcpy(joined.data() + bytes_per_chunk, right.data(), bytes_per_chunk);
    Chunk digest{};
    hash_pairs(joined.data(), digest.data(), 1);
    return digest;
}

}  // namespace ephemery::ssz

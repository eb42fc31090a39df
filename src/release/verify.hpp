#pragma once

#include "network/schedule.hpp"
#include "release/layout.hpp"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace ephemery::release {

// A release as bytes in memory: path inside the release -> contents.
struct ReleaseFiles {
    Layout layout{Layout::network_config};
    std::map<std::string, std::string> files;
};

struct Expectation {
    std::uint64_t iteration{0};
    network::Schedule schedule;
    // config.yaml key -> value every release of the network must carry; empty: not checked.
    std::vector<std::pair<std::string, std::string>> fork_versions;
};

struct Finding {
    std::string check;    // "chain id", "genesis time", ...
    std::string message;  // names the two files (or file and schedule) and the values that disagree
};

struct VerificationReport {
    std::vector<std::string> passed;  // checks that passed
    std::vector<Finding> failures;
    [[nodiscard]] bool ok() const { return failures.empty(); }
};

// Every cross-check of docs/ephemery-facts.md §2 on one release: mandatory files, iteration, chain
// id everywhere it appears, T(N), CL genesis time, genesis validators root (also read from genesis.ssz), reset
// interval and fork versions.
[[nodiscard]] VerificationReport verify_release(const ReleaseFiles& release, const Expectation& expectation);

// The iteration a release says it is (retention.vars ITERATION_NUMBER), if readable.
[[nodiscard]] std::optional<std::uint64_t> declared_iteration(const ReleaseFiles& release);

// The fork versions of the public Ephemery network (the same in every iteration).
[[nodiscard]] std::vector<std::pair<std::string, std::string>> public_ephemery_fork_versions();

// genesis_time (offset 0, uint64 little endian) and genesis_validators_root (offset 8, 32 bytes) of an SSZ
// BeaconState: the two fields at fixed offsets in every fork.
struct GenesisStateFields {
    std::uint64_t genesis_time{0};
    std::string genesis_validators_root;  // 0x + 64 lower-case hex digits
};
[[nodiscard]] std::optional<GenesisStateFields> read_genesis_state_fields(std::string_view ssz);

}  // namespace ephemery::release

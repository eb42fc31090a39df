#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace ephemery::checkpoint {

// Checkpoint sync after each reset. Filled from `checkpoint:`.
struct Settings {
    bool enabled{true};
    // Beacon API base URLs serving finalized states (public Ephemery providers by default).
    std::vector<std::string> providers{
        "https://checkpoint-sync.ephemery.ethpandaops.io",
        "https://ephemery.beaconstate.ethstaker.cc",
        "https://beaconstate-ephemery.chainsafe.dev",
        "https://checkpointz.bordel.wtf",
    };
    std::int64_t quorum{2};         // providers that must agree on the finalized block root
    std::int64_t cache_entries{4};  // verified checkpoints kept in <data_dir>/checkpoints
    std::int64_t cache_mb{4096};    // and at most this many MiB of them (the newest is always kept)
    std::int64_t serve_port{5059};  // `checkpoint serve` on 127.0.0.1
};

}  // namespace ephemery::checkpoint

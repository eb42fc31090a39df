#pragma once
// `ephemery checkpoint serve`: a verified checkpoint from the cache, served on loopback with the Beacon API
// routes clients use for checkpoint sync, so a local node syncs from 127.0.0.1 and never from a provider
// directly. Read only; the SSZ files are streamed from disk.

#include "checkpoint/cache.hpp"
#include "checkpoint/verify.hpp"
#include "core/result.hpp"

#include <cstdint>
#include <memory>
#include <string>

namespace ephemery::checkpoint {

struct ServeSettings {
    std::string listen_address{"127.0.0.1"};
    std::uint16_t port{5059};  // 0: any free port
};

class CheckpointServer {
  public:
    // Reads the entry's block (for its header) and serves the pair until stop() or destruction.
    [[nodiscard]] static Result<std::unique_ptr<CheckpointServer>> start(const CacheEntryInfo& entry,
                                                                         const NetworkFacts& facts,
                                                                         const ServeSettings& settings);
    CheckpointServer(const CheckpointServer&) = delete;
    CheckpointServer& operator=(const CheckpointServer&) = delete;
    CheckpointServer(CheckpointServer&&) = delete;
    CheckpointServer& operator=(CheckpointServer&&) = delete;
    ~CheckpointServer();

    [[nodiscard]] int port() const;
    void stop();

  private:
    struct State;
    explicit CheckpointServer(std::unique_ptr<State> state);
    std::unique_ptr<State> state_;
};

}  // namespace ephemery::checkpoint

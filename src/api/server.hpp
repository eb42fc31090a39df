#pragma once

#include "api/settings.hpp"
#include "core/result.hpp"
#include "core/secret.hpp"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

// The daemon's control API: GET /api/v1/status, GET /api/v1/health, GET /metrics for anyone who can reach it
// (loopback by default); POST /api/v1/restart/{role} and POST /api/v1/reset only with the bearer token.
namespace ephemery::api {

// What the API reports on and acts on; the node runtime implements it.
class ControlTarget {
  public:
    ControlTarget() = default;
    ControlTarget(const ControlTarget&) = delete;
    ControlTarget& operator=(const ControlTarget&) = delete;
    ControlTarget(ControlTarget&&) = delete;
    ControlTarget& operator=(ControlTarget&&) = delete;
    virtual ~ControlTarget() = default;

    [[nodiscard]] virtual nlohmann::ordered_json status() = 0;
    [[nodiscard]] virtual bool healthy() = 0;
    [[nodiscard]] virtual std::string metrics() = 0;  // Prometheus text exposition format
    // role: execution, consensus or validator. Errc::not_found when the node does not run that role.
    [[nodiscard]] virtual Status restart(std::string_view role) = 0;
    // Asks for a reset to the live iteration; it runs in the background.
    [[nodiscard]] virtual Status request_reset() = 0;
};

// The token file (<data-dir>/api-token): 32 random bytes as hex, mode 0600, created when missing. A file that
// other users can read is refused: anyone who has the token can reset the node.
[[nodiscard]] Result<SecretString> load_or_create_token(const std::filesystem::path& file);

class ControlServer {
  public:
    // Listens on settings.listen_address:settings.port (port 0: any free port) on a thread of its own.
    [[nodiscard]] static Result<std::unique_ptr<ControlServer>> start(const Settings& settings, SecretString token,
                                                                      ControlTarget& target);
    ControlServer(const ControlServer&) = delete;
    ControlServer& operator=(const ControlServer&) = delete;
    ControlServer(ControlServer&&) = delete;
    ControlServer& operator=(ControlServer&&) = delete;
    ~ControlServer();

    [[nodiscard]] int port() const;
    void stop();

  private:
    struct State;
    explicit ControlServer(std::unique_ptr<State> state);
    std::unique_ptr<State> state_;
};

}  // namespace ephemery::api

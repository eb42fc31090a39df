#pragma once

#include "core/result.hpp"
#include "core/secret.hpp"

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

// The command-line side of the control API: `ephemery status`, `restart` and friends talk to a running daemon.
namespace ephemery::api {

struct Endpoint {
    std::string host{"127.0.0.1"};
    int port{0};
    std::chrono::milliseconds timeout{std::chrono::seconds(10)};
};

struct Reply {
    int status{0};
    nlohmann::json body;  // null when the body is not JSON
};

// GET path. Fails with Errc::not_found when nothing listens there (no daemon), io_error for other transport
// failures. A reply with any HTTP status is a success: the caller reads status and body.
[[nodiscard]] Result<Reply> get(const Endpoint& endpoint, std::string_view path);
// POST path with the bearer token and an empty body.
[[nodiscard]] Result<Reply> post(const Endpoint& endpoint, std::string_view path, const SecretString& token);

// The error text of a reply that is not 2xx: the body's "error" when there is one.
[[nodiscard]] std::string reply_error(const Reply& reply);

}  // namespace ephemery::api

// libFuzzer target: the answers of a validator client's keymanager API are untrusted bytes. Parsing must never
// crash; whatever is quoted from them must be printable (no control characters), must not repeat a secret that
// was sent, and an accepted import answer has exactly one status per keystore.
#include "keymanager/response.hpp"

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace {

const std::array<ephemery::SecretString, 2> secrets{ephemery::SecretString("hunter2hunter2"),
                                                    ephemery::SecretString("apitoken0xfeed")};

void check_quoted(std::string_view text) {
    for (const char c : text) {
        const auto byte = static_cast<unsigned char>(c);
        if (byte < 0x20U || byte == 0x7FU) __builtin_trap();
    }
    for (const auto& secret : secrets) {
        if (text.find(secret.reveal()) != std::string_view::npos) __builtin_trap();
    }
}

}  // namespace

// NOLINTNEXTLINE(readability-identifier-naming): the name libFuzzer calls
extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view body(reinterpret_cast<const char*>(data),
                                size);  // NOLINT(cppcoreguidelines-pro-type-reinterpret-cast)
    const std::size_t sent = size == 0 ? 0 : data[0] % 8U;
    const auto statuses = ephemery::keymanager::parse_import_response(body, sent, secrets);
    if (statuses) {
        if (statuses->size() != sent) __builtin_trap();
        for (const auto& status : *statuses) check_quoted(status.message);
    } else {
        check_quoted(statuses.error().message);
    }
    const auto keys = ephemery::keymanager::parse_list_response(body, secrets);
    if (keys) {
        for (const auto& key : *keys) {
            if (key.validating_pubkey.size() != 98) __builtin_trap();
            check_quoted(key.derivation_path);
        }
    } else {
        check_quoted(keys.error().message);
    }
    if (const auto message = ephemery::keymanager::error_message(body, secrets)) check_quoted(*message);
    check_quoted(ephemery::keymanager::quote(body, secrets, 80));
    return 0;
}

// libFuzzer target: interchange files come from other clients and other machines; parsing must never crash,
// what it accepts must serialise and parse back to the same value, and the minimal form and the slashable-data
// scan must cope with anything the parser accepts.
#include "slashing/interchange.hpp"

#include <cstddef>
#include <cstdint>
#include <set>
#include <string_view>

// NOLINTNEXTLINE(readability-identifier-naming): the name libFuzzer calls
extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view json(reinterpret_cast<const char*>(data),
                                size);  // NOLINT(cppcoreguidelines-pro-type-reinterpret-cast)
    const auto interchange = ephemery::slashing::parse_interchange(json, "fuzz.json");
    if (!interchange) {
        if (interchange.error().message.empty()) __builtin_trap();
        return 0;
    }
    const auto reparsed = ephemery::slashing::parse_interchange(ephemery::slashing::to_json(*interchange), "again");
    if (!reparsed || !(*reparsed == *interchange)) __builtin_trap();

    const auto minimal = ephemery::slashing::to_minimal(*interchange);
    std::set<std::string> pubkeys;
    for (const auto& history : minimal.data) {
        if (!pubkeys.insert(history.pubkey).second) __builtin_trap();
        if (history.signed_blocks.size() > 1 || history.signed_attestations.size() > 1) __builtin_trap();
    }
    // The minimal form of one validator is never slashable against itself except for a source after target.
    for (const auto& finding : ephemery::slashing::find_slashable_data(minimal)) {
        if (finding.kind != ephemery::slashing::SlashableKind::source_after_target) __builtin_trap();
    }
    (void)ephemery::slashing::find_slashable_data(*interchange);
    return 0;
}

// The monitoring ingest parsers (validators, balances, attestation rewards) on the same untrusted bytes, through
// the copying entry points and through one reused Ingester: none may crash, hang or throw. What parses is also
// aggregated, so the lookups run on whatever indices the input holds.
#include "monitoring/aggregate.hpp"
#include "monitoring/ingest.hpp"

#include <cstddef>
#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(
        reinterpret_cast<const char*>(data),  // NOLINT(cppcoreguidelines-pro-type-reinterpret-cast)
        size);
    using namespace ephemery::monitoring;
    const auto validators = parse_validator_table(text);
    const auto balances = parse_balance_table(text);
    const auto rewards = parse_reward_table(text);

    Ingester ingester;
    const PaddedText padded = PaddedText::copy_of(text);
    (void)ingester.validators(padded);
    (void)ingester.balances(padded);
    (void)ingester.rewards(padded);

    const ValidatorTable no_validators;
    const BalanceTable no_balances;
    const std::vector<Watched> watched{{"fuzz", {0, 1, 2, 18446744073709551615ULL}}};
    (void)aggregate_epoch(validators ? *validators : no_validators, balances ? *balances : no_balances,
                          rewards ? &*rewards : nullptr, watched);
    return 0;
}

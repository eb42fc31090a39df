#pragma once

#include <cstdint>

namespace ephemery::infra {

// The wall clock in whole Unix seconds: what reset times, genesis times and file stamps are measured in.
[[nodiscard]] std::int64_t unix_now();

}  // namespace ephemery::infra

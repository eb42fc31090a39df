#pragma once
// Helpers the execution and consensus halves of the client catalog share (internal to clients).

#include <string>
#include <string_view>

namespace ephemery::clients::detail {

// A source URL too long for one line, in two pieces (adjacent literals in a list look like a missing comma).
inline std::string link(std::string_view prefix, std::string_view rest) {
    std::string url(prefix);
    url += rest;
    return url;
}

}  // namespace ephemery::clients::detail

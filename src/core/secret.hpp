#pragma once

#include <fmt/format.h>

#include <string>
#include <utility>

namespace ephemery {

// A string that must never reach a log, an error message or a dump. Formatting it prints a placeholder;
// the value is only available through reveal(), which makes every use easy to audit.
class SecretString {
  public:
    static constexpr const char* redacted = "<redacted>";

    SecretString() = default;
    explicit SecretString(std::string value) : value_(std::move(value)) {}

    [[nodiscard]] const std::string& reveal() const noexcept { return value_; }
    [[nodiscard]] bool empty() const noexcept { return value_.empty(); }
    friend bool operator==(const SecretString&, const SecretString&) = default;

  private:
    std::string value_;
};

}  // namespace ephemery

template <>
struct fmt::formatter<ephemery::SecretString> : fmt::formatter<fmt::string_view> {
    template <typename FormatContext>
    auto format(const ephemery::SecretString& /*secret*/, FormatContext& ctx) const {
        return fmt::formatter<fmt::string_view>::format(ephemery::SecretString::redacted, ctx);
    }
};

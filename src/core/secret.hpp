#pragma once

#include <fmt/format.h>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace ephemery {

// A string that must never reach a log, an error message or a dump. Formatting it prints a placeholder;
// the value is only available through reveal(), which makes every use easy to audit.
class SecretString {
  public:
    static constexpr const char* redacted = "<redacted>";

    SecretString() = default;
    explicit SecretString(std::string value) : value_(std::move(value)) {}
    SecretString(const SecretString&) = default;
    SecretString& operator=(const SecretString&) = default;
    SecretString(SecretString&&) noexcept = default;
    SecretString& operator=(SecretString&&) noexcept = default;
    // Wipes the whole buffer, not just the current length: a moved-from or shortened string keeps old bytes.
    ~SecretString() {
        volatile char* data = value_.data();
        for (std::size_t i = 0; i < value_.capacity(); ++i) data[i] = 0;
    }

    [[nodiscard]] const std::string& reveal() const noexcept { return value_; }
    [[nodiscard]] bool empty() const noexcept { return value_.empty(); }
    friend bool operator==(const SecretString&, const SecretString&) = default;

  private:
    std::string value_;
};

// Key material: wiped from memory when destroyed, never formatted.
class SecretBytes {
  public:
    SecretBytes() = default;
    explicit SecretBytes(std::vector<std::uint8_t> bytes) : bytes_(std::move(bytes)) {}
    SecretBytes(const SecretBytes&) = default;
    SecretBytes& operator=(const SecretBytes&) = default;
    SecretBytes(SecretBytes&&) noexcept = default;
    SecretBytes& operator=(SecretBytes&&) noexcept = default;
    ~SecretBytes() { wipe(); }

    [[nodiscard]] const std::vector<std::uint8_t>& reveal() const noexcept { return bytes_; }
    [[nodiscard]] std::size_t size() const noexcept { return bytes_.size(); }
    friend bool operator==(const SecretBytes&, const SecretBytes&) = default;

  private:
    void wipe() noexcept {
        // volatile stops the compiler from dropping stores to memory about to be freed
        volatile std::uint8_t* data = bytes_.data();
        for (std::size_t i = 0; i < bytes_.size(); ++i) data[i] = 0;
    }
    std::vector<std::uint8_t> bytes_;
};

}  // namespace ephemery

template <>
struct fmt::formatter<ephemery::SecretString> : fmt::formatter<fmt::string_view> {
    template <typename FormatContext>
    auto format(const ephemery::SecretString& /*secret*/, FormatContext& ctx) const {
        return fmt::formatter<fmt::string_view>::format(ephemery::SecretString::redacted, ctx);
    }
};

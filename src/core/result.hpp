#pragma once

#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace ephemery {

// Broad classes of expected failure; callers branch on these, people read the message.
enum class Errc {
    invalid_argument,  // the caller passed something that can never work
    out_of_range,      // a number outside what the model can represent
    not_found,         // a file, key or resource is missing
    parse_error,       // input exists but is malformed
    io_error,          // the operating system refused (permissions, disk full, ...)
    verification_failed,
    unsupported,
};

struct Error {
    Errc code{Errc::invalid_argument};
    std::string message;  // complete sentence for an operator: what, where, and the fix; never a secret
};

[[nodiscard]] inline Error make_error(Errc code, std::string message) {
    return Error{code, std::move(message)};
}

namespace detail {
[[noreturn]] inline void bad_result_access(const Error& error) {
    // Reading the value of a failed result is a programming error, not an expected failure.
    (void)std::fprintf(stderr, "fatal: value() called on a failed Result: %s\n", error.message.c_str());
    std::abort();
}
}  // namespace detail

// The outcome of an operation that can fail in expected ways: a value or an Error.
template <typename T>
class [[nodiscard]] Result {
  public:
    Result(T value) : state_(std::in_place_index<0>, std::move(value)) {}      // NOLINT(google-explicit-constructor)
    Result(Error error) : state_(std::in_place_index<1>, std::move(error)) {}  // NOLINT(google-explicit-constructor)

    [[nodiscard]] bool ok() const noexcept { return state_.index() == 0; }
    explicit operator bool() const noexcept { return ok(); }

    [[nodiscard]] T& value() & {
        if (!ok()) detail::bad_result_access(error());
        return std::get<0>(state_);
    }
    [[nodiscard]] const T& value() const& {
        if (!ok()) detail::bad_result_access(error());
        return std::get<0>(state_);
    }
    [[nodiscard]] T&& value() && {
        if (!ok()) detail::bad_result_access(error());
        return std::get<0>(std::move(state_));
    }
    T* operator->() { return &value(); }
    const T* operator->() const { return &value(); }
    T& operator*() & { return value(); }
    const T& operator*() const& { return value(); }

    [[nodiscard]] const Error& error() const& { return std::get<1>(state_); }

  private:
    std::variant<T, Error> state_;
};

template <>
class [[nodiscard]] Result<void> {
  public:
    Result() = default;
    Result(Error error) : error_(std::move(error)) {}  // NOLINT(google-explicit-constructor)

    [[nodiscard]] bool ok() const noexcept { return !error_.has_value(); }
    explicit operator bool() const noexcept { return ok(); }
    [[nodiscard]] const Error& error() const& { return *error_; }  // NOLINT(bugprone-unchecked-optional-access)

  private:
    std::optional<Error> error_;
};

using Status = Result<void>;

}  // namespace ephemery

#include "core/secret.hpp"

#include <gtest/gtest.h>

namespace ephemery {
namespace {

TEST(SecretString, NeverFormatsItsValue) {
    const SecretString token{"hunter2"};
    EXPECT_EQ(fmt::format("token={}", token), "token=<redacted>");
    EXPECT_EQ(token.reveal(), "hunter2");
    EXPECT_FALSE(token.empty());
    EXPECT_TRUE(SecretString{}.empty());
}

}  // namespace
}  // namespace ephemery

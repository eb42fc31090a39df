#include "runtime/jwt.hpp"

#include "test_support/temp_dir.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>

namespace ephemery::runtime {
namespace {

using testing::HasSubstr;

std::string read(const std::filesystem::path& path) {
    std::ifstream in(path);
    return {std::istreambuf_iterator<char>(in), {}};
}

TEST(JwtSecret, IsCreatedOnceAsPrivateHexAndThenKept) {
    const test::TempDir dir;
    const auto file = dir.path() / "jwt.hex";
    ASSERT_TRUE(ensure_jwt_secret(file).ok());
    const std::string first = read(file);
    EXPECT_EQ(first.size(), 65U);
    EXPECT_EQ(first.find_first_not_of("0123456789abcdef\n"), std::string::npos);
    struct stat info {};
    ASSERT_EQ(::stat(file.c_str(), &info), 0);
    EXPECT_EQ(info.st_mode & 0777U, 0600U);
    ASSERT_TRUE(ensure_jwt_secret(file).ok());
    EXPECT_EQ(read(file), first);
}

TEST(JwtSecret, AcceptsA0xPrefixAndRefusesGarbageOrAReadableFileWithoutShowingIt) {
    const test::TempDir dir;
    const auto file = dir.write("jwt.hex", "0x" + std::string(64, 'a') + "\n");
    std::filesystem::permissions(file, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
    EXPECT_TRUE(ensure_jwt_secret(file).ok());

    const auto garbage = dir.write("bad.hex", "not-a-secret-value\n");
    std::filesystem::permissions(garbage, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
    const auto refused = ensure_jwt_secret(garbage);
    ASSERT_FALSE(refused.ok());
    EXPECT_THAT(refused.error().message, HasSubstr("64 hex digits"));
    EXPECT_THAT(refused.error().message, testing::Not(HasSubstr("not-a-secret-value")));

    std::filesystem::permissions(file, std::filesystem::perms::others_read, std::filesystem::perm_options::add);
    const auto exposed = ensure_jwt_secret(file);
    ASSERT_FALSE(exposed.ok());
    EXPECT_THAT(exposed.error().message, HasSubstr("chmod 600"));
}

}  // namespace
}  // namespace ephemery::runtime

#include "infra/files.hpp"

#include "test_support/temp_dir.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>

namespace ephemery::infra {
namespace {

namespace fs = std::filesystem;

TEST(Files, WritesAtomicallyWithMode) {
    const test::TempDir dir;
    const fs::path target = dir.path() / "secret.txt";
    ASSERT_TRUE(write_file_atomically(target, "first", owner_only).ok());
    ASSERT_TRUE(write_file_atomically(target, "second", owner_only).ok());

    const auto contents = read_file(target, 1024);
    ASSERT_TRUE(contents.ok());
    EXPECT_EQ(*contents, "second");

    struct stat info {};
    ASSERT_EQ(::stat(target.c_str(), &info), 0);
    EXPECT_EQ(info.st_mode & 0777U, 0600U);

    // No temporary files are left behind.
    std::size_t entries = 0;
    for ([[maybe_unused]] const auto& entry : fs::directory_iterator(dir.path())) ++entries;
    EXPECT_EQ(entries, 1U);
}

TEST(Files, ReportsMissingDirectoryByPath) {
    const test::TempDir dir;
    const fs::path target = dir.path() / "missing" / "file.txt";
    const auto status = write_file_atomically(target, "x", owner_only);
    ASSERT_FALSE(status.ok());
    EXPECT_EQ(status.error().code, Errc::io_error);
    EXPECT_NE(status.error().message.find((dir.path() / "missing").string()), std::string::npos);
}

TEST(Files, ReadRefusesMissingAndOversizedFiles) {
    const test::TempDir dir;
    const auto missing = read_file(dir.path() / "nope", 10);
    ASSERT_FALSE(missing.ok());
    EXPECT_EQ(missing.error().code, Errc::not_found);

    ASSERT_TRUE(write_file_atomically(dir.path() / "big", std::string(100, 'x'), owner_only).ok());
    const auto big = read_file(dir.path() / "big", 10);
    ASSERT_FALSE(big.ok());
    EXPECT_NE(big.error().message.find("limit is 10 bytes"), std::string::npos);
}

}  // namespace
}  // namespace ephemery::infra

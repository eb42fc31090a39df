#include "runtime/log_file.hpp"

#include "test_support/files.hpp"
#include "test_support/temp_dir.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <random>
#include <sstream>
#include <string>

namespace ephemery::runtime {
namespace {

namespace fs = std::filesystem;

fs::path numbered(const fs::path& path, int number) {
    fs::path result = path;
    result += "." + std::to_string(number);
    return result;
}

// The rotated files oldest first, then the live one: the output in the order it was written.
std::string concatenated(const fs::path& path, int files_kept) {
    std::string text;
    for (int number = files_kept; number >= 1; --number) {
        if (fs::exists(numbered(path, number))) text += test::contents_of(numbered(path, number));
    }
    return text + test::contents_of(path);
}

TEST(LogFile, RotatesAtLineEndsKeepingEverySizeBoundAndTheOrder) {
    const test::TempDir dir;
    const fs::path path = dir.path() / "client.log";
    auto log = LogFile::open(path, 100, 150);
    ASSERT_TRUE(log.ok()) << log.error().message;
    std::string expected;
    for (int line = 0; line < 300; ++line)
        expected += "line " + std::to_string(line) + std::string(static_cast<std::size_t>(line % 37), '.') + "\n";
    // Written in pieces that cut lines anywhere, as reads from a pipe do.
    std::mt19937 random(7);
    std::uniform_int_distribution<std::size_t> piece_length(1, 150);
    for (std::size_t offset = 0; offset < expected.size();) {
        const std::size_t length = std::min(piece_length(random), expected.size() - offset);
        ASSERT_TRUE(log->write(std::string_view(expected).substr(offset, length)).ok());
        offset += length;
    }
    ASSERT_TRUE(log->flush().ok());
    EXPECT_EQ(concatenated(path, 150), expected);
    int rotated = 0;
    for (int number = 1; fs::exists(numbered(path, number)); ++number) {
        const std::string text = test::contents_of(numbered(path, number));
        EXPECT_LE(text.size(), 100U) << numbered(path, number);
        ASSERT_FALSE(text.empty());
        EXPECT_EQ(text.back(), '\n') << "lines shorter than a file are never split: " << numbered(path, number);
        ++rotated;
    }
    EXPECT_GT(rotated, 80);
    EXPECT_LT(rotated, 150) << "nothing was dropped";
    EXPECT_LE(fs::file_size(path), 100U);
}

TEST(LogFile, HoldsAnUnfinishedLineUntilItEndsOrIsFlushed) {
    const test::TempDir dir;
    const fs::path path = dir.path() / "client.log";
    auto log = LogFile::open(path, 100, 1);
    ASSERT_TRUE(log.ok());
    ASSERT_TRUE(log->write("first\nsec").ok());
    EXPECT_EQ(test::contents_of(path), "first\n");
    ASSERT_TRUE(log->write("ond\nthi").ok());
    EXPECT_EQ(test::contents_of(path), "first\nsecond\n");
    ASSERT_TRUE(log->flush().ok());
    EXPECT_EQ(test::contents_of(path), "first\nsecond\nthi");
}

TEST(LogFile, DropsTheOldestFilesBeyondTheKeptCount) {
    const test::TempDir dir;
    const fs::path path = dir.path() / "client.log";
    auto log = LogFile::open(path, 50, 2);
    ASSERT_TRUE(log.ok()) << log.error().message;
    std::string expected;
    for (int line = 0; line < 100; ++line) {
        const std::string text = "line " + std::to_string(line) + "\n";
        expected += text;
        ASSERT_TRUE(log->write(text).ok());
    }
    EXPECT_TRUE(fs::exists(numbered(path, 1)));
    EXPECT_TRUE(fs::exists(numbered(path, 2)));
    EXPECT_FALSE(fs::exists(numbered(path, 3)));
    const std::string kept = concatenated(path, 2);
    ASSERT_FALSE(kept.empty());
    EXPECT_TRUE(expected.ends_with(kept)) << "what is kept is the newest output";
    EXPECT_EQ(expected[expected.size() - kept.size() - 1], '\n') << "and starts at a line";
}

TEST(LogFile, SplitsOnlyALineLongerThanAFile) {
    const test::TempDir dir;
    const fs::path path = dir.path() / "client.log";
    auto log = LogFile::open(path, 10, 5);
    ASSERT_TRUE(log.ok());
    ASSERT_TRUE(log->write("short\n").ok());
    ASSERT_TRUE(log->write(std::string(25, 'x') + "\nend\n").ok());
    EXPECT_EQ(test::contents_of(numbered(path, 3)), "short\n") << "the long line starts a new file";
    EXPECT_EQ(test::contents_of(numbered(path, 2)), std::string(10, 'x'));
    EXPECT_EQ(test::contents_of(numbered(path, 1)), std::string(10, 'x'));
    EXPECT_EQ(test::contents_of(path), std::string(5, 'x') + "\nend\n");
    EXPECT_FALSE(fs::exists(numbered(path, 4)));
}

TEST(LogFile, AppendsToAnExistingLogAndRotatesItWhenFull) {
    const test::TempDir dir;
    const fs::path path = dir.write("client.log", std::string(95, 'a') + "\n");
    auto log = LogFile::open(path, 100, 3);
    ASSERT_TRUE(log.ok());
    EXPECT_EQ(log->size(), 96U);
    ASSERT_TRUE(log->write("new\n").ok());
    EXPECT_EQ(test::contents_of(path), std::string(95, 'a') + "\nnew\n") << "exactly full is still within bounds";
    ASSERT_TRUE(log->write("more\n").ok());
    EXPECT_EQ(test::contents_of(numbered(path, 1)), std::string(95, 'a') + "\nnew\n");
    EXPECT_EQ(test::contents_of(path), "more\n");
}

TEST(LogFile, WithoutAMaximumNeverRotatesAndWithNoKeptFilesDropsFullOnes) {
    const test::TempDir dir;
    auto unbounded = LogFile::open(dir.path() / "unbounded.log", 0, 3);
    ASSERT_TRUE(unbounded.ok());
    for (int line = 0; line < 1000; ++line) ASSERT_TRUE(unbounded->write("some output\n").ok());
    EXPECT_EQ(fs::file_size(dir.path() / "unbounded.log"), 12000U);
    EXPECT_FALSE(fs::exists(dir.path() / "unbounded.log.1"));

    auto unkept = LogFile::open(dir.path() / "unkept.log", 20, 0);
    ASSERT_TRUE(unkept.ok());
    for (int line = 0; line < 10; ++line) ASSERT_TRUE(unkept->write("line " + std::to_string(line) + "\n").ok());
    EXPECT_EQ(test::contents_of(dir.path() / "unkept.log"), "line 8\nline 9\n");
    EXPECT_FALSE(fs::exists(dir.path() / "unkept.log.1"));
}

TEST(LogFile, RefusesADirectoryItCannotWrite) {
    const test::TempDir dir;
    const auto log = LogFile::open(dir.path() / "missing" / "client.log", 100, 1);
    ASSERT_FALSE(log.ok());
    EXPECT_NE(log.error().message.find("cannot open the log"), std::string::npos) << log.error().message;
}

}  // namespace
}  // namespace ephemery::runtime

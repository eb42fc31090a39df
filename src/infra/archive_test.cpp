#include "infra/archive.hpp"

#include "infra/files.hpp"

#include "test_support/release_fixture.hpp"
#include "test_support/temp_dir.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>

namespace ephemery::infra {
namespace {

using test::RawEntry;
using testing::HasSubstr;

class Extract : public testing::Test {
  protected:
    Result<std::vector<ExtractedFile>> extract(const std::string& archive_bytes, const ExtractLimits& limits = {}) {
        const auto archive = dir_.write("in/release.tar.gz", archive_bytes);
        std::filesystem::create_directories(destination());
        return extract_tar_gz(archive, destination(), limits);
    }
    [[nodiscard]] std::filesystem::path destination() const { return dir_.path() / "out" / "release"; }
    [[nodiscard]] std::filesystem::path outside() const { return dir_.path() / "out"; }
    test::TempDir dir_;
};

RawEntry file(std::string path, std::string contents) {
    RawEntry entry;
    entry.path = std::move(path);
    entry.contents = std::move(contents);
    return entry;
}

RawEntry link(std::string path, std::string target, RawEntry::Kind kind) {
    RawEntry entry;
    entry.path = std::move(path);
    entry.kind = kind;
    entry.link_target = std::move(target);
    return entry;
}

TEST(SafeEntryPath, Normalises) {
    EXPECT_EQ(safe_entry_path("./metadata//genesis.json").value(), "metadata/genesis.json");
    EXPECT_EQ(safe_entry_path("./").value(), "");
    EXPECT_FALSE(safe_entry_path("/etc/passwd").ok());
    EXPECT_FALSE(safe_entry_path("a/../../b").ok());
    EXPECT_FALSE(safe_entry_path("..").ok());
    EXPECT_FALSE(safe_entry_path("").ok());
}

TEST_F(Extract, ExtractsARelease) {
    const auto release = test::make_release(160);
    const auto files = extract(test::pack_tar_gz(release));
    ASSERT_TRUE(files.ok()) << files.error().message;
    EXPECT_EQ(files->size(), release.files.size());
    std::ifstream config(destination() / "metadata" / "config.yaml");
    const std::string text{std::istreambuf_iterator<char>(config), {}};
    EXPECT_EQ(text, release.files.at("metadata/config.yaml"));
}

TEST_F(Extract, RefusesTarSlip) {
    const auto result = extract(test::pack_raw_tar_gz({file("metadata/ok.txt", "x"), file("../evil.txt", "pwned")}));
    ASSERT_FALSE(result.ok());
    EXPECT_EQ(result.error().message,
              "archive release.tar.gz: entry \"../evil.txt\" climbs out of the destination with \"..\"");
    EXPECT_FALSE(std::filesystem::exists(outside() / "evil.txt"));
}

TEST_F(Extract, RefusesAbsolutePaths) {
    const auto result = extract(test::pack_raw_tar_gz({file("/tmp/ephemery-absolute-test", "pwned")}));
    ASSERT_FALSE(result.ok());
    EXPECT_THAT(result.error().message, HasSubstr("entry \"/tmp/ephemery-absolute-test\" is an absolute path"));
    EXPECT_FALSE(std::filesystem::exists("/tmp/ephemery-absolute-test"));
}

TEST_F(Extract, RefusesSymlinkEscapeButAllowsInternalLinks) {
    auto result = extract(test::pack_raw_tar_gz({link("metadata/escape", "../../x", RawEntry::Kind::symlink)}));
    ASSERT_FALSE(result.ok());
    EXPECT_THAT(result.error().message,
                HasSubstr("entry \"metadata/escape\" is a symbolic link to \"../../x\", which points outside"));
    result = extract(test::pack_raw_tar_gz({link("etc", "/etc", RawEntry::Kind::symlink)}));
    EXPECT_FALSE(result.ok());

    std::filesystem::remove_all(destination());
    result = extract(test::pack_raw_tar_gz(
        {file("metadata/enodes.txt", "e"), link("bootnode.txt", "metadata/enodes.txt", RawEntry::Kind::symlink)}));
    EXPECT_TRUE(result.ok()) << result.error().message;
}

TEST_F(Extract, RefusesHardlinkEscape) {
    const auto result =
        extract(test::pack_raw_tar_gz({link("metadata/passwd", "../../etc/passwd", RawEntry::Kind::hardlink)}));
    ASSERT_FALSE(result.ok());
    EXPECT_THAT(result.error().message, HasSubstr("entry \"metadata/passwd\" is a hard link to \"../../etc/passwd\""));
}

TEST_F(Extract, RefusesDevicesAndFifos) {
    const auto result = extract(test::pack_raw_tar_gz({link("pipe", "", RawEntry::Kind::fifo)}));
    ASSERT_FALSE(result.ok());
    EXPECT_THAT(result.error().message, HasSubstr("entry \"pipe\" is a device file, FIFO or socket"));
}

TEST_F(Extract, RefusesSizeBombs) {
    const std::string zeros(std::size_t{8} << 20U, '\0');  // compresses to a few KiB
    ExtractLimits limits;
    limits.max_entry_bytes = std::uint64_t{1} << 20U;
    auto result = extract(test::pack_raw_tar_gz({file("genesis.ssz", zeros)}), limits);
    ASSERT_FALSE(result.ok());
    EXPECT_THAT(result.error().message,
                HasSubstr("entry \"genesis.ssz\" is 8388608 bytes; the limit for one file is 1048576"));

    std::filesystem::remove_all(destination());
    limits = {};
    limits.ratio_floor_bytes = std::uint64_t{1} << 20U;
    limits.max_ratio = 50;
    result = extract(test::pack_raw_tar_gz({file("genesis.ssz", zeros)}), limits);
    ASSERT_FALSE(result.ok());
    EXPECT_THAT(result.error().message, HasSubstr("a compression bomb?"));

    std::filesystem::remove_all(destination());
    limits = {};
    limits.max_total_bytes = std::uint64_t{12} << 20U;
    result = extract(test::pack_raw_tar_gz({file("a", zeros), file("b", zeros)}), limits);
    ASSERT_FALSE(result.ok());
    EXPECT_THAT(result.error().message, HasSubstr("expands to more than 12582912 bytes (at entry \"b\")"));
}

TEST_F(Extract, RefusesTruncatedGzip) {
    std::string archive = test::pack_tar_gz(test::make_release(160));
    archive.resize(archive.size() / 2);
    const auto result = extract(archive);
    ASSERT_FALSE(result.ok());
    EXPECT_THAT(result.error().message, HasSubstr("archive release.tar.gz is truncated or corrupt"));
}

TEST_F(Extract, RefusesDuplicateEntries) {
    const auto result = extract(test::pack_raw_tar_gz({file("a.txt", "1"), file("./a.txt", "2")}));
    ASSERT_FALSE(result.ok());
    EXPECT_THAT(result.error().message, HasSubstr("entry \"a.txt\" appears twice"));
}

TEST(ScanTarGz, ChecksWithoutWriting) {
    const auto archive = test::pack_tar_gz(test::make_release(160));
    const auto files = scan_tar_gz(archive, "memory", {});
    ASSERT_TRUE(files.ok()) << files.error().message;
    EXPECT_FALSE(files->empty());
    EXPECT_FALSE(scan_tar_gz("not an archive", "memory", {}).ok());
}

TEST_F(Extract, WrittenArchivesAreAtomicPrivateAndReadBack) {
    const auto source = dir_.write("store/db.sqlite", "database bytes");
    const auto archive = dir_.path() / "archive.tar.gz";
    ASSERT_TRUE(write_tar_gz(archive, {{"store/db.sqlite", source, {}}, {"manifest.json", {}, "{}\n"}}).ok());
    EXPECT_FALSE(std::filesystem::exists(archive.string() + ".partial"));
    EXPECT_EQ(std::filesystem::status(archive).permissions() & std::filesystem::perms::all, owner_only);
    const auto files = extract(read_file(archive, 1 << 20).value());
    ASSERT_TRUE(files.ok()) << files.error().message;
    ASSERT_EQ(files->size(), 2U);
    std::ifstream in(destination() / "store/db.sqlite");
    EXPECT_EQ(std::string(std::istreambuf_iterator<char>(in), {}), "database bytes");

    const auto missing = write_tar_gz(dir_.path() / "x.tar.gz", {{"a", dir_.path() / "nope", {}}});
    ASSERT_FALSE(missing.ok());
    EXPECT_FALSE(std::filesystem::exists(dir_.path() / "x.tar.gz"));
}

}  // namespace
}  // namespace ephemery::infra

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

// Nothing but the destination appears beside it, and nothing inside it is a link.
void expect_nothing_escaped(const std::filesystem::path& outside, const std::filesystem::path& destination) {
    for (const auto& entry : std::filesystem::directory_iterator(outside)) {
        EXPECT_EQ(entry.path(), destination) << "written beside the destination";
    }
    if (!std::filesystem::exists(destination)) return;
    for (const auto& entry : std::filesystem::recursive_directory_iterator(destination)) {
        EXPECT_FALSE(entry.is_symlink()) << entry.path();
    }
}

TEST_F(Extract, RefusesEveryLinkWhateverItsShapeOrDepth) {
    using Kind = RawEntry::Kind;
    const std::vector<std::pair<std::string, std::vector<RawEntry>>> shapes = {
        {"a link pointing outside", {link("metadata/escape", "../../x", Kind::symlink)}},
        {"an absolute link", {link("etc", "/etc", Kind::symlink)}},
        {"a link pointing inside",
         {file("metadata/enodes.txt", "e"), link("bootnode.txt", "metadata/enodes.txt", Kind::symlink)}},
        {"a file written through a link to the destination's parent",
         {link("up", "..", Kind::symlink), file("up/planted.txt", "x")}},
        {"a chain of links, each harmless by its text",
         {link("a", ".", Kind::symlink), link("a/b", ".", Kind::symlink), link("a/b/c", "..", Kind::symlink),
          file("a/b/c/planted.txt", "x")}},
        {"a link below a real directory",
         {file("d/keep.txt", "k"), link("d/e", "../..", Kind::symlink), file("d/e/planted.txt", "x")}},
        {"a hard link to a file of the archive", {file("a.txt", "1"), link("b.txt", "a.txt", Kind::hardlink)}},
        {"a hard link pointing outside", {link("metadata/passwd", "../../etc/passwd", Kind::hardlink)}},
    };
    for (const auto& [shape, entries] : shapes) {
        std::filesystem::remove_all(destination());
        const auto result = extract(test::pack_raw_tar_gz(entries));
        ASSERT_FALSE(result.ok()) << shape;
        EXPECT_THAT(result.error().message, HasSubstr("and no link is extracted")) << shape;
        expect_nothing_escaped(outside(), destination());
    }
    EXPECT_FALSE(std::filesystem::exists(dir_.path() / "planted.txt"));
    EXPECT_FALSE(std::filesystem::exists(outside() / "planted.txt"));
}

TEST_F(Extract, NeverWritesThroughALinkAlreadyInTheDestination) {
    // However a link got there, the walk from the destination down does not follow it.
    std::filesystem::create_directories(destination());
    std::filesystem::create_directories(dir_.path() / "elsewhere");
    std::filesystem::create_directory_symlink(dir_.path() / "elsewhere", destination() / "metadata");
    const auto archive = dir_.write("in/release.tar.gz", test::pack_raw_tar_gz({file("metadata/config.yaml", "x")}));
    const auto result = extract_tar_gz(archive, destination(), {});
    ASSERT_FALSE(result.ok());
    EXPECT_THAT(result.error().message, HasSubstr("is not a directory of the archive"));
    EXPECT_TRUE(std::filesystem::is_empty(dir_.path() / "elsewhere"));
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

// The caller's policy sees each file before a byte of it is written: a refused entry leaves nothing on disk, and
// an admitted one is held to the size the policy allowed even when its header says less.
TEST_F(Extract, AdmitFileRefusesBeforeWritingAndCapsWhatItAdmits) {
    std::vector<std::pair<std::string, std::uint64_t>> asked;
    ExtractLimits limits;
    limits.admit_file = [&](const std::string& path, std::uint64_t declared) -> Result<std::uint64_t> {
        asked.emplace_back(path, declared);
        if (path == "stray.bin") return make_error(Errc::verification_failed, "is not wanted here");
        return std::uint64_t{4};
    };
    auto result = extract(test::pack_raw_tar_gz({file("./a.txt", "1234"), file("stray.bin", "x")}), limits);
    ASSERT_FALSE(result.ok());
    EXPECT_EQ(result.error().code, Errc::verification_failed);
    EXPECT_THAT(result.error().message, HasSubstr("entry \"stray.bin\" is not wanted here"));
    EXPECT_FALSE(std::filesystem::exists(destination() / "stray.bin"));
    EXPECT_EQ(asked, (std::vector<std::pair<std::string, std::uint64_t>>{{"a.txt", 4}, {"stray.bin", 1}}));

    std::filesystem::remove_all(destination());
    result = extract(test::pack_raw_tar_gz({file("b.txt", "12345")}), limits);
    ASSERT_FALSE(result.ok());
    EXPECT_THAT(result.error().message, HasSubstr("entry \"b.txt\" holds more than 4 bytes"));
}

TEST_F(Extract, RefusesTruncatedGzip) {
    std::string archive = test::pack_tar_gz(test::make_release(160));
    archive.resize(archive.size() / 2);
    const auto result = extract(archive);
    ASSERT_FALSE(result.ok());
    EXPECT_THAT(result.error().message, HasSubstr("archive release.tar.gz is truncated or corrupt"));
}

std::string flip_bit(std::string bytes, std::size_t at, unsigned bit) {
    bytes[at] = static_cast<char>(static_cast<unsigned char>(bytes[at]) ^ (1U << bit));
    return bytes;
}

TEST_F(Extract, RefusesAnArchiveWhoseGzipDataOrTrailerIsDamaged) {
    const std::string archive = test::pack_raw_tar_gz({file("metadata/config.yaml", std::string(3000, 'c'))});
    ASSERT_GT(archive.size(), 40U);
    const std::vector<std::pair<std::size_t, std::string>> places = {
        {archive.size() / 2, "compressed data"},
        {archive.size() - 8, "incorrect data check"},    // the CRC-32
        {archive.size() - 1, "incorrect length check"},  // the length
    };
    for (const auto& [at, what] : places) {
        std::filesystem::remove_all(destination());
        const auto result = extract(flip_bit(archive, at, 3));
        ASSERT_FALSE(result.ok()) << what;
        EXPECT_THAT(result.error().message, HasSubstr("gzip's integrity check failed")) << what;
        EXPECT_FALSE(std::filesystem::exists(destination() / "metadata")) << "written before the check: " << what;
    }
}

TEST(ScanTarGz, EverySingleBitFlipIsRefusedOrChangesNothing) {
    // A flip the checks let through must be one that leaves the inflated bytes as they were (gzip's time, OS and
    // text-hint fields, an unused Huffman code length, the padding after the last block): zlib has compared their
    // CRC-32 and length with the trailer, so the same files come out.
    const std::string archive = test::pack_raw_tar_gz(
        {file("metadata/config.yaml", "PRESET_BASE: minimal\nDEPOSIT_CHAIN_ID: 39438144\n"), file("genesis.ssz", "g")});
    const auto original = scan_tar_gz(archive, "original", {});
    ASSERT_TRUE(original.ok()) << original.error().message;
    std::size_t refused = 0;
    for (std::size_t at = 0; at < archive.size(); ++at) {
        for (unsigned bit = 0; bit < 8; ++bit) {
            const auto scanned = scan_tar_gz(flip_bit(archive, at, bit), "flipped", {});
            if (!scanned.ok()) {
                ++refused;
                continue;
            }
            ASSERT_EQ(scanned->size(), original->size()) << "byte " << at << " bit " << bit;
            for (std::size_t i = 0; i < original->size(); ++i) {
                EXPECT_EQ((*scanned)[i].path, (*original)[i].path);
                EXPECT_EQ((*scanned)[i].bytes, (*original)[i].bytes);
            }
        }
    }
    EXPECT_GT(refused, archive.size() * 8 * 9 / 10) << "most flips must be refused";
}

TEST_F(Extract, RefusesDuplicateEntries) {
    const auto result = extract(test::pack_raw_tar_gz({file("a.txt", "1"), file("./a.txt", "2")}));
    ASSERT_FALSE(result.ok());
    EXPECT_THAT(result.error().message, HasSubstr("archive release.tar.gz: entry \"a.txt\" appears twice"));
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

#include "reset/tree.hpp"

#include "test_support/temp_dir.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <random>
#include <set>

namespace ephemery::reset {
namespace {

namespace fs = std::filesystem;

std::set<std::string> tree_of(const fs::path& root) {
    std::set<std::string> paths;
    for (auto it = fs::recursive_directory_iterator(root); it != fs::recursive_directory_iterator(); ++it) {
        paths.insert(it->path().lexically_relative(root).generic_string());
    }
    return paths;
}

// A file's contents, a symlink's target or "<dir>".
std::string describe(const fs::path& on_disk) {
    if (fs::is_symlink(on_disk)) return "-> " + fs::read_symlink(on_disk).string();
    if (!fs::is_regular_file(on_disk)) return "<dir>";
    std::ifstream in(on_disk);
    return {std::istreambuf_iterator<char>(in), {}};
}

class Wipe : public testing::Test {
  protected:
    fs::path dir() const { return data_.path() / "data"; }
    test::TempDir data_;
    test::TempDir outside_;
};

TEST_F(Wipe, DeletesEverythingBelowTheTargetExceptKeptPaths) {
    data_.write("data/geth/nodekey", "key");
    data_.write("data/geth/chaindata/000001.ldb", std::string(1000, 'x'));
    data_.write("data/geth/chaindata/ancient/chain/0.cdat", "a");
    data_.write("data/geth/LOCK", "");
    data_.write("data/keystore/UTC--account", "secret");

    const auto preview = preview_wipe(dir(), dir() / "geth", {"nodekey"});
    ASSERT_TRUE(preview.ok()) << preview.error().message;
    ASSERT_EQ(preview->deletions.size(), 2U);
    EXPECT_EQ(preview->deletions[0].path, "geth/LOCK");
    EXPECT_EQ(preview->deletions[1].path, "geth/chaindata");
    EXPECT_EQ(preview->deletions[1].usage.bytes, 1001U);
    EXPECT_EQ(preview->deletions[1].usage.entries, 5U);  // chaindata, 000001.ldb, ancient, chain, 0.cdat
    EXPECT_EQ(preview->kept, std::vector<std::string>{"geth/nodekey"});
    EXPECT_TRUE(fs::exists(dir() / "geth/chaindata/000001.ldb")) << "a preview changes nothing";

    const auto removed = wipe(dir(), dir() / "geth", {"nodekey"});
    ASSERT_TRUE(removed.ok()) << removed.error().message;
    EXPECT_EQ(tree_of(dir()), (std::set<std::string>{"geth", "geth/nodekey", "keystore", "keystore/UTC--account"}));
    // Again: nothing left to do.
    ASSERT_TRUE(wipe(dir(), dir() / "geth", {"nodekey"}).ok());
    EXPECT_EQ(tree_of(dir()).size(), 4U);
}

TEST_F(Wipe, TheWholeDataDirKeepsTheDirectoryItself) {
    data_.write("data/nodekey", "key");
    data_.write("data/chaindata/mdbx.dat", "x");
    data_.write("data/snapshots/v1-000000-000500-headers.seg", "x");
    ASSERT_TRUE(wipe(dir(), dir(), {"nodekey"}).ok());
    EXPECT_EQ(tree_of(dir()), std::set<std::string>{"nodekey"});
    ASSERT_TRUE(wipe(dir(), dir(), {}).ok());
    EXPECT_TRUE(fs::is_directory(dir()));
    EXPECT_TRUE(tree_of(dir()).empty());
}

TEST_F(Wipe, SymlinksAreRemovedAsLinksAndNeverFollowed) {
    outside_.write("precious/file", "do not touch");
    data_.write("data/beacon/network/key", "k");
    data_.write("data/beacon/chain_db/x", "x");
    fs::create_directory_symlink(outside_.path() / "precious", dir() / "beacon/freezer_db");
    fs::create_symlink(outside_.path() / "precious/file", dir() / "beacon/chain_db/link");
    fs::create_directory_symlink(outside_.path(), dir() / "beacon/chain_db/up");

    ASSERT_TRUE(wipe(dir(), dir() / "beacon", {"network"}).ok());
    EXPECT_EQ(tree_of(dir()), (std::set<std::string>{"beacon", "beacon/network", "beacon/network/key"}));
    EXPECT_EQ(tree_of(outside_.path()), (std::set<std::string>{"precious", "precious/file"}));
}

// Issue 20 item 6: a wipe that would have to delete through a symlink (the old chain data lies beyond it)
// fails before deleting anything, naming the link, its target and the fix.
TEST_F(Wipe, ASymlinkInTheWayOfAWipeBlocksItBeforeAnythingIsDeleted) {
    outside_.write("geth/nodekey", "key elsewhere");
    outside_.write("geth/chaindata/1", "x");
    fs::create_directories(dir());
    fs::create_directory_symlink(outside_.path() / "geth", dir() / "geth");

    const auto preview = preview_wipe(dir(), dir() / "geth", {"nodekey"});
    ASSERT_TRUE(preview.ok());
    EXPECT_TRUE(preview->deletions.empty());
    ASSERT_EQ(preview->blocked.size(), 1U);
    const std::string& message = preview->blocked[0];
    EXPECT_NE(message.find((dir() / "geth").string() + " is a symlink to " + (outside_.path() / "geth").string()),
              std::string::npos)
        << message;
    EXPECT_NE(message.find("geth/nodekey lies beyond it"), std::string::npos) << message;
    EXPECT_NE(message.find("mount the other disk"), std::string::npos) << message;
    const auto removed = wipe(dir(), dir() / "geth", {"nodekey"});
    ASSERT_FALSE(removed.ok());
    EXPECT_EQ(removed.error().message, message);
    EXPECT_TRUE(fs::is_symlink(dir() / "geth"));
    EXPECT_TRUE(fs::exists(outside_.path() / "geth/chaindata/1"));

    // A link deeper down, after entries the wipe would delete first: still nothing is deleted.
    data_.write("data/beacon/a_chain_db/x", "x");
    fs::create_directory_symlink(outside_.path() / "geth", dir() / "beacon/network");
    const auto deeper = wipe(dir(), dir() / "beacon", {"network/key"});
    ASSERT_FALSE(deeper.ok());
    EXPECT_NE(deeper.error().message.find("beacon/network is a symlink"), std::string::npos);
    EXPECT_TRUE(fs::exists(dir() / "beacon/a_chain_db/x"));
    auto obstacles = wipe_obstacles(dir(), dir() / "beacon", {"network/key"});
    ASSERT_TRUE(obstacles.ok());
    EXPECT_EQ(obstacles->size(), 1U);

    // A symlinked parent of the target: the target beyond it cannot be wiped either.
    fs::create_directory_symlink(outside_.path(), dir() / "consensus");
    const auto through = preview_wipe(dir(), dir() / "consensus/geth", {});
    ASSERT_TRUE(through.ok());
    EXPECT_TRUE(through->deletions.empty());
    ASSERT_EQ(through->blocked.size(), 1U);
    EXPECT_NE(through->blocked[0].find("consensus is a symlink"), std::string::npos);
    EXPECT_FALSE(wipe(dir(), dir() / "consensus/geth", {}).ok());
    EXPECT_TRUE(fs::exists(outside_.path() / "geth/nodekey"));

    // A link that is the whole target, with nothing kept beyond it, is removed as a link; what it points at stays.
    ASSERT_TRUE(wipe(dir(), dir() / "geth", {}).ok());
    EXPECT_FALSE(fs::exists(fs::symlink_status(dir() / "geth")));
    EXPECT_TRUE(fs::exists(outside_.path() / "geth/chaindata/1"));
}

// A file where a directory with kept paths was expected cannot hide chain data: a note, not a refusal.
TEST_F(Wipe, AFileWhereADirectoryWasExpectedIsLeftAloneWithANote) {
    data_.write("data/beacon", "a file");
    const auto preview = preview_wipe(dir(), dir() / "beacon", {"network/key"});
    ASSERT_TRUE(preview.ok());
    EXPECT_TRUE(preview->blocked.empty());
    ASSERT_EQ(preview->notes.size(), 1U);
    EXPECT_TRUE(wipe(dir(), dir() / "beacon", {"network/key"}).ok());
    EXPECT_TRUE(fs::is_regular_file(dir() / "beacon"));
}

TEST_F(Wipe, RefusesTargetsOutsideTheDataDir) {
    data_.write("data/x", "x");
    data_.write("other/y", "y");
    const auto outside = wipe(dir(), data_.path() / "other", {});
    ASSERT_FALSE(outside.ok());
    EXPECT_NE(outside.error().message.find("outside the data dir"), std::string::npos);
    EXPECT_FALSE(wipe(dir(), dir() / ".." / "other", {}).ok());
    EXPECT_TRUE(fs::exists(data_.path() / "other/y"));
}

TEST(CheckedDataDir, RefusesEmptyRelativeAndRoot) {
    EXPECT_FALSE(checked_data_dir("", "data_dir").ok());
    EXPECT_FALSE(checked_data_dir("relative/dir", "data_dir").ok());
    const auto root = checked_data_dir("/", "data_dir");
    ASSERT_FALSE(root.ok());
    EXPECT_NE(root.error().message.find("root directory"), std::string::npos);
    EXPECT_FALSE(checked_data_dir("/tmp/..", "data_dir").ok());
    const test::TempDir temp;
    fs::create_directory_symlink(temp.path(), temp.path() / "link");
    const auto resolved = checked_data_dir(temp.path() / "link", "data_dir");
    ASSERT_TRUE(resolved.ok());
    EXPECT_EQ(*resolved, fs::canonical(temp.path()));
}

// Random trees: files, nested directories and symlinks (to outside files, outside directories and inside
// paths) scattered through kept and wiped parts. After the wipe, exactly the kept paths survive, with the
// same contents, and nothing outside changed.
TEST_F(Wipe, RandomLayoutsKeepExactlyTheKeptPaths) {
    outside_.write("target/file", "outside");
    const auto outside_before = tree_of(outside_.path());
    std::mt19937 random(20261123);
    for (int round = 0; round < 30; ++round) {
        fs::remove_all(dir());
        const std::vector<std::string> keep{"network/key", "network/enr.dat", "keystores"};
        data_.write("data/beacon/network/key", "key" + std::to_string(round));
        data_.write("data/beacon/network/enr.dat", "enr");
        data_.write("data/beacon/keystores/0xab/voting-keystore.json", "{}");
        std::vector<std::string> directories{"data/beacon", "data/beacon/network", "data/beacon/keystores",
                                             "data/beacon/chain_db"};
        const int entries = 5 + static_cast<int>(random() % 40);
        for (int i = 0; i < entries; ++i) {
            const std::string parent = directories[random() % directories.size()];
            const std::string name = parent + "/e" + std::to_string(i);
            switch (random() % 5) {
                case 0: data_.write(name, std::string(random() % 100, 'c')); break;
                case 1:
                    fs::create_directories(data_.path() / name);
                    directories.push_back(name);
                    break;
                case 2:
                    fs::create_directories(data_.path() / parent);
                    fs::create_symlink(outside_.path() / "target/file", data_.path() / name);
                    break;
                case 3:
                    fs::create_directories(data_.path() / parent);
                    fs::create_directory_symlink(outside_.path() / "target", data_.path() / name);
                    break;
                default:
                    fs::create_directories(data_.path() / parent);
                    fs::create_symlink("../network/key", data_.path() / name);
                    break;
            }
        }
        // What must survive: the kept paths, everything below them and the directories above them.
        std::map<std::string, std::string> expected;
        for (const auto& path : tree_of(dir())) {
            if (path == "beacon") continue;
            const bool kept = std::any_of(keep.begin(), keep.end(), [&](const std::string& k) {
                const std::string full = "beacon/" + k;
                return path == full || path.starts_with(full + "/") || full.starts_with(path + "/");
            });
            if (!kept) continue;
            expected[path] = describe(dir() / path);
        }
        ASSERT_TRUE(wipe(dir(), dir() / "beacon", keep).ok()) << "round " << round;
        std::map<std::string, std::string> actual;
        for (const auto& path : tree_of(dir())) {
            if (path == "beacon") continue;
            actual[path] = describe(dir() / path);
        }
        EXPECT_EQ(actual, expected) << "round " << round;
        EXPECT_EQ(tree_of(outside_.path()), outside_before) << "round " << round;
    }
}

}  // namespace
}  // namespace ephemery::reset

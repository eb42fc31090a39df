#include "genesis/fetch.hpp"

#include "genesis/store.hpp"
#include "infra/download.hpp"
#include "infra/files.hpp"
#include "test_support/http_server.hpp"
#include "test_support/release_fixture.hpp"
#include "test_support/temp_dir.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <fstream>
#include <map>
#include <mutex>
#include <set>

namespace ephemery::genesis {
namespace {

using namespace std::chrono_literals;
using testing::HasSubstr;
namespace fs = std::filesystem;

enum class Fault { none, server_error, timeout, truncated };

// Serves /<tag>/<asset> from a map; a fault applies to every request while set.
class ReleaseServer {
  public:
    ReleaseServer()
        : server_([this](httplib::Server& s) {
              s.Get(R"(/(.+)/(.+))", [this](const httplib::Request& request, httplib::Response& response) {
                  const std::scoped_lock lock(mutex_);
                  const auto it = assets_.find(request.path);
                  if (fault_ == Fault::server_error) {
                      response.status = 500;
                  } else if (fault_ == Fault::timeout) {
                      std::this_thread::sleep_for(800ms);
                      response.status = 503;
                  } else if (it == assets_.end()) {
                      response.status = 404;
                  } else if (fault_ == Fault::truncated) {
                      const std::string body = it->second;
                      response.set_content_provider(body.size(), "application/gzip",
                                                    [body](std::size_t offset, std::size_t, httplib::DataSink& sink) {
                                                        // A third of what is left, then the connection drops.
                                                        sink.write(body.data() + offset, (body.size() - offset) / 3);
                                                        return false;
                                                    });
                  } else {
                      response.set_content(it->second, "application/gzip");
                  }
              });
          }) {}

    void serve(const std::string& tag, const std::string& asset, std::string body) {
        const std::scoped_lock lock(mutex_);
        assets_["/" + tag + "/" + asset] = std::move(body);
    }
    void serve_release(std::uint64_t n, release::Layout layout = release::Layout::network_config) {
        serve("ephemery-" + std::to_string(n),
              layout == release::Layout::network_config ? "network-config.tar.gz" : "testnet-all.tar.gz",
              test::pack_tar_gz(test::make_release(n, layout)));
    }
    void set_fault(Fault fault) {
        const std::scoped_lock lock(mutex_);
        fault_ = fault;
    }
    [[nodiscard]] std::string url() const { return server_.base_url(); }

  private:
    std::mutex mutex_;
    std::map<std::string, std::string> assets_;
    Fault fault_{Fault::none};
    test::HttpTestServer server_;
};

std::string read_text(const fs::path& path);

class Fetch : public testing::Test {
  protected:
    FetchRequest request(std::uint64_t n) {
        FetchRequest r;
        r.iteration = n;
        r.tag = "ephemery-" + std::to_string(n);
        r.source = server_.url();
        r.data_dir = data_.path();
        r.expectation = {n, network::public_ephemery_schedule(), release::public_ephemery_fork_versions()};
        r.download.attempts = 2;
        r.download.total_timeout = 400ms;
        r.download.backoff_initial = 5ms;
        r.download.backoff_max = 10ms;
        return r;
    }

    // The installed release n is current and whole, and nothing of a failed fetch is left behind.
    void expect_current_intact(std::uint64_t n) {
        const ReleaseStore store(data_.path());
        EXPECT_EQ(store.current(), n);
        EXPECT_TRUE(fs::exists(store.release_dir(n) / "manifest.json"));
        const auto files = load_release_dir(store.release_dir(n));
        ASSERT_TRUE(files.ok());
        EXPECT_TRUE(release::verify_release(*files, request(n).expectation).ok());
        for (const auto& entry : fs::directory_iterator(store.root())) {
            EXPECT_FALSE(entry.path().filename().string().starts_with(".staging-")) << entry.path();
        }
    }

    ReleaseServer server_;
    test::TempDir data_;
};

TEST_F(Fetch, InstallsAVerifiedReleaseAndMakesItCurrent) {
    server_.serve_release(160);
    const auto outcome = fetch_release(request(160));
    ASSERT_TRUE(outcome.ok()) << outcome.error().message;
    EXPECT_EQ(outcome->asset, "network-config.tar.gz");
    EXPECT_EQ(outcome->layout, "network-config");
    EXPECT_EQ(outcome->checks_passed.size(), 10U);
    EXPECT_EQ(outcome->sha256.size(), 64U);
    expect_current_intact(160);
    EXPECT_TRUE(fs::exists(data_.path() / "testnet" / "current" / "metadata" / "genesis.ssz"));
    EXPECT_FALSE(fs::exists(data_.path() / "testnet" / ".downloads" / "ephemery-160"));
}

TEST_F(Fetch, KeepsThePreviousReleaseAndPrunesOlderOnes) {
    for (const std::uint64_t n : {158U, 159U, 160U}) {
        server_.serve_release(n);
        const auto outcome = fetch_release(request(n));
        ASSERT_TRUE(outcome.ok()) << outcome.error().message;
        if (n == 160) {
            EXPECT_EQ(outcome->pruned, std::vector<std::uint64_t>{158});
        }
    }
    const ReleaseStore store(data_.path());
    const auto releases = store.list();
    ASSERT_TRUE(releases.ok());
    ASSERT_EQ(releases->size(), 2U);
    EXPECT_EQ((*releases)[0].iteration, 159U);
    EXPECT_FALSE((*releases)[0].current);
    EXPECT_EQ((*releases)[1].tag, "ephemery-160");
    EXPECT_TRUE((*releases)[1].current);
}

TEST_F(Fetch, FallsBackToTheLegacyArchive) {
    server_.serve_release(161, release::Layout::testnet_all);
    const auto outcome = fetch_release(request(161));
    ASSERT_TRUE(outcome.ok()) << outcome.error().message;
    EXPECT_EQ(outcome->asset, "testnet-all.tar.gz");
    EXPECT_EQ(outcome->layout, "testnet-all");
}

TEST_F(Fetch, NotFoundIsClearAndChangesNothing) {
    server_.serve_release(160);
    ASSERT_TRUE(fetch_release(request(160)).ok());
    const auto outcome = fetch_release(request(161));
    ASSERT_FALSE(outcome.ok());
    EXPECT_EQ(outcome.error().code, Errc::not_found);
    EXPECT_THAT(outcome.error().message, HasSubstr("release ephemery-161 has no archive at"));
    EXPECT_THAT(outcome.error().message, HasSubstr("/ephemery-161/network-config.tar.gz answered HTTP 404"));
    expect_current_intact(160);
}

TEST_F(Fetch, ServerErrorsTimeoutsAndTruncationLeaveTheCurrentReleaseIntact) {
    server_.serve_release(160);
    ASSERT_TRUE(fetch_release(request(160)).ok());
    server_.serve_release(161);
    for (const Fault fault : {Fault::server_error, Fault::timeout, Fault::truncated}) {
        server_.set_fault(fault);
        const auto outcome = fetch_release(request(161));
        ASSERT_FALSE(outcome.ok()) << static_cast<int>(fault);
        EXPECT_THAT(outcome.error().message, HasSubstr("gave up after 2 attempts"));
        expect_current_intact(160);
        EXPECT_FALSE(fs::exists(data_.path() / "testnet" / "161"));
    }
    server_.set_fault(Fault::none);  // and once the server recovers, the same fetch goes through
    const auto recovered = fetch_release(request(161));
    ASSERT_TRUE(recovered.ok()) << recovered.error().message;
    expect_current_intact(161);
}

TEST_F(Fetch, InconsistentReleaseIsRefusedWithEveryFinding) {
    server_.serve_release(160);
    ASSERT_TRUE(fetch_release(request(160)).ok());
    auto tampered = test::make_release(161);
    tampered.files.at("metadata/genesis.json") = R"({"config":{"chainId":1},"timestamp":"0x0"})";
    server_.serve("ephemery-161", "network-config.tar.gz", test::pack_tar_gz(tampered));
    const auto outcome = fetch_release(request(161));
    ASSERT_FALSE(outcome.ok());
    EXPECT_EQ(outcome.error().code, Errc::verification_failed);
    EXPECT_THAT(outcome.error().message, HasSubstr("release ephemery-161 failed verification; nothing was installed"));
    EXPECT_THAT(outcome.error().message, HasSubstr("chain id: metadata/genesis.json config.chainId is 1 but"));
    EXPECT_THAT(outcome.error().message, HasSubstr("genesis timestamp: metadata/genesis.json timestamp is 0x0 but"));
    expect_current_intact(160);
}

TEST_F(Fetch, MaliciousArchiveIsRefusedAndNothingInstalled) {
    server_.serve_release(160);
    ASSERT_TRUE(fetch_release(request(160)).ok());
    test::RawEntry evil;
    evil.path = "../../escaped.txt";
    evil.contents = "pwned";
    server_.serve("ephemery-161", "network-config.tar.gz", test::pack_raw_tar_gz({evil}));
    const auto outcome = fetch_release(request(161));
    ASSERT_FALSE(outcome.ok());
    EXPECT_THAT(outcome.error().message, HasSubstr("entry \"../../escaped.txt\" climbs out"));
    EXPECT_FALSE(fs::exists(data_.path() / "escaped.txt"));
    EXPECT_FALSE(fs::exists(data_.path() / "testnet" / "escaped.txt"));
    expect_current_intact(160);
}

// A release archive with a file no release has, larger than the allowance for such files (the issue's 14 MB
// archive held 2.1 GB of them): refused at its header, before a byte of it is written, and nothing installed.
TEST_F(Fetch, AStrayLargeFileIsRefusedBeforeItReachesTheDisk) {
    server_.serve_release(160);
    ASSERT_TRUE(fetch_release(request(160)).ok());
    const auto release = test::make_release(161);
    std::vector<test::RawEntry> entries;
    const auto add = [&entries](std::string path, std::string contents) {
        test::RawEntry entry;
        entry.path = std::move(path);
        entry.contents = std::move(contents);
        entries.push_back(std::move(entry));
    };
    for (const auto& [path, contents] : release.files) add(path, contents);
    add("metadata/payload.bin", std::string(std::size_t{64} << 20U, '\0'));
    server_.serve("ephemery-161", "network-config.tar.gz", test::pack_raw_tar_gz(entries));
    const auto outcome = fetch_release(request(161));
    ASSERT_FALSE(outcome.ok());
    EXPECT_EQ(outcome.error().code, Errc::verification_failed);
    EXPECT_THAT(outcome.error().message,
                HasSubstr("archive network-config.tar.gz: entry \"metadata/payload.bin\" is 67108864 bytes, and it "
                          "is not a file a network-config release has: such files may hold 4194304 bytes in all"));
    expect_current_intact(160);
    EXPECT_FALSE(fs::exists(data_.path() / "testnet" / "161"));

    // A small file the layout does not name is installed with the rest, and recorded.
    entries.pop_back();
    add("metadata/new-in-a-later-release.txt", "hello\n");
    server_.serve("ephemery-161", "network-config.tar.gz", test::pack_raw_tar_gz(entries));
    const auto small = fetch_release(request(161));
    ASSERT_TRUE(small.ok()) << small.error().message;
    EXPECT_TRUE(fs::exists(small->path / "metadata" / "new-in-a-later-release.txt"));
}

// An installed release that grew a large file since (or a directory given to `genesis verify`) is refused
// before anything is read into memory.
TEST_F(Fetch, LoadingADirectoryAdmitsOnlyWhatAReleaseHas) {
    server_.serve_release(160);
    const auto outcome = fetch_release(request(160));
    ASSERT_TRUE(outcome.ok()) << outcome.error().message;
    {
        std::ofstream stray(outcome->path / "stray.bin", std::ios::binary);
        stray.seekp((std::streamoff{1} << 30U) - 1);  // sparse: 1 GiB that costs no disk
        stray.put('\0');
    }
    const auto loaded = load_release_dir(outcome->path);
    ASSERT_FALSE(loaded.ok());
    EXPECT_EQ(loaded.error().code, Errc::verification_failed);
    EXPECT_THAT(loaded.error().message, HasSubstr("\"stray.bin\" is 1073741824 bytes, and it is not a file"));
    fs::remove(outcome->path / "stray.bin");
    EXPECT_TRUE(load_release_dir(outcome->path).ok());
}

// The manifest records where the archive came from after redirects, and what was asked for.
TEST_F(Fetch, TheManifestRecordsTheUrlAfterRedirects) {
    const std::string body = test::pack_tar_gz(test::make_release(160));
    const test::HttpTestServer mirror([&](httplib::Server& s) {
        s.Get("/ephemery-160/network-config.tar.gz", [](const httplib::Request&, httplib::Response& r) {
            r.set_redirect("/cdn/160/network-config.tar.gz", 302);
        });
        s.Get("/cdn/160/network-config.tar.gz",
              [&](const httplib::Request&, httplib::Response& r) { r.set_content(body, "application/gzip"); });
    });
    auto redirected = request(160);
    redirected.source = mirror.base_url();
    const auto outcome = fetch_release(redirected);
    ASSERT_TRUE(outcome.ok()) << outcome.error().message;
    EXPECT_EQ(outcome->url, mirror.base_url() + "/cdn/160/network-config.tar.gz");
    const auto manifest = nlohmann::json::parse(read_text(outcome->path / "manifest.json"));
    EXPECT_EQ(manifest.at("asset").at("url"), mirror.base_url() + "/cdn/160/network-config.tar.gz");
    EXPECT_EQ(manifest.at("asset").at("requested_url"), mirror.base_url() + "/ephemery-160/network-config.tar.gz");
}

TEST_F(Fetch, WrongIterationBehindTheTagIsRefused) {
    server_.serve("ephemery-161", "network-config.tar.gz", test::pack_tar_gz(test::make_release(160)));
    const auto outcome = fetch_release(request(161));
    ASSERT_FALSE(outcome.ok());
    EXPECT_THAT(outcome.error().message,
                HasSubstr("retention.vars ITERATION_NUMBER is 160 but the requested iteration is 161"));
    EXPECT_FALSE(ReleaseStore(data_.path()).current().has_value());
}

TEST_F(Fetch, AlreadyInstalledAndForcedReinstall) {
    server_.serve_release(160);
    ASSERT_TRUE(fetch_release(request(160)).ok());
    const auto again = fetch_release(request(160));
    ASSERT_TRUE(again.ok()) << again.error().message;
    EXPECT_TRUE(again->already_installed);

    auto forced = request(160);
    forced.replace = true;
    const auto replaced = fetch_release(forced);
    ASSERT_TRUE(replaced.ok()) << replaced.error().message;
    EXPECT_FALSE(replaced->already_installed);
    expect_current_intact(160);
}

TEST_F(Fetch, PrefetchWithoutActivatingLeavesCurrentAlone) {
    server_.serve_release(160);
    server_.serve_release(161);
    ASSERT_TRUE(fetch_release(request(160)).ok());
    auto prefetch = request(161);
    prefetch.activate = false;
    const auto outcome = fetch_release(prefetch);
    ASSERT_TRUE(outcome.ok()) << outcome.error().message;
    EXPECT_FALSE(outcome->activated);
    expect_current_intact(160);
    EXPECT_TRUE(fs::exists(data_.path() / "testnet" / "161" / "manifest.json"));
}

TEST_F(Fetch, OfflineMirrorsByDirectoryAndFileUrl) {
    const test::TempDir mirror;
    mirror.write("ephemery-160/network-config.tar.gz", test::pack_tar_gz(test::make_release(160)));
    auto from_directory = request(160);
    from_directory.source = mirror.path().string();
    const auto outcome = fetch_release(from_directory);
    ASSERT_TRUE(outcome.ok()) << outcome.error().message;
    EXPECT_EQ(outcome->url, "file://" + (mirror.path() / "ephemery-160" / "network-config.tar.gz").string());
    EXPECT_EQ(asset_url("file:///m/", "t", "a"), "file:///m/t/a");
    // `genesis fetch --source ./mirror` once asked curl for the host ".".
    auto from_relative = request(160);
    from_relative.source = "./" + fs::relative(mirror.path(), fs::current_path()).string();
    from_relative.data_dir = from_relative.data_dir / "relative-data";
    const auto relative = fetch_release(from_relative);
    ASSERT_TRUE(relative.ok()) << relative.error().message;
    EXPECT_EQ(relative->url, "file://" + (mirror.path() / "ephemery-160" / "network-config.tar.gz").string());
    EXPECT_EQ(asset_url("/m", "t", "a"), "file:///m/t/a");
}

std::string read_text(const fs::path& path) {
    auto text = infra::read_file(path, std::size_t{1} << 20U);
    EXPECT_TRUE(text.ok()) << path;
    return text ? std::move(text).value() : std::string{};
}

// Every file the manifest lists is there with the recorded SHA-256 (what a reset checks before it runs).
void expect_manifest_matches(const fs::path& release_dir) {
    const auto manifest = nlohmann::json::parse(read_text(release_dir / "manifest.json"));
    for (const auto& entry : manifest.at("files")) {
        const fs::path file = release_dir / entry.at("path").get<std::string>();
        EXPECT_EQ(infra::sha256_of(read_text(file)), entry.at("sha256").get<std::string>()) << file;
    }
}

TEST_F(Fetch, AddsTheLegacyTestnetDirNamesAsCopiesRecordedInTheManifest) {
    server_.serve_release(160);
    ASSERT_TRUE(fetch_release(request(160)).ok());
    const fs::path metadata = data_.path() / "testnet" / "160" / "metadata";
    for (const auto& [alias, source] :
         std::map<std::string, std::string>{{"deploy_block.txt", "deposit_contract_block.txt"},
                                            {"boot_enr.yaml", "bootstrap_nodes.yaml"},
                                            {"boot_enr.txt", "bootstrap_nodes.txt"},
                                            {"boot_enode.txt", "enodes.txt"},
                                            {"bootnode.txt", "enodes.txt"}}) {
        EXPECT_TRUE(fs::is_regular_file(fs::symlink_status(metadata / alias))) << alias;
        EXPECT_EQ(read_text(metadata / alias), read_text(metadata / source)) << alias;
    }
    const auto manifest = nlohmann::json::parse(read_text(metadata.parent_path() / "manifest.json"));
    std::set<std::string> listed;
    for (const auto& entry : manifest.at("files")) listed.insert(entry.at("path").get<std::string>());
    EXPECT_TRUE(listed.contains("metadata/boot_enr.yaml"));
    EXPECT_TRUE(listed.contains("metadata/deploy_block.txt"));
    ASSERT_EQ(manifest.at("generated").size(), 5U);
    EXPECT_EQ(manifest.at("generated")[0].at("path"), "metadata/deploy_block.txt");
    EXPECT_EQ(manifest.at("generated")[0].at("from"), "metadata/deposit_contract_block.txt");
    expect_manifest_matches(metadata.parent_path());
    expect_current_intact(160);
}

// Sets one KEY="value" line of the release's nodevars_env.txt, replacing the fixture's if it has one.
void set_nodevar(release::ReleaseFiles& release, const std::string& key, const std::string& value) {
    std::string& text = release.files.at("metadata/nodevars_env.txt");
    if (const auto at = text.find(key + "="); at != std::string::npos && (at == 0 || text[at - 1] == '\n')) {
        text.erase(at, text.find('\n', at) - at + 1);
    }
    text += key + "=\"" + value + "\"\n";
}

TEST_F(Fetch, BootEnrYamlComesFromTheNodevarsListWhenTheReleaseHasNoYaml) {
    auto published = test::make_release(160);
    published.files.erase("metadata/bootstrap_nodes.yaml");
    set_nodevar(published, "BOOTNODE_ENR_LIST", "enr:-Iq4QAbc_1, enr:-Iq4QDef-2,not an enr");
    server_.serve("ephemery-160", "network-config.tar.gz", test::pack_tar_gz(published));
    const auto outcome = fetch_release(request(160));
    ASSERT_TRUE(outcome.ok()) << outcome.error().message;
    const fs::path release_dir = data_.path() / "testnet" / "160";
    EXPECT_EQ(read_text(release_dir / "metadata" / "boot_enr.yaml"), "- enr:-Iq4QAbc_1\n- enr:-Iq4QDef-2\n");
    EXPECT_FALSE(fs::exists(release_dir / "metadata" / "bootstrap_nodes.yaml"));
    const auto manifest = nlohmann::json::parse(read_text(release_dir / "manifest.json"));
    bool recorded = false;
    for (const auto& entry : manifest.at("generated")) {
        if (entry.at("path") == "metadata/boot_enr.yaml") {
            recorded = true;
            EXPECT_EQ(entry.at("from"), "nodevars_env.txt BOOTNODE_ENR_LIST");
        }
    }
    EXPECT_TRUE(recorded);
    expect_manifest_matches(release_dir);

    // Without a valid ENR in the list, the ENR lines of bootstrap_nodes.txt (comments skipped) make it.
    auto bare = test::make_release(161);
    bare.files.erase("metadata/bootstrap_nodes.yaml");
    set_nodevar(bare, "BOOTNODE_ENR_LIST", "- not: an enr");
    server_.serve("ephemery-161", "network-config.tar.gz", test::pack_tar_gz(bare));
    ASSERT_TRUE(fetch_release(request(161)).ok());
    const auto manifest_161 = nlohmann::json::parse(read_text(data_.path() / "testnet" / "161" / "manifest.json"));
    EXPECT_NE(manifest_161.at("generated").dump().find(R"("from":"metadata/bootstrap_nodes.txt")"), std::string::npos)
        << manifest_161.at("generated").dump();
    const std::string yaml = read_text(data_.path() / "testnet" / "161" / "metadata" / "boot_enr.yaml");
    EXPECT_TRUE(yaml.starts_with("- enr:")) << yaml;
    EXPECT_EQ(std::count(yaml.begin(), yaml.end(), '\n'),
              std::count(yaml.begin(), yaml.end(), ':'));  // one "- enr:..." line per ENR, nothing else
}

TEST_F(Fetch, TheLegacyLayoutAlreadyHasItsAliasesAndGetsNoCopies) {
    server_.serve_release(161, release::Layout::testnet_all);
    ASSERT_TRUE(fetch_release(request(161)).ok());
    const fs::path release_dir = data_.path() / "testnet" / "161";
    const auto manifest = nlohmann::json::parse(read_text(release_dir / "manifest.json"));
    EXPECT_TRUE(manifest.at("generated").empty()) << manifest.at("generated").dump();
    EXPECT_FALSE(fs::exists(release_dir / "metadata"));
    expect_manifest_matches(release_dir);
}

TEST_F(Fetch, CleansUpStagingLeftByACrash) {
    server_.serve_release(160);
    fs::create_directories(data_.path() / "testnet" / ".staging-ephemery-160-abcdef" / "release");
    ASSERT_TRUE(fetch_release(request(160)).ok());
    expect_current_intact(160);
}

}  // namespace
}  // namespace ephemery::genesis

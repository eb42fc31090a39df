#include "test_support/release_fixture.hpp"

#include "release/vars.hpp"

#include <archive.h>
#include <archive_entry.h>
#include <fmt/format.h>

#include <map>
#include <regex>
#include <stdexcept>
#include <vector>

namespace ephemery::test {
namespace {

// envsubst: $NAME and ${NAME}; unknown names become empty, as envsubst does.
std::string render(const std::string& text, const std::map<std::string, std::string>& values) {
    static const std::regex variable(R"(\$\{?([A-Z_][A-Z0-9_]*)\}?)");
    std::string out;
    auto begin = std::sregex_iterator(text.begin(), text.end(), variable);
    std::size_t last = 0;
    for (auto it = begin; it != std::sregex_iterator(); ++it) {
        out.append(text, last, static_cast<std::size_t>(it->position()) - last);
        const auto found = values.find((*it)[1].str());
        if (found != values.end()) out += found->second;
        last = static_cast<std::size_t>(it->position() + it->length());
    }
    out.append(text, last);
    return out;
}

// The entries of a bootnode list file: its lines without comments and blanks.
std::vector<std::string> entries_of(const std::string& text) {
    std::vector<std::string> entries;
    std::size_t start = 0;
    while (start < text.size()) {
        const std::size_t end = std::min(text.find('\n', start), text.size());
        const std::string line = text.substr(start, end - start);
        if (!line.empty() && line.front() != '#') entries.push_back(line);
        start = end + 1;
    }
    return entries;
}

std::string hex_root(std::uint64_t iteration, std::uint64_t salt) {
    std::string root = "0x";
    std::uint64_t state = iteration * 0x9E3779B97F4A7C15ULL + salt;
    for (int i = 0; i < 4; ++i) {
        state ^= state >> 29U;
        state *= 0xBF58476D1CE4E5B9ULL;
        root += fmt::format("{:016x}", state);
    }
    return root;
}

std::string genesis_state(std::uint64_t genesis_time, const std::string& root) {
    std::string ssz(2048, '\0');  // a real state is far larger; the fixed-offset fields are what we read
    for (std::size_t i = 0; i < 8; ++i) ssz[i] = static_cast<char>((genesis_time >> (8 * i)) & 0xFFU);
    for (std::size_t i = 0; i < 32; ++i) {
        ssz[8 + i] = static_cast<char>(std::stoul(root.substr(2 + 2 * i, 2), nullptr, 16));
    }
    return ssz;
}

void check(int status, archive* handle) {
    if (status != ARCHIVE_OK) throw std::runtime_error(std::string("libarchive: ") + archive_error_string(handle));
}

}  // namespace

release::ReleaseFiles make_release(std::uint64_t iteration, release::Layout layout) {
    const auto from_templates = [](const std::string& name) { return read_fixture("ephemery-genesis/" + name); };
    auto values = release::parse_vars(from_templates("values.env"), "values.env");
    if (!values) throw std::runtime_error(values.error().message);
    const auto schedule = network::public_ephemery_schedule();
    const auto info = network::describe_iteration(schedule, iteration).value();
    const std::int64_t t = info.times->el_genesis_time;
    auto& v = values.value();
    v["ITERATION_NUMBER"] = std::to_string(iteration);
    v["CHAIN_ID"] = std::to_string(*info.chain_id);
    v["GENESIS_TIMESTAMP"] = std::to_string(t);
    v["PRESET_BASE"] = "mainnet";
    v["DEPOSIT_CONTRACT_ADDRESS"] = "0x4242424242424242424242424242424242424242";

    const std::string root = hex_root(iteration, 1);
    const std::string block_hash = hex_root(iteration, 2);
    const std::int64_t cl_genesis = t + std::stoll(v["GENESIS_DELAY"]);
    const std::string enodes = from_templates("el-bootnodes.txt");
    const std::string enrs = from_templates("cl-bootnodes.txt");
    const std::vector<std::string> enr_list = entries_of(enrs);
    const std::vector<std::string> enode_list = entries_of(enodes);

    std::map<std::string, std::string> metadata;
    metadata["config.yaml"] = render(from_templates("cl-config.yaml"), v);
    metadata["genesis.json"] = fmt::format(
        R"({{"config":{{"chainId":{},"terminalTotalDifficulty":0}},"timestamp":"0x{:x}","gasLimit":"0x{:x}"}})",
        *info.chain_id, t, 36000000);
    metadata["besu.json"] =
        fmt::format(R"({{"config":{{"chainId":{},"ethash":{{}}}},"timestamp":"0x{:x}"}})", *info.chain_id, t);
    metadata["chainspec.json"] = fmt::format(
        R"({{"name":"Ephemery","params":{{"chainID":"0x{:x}","networkID":"0x{:x}"}},"genesis":{{"timestamp":"0x{:x}"}}}})",
        *info.chain_id, *info.chain_id, t);
    metadata["genesis.ssz"] = genesis_state(static_cast<std::uint64_t>(cl_genesis), root);
    metadata["genesis_validators_root.txt"] = root + "\n";
    metadata["enodes.txt"] = enodes;
    metadata["bootstrap_nodes.txt"] = enrs;
    metadata["bootstrap_nodes.yaml"] = fmt::format("- {}\n", fmt::join(enr_list, "\n- "));
    metadata["deposit_contract.txt"] = v["DEPOSIT_CONTRACT_ADDRESS"] + "\n";
    metadata["deposit_contract_block.txt"] = "0\n";
    metadata["deposit_contract_block_hash.txt"] = block_hash + "\n";
    metadata["nodevars_env.txt"] = fmt::format(
        "ITERATION_NUMBER=\"{}\"\nCHAIN_ID=\"{}\"\nBOOTNODE_ENR=\"{}\"\nBOOTNODE_ENR_LIST=\"{}\"\n"
        "BOOTNODE_ENODE=\"{}\"\nBOOTNODE_ENODE_LIST=\"{}\"\nGENESIS_TIME=\"{}\"\nGENESIS_VALROOT=\"{}\"\n"
        "GENESIS_BLOCK=\"{}\"\n",
        iteration, *info.chain_id, enr_list.front(), fmt::join(enr_list, ","),
        enode_list.empty() ? std::string{} : enode_list.front(), fmt::join(enode_list, ","), cl_genesis, root,
        block_hash);

    release::ReleaseFiles release;
    release.layout = layout;
    for (const auto& [name, contents] : metadata) release.files[release::path_of(layout, name)] = contents;
    release.files["retention.vars"] = fmt::format(
        "export ITERATION_NUMBER=\"{0}\"\nexport ITERATION_RELEASE=\"ephemery-{0}\"\nexport GENESIS_TIMESTAMP=\"{1}\"\n"
        "export GENESIS_RESET_INTERVAL=\"{2}\"\nexport CHAIN_ID=\"{3}\"\n",
        iteration, t, schedule.genesis_interval, *info.chain_id);
    if (layout == release::Layout::testnet_all) {
        release.files["boot_enode.txt"] = enodes;
        release.files["bootnode.txt"] = enodes;
        release.files["boot_enr.txt"] = enrs;
        release.files["boot_enr.yaml"] = metadata["bootstrap_nodes.yaml"];
        release.files["deploy_block.txt"] = "0\n";
    } else {
        release.files["parsed/parsedConsensusGenesis.json"] = "{}";
    }
    release.files["bootnode-keys/bootnode_pk.pub"] = "fixture\n";
    return release;
}

std::string pack_raw_tar_gz(const std::vector<RawEntry>& entries) {
    archive* writer = archive_write_new();
    check(archive_write_add_filter_gzip(writer), writer);
    check(archive_write_set_format_pax_restricted(writer), writer);
    std::string output(std::size_t{64} << 20U, '\0');
    std::size_t used = 0;
    check(archive_write_open_memory(writer, output.data(), output.size(), &used), writer);
    for (const auto& raw : entries) {
        archive_entry* entry = archive_entry_new();
        archive_entry_set_pathname(entry, raw.path.c_str());
        archive_entry_set_mtime(entry, 1700000000, 0);
        switch (raw.kind) {
            case RawEntry::Kind::file:
                archive_entry_set_filetype(entry, AE_IFREG);
                archive_entry_set_perm(entry, 0644);
                archive_entry_set_size(
                    entry, raw.declared_size >= 0 ? raw.declared_size : static_cast<std::int64_t>(raw.contents.size()));
                break;
            case RawEntry::Kind::directory:
                archive_entry_set_filetype(entry, AE_IFDIR);
                archive_entry_set_perm(entry, 0755);
                break;
            case RawEntry::Kind::symlink:
                archive_entry_set_filetype(entry, AE_IFLNK);
                archive_entry_set_symlink(entry, raw.link_target.c_str());
                break;
            case RawEntry::Kind::hardlink: archive_entry_set_hardlink(entry, raw.link_target.c_str()); break;
            case RawEntry::Kind::fifo: archive_entry_set_filetype(entry, AE_IFIFO); break;
        }
        check(archive_write_header(writer, entry), writer);
        if (raw.kind == RawEntry::Kind::file && !raw.contents.empty()) {
            (void)archive_write_data(writer, raw.contents.data(), raw.contents.size());
        }
        archive_entry_free(entry);
    }
    check(archive_write_close(writer), writer);
    archive_write_free(writer);
    output.resize(used);
    return output;
}

std::string pack_tar_gz(const release::ReleaseFiles& release) {
    std::vector<RawEntry> entries;
    for (const auto& [path, contents] : release.files) {
        RawEntry entry;
        entry.path = path;
        entry.contents = contents;
        entries.push_back(std::move(entry));
    }
    return pack_raw_tar_gz(entries);
}

}  // namespace ephemery::test

#include "slashing/interchange.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <charconv>
#include <unordered_map>
#include <utility>

namespace ephemery::slashing {
namespace {

// Enough to fix a file in one pass without drowning the terminal when a whole file is wrong.
constexpr std::size_t max_reported_problems = 50;

// How a bad value is shown in a message: strings quoted and shortened, other types by their JSON type.
std::string describe(const nlohmann::json& value) {
    if (value.is_string()) {
        const auto& text = value.get_ref<const std::string&>();
        constexpr std::size_t shown = 40;
        const nlohmann::json quoted = text.size() > shown ? text.substr(0, shown) + "..." : text;
        return quoted.dump(-1, ' ', true, nlohmann::json::error_handler_t::replace);
    }
    if (value.is_null()) return "null";
    if (value.is_boolean()) return fmt::format("{} (a boolean)", value.get<bool>() ? "true" : "false");
    if (value.is_number()) return fmt::format("{} (a number)", value.dump());
    return value.is_array() ? "an array" : "an object";
}

// Collects every problem of a file, each as "label: path: what is wrong; how to fix it".
class Problems {
  public:
    explicit Problems(std::string_view label) : label_(label) {}

    void add(std::string_view path, std::string_view problem) {
        ++count_;
        if (lines_.size() < max_reported_problems) lines_.push_back(fmt::format("{}: {}: {}", label_, path, problem));
    }
    [[nodiscard]] bool empty() const { return count_ == 0; }
    [[nodiscard]] Error error() const {
        std::string message = fmt::format("{}", fmt::join(lines_, "\n"));
        if (count_ > lines_.size()) {
            message += fmt::format("\n{}: ... and {} more problems", label_, count_ - lines_.size());
        }
        return make_error(Errc::parse_error, std::move(message));
    }

  private:
    std::string label_;
    std::vector<std::string> lines_;
    std::size_t count_{0};
};

// Readers of one field each: they report what is wrong and return nullopt, so parsing goes on to find the rest.
std::optional<std::uint64_t> read_decimal(const nlohmann::json& value, const std::string& path, Problems& problems) {
    constexpr std::string_view fix = R"(write a quoted whole number from "0" to "18446744073709551615")";
    if (!value.is_string()) {
        problems.add(path, fmt::format("{} is not a decimal uint64 string; EIP-3076 numbers are strings: {}",
                                       describe(value), fix));
        return std::nullopt;
    }
    const auto& text = value.get_ref<const std::string&>();
    std::uint64_t number = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), number);
    if (text.empty() || error != std::errc{} || end != text.data() + text.size()) {
        const bool too_large = error == std::errc::result_out_of_range;
        problems.add(path, fmt::format("{} is not a decimal uint64{}; {}", describe(value),
                                       too_large ? " (too large)" : "", fix));
        return std::nullopt;
    }
    return number;
}

std::optional<std::string> read_hex(const nlohmann::json& value, const std::string& path, std::size_t byte_count,
                                    std::string_view what, Problems& problems) {
    std::optional<std::string> normalised;
    if (value.is_string()) normalised = normalise_hex(value.get_ref<const std::string&>(), byte_count);
    if (!normalised) {
        problems.add(path, fmt::format("{} is not {}: write \"0x\" followed by {} hex digits ({} bytes)",
                                       describe(value), what, 2 * byte_count, byte_count));
    }
    return normalised;
}

const nlohmann::json* required_member(const nlohmann::json& object, const std::string& path, std::string_view key,
                                      std::string_view fix, Problems& problems) {
    const auto found = object.find(key);
    if (found == object.end()) {
        problems.add(path.empty() ? std::string(key) : fmt::format("{}.{}", path, key),
                     fmt::format("is missing; {}", fix));
        return nullptr;
    }
    return &*found;
}

const nlohmann::json* required_array(const nlohmann::json& object, const std::string& path, std::string_view key,
                                     std::string_view fix, Problems& problems) {
    const auto* member = required_member(object, path, key, fix, problems);
    if (member != nullptr && !member->is_array()) {
        problems.add(fmt::format("{}.{}", path, key), fmt::format("{} is not an array; {}", describe(*member), fix));
        return nullptr;
    }
    return member;
}

std::optional<std::string> optional_signing_root(const nlohmann::json& object, const std::string& path,
                                                 Problems& problems, bool& valid) {
    const auto found = object.find("signing_root");
    if (found == object.end()) return std::nullopt;
    if (found->is_null()) {
        problems.add(path + ".signing_root", "is null; omit the field when the signing root is unknown");
        valid = false;
        return std::nullopt;
    }
    auto root = read_hex(*found, path + ".signing_root", root_bytes, "a signing root", problems);
    if (!root) valid = false;
    return root;
}

std::optional<SignedBlock> read_block(const nlohmann::json& item, const std::string& path, Problems& problems) {
    if (!item.is_object()) {
        problems.add(path, fmt::format(R"({} is not an object; write {{"slot": "123"}})", describe(item)));
        return std::nullopt;
    }
    bool valid = true;
    SignedBlock block;
    if (const auto* slot =
            required_member(item, path, "slot", R"(write the block's slot as "slot": "123")", problems)) {
        if (auto number = read_decimal(*slot, path + ".slot", problems)) {
            block.slot = *number;
        } else {
            valid = false;
        }
    } else {
        valid = false;
    }
    block.signing_root = optional_signing_root(item, path, problems, valid);
    return valid ? std::optional(block) : std::nullopt;
}

std::optional<SignedAttestation> read_attestation(const nlohmann::json& item, const std::string& path,
                                                  Problems& problems) {
    if (!item.is_object()) {
        problems.add(path, fmt::format(R"({} is not an object; write {{"source_epoch": "1", "target_epoch": "2"}})",
                                       describe(item)));
        return std::nullopt;
    }
    bool valid = true;
    SignedAttestation attestation;
    for (auto [key, target] :
         {std::pair{"source_epoch", &attestation.source_epoch}, std::pair{"target_epoch", &attestation.target_epoch}}) {
        const auto* member = required_member(
            item, path, key, fmt::format(R"(write the attestation's {} as "{}": "123")", key, key), problems);
        const auto number =
            member != nullptr ? read_decimal(*member, fmt::format("{}.{}", path, key), problems) : std::nullopt;
        if (number) {
            *target = *number;
        } else {
            valid = false;
        }
    }
    attestation.signing_root = optional_signing_root(item, path, problems, valid);
    return valid ? std::optional(attestation) : std::nullopt;
}

std::optional<ValidatorHistory> read_validator(const nlohmann::json& item, const std::string& path,
                                               Problems& problems) {
    if (!item.is_object()) {
        problems.add(path, fmt::format("{} is not an object; each entry of data is {{\"pubkey\": \"0x...\", "
                                       "\"signed_blocks\": [...], \"signed_attestations\": [...]}}",
                                       describe(item)));
        return std::nullopt;
    }
    bool valid = true;
    ValidatorHistory history;
    if (const auto* pubkey = required_member(item, path, "pubkey", "add the validator's BLS public key", problems)) {
        auto normalised = read_hex(*pubkey, path + ".pubkey", pubkey_bytes, "a BLS public key", problems);
        if (normalised) history.pubkey = std::move(*normalised);
        valid = valid && !history.pubkey.empty();
    } else {
        valid = false;
    }
    if (const auto* blocks =
            required_array(item, path, "signed_blocks", "write [] when the validator signed no blocks", problems)) {
        for (std::size_t index = 0; index < blocks->size(); ++index) {
            auto block = read_block((*blocks)[index], fmt::format("{}.signed_blocks[{}]", path, index), problems);
            if (block) history.signed_blocks.push_back(std::move(*block));
            valid = valid && block.has_value();
        }
    } else {
        valid = false;
    }
    if (const auto* attestations = required_array(item, path, "signed_attestations",
                                                  "write [] when the validator signed no attestations", problems)) {
        for (std::size_t index = 0; index < attestations->size(); ++index) {
            auto attestation = read_attestation((*attestations)[index],
                                                fmt::format("{}.signed_attestations[{}]", path, index), problems);
            if (attestation) history.signed_attestations.push_back(std::move(*attestation));
            valid = valid && attestation.has_value();
        }
    } else {
        valid = false;
    }
    return valid ? std::optional(std::move(history)) : std::nullopt;
}

// Messages of one pubkey gathered from every entry carrying it.
struct CombinedHistory {
    std::vector<SignedBlock> blocks;
    std::vector<SignedAttestation> attestations;
};

std::vector<std::pair<std::string, CombinedHistory>> combine_by_pubkey(const Interchange& interchange) {
    std::vector<std::pair<std::string, CombinedHistory>> combined;
    std::unordered_map<std::string, std::size_t> index_of;
    for (const auto& history : interchange.data) {
        const auto [found, inserted] = index_of.try_emplace(history.pubkey, combined.size());
        if (inserted) combined.emplace_back(history.pubkey, CombinedHistory{});
        auto& target = combined[found->second].second;
        target.blocks.insert(target.blocks.end(), history.signed_blocks.begin(), history.signed_blocks.end());
        target.attestations.insert(target.attestations.end(), history.signed_attestations.begin(),
                                   history.signed_attestations.end());
    }
    return combined;
}

std::string root_text(const std::optional<std::string>& root) {
    return root ? *root : std::string("no signing root");
}

}  // namespace

std::optional<std::string> normalise_hex(std::string_view text, std::size_t byte_count) {
    if (!text.starts_with("0x") || text.size() != 2 + 2 * byte_count) return std::nullopt;
    std::string lower = "0x";
    for (const char c : text.substr(2)) {
        if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')) {
            lower.push_back(c);
        } else if (c >= 'A' && c <= 'F') {
            lower.push_back(static_cast<char>(c - 'A' + 'a'));
        } else {
            return std::nullopt;
        }
    }
    return lower;
}

Result<std::string> parse_genesis_validators_root(std::string_view text, std::string_view what) {
    auto root = normalise_hex(text, root_bytes);
    if (!root) {
        return make_error(Errc::invalid_argument,
                          fmt::format("{} \"{}\" is not a genesis validators root: write \"0x\" followed by 64 hex "
                                      "digits (32 bytes)",
                                      what, text));
    }
    return std::move(*root);
}

Result<Interchange> parse_interchange(std::string_view json, std::string_view label) {
    const auto root = nlohmann::json::parse(json, nullptr, false);
    if (root.is_discarded() || !root.is_object()) {
        return make_error(Errc::parse_error,
                          fmt::format("{}: not a JSON object; an EIP-3076 interchange is {{\"metadata\": {{...}}, "
                                      "\"data\": [...]}}",
                                      label));
    }
    Problems problems(label);
    Interchange interchange;
    if (const auto* metadata = required_member(
            root, "", "metadata",
            R"(add "metadata": {"interchange_format_version": "5", "genesis_validators_root": "0x..."})", problems)) {
        if (!metadata->is_object()) {
            problems.add("metadata", fmt::format("{} is not an object; write {{\"interchange_format_version\": \"5\", "
                                                 "\"genesis_validators_root\": \"0x...\"}}",
                                                 describe(*metadata)));
        } else {
            if (const auto* version = required_member(*metadata, "metadata", "interchange_format_version",
                                                      R"(add "interchange_format_version": "5")", problems)) {
                if (!version->is_string() || version->get_ref<const std::string&>() != interchange_format_version) {
                    problems.add("metadata.interchange_format_version",
                                 fmt::format("{} is not supported; only \"5\" (EIP-3076) is: export the file again "
                                             "with a client that writes format version 5",
                                             describe(*version)));
                }
            }
            if (const auto* gvr =
                    required_member(*metadata, "metadata", "genesis_validators_root",
                                    "add the chain's genesis validators root (0x + 64 hex digits)", problems)) {
                auto normalised = read_hex(*gvr, "metadata.genesis_validators_root", root_bytes,
                                           "a genesis validators root", problems);
                if (normalised) interchange.genesis_validators_root = std::move(*normalised);
            }
        }
    }
    if (const auto* data = required_member(root, "", "data", "add \"data\": [] (one entry per validator)", problems)) {
        if (!data->is_array()) {
            problems.add("data", fmt::format("{} is not an array; write one entry per validator in \"data\": [...]",
                                             describe(*data)));
        } else {
            for (std::size_t index = 0; index < data->size(); ++index) {
                auto history = read_validator((*data)[index], fmt::format("data[{}]", index), problems);
                if (history) interchange.data.push_back(std::move(*history));
            }
        }
    }
    if (!problems.empty()) return problems.error();
    return interchange;
}

std::string to_json(const Interchange& interchange) {
    nlohmann::ordered_json data = nlohmann::ordered_json::array();
    for (const auto& history : interchange.data) {
        nlohmann::ordered_json blocks = nlohmann::ordered_json::array();
        for (const auto& block : history.signed_blocks) {
            nlohmann::ordered_json item{{"slot", std::to_string(block.slot)}};
            if (block.signing_root) item["signing_root"] = *block.signing_root;
            blocks.push_back(std::move(item));
        }
        nlohmann::ordered_json attestations = nlohmann::ordered_json::array();
        for (const auto& attestation : history.signed_attestations) {
            nlohmann::ordered_json item{{"source_epoch", std::to_string(attestation.source_epoch)},
                                        {"target_epoch", std::to_string(attestation.target_epoch)}};
            if (attestation.signing_root) item["signing_root"] = *attestation.signing_root;
            attestations.push_back(std::move(item));
        }
        data.push_back({{"pubkey", history.pubkey}, {"signed_blocks", blocks}, {"signed_attestations", attestations}});
    }
    const nlohmann::ordered_json document{{"metadata",
                                           {{"interchange_format_version", interchange_format_version},
                                            {"genesis_validators_root", interchange.genesis_validators_root}}},
                                          {"data", data}};
    return document.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

Interchange to_minimal(const Interchange& interchange) {
    Interchange minimal;
    minimal.genesis_validators_root = interchange.genesis_validators_root;
    for (const auto& [pubkey, combined] : combine_by_pubkey(interchange)) {
        ValidatorHistory history;
        history.pubkey = pubkey;
        if (!combined.blocks.empty()) {
            const auto latest = std::max_element(combined.blocks.begin(), combined.blocks.end(),
                                                 [](const auto& a, const auto& b) { return a.slot < b.slot; });
            history.signed_blocks.push_back(SignedBlock{latest->slot, std::nullopt});
        }
        if (!combined.attestations.empty()) {
            SignedAttestation watermark{0, 0, std::nullopt};
            for (const auto& attestation : combined.attestations) {
                watermark.source_epoch = std::max(watermark.source_epoch, attestation.source_epoch);
                watermark.target_epoch = std::max(watermark.target_epoch, attestation.target_epoch);
            }
            history.signed_attestations.push_back(watermark);
        }
        minimal.data.push_back(std::move(history));
    }
    return minimal;
}

Result<Interchange> merge(std::span<const Interchange> interchanges) {
    if (interchanges.empty()) return make_error(Errc::invalid_argument, "nothing to merge: give at least one file");
    Interchange combined;
    combined.genesis_validators_root = interchanges.front().genesis_validators_root;
    for (std::size_t index = 0; index < interchanges.size(); ++index) {
        const auto& interchange = interchanges[index];
        if (interchange.genesis_validators_root != combined.genesis_validators_root) {
            return make_error(
                Errc::invalid_argument,
                fmt::format("interchange {} is for genesis validators root {} but the first is for {}: "
                            "they record different chains and cannot be merged",
                            index + 1, interchange.genesis_validators_root, combined.genesis_validators_root));
        }
        combined.data.insert(combined.data.end(), interchange.data.begin(), interchange.data.end());
    }
    return to_minimal(combined);
}

std::string_view slashable_kind_name(SlashableKind kind) {
    switch (kind) {
        case SlashableKind::double_proposal: return "double_proposal";
        case SlashableKind::double_vote: return "double_vote";
        case SlashableKind::surround_vote: return "surround_vote";
        case SlashableKind::source_after_target: return "source_after_target";
    }
    return "unknown";
}

std::vector<SlashableFinding> find_slashable_data(const Interchange& interchange, std::size_t limit) {
    std::vector<SlashableFinding> findings;
    auto report = [&](const std::string& pubkey, SlashableKind kind, std::string message) {
        if (findings.size() < limit) findings.push_back(SlashableFinding{pubkey, kind, std::move(message)});
    };
    for (auto& [pubkey, combined] : combine_by_pubkey(interchange)) {
        // Sorting puts every message of one slot (or target epoch) side by side: n log n, not n^2.
        auto& blocks = combined.blocks;
        std::stable_sort(blocks.begin(), blocks.end(), [](const auto& a, const auto& b) { return a.slot < b.slot; });
        for (std::size_t i = 1; i < blocks.size(); ++i) {
            if (blocks[i].slot == blocks[i - 1].slot &&
                !same_message(blocks[i].signing_root, blocks[i - 1].signing_root)) {
                report(pubkey, SlashableKind::double_proposal,
                       fmt::format("two blocks at slot {} ({} and {})", blocks[i].slot,
                                   root_text(blocks[i - 1].signing_root), root_text(blocks[i].signing_root)));
            }
        }

        auto& attestations = combined.attestations;
        for (const auto& attestation : attestations) {
            if (attestation.source_epoch > attestation.target_epoch) {
                report(pubkey, SlashableKind::source_after_target,
                       fmt::format("attestation with source epoch {} after its target epoch {}",
                                   attestation.source_epoch, attestation.target_epoch));
            }
        }
        std::stable_sort(attestations.begin(), attestations.end(),
                         [](const auto& a, const auto& b) { return a.target_epoch < b.target_epoch; });
        for (std::size_t i = 1; i < attestations.size(); ++i) {
            const auto& previous = attestations[i - 1];
            const auto& current = attestations[i];
            if (current.target_epoch == previous.target_epoch &&
                !same_message(current.signing_root, previous.signing_root)) {
                report(pubkey, SlashableKind::double_vote,
                       fmt::format("two attestations with target epoch {} (sources {} and {}; {} and {})",
                                   current.target_epoch, previous.source_epoch, current.source_epoch,
                                   root_text(previous.signing_root), root_text(current.signing_root)));
            }
        }
        // An attestation is surrounded when an earlier source has a later target: walk sources upwards keeping
        // the attestation with the latest target among strictly smaller sources.
        std::stable_sort(attestations.begin(), attestations.end(),
                         [](const auto& a, const auto& b) { return a.source_epoch < b.source_epoch; });
        const SignedAttestation* widest = nullptr;
        for (std::size_t group_start = 0; group_start < attestations.size();) {
            std::size_t group_end = group_start;
            while (group_end < attestations.size() &&
                   attestations[group_end].source_epoch == attestations[group_start].source_epoch) {
                ++group_end;
            }
            for (std::size_t i = group_start; i < group_end; ++i) {
                if (widest != nullptr && widest->target_epoch > attestations[i].target_epoch) {
                    report(
                        pubkey, SlashableKind::surround_vote,
                        fmt::format("attestation {}->{} surrounds attestation {}->{}", widest->source_epoch,
                                    widest->target_epoch, attestations[i].source_epoch, attestations[i].target_epoch));
                }
            }
            for (std::size_t i = group_start; i < group_end; ++i) {
                if (widest == nullptr || attestations[i].target_epoch > widest->target_epoch) widest = &attestations[i];
            }
            group_start = group_end;
        }
    }
    return findings;
}

}  // namespace ephemery::slashing

#include "release/verify.hpp"

#include "core/text.hpp"
#include "release/vars.hpp"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <charconv>

namespace ephemery::release {
namespace {

// One place a value is stated: "genesis.json config.chainId" = "39438160".
struct Field {
    std::string source;
    std::string text;
};

// Decimal or 0x-hex, as the various client formats write numbers.
std::optional<std::uint64_t> parse_number(std::string_view text) {
    int base = 10;
    if (text.starts_with("0x") || text.starts_with("0X")) {
        text.remove_prefix(2);
        base = 16;
    }
    std::uint64_t value = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value, base);
    if (text.empty() || error != std::errc{} || end != text.data() + text.size()) return std::nullopt;
    return value;
}

class Checker {
  public:
    Checker(const ReleaseFiles& release, VerificationReport& report) : release_(release), report_(report) {}

    const std::string* file(std::string_view name) {
        const auto it = release_.files.find(path_of(release_.layout, name));
        if (it == release_.files.end() || it->second.empty()) return nullptr;
        return &it->second;
    }
    std::string label(std::string_view name) const { return path_of(release_.layout, name); }

    void fail(std::string check, std::string message) {
        report_.failures.push_back({std::move(check), std::move(message)});
    }

    // All fields must state the same value, and it must equal `expected` when given. Disagreements name the two
    // sources; the reference is the value most sources agree on.
    template <typename Normalise>
    void agree(const std::string& check, const std::vector<Field>& fields, const std::optional<Field>& expected,
               Normalise normalise) {
        const std::size_t failures_before = report_.failures.size();
        std::vector<std::pair<Field, std::string>> normalised;
        for (const auto& field : fields) {
            auto value = normalise(field.text);
            if (!value) {
                fail(check, fmt::format("{} is \"{}\", which is not a valid value", field.source, field.text));
                continue;
            }
            normalised.emplace_back(field, *value);
        }
        if (normalised.empty()) {
            if (report_.failures.size() == failures_before) fail(check, "no file states it");
            return;
        }
        // The value most sources state wins; the expectation votes too and wins ties, so a lone file that
        // disagrees with a derived value is the one blamed.
        const auto expected_value = expected ? normalise(expected->text) : std::nullopt;
        const auto votes = [&](const std::string& value) {
            const auto count = std::count_if(normalised.begin(), normalised.end(),
                                             [&](const auto& entry) { return entry.second == value; });
            return 2 * count + (expected_value == value ? 1 : 0);
        };
        std::string winner = normalised.front().second;
        for (const auto& entry : normalised) {
            if (votes(entry.second) > votes(winner)) winner = entry.second;
        }
        if (expected_value && votes(*expected_value) > votes(winner)) winner = *expected_value;
        const auto reference_it = std::find_if(normalised.begin(), normalised.end(),
                                               [&](const auto& entry) { return entry.second == winner; });
        const Field& reference = reference_it != normalised.end() ? reference_it->first : *expected;
        for (const auto& [field, value] : normalised) {
            if (value != winner) {
                fail(check,
                     fmt::format("{} is {} but {} is {}", field.source, field.text, reference.source, reference.text));
            }
        }
        if (expected_value && *expected_value != winner) {
            fail(check, fmt::format("{} is {} but {} is {}", reference.source, reference.text, expected->source,
                                    expected->text));
        }
        if (report_.failures.size() == failures_before) report_.passed.push_back(check);
    }

  private:
    const ReleaseFiles& release_;
    VerificationReport& report_;
};

const auto as_number = [](const std::string& text) -> std::optional<std::string> {
    const auto value = parse_number(text);
    if (!value) return std::nullopt;
    return std::to_string(*value);
};

const auto as_root = [](const std::string& text) -> std::optional<std::string> {
    const std::string value = to_lower(trim(text));
    if (value.size() != 66 || !value.starts_with("0x") ||
        !std::all_of(value.begin() + 2, value.end(), [](unsigned char c) { return std::isxdigit(c) != 0; })) {
        return std::nullopt;
    }
    return value;
};

const auto as_text = [](const std::string& text) -> std::optional<std::string> { return to_lower(trim(text)); };

// A JSON value at a path as text (numbers and strings alike); nullopt when absent.
std::optional<std::string> json_text(const nlohmann::json& document, std::initializer_list<const char*> path) {
    const nlohmann::json* node = &document;
    for (const char* key : path) {
        if (!node->is_object() || !node->contains(key)) return std::nullopt;
        node = &(*node)[key];
    }
    if (node->is_string()) return node->get<std::string>();
    if (node->is_number_unsigned()) return std::to_string(node->get<std::uint64_t>());
    if (node->is_number_integer()) return std::to_string(node->get<std::int64_t>());
    return std::nullopt;
}

}  // namespace

std::optional<GenesisStateFields> read_genesis_state_fields(std::string_view ssz) {
    constexpr std::size_t genesis_time_offset = 0;
    constexpr std::size_t root_offset = 8;
    constexpr std::size_t root_size = 32;
    if (ssz.size() < root_offset + root_size) return std::nullopt;
    GenesisStateFields fields;
    for (std::size_t i = 0; i < 8; ++i) {
        fields.genesis_time |= std::uint64_t{static_cast<unsigned char>(ssz[genesis_time_offset + i])} << (8 * i);
    }
    const auto* root = reinterpret_cast<const std::uint8_t*>(
        ssz.data() + root_offset);  // NOLINT(cppcoreguidelines-pro-type-reinterpret-cast)
    fields.genesis_validators_root = "0x" + to_hex({root, root_size});
    return fields;
}

std::vector<std::pair<std::string, std::string>> public_ephemery_fork_versions() {
    return {{"GENESIS_FORK_VERSION", "0x1000101b"},   {"ALTAIR_FORK_VERSION", "0x2000101b"},
            {"BELLATRIX_FORK_VERSION", "0x3000101b"}, {"CAPELLA_FORK_VERSION", "0x4000101b"},
            {"DENEB_FORK_VERSION", "0x5000101b"},     {"ELECTRA_FORK_VERSION", "0x6000101b"},
            {"FULU_FORK_VERSION", "0x7000101b"}};
}

std::optional<std::uint64_t> declared_iteration(const ReleaseFiles& release) {
    const auto it = release.files.find(path_of(release.layout, "retention.vars"));
    if (it == release.files.end()) return std::nullopt;
    const auto vars = parse_vars(it->second, "retention.vars");
    if (!vars || !vars->contains("ITERATION_NUMBER")) return std::nullopt;
    return parse_number(vars->at("ITERATION_NUMBER"));
}

VerificationReport verify_release(const ReleaseFiles& release, const Expectation& expectation) {
    VerificationReport report;
    Checker checker(release, report);
    const std::uint64_t n = expectation.iteration;
    const network::Schedule& schedule = expectation.schedule;

    // Files.
    const std::size_t before_files = report.failures.size();
    for (const auto& path : mandatory_files(release.layout)) {
        const auto it = release.files.find(path);
        if (it == release.files.end()) {
            checker.fail("files", fmt::format("{} is missing ({} layout)", path, layout_name(release.layout)));
        } else if (it->second.empty()) {
            checker.fail("files", fmt::format("{} is empty", path));
        }
    }
    if (report.failures.size() == before_files) report.passed.emplace_back("files");

    // Parse what the checks read. A file that does not parse is one failure, and its fields are left out.
    std::map<std::string, std::string> retention;
    std::map<std::string, std::string> nodevars;
    for (auto [name, target] : {std::pair{"retention.vars", &retention}, std::pair{"nodevars_env.txt", &nodevars}}) {
        if (const auto* text = checker.file(name)) {
            auto parsed = parse_vars(*text, checker.label(name));
            if (parsed) {
                *target = std::move(parsed).value();
            } else {
                checker.fail("format", parsed.error().message);
            }
        }
    }
    YAML::Node config;
    if (const auto* text = checker.file("config.yaml")) {
        try {
            config = YAML::Load(*text);
        } catch (const YAML::Exception& error) {  // yaml-cpp reports malformed input only by throwing
            checker.fail("format",
                         fmt::format("{}:{}: {}", checker.label("config.yaml"), error.mark.line + 1, error.msg));
        }
    }
    std::map<std::string, nlohmann::json> json;
    for (const char* name : {"genesis.json", "besu.json", "chainspec.json"}) {
        if (const auto* text = checker.file(name)) {
            auto document = nlohmann::json::parse(*text, nullptr, false);
            if (document.is_discarded()) {
                checker.fail("format", fmt::format("{} is not valid JSON", checker.label(name)));
            } else {
                json[name] = std::move(document);
            }
        }
    }
    std::optional<GenesisStateFields> state;
    if (const auto* ssz = checker.file("genesis.ssz")) {
        state = read_genesis_state_fields(*ssz);
        if (!state)
            checker.fail("format", fmt::format("{} is too short for a BeaconState", checker.label("genesis.ssz")));
    }

    const auto var = [&](const std::map<std::string, std::string>& vars, const char* file, const char* key,
                         std::vector<Field>& out) {
        if (const auto it = vars.find(key); it != vars.end())
            out.push_back({fmt::format("{} {}", checker.label(file), key), it->second});
    };
    const auto config_value = [&](const char* key, std::vector<Field>& out) {
        if (config.IsMap() && config[key] && config[key].IsScalar()) {
            out.push_back({fmt::format("{} {}", checker.label("config.yaml"), key), config[key].Scalar()});
        }
    };
    const auto json_value = [&](const char* file, std::initializer_list<const char*> path, const std::string& shown,
                                std::vector<Field>& out) {
        if (const auto it = json.find(file); it != json.end()) {
            if (auto text = json_text(it->second, path))
                out.push_back({fmt::format("{} {}", checker.label(file), shown), *text});
        }
    };

    const auto info = network::describe_iteration(schedule, n);

    // Iteration and tag.
    {
        std::vector<Field> fields;
        var(retention, "retention.vars", "ITERATION_NUMBER", fields);
        var(nodevars, "nodevars_env.txt", "ITERATION_NUMBER", fields);
        checker.agree("iteration", fields, Field{"the requested iteration", std::to_string(n)}, as_number);
        std::vector<Field> tags;
        var(retention, "retention.vars", "ITERATION_RELEASE", tags);
        checker.agree("release tag", tags, Field{"the requested tag", network::release_tag(schedule, n)}, as_text);
    }

    // Chain id, everywhere it appears.
    {
        std::vector<Field> fields;
        var(retention, "retention.vars", "CHAIN_ID", fields);
        var(nodevars, "nodevars_env.txt", "CHAIN_ID", fields);
        config_value("DEPOSIT_CHAIN_ID", fields);
        config_value("DEPOSIT_NETWORK_ID", fields);
        json_value("genesis.json", {"config", "chainId"}, "config.chainId", fields);
        json_value("besu.json", {"config", "chainId"}, "config.chainId", fields);
        json_value("chainspec.json", {"params", "chainID"}, "params.chainID", fields);
        json_value("chainspec.json", {"params", "chainId"}, "params.chainId", fields);
        json_value("chainspec.json", {"params", "networkID"}, "params.networkID", fields);
        std::optional<Field> expected;
        if (info && info->chain_id) {
            expected = Field{fmt::format("{} + {}", schedule.chain_id_base, n), std::to_string(*info->chain_id)};
        }
        checker.agree("chain id", fields, expected, as_number);
    }

    // T(N): EL genesis timestamp = CL MIN_GENESIS_TIME = retention GENESIS_TIMESTAMP.
    {
        std::vector<Field> fields;
        var(retention, "retention.vars", "GENESIS_TIMESTAMP", fields);
        config_value("MIN_GENESIS_TIME", fields);
        json_value("genesis.json", {"timestamp"}, "timestamp", fields);
        json_value("besu.json", {"timestamp"}, "timestamp", fields);
        json_value("chainspec.json", {"genesis", "timestamp"}, "genesis.timestamp", fields);
        std::optional<Field> expected;
        if (info && info->times) {
            expected = Field{fmt::format("T({}) of the schedule", n), std::to_string(info->times->el_genesis_time)};
        }
        checker.agree("genesis timestamp", fields, expected, as_number);
    }

    // CL genesis time = T(N) + GENESIS_DELAY, as nodevars and the genesis state say.
    {
        std::vector<Field> delay;
        config_value("GENESIS_DELAY", delay);
        checker.agree("genesis delay", delay,
                      Field{"the schedule's genesis delay", std::to_string(schedule.genesis_delay)}, as_number);

        std::vector<Field> fields;
        var(nodevars, "nodevars_env.txt", "GENESIS_TIME", fields);
        if (state)
            fields.push_back({checker.label("genesis.ssz") + " genesis_time", std::to_string(state->genesis_time)});
        std::optional<Field> expected;
        std::vector<Field> min_time;
        config_value("MIN_GENESIS_TIME", min_time);
        if (!min_time.empty() && !delay.empty()) {
            const auto start = parse_number(min_time.front().text);
            const auto added = parse_number(delay.front().text);
            if (start && added) {
                expected = Field{"config.yaml MIN_GENESIS_TIME + GENESIS_DELAY", std::to_string(*start + *added)};
            }
        }
        checker.agree("beacon genesis time", fields, expected, as_number);
    }

    // Genesis validators root: nodevars, the .txt and the state itself.
    {
        std::vector<Field> fields;
        var(nodevars, "nodevars_env.txt", "GENESIS_VALROOT", fields);
        if (const auto* text = checker.file("genesis_validators_root.txt")) {
            fields.push_back({checker.label("genesis_validators_root.txt"), std::string(trim(*text))});
        }
        if (state)
            fields.push_back(
                {checker.label("genesis.ssz") + " genesis_validators_root", state->genesis_validators_root});
        checker.agree("genesis validators root", fields, std::nullopt, as_root);
    }

    // Reset interval.
    {
        std::vector<Field> fields;
        var(retention, "retention.vars", "GENESIS_RESET_INTERVAL", fields);
        config_value("EPHEMERY_RESET_PERIOD", fields);
        checker.agree("reset interval", fields,
                      Field{"the schedule's interval", std::to_string(schedule.genesis_interval)}, as_number);
    }

    // Fork versions never change between iterations.
    if (!expectation.fork_versions.empty()) {
        const std::size_t before = report.failures.size();
        for (const auto& [key, value] : expectation.fork_versions) {
            std::vector<Field> fields;
            config_value(key.c_str(), fields);
            if (fields.empty()) {
                checker.fail("fork versions", fmt::format("{} has no {}", checker.label("config.yaml"), key));
            } else if (to_lower(trim(fields.front().text)) != value) {
                checker.fail("fork versions", fmt::format("{} is {} but the network's {} is {}", fields.front().source,
                                                          fields.front().text, key, value));
            }
        }
        if (report.failures.size() == before) report.passed.emplace_back("fork versions");
    }
    return report;
}

}  // namespace ephemery::release

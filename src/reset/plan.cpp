#include "reset/plan.hpp"

#include "core/text.hpp"
#include "release/layout.hpp"
#include "release/vars.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <array>

namespace ephemery::reset {

namespace {

namespace fs = std::filesystem;

constexpr std::array<std::pair<std::string_view, StepKind>, 8> step_kind_names{{
    {"stop-client", StepKind::stop_client},
    {"archive-slashing", StepKind::archive_slashing},
    {"clear-slashing", StepKind::clear_slashing},
    {"wipe-chain-data", StepKind::wipe_chain_data},
    {"activate-release", StepKind::activate_release},
    {"init-genesis", StepKind::init_genesis},
    {"record-iteration", StepKind::record_iteration},
    {"start-client", StepKind::start_client},
}};

// The relative path `path` below `root` ("." is everything), or nullopt when it is not below it.
std::optional<std::string> below(const std::string& path, const std::string& root) {
    if (root == ".") return path;
    if (path.size() > root.size() && path.compare(0, root.size(), root) == 0 && path[root.size()] == '/') {
        return path.substr(root.size() + 1);
    }
    return std::nullopt;
}

fs::path inside(const fs::path& data_dir, const std::string& relative) {
    return relative == "." ? data_dir : data_dir / relative;
}

std::vector<const Instance*> in_role_order(const std::vector<Instance>& instances, bool stopping) {
    std::vector<const Instance*> ordered;
    ordered.reserve(instances.size());
    for (const Instance& instance : instances) ordered.push_back(&instance);
    // EL before CL before VC when starting (the enum order); the reverse when stopping.
    std::stable_sort(ordered.begin(), ordered.end(), [stopping](const Instance* a, const Instance* b) {
        return stopping ? a->role > b->role : a->role < b->role;
    });
    return ordered;
}

void add_slashing_steps(const Plan& plan, const fs::path& archive_dir, const std::string& service,
                        const fs::path& store, std::string_view format, std::vector<Step>& archive,
                        std::vector<Step>& clear) {
    const std::string label = service.empty() ? "ephemery" : service;
    archive.push_back({.kind = StepKind::archive_slashing,
                       .service = service,
                       .path = archive_dir / fmt::format("{}-slashing-protection.tar.gz", label),
                       .keep = {},
                       .command = {},
                       .format = std::string(format),
                       .source = store.string(),
                       .description = fmt::format("archive the slashing protection of {} ({})", label, format)});
    clear.push_back({.kind = StepKind::clear_slashing,
                     .service = service,
                     .path = store,
                     .keep = {},
                     .command = {},
                     .format = std::string(format),
                     .source = {},
                     .description = fmt::format("clear the slashing protection of {}: iteration {} has a new "
                                                "genesis validators root",
                                                label, plan.target_iteration)});
}

Step client_step(StepKind kind, const Instance& instance, std::string description) {
    return {.kind = kind,
            .service = instance.service,
            .path = instance.data_dir,
            .keep = {},
            .command = {},
            .format = {},
            .source = {},
            .description = std::move(description)};
}

Step node_step(StepKind kind, fs::path path, std::string description) {
    return {.kind = kind,
            .service = {},
            .path = std::move(path),
            .keep = {},
            .command = {},
            .format = {},
            .source = {},
            .description = std::move(description)};
}

}  // namespace

std::string_view step_kind_name(StepKind kind) {
    for (const auto& [name, value] : step_kind_names) {
        if (value == kind) return name;
    }
    return "unknown";
}

std::optional<StepKind> step_kind_from_name(std::string_view name) {
    for (const auto& [known, value] : step_kind_names) {
        if (known == name) return value;
    }
    return std::nullopt;
}

bool is_same_or_inside(const fs::path& path, const fs::path& directory) {
    const auto relative = path.lexically_relative(directory);
    return !relative.empty() && *relative.begin() != "..";
}

std::vector<std::string> data_dir_conflicts(const fs::path& data_dir, const std::vector<Instance>& instances) {
    std::vector<std::string> problems;
    std::vector<bool> contains_node(instances.size(), false);  // reported once, not again as shared
    const auto setting_of = [](const Instance& instance) {
        return fmt::format("clients.{}.data_dir", clients::role_name(instance.role));
    };
    for (std::size_t index = 0; index < instances.size(); ++index) {
        const Instance& instance = instances[index];
        const std::string setting = setting_of(instance);
        const fs::path& client = instance.data_dir;
        const std::string fix = fmt::format(
            "give {} a directory of its own outside those, such as {} (the default when {} is empty)", instance.service,
            (data_dir / fmt::format("{}-{}", clients::role_name(instance.role), clients::client_name(instance.client)))
                .string(),
            setting);
        if (is_same_or_inside(data_dir, client)) {
            problems.push_back(
                fmt::format("{} ({}) contains the node's data dir {}; a reset of {} would delete "
                            "releases and archives: {}",
                            setting, client.string(), data_dir.string(), instance.service, fix));
            contains_node[index] = true;
            continue;
        }
        for (const OwnedPath& owned : node_owned_paths) {
            const fs::path reserved = data_dir / owned.path;
            const bool nested = is_same_or_inside(client, reserved);
            if (!nested && !is_same_or_inside(reserved, client)) continue;
            problems.push_back(
                fmt::format("{} ({}) {} {}, where ephemery keeps {}; a reset of {} deletes in its data dir and would "
                            "destroy them: {}",
                            setting, client.string(),
                            client == reserved ? "is"
                            : nested           ? "lies inside"
                                               : "contains",
                            reserved.string(), owned.what, instance.service, fix));
            break;  // one owned path per client says enough; the fix is the same
        }
    }
    for (std::size_t a = 0; a < instances.size(); ++a) {
        for (std::size_t b = a + 1; b < instances.size(); ++b) {
            const Instance& first = instances[a];
            const Instance& second = instances[b];
            if (contains_node[a] || contains_node[b]) continue;
            if (is_same_or_inside(first.data_dir, second.data_dir) ||
                is_same_or_inside(second.data_dir, first.data_dir)) {
                problems.push_back(fmt::format(
                    "{} and {} share the data dir {} ({} is {}, {} is {}): every client needs its own; change one",
                    first.service, second.service,
                    (first.data_dir.string().size() < second.data_dir.string().size() ? first : second)
                        .data_dir.string(),
                    setting_of(first), first.data_dir.string(), setting_of(second), second.data_dir.string()));
            }
        }
    }
    return problems;
}

Result<Plan> make_plan(const PlanRequest& request) {
    Plan plan{.target_iteration = request.target_iteration,
              .from_iteration = request.from_iteration,
              .data_dir = request.data_dir,
              .instances = request.instances,
              .steps = {}};
    std::vector<Step> archive;
    std::vector<Step> clear;
    std::vector<Step> wipe;
    std::vector<Step> init;
    for (const Instance& instance : request.instances) {
        const clients::RoleSpec* spec = clients::role_spec(instance.client, instance.role, instance.edition);
        if (spec == nullptr) {
            return make_error(Errc::invalid_argument,
                              fmt::format("{} cannot run as the {} client", clients::client_name(instance.client),
                                          clients::role_name(instance.role)));
        }
        for (const clients::SlashingStore& store : spec->slashing) {
            add_slashing_steps(plan, request.archive_dir, instance.service, inside(instance.data_dir, store.path),
                               clients::slashing_format_name(store.format), archive, clear);
        }
        for (const clients::WipedPath& wiped : spec->wipe) {
            Step step = client_step(StepKind::wipe_chain_data, instance,
                                    fmt::format("wipe {} of {}", wiped.what, instance.service));
            step.path = inside(instance.data_dir, wiped.path);
            for (const clients::KeptPath& kept : spec->keep) {
                if (auto relative = below(kept.path, wiped.path)) step.keep.push_back(std::move(*relative));
            }
            wipe.push_back(std::move(step));
        }
        if (!spec->init.empty()) {
            auto values = request.release_values;
            values["data_dir"] = instance.data_dir.string();
            auto command = clients::render_arguments(spec->init, values);
            if (!command) {
                return make_error(command.error().code, fmt::format("the genesis-init command of {}: {}",
                                                                    instance.service, command.error().message));
            }
            if (!instance.binary.empty()) command->front() = instance.binary;
            Step step = client_step(StepKind::init_genesis, instance,
                                    fmt::format("initialise the genesis of {}", instance.service));
            step.command = std::move(command).value();
            init.push_back(std::move(step));
        }
    }
    add_slashing_steps(plan, request.archive_dir, {}, request.data_dir / ephemery_slashing_database,
                       ephemery_slashing_format, archive, clear);

    auto& steps = plan.steps;
    for (const Instance* instance : in_role_order(request.instances, true)) {
        steps.push_back(client_step(StepKind::stop_client, *instance, fmt::format("stop {}", instance->service)));
    }
    for (auto* group : {&archive, &clear, &wipe}) {
        steps.insert(steps.end(), std::make_move_iterator(group->begin()), std::make_move_iterator(group->end()));
    }
    steps.push_back(node_step(StepKind::activate_release,
                              request.data_dir / "testnet" / std::to_string(request.target_iteration),
                              fmt::format("make release {} current", request.target_iteration)));
    steps.insert(steps.end(), std::make_move_iterator(init.begin()), std::make_move_iterator(init.end()));
    steps.push_back(node_step(StepKind::record_iteration, request.data_dir / iteration_marker_file,
                              fmt::format("record that the node is on iteration {}", request.target_iteration)));
    for (const Instance* instance : in_role_order(request.instances, false)) {
        steps.push_back(client_step(StepKind::start_client, *instance, fmt::format("start {}", instance->service)));
    }
    return plan;
}

nlohmann::ordered_json to_json(const Plan& plan) {
    nlohmann::ordered_json document;
    document["target_iteration"] = plan.target_iteration;
    document["from_iteration"] = plan.from_iteration ? nlohmann::ordered_json(*plan.from_iteration) : nullptr;
    document["data_dir"] = plan.data_dir.string();
    auto instances = nlohmann::ordered_json::array();
    for (const Instance& instance : plan.instances) {
        instances.push_back({{"service", instance.service},
                             {"role", clients::role_name(instance.role)},
                             {"client", clients::client_name(instance.client)},
                             {"data_dir", instance.data_dir.string()},
                             {"binary", instance.binary},
                             {"edition", clients::edition_name(instance.edition)}});
    }
    document["instances"] = std::move(instances);
    auto steps = nlohmann::ordered_json::array();
    for (const Step& step : plan.steps) {
        nlohmann::ordered_json entry{{"kind", step_kind_name(step.kind)}, {"description", step.description}};
        if (!step.service.empty()) entry["service"] = step.service;
        entry["path"] = step.path.string();
        if (!step.keep.empty()) entry["keep"] = step.keep;
        if (!step.command.empty()) entry["command"] = step.command;
        if (!step.format.empty()) entry["format"] = step.format;
        if (!step.source.empty()) entry["source"] = step.source;
        steps.push_back(std::move(entry));
    }
    document["steps"] = std::move(steps);
    return document;
}

namespace {

template <typename T>
Result<T> field(const nlohmann::json& object, std::string_view name, std::string_view where) {
    const auto found = object.find(std::string(name));
    if (found == object.end()) return make_error(Errc::parse_error, fmt::format("{}: '{}' is missing", where, name));
    try {
        return found->get<T>();
    } catch (const nlohmann::json::exception&) {
        return make_error(Errc::parse_error, fmt::format("{}: '{}' has the wrong type", where, name));
    }
}

template <typename T>
T optional_field(const nlohmann::json& object, std::string_view name) {
    const auto found = object.find(std::string(name));
    if (found == object.end()) return T{};
    try {
        return found->get<T>();
    } catch (const nlohmann::json::exception&) {
        return T{};
    }
}

}  // namespace

Result<Plan> plan_from_json(const nlohmann::json& document) {
    if (!document.is_object()) return make_error(Errc::parse_error, "the plan is not a JSON object");
    Plan plan;
    auto target = field<std::uint64_t>(document, "target_iteration", "plan");
    if (!target) return target.error();
    plan.target_iteration = *target;
    if (const auto from = document.find("from_iteration"); from != document.end() && from->is_number_unsigned()) {
        plan.from_iteration = from->get<std::uint64_t>();
    }
    auto data_dir = field<std::string>(document, "data_dir", "plan");
    if (!data_dir) return data_dir.error();
    plan.data_dir = *data_dir;
    const auto instances = document.find("instances");
    const auto steps = document.find("steps");
    if (instances == document.end() || !instances->is_array() || steps == document.end() || !steps->is_array()) {
        return make_error(Errc::parse_error, "plan: 'instances' and 'steps' must be arrays");
    }
    for (std::size_t i = 0; i < instances->size(); ++i) {
        const auto& entry = (*instances)[i];
        const std::string where = fmt::format("plan instances[{}]", i);
        if (!entry.is_object()) return make_error(Errc::parse_error, where + " is not an object");
        auto role = field<std::string>(entry, "role", where);
        auto client = field<std::string>(entry, "client", where);
        auto dir = field<std::string>(entry, "data_dir", where);
        auto service = field<std::string>(entry, "service", where);
        if (!role || !client || !dir || !service) {
            return !role ? role.error() : !client ? client.error() : !dir ? dir.error() : service.error();
        }
        const auto known_role = clients::role_from_name(*role);
        const auto known_client = clients::client_from_name(*client);
        if (!known_role || !known_client) {
            return make_error(Errc::parse_error, fmt::format("{}: unknown role or client", where));
        }
        plan.instances.push_back({.role = *known_role,
                                  .client = *known_client,
                                  .data_dir = *dir,
                                  .binary = optional_field<std::string>(entry, "binary"),
                                  .service = *service,
                                  .edition = optional_field<std::string>(entry, "edition") == "devnet"
                                                 ? clients::Edition::devnet
                                                 : clients::Edition::current});
    }
    for (std::size_t i = 0; i < steps->size(); ++i) {
        const auto& entry = (*steps)[i];
        const std::string where = fmt::format("plan steps[{}]", i);
        if (!entry.is_object()) return make_error(Errc::parse_error, where + " is not an object");
        auto kind_name = field<std::string>(entry, "kind", where);
        if (!kind_name) return kind_name.error();
        const auto kind = step_kind_from_name(*kind_name);
        if (!kind) return make_error(Errc::parse_error, fmt::format("{}: unknown kind '{}'", where, *kind_name));
        auto path = field<std::string>(entry, "path", where);
        if (!path) return path.error();
        plan.steps.push_back({.kind = *kind,
                              .service = optional_field<std::string>(entry, "service"),
                              .path = *path,
                              .keep = optional_field<std::vector<std::string>>(entry, "keep"),
                              .command = optional_field<std::vector<std::string>>(entry, "command"),
                              .format = optional_field<std::string>(entry, "format"),
                              .source = optional_field<std::string>(entry, "source"),
                              .description = optional_field<std::string>(entry, "description")});
    }
    return plan;
}

std::optional<std::string> plan_disagreement(const Plan& recorded, const Plan& derived) {
    if (recorded.target_iteration != derived.target_iteration || recorded.data_dir != derived.data_dir) {
        return fmt::format("it resets {} to iteration {}, not {} to iteration {}", recorded.data_dir.string(),
                           recorded.target_iteration, derived.data_dir.string(), derived.target_iteration);
    }
    const auto describe_instance = [](const Instance& instance) {
        return fmt::format("{} ({} {}, {} edition) in {}", instance.service, clients::role_name(instance.role),
                           clients::client_name(instance.client), clients::edition_name(instance.edition),
                           instance.data_dir.string());
    };
    const auto described = [&](const std::vector<Instance>& instances) {
        std::vector<std::string> lines;
        lines.reserve(instances.size());
        for (const Instance& instance : instances) lines.push_back(describe_instance(instance));
        return fmt::format("{}", fmt::join(lines, "; "));
    };
    if (described(recorded.instances) != described(derived.instances)) {
        return fmt::format("it names the clients [{}], the configuration [{}]", described(recorded.instances),
                           described(derived.instances));
    }
    if (recorded.steps.size() != derived.steps.size()) {
        return fmt::format("it has {} steps where the configuration and the catalog give {}", recorded.steps.size(),
                           derived.steps.size());
    }
    for (std::size_t i = 0; i < recorded.steps.size(); ++i) {
        const Step& a = recorded.steps[i];
        const Step& b = derived.steps[i];
        const auto differs = [&](std::string_view what, const std::string& journal, const std::string& expected) {
            return fmt::format(R"(step {} ({}) has the {} "{}" where the configuration and the catalog give "{}")",
                               i + 1, b.description, what, journal, expected);
        };
        if (a.kind != b.kind)
            return differs("kind", std::string(step_kind_name(a.kind)), std::string(step_kind_name(b.kind)));
        if (a.service != b.service) return differs("client", a.service, b.service);
        if (a.path != b.path) return differs("path", a.path.string(), b.path.string());
        if (a.keep != b.keep) {
            return differs("kept paths", fmt::format("{}", fmt::join(a.keep, ", ")),
                           fmt::format("{}", fmt::join(b.keep, ", ")));
        }
        if (a.format != b.format) return differs("format", a.format, b.format);
        if (a.source != b.source) return differs("source", a.source, b.source);
        // The program may be corrected in the configuration between the runs; its arguments may not change.
        const bool same_arguments =
            a.command.size() == b.command.size() &&
            (a.command.empty() || std::equal(a.command.begin() + 1, a.command.end(), b.command.begin() + 1));
        if (!same_arguments) {
            return differs("command", fmt::format("{}", fmt::join(a.command, " ")),
                           fmt::format("{}", fmt::join(b.command, " ")));
        }
    }
    return std::nullopt;
}

std::map<std::string, std::string> release_placeholders(const fs::path& release_dir, bool network_config_layout,
                                                        const std::map<std::string, std::string>& nodevars,
                                                        std::string_view deposit_contract_block_text) {
    const fs::path files = network_config_layout ? release_dir / "metadata" : release_dir;
    auto var = [&nodevars](const char* name) {
        const auto found = nodevars.find(name);
        return found == nodevars.end() ? std::string{} : found->second;
    };
    std::map<std::string, std::string> values{
        {"genesis_json", (files / "genesis.json").string()},
        {"besu_json", (files / "besu.json").string()},
        {"chainspec_json", (files / "chainspec.json").string()},
        {"config_yaml", (files / "config.yaml").string()},
        {"genesis_ssz", (files / "genesis.ssz").string()},
        {"testnet_dir", files.string()},
        {"chain_id", var("CHAIN_ID")},
        {"genesis_block_hash", var("GENESIS_BLOCK")},
        {"bootnodes_enr", var("BOOTNODE_ENR_LIST")},
        {"bootnodes_enode", var("BOOTNODE_ENODE_LIST")},
    };
    const auto block_number = [](std::string_view text) {
        text = trim(text);
        const bool decimal = !text.empty() && text.size() <= 20 &&
                             std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
        return decimal ? std::string(text) : std::string{};
    };
    std::string block = block_number(deposit_contract_block_text);
    if (block.empty()) block = block_number(var("DEPOSIT_CONTRACT_BLOCK"));
    if (!block.empty()) values.emplace("deposit_contract_block", std::move(block));
    return values;
}

std::map<std::string, std::string> release_placeholders(const fs::path& release_dir,
                                                        const release::ReleaseFiles& files) {
    const auto file = [&files](std::string_view name) {
        const auto found = files.files.find(release::path_of(files.layout, name));
        return found == files.files.end() ? std::string_view{} : std::string_view(found->second);
    };
    std::map<std::string, std::string> nodevars;
    if (auto parsed = release::parse_vars(file("nodevars_env.txt"), "nodevars_env.txt")) {
        nodevars = std::move(parsed).value();
    }
    std::string_view block = file("deposit_contract_block.txt");
    if (trim(block).empty()) block = file("deploy_block.txt");
    return release_placeholders(release_dir, files.layout == release::Layout::network_config, nodevars, block);
}

}  // namespace ephemery::reset

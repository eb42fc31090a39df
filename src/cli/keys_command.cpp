#include "cli/commands.hpp"
#include "cli/terminal.hpp"
#include "clients/catalog.hpp"
#include "core/text.hpp"
#include "infra/files.hpp"
#include "keyfiles/discover.hpp"
#include "keyfiles/install.hpp"
#include "keyfiles/rotate.hpp"
#include "keymanager/client.hpp"
#include "node/plan.hpp"
#include "slashing/database.hpp"
#include "slashing/interchange.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <map>
#include <mutex>
#include <set>
#include <variant>

namespace ephemery::cli {
namespace {

struct RotateCommandOptions {
    std::vector<std::string> paths;
    std::string client;
    std::string new_password_file;
    unsigned threads{0};
    bool json{false};
};

struct ImportCommandOptions {
    std::string client;
    std::string from;
    std::string to;
    std::string password_file;
    bool json{false};
    // --via-keymanager: into a running validator client through its keymanager API instead of onto its disk
    bool via_keymanager{false};
    std::string url;
    std::string token_file;
    std::string slashing_protection;
    unsigned timeout_seconds{30};
};

struct CheckCommandOptions {
    std::vector<std::string> paths;
    std::string client;
    std::string password_file;
    unsigned threads{0};
    bool json{false};
};

std::string_view severity_name(keys::Severity severity) {
    switch (severity) {
        case keys::Severity::ok: return "ok";
        case keys::Severity::warning: return "warning";
        case keys::Severity::failure: return "failed";
    }
    return "failed";
}

std::string short_pubkey(const std::string& pubkey) {
    if (pubkey.size() <= 18) return pubkey.empty() ? "-" : pubkey;
    return pubkey.substr(0, 10) + "..." + pubkey.substr(pubkey.size() - 6);
}

nlohmann::ordered_json report_json(const keys::CheckSummary& summary, const nlohmann::ordered_json& layouts,
                                   const std::vector<std::string>& notes) {
    nlohmann::ordered_json keys_json = nlohmann::ordered_json::array();
    for (const auto& key : summary.keys) {
        nlohmann::ordered_json problems = nlohmann::ordered_json::array();
        for (const auto& finding : key.findings) {
            problems.push_back(
                {{"severity", severity_name(finding.severity)}, {"problem", finding.problem}, {"fix", finding.fix}});
        }
        keys_json.push_back({{"keystore", key.keystore_label},
                             {"pubkey", key.pubkey},
                             {"status", severity_name(key.status())},
                             {"problems", problems}});
    }
    return {{"ok", summary.count(keys::Severity::failure) == 0},
            {"layouts", layouts},
            {"checked", summary.keys.size()},
            {"passed", summary.count(keys::Severity::ok)},
            {"warnings", summary.count(keys::Severity::warning)},
            {"failed", summary.count(keys::Severity::failure)},
            {"key_derivations", summary.key_derivations},
            {"keys", keys_json},
            {"notes", notes}};
}

void print_table(const keys::CheckSummary& summary, const std::vector<std::string>& notes) {
    fmt::print("{:<8} {:<20} {}\n", "STATUS", "PUBKEY", "KEYSTORE");
    for (const auto& key : summary.keys) {
        fmt::print("{:<8} {:<20} {}\n", severity_name(key.status()), short_pubkey(key.pubkey), key.keystore_label);
        for (const auto& finding : key.findings) {
            fmt::print("         {}: {}\n         fix: {}\n", severity_name(finding.severity), finding.problem,
                       finding.fix);
        }
    }
    for (const auto& note : notes) fmt::print("note: {}\n", note);
    fmt::print("{} {}: {} ok, {} with warnings, {} failed ({} key derivations)\n", summary.keys.size(),
               summary.keys.size() == 1 ? "key" : "keys", summary.count(keys::Severity::ok),
               summary.count(keys::Severity::warning), summary.count(keys::Severity::failure), summary.key_derivations);
}

std::optional<keyfiles::Layout> layout_option(const std::string& client) {
    if (client.empty()) return std::nullopt;
    return keyfiles::parse_layout(client);
}

bool report_bad_client(const std::string& client) {
    if (client.empty() || keyfiles::parse_layout(client)) return false;
    print_stderr("error: --client {} is not a known layout (allowed: {})\n", client,
                 join(keyfiles::layout_names(), ", "));
    return true;
}

ExitCode run_check(const CheckCommandOptions& options, const GlobalOptions& global) {
    std::vector<keyfiles::DiscoverRequest> requests;
    if (report_bad_client(options.client)) return ExitCode::usage_error;
    const auto layout = layout_option(options.client);
    std::optional<std::filesystem::path> password_file;
    if (!options.password_file.empty()) password_file = options.password_file;
    if (options.paths.empty()) {
        // No path: the node's own keys, as ephemery.yaml's validators section describes them.
        const auto loaded = load_configuration(global);
        if (!loaded) return ExitCode::usage_error;
        const auto& settings = loaded->outcome.config.validators;
        if (settings.keystores_dir.empty()) {
            print_stderr(
                "error: no keystore directory given: pass PATH, or set validators.keystores_dir in "
                "{}\n",
                loaded->source);
            return ExitCode::usage_error;
        }
        keyfiles::DiscoverRequest request{settings.keystores_dir, layout, password_file, std::nullopt};
        if (!password_file && !settings.password_file.empty()) request.password_file = settings.password_file;
        if (!settings.passwords_dir.empty()) request.passwords_dir = settings.passwords_dir;
        requests.push_back(std::move(request));
    }
    for (const auto& path : options.paths) requests.push_back({path, layout, password_file, std::nullopt});

    std::vector<keys::KeyCandidate> candidates;
    nlohmann::ordered_json layouts = nlohmann::ordered_json::array();
    std::vector<std::string> notes;
    std::vector<std::string> interrupted;  // rotation journals: a rotation stopped half-way
    for (const auto& request : requests) {
        auto discovery = keyfiles::discover(request);
        if (!discovery) {
            print_stderr("error: {}\n", discovery.error().message);
            return ExitCode::usage_error;
        }
        layouts.push_back({{"path", request.root.string()}, {"layout", keyfiles::layout_name(discovery->layout)}});
        if (discovery->candidates.empty()) {
            notes.push_back(fmt::format("{}: no keystores found for the {} layout", request.root.string(),
                                        keyfiles::layout_name(discovery->layout)));
        }
        for (const auto& journal : keyfiles::interrupted_rotations(*discovery)) {
            interrupted.push_back(journal.string());
        }
        std::move(discovery->candidates.begin(), discovery->candidates.end(), std::back_inserter(candidates));
        notes.insert(notes.end(), discovery->notes.begin(), discovery->notes.end());
    }

    auto check_options = keyfiles::machine_check_options(options.threads);
    const bool show_progress = !options.json && ::isatty(STDERR_FILENO) == 1;
    if (show_progress) {
        check_options.progress = [](std::size_t done, std::size_t total) {
            (void)std::fprintf(stderr, "\rderiving keys %zu/%zu", done, total);
            (void)std::fflush(stderr);
        };
    }
    const auto summary = keys::check_keystores(std::move(candidates), check_options);
    if (show_progress) (void)std::fprintf(stderr, "\n");

    for (const auto& journal : interrupted) {
        notes.push_back(
            fmt::format("{}: a password rotation was interrupted; finish it with `ephemery keys "
                        "password rotate` on the same directory",
                        journal));
    }
    if (options.json) {
        auto document = report_json(summary, layouts, notes);
        document["interrupted_rotations"] = interrupted;
        if (!interrupted.empty()) document["ok"] = false;
        print_json(document);
    } else {
        print_table(summary, notes);
    }
    const bool failed = summary.count(keys::Severity::failure) != 0 || summary.keys.empty() || !interrupted.empty();
    return failed ? ExitCode::check_failed : ExitCode::ok;
}

ExitCode exit_code_of(const Error& error) {
    switch (error.code) {
        case Errc::verification_failed: return ExitCode::check_failed;
        case Errc::io_error: return ExitCode::runtime_failure;
        default: return ExitCode::usage_error;
    }
}

ExitCode run_rotate(const RotateCommandOptions& options) {
    if (report_bad_client(options.client)) return ExitCode::usage_error;
    auto new_password_text = infra::read_file(options.new_password_file, std::size_t{64} << 10U);
    if (!new_password_text) {
        print_stderr("error: --new-password-file: {}\n", new_password_text.error().message);
        return ExitCode::usage_error;
    }
    const SecretString new_password(
        keyfiles::password_from_file_contents(*new_password_text, keyfiles::Layout::generic));
    nlohmann::ordered_json rotated_json = nlohmann::ordered_json::array();
    for (const auto& path : options.paths) {
        auto discovery = keyfiles::discover({path, layout_option(options.client), std::nullopt, std::nullopt});
        if (!discovery) {
            print_stderr("error: {}\n", discovery.error().message);
            return ExitCode::usage_error;
        }
        // A rotation that stopped half-way is finished first; then the keys are read again.
        const auto journals = keyfiles::interrupted_rotations(*discovery);
        for (const auto& journal : journals) {
            if (auto status = keyfiles::resume_rotation(journal); !status) {
                print_stderr("error: {}\n", status.error().message);
                return ExitCode::runtime_failure;
            }
            print_stderr("finished the interrupted rotation of {}\n", journal.string());
        }
        if (!journals.empty()) {
            discovery = keyfiles::discover({path, layout_option(options.client), std::nullopt, std::nullopt});
            if (!discovery) return ExitCode::runtime_failure;
        }
        auto rotated = keyfiles::rotate_passwords(*discovery, new_password, options.threads);
        if (!rotated) {
            print_stderr("error: {}\n", rotated.error().message);
            return exit_code_of(rotated.error());
        }
        for (const auto& key : *rotated) {
            if (!options.json) fmt::print("rotated  {}  {}\n", short_pubkey(key.pubkey), key.keystore);
            rotated_json.push_back(
                {{"keystore", key.keystore}, {"password_file", key.password_file}, {"pubkey", key.pubkey}});
        }
    }
    if (options.json) print_json({{"rotated", rotated_json}});
    return ExitCode::ok;
}

// The keys of --from with their passwords, every one through the pre-flight: nothing is imported unless all pass.
struct CheckedKeys {
    keyfiles::Discovery source;
    std::vector<std::string> pubkeys;  // checked public keys of source.candidates, in order
    std::vector<std::string> labels;   // their keystores, as the reports show them
};

std::variant<CheckedKeys, ExitCode> checked_keys(const ImportCommandOptions& options) {
    std::optional<std::filesystem::path> password_file;
    if (!options.password_file.empty()) password_file = options.password_file;
    auto source = keyfiles::discover({options.from, std::nullopt, password_file, std::nullopt});
    if (!source) {
        print_stderr("error: --from: {}\n", source.error().message);
        return ExitCode::usage_error;
    }
    const auto summary = keys::check_keystores(source->candidates, keyfiles::machine_check_options(0));
    if (summary.keys.empty() || summary.count(keys::Severity::failure) != 0 ||
        summary.keys.size() != source->candidates.size()) {
        if (options.json) {
            print_json(report_json(summary, nlohmann::ordered_json::array(), {"nothing was imported"}));
        } else {
            print_table(summary, {"nothing was imported: fix the failures above first"});
        }
        return ExitCode::check_failed;
    }
    CheckedKeys checked{std::move(source).value(), {}, {}};
    for (const auto& key : summary.keys) {
        checked.pubkeys.push_back(key.pubkey);
        checked.labels.push_back(key.keystore_label);
    }
    return checked;
}

ExitCode run_import_into_layout(const ImportCommandOptions& options) {
    if (options.client.empty() || options.to.empty()) {
        (void)std::fprintf(stderr,
                           "error: keys import needs --client and --to (the client's layout on disk), or "
                           "--via-keymanager (a running validator client)\n");
        return ExitCode::usage_error;
    }
    if (report_bad_client(options.client)) return ExitCode::usage_error;
    const auto target = keyfiles::parse_layout(options.client);
    if (auto status = keyfiles::can_import_into(*target); !status) {
        print_stderr("error: --client {}: {}\n", options.client, status.error().message);
        return ExitCode::usage_error;
    }
    auto checked = checked_keys(options);
    if (const auto* failed = std::get_if<ExitCode>(&checked)) return *failed;
    const auto& batch = std::get<CheckedKeys>(checked);
    auto imported = keyfiles::import_keys(batch.source, batch.pubkeys, *target, options.to);
    if (!imported) {
        print_stderr("error: {}\n", imported.error().message);
        return exit_code_of(imported.error());
    }
    nlohmann::ordered_json keys_json = nlohmann::ordered_json::array();
    for (const auto& key : *imported) {
        if (!options.json) {
            fmt::print("{:<9} {}  {}\n", key.already_present ? "present" : "imported", short_pubkey(key.pubkey),
                       key.keystore.string());
        }
        keys_json.push_back({{"pubkey", key.pubkey},
                             {"keystore", key.keystore.string()},
                             {"password_file", key.password_file.string()},
                             {"already_present", key.already_present}});
    }
    if (options.json) print_json({{"client", options.client}, {"data_dir", options.to}, {"keys", keys_json}});
    return ExitCode::ok;
}

// Where the configured validator client serves its keymanager API and keeps its token.
struct KeymanagerTarget {
    std::string url;
    std::filesystem::path token_file;
    std::string planned_client;  // the validator client the defaults are for; empty when both were given
};

// The configured validator client (clients.validator, counted even while it is disabled) as `ephemery up` runs it
// natively: node::make_node_plan's ports (the catalog's, moved past those of the EL and CL) and data dir. Only ports
// and paths are read from it, so every release value of the command lines stands in as "-".
Result<node::ServicePlan> planned_validator(const config::Config& config) {
    node::NodeInputs inputs;
    inputs.network = config.network.name;
    inputs.data_dir = config.data_dir;
    inputs.settings = config.node;
    inputs.settings.backend = node::Backend::native;
    inputs.settings.validator.enabled = true;
    for (const auto name : clients::placeholder_names) inputs.release_values.emplace(name, "-");
    inputs.jwt_file = "-";
    inputs.validator_keys = {.keystores_dir = "-",
                             .secrets_dir = "-",
                             .password_file = "-",
                             .wallet_dir = "-",
                             .fee_recipient = {},
                             .graffiti = {}};
    auto plan = node::make_node_plan(inputs);
    if (!plan) return plan.error();
    for (auto& service : plan->services) {
        if (service.role == clients::Role::validator) return std::move(service);
    }
    return make_error(Errc::not_found, "the node plan has no validator client");
}

// The token file of a planned validator client: the file its token argument names (Lodestar, Prysm), else a kept
// path that is a token file (Grandine), else Lighthouse's, which the catalog notes: validators/api-token.txt.
std::optional<std::filesystem::path> planned_token_file(const node::ServicePlan& validator) {
    for (const auto& argument : validator.arguments) {
        const auto equals = argument.find('=');
        if (!argument.starts_with("--") || equals == std::string::npos) continue;
        if (to_lower(argument.substr(0, equals)).find("token") != std::string::npos) return argument.substr(equals + 1);
    }
    const auto* spec = clients::role_spec(validator.client, clients::Role::validator);
    for (const auto& kept : spec == nullptr ? std::vector<clients::KeptPath>{} : spec->keep) {
        const auto name = std::filesystem::path(kept.path).filename().string();
        if (name.find("token") != std::string::npos) return validator.host_data_dir / kept.path;
    }
    if (validator.client == clients::Client::lighthouse)
        return validator.host_data_dir / "validators" / "api-token.txt";
    return std::nullopt;
}

// --url and --token-file, or what the node plan says for the configured validator client.
Result<KeymanagerTarget> keymanager_target(const ImportCommandOptions& options, const config::Config& config) {
    KeymanagerTarget target{options.url, options.token_file, {}};
    if (!target.url.empty() && !target.token_file.empty()) return target;
    const auto validator = planned_validator(config);
    if (!validator) {
        return make_error(Errc::invalid_argument,
                          fmt::format("cannot tell where the configured validator client serves its keymanager API "
                                      "({}): pass --url and --token-file",
                                      validator.error().message));
    }
    const auto client = clients::client_name(validator->client);
    target.planned_client = client;
    if (target.url.empty()) {
        const auto port = validator->port("keymanager");
        if (!port) {
            return make_error(Errc::invalid_argument,
                              fmt::format("the catalog has no keymanager port for {}: pass --url", client));
        }
        target.url = fmt::format("http://127.0.0.1:{}", *port);
    }
    if (target.token_file.empty()) {
        const auto planned = planned_token_file(*validator);
        if (!planned) {
            return make_error(Errc::invalid_argument,
                              fmt::format("ephemery runs {} without a keymanager token file it knows (see `ephemery "
                                          "clients {}`): pass --token-file",
                                          client, client));
        }
        target.token_file = *planned;
    }
    return target;
}

// Complete histories of many validators grow large; beyond this a file is not an interchange anyone wrote.
constexpr std::size_t max_interchange_bytes = std::size_t{512} << 20U;

// The EIP-3076 history sent along with the keys: only the entries of the keys being imported.
struct Protection {
    std::optional<std::string> interchange_json;  // nullopt: nothing to send
    std::string source;
    std::size_t validators{0};
    std::string genesis_validators_root;  // the chain the history is for
};

Protection only_these_keys(const slashing::Interchange& interchange, const std::vector<std::string>& pubkeys,
                           std::string source) {
    const std::set<std::string> wanted(pubkeys.begin(), pubkeys.end());
    slashing::Interchange kept{interchange.genesis_validators_root, {}};
    std::set<std::string> validators;
    for (const auto& history : interchange.data) {
        if (wanted.contains(history.pubkey)) {
            kept.data.push_back(history);
            validators.insert(history.pubkey);
        }
    }
    Protection protection{std::nullopt, std::move(source), validators.size(), interchange.genesis_validators_root};
    if (!kept.data.empty()) protection.interchange_json = slashing::to_json(kept);
    return protection;
}

// --slashing-protection FILE, else the node's own slashing-protection database when it has history for the keys.
Result<Protection> slashing_protection(const ImportCommandOptions& options, const config::Config& config,
                                       const std::vector<std::string>& pubkeys) {
    if (!options.slashing_protection.empty()) {
        auto text = infra::read_file(options.slashing_protection, max_interchange_bytes);
        if (!text) return text.error();
        const auto interchange = slashing::parse_interchange(*text, options.slashing_protection);
        if (!interchange) return interchange.error();
        return only_these_keys(*interchange, pubkeys, options.slashing_protection);
    }
    const auto path = config.data_dir / "validators" / "slashing-protection.sqlite";
    auto database = slashing::Database::open(path, slashing::OpenMode::existing_only, std::nullopt);
    if (!database) {
        if (database.error().code == Errc::not_found) return Protection{std::nullopt, path.string(), 0, {}};
        return database.error();
    }
    if (!database->genesis_validators_root()) return Protection{std::nullopt, path.string(), 0, {}};
    const auto interchange = database->export_interchange(slashing::ExportForm::complete);
    if (!interchange) return interchange.error();
    return only_these_keys(*interchange, pubkeys, path.string());
}

ExitCode keymanager_failure(const Error& error) {
    print_stderr("error: {}\n", error.message);
    switch (error.code) {
        case Errc::invalid_argument:
        case Errc::not_found:
        case Errc::parse_error: return ExitCode::usage_error;
        default: return ExitCode::runtime_failure;
    }
}

ExitCode run_import_via_keymanager(const ImportCommandOptions& options, const GlobalOptions& global) {
    const auto loaded = load_configuration(global);
    if (!loaded) return ExitCode::usage_error;
    const auto& config = loaded->outcome.config;
    const auto target = keymanager_target(options, config);
    if (!target) return keymanager_failure(target.error());
    auto token = keymanager::read_token_file(target->token_file);
    if (!token) {
        Error error = token.error();
        if (options.token_file.empty()) {
            error.message += fmt::format(
                "; that is where ephemery runs {} with its keymanager API at {}: start it, or "
                "pass --token-file and --url for a validator client run otherwise",
                target->planned_client, target->url);
        }
        return keymanager_failure(error);
    }
    const keymanager::Endpoint endpoint{.base_url = target->url,
                                        .token = std::move(token).value(),
                                        .token_source = target->token_file.string(),
                                        .timeout = std::chrono::seconds(options.timeout_seconds)};
    // The API first: a client that is not running, or a wrong token, is reported before any key derivation.
    if (const auto reachable = keymanager::list_keystores(endpoint); !reachable) {
        return keymanager_failure(reachable.error());
    }

    auto checked = checked_keys(options);
    if (const auto* failed = std::get_if<ExitCode>(&checked)) return *failed;
    const auto& batch = std::get<CheckedKeys>(checked);
    std::vector<std::string> pubkeys;  // as interchanges and keymanager lists hold them: lower case
    for (const auto& pubkey : batch.pubkeys) pubkeys.push_back(to_lower(pubkey));
    std::vector<keymanager::KeystoreUpload> uploads;
    for (const auto& candidate : batch.source.candidates) {
        if (candidate.kind != keys::KeystoreKind::eip2335 || !candidate.password) {
            return keymanager_failure(make_error(
                Errc::invalid_argument, fmt::format("{} is a Prysm wallet, not EIP-2335 keystores: the keymanager API "
                                                    "takes keystores only",
                                                    candidate.keystore_label)));
        }
        uploads.push_back({candidate.keystore_json, *candidate.password});
    }
    // Read before anything is sent: a broken interchange stops the import rather than leave keys unprotected.
    const auto protection = slashing_protection(options, config, pubkeys);
    if (!protection) return keymanager_failure(protection.error());

    const auto statuses = keymanager::import_keystores(endpoint, uploads, protection->interchange_json);
    if (!statuses) {
        Error error = statuses.error();
        if (error.code == Errc::verification_failed && protection->interchange_json) {
            error.message += fmt::format(
                "\nthe request carried the slashing-protection history of {} {} from {}, for genesis validators root "
                "{}: a validator client on another chain (another Ephemery iteration?) refuses it",
                protection->validators, protection->validators == 1 ? "key" : "keys", protection->source,
                protection->genesis_validators_root);
        }
        return keymanager_failure(error);
    }

    // The list afterwards: a key the client calls imported must be one it now holds.
    std::vector<std::string> notes;
    std::optional<std::set<std::string>> listed;
    if (const auto remote = keymanager::list_keystores(endpoint)) {
        listed.emplace();
        for (const auto& key : *remote) listed->insert(key.validating_pubkey);
    } else {
        notes.push_back(fmt::format("could not list the client's keys afterwards: {}", remote.error().message));
    }
    if (!protection->interchange_json) {
        notes.push_back(
            fmt::format("no slashing-protection history for these keys in {}: the client starts them "
                        "with none, so make sure they are not validating anywhere else",
                        protection->source));
    }

    std::map<keymanager::ImportState, std::size_t> counts;
    std::size_t failed = 0;
    nlohmann::ordered_json keys_json = nlohmann::ordered_json::array();
    if (!options.json) fmt::print("{:<10} {:<20} {}\n", "STATUS", "PUBKEY", "KEYSTORE");
    for (std::size_t i = 0; i < statuses->size(); ++i) {
        const auto& status = (*statuses)[i];
        const auto& pubkey = pubkeys[i];
        std::string message = status.message;
        // Two plain flags, not std::optional<bool>: GCC 12 at -O3 misreads the optional's inlined copy in the JSON
        // below as maybe-uninitialized (-Werror in the release preset).
        const bool listing_known = listed.has_value();
        const bool held = listing_known && listed->contains(pubkey);
        bool ok = status.state != keymanager::ImportState::error;
        if (ok && listing_known && !held) {
            ok = false;
            message = "the client answered \"" + std::string(keymanager::state_name(status.state)) +
                      "\" but does not list the key";
        }
        ++counts[status.state];
        if (!ok) ++failed;
        const std::string_view shown = ok ? keymanager::state_name(status.state) : std::string_view("failed");
        if (!options.json) {
            fmt::print("{:<10} {:<20} {}\n", shown, short_pubkey(pubkey), batch.labels[i]);
            if (!message.empty()) fmt::print("           {}\n", message);
        }
        keys_json.push_back(
            {{"pubkey", pubkey},
             {"keystore", batch.labels[i]},
             {"status", keymanager::state_name(status.state)},
             {"ok", ok},
             {"message", message},
             {"listed", listing_known ? nlohmann::ordered_json(held) : nlohmann::ordered_json(nullptr)}});
    }
    const auto imported = counts[keymanager::ImportState::imported];
    const auto duplicate = counts[keymanager::ImportState::duplicate];
    if (options.json) {
        nlohmann::ordered_json protection_json = nullptr;
        if (protection->interchange_json) {
            protection_json = {{"source", protection->source}, {"validators", protection->validators}};
        }
        print_json({{"ok", failed == 0},
                    {"url", target->url},
                    {"token_file", target->token_file.string()},
                    {"slashing_protection", protection_json},
                    {"imported", imported},
                    {"duplicate", duplicate},
                    {"failed", failed},
                    {"keys", keys_json},
                    {"notes", notes}});
    } else {
        if (protection->interchange_json) {
            fmt::print("slashing protection: the history of {} {} from {}\n", protection->validators,
                       protection->validators == 1 ? "key" : "keys", protection->source);
        }
        for (const auto& note : notes) fmt::print("note: {}\n", note);
        fmt::print("{} {} sent to {}: {} imported, {} duplicate, {} failed\n", statuses->size(),
                   statuses->size() == 1 ? "key" : "keys", target->url, imported, duplicate, failed);
    }
    return failed == 0 ? ExitCode::ok : ExitCode::check_failed;
}

ExitCode run_import(const ImportCommandOptions& options, const GlobalOptions& global) {
    if (options.via_keymanager) return run_import_via_keymanager(options, global);
    return run_import_into_layout(options);
}

}  // namespace

void add_keys_command(CLI::App& app, CommandContext& context) {
    auto* keys = app.add_subcommand("keys", "Check, create, rotate and import validator keystores (EIP-2335)");
    keys->require_subcommand(1);

    auto check_options = std::make_shared<CheckCommandOptions>();
    auto* check = keys->add_subcommand(
        "check",
        "Pre-flight every keystore a validator client will load: password, public key, duplicates, "
        "permissions (exit 0 all pass, 1 any fails)");
    check->add_option("path", check_options->paths,
                      "Validator directories (default: validators.keystores_dir of the config)");
    check->add_option("--client", check_options->client,
                      "Layout: lighthouse, teku, nimbus, lodestar, prysm or generic (default: detected)");
    check->add_option("--password-file", check_options->password_file, "One password for every keystore");
    check->add_option("--threads", check_options->threads, "Parallel key derivations (default: one per core)");
    check->add_flag("--json", check_options->json, "Print one JSON document");
    check->callback([check_options, &context] { context.exit_code = run_check(*check_options, context.global); });

    auto* password = keys->add_subcommand("password", "Change keystore passwords");
    password->require_subcommand(1);
    auto rotate_options = std::make_shared<RotateCommandOptions>();
    auto* rotate = password->add_subcommand(
        "rotate",
        "Re-encrypt every keystore of the directories under a new password and replace their password "
        "files (journaled: an interrupted rotation is finished by the next run)");
    rotate->add_option("path", rotate_options->paths, "Validator directories, as for `keys check`")->required();
    rotate->add_option("--new-password-file", rotate_options->new_password_file, "File holding the new password")
        ->required();
    rotate->add_option("--client", rotate_options->client, "Layout (default: detected)");
    rotate->add_option("--threads", rotate_options->threads, "Parallel key derivations (default: one per core)");
    rotate->add_flag("--json", rotate_options->json, "Print one JSON document");
    rotate->callback([rotate_options, &context] { context.exit_code = run_rotate(*rotate_options); });

    auto import_options = std::make_shared<ImportCommandOptions>();
    auto* import = keys->add_subcommand(
        "import",
        "Check keystores, then install them with their passwords in a validator client's layout, or send them to a "
        "running validator client through its keymanager API (--via-keymanager)");
    auto* client = import->add_option("--client", import_options->client,
                                      "lighthouse, teku, nimbus, lodestar or generic (the layout on disk)");
    import->add_option("--from", import_options->from, "Directory of keystores (e.g. the output of `keys new`)")
        ->required();
    auto* to = import->add_option("--to", import_options->to, "The client's data directory");
    import->add_option("--password-file", import_options->password_file, "One password for every keystore");
    import->add_flag("--json", import_options->json, "Print one JSON document");
    auto* via = import->add_flag(
        "--via-keymanager", import_options->via_keymanager,
        "Import into the running validator client through its keymanager API (POST /eth/v1/keystores), with the "
        "slashing-protection history of the keys (exit 1 when any key fails)");
    client->excludes(via);
    to->excludes(via);
    import
        ->add_option("--url", import_options->url,
                     "With --via-keymanager: the keymanager API (default: http://127.0.0.1:<port>, the keymanager port "
                     "the node plan gives clients.validator.client)")
        ->needs(via);
    import
        ->add_option("--token-file", import_options->token_file,
                     "With --via-keymanager: the file holding the API's bearer token (default: where the configured "
                     "validator client writes it, when the catalog knows)")
        ->needs(via);
    import
        ->add_option("--slashing-protection", import_options->slashing_protection,
                     "With --via-keymanager: an EIP-3076 interchange to send (default: the history of these keys in "
                     "<data-dir>/validators/slashing-protection.sqlite, if any)")
        ->needs(via);
    import
        ->add_option("--timeout", import_options->timeout_seconds,
                     "With --via-keymanager: seconds to wait for the API (an import gets 10 s more per keystore)")
        ->needs(via)
        ->check(CLI::Range(1U, 3600U));
    import->callback(
        [import_options, &context] { context.exit_code = run_import(*import_options, context.global);
});

add_keys_new_command(*keys, context);
}  // namespace ephemery::cli

}  // namespace ephemery::cli

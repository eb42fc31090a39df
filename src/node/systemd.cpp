#include "node/systemd.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <filesystem>
#include <iterator>

namespace ephemery::node {

namespace {

namespace fs = std::filesystem;

// What starts the units when enabled: boot for the system manager, the user manager's start (login, or boot when
// the user lingers) for a user's.
std::string_view wanted_by(SystemdScope scope) {
    return scope == SystemdScope::system ? "multi-user.target" : "default.target";
}

bool is_control(char c) {
    const auto byte = static_cast<unsigned char>(c);
    return byte < 0x20 || byte == 0x7f;
}

// A word in systemd's quoting (systemd.syntax(7)): double-quoted with C escapes, '%' doubled because
// specifiers are expanded in the settings used here, and '$' doubled where environment variables are
// expanded too (ExecStart=, not paths).
Result<std::string> quote_word(std::string_view text, bool expands_environment) {
    std::string quoted = "\"";
    for (const char c : text) {
        if (c == '\0') return make_error(Errc::invalid_argument, "a NUL byte cannot be passed to a program");
        if (c == '\\' || c == '"') {
            quoted += '\\';
            quoted += c;
        } else if (c == '%') {
            quoted += "%%";
        } else if (c == '$' && expands_environment) {
            quoted += "$$";
        } else if (is_control(c)) {
            // Also keeps newlines out of the file, where they would end the setting.
            fmt::format_to(std::back_inserter(quoted), "\\x{:02x}", static_cast<unsigned char>(c));
        } else {
            quoted += c;
        }
    }
    quoted += '"';
    return quoted;
}

// Free text for Description= and similar: only specifiers are expanded there.
std::string escape_specifiers(std::string_view text) {
    std::string escaped;
    for (const char c : text) {
        if (c == '%') escaped += '%';
        escaped += is_control(c) ? ' ' : c;
    }
    return escaped;
}

// Unit names take letters, digits and ":-_.\" (systemd.unit(5)); '\' is systemd's own escape, so not ours.
bool valid_unit_name_part(std::string_view name) {
    const auto allowed = [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == ':' || c == '-' ||
               c == '_' || c == '.';
    };
    return !name.empty() && name.size() < 200 && std::all_of(name.begin(), name.end(), allowed);
}

// The data dir as systemd accepts it: WorkingDirectory= is not unquoted, so the path is written as is, which
// rules out characters the parser would strip or stop at; "." and ".." components are refused, so the path is
// normalised first.
Result<std::string> normal_path(const fs::path& path, std::string_view service) {
    std::string text = path.lexically_normal().string();
    while (text.size() > 1 && text.back() == '/') text.pop_back();
    const bool representable = std::none_of(text.begin(), text.end(), is_control) && !text.empty() &&
                               text.back() != ' ' && text.back() != '\t';
    if (!path.is_absolute() || !representable) {
        return make_error(Errc::invalid_argument,
                          fmt::format("systemd: the data dir of {} must be an absolute path without control "
                                      "characters or trailing blanks, not \"{}\"",
                                      service, path.string()));
    }
    return text;
}

// User= and Group= take names and numeric ids; these characters are in neither.
bool valid_account_name(std::string_view name) {
    return std::none_of(name.begin(), name.end(), [](char c) { return is_control(c) || c == ' ' || c == '%'; });
}

void append_line(std::string& text, std::string_view key, std::string_view value) {
    fmt::format_to(std::back_inserter(text), "{}={}\n", key, value);
}

Result<UnitFile> service_unit(const NodePlan& plan, const ServicePlan& service, const SystemdInputs& inputs) {
    const auto fail = [&](std::string_view what) {
        return make_error(Errc::invalid_argument, fmt::format("systemd: {}: {}", service.name, what));
    };
    if (!valid_unit_name_part(service.name)) {
        return fail("the name is not a valid unit name (letters, digits, ':', '-', '_' and '.' only)");
    }
    const auto data_dir = normal_path(service.data_dir, service.name);
    if (!data_dir) return data_dir.error();
    const auto writable = quote_word(data_dir.value(), false);
    if (!writable) return fail(writable.error().message);

    // Each argument on a continuation line: long command lines stay readable and diffable.
    std::string exec_start;
    const auto program = quote_word(service.program, true);
    if (!program) return fail(program.error().message);
    exec_start += program.value();
    for (const std::string& argument : service.arguments) {
        const auto quoted = quote_word(argument, true);
        if (!quoted) return fail(fmt::format("{} (in an argument)", quoted.error().message));
        fmt::format_to(std::back_inserter(exec_start), " \\\n    {}", quoted.value());
    }

    const bool system_manager = inputs.scope == SystemdScope::system;
    std::vector<std::string> after;
    if (system_manager) after.emplace_back("network-online.target");
    for (const std::string& dependency : service.depends_on) after.push_back(dependency + ".service");
    const std::string ordering = fmt::format("{}", fmt::join(after, " "));
    const clients::ClientSpec& client = clients::spec_of(service.client);

    std::string text;
    text += "# Written by ephemery from the node plan; edits are lost when it renders the plan again.\n";
    text += "[Unit]\n";
    append_line(text, "Description",
                escape_specifiers(fmt::format("{} {} client of {} ({})", client.display_name,
                                              clients::role_name(service.role), plan.network, service.name)));
    // Wants= rather than Requires=: a consensus client rides out its execution client's restarts, and
    // Requires= would restart it each time the execution client is restarted.
    if (!after.empty()) {
        append_line(text, "Wants", ordering);
        append_line(text, "After", ordering);
    }
    append_line(text, "PartOf", systemd_target_name(plan.network));
    text += "\n[Service]\n";
    // exec: a missing or non-executable program fails the start instead of a started unit that exits.
    append_line(text, "Type", "exec");
    append_line(text, "ExecStart", exec_start);
    append_line(text, "WorkingDirectory", escape_specifiers(data_dir.value()));
    if (!inputs.user.empty()) append_line(text, "User", inputs.user);
    if (!inputs.group.empty()) append_line(text, "Group", inputs.group);
    append_line(text, "Restart", "on-failure");
    append_line(text, "RestartSec", "5");
    // Every client treats SIGINT as Ctrl-C: a clean shutdown that flushes its database, given the time.
    append_line(text, "KillSignal", "SIGINT");
    append_line(text, "TimeoutStopSec", "120");
    // Hardening the clients live with: they need no privileges, no shared /tmp and no writes to /usr, /boot
    // or /etc. Stricter settings (ProtectHome=, ProtectSystem=strict) would need every configured path listed.
    append_line(text, "NoNewPrivileges", "yes");
    if (system_manager) {
        append_line(text, "PrivateTmp", "yes");
        append_line(text, "ProtectSystem", "full");
        append_line(text, "ReadWritePaths", writable.value());
    }
    append_line(text, "StandardOutput", "journal");
    append_line(text, "StandardError", "journal");
    append_line(text, "SyslogIdentifier", service.name);
    text += "\n[Install]\n";
    append_line(text, "WantedBy", wanted_by(inputs.scope));
    return UnitFile{.name = service.name + ".service", .text = std::move(text)};
}

}  // namespace

std::string systemd_target_name(std::string_view network) {
    return fmt::format("ephemery-{}.target", network);
}

Result<std::string> systemd_exec_argument(std::string_view argument) {
    return quote_word(argument, true);
}

Result<std::vector<UnitFile>> render_systemd(const NodePlan& plan, const SystemdInputs& inputs) {
    if (!valid_unit_name_part(plan.network)) {
        return make_error(Errc::invalid_argument,
                          fmt::format("systemd: the network name \"{}\" cannot be part of a unit name (letters, "
                                      "digits, ':', '-', '_' and '.' only)",
                                      plan.network));
    }
    if (inputs.scope == SystemdScope::user && (!inputs.user.empty() || !inputs.group.empty())) {
        return make_error(Errc::invalid_argument,
                          "systemd: a user unit runs as the user whose manager runs it and cannot name a User= or "
                          "Group=; run ephemery as root for system units, or leave the user and group unset");
    }
    for (const auto& [value, what] : {std::pair{&inputs.user, "user"}, {&inputs.group, "group"}}) {
        if (!valid_account_name(*value)) {
            return make_error(Errc::invalid_argument,
                              fmt::format("systemd: the {} {:?} has blanks, '%' or control characters", what, *value));
        }
    }
    std::vector<UnitFile> units;
    std::vector<std::string> names;
    for (const ServicePlan& service : plan.services) {
        auto unit = service_unit(plan, service, inputs);
        if (!unit) return unit.error();
        names.push_back(unit->name);
        units.push_back(std::move(unit).value());
    }

    std::string text;
    text += "# Written by ephemery from the node plan; edits are lost when it renders the plan again.\n";
    text += "[Unit]\n";
    append_line(text, "Description", escape_specifiers(fmt::format("Ephemery node of {}", plan.network)));
    if (!names.empty()) append_line(text, "Wants", fmt::format("{}", fmt::join(names, " ")));
    text += "\n[Install]\n";
    append_line(text, "WantedBy", wanted_by(inputs.scope));
    units.push_back({.name = systemd_target_name(plan.network), .text = std::move(text)});
    return units;
}

}  // namespace ephemery::node

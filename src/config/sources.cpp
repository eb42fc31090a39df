#include "config/sources.hpp"

#include "infra/files.hpp"

#include <fmt/format.h>

extern char** environ;  // NOLINT(readability-redundant-declaration): POSIX, not declared by <cstdlib>

namespace ephemery::config {

Environment process_environment() {
    Environment environment;
    for (char** entry = environ; entry != nullptr && *entry != nullptr; ++entry) {
        const std::string_view variable{*entry};
        const auto equals = variable.find('=');
        if (equals == std::string_view::npos) continue;
        environment.emplace(variable.substr(0, equals), variable.substr(equals + 1));
    }
    return environment;
}

Result<std::optional<std::filesystem::path>> locate_config_file(
    const std::optional<std::filesystem::path>& explicit_path, const Environment& environment) {
    std::error_code error;
    const auto must_exist = [&](const std::filesystem::path& path,
                                std::string_view origin) -> Result<std::optional<std::filesystem::path>> {
        if (!std::filesystem::is_regular_file(path, error)) {
            return make_error(Errc::not_found,
                              fmt::format("config file {} (from {}) does not exist; create one with `ephemery config "
                                          "init --output {}`",
                                          path.string(), origin, path.string()));
        }
        return std::optional{path};
    };
    if (explicit_path) return must_exist(*explicit_path, "--config");
    if (const auto it = environment.find(std::string(config_path_variable));
        it != environment.end() && !it->second.empty()) {
        return must_exist(it->second, config_path_variable);
    }
    for (const std::filesystem::path candidate : {"ephemery.yaml", "/etc/ephemery/ephemery.yaml"}) {
        if (std::filesystem::is_regular_file(candidate, error)) return std::optional{candidate};
    }
    return std::optional<std::filesystem::path>{};
}

Result<LoadRequest> gather_load_request(const std::optional<std::filesystem::path>& config_file,
                                        Environment environment, std::map<std::string, Override> cli_overrides) {
    LoadRequest request;
    if (config_file) {
        auto text = infra::read_file(*config_file, max_config_bytes);
        if (!text) return text.error();
        request.file_label = config_file->string();
        request.yaml_text = std::move(text).value();
    }
    request.environment = std::move(environment);
    if (const auto home = request.environment.find("HOME"); home != request.environment.end()) {
        request.home = home->second;
    }
    std::error_code error;
    request.working_directory = std::filesystem::current_path(error);
    if (error) return make_error(Errc::io_error, fmt::format("cannot read the working directory: {}", error.message()));
    request.cli_overrides = std::move(cli_overrides);
    return request;
}

}  // namespace ephemery::config

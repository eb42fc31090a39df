// libFuzzer target: the config loader must turn any bytes into diagnostics, never crash or hang.
#include "config/config.hpp"
#include "config/emit.hpp"

#include <cstddef>
#include <cstdint>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    ephemery::config::LoadRequest request;
    request.file_label = "fuzz.yaml";
    request.yaml_text.assign(reinterpret_cast<const char*>(data),
                             size);  // NOLINT(cppcoreguidelines-pro-type-reinterpret-cast)
    request.home = "/home/fuzz";
    request.working_directory = "/";
    const auto outcome = ephemery::config::load_config(request);
    if (outcome.ok()) {
        // What loads must dump and load again to the same effective config.
        ephemery::config::LoadRequest again = request;
        again.yaml_text = ephemery::config::to_yaml(outcome.effective);
        const auto reloaded = ephemery::config::load_config(again);
        if (!reloaded.ok() || reloaded.effective != outcome.effective) __builtin_trap();
    }
    return 0;
}

// The ephemery program: everything lives in the libraries under src/; this only guards the entry point.
#include "cli/app.hpp"
#include "core/exit_code.hpp"

#include <cstdio>
#include <exception>

int main(int argc, char** argv) {
    try {
        return ephemery::cli::run(argc, argv);
    } catch (const std::exception& error) {
        // Expected failures are Results; an exception here is a start-up failure we could not foresee.
        (void)std::fprintf(stderr, "fatal: %s\n", error.what());
        return ephemery::to_int(ephemery::ExitCode::runtime_failure);
    }
}

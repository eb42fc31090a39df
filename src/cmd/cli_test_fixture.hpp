#pragma once

#include "test_support/run_command.hpp"
#include "test_support/temp_dir.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

namespace ephemery {

// Writes a file for a test, creating its directory.
inline void write(const std::filesystem::path& path, const std::string& contents) {
    std::filesystem::create_directories(path.parent_path());
    std::ofstream(path, std::ios::binary) << contents;
}

// Runs the built binary as an operator would: a fresh $HOME, an empty working directory, a minimal PATH.
class Cli : public testing::Test {
  protected:
    test::CommandOutput run(std::vector<std::string> args, std::map<std::string, std::string> extra_env = {}) {
        args.insert(args.begin(), EPHEMERY_BINARY);
        std::map<std::string, std::string> env{{"HOME", home_.path().string()}, {"PATH", "/usr/bin:/bin"}};
        env.insert(extra_env.begin(), extra_env.end());
        return test::run_command(args, env, work_.path().string());
    }
    static std::string config(const std::string& name) { return std::string(EPHEMERY_TEST_DATA) + "/" + name; }

    test::TempDir home_;
    test::TempDir work_;  // empty working directory: no ./ephemery.yaml is picked up by accident
};

}  // namespace ephemery

# Every dependency is a Debian 12 package installed by scripts/bootstrap.
find_package(fmt REQUIRED)
find_package(spdlog REQUIRED)
find_package(yaml-cpp REQUIRED)
find_package(nlohmann_json REQUIRED)
find_package(CLI11 REQUIRED)
find_package(simdjson REQUIRED)
find_package(CURL REQUIRED)
find_package(LibArchive REQUIRED)
find_package(OpenSSL REQUIRED)
find_package(SQLite3 REQUIRED)  # infra (history, slashing protection)
find_package(ZLIB REQUIRED)  # release archives' gzip trailers (infra); the ssz tests' gzip-compressed fixtures
find_package(Threads REQUIRED)
find_package(ICU REQUIRED COMPONENTS uc)  # core: which characters a message must escape (printable)
# cpp-httplib (header-only) ships a pkg-config file, no CMake package, in Debian 12.
find_package(PkgConfig REQUIRED)
pkg_check_modules(HTTPLIB REQUIRED IMPORTED_TARGET cpp-httplib)

if(EPHEMERY_TESTS)
  find_package(GTest REQUIRED)
endif()
if(EPHEMERY_BENCH)
  find_package(benchmark REQUIRED)
endif()

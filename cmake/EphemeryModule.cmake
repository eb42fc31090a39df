# ephemery_module(NAME
#   [SOURCES a.cpp ...]      library sources; none makes an INTERFACE (header-only) module
#   [DEPS target ...]        modules and packages this one may use (see docs/architecture.md)
#   [TESTS a_test.cpp ...]   GoogleTest files beside the code, one test binary per module
#   [TEST_DEPS target ...]   extra libraries the tests need (fixtures, test servers)
#   [FUZZERS a_fuzz.cpp ...] libFuzzer entry points, built with the 'fuzz' preset only)
# Defines the target ephemery_<NAME> and its alias ephemery::<NAME>.
function(ephemery_module NAME)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS;TESTS;TEST_DEPS;FUZZERS" ${ARGN})
  set(target ephemery_${NAME})
  if(ARG_SOURCES)
    add_library(${target} STATIC ${ARG_SOURCES})
    target_include_directories(${target} PUBLIC ${PROJECT_SOURCE_DIR}/src)
    target_link_libraries(${target} PUBLIC ${ARG_DEPS} PRIVATE ephemery_warnings)
  else()
    add_library(${target} INTERFACE)
    target_include_directories(${target} INTERFACE ${PROJECT_SOURCE_DIR}/src)
    target_link_libraries(${target} INTERFACE ${ARG_DEPS})
  endif()
  add_library(ephemery::${NAME} ALIAS ${target})

  if(EPHEMERY_TESTS AND ARG_TESTS)
    add_executable(${target}_test ${ARG_TESTS})
    target_link_libraries(${target}_test PRIVATE ${target} ${ARG_TEST_DEPS} ephemery_test_support GTest::gtest GTest::gmock
                                                 GTest::gtest_main ephemery_warnings)
    gtest_discover_tests(${target}_test DISCOVERY_TIMEOUT 60)
  endif()

  if(EPHEMERY_FUZZ)
    foreach(fuzzer_source IN LISTS ARG_FUZZERS)
      get_filename_component(fuzzer_name ${fuzzer_source} NAME_WE)
      add_executable(${fuzzer_name} ${fuzzer_source})
      target_link_libraries(${fuzzer_name} PRIVATE ${target} ephemery_warnings)
      target_link_options(${fuzzer_name} PRIVATE -fsanitize=fuzzer)
      set_property(GLOBAL APPEND PROPERTY EPHEMERY_FUZZERS ${fuzzer_name})
    endforeach()
  endif()
endfunction()

# blst (BLS12-381) comes from the npm registry: the C and assembly sources ship inside @chainsafe/blst 0.2.x
# under package/blst/. The tarball is fetched at configure time, checked against the SHA-512 the registry
# publishes as the version's `integrity`, and built here; nothing of it is committed.
set(EPHEMERY_BLST_VERSION 0.2.11)
# `npm view @chainsafe/blst@0.2.11 dist.integrity`, base64 decoded to hex.
set(EPHEMERY_BLST_SHA512
    511c8e2eae46b71068c626ce9ddda980bc9d0b2d146736e220805cb1102f1b102c4738d92f4e13b107f0464cf96a9854ddad5e6de46832623f1c7c8c0a215242)
set(EPHEMERY_NPM_REGISTRY "https://registry.npmjs.org" CACHE STRING "npm registry the blst tarball is fetched from")
# Shared by every preset so a checkout downloads it once.
set(EPHEMERY_DOWNLOAD_CACHE "${PROJECT_SOURCE_DIR}/build/downloads" CACHE PATH "Where fetched tarballs are kept")

set(blst_tarball "${EPHEMERY_DOWNLOAD_CACHE}/chainsafe-blst-${EPHEMERY_BLST_VERSION}.tgz")
file(DOWNLOAD "${EPHEMERY_NPM_REGISTRY}/@chainsafe/blst/-/blst-${EPHEMERY_BLST_VERSION}.tgz" "${blst_tarball}"
     EXPECTED_HASH SHA512=${EPHEMERY_BLST_SHA512}
     TLS_VERIFY ON
     STATUS blst_download_status)
list(GET blst_download_status 0 blst_download_code)
if(NOT blst_download_code EQUAL 0)
  list(GET blst_download_status 1 blst_download_message)
  file(REMOVE "${blst_tarball}")
  message(FATAL_ERROR "Fetching @chainsafe/blst ${EPHEMERY_BLST_VERSION} from ${EPHEMERY_NPM_REGISTRY} failed: "
                      "${blst_download_message}. The build needs the npm registry (or set EPHEMERY_NPM_REGISTRY "
                      "to a mirror, or place the tarball at ${blst_tarball}).")
endif()

set(blst_root "${CMAKE_BINARY_DIR}/_deps/blst-${EPHEMERY_BLST_VERSION}")
if(NOT EXISTS "${blst_root}/package/blst/src/server.c")
  file(REMOVE_RECURSE "${blst_root}")
  file(ARCHIVE_EXTRACT INPUT "${blst_tarball}" DESTINATION "${blst_root}"
       PATTERNS package/blst/src package/blst/build package/blst/bindings/blst.h package/blst/bindings/blst_aux.h)
endif()
set(blst_dir "${blst_root}/package/blst")

enable_language(C ASM)
# server.c includes every other C file; assembly.S picks the right flavour for the platform.
add_library(blst STATIC "${blst_dir}/src/server.c" "${blst_dir}/build/assembly.S")
# __BLST_PORTABLE__: choose ADX/non-ADX code at run time, so a binary built here runs on any x86-64.
target_compile_definitions(blst PRIVATE __BLST_PORTABLE__)
target_compile_options(blst PRIVATE -O2 -fno-builtin -fPIC $<$<COMPILE_LANGUAGE:C>:-w>)
# Constant-time code is not instrumented: sanitizers would only slow it down and report nothing of ours.
target_compile_options(blst PRIVATE -fno-sanitize=all)
target_include_directories(blst SYSTEM INTERFACE "${blst_dir}/bindings")
add_library(blst::blst ALIAS blst)

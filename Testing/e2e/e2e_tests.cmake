# End-to-end tests of the `deface` command on real scans and on harder cases derived from them
# (Testing/e2e/*.sh). Included from Testing/CMakeLists.txt after add_subdirectory(tools), which
# defines inv3_to_nifti (needed to fetch the CT). Label `data`: every test first fetches its
# fixtures with Testing/data/fetch_testdata.sh into that script's default cache (or
# $DEFACE_TESTDATA when set in ctest's environment); a failed fetch fails the test, never skips it.
#
# make_case and verify_deface (Testing/tools) are built here, linked to nifti_clib only, so the
# checks do not share code with what they check.
if(NOT TARGET deface)
  message(STATUS "e2e tests: the deface command is not built (DEFACE_BUILD_CLI=OFF), skipped")
  return()
endif()
if(NOT TARGET inv3_to_nifti)
  message(FATAL_ERROR "e2e_tests.cmake needs the inv3_to_nifti target: "
                      "add_subdirectory(tools) before including it")
endif()
if(NOT TARGET NIFTI::nifti2)
  include(${PROJECT_SOURCE_DIR}/cmake/nifti.cmake)
endif()

set(DEFACE_E2E_DIR ${CMAKE_CURRENT_LIST_DIR})
set(_deface_tools_dir ${CMAKE_CURRENT_LIST_DIR}/../tools)
foreach(_tool make_case verify_deface)
  if(NOT TARGET ${_tool})
    add_executable(${_tool} ${_deface_tools_dir}/${_tool}.c)
    target_link_libraries(${_tool} PRIVATE NIFTI::nifti2 m)
  endif()
endforeach()
target_sources(make_case PRIVATE ${_deface_tools_dir}/make_case_artefacts.c)

# deface_e2e_test(NAME SCRIPT [ARG...]): runs Testing/e2e/SCRIPT with the tools' paths.
function(deface_e2e_test name script)
  add_test(NAME ${name} COMMAND bash ${DEFACE_E2E_DIR}/${script} ${ARGN})
  set_tests_properties(${name} PROPERTIES
    LABELS data
    TIMEOUT 1800 # the first run downloads the fixture packages
    ENVIRONMENT "DEFACE=$<TARGET_FILE:deface>;MAKE_CASE=$<TARGET_FILE:make_case>;VERIFY_DEFACE=$<TARGET_FILE:verify_deface>;DEFACE_INV3_TO_NIFTI=$<TARGET_FILE:inv3_to_nifti>;TEST_NAME=${name}")
endfunction()

deface_e2e_test(e2e_ch2 e2e_ch2.sh zero)
deface_e2e_test(e2e_ch2_blur e2e_ch2.sh blur)
deface_e2e_test(e2e_ch2_noise e2e_ch2.sh noise)
deface_e2e_test(e2e_kmeans e2e_kmeans.sh)
deface_e2e_test(e2e_ct e2e_ct.sh)
deface_e2e_test(e2e_derived e2e_derived.sh)
deface_e2e_test(e2e_refusals e2e_refusals.sh)

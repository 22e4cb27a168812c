# The defacing evaluation (Testing/eval/evaluate.sh): hard cases derived in code from the fetched
# scans, each defaced and checked against carried truth, one row per case and a summary line.
# Included from Testing/CMakeLists.txt after e2e/e2e_tests.cmake, which builds the make_case and
# verify_deface tools it uses.
#
#   ctest -R eval_subset                     the representative subset (label `data`, about 30 s)
#   cmake --build build --target evaluate    every case (about 90 s), table on the terminal
#
# Both fetch the fixtures like the e2e tests (DEFACE_TESTDATA, if set in the environment, chooses
# the cache) and need Debian's dcm2niix for the DICOM case. Both fail when any case fails.
if(NOT TARGET deface)
  message(STATUS "evaluation: the deface command is not built (DEFACE_BUILD_CLI=OFF), skipped")
  return()
endif()
foreach(_tool make_case verify_deface inv3_to_nifti)
  if(NOT TARGET ${_tool})
    message(FATAL_ERROR "eval_tests.cmake needs the ${_tool} target: include it after "
                        "e2e/e2e_tests.cmake")
  endif()
endforeach()

set(_deface_eval_env
    DEFACE=$<TARGET_FILE:deface> MAKE_CASE=$<TARGET_FILE:make_case>
    VERIFY_DEFACE=$<TARGET_FILE:verify_deface> DEFACE_INV3_TO_NIFTI=$<TARGET_FILE:inv3_to_nifti>)

add_test(NAME eval_subset COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/evaluate.sh)
set_tests_properties(eval_subset PROPERTIES
  LABELS data
  TIMEOUT 1800 # the first run downloads the fixture packages
  ENVIRONMENT "${_deface_eval_env};TEST_NAME=eval_subset")

add_custom_target(evaluate
  COMMAND ${CMAKE_COMMAND} -E env ${_deface_eval_env} TEST_NAME=evaluate
          bash ${CMAKE_CURRENT_LIST_DIR}/evaluate.sh --full
  DEPENDS deface make_case verify_deface inv3_to_nifti
  USES_TERMINAL
  COMMENT "deface evaluation: every derived case (Testing/eval/evaluate.sh --full)"
  VERBATIM)

# The readers against damaged input (Testing/fuzz): fuzz_nifti (the NIfTI reader) and fuzz_dicom
# (the DICOM scan, series assembly and pixel load). The plain build runs deterministic mutation
# drivers in CTest (fuzz_nifti_smoke, label unit; fuzz_dicom_smoke, label data: its seeds come from
# the test series); with clang and -DDEFACE_FUZZ=ON (best with -DDEFACE_SANITIZE=ON) the same entry
# points are libFuzzer targets, and CTest runs each for a bounded number of inputs from seeds
# (label fuzz; .ci/run does, in build-fuzz).
option(DEFACE_FUZZ "Build libFuzzer targets (clang)" OFF)
set(DEFACE_FUZZ_RUNS 20000 CACHE STRING "Inputs each libFuzzer target runs in CTest (label fuzz)")
add_executable(fuzz_nifti ${CMAKE_CURRENT_LIST_DIR}/fuzz_nifti.c)
target_link_libraries(fuzz_nifti PRIVATE deface_nifti deface_core)
if(TARGET deface_dicom)
  add_executable(fuzz_dicom ${CMAKE_CURRENT_LIST_DIR}/fuzz_dicom.c)
  target_link_libraries(fuzz_dicom PRIVATE deface_dicom deface_core)
endif()
set(_fuzz_env "TEST_NAME=fuzz;MAKE_CASE=/bin/true;VERIFY_DEFACE=/bin/true;DEFACE=/bin/true")
# The seed maker: this build's nifti_to_dicom, or one already built elsewhere (.ci/run passes the
# normal build's, so that the fuzz build compiles only the fuzz targets and what they test).
set(DEFACE_NIFTI_TO_DICOM "" CACHE FILEPATH "nifti_to_dicom for the fuzz seeds (default: this build's)")
set(_n2d $<TARGET_FILE:nifti_to_dicom>)
if(DEFACE_NIFTI_TO_DICOM)
  set(_n2d ${DEFACE_NIFTI_TO_DICOM})
endif()
if(DEFACE_FUZZ)
  # Coverage in the code under test, not only in the drivers: libFuzzer steers by it.
  foreach(_lib deface_core deface_write deface_nifti deface_dicom)
    if(TARGET ${_lib})
      target_compile_options(${_lib} PRIVATE -fsanitize=fuzzer-no-link)
    endif()
  endforeach()
  foreach(_t fuzz_nifti fuzz_dicom)
    if(TARGET ${_t})
      target_compile_definitions(${_t} PRIVATE DEFACE_LIBFUZZER)
      target_compile_options(${_t} PRIVATE -fsanitize=fuzzer)
      target_link_options(${_t} PRIVATE -fsanitize=fuzzer)
    endif()
  endforeach()
  add_test(NAME fuzz_nifti_run COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/run_fuzzer.sh nifti
                                       $<TARGET_FILE:fuzz_nifti> ${DEFACE_FUZZ_RUNS})
  set_tests_properties(fuzz_nifti_run PROPERTIES LABELS fuzz TIMEOUT 1200
                       ENVIRONMENT "${_fuzz_env}")
  if(TARGET fuzz_dicom)
    add_test(NAME fuzz_dicom_run COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/run_fuzzer.sh dicom
                                         $<TARGET_FILE:fuzz_dicom> ${DEFACE_FUZZ_RUNS})
    set_tests_properties(fuzz_dicom_run PROPERTIES LABELS fuzz TIMEOUT 1800
                         ENVIRONMENT "${_fuzz_env};NIFTI_TO_DICOM=${_n2d}")
  endif()
else()
  add_test(NAME fuzz_nifti_smoke COMMAND fuzz_nifti)
  set_tests_properties(fuzz_nifti_smoke PROPERTIES LABELS unit)
  if(TARGET fuzz_dicom)
    add_test(NAME fuzz_dicom_smoke COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/run_fuzzer.sh smoke
                                           $<TARGET_FILE:fuzz_dicom>)
    set_tests_properties(fuzz_dicom_smoke PROPERTIES LABELS data TIMEOUT 1200
                         ENVIRONMENT "${_fuzz_env};NIFTI_TO_DICOM=$<TARGET_FILE:nifti_to_dicom>")
  endif()
endif()

# The NIfTI reader against damaged files (Testing/fuzz). The plain build runs
# a deterministic mutation driver in CTest (label unit); with clang and
# -DDEFACE_FUZZ=ON the same entry point becomes a libFuzzer target.
option(DEFACE_FUZZ "Build libFuzzer targets (clang)" OFF)
add_executable(fuzz_nifti ${CMAKE_CURRENT_LIST_DIR}/fuzz_nifti.c)
target_link_libraries(fuzz_nifti PRIVATE deface_nifti deface_core)
if(DEFACE_FUZZ)
  target_compile_definitions(fuzz_nifti PRIVATE DEFACE_LIBFUZZER)
  target_compile_options(fuzz_nifti PRIVATE -fsanitize=fuzzer)
  target_link_options(fuzz_nifti PRIVATE -fsanitize=fuzzer)
else()
  add_test(NAME fuzz_nifti_smoke COMMAND fuzz_nifti)
  set_tests_properties(fuzz_nifti_smoke PROPERTIES LABELS unit)
endif()

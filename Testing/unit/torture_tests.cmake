# Allocation-failure torture of the core and the NIfTI adapter (test_alloc_torture.c): every
# allocation failed in turn, through -Wl,--wrap of malloc, calloc, realloc, aligned_alloc and free (the
# libraries are linked statically into the test, so their calls are wrapped; no library code
# changes). Labels unit and torture.
add_executable(test_alloc_torture ${CMAKE_CURRENT_LIST_DIR}/test_alloc_torture.c)
target_include_directories(test_alloc_torture PRIVATE ${CMAKE_CURRENT_LIST_DIR})
target_link_libraries(test_alloc_torture PRIVATE deface_nifti deface_write deface_core m)
# libdeflate's static archive, where Debian ships one, ahead of its shared library: then its
# allocations (the compressor and decompressor) are failed in turn too.
get_filename_component(_deflate_dir "${LIBDEFLATE_LIBRARY}" DIRECTORY)
if(EXISTS ${_deflate_dir}/libdeflate.a)
  target_link_libraries(test_alloc_torture PRIVATE ${_deflate_dir}/libdeflate.a)
endif()
target_link_options(test_alloc_torture PRIVATE
  -Wl,--wrap=malloc -Wl,--wrap=calloc -Wl,--wrap=realloc -Wl,--wrap=aligned_alloc
  -Wl,--wrap=free)
add_test(NAME alloc_torture COMMAND test_alloc_torture)
set_tests_properties(alloc_torture PROPERTIES LABELS "unit;torture" TIMEOUT 1200)

# Unit tests of the NIfTI adapter (Logic/IO). Included from Testing/CMakeLists.txt.
# The test also drives nifti_clib directly, to make inputs and to read outputs
# back independently of the adapter.
if(NOT TARGET NIFTI::nifti2)
  include(${PROJECT_SOURCE_DIR}/cmake/nifti.cmake)
endif()
add_executable(test_nifti_io ${CMAKE_CURRENT_LIST_DIR}/test_nifti_io.c)
target_include_directories(test_nifti_io PRIVATE ${CMAKE_CURRENT_LIST_DIR})
target_link_libraries(test_nifti_io PRIVATE deface_nifti deface_core NIFTI::nifti2)
add_test(NAME nifti_io COMMAND test_nifti_io)
set_tests_properties(nifti_io PROPERTIES LABELS unit)

# The write transaction every output goes through (Logic/IO/write.c).
add_executable(test_write ${CMAKE_CURRENT_LIST_DIR}/test_write.c)
target_include_directories(test_write PRIVATE ${CMAKE_CURRENT_LIST_DIR})
target_link_libraries(test_write PRIVATE deface_write)
add_test(NAME write_transaction COMMAND test_write)
set_tests_properties(write_transaction PROPERTIES LABELS unit)

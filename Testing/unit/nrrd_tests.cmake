# Unit tests of the NRRD adapter (Logic/IO/deface_nrrd.h). Included from Testing/CMakeLists.txt.
# Labels unit and slicer: the adapter is what the Slicer module reads and writes through.
add_executable(test_nrrd_io ${CMAKE_CURRENT_LIST_DIR}/test_nrrd_io.c)
target_include_directories(test_nrrd_io PRIVATE ${CMAKE_CURRENT_LIST_DIR})
target_link_libraries(test_nrrd_io PRIVATE deface_nrrd deface_core ZLIB::ZLIB)
add_test(NAME nrrd_io COMMAND ${CMAKE_CURRENT_LIST_DIR}/../slicer/with_comma_locale.sh
         $<TARGET_FILE:test_nrrd_io> ${CMAKE_CURRENT_BINARY_DIR} de_DE.UTF-8)
set_tests_properties(nrrd_io PROPERTIES LABELS "unit;slicer")

# Tests that act as 3D Slicer would towards the FaceMasking CLI module (Module/, SLICER_CLI.md).
# Label `slicer`. Included from Testing/CMakeLists.txt; skipped when the module is not built.
# The ch2 tests fetch mricron-data with Testing/data/fetch_testdata.sh (cache: $DEFACE_TESTDATA
# when set in ctest's environment); a failed fetch fails the test.
if(NOT TARGET FaceMasking OR NOT TARGET FaceMaskingLib)
  message(STATUS "slicer tests: the FaceMasking module is not built (DEFACE_BUILD_MODULE=OFF), skipped")
  return()
endif()
find_package(Python3 COMPONENTS Interpreter REQUIRED)
if(NOT TARGET NIFTI::nifti2)
  include(${PROJECT_SOURCE_DIR}/cmake/nifti.cmake)
endif()
set(_slicer_dir ${CMAKE_CURRENT_LIST_DIR})

# Helpers that share no code with the module: a NIfTI -> Slicer-style NRRD writer (nifti_clib)
# and an ITK header reader (ITK's own ImageIO factory).
add_executable(nifti_to_nrrd ${_slicer_dir}/nifti_to_nrrd.c)
target_link_libraries(nifti_to_nrrd PRIVATE NIFTI::nifti2 m)
include(${PROJECT_SOURCE_DIR}/cmake/itk.cmake)
add_executable(image_geometry ${_slicer_dir}/image_geometry.cxx)
target_include_directories(image_geometry PRIVATE ${ITK_INCLUDE_DIRS})
target_link_libraries(image_geometry PRIVATE ${ITK_LIBRARIES})
# The in-process host: plain C, dlopen only (like Slicer, it does not link the module).
add_executable(test_module_host ${_slicer_dir}/test_module_host.c)
target_include_directories(test_module_host PRIVATE ${PROJECT_SOURCE_DIR}/Testing/unit)
target_link_libraries(test_module_host PRIVATE ${CMAKE_DL_LIBS})
add_dependencies(test_module_host FaceMaskingLib)

set(_slicer_env
  "FACEMASKING=$<TARGET_FILE:FaceMasking>"
  "FACEMASKING_LIB=$<TARGET_FILE:FaceMaskingLib>"
  "NIFTI_TO_NRRD=$<TARGET_FILE:nifti_to_nrrd>"
  "IMAGE_GEOMETRY=$<TARGET_FILE:image_geometry>"
  "MODULE_HOST=$<TARGET_FILE:test_module_host>"
  "FETCH_TESTDATA=${PROJECT_SOURCE_DIR}/Testing/data/fetch_testdata.sh")

# slicer_test(NAME COMMAND...): a test with the label and the tools' paths.
function(slicer_test name)
  add_test(NAME ${name} COMMAND ${ARGN})
  set_tests_properties(${name} PROPERTIES LABELS slicer TIMEOUT 900 ENVIRONMENT "${_slicer_env}")
endfunction()

# The description: `FaceMasking --xml` is exactly FaceMasking.xml and obeys every rule; the checker
# rejects each deliberately broken copy; the library exports only Slicer's two symbols.
slicer_test(slicer_xml ${Python3_EXECUTABLE} ${_slicer_dir}/check_cli_xml.py
            --exe $<TARGET_FILE:FaceMasking>)
slicer_test(slicer_xml_checker_fails ${Python3_EXECUTABLE} ${_slicer_dir}/check_cli_xml.py
            --self-test $<TARGET_FILE_DIR:FaceMasking>/FaceMasking.xml)
slicer_test(slicer_exports bash ${_slicer_dir}/check_exports.sh $<TARGET_FILE:FaceMaskingLib>)
# The executable with Slicer's argv on ch2 as a raw NRRD; then tilted 12 degrees (a non-trivial
# direction matrix) with the blur fill; then bad inputs.
slicer_test(slicer_exe_ch2 ${Python3_EXECUTABLE} ${_slicer_dir}/run_module_exe.py defaced)
slicer_test(slicer_exe_ch2_tilted ${Python3_EXECUTABLE} ${_slicer_dir}/run_module_exe.py defaced
            --tilt 12 --fill blur)
slicer_test(slicer_exe_bad_input ${Python3_EXECUTABLE} ${_slicer_dir}/run_module_exe.py bad)
# The library loaded in-process: progress through the callback, Abort midway, a missing input.
slicer_test(slicer_inprocess bash ${_slicer_dir}/run_host.sh)
# The batch script parses and imports without Slicer (its Slicer imports are inside functions).
slicer_test(slicer_batch_script ${Python3_EXECUTABLE} ${_slicer_dir}/check_batch_script.py
            ${PROJECT_SOURCE_DIR}/Resources/Python/deface_batch.py)

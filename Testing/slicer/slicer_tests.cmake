# Tests that act as 3D Slicer would towards the FaceMasking CLI module (Module/, SLICER_CLI.md,
# Module/README.md). Label `slicer`. Included from Testing/CMakeLists.txt when the module is built.
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

# Helpers that share no code with the module: a NIfTI -> Slicer-style NRRD writer (nifti_clib),
# an ITK header reader (ITK's own ImageIO factory), and the NRRD adapter's view of a file (to
# compare with ITK's).
add_executable(nifti_to_nrrd ${_slicer_dir}/nifti_to_nrrd.c)
target_link_libraries(nifti_to_nrrd PRIVATE NIFTI::nifti2 m)
include(${PROJECT_SOURCE_DIR}/cmake/itk.cmake)
add_executable(image_geometry ${_slicer_dir}/image_geometry.cxx)
target_include_directories(image_geometry PRIVATE ${ITK_INCLUDE_DIRS})
target_link_libraries(image_geometry PRIVATE ${ITK_LIBRARIES})
add_executable(nrrd_geometry ${_slicer_dir}/nrrd_geometry.c)
target_link_libraries(nrrd_geometry PRIVATE deface_nrrd deface_core m)

# The in-process hosts (C++, dlopen only: like Slicer, they do not link the module). The plain
# one runs the extension build's library, which links ITK by design; the other is linked to a
# stand-in library holding, in the global scope, every ITK/teem/nifti symbol the module could
# bind to and every function name of the module's own core, adapter and module code
# (make_standin.cmake), each stopping the host with exit code 99 when called.
add_executable(test_module_host ${_slicer_dir}/test_module_host.cxx)
target_include_directories(test_module_host PRIVATE ${PROJECT_SOURCE_DIR}/Testing/unit)
target_link_libraries(test_module_host PRIVATE ${CMAKE_DL_LIBS})
set(_standin_c ${CMAKE_CURRENT_BINARY_DIR}/slicer_standin.c)
add_custom_command(OUTPUT ${_standin_c}
  COMMAND ${CMAKE_COMMAND} -DNM=${CMAKE_NM} -DLIB=$<TARGET_FILE:FaceMaskingLib>
          -DLIST=${_slicer_dir}/conflicting_symbols.txt -DOUT=${_standin_c}
          -P ${_slicer_dir}/make_standin.cmake
  DEPENDS FaceMaskingLib ${_slicer_dir}/conflicting_symbols.txt ${_slicer_dir}/make_standin.cmake
  COMMENT "Writing the Slicer stand-in library's symbols")
add_library(slicer_standin SHARED ${_standin_c})
add_executable(test_module_host_standin ${_slicer_dir}/test_module_host.cxx)
target_include_directories(test_module_host_standin PRIVATE ${PROJECT_SOURCE_DIR}/Testing/unit)
target_link_options(test_module_host_standin PRIVATE LINKER:--no-as-needed)
target_link_libraries(test_module_host_standin PRIVATE slicer_standin ${CMAKE_DL_LIBS})
add_dependencies(test_module_host_standin FaceMaskingLib)
# A library that binds to ITK by name, as the module's library once did: the stand-in must stop it.
# Linked -Bsymbolic like the module, so that only its ITK call binds to the stand-in (and the
# sanitizer's check of duplicate globals does not trip on its XMLModuleDescription first).
add_library(bad_module SHARED ${_slicer_dir}/bad_module.c)
set_target_properties(bad_module PROPERTIES C_VISIBILITY_PRESET hidden)
target_link_options(bad_module PRIVATE -Wl,-Bsymbolic)

set(_slicer_env
  "NIFTI_TO_NRRD=$<TARGET_FILE:nifti_to_nrrd>"
  "IMAGE_GEOMETRY=$<TARGET_FILE:image_geometry>"
  "NRRD_GEOMETRY=$<TARGET_FILE:nrrd_geometry>"
  "FETCH_TESTDATA=${PROJECT_SOURCE_DIR}/Testing/data/fetch_testdata.sh")

# slicer_test(NAME COMMAND...): a test with the label and the tools' paths.
function(slicer_test name)
  add_test(NAME ${name} COMMAND ${ARGN})
  set_tests_properties(${name} PROPERTIES LABELS slicer TIMEOUT 900 ENVIRONMENT "${_slicer_env}")
endfunction()

set(_exe $<TARGET_FILE:FaceMasking>)
set(_lib $<TARGET_FILE:FaceMaskingLib>)
# The description: `FaceMasking --xml` is exactly FaceMasking.xml and obeys every rule; the checker
# rejects each deliberately broken copy.
slicer_test(slicer_xml ${Python3_EXECUTABLE} ${_slicer_dir}/check_cli_xml.py --exe ${_exe})
slicer_test(slicer_xml_checker_fails ${Python3_EXECUTABLE} ${_slicer_dir}/check_cli_xml.py
            --self-test $<TARGET_FILE_DIR:FaceMasking>/FaceMasking.xml)
# The library exports Slicer's two symbols and imports only libc, libm and zlib.
if(DEFACE_SANITIZE)
  set(_sanitizer --sanitizer)
endif()
slicer_test(slicer_library_imports ${Python3_EXECUTABLE} ${_slicer_dir}/check_library.py ${_lib}
            ${_sanitizer})
# The NRRD adapter reads every variant as ITK (and so Slicer) does.
slicer_test(slicer_nrrd_vs_itk ${Python3_EXECUTABLE} ${_slicer_dir}/check_nrrd_vs_itk.py)
# The executable with Slicer's argv on ch2 as a raw NRRD; tilted 12 degrees with the blur fill;
# gzip-encoded; NIfTI through ITK; bad inputs.
slicer_test(slicer_exe_ch2 ${Python3_EXECUTABLE} ${_slicer_dir}/run_module_exe.py ${_exe} defaced)
slicer_test(slicer_exe_ch2_tilted ${Python3_EXECUTABLE} ${_slicer_dir}/run_module_exe.py ${_exe}
            defaced --tilt 12 --fill blur)
slicer_test(slicer_exe_ch2_gzip ${Python3_EXECUTABLE} ${_slicer_dir}/run_module_exe.py ${_exe}
            defaced --gzip)
if(DEFACE_MODULE_ITK)
  slicer_test(slicer_exe_nifti ${Python3_EXECUTABLE} ${_slicer_dir}/run_module_exe.py ${_exe} nifti)
endif()
slicer_test(slicer_exe_bad_input ${Python3_EXECUTABLE} ${_slicer_dir}/run_module_exe.py ${_exe} bad)
# The library in-process, in a host holding conflicting ITK/teem/nifti and same-named symbols,
# under a decimal-comma locale: progress, Cancel (shown as Cancelled), a missing input and a
# refusal reaching the error text, every import bound to libc/libm/zlib; and the host proven to
# stop a library that does bind to it.
slicer_test(slicer_inprocess ${Python3_EXECUTABLE} ${_slicer_dir}/run_inprocess.py
            $<TARGET_FILE:test_module_host_standin> ${_lib} --bindings)
slicer_test(slicer_inprocess_catches_binding ${Python3_EXECUTABLE} ${_slicer_dir}/run_inprocess.py
            $<TARGET_FILE:test_module_host_standin> $<TARGET_FILE:bad_module> --expect-poison)
# The batch script against a stand-in of Slicer's Python API.
slicer_test(slicer_batch_script ${Python3_EXECUTABLE} ${_slicer_dir}/check_batch_script.py
            ${PROJECT_SOURCE_DIR}/Resources/Python/deface_batch.py)
# The extension icon is what its committed script draws.
slicer_test(slicer_extension_icon ${Python3_EXECUTABLE} ${_slicer_dir}/check_icon.py
            ${PROJECT_SOURCE_DIR}/Module/extension/make_icon.py
            ${PROJECT_SOURCE_DIR}/Module/extension/FaceMasking.png)

# The extension build through SlicerExecutionModel (unmodified source in ../shared/third_party,
# built once into the test-data cache); then the module built with SEMMacroBuildCLI against a
# Slicer stand-in, its products run as above. The module's code is the same as the Debian
# build's, which the sanitizer pass runs; so that pass, which would spend minutes rebuilding the
# extension with ITK instrumented, leaves this test out.
set(DEFACE_SEM_SOURCE_DIR "${PROJECT_SOURCE_DIR}/../shared/third_party/SlicerExecutionModel"
    CACHE PATH "SlicerExecutionModel's source, for the extension build test")
if(DEFACE_SANITIZE)
  message(STATUS "slicer tests: the extension build is checked by the normal pass only")
elseif(EXISTS "${DEFACE_SEM_SOURCE_DIR}/CMake/SEMMacroBuildCLI.cmake")
  slicer_test(slicer_extension_build ${Python3_EXECUTABLE} ${_slicer_dir}/check_extension_build.py
              --source ${PROJECT_SOURCE_DIR} --sem ${DEFACE_SEM_SOURCE_DIR}
              --host $<TARGET_FILE:test_module_host>)
  set_tests_properties(slicer_extension_build PROPERTIES TIMEOUT 1800)
else()
  message(STATUS "slicer tests: SlicerExecutionModel's source is not at ${DEFACE_SEM_SOURCE_DIR} "
                 "(DEFACE_SEM_SOURCE_DIR): the extension build test is not registered")
endif()

# The Windows cross-build of the core, the NRRD adapter and the module (Debian's mingw-w64). A
# build check, so the sanitizer pass, which would only repeat it, leaves it out.
find_program(DEFACE_MINGW_CC x86_64-w64-mingw32-gcc)
if(DEFACE_SANITIZE)
  message(STATUS "slicer tests: the Windows cross-build is checked by the normal pass only")
elseif(DEFACE_MINGW_CC)
  slicer_test(slicer_windows_cross_build ${Python3_EXECUTABLE} ${_slicer_dir}/check_mingw_build.py
              --source ${PROJECT_SOURCE_DIR} --cc ${DEFACE_MINGW_CC})
  set_tests_properties(slicer_windows_cross_build PROPERTIES TIMEOUT 900)
else()
  message(SEND_ERROR "slicer tests: x86_64-w64-mingw32-gcc not found (Debian: gcc-mingw-w64-x86-64-win32,"
                     " installed by Resources/install-deps.sh)")
endif()

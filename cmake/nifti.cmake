# Provides the imported target NIFTI::nifti2 (nifti_clib: NIfTI-1 and NIfTI-2).
#
# Debian bookworm's NIFTIConfig.cmake (libnifti2-dev 3.0.1-9) names
# /usr/lib/libznz.so.3.0.0 instead of the multiarch directory and stops the
# configure with FATAL_ERROR, so find_package(NIFTI) cannot be used there: the
# header and libraries are found directly.
if(NOT TARGET NIFTI::nifti2)
  find_path(NIFTI2_INCLUDE_DIR nifti2_io.h PATH_SUFFIXES nifti)
  find_library(NIFTI2_LIBRARY nifti2)
  find_library(NIFTI_ZNZ_LIBRARY znz)
  find_package(ZLIB REQUIRED)
  if(NOT NIFTI2_INCLUDE_DIR OR NOT NIFTI2_LIBRARY OR NOT NIFTI_ZNZ_LIBRARY)
    message(FATAL_ERROR "nifti_clib (nifti2_io.h, libnifti2, libznz) not found:"
                        " apt-get install libnifti2-dev")
  endif()
  add_library(NIFTI::nifti2 UNKNOWN IMPORTED)
  set_target_properties(NIFTI::nifti2 PROPERTIES
    IMPORTED_LOCATION "${NIFTI2_LIBRARY}"
    INTERFACE_INCLUDE_DIRECTORIES "${NIFTI2_INCLUDE_DIR}"
    INTERFACE_LINK_LIBRARIES "${NIFTI_ZNZ_LIBRARY};ZLIB::ZLIB;m")
endif()

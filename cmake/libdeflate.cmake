# Provides the imported target LIBDEFLATE::libdeflate: whole-buffer gzip compression and
# decompression for .nii.gz (Logic/IO/gzip_read.c, gzip_write.c), 3-4 times faster than zlib at
# the same ratio. Debian 12's libdeflate-dev (1.14) ships no CMake or pkg-config file, so the
# header and library are found directly.
if(NOT TARGET LIBDEFLATE::libdeflate)
  find_path(LIBDEFLATE_INCLUDE_DIR libdeflate.h)
  find_library(LIBDEFLATE_LIBRARY deflate)
  if(NOT LIBDEFLATE_INCLUDE_DIR OR NOT LIBDEFLATE_LIBRARY)
    message(FATAL_ERROR "libdeflate (libdeflate.h, libdeflate.so) not found: .nii.gz files are "
                        "read and written through it. apt-get install libdeflate-dev "
                        "(or run Resources/install-deps.sh)")
  endif()
  add_library(LIBDEFLATE::libdeflate UNKNOWN IMPORTED)
  set_target_properties(LIBDEFLATE::libdeflate PROPERTIES
    IMPORTED_LOCATION "${LIBDEFLATE_LIBRARY}"
    INTERFACE_INCLUDE_DIRECTORIES "${LIBDEFLATE_INCLUDE_DIR}")
endif()

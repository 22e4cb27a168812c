# deface_nrrd: the NRRD adapter (C, zlib for gzip), what 3D Slicer hands a CLI
# module by file. Included by Logic/IO/CMakeLists.txt, and directly by builds
# that take only the core and this adapter (the Slicer extension, the Windows
# cross-build: see Logic/CMakeLists.txt), so paths are relative to this file.
# Compiled hidden and position-independent: it is linked into the loadable
# module libFaceMaskingLib, which must export nothing but Slicer's two symbols.
if(NOT TARGET ZLIB::ZLIB)
  find_package(ZLIB REQUIRED)
endif()
add_library(deface_nrrd STATIC
  ${CMAKE_CURRENT_LIST_DIR}/nrrd_header.c
  ${CMAKE_CURRENT_LIST_DIR}/nrrd_read.c
  ${CMAKE_CURRENT_LIST_DIR}/nrrd_write.c
  ${CMAKE_CURRENT_LIST_DIR}/nrrd_text.c
)
target_include_directories(deface_nrrd PUBLIC ${CMAKE_CURRENT_LIST_DIR}/include
                                       PRIVATE ${CMAKE_CURRENT_LIST_DIR})
target_link_libraries(deface_nrrd PUBLIC deface_core PRIVATE ZLIB::ZLIB)
set_target_properties(deface_nrrd PROPERTIES
  POSITION_INDEPENDENT_CODE ON
  C_VISIBILITY_PRESET hidden)

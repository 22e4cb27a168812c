# A stand-in for the SlicerConfig.cmake of a Slicer build, for building the
# FaceMasking extension in the tests without Slicer (Debian packages none):
# the variables and files an extension's top-level CMakeLists.txt and
# SEMMacroBuildCLI use, with the values of a Linux Slicer 5.8 build. Every
# value here is the stand-in's, not a real Slicer's. SlicerExecutionModel is
# the test's own build of the unmodified source (SlicerExecutionModel_DIR),
# ITK is Debian's.
set(Slicer_FOUND TRUE)
set(Slicer_VERSION_MAJOR 5)
set(Slicer_VERSION_MINOR 8)
set(Slicer_VERSION 5.8)
set(Slicer_REVISION 0) # stand-in
set(Slicer_OS linux)
set(Slicer_ARCHITECTURE amd64)
set(Slicer_BUILD_CLI_SUPPORT ON)
set(Slicer_BUILD_SHARED ON)

# Relative folders, as Slicer's CMake/SlicerDirectories.cmake defines them.
set(Slicer_LIB_DIR lib/Slicer-${Slicer_VERSION})
set(Slicer_SHARE_DIR share/Slicer-${Slicer_VERSION})
set(Slicer_CLIMODULES_SUBDIR cli-modules)
set(Slicer_CLIMODULES_BIN_DIR ${Slicer_LIB_DIR}/${Slicer_CLIMODULES_SUBDIR})
set(Slicer_CLIMODULES_LIB_DIR ${Slicer_LIB_DIR}/${Slicer_CLIMODULES_SUBDIR})
set(Slicer_CLIMODULES_SHARE_DIR ${Slicer_SHARE_DIR}/${Slicer_CLIMODULES_SUBDIR})
set(Slicer_INSTALL_ROOT "./")

set(Slicer_USE_FILE ${CMAKE_CURRENT_LIST_DIR}/UseSlicer.cmake)
set(Slicer_EXTENSION_GENERATE_CONFIG ${CMAKE_CURRENT_LIST_DIR}/SlicerExtensionGenerateConfig.cmake)
set(Slicer_EXTENSION_CPACK ${CMAKE_CURRENT_LIST_DIR}/SlicerExtensionCPack.cmake)

if(NOT SlicerExecutionModel_DIR)
  message(FATAL_ERROR "Slicer stand-in: give -DSlicerExecutionModel_DIR=<SlicerExecutionModel build>")
endif()

# A stand-in for Slicer's UseSlicer.cmake (see SlicerConfig.cmake here): what it
# does for a CLI extension - check EXTENSION_NAME, call project() with it, set
# the install folders of CLI modules and the extension defaults.
if("${EXTENSION_NAME}" STREQUAL "")
  message(FATAL_ERROR "Make sure to set EXTENSION_NAME or MODULE_NAME prior to call 'include(\${Slicer_USE_FILE})'")
endif()
if(NOT Slicer_SKIP_PROJECT_COMMAND)
  project(${EXTENSION_NAME})
endif()
set(Slicer_BUNDLE_EXTENSIONS_LOCATION "")
set(Slicer_INSTALL_CLIMODULES_BIN_DIR "${Slicer_INSTALL_ROOT}${Slicer_BUNDLE_EXTENSIONS_LOCATION}${Slicer_CLIMODULES_BIN_DIR}")
set(Slicer_INSTALL_CLIMODULES_LIB_DIR "${Slicer_INSTALL_ROOT}${Slicer_BUNDLE_EXTENSIONS_LOCATION}${Slicer_CLIMODULES_LIB_DIR}")
set(Slicer_INSTALL_CLIMODULES_SHARE_DIR "${Slicer_INSTALL_ROOT}${Slicer_BUNDLE_EXTENSIONS_LOCATION}${Slicer_CLIMODULES_SHARE_DIR}")
foreach(var SOURCE_DIR:${CMAKE_SOURCE_DIR} SUPERBUILD_BINARY_DIR:${CMAKE_BINARY_DIR}
            BUILD_SUBDIRECTORY:. ENABLED:1)
  string(REPLACE ":" ";" pair "${var}")
  list(GET pair 0 name)
  list(GET pair 1 value)
  if(NOT DEFINED EXTENSION_${name})
    set(EXTENSION_${name} "${value}")
  endif()
endforeach()

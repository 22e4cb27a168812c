# A stand-in for Slicer's SlicerExtensionCPack.cmake: its sanity checks (made
# errors where Slicer silently skips packaging), the extension description
# file Slicer writes (<Extension>.s4ext, the fields of
# slicerFunctionGenerateExtensionDescription) and a TGZ package of the
# install tree, as the factory uploads it.
foreach(var EXTENSION_NAME Slicer_REVISION Slicer_OS Slicer_ARCHITECTURE)
  if("${${var}}" STREQUAL "")
    message(FATAL_ERROR "error: ${var} is either NOT defined or empty.")
  endif()
endforeach()
if(NOT "${EXTENSION_NAME}" STREQUAL "${PROJECT_NAME}")
  message(FATAL_ERROR "EXTENSION_NAME [${EXTENSION_NAME}] differs from PROJECT_NAME [${PROJECT_NAME}]: "
                      "Slicer would skip packaging the extension")
endif()
foreach(var EXTENSION_README_FILE EXTENSION_LICENSE_FILE)
  if(NOT EXISTS "${${var}}")
    message(FATAL_ERROR "error: ${var} points to an inexistent file: ${${var}}")
  endif()
endforeach()
set(_s4ext "")
foreach(field scm:git scmurl:DEFACE_SCM_URL scmrevision:DEFACE_SCM_REVISION depends:EXTENSION_DEPENDS
              build_subdirectory:EXTENSION_BUILD_SUBDIRECTORY homepage:EXTENSION_HOMEPAGE
              contributors:EXTENSION_CONTRIBUTORS category:EXTENSION_CATEGORY
              iconurl:EXTENSION_ICONURL status:EXTENSION_STATUS description:EXTENSION_DESCRIPTION
              screenshoturls:EXTENSION_SCREENSHOTURLS enabled:EXTENSION_ENABLED)
  string(REPLACE ":" ";" pair "${field}")
  list(GET pair 0 key)
  list(GET pair 1 var)
  if(key STREQUAL "scm")
    string(APPEND _s4ext "scm git\n")
  else()
    string(APPEND _s4ext "${key} ${${var}}\n")
  endif()
endforeach()
file(WRITE ${CMAKE_BINARY_DIR}/${EXTENSION_NAME}.s4ext "${_s4ext}")
set(CPACK_PACKAGE_NAME ${EXTENSION_NAME})
set(CPACK_PACKAGE_FILE_NAME "${Slicer_REVISION}-${Slicer_OS}-${Slicer_ARCHITECTURE}-${EXTENSION_NAME}")
set(CPACK_PACKAGE_DESCRIPTION_FILE "${EXTENSION_README_FILE}")
set(CPACK_RESOURCE_FILE_LICENSE "${EXTENSION_LICENSE_FILE}")
set(CPACK_GENERATOR TGZ)
set(CPACK_MONOLITHIC_INSTALL ON)
include(CPack)

# The 3D Slicer extension build of FaceMasking: only the core (Logic/src), the
# NRRD adapter (Logic/IO/nrrd_*) and the module, built by SlicerExecutionModel
# against Slicer's own libraries, the way the Extensions Index factory builds
# extensions for Linux, Windows and macOS. Included from the top-level
# CMakeLists.txt when DEFACE_SLICER_EXTENSION is on (on by itself when the
# configure is given Slicer_DIR, as the factory does):
#   cmake -S . -B build-ext -DSlicer_DIR=/path/to/Slicer-build
# Layout and metadata follow Slicer's Utilities/Templates/Extensions/Default.
set(EXTENSION_NAME FaceMasking)
set(DEFACE_PROJECT_VERSION ${PROJECT_VERSION})
if(NOT DEFINED CMAKE_CXX_STANDARD)
  set(CMAKE_CXX_STANDARD 17) # Slicer's SlicerConfig sets its own
  set(CMAKE_CXX_STANDARD_REQUIRED ON)
endif()
if(DEFACE_SANITIZE) # -fsanitize as in the main build, when asked
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer
                      -fno-sanitize-recover=undefined)
  add_link_options(-fsanitize=address,undefined)
endif()

# Where the extension's sources are published: the catalogue entry, the
# homepage and the icon and screenshot addresses come from it. Defaults to
# this checkout's git remote; the catalogue needs a public https address.
find_package(Git QUIET)
set(_remote "")
set(_revision "")
if(GIT_FOUND)
  execute_process(COMMAND ${GIT_EXECUTABLE} remote get-url origin WORKING_DIRECTORY ${PROJECT_SOURCE_DIR}
                  OUTPUT_VARIABLE _remote OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
  execute_process(COMMAND ${GIT_EXECUTABLE} rev-parse HEAD WORKING_DIRECTORY ${PROJECT_SOURCE_DIR}
                  OUTPUT_VARIABLE _revision OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
endif()
set(DEFACE_SCM_URL "${_remote}" CACHE STRING "Public git address of the deface sources (catalogue entry)")
set(DEFACE_SCM_REVISION "${_revision}" CACHE STRING "The revision the catalogue entry builds")
string(REGEX REPLACE "\\.git$" "" _home "${DEFACE_SCM_URL}")
set(_raw "")
if(_home MATCHES "^https://github\\.com/([^/]+/[^/]+)$")
  set(_raw "https://raw.githubusercontent.com/${CMAKE_MATCH_1}/${DEFACE_SCM_REVISION}")
endif()
set(DEFACE_RAW_URL "${_raw}" CACHE STRING
    "Address under which the sources' files can be downloaded (icon and screenshot)")
if(NOT DEFACE_SCM_URL MATCHES "^https://" OR NOT DEFACE_RAW_URL)
  message(WARNING "FaceMasking extension: set DEFACE_SCM_URL (a public https git address) and "
                  "DEFACE_RAW_URL before submitting the catalogue entry; now [${DEFACE_SCM_URL}] "
                  "and [${DEFACE_RAW_URL}]")
endif()

#-----------------------------------------------------------------------------
# Extension meta-information
set(EXTENSION_HOMEPAGE "${_home}")
set(EXTENSION_CATEGORY "Utilities")
set(EXTENSION_CONTRIBUTORS "The deface authors")
set(EXTENSION_DESCRIPTION "Face Masking (Deface): removes the face (eyes, nose, mouth and the skin in front of them) from head MRI and CT so that the patient cannot be recognised from a rendering, keeps the brain intact, returns a label map of what changed, and refuses with a reason the scans it cannot handle.")
set(EXTENSION_ICONURL "${DEFACE_RAW_URL}/Module/extension/FaceMasking.png")
set(EXTENSION_SCREENSHOTURLS "${DEFACE_RAW_URL}/Resources/qa_ch2.png")
set(EXTENSION_DEPENDS "NA") # no other extension
set(EXTENSION_STATUS "Beta")
set(EXTENSION_LICENSE_FILE ${PROJECT_SOURCE_DIR}/LICENSE)
set(EXTENSION_README_FILE ${PROJECT_SOURCE_DIR}/Module/README.md)

#-----------------------------------------------------------------------------
# Extension dependencies
find_package(Slicer REQUIRED)
include(${Slicer_USE_FILE})
enable_language(CXX)

#-----------------------------------------------------------------------------
# Extension modules: the core and the NRRD adapter only (no nifti_clib, dcmtk
# or VTK), then the module through SEMMacroBuildCLI (Module/extension/module.cmake).
set(DEFACE_CORE_ONLY ON)
add_subdirectory(${PROJECT_SOURCE_DIR}/Logic ${CMAKE_BINARY_DIR}/Logic)
add_subdirectory(${PROJECT_SOURCE_DIR}/Module ${CMAKE_BINARY_DIR}/Module)

# The catalogue entry for Slicer's ExtensionsIndex (ExtensionsIndex/FaceMasking.json).
configure_file(${CMAKE_CURRENT_LIST_DIR}/FaceMasking.json.in ${CMAKE_BINARY_DIR}/FaceMasking.json
               @ONLY)

#-----------------------------------------------------------------------------
include(${Slicer_EXTENSION_GENERATE_CONFIG})
include(${Slicer_EXTENSION_CPACK})

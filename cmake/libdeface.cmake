# libdeface: the shared library a third front end links (a Python binding,
# another host): the core (Logic/src), the NIfTI adapter and the write
# transaction (Logic/IO), with their public headers deface.h, deface_nifti.h
# and deface_write.h. Built from the same sources the command uses (the core's
# objects with default visibility: the static core is hidden for the Slicer
# module), exporting only the functions the headers declare.
# Installed with a pkg-config file (deface.pc) and a CMake package
# (find_package(deface) -> deface::deface). Included from the top level after
# Logic/ is added.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)
find_package(Threads REQUIRED)
include(${PROJECT_SOURCE_DIR}/cmake/libdeflate.cmake) # imported targets are per folder

set(DEFACE_PUBLIC_HEADERS
  ${PROJECT_SOURCE_DIR}/Logic/include/deface.h
  ${PROJECT_SOURCE_DIR}/Logic/IO/include/deface_nifti.h
  ${PROJECT_SOURCE_DIR}/Logic/IO/include/deface_write.h)
set(_map ${CMAKE_CURRENT_BINARY_DIR}/libdeface.map)
string(REPLACE ";" "|" _headers "${DEFACE_PUBLIC_HEADERS}") # one command-line argument
add_custom_command(OUTPUT ${_map}
  COMMAND ${CMAKE_COMMAND} "-DHEADERS=${_headers}" -DOUT=${_map}
          -P ${PROJECT_SOURCE_DIR}/cmake/exports.cmake
  DEPENDS ${DEFACE_PUBLIC_HEADERS} ${PROJECT_SOURCE_DIR}/cmake/exports.cmake
  COMMENT "Listing libdeface's exported functions" VERBATIM)
add_custom_target(libdeface_map DEPENDS ${_map})

add_library(libdeface SHARED $<TARGET_OBJECTS:deface_core_public> $<TARGET_OBJECTS:deface_nifti>
                             $<TARGET_OBJECTS:deface_write>)
add_dependencies(libdeface libdeface_map)
target_link_libraries(libdeface PRIVATE NIFTI::nifti2 ZLIB::ZLIB LIBDEFLATE::libdeflate Threads::Threads m)
target_link_options(libdeface PRIVATE -Wl,--version-script=${_map} -Wl,--no-undefined)
target_include_directories(libdeface INTERFACE
  $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}/Logic/include>
  $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}/Logic/IO/include>
  $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}/deface>)
set_target_properties(libdeface PROPERTIES
  OUTPUT_NAME deface
  EXPORT_NAME deface
  VERSION ${PROJECT_VERSION}
  SOVERSION ${PROJECT_VERSION_MAJOR}.${PROJECT_VERSION_MINOR}
  LINK_DEPENDS ${_map})

install(TARGETS libdeface EXPORT defaceTargets
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR})
install(FILES ${DEFACE_PUBLIC_HEADERS} DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/deface)
install(EXPORT defaceTargets NAMESPACE deface:: DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/deface)
configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/package/defaceConfig.cmake.in
  ${CMAKE_CURRENT_BINARY_DIR}/defaceConfig.cmake
  INSTALL_DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/deface)
write_basic_package_version_file(${CMAKE_CURRENT_BINARY_DIR}/defaceConfigVersion.cmake
  VERSION ${PROJECT_VERSION} COMPATIBILITY SameMinorVersion)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/defaceConfig.cmake
              ${CMAKE_CURRENT_BINARY_DIR}/defaceConfigVersion.cmake
        DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/deface)
# Relocatable: the prefix is found from where deface.pc lies (cmake --install --prefix).
file(RELATIVE_PATH DEFACE_PC_TO_PREFIX /prefix/${CMAKE_INSTALL_LIBDIR}/pkgconfig /prefix)
string(REGEX REPLACE "/$" "" DEFACE_PC_TO_PREFIX "${DEFACE_PC_TO_PREFIX}")
configure_file(${PROJECT_SOURCE_DIR}/cmake/package/deface.pc.in
               ${CMAKE_CURRENT_BINARY_DIR}/deface.pc @ONLY)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/deface.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)

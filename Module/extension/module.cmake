# The FaceMasking module in the Slicer extension build (included from
# Module/CMakeLists.txt when DEFACE_SLICER_EXTENSION is on, so paths are
# relative to Module/): SlicerExecutionModel's SEMMacroBuildCLI, as in
# Slicer's Utilities/Templates/Modules/CLI. GenerateCLP turns FaceMasking.xml
# into FaceMaskingCLP.h (PARSE_ARGS, XMLModuleDescription); SEMMacroBuildCLI
# builds FaceMaskingLib (FaceMasking.cxx with -Dmain=ModuleEntryPoint, hidden
# visibility) and the FaceMasking launcher executable, and puts both with the
# XML in Slicer's cli-modules folders, build and install.
set(MODULE_NAME FaceMasking)
enable_language(CXX)

find_package(SlicerExecutionModel REQUIRED)
include(${SlicerExecutionModel_USE_FILE})

# Slicer's own ITK: here it is the ITK the module is built against, so
# binding to it in Slicer's process is right. NIfTI and MetaImage for the
# executable run by hand; Slicer hands NRRD, read by Logic/IO's adapter.
find_package(ITK REQUIRED COMPONENTS ITKIOImageBase ITKIONIFTI ITKIOMeta)
set(ITK_NO_IO_FACTORY_REGISTER_MANAGER 1) # as Slicer's CLI template: no factory registration
include(${ITK_USE_FILE})

set(DEFACE_VERSION ${DEFACE_PROJECT_VERSION})
configure_file(FaceMasking.xml ${CMAKE_CURRENT_BINARY_DIR}/FaceMasking.xml @ONLY)

SEMMacroBuildCLI(
  NAME ${MODULE_NAME}
  CLI_XML_FILE ${CMAKE_CURRENT_BINARY_DIR}/FaceMasking.xml
  ADDITIONAL_SRCS
    module_run.c module_progress.c module_output.c module_image.c itk_image_io.cxx
  TARGET_LIBRARIES deface_nrrd deface_core ${ITK_LIBRARIES}
  INCLUDE_DIRECTORIES ${CMAKE_CURRENT_SOURCE_DIR} ${CMAKE_CURRENT_BINARY_DIR}
  RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/${Slicer_CLIMODULES_BIN_DIR}
  LIBRARY_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/${Slicer_CLIMODULES_LIB_DIR}
  ARCHIVE_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/${Slicer_CLIMODULES_LIB_DIR}
  INSTALL_RUNTIME_DESTINATION ${Slicer_INSTALL_CLIMODULES_BIN_DIR}
  INSTALL_LIBRARY_DESTINATION ${Slicer_INSTALL_CLIMODULES_LIB_DIR}
  INSTALL_ARCHIVE_DESTINATION ${Slicer_INSTALL_CLIMODULES_LIB_DIR}
  )
target_compile_definitions(${MODULE_NAME}Lib PRIVATE FM_WITH_ITK)

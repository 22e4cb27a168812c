# Finds ITK's image I/O for the Slicer module and its tests, quietly: Debian's
# GDCM config (pulled in by ITK's) lists ~30 missing tool binaries as status
# lines; they stay out of the configure output unless asked for
# (cmake --log-level=STATUS shows them). Included once per directory that
# needs ITK's variables (they are directory-scoped).
if(NOT CMAKE_MESSAGE_LOG_LEVEL)
  set(CMAKE_MESSAGE_LOG_LEVEL NOTICE)
  set(_deface_quiet_itk ON)
endif()
find_package(ITK REQUIRED COMPONENTS ITKIOImageBase ITKIONRRD ITKIONIFTI ITKIOMeta)
if(_deface_quiet_itk)
  unset(CMAKE_MESSAGE_LOG_LEVEL)
  unset(_deface_quiet_itk)
endif()

# Writes the module's XML description as a C char array (cmake -P):
#   cmake -DXML=FaceMasking.xml -DOUT=FaceMaskingXML.c -P embed_xml.cmake
# The bytes are copied as they are, so the array is exactly the file the
# executable prints for --xml and Slicer reads beside the module.
if(NOT XML OR NOT OUT)
  message(FATAL_ERROR "embed_xml.cmake: set XML and OUT")
endif()
file(READ "${XML}" hex HEX)
string(LENGTH "${hex}" n)
if(n EQUAL 0)
  message(FATAL_ERROR "embed_xml.cmake: ${XML} is empty")
endif()
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
# 16 bytes a line
string(REGEX REPLACE "((0x..,){16})" "\\1\n  " bytes "${bytes}")
file(WRITE "${OUT}.tmp"
"/* Generated from FaceMasking.xml by Module/embed_xml.cmake; do not edit. */\n"
"/* Slicer takes this symbol's address as the XML text: it must be an array. */\n"
"#include \"module_export.h\"\n"
"FM_EXPORT char XMLModuleDescription[] = {\n  ${bytes}0x00};\n")
execute_process(COMMAND ${CMAKE_COMMAND} -E copy_if_different "${OUT}.tmp" "${OUT}")
file(REMOVE "${OUT}.tmp")

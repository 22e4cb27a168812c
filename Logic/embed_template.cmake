# Writes the head template (Resources/template/ch2_template_3mm.nii, made by make_template.py)
# as a C byte array compiled into the core (cmake -P), so that every front end (the command,
# the Slicer module, a binding) has it without a file to find at run time:
#   cmake -DNII=ch2_template_3mm.nii -DOUT=template_data.c -P embed_template.cmake
# The bytes are the file's own; Logic/src/template.c reads its NIfTI-1 header.
if(NOT NII OR NOT OUT)
  message(FATAL_ERROR "embed_template.cmake: set NII and OUT")
endif()
file(READ "${NII}" hex HEX)
string(LENGTH "${hex}" n)
if(n LESS 704)
  message(FATAL_ERROR "embed_template.cmake: ${NII} is not a NIfTI-1 file")
endif()
math(EXPR size "${n} / 2")
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
string(REGEX REPLACE "((0x..,){24})" "\\1\n  " bytes "${bytes}")
file(WRITE "${OUT}.tmp"
"/* Generated from Resources/template/ch2_template_3mm.nii by Logic/embed_template.cmake;\n"
"   do not edit. The template is derived from ch2 and ch2bet of Debian's mricron-data\n"
"   (Copyright 2006-2010 Chris Rorden, BSD-3-clause; see Resources/template/COPYING). */\n"
"#include <stddef.h>\n"
"extern const unsigned char deface__template_nii[];\n"
"extern const size_t deface__template_nii_size;\n"
"const unsigned char deface__template_nii[] = {\n  ${bytes}};\n"
"const size_t deface__template_nii_size = ${size};\n")
execute_process(COMMAND ${CMAKE_COMMAND} -E copy_if_different "${OUT}.tmp" "${OUT}")
file(REMOVE "${OUT}.tmp")

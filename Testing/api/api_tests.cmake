# The public API (Testing/api), label api: the installed library as another program sees it
# (api_smoke, also label data: it defaces ch2, fetched like the e2e tests' scans), and one set of
# constants across deface.h and the module's XML (api_constants, also label unit).
# One sigma range, default and list of fills: deface.h against the module's XML, which Slicer
# reads as it is (Module/FaceMasking.xml is not generated from deface.h).
find_package(Python3 COMPONENTS Interpreter)
if(Python3_Interpreter_FOUND)
  add_test(NAME api_constants COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_LIST_DIR}/check_constants.py
           ${PROJECT_SOURCE_DIR}/Logic/include/deface.h ${PROJECT_SOURCE_DIR}/Module/FaceMasking.xml
           ${PROJECT_SOURCE_DIR}/Logic/src/status.c)
  set_tests_properties(api_constants PROPERTIES LABELS "api;unit")
endif()

if(NOT TARGET libdeface OR NOT TARGET verify_deface)
  return()
endif()
add_test(NAME api_smoke COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/api_smoke.sh)
set_tests_properties(api_smoke PROPERTIES
  LABELS "api;data"
  TIMEOUT 600
  ENVIRONMENT "DEFACE=$<TARGET_FILE:deface>;MAKE_CASE=$<TARGET_FILE:make_case>;VERIFY_DEFACE=$<TARGET_FILE:verify_deface>;DEFACE_BUILD_DIR=${PROJECT_BINARY_DIR};DEFACE_SOURCE_DIR=${PROJECT_SOURCE_DIR};DEFACE_SANITIZE=$<IF:$<BOOL:${DEFACE_SANITIZE}>,ON,OFF>;CC=${CMAKE_C_COMPILER};TEST_NAME=api_smoke")

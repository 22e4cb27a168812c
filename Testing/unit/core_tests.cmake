# Unit tests of the core (Logic/src). Included from Testing/CMakeLists.txt.
foreach(name volume morphology pipeline fill facemask)
  add_executable(test_${name} ${CMAKE_CURRENT_LIST_DIR}/test_${name}.c)
  target_include_directories(test_${name} PRIVATE ${CMAKE_CURRENT_LIST_DIR}
                                                  ${PROJECT_SOURCE_DIR}/Logic/src)
  target_link_libraries(test_${name} PRIVATE deface_core)
  add_test(NAME core_${name} COMMAND test_${name})
  set_tests_properties(core_${name} PROPERTIES LABELS unit)
endforeach()

# Unit tests of the core (Logic/src). Included from Testing/CMakeLists.txt.
foreach(name volume morphology pipeline fill facemask eyes select)
  add_executable(test_${name} ${CMAKE_CURRENT_LIST_DIR}/test_${name}.c)
  target_include_directories(test_${name} PRIVATE ${CMAKE_CURRENT_LIST_DIR}
                                                  ${PROJECT_SOURCE_DIR}/Logic/src)
  target_link_libraries(test_${name} PRIVATE deface_core)
  add_test(NAME core_${name} COMMAND test_${name})
  set_tests_properties(core_${name} PROPERTIES LABELS unit)
endforeach()

# On real heads (label `data`: fetches ch2 and the CT): the post-fill face search (the correct
# label passes, an empty or misplaced one is caught: test_facecheck.c) and the in-place pipeline
# against the copying one, with its restore on failure (test_inplace.c).
if(TARGET deface_nifti AND TARGET inv3_to_nifti)
  foreach(name facecheck inplace)
    add_executable(test_${name} ${CMAKE_CURRENT_LIST_DIR}/test_${name}.c)
    target_include_directories(test_${name} PRIVATE ${CMAKE_CURRENT_LIST_DIR}
                                                    ${PROJECT_SOURCE_DIR}/Logic/src)
    target_link_libraries(test_${name} PRIVATE deface_nifti deface_core)
    add_test(NAME core_${name}
             COMMAND bash -c "D=$(bash '${PROJECT_SOURCE_DIR}/Testing/data/fetch_testdata.sh' mricron invesalius) && '$<TARGET_FILE:test_${name}>' \"$D/ch2.nii.gz\" \"$D/ct_cranium.nii.gz\"")
    set_tests_properties(core_${name} PROPERTIES LABELS data TIMEOUT 1800
                         ENVIRONMENT "DEFACE_INV3_TO_NIFTI=$<TARGET_FILE:inv3_to_nifti>")
  endforeach()
endif()

# The committed head template is what its script makes from the fetched scans.
add_test(NAME template_reproducible COMMAND bash ${PROJECT_SOURCE_DIR}/Testing/data/check_template.sh)
set_tests_properties(template_reproducible PROPERTIES LABELS data TIMEOUT 1800)

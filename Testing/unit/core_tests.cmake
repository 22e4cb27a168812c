# Unit tests of the core (Logic/src). Included from Testing/CMakeLists.txt.
foreach(name volume morphology pipeline fill facemask eyes)
  add_executable(test_${name} ${CMAKE_CURRENT_LIST_DIR}/test_${name}.c)
  target_include_directories(test_${name} PRIVATE ${CMAKE_CURRENT_LIST_DIR}
                                                  ${PROJECT_SOURCE_DIR}/Logic/src)
  target_link_libraries(test_${name} PRIVATE deface_core)
  add_test(NAME core_${name} COMMAND test_${name})
  set_tests_properties(core_${name} PROPERTIES LABELS unit)
endforeach()

# The post-fill face search on real heads (label `data`: fetches ch2 and the CT): the correct
# label passes, an empty or misplaced one is caught (Testing/unit/test_facecheck.c).
if(TARGET deface_nifti AND TARGET inv3_to_nifti)
  add_executable(test_facecheck ${CMAKE_CURRENT_LIST_DIR}/test_facecheck.c)
  target_include_directories(test_facecheck PRIVATE ${CMAKE_CURRENT_LIST_DIR}
                                                    ${PROJECT_SOURCE_DIR}/Logic/src)
  target_link_libraries(test_facecheck PRIVATE deface_nifti deface_core)
  add_test(NAME core_facecheck
           COMMAND bash -c "D=$(bash '${PROJECT_SOURCE_DIR}/Testing/data/fetch_testdata.sh' mricron invesalius) && '$<TARGET_FILE:test_facecheck>' \"$D/ch2.nii.gz\" \"$D/ct_cranium.nii.gz\"")
  set_tests_properties(core_facecheck PROPERTIES LABELS data TIMEOUT 1800
                       ENVIRONMENT "DEFACE_INV3_TO_NIFTI=$<TARGET_FILE:inv3_to_nifti>")
endif()

# The in-place pipeline against the copying one on real heads, and its restore on failure
# (Testing/unit/test_inplace.c).
if(TARGET deface_nifti AND TARGET inv3_to_nifti)
  add_executable(test_inplace ${CMAKE_CURRENT_LIST_DIR}/test_inplace.c)
  target_include_directories(test_inplace PRIVATE ${CMAKE_CURRENT_LIST_DIR}
                                                  ${PROJECT_SOURCE_DIR}/Logic/src)
  target_link_libraries(test_inplace PRIVATE deface_nifti deface_core)
  add_test(NAME core_inplace
           COMMAND bash -c "D=$(bash '${PROJECT_SOURCE_DIR}/Testing/data/fetch_testdata.sh' mricron invesalius) && '$<TARGET_FILE:test_inplace>' \"$D/ch2.nii.gz\" \"$D/ct_cranium.nii.gz\"")
  set_tests_properties(core_inplace PROPERTIES LABELS data TIMEOUT 1800
                       ENVIRONMENT "DEFACE_INV3_TO_NIFTI=$<TARGET_FILE:inv3_to_nifti>")
endif()

# The committed head template is what its script makes from the fetched scans.
add_test(NAME template_reproducible COMMAND bash ${PROJECT_SOURCE_DIR}/Testing/data/check_template.sh)
set_tests_properties(template_reproducible PROPERTIES LABELS data TIMEOUT 1800)

# Many sessions on a scheduler (Testing/cluster), included from Testing/CMakeLists.txt:
#   cluster_resume  deface-batch over four sessions killed mid-session, resumed (a lock held by
#                   "another task", half-written outputs), run again with GNU parallel: nothing
#                   lost, nothing done twice; deface-summary's combined table (label data)
#   cluster_slurm   deface-array.sbatch on a single-node Slurm the test starts on localhost:
#                   cancelled and resubmitted, submitted again, two sessions per task (label data)
# Like Testing/xnat these test scripts, the same in a sanitizer build, and deface's session mode,
# which e2e_session tests under the sanitizers: they are not registered again there.
if(DEFACE_SANITIZE OR NOT TARGET deface OR NOT TARGET nifti_to_dicom)
  return()
endif()
set(_cluster_dir ${CMAKE_CURRENT_LIST_DIR})
foreach(_name cluster_resume cluster_slurm)
  add_test(NAME ${_name} COMMAND bash ${_cluster_dir}/${_name}.sh)
  set_tests_properties(${_name} PROPERTIES LABELS data TIMEOUT 1800
    ENVIRONMENT "DEFACE=$<TARGET_FILE:deface>;MAKE_CASE=$<TARGET_FILE:make_case>;VERIFY_DEFACE=$<TARGET_FILE:verify_deface>;NIFTI_TO_DICOM=$<TARGET_FILE:nifti_to_dicom>;TEST_NAME=${_name}")
endforeach()

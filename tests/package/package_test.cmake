# The package test (tests/package/run.cmake), label `package`. It builds the Debian packages in
# a Release build of its own with shared libraries (build/<preset>/package-build, kept between
# runs), or, in a build that is already shared (the release preset), from that build itself.
# CI runs the whole suite with several presets: the test is registered once, in the GCC build
# without sanitizers (dev, release), and needs dpkg, pkg-config and /usr/bin/python3.
set(nudge_package_test OFF)
find_program(NUDGE_DPKG dpkg)
find_program(NUDGE_PKG_CONFIG pkg-config)
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND NOT CMAKE_CXX_FLAGS MATCHES "sanitize"
   AND NUDGE_DPKG AND NUDGE_PKG_CONFIG AND EXISTS /usr/bin/python3
   AND NUDGE_BUILD_CLI AND NUDGE_BUILD_C_API AND NUDGE_BUILD_PYTHON)
    set(nudge_package_test ON)
endif()
option(NUDGE_PACKAGE_TEST "Test the Debian packages (tests/package)" ${nudge_package_test})

if(NUDGE_PACKAGE_TEST)
    if(BUILD_SHARED_LIBS AND CMAKE_BUILD_TYPE STREQUAL "Release")
        set(package_args -DPACKAGE_DIR=${PROJECT_BINARY_DIR})
    else()
        set(launcher "${CMAKE_CXX_COMPILER_LAUNCHER}")
        if(NOT launcher AND DEFINED ENV{CMAKE_CXX_COMPILER_LAUNCHER})
            set(launcher "$ENV{CMAKE_CXX_COMPILER_LAUNCHER}")
        endif()
        set(package_args -DPACKAGE_DIR=${PROJECT_BINARY_DIR}/package-build -DCONFIGURE=ON
                         -DLAUNCHER=${launcher})
    endif()
    add_test(NAME "package: Debian packages, unpacked and used"
             COMMAND ${CMAKE_COMMAND} -DSOURCE_DIR=${PROJECT_SOURCE_DIR} ${package_args}
                     -DWORK_DIR=${CMAKE_CURRENT_BINARY_DIR}/package-work
                     -DGENERATOR=${CMAKE_GENERATOR}
                     -DC_COMPILER=${CMAKE_C_COMPILER} -DCXX_COMPILER=${CMAKE_CXX_COMPILER}
                     -DPYTHON=/usr/bin/python3
                     -P ${CMAKE_CURRENT_SOURCE_DIR}/package/run.cmake)
    # The first run compiles the library in Release (minutes on two cores); later runs rebuild
    # only what changed.
    set_tests_properties("package: Debian packages, unpacked and used" PROPERTIES
                         LABELS package TIMEOUT 3600 RUN_SERIAL TRUE)
endif()

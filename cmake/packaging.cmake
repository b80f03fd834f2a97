# Shared libraries and Debian packages (CPack's DEB generator):
#   cmake --preset release && cmake --build --preset release --target package
# makes, in build/release, one .deb per install component (cmake/install.cmake):
#   libnudge0      the shared libraries libnudge.so.0 and libnudge_c.so.0      (component lib)
#   libnudge-dev   headers, CMake package files, nudge.pc and nudge-c.pc       (component dev)
#   nudge          the nudge command, linked with the library's layers statically  (component cli)
#   python3-nudge  the Python module in /usr/lib/python3/dist-packages        (component python)
# The libraries are shared when BUILD_SHARED_LIBS is on (the release preset sets it); without
# it they are static, and the packages hold no libnudge0.

# The ABI version of the shared libraries: bump it with every incompatible change of the
# exported C++ or C interface (and rename libnudge0 to match).
set(NUDGE_SOVERSION 0)
foreach(target nudge nudge_c)
    if(TARGET ${target})
        set_target_properties(${target} PROPERTIES VERSION ${PROJECT_VERSION}
                                                   SOVERSION ${NUDGE_SOVERSION})
    endif()
endforeach()

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME nudge)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "${PROJECT_DESCRIPTION}")
set(CPACK_PACKAGE_HOMEPAGE_URL "https://example.invalid/nudge" CACHE STRING
    "The Homepage field of the Debian packages")
set(CPACK_PACKAGE_CONTACT "nudge maintainers <nudge@example.invalid>" CACHE STRING
    "The Maintainer field of the Debian packages")
set(CPACK_PACKAGE_INSTALL_DIRECTORY nudge)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)

set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT) # name_version_arch.deb
set(CPACK_DEBIAN_PACKAGE_SECTION misc)
set(CPACK_DEBIAN_PACKAGE_RELEASE 1)
# Depends from the libraries each package's programs link (dpkg-shlibdeps), and between the
# packages from the component dependencies below, at this exact version.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS_PRIVATE_DIRS ${PROJECT_BINARY_DIR}
    ${PROJECT_BINARY_DIR}/bindings/c)
set(CPACK_DEBIAN_ENABLE_COMPONENT_DEPENDS ON)

set(nudge_components dev cli)
if(BUILD_SHARED_LIBS)
    list(APPEND nudge_components lib)
    set(CPACK_COMPONENT_DEV_DEPENDS lib)
    set(CPACK_COMPONENT_PYTHON_DEPENDS lib)
endif()
if(NUDGE_BUILD_PYTHON)
    list(APPEND nudge_components python)
endif()
set(CPACK_COMPONENTS_ALL ${nudge_components})

set(CPACK_DEBIAN_LIB_PACKAGE_NAME libnudge${NUDGE_SOVERSION})
set(CPACK_DEBIAN_LIB_PACKAGE_SECTION libs)
set(CPACK_COMPONENT_LIB_DESCRIPTION
    "${PROJECT_DESCRIPTION}: shared libraries\n The flow language's front ends and checks, the engine, the SQLite store and the C API.")
set(CPACK_DEBIAN_DEV_PACKAGE_NAME libnudge-dev)
set(CPACK_DEBIAN_DEV_PACKAGE_SECTION libdevel)
# The static layers (nudge::runtime ...) link these at the consumer's link time.
set(CPACK_DEBIAN_DEV_PACKAGE_DEPENDS
    "libhowardhinnant-date-dev, libutf8proc-dev, libre2-dev, libicu-dev, libphonenumber-dev, libyaml-cpp-dev, libsqlite3-dev")
set(CPACK_COMPONENT_DEV_DESCRIPTION
    "${PROJECT_DESCRIPTION}: development files\n Headers, find_package(nudge) files (nudge::nudge, nudge::c, the static layers nudge::model ... nudge::scenario) and pkg-config files (nudge, nudge-c).")
set(CPACK_DEBIAN_CLI_PACKAGE_NAME nudge)
set(CPACK_COMPONENT_CLI_DESCRIPTION
    "${PROJECT_DESCRIPTION}: the nudge command\n check, fmt, graph, convert, simulate, test, run, serve and the rest.")
set(CPACK_DEBIAN_PYTHON_PACKAGE_NAME python3-nudge)
set(CPACK_DEBIAN_PYTHON_PACKAGE_SECTION python)
set(CPACK_COMPONENT_PYTHON_DESCRIPTION
    "${PROJECT_DESCRIPTION}: Python 3 module\n import nudge: compile flows, run them on an Engine or a DurableEngine, run scenarios.")
if(NUDGE_BUILD_PYTHON)
    # The module is built for one interpreter version (its ABI tag is in the file name).
    math(EXPR nudge_python_next "${Python_VERSION_MINOR} + 1")
    set(CPACK_DEBIAN_PYTHON_PACKAGE_DEPENDS
        "python3 (>= ${Python_VERSION_MAJOR}.${Python_VERSION_MINOR}~), python3 (<< ${Python_VERSION_MAJOR}.${nudge_python_next})")
endif()

include(CPack)

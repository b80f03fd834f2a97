# Install and export once, properly: headers, the libraries, a package config that
# find_package(nudge) reads, and pkg-config files. tests/consumer proves the CMake package works,
# tests/package the Debian packages (cmake/packaging.cmake) built from these rules.
#
# Components, one Debian package each: `lib` (the shared libraries), `dev` (headers, CMake and
# pkg-config files, the static libraries or the shared ones' names), `cli` (the nudge command),
# `python` (the Python module, bindings/python/CMakeLists.txt).
include(CMakePackageConfigHelpers)

install(DIRECTORY include/nudge DESTINATION ${CMAKE_INSTALL_INCLUDEDIR} COMPONENT dev)
install(FILES ${PROJECT_BINARY_DIR}/include/nudge/version.hpp
        DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/nudge COMPONENT dev)
# The layers, static (nudge::model ... nudge::scenario): for a program that wants one layer and
# what it needs, find_package(nudge COMPONENTS runtime) finds the third-party libraries it links.
install(TARGETS ${NUDGE_LAYERS} EXPORT nudgeTargets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT dev)
install(TARGETS nudge EXPORT nudgeTargets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT dev
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT lib NAMELINK_COMPONENT dev
        RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT lib)
if(NUDGE_BUILD_CLI)
    install(TARGETS nudge_cli RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT cli)
endif()
install(EXPORT nudgeTargets NAMESPACE nudge::
        DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/nudge COMPONENT dev)
# A static libnudge needs its private dependencies found by whoever links it; a shared one
# does not (nudgeConfig.cmake.in reads NUDGE_CONFIG_STATIC).
if(BUILD_SHARED_LIBS)
    set(NUDGE_CONFIG_STATIC OFF)
else()
    set(NUDGE_CONFIG_STATIC ON)
endif()
configure_package_config_file(cmake/nudgeConfig.cmake.in
    ${PROJECT_BINARY_DIR}/nudgeConfig.cmake
    INSTALL_DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/nudge)
write_basic_package_version_file(${PROJECT_BINARY_DIR}/nudgeConfigVersion.cmake
    COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/nudgeConfig.cmake ${PROJECT_BINARY_DIR}/nudgeConfigVersion.cmake
              ${PROJECT_SOURCE_DIR}/cmake/Findphonenumber.cmake
        DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/nudge COMPONENT dev)

# pkg-config: nudge (the C++ library) and nudge-c (the C API), relocatable (the prefix is found
# from the .pc file's own folder, so an unpacked package works too).
file(RELATIVE_PATH nudge_pc_to_prefix ${CMAKE_INSTALL_FULL_LIBDIR}/pkgconfig
     ${CMAKE_INSTALL_PREFIX})
string(REGEX REPLACE "/$" "" nudge_pc_to_prefix "${nudge_pc_to_prefix}")
set(NUDGE_PC_PREFIX "\${pcfiledir}/${nudge_pc_to_prefix}")
if(NUDGE_CONFIG_STATIC)
    # What a static libnudge links to (libphonenumber and date-tz ship no .pc file).
    set(NUDGE_PC_REQUIRES_PRIVATE "yaml-cpp sqlite3 libutf8proc re2 icu-i18n icu-uc")
    set(NUDGE_PC_LIBS_PRIVATE "-lphonenumber -ldate-tz -lstdc++")
else()
    set(NUDGE_PC_REQUIRES_PRIVATE "")
    set(NUDGE_PC_LIBS_PRIVATE "")
endif()
configure_file(cmake/nudge.pc.in ${PROJECT_BINARY_DIR}/pkgconfig/nudge.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/pkgconfig/nudge.pc
        DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig COMPONENT dev)
if(NUDGE_BUILD_C_API)
    configure_file(cmake/nudge-c.pc.in ${PROJECT_BINARY_DIR}/pkgconfig/nudge-c.pc @ONLY)
    install(FILES ${PROJECT_BINARY_DIR}/pkgconfig/nudge-c.pc
            DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig COMPONENT dev)
endif()

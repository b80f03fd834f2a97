# Install and export once, properly: headers, the library, and a package config that
# find_package(nudge) reads. tests/consumer proves it works.
include(CMakePackageConfigHelpers)

install(DIRECTORY include/nudge DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(FILES ${PROJECT_BINARY_DIR}/include/nudge/version.hpp
        DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/nudge)
install(TARGETS nudge EXPORT nudgeTargets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
        RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
if(NUDGE_BUILD_CLI)
    install(TARGETS nudge_cli RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
endif()
install(EXPORT nudgeTargets NAMESPACE nudge::
        DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/nudge)
configure_package_config_file(cmake/nudgeConfig.cmake.in
    ${PROJECT_BINARY_DIR}/nudgeConfig.cmake
    INSTALL_DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/nudge)
write_basic_package_version_file(${PROJECT_BINARY_DIR}/nudgeConfigVersion.cmake
    COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/nudgeConfig.cmake ${PROJECT_BINARY_DIR}/nudgeConfigVersion.cmake
              ${PROJECT_SOURCE_DIR}/cmake/Findphonenumber.cmake
        DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/nudge)

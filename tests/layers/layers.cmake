# The layers (CMakeLists.txt, docs/architecture.md) are acyclic and keep their third-party
# libraries to themselves. Built with the tests:
#   layer_closure_<layer>  links one layer whole (every object, used or not) and, as usual, the
#                          layers and libraries it declares: a layer that calls into a layer it
#                          does not link (an upward or sideways call) fails the build here.
#   layer_runtime_only     a program on nudge_runtime alone; the test below checks with ldd and
#                          nm that it carries no SQLite, yaml-cpp or PEGTL.
if(CMAKE_VERSION VERSION_LESS 3.24)
    message(STATUS "Layer checks need CMake 3.24 ($<LINK_LIBRARY:WHOLE_ARCHIVE>): skipped")
    return()
endif()
foreach(layer IN LISTS NUDGE_LAYERS)
    if(layer STREQUAL "nudge_runtime")
        continue()
    endif()
    add_executable(layer_closure_${layer} ${CMAKE_CURRENT_LIST_DIR}/empty_main.cpp)
    target_link_libraries(layer_closure_${layer}
                          PRIVATE "$<LINK_LIBRARY:WHOLE_ARCHIVE,${layer}>" nudge_warnings)
endforeach()
add_executable(layer_runtime_only ${CMAKE_CURRENT_LIST_DIR}/runtime_only.cpp)
target_link_libraries(layer_runtime_only
                      PRIVATE "$<LINK_LIBRARY:WHOLE_ARCHIVE,nudge_runtime>" nudge_warnings)
add_test(NAME "layers: the runtime layer alone has no SQLite, yaml-cpp or PEGTL"
         COMMAND ${CMAKE_COMMAND} -DPROGRAM=$<TARGET_FILE:layer_runtime_only>
                 -DCONTROL=$<TARGET_FILE:layer_closure_nudge_scenario>
                 -P ${CMAKE_CURRENT_LIST_DIR}/check.cmake)

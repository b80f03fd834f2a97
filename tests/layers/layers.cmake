# The layers (CMakeLists.txt, docs/architecture.md) are acyclic and keep their third-party
# libraries to themselves. Built with the tests:
#   layer_closure_<layer>  links one layer whole (every object, used or not) and, as usual, the
#                          layers and libraries it declares: a layer that calls into a layer it
#                          does not link (an upward or sideways call) fails the build here.
#   layer_runtime_only     a program on nudge_runtime alone; the test below checks with ldd and
#                          nm that it carries no SQLite, yaml-cpp or PEGTL.
# One include root per layer, and no include path that names files in two of them: every header
# under the layers' roots (src/ private, include/ offered upward) and the public include/ has a
# path relative to its root that no other root has. Checked when configuring.
set(roots ${PROJECT_SOURCE_DIR}/include ${NUDGE_LAYER_PRIVATE_DIRS})
foreach(layer IN LISTS NUDGE_LAYERS)
    get_target_property(dirs ${layer} INTERFACE_INCLUDE_DIRECTORIES)
    foreach(dir IN LISTS dirs)
        if(dir MATCHES "^\\$<BUILD_INTERFACE:(.*/(lib/[a-z]+|dsl)/include)>$")
            list(APPEND roots ${CMAKE_MATCH_1})
        endif()
    endforeach()
endforeach()
list(REMOVE_DUPLICATES roots)
set(seen "")
foreach(root IN LISTS roots)
    file(GLOB_RECURSE headers RELATIVE ${root} ${root}/*.hpp ${root}/*.h ${root}/*.def)
    foreach(header IN LISTS headers)
        if(header IN_LIST seen)
            message(FATAL_ERROR "\"${header}\" names a file under two include roots (${root})")
        endif()
        list(APPEND seen ${header})
    endforeach()
endforeach()
list(LENGTH roots n_roots)
list(LENGTH seen n_headers)
message(STATUS "Layers: ${n_headers} headers under ${n_roots} include roots, each path naming one")

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

# Run by CTest (tests/layers/layers.cmake): PROGRAM links only the runtime layer; it must run
# and neither load (ldd) nor contain or call (nm) SQLite, yaml-cpp or PEGTL. CONTROL links the
# scenario layer, which has all three: the same checks must find them there, so that a check
# that finds nothing is not a check that cannot find anything.
cmake_minimum_required(VERSION 3.20)

function(run out)
    execute_process(COMMAND ${ARGN} OUTPUT_VARIABLE text ERROR_VARIABLE err RESULT_VARIABLE rc)
    if(NOT rc EQUAL 0)
        message(FATAL_ERROR "${ARGN} failed (${rc}):\n${text}${err}")
    endif()
    set(${out} "${text}" PARENT_SCOPE)
endfunction()

# name regex-in-ldd regex-in-nm (nm -C lists defined and undefined symbols)
set(checks "SQLite|libsqlite3|sqlite3_" "yaml-cpp|libyaml-cpp|YAML::" "PEGTL|^$|tao::pegtl")

run(said ${PROGRAM})
message(STATUS "${said}")
run(ldd_program ldd ${PROGRAM})
run(nm_program nm -C ${PROGRAM})
run(ldd_control ldd ${CONTROL})
run(nm_control nm -C ${CONTROL})

set(failed "")
foreach(check IN LISTS checks)
    string(REPLACE "|" ";" parts "${check}")
    list(GET parts 0 name)
    list(GET parts 1 in_ldd)
    list(GET parts 2 in_nm)
    if(NOT in_ldd STREQUAL "^$" AND ldd_program MATCHES "${in_ldd}")
        string(APPEND failed "${name}: the runtime-only program loads ${in_ldd}\n")
    endif()
    if(nm_program MATCHES "${in_nm}")
        string(APPEND failed "${name}: the runtime-only program has symbols ${in_nm}\n")
    endif()
    if(NOT nm_control MATCHES "${in_nm}")
        string(APPEND failed "${name}: the control (scenario layer) has no ${in_nm} symbols: "
                             "the check cannot see it\n")
    endif()
endforeach()
if(failed)
    message(FATAL_ERROR "${failed}ldd ${PROGRAM}:\n${ldd_program}")
endif()
message(STATUS "the runtime layer alone: no SQLite, yaml-cpp or PEGTL (ldd, nm)")

# Installs the build tree into a scratch prefix, then configures, builds and runs a separate
# project that uses find_package(nudge). Run by CTest.
file(REMOVE_RECURSE ${WORK_DIR})
execute_process(COMMAND ${CMAKE_COMMAND} --install ${NUDGE_BINARY_DIR} --prefix ${WORK_DIR}/prefix
                RESULT_VARIABLE rc)
if(rc)
    message(FATAL_ERROR "install failed")
endif()
execute_process(COMMAND ${CMAKE_COMMAND} -S ${CONSUMER_SOURCE_DIR} -B ${WORK_DIR}/build
                        -G ${CMAKE_GENERATOR} -DCMAKE_PREFIX_PATH=${WORK_DIR}/prefix
                        # Built the way nudge was (a sanitised nudge needs a sanitised program).
                        -DCMAKE_CXX_COMPILER=${CONSUMER_CXX_COMPILER}
                        "-DCMAKE_CXX_FLAGS=${CONSUMER_CXX_FLAGS}"
                        "-DCMAKE_EXE_LINKER_FLAGS=${CONSUMER_LINKER_FLAGS}"
                RESULT_VARIABLE rc)
if(rc)
    message(FATAL_ERROR "configuring the consumer failed")
endif()
execute_process(COMMAND ${CMAKE_COMMAND} --build ${WORK_DIR}/build RESULT_VARIABLE rc)
if(rc)
    message(FATAL_ERROR "building the consumer failed")
endif()
execute_process(COMMAND ${WORK_DIR}/build/consumer ${CONSUMER_SOURCE_DIR}/hello.flow
                RESULT_VARIABLE rc OUTPUT_VARIABLE out)
message("${out}")
if(rc)
    message(FATAL_ERROR "the consumer failed")
endif()
if(NOT out MATCHES "flow hello: 2 states.*sent 1 to \\+4520123456, state done")
    message(FATAL_ERROR "unexpected consumer output")
endif()
# The one-layer program: runs, and loads neither yaml-cpp nor SQLite (nor libnudge).
execute_process(COMMAND ${WORK_DIR}/build/engine_only RESULT_VARIABLE rc OUTPUT_VARIABLE out)
message("${out}")
if(rc OR NOT out MATCHES "engine only: sent 1 to \\+4520123456, state done")
    message(FATAL_ERROR "the one-layer consumer (nudge::runtime) failed")
endif()
execute_process(COMMAND ldd ${WORK_DIR}/build/engine_only RESULT_VARIABLE rc OUTPUT_VARIABLE libs)
if(rc)
    message(FATAL_ERROR "ldd engine_only failed")
endif()
if(libs MATCHES "libyaml-cpp|libsqlite3|libnudge")
    message(FATAL_ERROR "the nudge::runtime program loads more than the runtime needs:\n${libs}")
endif()
if(NOT libs MATCHES "libre2")
    message(FATAL_ERROR "ldd shows no libre2, which the runtime layer links: the check is blind:\n${libs}")
endif()
message(STATUS "nudge::runtime alone: no yaml-cpp, SQLite or libnudge (ldd)")
# Passed: the scratch prefix and build (about 200 MB in a Debug build) are not kept.
file(REMOVE_RECURSE ${WORK_DIR})

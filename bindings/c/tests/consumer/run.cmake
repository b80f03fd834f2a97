# Installs the build tree into a scratch prefix, then configures, builds and runs the C consumer
# project (find_package(nudge), nudge::c). Run by CTest; like tests/consumer/run.cmake, built the
# way nudge was, since a sanitised nudge needs a sanitised link.
file(REMOVE_RECURSE ${WORK_DIR})
execute_process(COMMAND ${CMAKE_COMMAND} --install ${NUDGE_BINARY_DIR} --prefix ${WORK_DIR}/prefix
                OUTPUT_QUIET RESULT_VARIABLE rc)
if(rc)
    message(FATAL_ERROR "install failed")
endif()
execute_process(COMMAND ${CMAKE_COMMAND} -S ${CONSUMER_SOURCE_DIR} -B ${WORK_DIR}/build
                        -G ${CMAKE_GENERATOR} -DCMAKE_PREFIX_PATH=${WORK_DIR}/prefix
                        -DCMAKE_C_COMPILER=${CONSUMER_C_COMPILER}
                        -DCMAKE_CXX_COMPILER=${CONSUMER_CXX_COMPILER}
                        "-DCMAKE_C_FLAGS=${CONSUMER_C_FLAGS}"
                        "-DCMAKE_CXX_FLAGS=${CONSUMER_CXX_FLAGS}"
                        "-DCMAKE_EXE_LINKER_FLAGS=${CONSUMER_LINKER_FLAGS}"
                RESULT_VARIABLE rc)
if(rc)
    message(FATAL_ERROR "configuring the C consumer failed")
endif()
execute_process(COMMAND ${CMAKE_COMMAND} --build ${WORK_DIR}/build RESULT_VARIABLE rc)
if(rc)
    message(FATAL_ERROR "building the C consumer failed")
endif()
# A shared libnudge_c (BUILD_SHARED_LIBS) loads libnudge.so.0 from the prefix, which is no system
# folder: as any program using shared libraries installed there, the consumer runs with
# LD_LIBRARY_PATH (the program's own RUNPATH does not reach a library's dependencies).
file(GLOB_RECURSE c_api_library ${WORK_DIR}/prefix/libnudge_c.so*)
set(run_env "")
if(c_api_library)
    list(GET c_api_library 0 c_api_library)
    get_filename_component(c_api_dir ${c_api_library} DIRECTORY)
    set(run_env ${CMAKE_COMMAND} -E env LD_LIBRARY_PATH=${c_api_dir})
endif()
execute_process(COMMAND ${run_env} ${WORK_DIR}/build/consumer_c RESULT_VARIABLE rc OUTPUT_VARIABLE out)
message("${out}")
if(rc)
    message(FATAL_ERROR "the C consumer failed")
endif()
if(NOT out MATCHES "\"to\":\"\\+4520123456\",\"from\":\"4790000000\",\"subject\":null,\"text\":\"Sorry we missed your call!\"")
    message(FATAL_ERROR "unexpected C consumer output")
endif()
# Passed: the scratch prefix and build (about 200 MB in a Debug build) are not kept.
file(REMOVE_RECURSE ${WORK_DIR})

# The Debian packages, as a user gets them: builds them (cmake/packaging.cmake), unpacks every
# .deb with `dpkg -x` into a scratch root, and uses what is there and nothing from the build
# tree: the unpacked `nudge check` on an example, tests/consumer and the C consumer built against
# the unpacked CMake package files, a C program built with the unpacked pkg-config file, and
# `import nudge` with /usr/bin/python3 from the unpacked dist-packages. Run by CTest
# (tests/package/package_test.cmake):
#   cmake -DSOURCE_DIR=… -DPACKAGE_DIR=… -DWORK_DIR=… [-DCONFIGURE=ON -DGENERATOR=…
#         -DCXX_COMPILER=… -DC_COMPILER=… -DLAUNCHER=…] -DPYTHON=/usr/bin/python3 -P run.cmake
# With CONFIGURE, PACKAGE_DIR is a build of its own (Release, shared libraries, no tests), kept
# between runs so that the next one only rebuilds what changed; without it, PACKAGE_DIR is the
# calling build, already configured that way (the release preset).
cmake_minimum_required(VERSION 3.20)

function(run what)
    execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
    if(rc)
        message(FATAL_ERROR "${what} failed (${rc}):\n${out}\n${err}")
    endif()
    set(run_output "${out}" PARENT_SCOPE)
endfunction()

file(REMOVE_RECURSE ${WORK_DIR})
file(MAKE_DIRECTORY ${WORK_DIR})
set(root ${WORK_DIR}/root)

# ---- build the packages
if(CONFIGURE)
    set(launcher "")
    if(LAUNCHER)
        set(launcher -DCMAKE_C_COMPILER_LAUNCHER=${LAUNCHER} -DCMAKE_CXX_COMPILER_LAUNCHER=${LAUNCHER})
    endif()
    run("configuring the package build" ${CMAKE_COMMAND} -S ${SOURCE_DIR} -B ${PACKAGE_DIR}
        -G ${GENERATOR} -DCMAKE_BUILD_TYPE=Release -DBUILD_SHARED_LIBS=ON
        -DCMAKE_C_COMPILER=${C_COMPILER} -DCMAKE_CXX_COMPILER=${CXX_COMPILER} ${launcher}
        -DNUDGE_BUILD_TESTS=OFF -DNUDGE_BUILD_EXAMPLES=OFF -DNUDGE_BUILD_BENCHMARKS=OFF
        -DNUDGE_BUILD_PYTHON=ON -DPython_EXECUTABLE=${PYTHON})
endif()
file(GLOB old_debs ${PACKAGE_DIR}/*.deb)
if(old_debs)
    file(REMOVE ${old_debs})
endif()
run("building the packages" ${CMAKE_COMMAND} --build ${PACKAGE_DIR} --target package --parallel 2)

set(expected nudge libnudge0 libnudge-dev python3-nudge)
foreach(name IN LISTS expected)
    file(GLOB deb ${PACKAGE_DIR}/${name}_*.deb)
    list(LENGTH deb n)
    if(NOT n EQUAL 1)
        message(FATAL_ERROR "expected one ${name}_*.deb in ${PACKAGE_DIR}, found: ${deb}")
    endif()
    run("dpkg -x ${deb}" dpkg -x ${deb} ${root})
    run("dpkg-deb -f ${deb}" dpkg-deb -f ${deb} Package Depends)
    message(STATUS "${run_output}")
    set(depends_${name} "${run_output}")
endforeach()
if(NOT depends_libnudge-dev MATCHES "libnudge0 \\(= " OR NOT depends_python3-nudge MATCHES "libnudge0 \\(= "
   OR NOT depends_python3-nudge MATCHES "python3 \\(")
    message(FATAL_ERROR "the packages do not depend on each other as they should")
endif()

# The library folder as GNUInstallDirs gives it (/usr/lib, or Debian's multiarch folder when
# configured with the prefix /usr).
file(GLOB libnudge ${root}/usr/lib/*/libnudge.so.0)
if(NOT libnudge)
    file(GLOB libnudge ${root}/usr/lib/libnudge.so.0)
endif()
if(NOT libnudge)
    message(FATAL_ERROR "no libnudge.so.0 in the unpacked libnudge0")
endif()
get_filename_component(libdir ${libnudge} DIRECTORY)
foreach(file ${libdir}/libnudge_c.so.0 ${libdir}/libnudge.so ${libdir}/pkgconfig/nudge.pc
        ${libdir}/pkgconfig/nudge-c.pc ${libdir}/cmake/nudge/nudgeConfig.cmake
        ${root}/usr/include/nudge/engine.hpp ${root}/usr/include/nudge/nudge.h
        ${libdir}/libnudge_runtime.a ${libdir}/cmake/nudge/nudgeTargets.cmake
        ${root}/usr/lib/python3/dist-packages/nudge.pyi
        ${root}/usr/lib/python3/dist-packages/nudge-stubs/__init__.pyi ${root}/usr/bin/nudge)
    if(NOT EXISTS ${file})
        message(FATAL_ERROR "the packages lack ${file}")
    endif()
endforeach()
set(env ${CMAKE_COMMAND} -E env LD_LIBRARY_PATH=${libdir})

# ---- the command
run("the unpacked nudge check" ${env} ${root}/usr/bin/nudge check
    ${SOURCE_DIR}/examples/missed-call/missed_call.flow)

# ---- only the public API is exported: include/nudge/*.hpp from libnudge, nudge.h from libnudge_c
run("nm -D libnudge.so.0" nm -DC --defined-only ${libnudge})
set(exports "${run_output}")
if(NOT exports MATCHES "nudge::Engine::trigger" OR NOT exports MATCHES "nudge::compile\\(")
    message(FATAL_ERROR "libnudge.so.0 does not export the public API:\n${exports}")
endif()
# (a private implementation, Engine::Impl and the like, is not exported either: its members
# would show as nudge::Engine::Impl::…)
string(REGEX MATCHALL "[^\n]*(nudge::detail::|::Impl::|anonymous namespace|YAML::|tao::pegtl|re2::|sqlite3_)[^\n]*"
       leaks "${exports}")
if(leaks)
    list(LENGTH leaks n)
    list(SUBLIST leaks 0 20 some)
    string(REPLACE ";" "\n" some "${some}")
    message(FATAL_ERROR "libnudge.so.0 exports ${n} symbols that are not the public API:\n${some}")
endif()
run("nm -D libnudge_c.so.0" nm -D --defined-only ${libdir}/libnudge_c.so.0)
string(REGEX MATCHALL "[^\n]* [TW] _ZN5nudge[^\n]*" leaks "${run_output}")
if(NOT run_output MATCHES " T nudge_engine_new" OR leaks)
    message(FATAL_ERROR "libnudge_c.so.0 exports more or less than nudge.h's functions:\n${leaks}")
endif()

# ---- the CMake package: tests/consumer (C++) and the C API's consumer
foreach(consumer tests/consumer bindings/c/tests/consumer)
    string(MAKE_C_IDENTIFIER ${consumer} name)
    run("configuring ${consumer}" ${CMAKE_COMMAND} -S ${SOURCE_DIR}/${consumer}
        -B ${WORK_DIR}/${name} -G ${GENERATOR} -DCMAKE_PREFIX_PATH=${root}/usr
        -DCMAKE_C_COMPILER=${C_COMPILER} -DCMAKE_CXX_COMPILER=${CXX_COMPILER})
    run("building ${consumer}" ${CMAKE_COMMAND} --build ${WORK_DIR}/${name})
endforeach()
run("the C++ consumer" ${env} ${WORK_DIR}/tests_consumer/consumer
    ${SOURCE_DIR}/tests/consumer/hello.flow)
if(NOT run_output MATCHES "flow hello: 2 states.*sent 1 to \\+4520123456, state done")
    message(FATAL_ERROR "unexpected output of the C++ consumer:\n${run_output}")
endif()
run("the one-layer consumer (nudge::runtime, static)" ${WORK_DIR}/tests_consumer/engine_only)
if(NOT run_output MATCHES "engine only: sent 1 to \\+4520123456, state done")
    message(FATAL_ERROR "unexpected output of the one-layer consumer:\n${run_output}")
endif()
run("ldd of the C++ consumer" ${env} ldd ${WORK_DIR}/tests_consumer/consumer)
if(NOT run_output MATCHES "libnudge\\.so\\.0 => ${libdir}/")
    message(FATAL_ERROR "the consumer does not use the unpacked libnudge.so.0:\n${run_output}")
endif()
run("the C consumer" ${env} ${WORK_DIR}/bindings_c_tests_consumer/consumer_c)

# ---- pkg-config: the README's C example, built with `pkg-config --cflags --libs nudge-c`
run("pkg-config" ${CMAKE_COMMAND} -E env PKG_CONFIG_PATH=${libdir}/pkgconfig
    pkg-config --cflags --libs nudge-c)
string(STRIP "${run_output}" flags)
separate_arguments(flags UNIX_COMMAND "${flags}")
set(include_dir "")
foreach(flag IN LISTS flags)
    if(flag MATCHES "^-I(.*)")
        get_filename_component(include_dir "${CMAKE_MATCH_1}" REALPATH)
    endif()
endforeach()
get_filename_component(unpacked_include ${root}/usr/include REALPATH)
if(NOT include_dir STREQUAL unpacked_include)
    message(FATAL_ERROR "pkg-config does not point into the unpacked package: ${flags}")
endif()
run("building bindings/c/example.c with pkg-config" ${env} ${C_COMPILER} -std=c11
    ${SOURCE_DIR}/bindings/c/example.c -o ${WORK_DIR}/example ${flags})
run("the C example" ${env} ${WORK_DIR}/example)
if(NOT run_output MATCHES "\"state\":\"confirmed\"")
    message(FATAL_ERROR "unexpected output of the C example:\n${run_output}")
endif()

# ---- Python: the system python3 imports the unpacked module (and not one from the build tree)
run("import nudge" ${env} PYTHONPATH=${root}/usr/lib/python3/dist-packages PYTHONNOUSERSITE=1
    PYTHONDONTWRITEBYTECODE=1 ${PYTHON} -c "
import pathlib, nudge
assert pathlib.Path(nudge.__file__).is_relative_to('${root}'), nudge.__file__
flow = nudge.compile_file('${SOURCE_DIR}/examples/missed-call/missed_call.flow')
print(nudge.__version__, flow.name, nudge.DurableEngine.__name__)
")
message(STATUS "python3: ${run_output}")

# ---- the stubs, as a type checker finds them in an installed dist-packages (mypy, when Debian's
# python3-mypy is there): a virtual environment whose site-packages leads to the unpacked one.
execute_process(COMMAND ${PYTHON} -c "import mypy" RESULT_VARIABLE no_mypy OUTPUT_QUIET ERROR_QUIET)
if(NOT no_mypy)
    run("python3 -m venv" ${PYTHON} -m venv --without-pip ${WORK_DIR}/venv)
    file(GLOB site ${WORK_DIR}/venv/lib/python3*/site-packages)
    file(WRITE ${site}/unpacked.pth "${root}/usr/lib/python3/dist-packages\n")
    file(WRITE ${WORK_DIR}/typed/good.py "import nudge\n\n\ndef name(path: str) -> str:\n    return nudge.compile_file(path).name\n")
    file(WRITE ${WORK_DIR}/typed/bad.py "import nudge\n\ncount: int = nudge.compile('flow x').name\n")
    set(mypy ${PYTHON} -m mypy --no-incremental --cache-dir=/dev/null
             --python-executable ${WORK_DIR}/venv/bin/python)
    run("mypy --strict with the unpacked stubs" ${mypy} --strict ${WORK_DIR}/typed/good.py)
    execute_process(COMMAND ${mypy} ${WORK_DIR}/typed/bad.py RESULT_VARIABLE rc OUTPUT_VARIABLE out)
    if(NOT rc OR NOT out MATCHES "expression has type \"str\", variable has type \"int\"")
        message(FATAL_ERROR "mypy did not read the unpacked stubs:\n${out}")
    endif()
endif()

file(REMOVE_RECURSE ${WORK_DIR})

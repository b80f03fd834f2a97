# Finds what the Python module needs (Debian: python3-dev, pybind11-dev) and sets the default of
# NUDGE_BUILD_PYTHON: on when pybind11 is found. Included from the top-level CMakeLists.txt,
# before the option is declared.
if(NOT DEFINED Python_EXECUTABLE AND EXISTS /usr/bin/python3)
    # The system Python, which Debian's headers and pybind11 match, not a pyenv shim on PATH.
    set(Python_EXECUTABLE /usr/bin/python3 CACHE FILEPATH "Python interpreter for the bindings")
endif()
find_package(Python 3 QUIET COMPONENTS Interpreter Development.Module)
set(NUDGE_PYTHON_DEFAULT OFF)
if(Python_FOUND)
    find_package(pybind11 2.6 CONFIG QUIET)
    if(pybind11_FOUND)
        set(NUDGE_PYTHON_DEFAULT ON)
    endif()
endif()

# Fails unless README contains EXAMPLE's text verbatim as a fenced code block (```FENCE … ```),
# so the example a reader copies is the one the tests build and run.
#   cmake -DREADME=… -DEXAMPLE=… -DFENCE=c -P check_readme.cmake
file(READ ${README} readme)
file(READ ${EXAMPLE} example)
string(FIND "${readme}" "```${FENCE}\n${example}```\n" at)
if(at EQUAL -1)
    message(FATAL_ERROR "README.md does not quote ${EXAMPLE} as a ```${FENCE} block; "
                        "copy the file's text into README.md (section Bindings)")
endif()

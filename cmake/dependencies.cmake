# Every dependency comes from a Debian package (see scripts/bootstrap). Nothing is vendored.
find_package(pegtl 3 REQUIRED CONFIG)
find_package(yaml-cpp REQUIRED CONFIG)
find_package(date REQUIRED CONFIG)
find_package(Threads REQUIRED)
find_package(Boost 1.74 REQUIRED)
find_package(PkgConfig REQUIRED)
pkg_check_modules(utf8proc REQUIRED IMPORTED_TARGET libutf8proc)
pkg_check_modules(re2 REQUIRED IMPORTED_TARGET re2)
# ICU formats money, numbers and dates in messages (libphonenumber links it too).
pkg_check_modules(icu REQUIRED IMPORTED_TARGET icu-i18n icu-uc)
# libphonenumber has no CMake package on Debian: cmake/Findphonenumber.cmake provides one.
list(APPEND CMAKE_MODULE_PATH ${CMAKE_CURRENT_LIST_DIR})
find_package(phonenumber REQUIRED MODULE)
find_package(SQLite3 REQUIRED)
find_package(nlohmann_json 3 REQUIRED CONFIG)

# Finds libphonenumber, which Debian's libphonenumber-dev ships without a CMake package, and
# defines the imported target phonenumber::phonenumber. The shared library records its own
# dependencies (protobuf, ICU, abseil), so only it is linked. Installed next to nudgeConfig.cmake:
# a consumer of the static libnudge finds it the same way.
find_path(phonenumber_INCLUDE_DIR phonenumbers/phonenumberutil.h)
find_library(phonenumber_LIBRARY NAMES phonenumber)
mark_as_advanced(phonenumber_INCLUDE_DIR phonenumber_LIBRARY)

include(FindPackageHandleStandardArgs)
find_package_handle_standard_args(phonenumber
    REQUIRED_VARS phonenumber_LIBRARY phonenumber_INCLUDE_DIR)

if(phonenumber_FOUND AND NOT TARGET phonenumber::phonenumber)
    add_library(phonenumber::phonenumber UNKNOWN IMPORTED)
    set_target_properties(phonenumber::phonenumber PROPERTIES
        IMPORTED_LOCATION "${phonenumber_LIBRARY}"
        INTERFACE_INCLUDE_DIRECTORIES "${phonenumber_INCLUDE_DIR}")
endif()

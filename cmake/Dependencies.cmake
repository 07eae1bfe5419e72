# Every dependency is a Debian package; nothing is downloaded at build time.
find_package(Threads REQUIRED)
find_package(Boost 1.74 REQUIRED)
find_package(nlohmann_json 3.11 REQUIRED)
find_package(CLI11 REQUIRED)
find_package(PkgConfig REQUIRED)
pkg_check_modules(TOMLPP REQUIRED IMPORTED_TARGET tomlplusplus)
pkg_check_modules(HIREDIS REQUIRED IMPORTED_TARGET hiredis)
pkg_check_modules(RABBITMQ REQUIRED IMPORTED_TARGET librabbitmq)
pkg_check_modules(SQLITE3 REQUIRED IMPORTED_TARGET sqlite3)
pkg_check_modules(LIBPQ REQUIRED IMPORTED_TARGET libpq)
pkg_check_modules(SODIUM REQUIRED IMPORTED_TARGET libsodium)
pkg_check_modules(LIBJWT REQUIRED IMPORTED_TARGET libjwt)
pkg_check_modules(LIBCRYPTO REQUIRED IMPORTED_TARGET libcrypto)
pkg_check_modules(XLSXWRITER REQUIRED IMPORTED_TARGET xlsxwriter)
find_package(CURL REQUIRED)
# The resignation-letter agent's OCR.
pkg_check_modules(TESSERACT REQUIRED IMPORTED_TARGET tesseract>=5)
pkg_check_modules(LEPTONICA REQUIRED IMPORTED_TARGET lept)
pkg_check_modules(POPPLER_CPP REQUIRED IMPORTED_TARGET poppler-cpp)

# SOCI 4.0.3 ships no CMake config.
find_path(SOCI_INCLUDE_DIR soci/soci.h REQUIRED)
find_library(SOCI_CORE_LIBRARY soci_core REQUIRED)
find_library(SOCI_SQLITE3_LIBRARY soci_sqlite3 REQUIRED)
find_library(SOCI_POSTGRESQL_LIBRARY soci_postgresql REQUIRED)

add_library(tabel_deps INTERFACE)
add_library(tabel::deps ALIAS tabel_deps)
target_include_directories(tabel_deps SYSTEM INTERFACE ${SOCI_INCLUDE_DIR} ${Boost_INCLUDE_DIRS})
target_link_libraries(tabel_deps INTERFACE
  ${SOCI_SQLITE3_LIBRARY} ${SOCI_POSTGRESQL_LIBRARY} ${SOCI_CORE_LIBRARY}
  PkgConfig::SQLITE3 PkgConfig::LIBPQ PkgConfig::TOMLPP PkgConfig::HIREDIS PkgConfig::RABBITMQ
  PkgConfig::SODIUM PkgConfig::LIBJWT PkgConfig::LIBCRYPTO PkgConfig::XLSXWRITER CURL::libcurl
  PkgConfig::TESSERACT PkgConfig::LEPTONICA PkgConfig::POPPLER_CPP
  nlohmann_json::nlohmann_json CLI11::CLI11 Threads::Threads ${CMAKE_DL_LIBS})

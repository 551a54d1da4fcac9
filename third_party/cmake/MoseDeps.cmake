# System libraries, all from Debian packages (see scripts/setup).
find_package(fmt REQUIRED)
find_package(SQLite3 REQUIRED)
find_package(ZLIB REQUIRED)
find_package(Threads REQUIRED)
find_package(PkgConfig REQUIRED)
pkg_check_modules(TOMLPLUSPLUS REQUIRED IMPORTED_TARGET tomlplusplus)
pkg_check_modules(SENTENCEPIECE REQUIRED IMPORTED_TARGET sentencepiece)
find_package(Catch2 2 REQUIRED)   # Debian 12 ships Catch2 v2 (single header)
find_package(CLI11 REQUIRED)      # command-line parsing for app/
find_package(nlohmann_json 3 REQUIRED)  # JSON: task files, stored trial configs (Debian nlohmann-json3-dev)

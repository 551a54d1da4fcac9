# Tests that need a PostgreSQL server: every storage contract test's
# "- PostgresBackend" instance and the test cases tagged [postgres] (db and
# app). CTest starts a throwaway server for them (fixture "postgres":
# scripts/postgres-test-server, initdb + pg_ctl on 127.0.0.1, a free port) and
# stops it after the last one; the tests find its URL in the file named by
# MOSE_TEST_POSTGRES_URL_FILE (tests/db/storage_backends.h).
#
# Without the server binaries (Debian's postgresql, which scripts/setup installs)
# a developer build leaves these tests out and says so here; in CI (CI=true) they
# are registered anyway, so a missing server fails the run instead of skipping.
file(GLOB MOSE_PG_BINDIRS /usr/lib/postgresql/*/bin)
find_program(MOSE_PG_INITDB initdb PATHS ${MOSE_PG_BINDIRS})
set(MOSE_PG_TEST_STATE ${CMAKE_CURRENT_BINARY_DIR}/postgres-server)
if(MOSE_PG_INITDB OR "$ENV{CI}" STREQUAL "true")
  set(MOSE_PG_TESTS ON)
  message(STATUS "mose: PostgreSQL tests use a throwaway server (initdb: ${MOSE_PG_INITDB})")
  add_test(NAME "db: start the PostgreSQL test server"
    COMMAND ${PROJECT_SOURCE_DIR}/scripts/postgres-test-server start ${MOSE_PG_TEST_STATE})
  set_tests_properties("db: start the PostgreSQL test server" PROPERTIES FIXTURES_SETUP postgres TIMEOUT 120)
  add_test(NAME "db: stop the PostgreSQL test server"
    COMMAND ${PROJECT_SOURCE_DIR}/scripts/postgres-test-server stop ${MOSE_PG_TEST_STATE})
  set_tests_properties("db: stop the PostgreSQL test server" PROPERTIES FIXTURES_CLEANUP postgres TIMEOUT 120)
else()
  set(MOSE_PG_TESTS OFF)
  message(STATUS "mose: PostgreSQL server (initdb) not found: PostgreSQL tests not registered; "
                 "install Debian's postgresql (scripts/setup does) to run them")
endif()

# Registers the test cases of `target` that match the Catch spec `spec` as
# needing the server. The same executable's other test cases are registered by
# mose_add_test_suite with the opposite spec.
function(mose_add_postgres_tests target folder spec)
  if(NOT MOSE_PG_TESTS)
    return()
  endif()
  catch_discover_tests(${target} TEST_SPEC ${spec} TEST_PREFIX "${folder}: " EXTRA_ARGS -w NoTests
    PROPERTIES TIMEOUT 900 FIXTURES_REQUIRED postgres
      ENVIRONMENT "MOSE_TEST_POSTGRES_URL_FILE=${MOSE_PG_TEST_STATE}/url"
    WORKING_DIRECTORY ${CMAKE_CURRENT_BINARY_DIR})
endfunction()

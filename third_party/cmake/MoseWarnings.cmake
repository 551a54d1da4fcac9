# Warnings for our own targets only; third-party headers come in as SYSTEM includes.
function(mose_set_warnings target)
  target_compile_options(${target} PRIVATE
    $<$<COMPILE_LANGUAGE:CXX>:-Wall -Wextra -Wpedantic -Wshadow=local -Wno-unused-parameter>)
  # GCC 12 reports false -Wstringop-overflow/-Wrestrict on std::string concatenation at -O3
  # (GCC bugs 105329, 105651); they fire inside libstdc++, not in our code.
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 13)
    target_compile_options(${target} PRIVATE $<$<COMPILE_LANGUAGE:CXX>:-Wno-stringop-overflow -Wno-restrict>)
  endif()
  if(MOSE_WERROR)
    target_compile_options(${target} PRIVATE $<$<COMPILE_LANGUAGE:CXX>:-Werror>)
  endif()
endfunction()

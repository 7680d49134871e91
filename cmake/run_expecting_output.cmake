# Runs a test program and fails the test if it exits non-zero (a crash or a
# sanitizer report after the expected line included), then if its output,
# stdout and stderr together, does not match EXPECT. CTest's
# PASS_REGULAR_EXPRESSION ignores the exit status, which is why this exists.
#
#   cmake -DEXPECT=<regex> -P run_expecting_output.cmake -- <program> [args...]
if(NOT DEFINED EXPECT OR EXPECT STREQUAL "")
  message(FATAL_ERROR "run_expecting_output.cmake: EXPECT is not set")
endif()

set(command)
set(after_separator FALSE)
math(EXPR last_index "${CMAKE_ARGC} - 1")
foreach(index RANGE ${last_index})
  if(after_separator)
    list(APPEND command "${CMAKE_ARGV${index}}")
  elseif("${CMAKE_ARGV${index}}" STREQUAL "--")
    set(after_separator TRUE)
  endif()
endforeach()
if(NOT command)
  message(FATAL_ERROR "run_expecting_output.cmake: no program after --")
endif()

# The same variable for both streams merges them in the order produced.
execute_process(COMMAND ${command}
  RESULT_VARIABLE status
  OUTPUT_VARIABLE output
  ERROR_VARIABLE output)
message(NOTICE "${output}")

if(NOT status STREQUAL "0")
  message(FATAL_ERROR "${command} exited with status '${status}'")
endif()
if(NOT output MATCHES "${EXPECT}")
  message(FATAL_ERROR "the output of ${command} does not match: ${EXPECT}")
endif()

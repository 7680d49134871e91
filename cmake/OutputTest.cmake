# agentsudo_add_output_test(NAME <name> EXPECT <regex> COMMAND <program> [args...])
#
# A test that passes only when the program exits 0 and its output matches
# EXPECT. Use it instead of PASS_REGULAR_EXPRESSION, which lets the output
# decide alone and so passes a program that prints its line and then crashes.
function(agentsudo_add_output_test)
  cmake_parse_arguments(PARSE_ARGV 0 arg "" "NAME;EXPECT" "COMMAND")
  if(NOT arg_NAME OR NOT arg_EXPECT OR NOT arg_COMMAND)
    message(FATAL_ERROR "agentsudo_add_output_test needs NAME, EXPECT and COMMAND")
  endif()
  add_test(NAME ${arg_NAME}
    COMMAND ${CMAKE_COMMAND} "-DEXPECT=${arg_EXPECT}"
            -P ${CMAKE_CURRENT_FUNCTION_LIST_DIR}/run_expecting_output.cmake -- ${arg_COMMAND})
endfunction()

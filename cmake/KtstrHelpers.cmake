# ktstr_add_plugin(<name> SOURCES <src...> [LIBS <libs...>])
# Builds a hidden-visibility loadable module against api/ only. The module
# lands in ${KTSTR_BUILD_PLUGIN_DIR} so the engine finds it in the build tree.
function(ktstr_add_plugin name)
  cmake_parse_arguments(P "" "" "SOURCES;LIBS" ${ARGN})
  string(TOUPPER "${name}" upper)
  string(REPLACE "-" "_" upper "${upper}")
  option(KTSTR_PLUGIN_${upper} "Build the ${name} plugin" ON)
  if(NOT KTSTR_PLUGIN_${upper})
    return()
  endif()
  set(target ktstr_plugin_${name})
  add_library(${target} MODULE ${P_SOURCES})
  set_target_properties(${target} PROPERTIES
    PREFIX "" OUTPUT_NAME "${name}"
    C_VISIBILITY_PRESET hidden
    LIBRARY_OUTPUT_DIRECTORY "${KTSTR_BUILD_PLUGIN_DIR}")
  target_link_libraries(${target} PRIVATE ktstr_api ${P_LIBS})
  target_link_options(${target} PRIVATE -Wl,-z,defs)
  install(TARGETS ${target} LIBRARY DESTINATION ${KTSTR_INSTALL_PLUGIN_DIR})
endfunction()

# ktstr_add_test(<name> SOURCES <src...> [LIBS <libs...>] [LABELS <labels...>])
# A cmocka test executable registered with ctest.
function(ktstr_add_test name)
  cmake_parse_arguments(T "" "TIMEOUT" "SOURCES;LIBS;LABELS;DEPENDS" ${ARGN})
  add_executable(${name} ${T_SOURCES})
  target_link_libraries(${name} PRIVATE PkgConfig::CMOCKA ${T_LIBS})
  add_test(NAME ${name} COMMAND ${name})
  set_tests_properties(${name} PROPERTIES LABELS "${T_LABELS}" SKIP_RETURN_CODE 77
    ENVIRONMENT "KTSTR_SOURCE_DIR=${PROJECT_SOURCE_DIR};KTSTR_BUILD_DIR=${CMAKE_BINARY_DIR}")
  if(T_TIMEOUT)
    set_tests_properties(${name} PROPERTIES TIMEOUT ${T_TIMEOUT})
  endif()
  if(T_DEPENDS)
    add_dependencies(${name} ${T_DEPENDS})
  endif()
endfunction()

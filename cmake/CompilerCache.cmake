# ccache, when installed, makes a rebuild of unchanged sources (a second
# clone, a switched branch, `make clean`) nearly free. The Makefile sets its
# base directory to the checkout so that clones in other folders share hits.
find_program(AGENTSUDO_CCACHE ccache)
if(AGENTSUDO_CCACHE AND NOT CMAKE_CXX_COMPILER_LAUNCHER)
  set(CMAKE_CXX_COMPILER_LAUNCHER ${AGENTSUDO_CCACHE})
endif()
if(AGENTSUDO_CCACHE)
  # Lets ccache cache sources that use the precompiled header (see Layers.cmake).
  add_compile_options(-fpch-preprocess)
endif()

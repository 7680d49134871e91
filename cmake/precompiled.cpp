// Compiles the layers' shared precompiled header (see Layers.cmake); nothing else.

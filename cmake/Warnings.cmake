# Warnings are errors everywhere in our own code; third-party headers come in as SYSTEM includes.
add_library(ephemery_warnings INTERFACE)
target_compile_options(ephemery_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Werror
  -Wshadow -Wconversion -Wsign-conversion -Wnon-virtual-dtor -Wold-style-cast
  -Wcast-align -Wunused -Woverloaded-virtual -Wdouble-promotion
  -Wformat=2 -Wimplicit-fallthrough)

/*
 * oot_sink.c compiled as if its headers said ABI 2.0, so the install test
 * can check how ktstr refuses a module of another major. The headers'
 * include guard keeps oot_sink.c's own #include from undoing the override.
 */
#include <ktstr/sink.h>

#undef KTSTR_ABI_MAJOR
#define KTSTR_ABI_MAJOR 2
#undef KTSTR_ABI_MINOR
#define KTSTR_ABI_MINOR 0

#include "oot_sink.c"

// Intentionally only the declaration: the definition comes from libclang_rt.fuzzer in the sanitizer build.
#include "CLibFuzzer.h"

// libFuzzer's programmatic entry point (compiler-rt FuzzerInterface.h). Only the sanitizer build of olaf-fuzz
// (-sanitize=fuzzer, -DOLAF_FUZZ) calls it; the normal build only sees this declaration.
#ifndef OLAF_CLIBFUZZER_H
#define OLAF_CLIBFUZZER_H

#include <stddef.h>
#include <stdint.h>

/// Runs libFuzzer with the command line in argc/argv, calling callback for every input.
int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));

#endif

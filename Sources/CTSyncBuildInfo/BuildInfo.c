// scripts/package and scripts/install rewrite the two #define lines from
// `git describe` for their build and restore this file afterwards: SwiftPM
// cannot pass a string to the compiler, and a C file is the one source whose
// change rebuilds nothing but itself. A plain `swift build` reports the
// committed development version and commit "unknown".
#include "CTSyncBuildInfo.h"

#define CTSYNC_VERSION "0.2.0-dev"
#define CTSYNC_COMMIT "unknown"

const char *ctsync_build_version(void) { return CTSYNC_VERSION; }
const char *ctsync_build_commit(void) { return CTSYNC_COMMIT; }

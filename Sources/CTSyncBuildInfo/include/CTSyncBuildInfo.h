#ifndef CTSYNC_BUILD_INFO_H
#define CTSYNC_BUILD_INFO_H

/// The version this binary reports (see BuildInfo.c).
const char *ctsync_build_version(void);
/// The commit it was built from, or "unknown".
const char *ctsync_build_commit(void);

#endif

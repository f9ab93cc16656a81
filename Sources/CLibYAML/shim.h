#ifndef CTSYNC_CLIBYAML_SHIM_H
#define CTSYNC_CLIBYAML_SHIM_H
#include <yaml.h>
#endif

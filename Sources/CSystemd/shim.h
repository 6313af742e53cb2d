// libsystemd headers for sd_notify and sd_journal_send (service integration).
#ifndef OLAF_CSYSTEMD_SHIM_H
#define OLAF_CSYSTEMD_SHIM_H
#include <systemd/sd-daemon.h>
#include <systemd/sd-journal.h>
#endif

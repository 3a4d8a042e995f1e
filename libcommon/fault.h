#ifndef INLET_FAULT_H
#define INLET_FAULT_H
/*
 * Crash points for the exactly-once tests: when the environment variable
 * INLET_CRASH_AT equals NAME, the process kills itself with SIGKILL right
 * there, as a power cut or `kill -9` would.  inlet(7) lists the points.
 */
void crash_point(const char *name);

#endif

#include <dlfcn.h>
#include <stdbool.h>
#include <stdlib.h>

#include "die.h"
#include "pq.h"

struct pq_functions pq_fn;

void pq_load(void)
{
	static bool loaded;
	const char *name = getenv("INLET_LIBPQ");
	void *lib, *fn;

	if (loaded)
		return;
	if (!name || !*name)
		name = "libpq.so.5";
	if (!(lib = dlopen(name, RTLD_NOW | RTLD_LOCAL)))
		die(EX_UNAVAILABLE, "cannot load libpq, which PostgreSQL needs (Debian's "
		    "package libpq5): %s", dlerror());
#define PQ_LOOKUP(f)                                                                     \
	if (!(fn = dlsym(lib, #f)))                                                      \
		die(EX_UNAVAILABLE, "cannot use '%s' as libpq: it has no %s", name, #f); \
	*(void **)&pq_fn.fn_##f = fn;
	PQ_FUNCTIONS(PQ_LOOKUP)
#undef PQ_LOOKUP
	loaded = true;
}

/*
 * The CSV reader of inlet-parse, whole: cmd/parse/parse.c is included
 * here with its main() renamed, and run as
 *   inlet-parse --format csv [options] /proc/self/fd/N
 * on a memfd holding the input, standard output going to /dev/null.  The
 * first input byte picks the options (header, delimiter, quote, escape,
 * null value, mode, metadata); where parse has them (cmd/parse/parse.h),
 * a second byte picks comment, skip-rows, trimming and a small
 * --max-record-bytes.  The rest is the file.  Permissive and
 * dropmalformed modes must never die, whatever the bytes: libcommon is
 * built with -Dexit=fuzz_exit, so an exit() is a crash here.
 */
#define main parse_main
#define close_stdout fuzz_close_stdout
#include "../../cmd/parse/parse.c"
#undef main
#undef close_stdout

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fuzz.h"

static int memfd = -1;
static struct options initial_opt;

void fuzz_close_stdout(void)
{
	if (fflush(stdout) != 0 || ferror(stdout))
		abort();
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc, (void)argv;
	int devnull = open("/dev/null", O_WRONLY);
	if (devnull < 0 || dup2(devnull, STDOUT_FILENO) < 0)
		abort();
	close(devnull);
	memfd = memfd_create("fuzz-csv", 0);
	if (memfd < 0)
		abort();
	initial_opt = opt;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *delims[] = { ",", ";", "\\t", "|" };
	char path[64], *argv[32];
	int argc = 0;
	unsigned char sel;

	if (size < 1)
		return 0;
	sel = data[0];
	data++, size--;
#if __has_include("../../cmd/parse/parse.h")
	unsigned char sel2 = 0;
	if (size >= 1) {
		sel2 = data[0];
		data++, size--;
	}
#endif
	if (ftruncate(memfd, 0) < 0 ||
	    (size && pwrite(memfd, data, size, 0) != (ssize_t)size))
		abort();
	snprintf(path, sizeof(path), "/proc/self/fd/%d", memfd);

	argv[argc++] = "inlet-parse";
	argv[argc++] = "--format";
	argv[argc++] = "csv";
	argv[argc++] = "--quiet";
	argv[argc++] = "--header";
	argv[argc++] = sel & 1 ? "false" : "true";
	argv[argc++] = "--delimiter";
	argv[argc++] = (char *)delims[(sel >> 1) & 3];
	if (sel & 8) {
		argv[argc++] = "--escape";
		argv[argc++] = "\\";
	}
	if (sel & 16) {
		argv[argc++] = "--null-value";
		argv[argc++] = "NULL";
	}
	argv[argc++] = "--mode";
	argv[argc++] = sel & 32 ? "dropmalformed" : "permissive";
	if (sel & 64)
		argv[argc++] = "--metadata";
	if (sel & 128) {
		argv[argc++] = "--quote";
		argv[argc++] = "'";
	}
#if __has_include("../../cmd/parse/parse.h")
	if (sel2 & 1) {
		argv[argc++] = "--comment";
		argv[argc++] = "#";
	}
	if (sel2 & 2) {
		argv[argc++] = "--skip-rows";
		argv[argc++] = "1";
	}
	if (sel2 & 4)
		argv[argc++] = "--ignore-leading-white-space";
	if (sel2 & 8)
		argv[argc++] = "--ignore-trailing-white-space";
	if (sel2 & 16) {
		argv[argc++] = "--max-record-bytes";
		argv[argc++] = "64";
	}
#endif
	argv[argc++] = path;
	argv[argc] = NULL;

	/* A fresh run: the options and counters of parse.c, and getopt. */
	opt = initial_opt;
	memset(&count, 0, sizeof(count));
	optind = 0;
	FUZZ_ASSERT(parse_main(argc, argv) == 0, "parse_main returns 0");
	return 0;
}

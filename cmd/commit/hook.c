#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "buf.h"
#include "die.h"
#include "hook.h"
#include "sink.h"
#include "stream.h"

void hook_init(struct hook *h, const char *command, const char *checkpoint,
	       const char *table, const char *sink)
{
	const char *tmp = getenv("TMPDIR");
	struct buf path = BUF_INIT;
	int fd;

	memset(h, 0, sizeof(*h));
	h->command = command;
	h->table = table;
	h->sink = sink;
	if (checkpoint) {
		h->checkpoint = realpath(checkpoint, NULL);
		if (!h->checkpoint)
			h->checkpoint = xstrdup(checkpoint);
	}
	buf_printf(&path, "%s/inlet-each-batch.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	fd = mkostemp(path.data, O_CLOEXEC);
	if (fd < 0)
		die_errno(EX_CANTCREAT, "cannot create '%s' for the rows of --each-batch",
			  path.data);
	/* Nobody else needs the name; the file goes with the process. */
	unlink(path.data);
	h->rows = fdopen(fd, "w+");
	if (!h->rows)
		die_errno(EX_OSERR, "cannot open '%s'", path.data);
	h->rows_path = path.data;	/* the buffer's text, now the hook's */
}

static void rows_failed(const struct hook *h)
{
	die_errno(EX_IOERR, "cannot keep the rows for --each-batch in '%s' (deleted "
		  "temporary file)", h->rows_path);
}

void hook_begin(struct hook *h)
{
	h->count = 0;
	if (fflush(h->rows) || ftruncate(fileno(h->rows), 0) < 0 || fseeko(h->rows, 0, SEEK_SET))
		rows_failed(h);
}

void hook_row(struct hook *h, const char *text, size_t len)
{
	if (stream_put_line(h->rows, text, len) == EOF)
		rows_failed(h);
	h->count++;
}

/* In the child: the environment, the rows on 0, stdout to stderr, then sh. */
static void run_child(const struct hook *h, long long batch)
{
	char id[32];

	if (batch >= 0) {
		snprintf(id, sizeof(id), "%lld", batch);
		setenv("INLET_BATCH_ID", id, 1);
	} else {
		unsetenv("INLET_BATCH_ID");
	}
	if (h->checkpoint)
		setenv("INLET_CHECKPOINT", h->checkpoint, 1);
	else
		unsetenv("INLET_CHECKPOINT");
	if (h->table)
		setenv("INLET_TABLE", h->table, 1);
	else
		unsetenv("INLET_TABLE");
	setenv("INLET_SINK", h->sink, 1);
	if (dup2(fileno(h->rows), 0) < 0 || dup2(2, 1) < 0)
		_exit(126);
	signal(SIGPIPE, SIG_DFL);
	/*
	 * SIGINT and SIGTERM as inlet-commit was started with: exec resets
	 * its handlers, and one ignored at start stays ignored (a composite's
	 * Ctrl-C lets the command finish the batch, as commit does).
	 */
	execl("/bin/sh", "sh", "-c", h->command, (char *)NULL);
	fprintf(stderr, "inlet-commit: cannot run /bin/sh: %s\n", strerror(errno));
	_exit(127);
}

/* What becomes of the batch when the command failed. */
static const char *replayed(const struct hook *h, long long batch)
{
	if (batch >= 0 && h->checkpoint)
		return ": the batch is in the sink but not marked committed; a restart "
		       "gives it to the command again";
	return ": the batch is in the sink; without a checkpoint nothing replays it";
}

void hook_run(struct hook *h, long long batch, bool marked)
{
	char what[48];
	pid_t pid;
	int status;

	if (marked)
		return;
	if (fflush(h->rows) || fseeko(h->rows, 0, SEEK_SET))
		rows_failed(h);
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0)
		die_errno(EX_OSERR, "cannot start the --each-batch command");
	if (pid == 0)
		run_child(h, batch);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			die_errno(EX_OSERR, "cannot wait for the --each-batch command");
	if (batch >= 0)
		snprintf(what, sizeof(what), "batch %lld", batch);
	else
		snprintf(what, sizeof(what), "an unnumbered batch");
	if (WIFSIGNALED(status))
		die(EX_SOFTWARE, "the --each-batch command was killed by signal %d (%s) on "
		    "%s (%lld rows)%s", WTERMSIG(status), strsignal(WTERMSIG(status)), what,
		    h->count, replayed(h, batch));
	if (WEXITSTATUS(status))
		die(EX_SOFTWARE, "the --each-batch command exited with status %d on %s "
		    "(%lld rows)%s", WEXITSTATUS(status), what, h->count, replayed(h, batch));
}

void hook_free(struct hook *h)
{
	if (h->rows)
		fclose(h->rows);
	free(h->checkpoint);
	free(h->rows_path);
	memset(h, 0, sizeof(*h));
}

/* ---- the sink that holds nothing ---- */

static int none_begin(struct sink *s, long long batch) { return 0; }
static void none_schema(struct sink *s, const char *text, size_t len) { }
static void none_row(struct sink *s, const struct record *rec, unsigned long lineno) { }
static void none_commit(struct sink *s, long long batch, long long rows) { }
static void none_abort(struct sink *s) { }

static void none_close(struct sink *s)
{
	free(s->name);
	free(s);
}

static const struct sink_ops none_ops = {
	none_begin, none_schema, none_row, none_commit, none_abort, none_close,
};

struct sink *hook_sink_open(void)
{
	struct sink *s = xcalloc(1, sizeof(*s));

	s->ops = &none_ops;
	s->name = xstrdup("each-batch");
	return s;
}

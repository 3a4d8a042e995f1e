#ifndef INLET_IDENTITY_H
#define INLET_IDENTITY_H
/*
 * A file's identity, from discover's listing to commit's cleanup
 * (inlet(7), "File identity"): the device and inode it lives on, its size
 * and its modification time to the nanosecond.  discover writes it into
 * each file record; parse checks the descriptor it opened against it;
 * commit checks the file again before --clean-source touches it.  Two
 * identities are the same file, unchanged, when all four agree.
 *
 * In a file record: "dev":D,"ino":I,"size":S,"mtime_ns":NS and, when the
 * listing followed a symbolic link to reach the file, "link":true (the
 * identity is then the target's).
 */
#include <stdbool.h>
#include <sys/stat.h>

#include "buf.h"
#include "stream.h"

struct file_identity {
	bool known;		/* the record carried an identity */
	bool link;		/* the listed path is a symlink the listing followed */
	unsigned long long dev, ino;
	long long size;
	long long mtime_ns;	/* nanoseconds since the epoch */
};

/* The identity of ST (LINK as given). */
void identity_from_stat(struct file_identity *id, const struct stat *st, bool link);
/*
 * Read the identity members of the file record REC into ID; ID->known is
 * false when the record lacks any of dev, ino, size or mtime_ns (a record
 * from an older inlet, or from parse's own arguments).
 */
void identity_from_record(struct file_identity *id, const struct record *rec);
/* Are A and B the same file (dev, ino), whatever its content now? */
bool identity_same_file(const struct file_identity *a, const struct file_identity *b);
/* Are A and B the same file with the same content (dev, ino, size, mtime)? */
bool identity_equal(const struct file_identity *a, const struct file_identity *b);
/*
 * Append the members ,"dev":D,"ino":I,"size":S,"mtime_ns":NS (and
 * ,"link":true) to OUT, for a record being built.
 */
void identity_append(struct buf *out, const struct file_identity *id);
/*
 * What differs between WANT (listed) and GOT (found), for a message:
 * "replaced by another file", "size 10 -> 12", "modified" ... (static text
 * or built in OUT, which is reset first).
 */
const char *identity_change(const struct file_identity *want,
			    const struct file_identity *got, struct buf *out);
/*
 * Why a file of MODE (not a regular file) is not read, for a message:
 * "not a regular file (a FIFO)", ... ("Is a directory" for a folder).
 * Static text.
 */
const char *identity_not_regular(mode_t mode);

#endif
